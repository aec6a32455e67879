/* kt-test-util.h: helpers shared by the core test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "kt-cpuset.h"
#include "kt-snapshot.h"

G_BEGIN_DECLS

/* $KT_FIXTURES/@rel; aborts the test when KT_FIXTURES is unset */
char      *kt_test_fixture_path     (const char  *rel);

/* The names (not paths) of the files in $KT_FIXTURES/@rel_dir ending in
 * @suffix, sorted; directories are left out.  Never empty: a missing or
 * empty fixture directory aborts the test program. */
GPtrArray *kt_test_list_fixtures    (const char  *rel_dir,
                                     const char  *suffix);

/* The whole file; aborts the test when it cannot be read */
char      *kt_test_read_file        (const char  *path,
                                     gsize       *len);

/* Validates @xml against $KT_SCHEMADIR/@schema (e.g. "domain.rng") with
 * libxml2's RelaxNG validator.  Each schema is parsed once per process.
 * On failure returns FALSE and sets @message (optional) to the
 * validator's errors. */
gboolean   kt_test_validate_xml     (const char  *xml,
                                     gssize       len,
                                     const char  *schema,
                                     char       **message);

/* Asserts that @error is set in @domain/@code and that its message
 * contains every string of the NULL-terminated list. */
#define kt_test_assert_error_contains(error, domain, code, ...) \
  kt_test_assert_error_contains_impl (__FILE__, __LINE__, (error), (domain), (code), \
                                      __VA_ARGS__, NULL)
void       kt_test_assert_error_contains_impl (const char   *file,
                                               int           line,
                                               const GError *error,
                                               GQuark        domain,
                                               int           code,
                                               ...) G_GNUC_NULL_TERMINATED;

/* Running kvmtune-cli ($KT_CLI, set by meson) */
typedef struct
{
  int   wait_status;   /* as waitpid () gives it */
  int   status;        /* the exit status */
  char *out;
  char *err;
} KtTestRun;

void       kt_test_run_clear        (KtTestRun            *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KtTestRun, kt_test_run_clear)

/* Runs $KT_CLI with the NULL-terminated @args, @setup (may be NULL) in
 * the child, and fills @r (zero-initialised or used before: its old
 * output is freed).  Never a crash, whatever the input: a CLI that dies of
 * a signal (SIGSEGV, or SIGABRT from a failed g_assert, a critical made
 * fatal or a sanitizer) aborts the test with its stderr.  Under
 * LeakSanitizer the list of suppressions, which would land on stderr, is
 * turned off.  Aborts when KT_CLI is unset or the CLI cannot run. */
void       kt_test_run_cli_full     (KtTestRun            *r,
                                     GSpawnChildSetupFunc  setup,
                                     const char * const   *args);
#define kt_test_run_cli(r, ...) \
  kt_test_run_cli_full ((r), NULL, (const char * const[]) { __VA_ARGS__, NULL })

/* $KT_DATADIR/demo-host.kvmtune, and that snapshot loaded (asserted) */
char       *kt_test_demo_path       (void);
KtSnapshot *kt_test_load_demo       (void);

/* Independent reading of fixtures with libxml2's XPath, so tests do not
 * check the core against itself. */
xmlDoc         *kt_test_read_doc  (const char     *path);
xmlXPathObject *kt_test_xpath     (xmlDoc         *doc,
                                   xmlNode        *context,
                                   const char     *expr);
guint           kt_test_n_nodes   (xmlXPathObject *obj);
xmlNode        *kt_test_nth_node  (xmlXPathObject *obj,
                                   guint           i);
/* The attribute, or NULL (also for a NULL node) */
char           *kt_test_attr      (xmlNode        *node,
                                   const char     *name);
/* A decimal number, surrounding blanks allowed; anything else fails */
guint64         kt_test_to_u64    (const char     *text);
/* A cpuset that must parse */
KtCpuset       *kt_test_parse_set (const char     *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathObject, xmlXPathFreeObject)

G_END_DECLS
