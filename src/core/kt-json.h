/* kt-json.h: JSON views of hosts and VMs, for kvmtune-cli --json
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kt-snapshot.h"

G_BEGIN_DECLS

JsonNode *kt_json_topology (KtHost      *host);
JsonNode *kt_json_domains  (KtSnapshot  *snapshot);
JsonNode *kt_json_show     (KtVm        *vm);
JsonNode *kt_json_show_in  (KtSnapshot  *snapshot,
                            KtVm        *vm);
char     *kt_json_to_string (JsonNode   *node);

/* Members: a cpuset as libvirt writes it, a string, or a count where -1
 * means not set; NULL (or -1) gives JSON null */
void      kt_json_add_cpuset  (JsonBuilder    *b,
                               const char     *member,
                               const KtCpuset *set);
void      kt_json_add_string  (JsonBuilder    *b,
                               const char     *member,
                               const char     *value);
void      kt_json_add_opt_int (JsonBuilder    *b,
                               const char     *member,
                               gint64          value);

G_END_DECLS
