/* kt-source.h: where a snapshot comes from: libvirt, a snapshot file, or
 * capabilities plus domain XML files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-connection.h"

G_BEGIN_DECLS

typedef struct
{
  char   *connect;    /* libvirt URI */
  char   *snapshot;   /* snapshot file */
  char   *caps;       /* capabilities XML file */
  char  **domains;    /* domain XML files, with caps */
  gboolean read_only;
} KtSourceSpec;

typedef enum
{
  KT_SOURCE_LOAD_DEFAULT    = 0,
  /* A domain file (with caps) that cannot be read, or repeats a VM's
   * name, is left out and reported instead of failing the load */
  KT_SOURCE_LOAD_KEEP_GOING = 1 << 0,
} KtSourceLoadFlags;

/* A domain file left out by a KT_SOURCE_LOAD_KEEP_GOING load */
typedef struct
{
  char   *path;       /* as given */
  GError *error;      /* what is wrong; the message does not repeat the path */
} KtSourceFileError;

void        kt_source_file_error_free (KtSourceFileError *file_error);

gboolean    kt_source_spec_check (const KtSourceSpec  *spec,
                                  GError             **error);
gboolean    kt_source_spec_is_empty (const KtSourceSpec *spec);
void        kt_source_spec_clear (KtSourceSpec        *spec);
KtSnapshot *kt_source_load       (const KtSourceSpec  *spec,
                                  KtConnection       **connection,
                                  GError             **error);
KtSnapshot *kt_source_load_full  (const KtSourceSpec  *spec,
                                  KtSourceLoadFlags    flags,
                                  KtConnection       **connection,
                                  GPtrArray          **file_errors,
                                  GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtSourceFileError, kt_source_file_error_free)

G_END_DECLS
