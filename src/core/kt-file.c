/* kt-file.c: reading and writing KvmTune's files safely (see kt-file.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kt-error.h"
#include "kt-file.h"

#define TEMP_TAG ".kvmtune-"
#define STALE_UNLOCKED_AGE_S (60 * 60)

/* Errors ----------------------------------------------------------------- */

static gboolean G_GNUC_PRINTF (3, 4)
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s",
               what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
set_too_large (GError     **error,
               const char  *path,
               guint64      size,
               gsize        max_size)
{
  g_autofree char *limit = g_format_size_full (max_size, G_FORMAT_SIZE_IEC_UNITS);

  if (size > 0)
    {
      g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("“%s” is too large (%s; KvmTune reads at most %s)"), path, have, limit);
    }
  else
    g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                 _("“%s” is too large (more than %s, which is all KvmTune reads)"), path, limit);
  return FALSE;
}

static gboolean
set_changed (GError     **error,
             const char  *path)
{
  g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
               _("“%s” changed since it was loaded; not overwritten (load it again to "
                 "see the other change)"), path);
  return FALSE;
}

static gint64
stat_mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

/* Stamps ----------------------------------------------------------------- */

static KtFileStamp *
stamp_new (const struct stat *st,
           const void        *data,
           gsize              length)
{
  KtFileStamp *stamp = g_new0 (KtFileStamp, 1);

  stamp->dev = st->st_dev;
  stamp->ino = st->st_ino;
  stamp->size = length;
  stamp->mtime_ns = stat_mtime_ns (st);
  stamp->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
  return stamp;
}

KtFileStamp *
kt_file_stamp_copy (const KtFileStamp *stamp)
{
  KtFileStamp *copy;

  g_return_val_if_fail (stamp != NULL, NULL);

  copy = g_memdup2 (stamp, sizeof *stamp);
  copy->sha256 = g_strdup (stamp->sha256);
  return copy;
}

void
kt_file_stamp_free (KtFileStamp *stamp)
{
  if (stamp == NULL)
    return;
  g_free (stamp->sha256);
  g_free (stamp);
}

/* Locks ------------------------------------------------------------------ */

/* The locks this process holds, so that its own reads and writes of a file
 * it holds do not wait for themselves (flock locks belong to the open file,
 * not to the process) */
struct _KtFileLock
{
  int   fd;       /* -1: nothing to hold (no such file, not a regular file, or nested) */
  dev_t dev;
  ino_t ino;
};

static GMutex registry_mutex;
static GSList *registry;

static gboolean
registry_holds (dev_t dev,
                ino_t ino)
{
  gboolean ret = FALSE;

  g_mutex_lock (&registry_mutex);
  for (GSList *l = registry; l && !ret; l = l->next)
    {
      KtFileLock *lock = l->data;

      ret = lock->dev == dev && lock->ino == ino;
    }
  g_mutex_unlock (&registry_mutex);
  return ret;
}

static int
flock_retry (int fd,
             int operation)
{
  int rc;

  do
    rc = flock (fd, operation);
  while (rc < 0 && errno == EINTR);
  return rc;
}

/* Opens @path and locks it; when the file was replaced while we waited,
 * locks the new one.  Returns the fd (-1 with errno ENOENT when there is no
 * file) and its stat; *held is set when this process holds it already. */
static int
open_locked (const char  *path,
             int          operation,
             struct stat *st,
             gboolean    *held,
             GError     **error)
{
  *held = FALSE;
  for (;;)
    {
      struct stat now;
      int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

      if (fd < 0)
        {
          int saved = errno;

          if (saved != ENOENT)
            set_errno_error (error, saved, _("Cannot open “%s”"), path);
          errno = saved;
          return -1;
        }
      if (fstat (fd, st) < 0)
        {
          int saved = errno;

          close (fd);
          set_errno_error (error, saved, _("Cannot read “%s”"), path);
          errno = saved;
          return -1;
        }
      if (!S_ISREG (st->st_mode) || registry_holds (st->st_dev, st->st_ino))
        {
          *held = S_ISREG (st->st_mode);
          return fd;
        }
      if (flock_retry (fd, operation) < 0)
        {
          int saved = errno;

          /* Some file systems cannot lock: go on without */
          if (saved == ENOLCK || saved == EOPNOTSUPP)
            return fd;
          close (fd);
          set_errno_error (error, saved, _("Cannot lock “%s”"), path);
          errno = saved;
          return -1;
        }
      if (stat (path, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino)
        {
          if (fstat (fd, st) < 0)
            memset (st, 0, sizeof *st);
          return fd;
        }
      close (fd);   /* replaced while we waited: lock the new file */
    }
}

/**
 * kt_file_lock:
 *
 * Locks @path (flock, exclusive) until kt_file_unlock(), waiting for other
 * holders.  kt_file_read() and kt_file_write() of the same file in this
 * process do not wait for it; those of other processes do.  A file that
 * does not exist yet, or is not a regular file, is not locked.
 *
 * Returns: (transfer full): the lock, or %NULL with @error set
 */
KtFileLock *
kt_file_lock (const char  *path,
              GError     **error)
{
  KtFileLock *lock = g_new0 (KtFileLock, 1);
  struct stat st;
  gboolean held;

  g_return_val_if_fail (path != NULL, NULL);

  lock->fd = open_locked (path, LOCK_EX, &st, &held, error);
  if (lock->fd < 0)
    {
      if (errno == ENOENT)
        return lock;
      g_free (lock);
      return NULL;
    }
  if (held || !S_ISREG (st.st_mode))
    {
      close (lock->fd);
      lock->fd = -1;
      return lock;
    }
  lock->dev = st.st_dev;
  lock->ino = st.st_ino;
  g_mutex_lock (&registry_mutex);
  registry = g_slist_prepend (registry, lock);
  g_mutex_unlock (&registry_mutex);
  return lock;
}

void
kt_file_unlock (KtFileLock *lock)
{
  if (lock == NULL)
    return;
  if (lock->fd >= 0)
    {
      g_mutex_lock (&registry_mutex);
      registry = g_slist_remove (registry, lock);
      g_mutex_unlock (&registry_mutex);
      close (lock->fd);
    }
  g_free (lock);
}

/* Reading ---------------------------------------------------------------- */

static gboolean
read_bounded (int          fd,
              const char  *path,
              gsize        hint,
              gsize        max_size,
              GByteArray  *buf,
              GError     **error)
{
  gsize chunk = CLAMP (hint + 1, 4096, 1024 * 1024);

  for (;;)
    {
      gssize n;

      if (buf->len > max_size)
        return set_too_large (error, path, 0, max_size);
      g_byte_array_set_size (buf, buf->len + chunk);
      do
        n = read (fd, buf->data + buf->len - chunk, chunk);
      while (n < 0 && errno == EINTR);
      if (n < 0)
        {
          int saved = errno;

          g_byte_array_set_size (buf, buf->len - chunk);
          return set_errno_error (error, saved, _("Cannot read “%s”"), path);
        }
      g_byte_array_set_size (buf, buf->len - chunk + n);
      if (n == 0)
        return TRUE;
      chunk = MIN (chunk * 2, 4 * 1024 * 1024);
    }
}

/**
 * kt_file_read:
 * @max_size: the largest size accepted, e.g. %KT_FILE_MAX_SIZE
 * @contents: (out): the bytes, NUL-terminated
 * @length: (out) (optional): their number
 * @stamp: (out) (optional): what the file held, for kt_file_write()
 *
 * Reads a whole file, refusing directories and anything larger than
 * @max_size: a regular file by its size before reading, a device or FIFO
 * when it has given more than @max_size bytes.  A regular file is share-
 * locked while read.
 */
gboolean
kt_file_read (const char   *path,
              gsize         max_size,
              char        **contents,
              gsize        *length,
              KtFileStamp **stamp,
              GError      **error)
{
  g_autoptr(GByteArray) buf = NULL;
  struct stat st;
  gboolean held;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  /* Not O_NONBLOCK here: a FIFO is read once its writer is there */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return set_errno_error (error, errno, _("Cannot open “%s”"), path);
  if (fstat (fd, &st) < 0)
    {
      int saved = errno;

      close (fd);
      return set_errno_error (error, saved, _("Cannot read “%s”"), path);
    }
  if (S_ISDIR (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, _("“%s” is a directory"), path);
      return FALSE;
    }
  if (S_ISREG (st.st_mode))
    {
      if ((guint64) st.st_size > max_size)
        {
          close (fd);
          return set_too_large (error, path, st.st_size, max_size);
        }
      held = registry_holds (st.st_dev, st.st_ino);
      if (!held && flock_retry (fd, LOCK_SH) < 0 && errno != ENOLCK && errno != EOPNOTSUPP)
        {
          int saved = errno;

          close (fd);
          return set_errno_error (error, saved, _("Cannot lock “%s”"), path);
        }
    }

  buf = g_byte_array_sized_new (S_ISREG (st.st_mode) ? (guint) st.st_size + 2 : 64 * 1024);
  if (!read_bounded (fd, path, S_ISREG (st.st_mode) ? (gsize) st.st_size : 0, max_size,
                     buf, error))
    {
      close (fd);
      return FALSE;
    }
  if (buf->len > max_size)
    {
      close (fd);
      return set_too_large (error, path, S_ISREG (st.st_mode) ? buf->len : 0, max_size);
    }
  if (fstat (fd, &st) < 0)
    memset (&st, 0, sizeof st);
  close (fd);

  if (stamp != NULL)
    *stamp = stamp_new (&st, buf->data, buf->len);
  if (length != NULL)
    *length = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  *contents = (char *) g_byte_array_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

/* Temporaries and signals ------------------------------------------------ */

#define MAX_TEMPS 16

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

static GMutex temps_mutex;
static char temp_paths[MAX_TEMPS][PATH_MAX];
static volatile sig_atomic_t temp_used[MAX_TEMPS];
static struct sigaction old_actions[G_N_ELEMENTS (cleanup_signals)];
static gboolean installed[G_N_ELEMENTS (cleanup_signals)];
static guint n_in_flight;

/* Async-signal-safe: unlinks our temporaries when the signal would end the
 * process; a handler of the program's own runs instead when it had one */
static void
on_signal (int        sig,
           siginfo_t *info,
           void      *ucontext)
{
  int saved = errno;

  for (guint s = 0; s < G_N_ELEMENTS (cleanup_signals); s++)
    {
      struct sigaction *old = &old_actions[s];

      if (cleanup_signals[s] != sig || old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN)
        continue;
      /* The program handles it: it goes on, and so does the write */
      if (old->sa_flags & SA_SIGINFO)
        old->sa_sigaction (sig, info, ucontext);
      else
        old->sa_handler (sig);
      errno = saved;
      return;
    }
  for (guint i = 0; i < MAX_TEMPS; i++)
    if (temp_used[i])
      unlink (temp_paths[i]);
  signal (sig, SIG_DFL);
  raise (sig);
  errno = saved;
}

static int
temp_register (const char *path)
{
  int slot = -1;

  if (strlen (path) >= PATH_MAX)
    return -1;
  g_mutex_lock (&temps_mutex);
  for (int i = 0; i < MAX_TEMPS && slot < 0; i++)
    if (!temp_used[i])
      slot = i;
  if (slot >= 0)
    {
      strcpy (temp_paths[slot], path);
      __atomic_store_n (&temp_used[slot], 1, __ATOMIC_SEQ_CST);
      if (n_in_flight++ == 0)
        for (guint s = 0; s < G_N_ELEMENTS (cleanup_signals); s++)
          {
            struct sigaction sa = { 0, };

            installed[s] = FALSE;
            if (sigaction (cleanup_signals[s], NULL, &old_actions[s]) < 0
                || old_actions[s].sa_handler == SIG_IGN)
              continue;   /* ignored: the process lives on */
            sa.sa_sigaction = on_signal;
            sa.sa_flags = SA_SIGINFO | SA_RESTART;
            sigemptyset (&sa.sa_mask);
            installed[s] = sigaction (cleanup_signals[s], &sa, NULL) == 0;
          }
    }
  g_mutex_unlock (&temps_mutex);
  return slot;
}

static void
temp_unregister (int slot)
{
  if (slot < 0)
    return;
  g_mutex_lock (&temps_mutex);
  __atomic_store_n (&temp_used[slot], 0, __ATOMIC_SEQ_CST);
  if (--n_in_flight == 0)
    for (guint s = 0; s < G_N_ELEMENTS (cleanup_signals); s++)
      if (installed[s])
        {
          sigaction (cleanup_signals[s], &old_actions[s], NULL);
          installed[s] = FALSE;
        }
  g_mutex_unlock (&temps_mutex);
}

/* Removes ".BASE.kvmtune-PID-XXXXXX" files left by writers that are gone:
 * their process no longer exists, or (a reused pid) nobody holds the
 * temporary's lock and it is old */
static void
remove_stale_temps (const char *dir,
                    const char *base)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strconcat (".", base, TEMP_TAG, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      const char *p;
      char *end;
      struct stat st;
      long pid;
      gboolean stale;

      if (!g_str_has_prefix (name, prefix))
        continue;
      p = name + strlen (prefix);
      pid = strtol (p, &end, 10);
      if (end == p || *end != '-' || strlen (end + 1) != 6 || pid <= 0 || pid == getpid ())
        continue;
      path = g_build_filename (dir, name, NULL);
      if (lstat (path, &st) < 0 || !S_ISREG (st.st_mode))
        continue;
      stale = kill ((pid_t) pid, 0) < 0 && errno == ESRCH;
      if (!stale && time (NULL) - st.st_mtime > STALE_UNLOCKED_AGE_S)
        {
          int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

          if (fd >= 0)
            {
              stale = flock (fd, LOCK_EX | LOCK_NB) == 0;
              close (fd);
            }
        }
      if (stale)
        {
          g_debug ("Removing the stale temporary %s", path);
          g_unlink (path);
        }
    }
}

/* Writing ---------------------------------------------------------------- */

static gboolean
write_all (int          fd,
           const char  *path,
           const void  *data,
           gsize        length,
           GError     **error)
{
  const char *p = data;

  while (length > 0)
    {
      gssize n = write (fd, p, MIN (length, (gsize) G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return set_errno_error (error, n < 0 ? errno : ENOSPC, _("Cannot write “%s”"), path);
      p += n;
      length -= n;
    }
  return TRUE;
}

/* Follows symbolic links to the file they name (which may not exist yet) */
static char *
resolve_links (const char  *path,
               GError     **error)
{
  g_autofree char *cur = g_strdup (path);

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *target = NULL;
      struct stat st;

      if (lstat (cur, &st) < 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&cur);
      target = g_file_read_link (cur, error);
      if (target == NULL)
        return NULL;
      if (!g_path_is_absolute (target))
        {
          g_autofree char *dir = g_path_get_dirname (cur);

          g_free (cur);
          cur = g_build_filename (dir, target, NULL);
        }
      else
        {
          g_free (cur);
          cur = g_steal_pointer (&target);
        }
    }
  set_errno_error (error, ELOOP, _("Cannot write “%s”"), path);
  return NULL;
}

/* Devices, FIFOs, sockets: written where they are, never replaced */
static gboolean
write_in_place (const char  *path,
                const void  *data,
                gsize        length,
                GError     **error)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  gboolean ok;

  if (fd < 0)
    return set_errno_error (error, errno, _("Cannot open “%s”"), path);
  ok = write_all (fd, path, data, length, error);
  if (close (fd) < 0 && ok)
    ok = set_errno_error (error, errno, _("Cannot write “%s”"), path);
  return ok;
}

static gboolean
same_contents (int                 fd,
               const struct stat  *st,
               const KtFileStamp  *expected)
{
  g_autoptr(GChecksum) sum = NULL;
  guint64 left = st->st_size;
  char buf[64 * 1024];
  off_t offset = 0;

  if ((guint64) st->st_size != expected->size)
    return FALSE;
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  while (left > 0)
    {
      gssize n = pread (fd, buf, MIN (left, sizeof buf), offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      g_checksum_update (sum, (const guchar *) buf, n);
      offset += n;
      left -= n;
    }
  return g_str_equal (g_checksum_get_string (sum), expected->sha256);
}

static gboolean
copy_xattrs (int          from,
             int          to,
             const char  *path,
             GError     **error)
{
  g_autofree char *names = NULL;
  gssize size = flistxattr (from, NULL, 0);

  if (size < 0 && (errno == ENOTSUP || errno == ENOSYS))
    return TRUE;
  if (size < 0)
    return set_errno_error (error, errno, _("Cannot read the extended attributes of “%s”"), path);
  if (size == 0)
    return TRUE;
  names = g_malloc (size);
  size = flistxattr (from, names, size);
  if (size < 0)
    return set_errno_error (error, errno, _("Cannot read the extended attributes of “%s”"), path);

  for (const char *name = names; name < names + size; name += strlen (name) + 1)
    {
      g_autofree char *value = NULL;
      gssize vlen = fgetxattr (from, name, NULL, 0);

      if (vlen >= 0)
        {
          value = g_malloc (MAX (vlen, 1));
          vlen = fgetxattr (from, name, value, vlen);
        }
      if (vlen < 0 || fsetxattr (to, name, value, vlen, 0) < 0)
        {
          return set_errno_error (error, errno,
                                  _("Cannot keep the extended attribute “%s” of “%s”"),
                                  name, path);
        }
    }
  return TRUE;
}

/* The temporary takes the original's owner, group, mode and attributes */
static gboolean
copy_metadata (int                 from,
               const struct stat  *st,
               int                 to,
               const char         *path,
               GError            **error)
{
  struct stat now;

  if (fstat (to, &now) < 0)
    return set_errno_error (error, errno, _("Cannot write “%s”"), path);
  if ((now.st_uid != st->st_uid || now.st_gid != st->st_gid)
      && fchown (to, st->st_uid, st->st_gid) < 0)
    return set_errno_error (error, errno, _("Cannot keep the owner and group of “%s”"), path);
  if (fchmod (to, st->st_mode & 07777) < 0)
    return set_errno_error (error, errno, _("Cannot keep the mode of “%s”"), path);
  return copy_xattrs (from, to, path, error);
}

static void
stall_for_tests (void)
{
  const char *stall = g_getenv ("KVMTUNE_TEST_WRITE_STALL");

  if (stall != NULL)
    g_usleep (g_ascii_strtoull (stall, NULL, 10) * G_USEC_PER_SEC);
}

static gboolean
replace_regular (const char         *path,
                 const char         *real,
                 const void         *data,
                 gsize               length,
                 KtFileWriteFlags    flags,
                 const KtFileStamp  *expected,
                 KtFileStamp       **stamp,
                 GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (real);
  g_autofree char *base = g_path_get_basename (real);
  g_autofree char *tmpl = NULL;
  struct stat st, written;
  gboolean held = FALSE, exists, ok = FALSE;
  int orig = -1, fd = -1, slot = -1, dfd;

  remove_stale_temps (dir, base);

  /* Held (flock) from the check to the rename */
  orig = open_locked (real, LOCK_EX, &st, &held, error);
  if (orig < 0 && errno != ENOENT)
    return FALSE;
  exists = orig >= 0;
  if (exists && !S_ISREG (st.st_mode))
    {
      /* It became something else since we looked: write it in place */
      close (orig);
      return write_in_place (real, data, length, error);
    }
  if (expected != NULL && (!exists || !same_contents (orig, &st, expected)))
    {
      set_changed (error, path);
      goto out;
    }

  tmpl = g_strdup_printf ("%s/.%s%s%ld-XXXXXX", dir, base, TEMP_TAG, (long) getpid ());
  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC,
                       exists || (flags & KT_FILE_WRITE_PRIVATE) ? 0600 : 0666);
  if (fd < 0)
    {
      set_errno_error (error, errno, _("Cannot write a temporary file beside “%s”"), path);
      g_clear_pointer (&tmpl, g_free);
      goto out;
    }
  slot = temp_register (tmpl);
  flock (fd, LOCK_EX | LOCK_NB);   /* tells remove_stale_temps() we are alive */

  if (exists && !copy_metadata (orig, &st, fd, path, error))
    goto out;
  if (!write_all (fd, path, data, length, error))
    goto out;
  stall_for_tests ();
  if (fsync (fd) < 0)
    {
      set_errno_error (error, errno, _("Cannot write “%s”"), path);
      goto out;
    }
  if (fstat (fd, &written) < 0)
    memset (&written, 0, sizeof written);
  if (rename (tmpl, real) < 0)
    {
      set_errno_error (error, errno, _("Cannot replace “%s”"), path);
      goto out;
    }
  g_clear_pointer (&tmpl, g_free);

  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      fsync (dfd);
      close (dfd);
    }
  if (stamp != NULL)
    *stamp = stamp_new (&written, data, length);
  ok = TRUE;

out:
  if (tmpl != NULL)
    g_unlink (tmpl);
  temp_unregister (slot);
  if (fd >= 0)
    close (fd);
  if (orig >= 0)
    close (orig);
  return ok;
}

/**
 * kt_file_write:
 * @path: the file, or "-" for standard output
 * @expected: (nullable): what @path held when it was loaded; when set, the
 *   write is refused with %KT_ERROR_CONFLICT if it holds something else
 * @stamp: (out) (optional) (nullable): what @path holds now; %NULL for
 *   anything but a regular file
 *
 * Writes @data to @path as described in kt-file.h.
 */
gboolean
kt_file_write (const char         *path,
               const void         *data,
               gsize               length,
               KtFileWriteFlags    flags,
               const KtFileStamp  *expected,
               KtFileStamp       **stamp,
               GError            **error)
{
  g_autofree char *real = NULL;
  struct stat st;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (stamp != NULL)
    *stamp = NULL;
  if (g_str_equal (path, "-"))
    return write_all (STDOUT_FILENO, _("standard output"), data, length, error);

  real = resolve_links (path, error);
  if (real == NULL)
    return FALSE;
  if (stat (real, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                       _("“%s” is a directory; give a file name"), path);
          return FALSE;
        }
      if (!S_ISREG (st.st_mode))
        return write_in_place (real, data, length, error);
    }
  else if (errno != ENOENT)
    return set_errno_error (error, errno, _("Cannot write “%s”"), path);

  return replace_regular (path, real, data, length, flags, expected, stamp, error);
}
