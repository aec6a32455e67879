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

gboolean    kt_source_spec_check (const KtSourceSpec  *spec,
                                  GError             **error);
gboolean    kt_source_spec_is_empty (const KtSourceSpec *spec);
void        kt_source_spec_clear (KtSourceSpec        *spec);
KtSnapshot *kt_source_load       (const KtSourceSpec  *spec,
                                  KtConnection       **connection,
                                  GError             **error);

G_END_DECLS
