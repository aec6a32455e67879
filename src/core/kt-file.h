/* kt-file.h: reading and writing KvmTune's files safely
 *
 * Every file KvmTune reads goes through kt_file_read(): stat first, then a
 * bounded read that stops at the limit, devices and FIFOs included.
 *
 * Every file it writes goes through kt_file_write():
 *  - "-" is standard output; devices and FIFOs are written in place,
 *    never replaced; directories are refused;
 *  - a symbolic link is followed and its target replaced, the link kept;
 *  - a regular file is replaced atomically through a temporary
 *    ".NAME.kvmtune-PID-XXXXXX" beside it that takes the original's mode,
 *    owner, group and extended attributes (ACLs included); the directory is
 *    synced after the rename.  The temporary goes away when the write
 *    fails or the process gets SIGINT, SIGTERM or SIGHUP, and stale ones
 *    whose writer is gone are removed by the next write;
 *  - with an expected #KtFileStamp, the file is locked (flock) and checked
 *    to be still what was loaded before it is replaced.
 *
 * kt_file_lock() holds a file across a read, a check and a write, so that
 * parallel read-modify-write runs queue instead of losing updates.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The largest file KvmTune reads, like the XML parser's limit */
#define KT_FILE_MAX_SIZE ((gsize) 256 * 1024 * 1024)

/* What a file held when it was read or written */
typedef struct
{
  dev_t    dev;
  ino_t    ino;
  guint64  size;
  gint64   mtime_ns;
  char    *sha256;
} KtFileStamp;

typedef enum
{
  KT_FILE_WRITE_NONE    = 0,
  /* A new file is created 0600: it may hold secrets (domain XML) */
  KT_FILE_WRITE_PRIVATE = 1 << 0,
} KtFileWriteFlags;

typedef struct _KtFileLock KtFileLock;

gboolean     kt_file_read        (const char          *path,
                                  gsize                max_size,
                                  char               **contents,
                                  gsize               *length,
                                  KtFileStamp        **stamp,
                                  GError             **error);
gboolean     kt_file_write       (const char          *path,
                                  const void          *data,
                                  gsize                length,
                                  KtFileWriteFlags     flags,
                                  const KtFileStamp   *expected,
                                  KtFileStamp        **stamp,
                                  GError             **error);

KtFileLock  *kt_file_lock        (const char          *path,
                                  GError             **error);
void         kt_file_unlock      (KtFileLock          *lock);

KtFileStamp *kt_file_stamp_copy  (const KtFileStamp   *stamp);
void         kt_file_stamp_free  (KtFileStamp         *stamp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtFileStamp, kt_file_stamp_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtFileLock, kt_file_unlock)

G_END_DECLS
