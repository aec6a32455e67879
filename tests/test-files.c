/* test-files.c: kt-file, the one reader and writer of KvmTune's files,
 * directly and through kvmtune-cli: devices, FIFOs, "-", symbolic links
 * and directories are never replaced; rewrites keep mode, owner and
 * extended attributes; temporaries do not outlive their writer; parallel
 * rewrites lose nothing; reads are bounded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kt-error.h"
#include "kt-file.h"
#include "kt-snapshot.h"
#include "kt-test-util.h"

/* Helpers ---------------------------------------------------------------- */

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("kt-files-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
rm_rf (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_unlink (p) < 0)
        rm_rf (p);
    }
  g_rmdir (dir);
}

static void
write_file (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static char *
copy_demo (const char *dir,
           const char *name)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *data = kt_test_read_file (demo, NULL);
  char *dst = g_build_filename (dir, name, NULL);

  write_file (dst, data);
  return dst;
}

/* The names in @dir that look like our temporaries */
static guint
count_temps (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    n += strstr (name, ".kvmtune-") != NULL;
  return n;
}

static gboolean
is_root (void)
{
  if (geteuid () == 0)
    return TRUE;
  g_test_skip ("needs root");
  return FALSE;
}

static mode_t
file_type (const char *path)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode & S_IFMT;
}

/* Devices, FIFOs, "-" ---------------------------------------------------- */

/* A character device node like /dev/NAME in @dir, so that a regression
 * replaces a node of the test's own and not the system's; /dev/NAME itself
 * where nodes cannot be made or used (a nodev mount) */
static char *
make_char_node (const char *dir,
                const char *name,
                guint       major_nr,
                guint       minor_nr)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd;

  if (mknod (path, S_IFCHR | 0666, makedev (major_nr, minor_nr)) == 0
      && (fd = open (path, O_WRONLY | O_CLOEXEC)) >= 0)
    {
      close (fd);
      return g_steal_pointer (&path);
    }
  g_unlink (path);
  g_test_message ("no device nodes in %s: using /dev/%s", dir, name);
  return g_strconcat ("/dev/", name, NULL);
}

static void
test_dev_full (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *dir = NULL;
  g_autofree char *full = NULL;
  KtTestRun r = { 0, };

  if (!is_root ())
    return;
  dir = make_tmp_dir ();
  full = make_char_node (dir, "full", 1, 7);
  g_assert_false (kt_file_write (full, "x", 1, KT_FILE_WRITE_NONE, NULL, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_assert_cmpint (file_type (full), ==, S_IFCHR);

  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", full);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, full));
  g_assert_nonnull (strstr (r.err, g_strerror (ENOSPC)));
  g_assert_cmpint (file_type (full), ==, S_IFCHR);
  g_assert_cmpuint (count_temps (dir), ==, 0);
  kt_test_run_clear (&r);
  rm_rf (dir);
}

static void
test_dev_null (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *dir = NULL;
  g_autofree char *null = NULL;
  KtTestRun r = { 0, };

  if (!is_root ())
    return;
  dir = make_tmp_dir ();
  null = make_char_node (dir, "null", 1, 3);
  g_assert_true (kt_file_write (null, "x", 1, KT_FILE_WRITE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_type (null), ==, S_IFCHR);

  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", null);
  g_assert_cmpint (r.status, ==, 0);
  kt_test_run_cli (&r, "--snapshot", demo, "render", "-o", null, "--format", "png");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (file_type (null), ==, S_IFCHR);
  kt_test_run_cli (&r, "--snapshot", demo, "render", "-o", null);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "--format"));
  g_assert_cmpint (file_type (null), ==, S_IFCHR);
  g_assert_cmpuint (count_temps (dir), ==, 0);

  /* The system's own /dev/null too */
  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", "/dev/null");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (file_type ("/dev/null"), ==, S_IFCHR);
  kt_test_run_clear (&r);
  rm_rf (dir);
}

static gpointer
read_fifo (gpointer data)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (data, &contents, &len, &error));
  return g_strdup (contents);
}

static void
test_fifo (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *fifo = g_build_filename (dir, "pipe", NULL);
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *got = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  GThread *reader;
  KtTestRun r = { 0, };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  reader = g_thread_new ("fifo", read_fifo, fifo);
  g_assert_true (kt_file_write (fifo, "hello", 5, KT_FILE_WRITE_PRIVATE, NULL, NULL, &error));
  g_assert_no_error (error);
  got = g_thread_join (reader);
  g_assert_cmpstr (got, ==, "hello");
  g_assert_cmpint (file_type (fifo), ==, S_IFIFO);
  g_clear_pointer (&got, g_free);

  /* The CLI writes a whole snapshot through it */
  reader = g_thread_new ("fifo", read_fifo, fifo);
  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", fifo);
  got = g_thread_join (reader);
  g_assert_cmpint (r.status, ==, 0);
  s = kt_snapshot_load_xml (got, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (s)), ==, 8);
  g_assert_cmpint (file_type (fifo), ==, S_IFIFO);
  g_assert_cmpuint (count_temps (dir), ==, 0);
  kt_test_run_clear (&r);
  rm_rf (dir);
}

static void
test_stdout (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  KtTestRun r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", "-");
  g_assert_cmpint (r.status, ==, 0);
  /* stdout is the snapshot and nothing else; the note goes to stderr */
  s = kt_snapshot_load_xml (r.out, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (kt_snapshot_get_vms (s)), ==, 8);
  g_assert_nonnull (strstr (r.err, "8 domains"));
  g_assert_false (g_file_test ("-", G_FILE_TEST_EXISTS));

  kt_test_run_cli (&r, "--snapshot", demo, "render", "-o", "-", "--format", "svg");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "<?xml"));
  g_assert_nonnull (strstr (r.out, "<svg"));
  g_assert_false (g_file_test ("-", G_FILE_TEST_EXISTS));
  kt_test_run_clear (&r);
}

/* Links and directories -------------------------------------------------- */

static void
test_symlink (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *sub = g_build_filename (dir, "real", NULL);
  g_autofree char *target = NULL;
  g_autofree char *link = g_build_filename (dir, "link.kvmtune", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling", NULL);
  g_autofree char *created = g_build_filename (sub, "new", NULL);
  g_autofree char *text = NULL;
  g_autofree char *p = NULL;
  g_autoptr(GError) error = NULL;
  KtTestRun r = { 0, };

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  target = copy_demo (sub, "host.kvmtune");
  g_assert_cmpint (symlink ("real/host.kvmtune", link), ==, 0);   /* relative */

  kt_test_run_cli (&r, "--snapshot", link, "pin", "web1", "0", "3", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (file_type (link), ==, S_IFLNK);
  p = g_file_read_link (link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p, ==, "real/host.kvmtune");
  text = kt_test_read_file (target, NULL);
  g_assert_nonnull (strstr (text, "<vcpupin vcpu=\"0\" cpuset=\"3\"/>"));
  g_assert_cmpuint (count_temps (dir), ==, 0);
  g_assert_cmpuint (count_temps (sub), ==, 0);

  /* A dangling link: its target is created */
  g_assert_cmpint (symlink ("real/new", dangling), ==, 0);
  g_assert_true (kt_file_write (dangling, "new", 3, KT_FILE_WRITE_PRIVATE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_type (dangling), ==, S_IFLNK);
  g_clear_pointer (&text, g_free);
  text = kt_test_read_file (created, NULL);
  g_assert_cmpstr (text, ==, "new");
  kt_test_run_clear (&r);
  rm_rf (sub);
  rm_rf (dir);
}

static void
test_directory (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  KtTestRun r = { 0, };

  g_assert_false (kt_file_write (dir, "x", 1, KT_FILE_WRITE_NONE, NULL, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, "is a directory"));
  g_clear_error (&error);
  g_assert_cmpint (file_type (dir), ==, S_IFDIR);

  g_assert_false (kt_file_read (dir, KT_FILE_MAX_SIZE, &contents, NULL, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);

  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", dir);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is a directory"));
  g_assert_cmpint (file_type (dir), ==, S_IFDIR);
  g_assert_cmpuint (count_temps (dir), ==, 0);
  kt_test_run_clear (&r);
  rm_rf (dir);
}

/* Mode, owner, attributes ------------------------------------------------ */

/* A POSIX ACL as the kernel stores it in system.posix_acl_access:
 * user::rw- user:daemon:r-- group::--- mask::r-- other::--- */
typedef struct
{
  guint16 tag;
  guint16 perm;
  guint32 id;
} AclEntry;

static gsize
make_acl (guint8 *buf,
          uid_t   user)
{
  const AclEntry entries[] = {
    { 0x01, 6, G_MAXUINT32 }, { 0x02, 4, user }, { 0x04, 0, G_MAXUINT32 },
    { 0x10, 4, G_MAXUINT32 }, { 0x20, 0, G_MAXUINT32 },
  };
  guint32 version = GUINT32_TO_LE (2);
  gsize off = 0;

  memcpy (buf, &version, 4);
  off = 4;
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      AclEntry e = { GUINT16_TO_LE (entries[i].tag), GUINT16_TO_LE (entries[i].perm),
                     GUINT32_TO_LE (entries[i].id) };

      memcpy (buf + off, &e, sizeof e);
      off += sizeof e;
    }
  return off;
}

static GBytes *
get_xattr (const char *path,
           const char *name)
{
  char buf[4096];
  gssize n = getxattr (path, name, buf, sizeof buf);

  return n < 0 ? NULL : g_bytes_new (buf, n);
}

static void
test_keep_mode_owner (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = NULL;
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-64amd64-4s2n4ca2co.xml");
  g_autofree char *src = kt_test_fixture_path ("domains/qemu-ns.xml");
  g_autofree char *dom = g_build_filename (dir, "guest.xml", NULL);
  g_autoptr(GBytes) acl_before = NULL;
  g_autoptr(GBytes) acl_after = NULL;
  g_autoptr(GBytes) user_after = NULL;
  struct passwd *nobody = getpwnam ("nobody");
  struct passwd *daemon_user = getpwnam ("daemon");
  struct stat before, after;
  guint8 acl[64];
  gsize acl_len;
  gboolean have_acl;
  KtTestRun r = { 0, };

  if (!is_root ())
    return;
  g_assert_nonnull (nobody);
  g_assert_nonnull (daemon_user);

  /* A snapshot: 0600, owned by nobody, with a user xattr and an ACL */
  path = copy_demo (dir, "host.kvmtune");
  g_assert_cmpint (chown (path, nobody->pw_uid, nobody->pw_gid), ==, 0);
  g_assert_cmpint (chmod (path, 0600), ==, 0);
  if (setxattr (path, "user.kvmtune-test", "kept", 4, 0) < 0)
    {
      g_test_skip ("the temporary directory takes no user xattrs");
      rm_rf (dir);
      return;
    }
  acl_len = make_acl (acl, daemon_user->pw_uid);
  have_acl = setxattr (path, "system.posix_acl_access", acl, acl_len, 0) == 0;
  if (have_acl)
    acl_before = get_xattr (path, "system.posix_acl_access");
  else
    g_test_message ("no ACLs here (%s): only the user xattr is checked", g_strerror (errno));
  g_assert_cmpint (stat (path, &before), ==, 0);

  kt_test_run_cli (&r, "--snapshot", path, "pin", "web1", "0", "3", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (stat (path, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, !=, before.st_ino);   /* it was replaced... */
  g_assert_cmpuint (after.st_uid, ==, nobody->pw_uid);  /* ...keeping all this */
  g_assert_cmpuint (after.st_gid, ==, nobody->pw_gid);
  g_assert_cmpint (after.st_mode & 07777, ==, before.st_mode & 07777);
  g_assert_cmpint (after.st_mode & 0007, ==, 0);
  user_after = get_xattr (path, "user.kvmtune-test");
  g_assert_nonnull (user_after);
  g_assert_cmpmem (g_bytes_get_data (user_after, NULL), g_bytes_get_size (user_after), "kept", 4);
  if (have_acl)
    {
      acl_after = get_xattr (path, "system.posix_acl_access");
      g_assert_nonnull (acl_after);
      g_assert_true (g_bytes_equal (acl_before, acl_after));
    }
  g_assert_cmpuint (count_temps (dir), ==, 0);

  /* A domain file with a VNC password: the same */
  {
    g_autofree char *xml = kt_test_read_file (src, NULL);

    write_file (dom, xml);
  }
  g_assert_cmpint (chown (dom, nobody->pw_uid, nobody->pw_gid), ==, 0);
  g_assert_cmpint (chmod (dom, 0600), ==, 0);
  kt_test_run_cli (&r, "--caps", caps, "--domain", dom, "pin", "QEMUGuest1", "0", "3", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (stat (dom, &after), ==, 0);
  g_assert_cmpuint (after.st_uid, ==, nobody->pw_uid);
  g_assert_cmpuint (after.st_gid, ==, nobody->pw_gid);
  g_assert_cmpint (after.st_mode & 07777, ==, 0600);
  kt_test_run_clear (&r);
  rm_rf (dir);
}

static void
test_new_file_mode (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *demo = kt_test_demo_path ();
  g_autofree char *snap = g_build_filename (dir, "new.kvmtune", NULL);
  g_autofree char *png = g_build_filename (dir, "map.png", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain", NULL);
  g_autoptr(GError) error = NULL;
  struct stat st;
  mode_t old_umask = umask (022);
  KtTestRun r = { 0, };

  /* Snapshots may carry secrets of their domains: 0600, whatever umask */
  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", snap);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (stat (snap, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);

  /* Images follow the umask */
  kt_test_run_cli (&r, "--snapshot", demo, "render", "-o", png, "--width", "64", "--height", "64");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (stat (png, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);

  g_assert_true (kt_file_write (plain, "x", 1, KT_FILE_WRITE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (plain, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);
  umask (old_umask);
  kt_test_run_clear (&r);
  rm_rf (dir);
}

/* Temporaries ------------------------------------------------------------ */

static GSubprocess *
spawn_stalled_writer (const char *out)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_setenv (launcher, "KVMTUNE_TEST_WRITE_STALL", "60", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("KT_CLI"), "--snapshot", demo,
                                      "snapshot", "-o", out, NULL);
  g_assert_no_error (error);
  return proc;
}

static void
wait_for_temp (const char *dir)
{
  for (guint i = 0; i < 1000 && count_temps (dir) == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (count_temps (dir), ==, 1);
}

static void
test_killed_writer (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out.kvmtune", NULL);
  g_autofree char *demo = kt_test_demo_path ();
  g_autoptr(GSubprocess) proc = NULL;
  KtTestRun r = { 0, };

  write_file (out, "old");

  /* SIGKILL: nothing can clean up, so the next write does */
  proc = spawn_stalled_writer (out);
  wait_for_temp (dir);
  g_subprocess_force_exit (proc);
  g_assert_true (g_subprocess_wait (proc, NULL, NULL));
  g_assert_cmpuint (count_temps (dir), ==, 1);
  {
    g_autofree char *text = kt_test_read_file (out, NULL);

    g_assert_cmpstr (text, ==, "old");
  }
  kt_test_run_cli (&r, "--snapshot", demo, "snapshot", "-o", out);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_temps (dir), ==, 0);

  /* SIGTERM and SIGINT: the writer removes its temporary as it dies */
  for (guint i = 0; i < 2; i++)
    {
      int sig = i == 0 ? SIGTERM : SIGINT;
      g_autofree char *before = kt_test_read_file (out, NULL);
      g_autofree char *after = NULL;

      g_clear_object (&proc);
      proc = spawn_stalled_writer (out);
      wait_for_temp (dir);
      g_subprocess_send_signal (proc, sig);
      g_assert_true (g_subprocess_wait (proc, NULL, NULL));
      g_assert_true (g_subprocess_get_if_signaled (proc));
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, sig);
      g_assert_cmpuint (count_temps (dir), ==, 0);
      after = kt_test_read_file (out, NULL);
      g_assert_cmpstr (before, ==, after);
    }
  kt_test_run_clear (&r);
  rm_rf (dir);
}

/* A temporary of a live writer is left alone; one of a dead writer goes */
static void
test_stale_temps (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "f", NULL);
  g_autofree char *dead = NULL;
  g_autofree char *alive = NULL;
  g_autofree char *other = g_build_filename (dir, ".g.kvmtune-999999999-abcdef", NULL);
  g_autoptr(GError) error = NULL;
  GPid pid;
  const char *argv[] = { "/bin/true", NULL };

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                NULL, &pid, &error));
  g_assert_no_error (error);
  waitpid (pid, NULL, 0);
  dead = g_strdup_printf ("%s/.f.kvmtune-%d-abcdef", dir, (int) pid);
  alive = g_strdup_printf ("%s/.f.kvmtune-%d-abcdef", dir, (int) getppid ());
  write_file (dead, "left");
  write_file (alive, "busy");
  write_file (other, "another file's");

  g_assert_true (kt_file_write (out, "x", 1, KT_FILE_WRITE_NONE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (dead, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (alive, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  rm_rf (dir);
}

/* Lost updates ----------------------------------------------------------- */

static void
test_changed_since_loaded (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = copy_demo (dir, "host.kvmtune");
  g_autofree char *text = NULL;
  g_autoptr(KtSnapshot) s = NULL;
  g_autoptr(KtFileStamp) stamp = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  KtTestRun r = { 0, };

  /* The window: loaded, then another tool pins, then Save */
  s = kt_snapshot_load_file (path, &error);
  g_assert_no_error (error);
  kt_test_run_cli (&r, "--snapshot", path, "pin", "web1", "0", "3", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_false (kt_snapshot_save (s, path, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_CONFLICT,
                                 "changed since it was loaded");
  g_clear_error (&error);
  text = kt_test_read_file (path, NULL);
  g_assert_nonnull (strstr (text, "<vcpupin vcpu=\"0\" cpuset=\"3\"/>"));
  g_assert_cmpuint (count_temps (dir), ==, 0);

  /* Loaded again, it saves; and saves again over its own save */
  g_clear_object (&s);
  s = kt_snapshot_load_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (kt_snapshot_save (s, path, &error));
  g_assert_no_error (error);
  g_assert_true (kt_snapshot_save (s, path, &error));
  g_assert_no_error (error);

  /* Directly: same size, other bytes */
  g_assert_true (kt_file_read (path, KT_FILE_MAX_SIZE, &data, NULL, &stamp, &error));
  g_assert_no_error (error);
  data[strlen (data) - 2] ^= 1;
  write_file (path, data);
  g_assert_false (kt_file_write (path, "mine", 4, KT_FILE_WRITE_NONE, stamp, NULL, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_CONFLICT);
  g_clear_error (&error);
  g_clear_pointer (&text, g_free);
  text = kt_test_read_file (path, NULL);
  g_assert_cmpstr (text, ==, data);

  /* Removed since: refused too, not recreated */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_false (kt_file_write (path, "mine", 4, KT_FILE_WRITE_NONE, stamp, NULL, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_CONFLICT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  kt_test_run_clear (&r);
  rm_rf (dir);
}

static char *
inactive_pin (const char *path,
              const char *vm,
              guint       vcpu)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) s = kt_snapshot_load_file (path, &error);
  g_autoptr(KtTuning) t = NULL;
  const KtCpuset *pin;

  g_assert_no_error (error);
  t = kt_domain_get_tuning (kt_vm_get_inactive (kt_snapshot_lookup_vm (s, vm)));
  pin = kt_tuning_get_vcpupin (t, vcpu);
  return pin ? kt_cpuset_format (pin) : NULL;
}

static void
test_parallel_pins (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = copy_demo (dir, "host.kvmtune");
  GSubprocess *procs[8];
  gboolean landed[G_N_ELEMENTS (procs)];
  guint applied = 0, refused = 0;

  for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *vcpu = g_strdup_printf ("%u", i);
      g_autofree char *cpu = g_strdup_printf ("%u", 40 + i);

      procs[i] = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                   &error, g_getenv ("KT_CLI"), "--snapshot", path, "pin",
                                   "db-primary", vcpu, cpu, "--config", NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_true (g_subprocess_communicate_utf8 (procs[i], NULL, NULL, &out, &err, &error));
      g_assert_no_error (error);
      landed[i] = g_subprocess_get_exit_status (procs[i]) == 0;
      if (landed[i])
        {
          g_assert_nonnull (strstr (out, "Applied."));
          applied++;
        }
      else
        {
          g_assert_cmpint (g_subprocess_get_exit_status (procs[i]), ==, 1);
          g_assert_nonnull (strstr (err, "changed since it was loaded"));
          refused++;
        }
      g_object_unref (procs[i]);
    }
  /* Every run that said "Applied." is in the final file */
  for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
    {
      g_autofree char *pin = inactive_pin (path, "db-primary", i);

      if (landed[i])
        g_assert_cmpuint (kt_test_to_u64 (pin), ==, 40 + i);
    }
  g_test_message ("%u applied, %u refused", applied, refused);
  g_assert_cmpuint (applied + refused, ==, G_N_ELEMENTS (procs));
  g_assert_cmpuint (applied, >=, 1);
  g_assert_cmpuint (count_temps (dir), ==, 0);
  rm_rf (dir);
}

/* Bounded reads ---------------------------------------------------------- */

static void
test_read_bounded (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *big = g_build_filename (dir, "big.kvmtune", NULL);
  g_autofree char *caps = kt_test_fixture_path ("hosts/real-64amd64-4s2n4ca2co.xml");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st, before;
  int fd;
  KtTestRun r = { 0, };

  /* A 300 MiB sparse file: refused by its size, before a byte is read */
  fd = open (big, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) 300 * 1024 * 1024), ==, 0);
  close (fd);
  g_assert_cmpint (stat (big, &before), ==, 0);
  g_assert_false (kt_file_read (big, KT_FILE_MAX_SIZE, &contents, NULL, NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "too large",
                                 "300.0", "MiB");
  g_clear_error (&error);
  /* Never read: a read would set the access time (relatime: atime <= mtime) */
  g_assert_cmpint (stat (big, &st), ==, 0);
  g_assert_cmpint (st.st_atim.tv_sec, ==, before.st_atim.tv_sec);
  g_assert_cmpint (st.st_atim.tv_nsec, ==, before.st_atim.tv_nsec);
  kt_test_run_cli (&r, "--snapshot", big, "domains");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "too large"));

  /* /dev/zero never ends: the read stops at the limit */
  g_assert_false (kt_file_read ("/dev/zero", 64 * 1024, &contents, NULL, NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_VALUE, "too large", "64.0", "KiB");
  g_clear_error (&error);
  kt_test_run_cli (&r, "--caps", caps, "--domain", "/dev/zero", "domains");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/dev/zero"));
  g_assert_nonnull (strstr (r.err, "too large"));

  /* Just at the limit is fine */
  {
    g_autofree char *exact = g_build_filename (dir, "exact", NULL);
    g_autoptr(KtFileStamp) stamp = NULL;
    gsize len;

    write_file (exact, "0123456789");
    g_assert_true (kt_file_read (exact, 10, &contents, &len, &stamp, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (len, ==, 10);
    g_assert_cmpstr (contents, ==, "0123456789");
    g_assert_cmpuint (stamp->size, ==, 10);
    g_clear_pointer (&contents, g_free);
    g_assert_false (kt_file_read (exact, 9, &contents, NULL, NULL, &error));
    g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE);
  }
  kt_test_run_clear (&r);
  rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/files/write/dev-full", test_dev_full);
  g_test_add_func ("/files/write/dev-null", test_dev_null);
  g_test_add_func ("/files/write/fifo", test_fifo);
  g_test_add_func ("/files/write/stdout", test_stdout);
  g_test_add_func ("/files/write/symlink", test_symlink);
  g_test_add_func ("/files/write/directory", test_directory);
  g_test_add_func ("/files/write/keep-mode-owner-xattrs", test_keep_mode_owner);
  g_test_add_func ("/files/write/new-file-mode", test_new_file_mode);
  g_test_add_func ("/files/write/killed-writer", test_killed_writer);
  g_test_add_func ("/files/write/stale-temps", test_stale_temps);
  g_test_add_func ("/files/write/changed-since-loaded", test_changed_since_loaded);
  g_test_add_func ("/files/write/parallel-pins", test_parallel_pins);
  g_test_add_func ("/files/read/bounded", test_read_bounded);

  return g_test_run ();
}
