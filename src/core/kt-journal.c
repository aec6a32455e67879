/* kt-journal.c: the intent record of a live apply
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "kt-error.h"
#include "kt-json.h"
#include "kt-journal.h"

#define JOURNAL_VERSION 1

struct _KtJournal
{
  GObject  parent_instance;

  char    *path;
  char    *uri;
  char    *vm_name;
  char    *uuid;
  char    *started;
  GArray  *steps;          /* KtJournalStep */
  char    *config_before;
  char    *config_after;
};

G_DEFINE_FINAL_TYPE (KtJournal, kt_journal, G_TYPE_OBJECT)

static const char *const kind_names[] = {
  [KT_JOURNAL_VCPUPIN] = "vcpupin",
  [KT_JOURNAL_EMULATORPIN] = "emulatorpin",
  [KT_JOURNAL_IOTHREADPIN] = "iothreadpin",
  [KT_JOURNAL_NUMA_NODESET] = "numa-nodeset",
};

static void
step_clear (gpointer data)
{
  KtJournalStep *s = data;

  g_clear_pointer (&s->before, kt_cpuset_free);
  g_clear_pointer (&s->after, kt_cpuset_free);
}

static void
kt_journal_finalize (GObject *object)
{
  KtJournal *self = KT_JOURNAL (object);

  g_free (self->path);
  g_free (self->uri);
  g_free (self->vm_name);
  g_free (self->uuid);
  g_free (self->started);
  g_clear_pointer (&self->steps, g_array_unref);
  g_free (self->config_before);
  g_free (self->config_after);

  G_OBJECT_CLASS (kt_journal_parent_class)->finalize (object);
}

static void
kt_journal_class_init (KtJournalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kt_journal_finalize;
}

static void
kt_journal_init (KtJournal *self)
{
  self->steps = g_array_new (FALSE, TRUE, sizeof (KtJournalStep));
  g_array_set_clear_func (self->steps, step_clear);
}

char *
kt_journal_get_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "kvmtune", "journal", NULL);
}

/* One file per VM and connection: a hash of the URI, then the UUID */
static char *
path_for (const char *uri,
          const char *uuid)
{
  g_autofree char *dir = kt_journal_get_dir ();
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, uri, -1);
  g_autofree char *base = g_strdup_printf ("%.16s-%s.json", hash, uuid);

  return g_build_filename (dir, base, NULL);
}

/**
 * kt_journal_new:
 *
 * Returns: (transfer full): an empty record for an apply to @vm_name
 * (@uuid) on @uri, started now; nothing is written yet
 */
KtJournal *
kt_journal_new (const char *uri,
                const char *vm_name,
                const char *uuid)
{
  KtJournal *self;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_return_val_if_fail (uri != NULL && vm_name != NULL && uuid != NULL, NULL);

  self = g_object_new (KT_TYPE_JOURNAL, NULL);
  self->uri = g_strdup (uri);
  self->vm_name = g_strdup (vm_name);
  self->uuid = g_strdup (uuid);
  self->started = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  self->path = path_for (uri, uuid);
  return self;
}

void
kt_journal_add_step (KtJournal         *self,
                     KtJournalStepKind  kind,
                     guint              id,
                     const KtCpuset    *before,
                     const KtCpuset    *after)
{
  KtJournalStep s = { kind, id, before ? kt_cpuset_copy (before) : NULL,
                      after ? kt_cpuset_copy (after) : NULL };

  g_return_if_fail (KT_IS_JOURNAL (self));
  g_array_append_val (self->steps, s);
}

void
kt_journal_set_config (KtJournal  *self,
                       const char *before_xml,
                       const char *after_xml)
{
  g_return_if_fail (KT_IS_JOURNAL (self));
  g_return_if_fail ((before_xml == NULL) == (after_xml == NULL));

  g_free (self->config_before);
  g_free (self->config_after);
  self->config_before = g_strdup (before_xml);
  self->config_after = g_strdup (after_xml);
}

/* Writing ---------------------------------------------------------------- */

static char *
to_json (KtJournal *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, JOURNAL_VERSION);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, self->uri);
  json_builder_set_member_name (b, "vm");
  json_builder_add_string_value (b, self->vm_name);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, self->uuid);
  json_builder_set_member_name (b, "started");
  json_builder_add_string_value (b, self->started);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->steps->len; i++)
    {
      const KtJournalStep *s = &g_array_index (self->steps, KtJournalStep, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "call");
      json_builder_add_string_value (b, kind_names[s->kind]);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, s->id);
      kt_json_add_cpuset (b, "before", s->before);
      kt_json_add_cpuset (b, "after", s->after);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (self->config_before != NULL)
    {
      json_builder_set_member_name (b, "config");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "before");
      json_builder_add_string_value (b, self->config_before);
      json_builder_set_member_name (b, "after");
      json_builder_add_string_value (b, self->config_after);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static gboolean
sync_dir (const char  *dir,
          GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved;

  if (fd < 0 || fsync (fd) < 0)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Cannot sync the directory %s: %s"), dir,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/**
 * kt_journal_save:
 *
 * Writes the record: a temporary file of mode 0600 in the journal
 * directory (made 0700), fsynced, renamed over the record's path, and the
 * directory fsynced.  On failure nothing is left behind.
 */
gboolean
kt_journal_save (KtJournal  *self,
                 GError    **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *text = NULL;
  gsize len, off = 0;
  int fd, saved;

  g_return_val_if_fail (KT_IS_JOURNAL (self), FALSE);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      saved = errno;
      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Cannot create the journal directory %s: %s"),
                   dir, g_strerror (saved));
      return FALSE;
    }
  text = to_json (self);
  len = strlen (text);
  tmp = g_strdup_printf ("%s.XXXXXX", self->path);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Cannot create %s: %s"), tmp,
                   g_strerror (saved));
      return FALSE;
    }
  while (off < len)
    {
      ssize_t n = write (fd, text + off, len - off);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      off += n;
    }
  if (fsync (fd) < 0)
    goto fail;
  if (close (fd) < 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, self->path) < 0)
    goto fail;
  return sync_dir (dir, error);

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Cannot write the apply journal %s: %s"),
               self->path, g_strerror (saved));
  return FALSE;
}

gboolean
kt_journal_remove (KtJournal  *self,
                   GError    **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (KT_IS_JOURNAL (self), FALSE);

  if (g_unlink (self->path) < 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Cannot remove the apply journal %s: %s"),
                   self->path, g_strerror (saved));
      return FALSE;
    }
  dir = g_path_get_dirname (self->path);
  return sync_dir (dir, error);
}

/* Reading ---------------------------------------------------------------- */

static gboolean
bad (GError     **error,
     const char  *path,
     const char  *what)
{
  g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
               _("The apply journal %s is damaged: %s"), path, what);
  return FALSE;
}

static const char *
get_string (JsonObject *o,
            const char *member)
{
  JsonNode *n = json_object_get_member (o, member);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static gboolean
get_set (JsonObject  *o,
         const char  *member,
         KtCpuset   **set,
         const char  *path,
         GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);
  const char *text;
  g_autoptr(GError) local = NULL;

  *set = NULL;
  if (n == NULL)
    return bad (error, path, member);
  if (JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if ((text = get_string (o, member)) == NULL || (*set = kt_cpuset_parse (text, &local)) == NULL)
    {
      g_autofree char *what = g_strdup_printf ("“%s” of a step: %s", member,
                                               local ? local->message : "not a string");

      return bad (error, path, what);
    }
  return TRUE;
}

static gboolean
parse_step (KtJournal   *self,
            JsonNode    *node,
            GError     **error)
{
  KtJournalStep s = { 0, };
  JsonObject *o;
  const char *call;
  gint64 id;
  guint k;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, self->path, _("a step is not an object"));
  o = json_node_get_object (node);
  call = get_string (o, "call");
  for (k = 0; k < G_N_ELEMENTS (kind_names); k++)
    if (g_strcmp0 (call, kind_names[k]) == 0)
      break;
  if (k == G_N_ELEMENTS (kind_names))
    return bad (error, self->path, _("a step has no known “call”"));
  id = json_object_get_int_member_with_default (o, "id", -1);
  if (id < 0 || id > G_MAXUINT)
    return bad (error, self->path, _("a step has no valid “id”"));
  s.kind = k;
  s.id = (guint) id;
  if (!get_set (o, "before", &s.before, self->path, error))
    return FALSE;
  if (!get_set (o, "after", &s.after, self->path, error))
    {
      g_clear_pointer (&s.before, kt_cpuset_free);
      return FALSE;
    }
  g_array_append_val (self->steps, s);
  return TRUE;
}

/**
 * kt_journal_load:
 *
 * Returns: (transfer full): the record in @path, or %NULL with @error set
 * (naming the file and the problem)
 */
KtJournal *
kt_journal_load (const char  *path,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KtJournal) self = NULL;
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonObject *o;
  JsonArray *steps;
  const char *uri, *vm, *uuid, *started;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (KT_TYPE_JOURNAL, NULL);
  self->path = g_strdup (path);
  if (!json_parser_load_from_file (parser, path, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No apply journal %s"), path);
      else
        bad (error, path, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      bad (error, path, _("not a JSON object"));
      return NULL;
    }
  o = json_node_get_object (root);
  if (json_object_get_int_member_with_default (o, "version", 0) != JOURNAL_VERSION)
    {
      bad (error, path, _("unknown version"));
      return NULL;
    }
  uri = get_string (o, "uri");
  vm = get_string (o, "vm");
  uuid = get_string (o, "uuid");
  started = get_string (o, "started");
  if (uri == NULL || vm == NULL || uuid == NULL)
    {
      bad (error, path, _("“uri”, “vm” or “uuid” is missing"));
      return NULL;
    }
  self->uri = g_strdup (uri);
  self->vm_name = g_strdup (vm);
  self->uuid = g_strdup (uuid);
  self->started = g_strdup (started ? started : "?");

  if (!json_object_has_member (o, "steps")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "steps")))
    {
      bad (error, path, _("“steps” is missing"));
      return NULL;
    }
  steps = json_object_get_array_member (o, "steps");
  for (guint i = 0; i < json_array_get_length (steps); i++)
    if (!parse_step (self, json_array_get_element (steps, i), error))
      return NULL;

  if (json_object_has_member (o, "config"))
    {
      JsonNode *c = json_object_get_member (o, "config");
      const char *before, *after;

      if (!JSON_NODE_HOLDS_OBJECT (c)
          || (before = get_string (json_node_get_object (c), "before")) == NULL
          || (after = get_string (json_node_get_object (c), "after")) == NULL)
        {
          bad (error, path, _("“config” needs “before” and “after”"));
          return NULL;
        }
      kt_journal_set_config (self, before, after);
    }
  return g_steal_pointer (&self);
}

static int
compare_started (gconstpointer a,
                 gconstpointer b)
{
  KtJournal *x = *(KtJournal **) a;
  KtJournal *y = *(KtJournal **) b;
  int c = g_strcmp0 (x->started, y->started);

  return c != 0 ? c : g_strcmp0 (x->path, y->path);
}

/**
 * kt_journal_list:
 *
 * Returns: (transfer container) (element-type KtJournal): the records
 * left for @uri, oldest first; %NULL with @error set when one cannot be
 * read (a damaged record is never ignored silently)
 */
GPtrArray *
kt_journal_list (const char  *uri,
                 GError     **error)
{
  g_autofree char *dir_path = kt_journal_get_dir ();
  g_autofree char *hash = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local = NULL;
  const char *name;

  g_return_val_if_fail (uri != NULL, NULL);

  dir = g_dir_open (dir_path, 0, &local);
  if (dir == NULL)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&found);
      g_set_error (error, KT_ERROR, KT_ERROR_IO, _("Cannot read the journal directory %s: %s"),
                   dir_path, local->message);
      return NULL;
    }
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, uri, -1);
  prefix = g_strdup_printf ("%.16s-", hash);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      KtJournal *j;

      /* Temporary files of a save that did not finish end in .XXXXXX */
      if (!g_str_has_prefix (name, prefix) || !g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if ((j = kt_journal_load (path, error)) == NULL)
        return NULL;
      if (!g_str_equal (j->uri, uri))
        {
          g_object_unref (j);
          continue;
        }
      g_ptr_array_add (found, j);
    }
  g_ptr_array_sort (found, compare_started);
  return g_steal_pointer (&found);
}

KtJournal *
kt_journal_lookup (const char  *uri,
                   const char  *uuid,
                   GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) local = NULL;
  KtJournal *j;

  g_return_val_if_fail (uri != NULL && uuid != NULL, NULL);

  path = path_for (uri, uuid);
  j = kt_journal_load (path, &local);
  if (j == NULL && !g_error_matches (local, KT_ERROR, KT_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local));
  return j;
}

/* Getters ---------------------------------------------------------------- */

const char *
kt_journal_get_path (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  return self->path;
}

const char *
kt_journal_get_uri (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  return self->uri;
}

const char *
kt_journal_get_vm_name (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  return self->vm_name;
}

const char *
kt_journal_get_uuid (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  return self->uuid;
}

const char *
kt_journal_get_started (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  return self->started;
}

guint
kt_journal_get_n_steps (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), 0);
  return self->steps->len;
}

const KtJournalStep *
kt_journal_get_step (KtJournal *self,
                     guint      i)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  g_return_val_if_fail (i < self->steps->len, NULL);
  return &g_array_index (self->steps, KtJournalStep, i);
}

const char *
kt_journal_get_config_before (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  return self->config_before;
}

const char *
kt_journal_get_config_after (KtJournal *self)
{
  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);
  return self->config_after;
}

/**
 * kt_journal_describe_steps:
 * @steps: (element-type guint): indices of steps of the record
 *
 * Returns: (transfer full): the steps in few words, the vCPUs and
 * IOThreads as id lists: "the pins of vCPUs 0-19, the emulator pin"
 */
char *
kt_journal_describe_steps (KtJournal *self,
                           GArray    *steps)
{
  g_autoptr(KtCpuset) vcpus = kt_cpuset_new ();
  g_autoptr(KtCpuset) iothreads = kt_cpuset_new ();
  gboolean emulator = FALSE, nodeset = FALSE;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (KT_IS_JOURNAL (self), NULL);

  for (guint i = 0; i < steps->len; i++)
    {
      const KtJournalStep *s = kt_journal_get_step (self, g_array_index (steps, guint, i));

      switch (s->kind)
        {
        case KT_JOURNAL_VCPUPIN:
          kt_cpuset_add (vcpus, s->id);
          break;
        case KT_JOURNAL_IOTHREADPIN:
          kt_cpuset_add (iothreads, s->id);
          break;
        case KT_JOURNAL_EMULATORPIN:
          emulator = TRUE;
          break;
        case KT_JOURNAL_NUMA_NODESET:
        default:
          nodeset = TRUE;
          break;
        }
    }
  if (!kt_cpuset_is_empty (vcpus))
    {
      g_autofree char *ids = kt_cpuset_format (vcpus);

      g_ptr_array_add (parts, kt_cpuset_count (vcpus) == 1
                              ? g_strdup_printf (_("the pin of vCPU %s"), ids)
                              : g_strdup_printf (_("the pins of vCPUs %s"), ids));
    }
  if (emulator)
    g_ptr_array_add (parts, g_strdup (_("the emulator pin")));
  if (!kt_cpuset_is_empty (iothreads))
    {
      g_autofree char *ids = kt_cpuset_format (iothreads);

      g_ptr_array_add (parts, kt_cpuset_count (iothreads) == 1
                              ? g_strdup_printf (_("the pin of IOThread %s"), ids)
                              : g_strdup_printf (_("the pins of IOThreads %s"), ids));
    }
  if (nodeset)
    g_ptr_array_add (parts, g_strdup (_("the memory nodeset")));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}
