/* kt-test-util.c: helpers shared by the core test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>

#include "kt-test-util.h"

char *
kt_test_fixture_path (const char *rel)
{
  const char *root = g_getenv ("KT_FIXTURES");

  if (root == NULL || *root == '\0')
    g_error ("KT_FIXTURES is not set: run the tests with “meson test”");
  return g_build_filename (root, rel, NULL);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
kt_test_list_fixtures (const char *rel_dir,
                       const char *suffix)
{
  g_autofree char *dir_path = kt_test_fixture_path (rel_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  if (dir == NULL)
    g_error ("Cannot list fixtures: %s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      if (g_str_has_suffix (name, suffix) && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  if (names->len == 0)
    g_error ("No “*%s” fixture in %s", suffix, dir_path);
  g_ptr_array_sort (names, compare_names);
  return names;
}

char *
kt_test_read_file (const char *path,
                   gsize      *len)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  if (!g_file_get_contents (path, &data, len, &error))
    g_error ("Cannot read %s: %s", path, error->message);
  return data;
}

/* RelaxNG ------------------------------------------------------------------ */

G_LOCK_DEFINE_STATIC (schemas);
static GHashTable *schemas;     /* name -> xmlRelaxNG*, for the whole process */

static void
collect_error (void     *data,
               xmlError *err)
{
  GString *out = data;

  if (err == NULL || err->message == NULL)
    return;
  if (out->len < 16384)
    g_string_append_printf (out, "line %d: %s", err->line, err->message);
}

static xmlRelaxNG *
get_schema (const char *name)
{
  xmlRelaxNG *rng;

  G_LOCK (schemas);
  if (schemas == NULL)
    schemas = g_hash_table_new (g_str_hash, g_str_equal);
  rng = g_hash_table_lookup (schemas, name);
  if (rng == NULL)
    {
      const char *dir = g_getenv ("KT_SCHEMADIR");
      g_autofree char *path = NULL;
      g_autoptr(GString) errors = g_string_new (NULL);
      xmlRelaxNGParserCtxt *pctxt;

      if (dir == NULL || *dir == '\0')
        dir = "/usr/share/libvirt/schemas";
      path = g_build_filename (dir, name, NULL);
      pctxt = xmlRelaxNGNewParserCtxt (path);
      if (pctxt == NULL)
        g_error ("Cannot create a RelaxNG parser for %s", path);
      xmlRelaxNGSetParserStructuredErrors (pctxt, collect_error, errors);
      rng = xmlRelaxNGParse (pctxt);
      xmlRelaxNGFreeParserCtxt (pctxt);
      if (rng == NULL)
        g_error ("Cannot load the RelaxNG schema %s: %s", path, errors->str);
      /* Kept until the process exits, on purpose */
      g_hash_table_insert (schemas, g_strdup (name), rng);
    }
  G_UNLOCK (schemas);
  return rng;
}

gboolean
kt_test_validate_xml (const char  *xml,
                      gssize       len,
                      const char  *schema,
                      char       **message)
{
  xmlRelaxNG *rng = get_schema (schema);
  g_autoptr(GString) errors = g_string_new (NULL);
  xmlRelaxNGValidCtxt *vctxt;
  xmlDoc *doc;
  int rc;

  if (len < 0)
    len = strlen (xml);
  doc = xmlReadMemory (xml, (int) len, "test.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      if (message)
        *message = g_strdup ("not well-formed XML");
      return FALSE;
    }
  vctxt = xmlRelaxNGNewValidCtxt (rng);
  xmlRelaxNGSetValidStructuredErrors (vctxt, collect_error, errors);
  rc = xmlRelaxNGValidateDoc (vctxt, doc);
  xmlRelaxNGFreeValidCtxt (vctxt);
  xmlFreeDoc (doc);

  if (rc != 0)
    {
      if (message)
        *message = g_strdup_printf ("does not validate against %s (rc %d): %s",
                                    schema, rc, errors->str);
      return FALSE;
    }
  if (message)
    *message = NULL;
  return TRUE;
}

/* Assertions --------------------------------------------------------------- */

void
kt_test_assert_error_contains_impl (const char   *file,
                                    int           line,
                                    const GError *error,
                                    GQuark        domain,
                                    int           code,
                                    ...)
{
  g_autofree char *msg = NULL;
  va_list ap;
  const char *needle;

  if (error == NULL)
    {
      msg = g_strdup_printf ("expected an error %s #%d, got none",
                             g_quark_to_string (domain), code);
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
      return;
    }
  if (error->domain != domain || error->code != code)
    {
      msg = g_strdup_printf ("expected an error %s #%d, got %s #%d: %s",
                             g_quark_to_string (domain), code,
                             g_quark_to_string (error->domain), error->code, error->message);
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
      return;
    }
  if (error->message == NULL || *error->message == '\0')
    {
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, "error message is empty");
      return;
    }

  va_start (ap, code);
  while ((needle = va_arg (ap, const char *)) != NULL)
    if (strstr (error->message, needle) == NULL)
      {
        g_autofree char *shown = g_utf8_substring (error->message, 0,
                                                   MIN (g_utf8_strlen (error->message, -1), 400));

        msg = g_strdup_printf ("error message “%s” does not contain “%s”", shown, needle);
        g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
        break;
      }
  va_end (ap);
}

/* XPath -------------------------------------------------------------------- */

xmlDoc *
kt_test_read_doc (const char *path)
{
  xmlDoc *doc = xmlReadFile (path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR
                                         | XML_PARSE_NOWARNING);

  if (doc == NULL)
    g_error ("Cannot parse %s", path);
  return doc;
}

xmlXPathObject *
kt_test_xpath (xmlDoc     *doc,
               xmlNode    *context,
               const char *expr)
{
  g_autoptr(xmlXPathContext) ctx = xmlXPathNewContext (doc);
  xmlXPathObject *obj;

  if (context != NULL)
    ctx->node = context;
  obj = xmlXPathEvalExpression ((const xmlChar *) expr, ctx);
  if (obj == NULL || obj->type != XPATH_NODESET)
    g_error ("Bad XPath %s", expr);
  return obj;
}

guint
kt_test_n_nodes (xmlXPathObject *obj)
{
  return obj->nodesetval ? (guint) obj->nodesetval->nodeNr : 0;
}

xmlNode *
kt_test_nth_node (xmlXPathObject *obj,
                  guint           i)
{
  g_assert_cmpuint (i, <, kt_test_n_nodes (obj));
  return obj->nodesetval->nodeTab[i];
}

char *
kt_test_attr (xmlNode    *node,
              const char *name)
{
  xmlChar *v;
  char *ret;

  if (node == NULL)
    return NULL;
  v = xmlGetProp (node, (const xmlChar *) name);
  ret = g_strdup ((const char *) v);
  xmlFree (v);
  return ret;
}

guint64
kt_test_to_u64 (const char *text)
{
  g_autofree char *copy = NULL;
  g_autoptr(GError) error = NULL;
  guint64 v;

  g_assert_nonnull (text);
  copy = g_strstrip (g_strdup (text));
  if (!g_ascii_string_to_unsigned (copy, 10, 0, G_MAXUINT64, &v, &error))
    g_error ("“%s” is not a number: %s", text, error->message);
  return v;
}

KtCpuset *
kt_test_parse_set (const char *text)
{
  g_autoptr(GError) error = NULL;
  KtCpuset *set = kt_cpuset_parse (text, &error);

  g_assert_no_error (error);
  return set;
}

/* Running kvmtune-cli ------------------------------------------------------ */

void
kt_test_run_clear (KtTestRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static const char *
cli_path (void)
{
  const char *cli = g_getenv ("KT_CLI");

  if (cli == NULL || *cli == '\0')
    g_error ("KT_CLI is not set: run the tests with “meson test”");
  return cli;
}

void
kt_test_run_cli_full (KtTestRun            *r,
                      GSpawnChildSetupFunc  setup,
                      const char * const   *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *lsan = g_environ_getenv (envp, "LSAN_OPTIONS");

  g_ptr_array_add (argv, (gpointer) cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (lsan != NULL && strstr (lsan, "print_suppressions") == NULL)
    {
      g_autofree char *options = g_strconcat (lsan, ":print_suppressions=0", NULL);

      envp = g_environ_setenv (envp, "LSAN_OPTIONS", options, TRUE);
    }

  kt_test_run_clear (r);
  memset (r, 0, sizeof *r);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, setup, NULL,
                     &r->out, &r->err, &r->wait_status, &error))
    g_error ("Cannot run %s: %s", cli_path (), error->message);
  if (WIFSIGNALED (r->wait_status))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv->pdata + 1);

      g_error ("kvmtune-cli %s died of signal %d; stderr: %s", cmd, WTERMSIG (r->wait_status),
               r->err);
    }
  g_assert_true (WIFEXITED (r->wait_status));
  r->status = WEXITSTATUS (r->wait_status);
}

/* The demo host ---------------------------------------------------------------- */

char *
kt_test_demo_path (void)
{
  const char *dir = g_getenv ("KT_DATADIR");

  if (dir == NULL || *dir == '\0')
    g_error ("KT_DATADIR is not set: run the tests with “meson test”");
  return g_build_filename (dir, "demo-host.kvmtune", NULL);
}

KtSnapshot *
kt_test_load_demo (void)
{
  g_autofree char *path = kt_test_demo_path ();
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_load_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}
