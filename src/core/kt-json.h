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

G_END_DECLS
