/* kt-test-embed.h: a private libvirt embed root for the real-QEMU tests
 *
 * test-libvirt, test-apply-libvirt, test-events and bench-apply run tiny
 * TCG guests under libvirt's embedded QEMU driver (qemu:///embed?root=DIR)
 * in a fresh temporary directory.  What they share lives here:
 *
 *   - the prerequisites (root, the 'libvirt-qemu' user, QEMU_BINARY);
 *   - the root itself, with etc/qemu.conf (user and group root: QEMU must
 *     read the root; stdio_handler "file": there is no virtlogd);
 *   - the reaper, a process forked before libvirt starts any thread that
 *     waits for the test to end, however it ends (a crash, a timeout's
 *     SIGTERM or SIGKILL), then SIGKILLs any QEMU of our guests left under
 *     the root and removes the root;
 *   - teardown: destroy and undefine every domain of the root (all of them
 *     are ours), close the connection, kill what survived, remove the root;
 *   - small helpers: the domain XML, the QEMU pid and log, the affinity of
 *     a QEMU thread from /proc.
 *
 * A test program keeps one KtTestEmbedEnv, set up lazily by the first
 * case that needs it (libvirt allows one embed root per process, and its
 * first use of a fresh root probes QEMU for seconds), hands it to
 * kt_test_embed_use () in main(), and calls kt_test_embed_finish () at the
 * end of main() and from atexit().  Its cases are g_test_add () fixtures:
 *
 *   g_test_add ("/libvirt/capture", KtTestEmbed, NULL,
 *               kt_test_embed_setup, test_capture, kt_test_embed_teardown);
 *
 *   static void
 *   test_capture (KtTestEmbed *embed, gconstpointer data)
 *   {
 *     if (!embed->ready)
 *       return;          (skipped, or failed: the set-up said why)
 *     ... embed->conn, embed->root ...
 *   }
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/types.h>

#include <glib.h>
#include <libvirt/libvirt.h>

#include "kt-connection.h"
#include "kt-snapshot.h"

G_BEGIN_DECLS

#define KT_TEST_EMBED_QEMU "/usr/bin/qemu-system-x86_64"

/* Fails the current case and leaves it, for what later lines depend on
 * (the test programs set g_test_set_nonfatal_assertions ()) */
#define kt_test_embed_require(cond, ...) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_test_fail_printf (__VA_ARGS__); \
        return; \
      } \
  } G_STMT_END

typedef struct _KtTestEmbed    KtTestEmbed;
typedef struct _KtTestEmbedEnv KtTestEmbedEnv;

/* static KtTestEmbedEnv env = KT_TEST_EMBED_INIT (...); see the fields below */
#define KT_TEST_EMBED_INIT(prog_, guest_prefix_, root_template_, events_thread_, setup_) \
  { .prog = (prog_), .guest_prefix = (guest_prefix_), .root_template = (root_template_), \
    .events_thread = (events_thread_), .setup = (setup_) }

/* Defines and starts what the cases share, on embed->conn; on failure
 * marks the current test failed (g_test_fail_printf) and returns FALSE */
typedef gboolean (*KtTestEmbedSetup) (KtTestEmbed *embed);

/* What a test program shares: one per process */
struct _KtTestEmbedEnv
{
  /* Set by the test program before the first case */
  const char      *prog;           /* "test-libvirt": prefix of messages */
  const char      *guest_prefix;   /* "kt-test-": every guest's name starts so */
  const char      *root_template;  /* for g_dir_make_tmp, "kt-libvirt-XXXXXX" */
  gboolean         events_thread;  /* kt_connection_init_events (TRUE) before opening */
  KtTestEmbedSetup setup;          /* optional: the guests */
  const char      *qemu_conf_extra; /* optional: lines appended to etc/qemu.conf */
  char            *skip_reason;    /* owned; every case is skipped when set */

  /* Filled in by kt_test_embed_ensure () */
  gboolean         setup_tried;
  gboolean         setup_ok;
  gboolean         torn_down;
  char            *root;
  char            *uri;            /* qemu:///embed?root=ROOT */
  KtConnection    *conn;
};

/* A case's view of the environment (its g_test_add () fixture): every
 * pointer is borrowed from the KtTestEmbedEnv */
struct _KtTestEmbed
{
  KtTestEmbedEnv  *env;
  const char      *prog;
  const char      *guest_prefix;
  const char      *root;
  const char      *uri;
  KtConnection    *conn;
  gboolean         ready;          /* FALSE: the case is already skipped or failed */
};

/* The environment kt_test_embed_setup () gives the cases; in main() */
void          kt_test_embed_use            (KtTestEmbedEnv *env);

/* g_test_add () set-up: sets the environment up the first time (see
 * kt_test_embed_ensure ()) and fills @embed; embed->ready says whether the
 * case can go on */
void          kt_test_embed_setup          (KtTestEmbed    *embed,
                                            gconstpointer   data);

/* g_test_add () teardown: the shared environment stays for the next case;
 * libvirt's last error is reset */
void          kt_test_embed_teardown       (KtTestEmbed    *embed,
                                            gconstpointer   data);

/* Why the real-QEMU cases cannot run here (not root, no 'libvirt-qemu'
 * user, no KT_TEST_EMBED_QEMU), newly allocated; NULL when they can */
char         *kt_test_embed_missing        (void);

/* Sets the environment up the first time (root, reaper, events when
 * env->events_thread, connection, env->setup) and says
 * whether it is there.  FALSE means the case is already marked: skipped
 * (env->skip_reason) or failed (this or an earlier set-up failed). */
gboolean      kt_test_embed_ensure         (KtTestEmbedEnv *env);

/* kt_connection_capture of embed->conn; asserts that it gave no error */
KtSnapshot   *kt_test_embed_capture        (KtTestEmbed  *embed);

/* @name on embed->conn; NULL (the test marked failed) when it is not there */
virDomainPtr  kt_test_embed_lookup         (KtTestEmbed  *embed,
                                            const char   *name);

/* Destroys and undefines every domain, closes the connection, kills the
 * QEMU that survived, removes the root.  Once; nothing when the set-up was
 * never tried.  Never fails a test: problems go to stderr. */
void          kt_test_embed_finish         (KtTestEmbedEnv *env);

/* A fresh root from @tmpl (g_dir_make_tmp) with its etc/qemu.conf; on
 * failure nothing is left behind */
char         *kt_test_embed_make_root      (const char   *tmpl,
                                            GError      **error);

/* qemu:///embed?root=@root */
char         *kt_test_embed_uri            (const char   *root);

/* Forks the reaper for @root (see above); call it before libvirt starts
 * any thread.  It SIGKILLs the QEMU whose command line names @root and
 * "guest=@guest_prefix". */
void          kt_test_embed_start_reaper   (const char   *root,
                                            const char   *guest_prefix,
                                            const char   *prog);

/* SIGKILLs every QEMU whose command line names @root and
 * "guest=@guest_prefix"; how many */
int           kt_test_embed_kill_qemus     (const char   *root,
                                            const char   *guest_prefix);

/* Kills (with a word on stderr) the QEMU left under @root, then removes
 * @root and everything in it */
void          kt_test_embed_remove_root    (const char   *root,
                                            const char   *guest_prefix,
                                            const char   *prog);

/* Destroys and undefines every domain of @conn.  A destroy that fails
 * while the domain stops anyway (libvirt reconnecting to QEMU in a fresh
 * process) is no failure.  Says each failure on stderr; how many. */
int           kt_test_embed_destroy_all    (virConnectPtr conn,
                                            const char   *prog);

/* A TCG guest: 64 MiB, @vcpus vCPUs, @iothreads IOThreads (0: none), no
 * disk (it sits in the PXE ROM) */
char         *kt_test_embed_domain_xml     (const char   *name,
                                            guint         vcpus,
                                            guint         iothreads);

/* Starts @dom; when that fails, marks the test failed with libvirt's
 * error and QEMU's log and returns FALSE */
gboolean      kt_test_embed_start          (KtTestEmbed  *embed,
                                            virDomainPtr  dom);

/* Creates and starts the transient guest @name from @xml on embed->conn;
 * when that fails, marks the test failed with libvirt's error and QEMU's
 * log and returns NULL */
virDomainPtr  kt_test_embed_create         (KtTestEmbed  *embed,
                                            const char   *name,
                                            const char   *xml);

/* libvirt's last error message (reset), newly allocated, never NULL */
char         *kt_test_embed_last_error     (void);

/* What QEMU wrote about @name under @root, or "(no PATH)" */
char         *kt_test_embed_qemu_log       (const char   *root,
                                            const char   *name);

/* The pid of @name's QEMU under @root, or -1 */
pid_t         kt_test_embed_qemu_pid       (const char   *root,
                                            const char   *name);

/* The Cpus_allowed_list (as in /proc, with its leading tab) of the thread
 * of @pid called @comm ("CPU 1/TCG"), or NULL */
char         *kt_test_embed_thread_allowed (pid_t         pid,
                                            const char   *comm);

/* The monotonic clock, in seconds */
double        kt_test_embed_now            (void);

G_END_DECLS
