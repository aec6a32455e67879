/* fuzz-snapshot.c: KvmTune snapshot documents, loaded, written, reloaded
 *
 * Whatever loads is written to XML that loads again, with the same host,
 * URI, hostname and VMs, and writes the same bytes again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"
#include "kt-snapshot.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) snapshot = NULL;
  g_autoptr(KtSnapshot) again = NULL;
  g_autofree char *written = NULL;
  g_autofree char *rewritten = NULL;
  const char *xml = size > 0 ? (const char *) data : "";
  GListModel *vms, *vms_again;

  fuzz_init ();

  snapshot = kt_snapshot_load_xml (xml, size, &error);
  if (snapshot == NULL)
    {
      FUZZ_CHECK (error != NULL && error->message[0] != '\0', "refused without a message");
      return 0;
    }

  written = kt_snapshot_to_xml (snapshot);
  FUZZ_CHECK (written != NULL, "no XML written");
  again = kt_snapshot_load_xml (written, -1, &error);
  FUZZ_CHECK (again != NULL, "written snapshot does not load: %s\n--- written:\n%s",
              error->message, written);
  rewritten = kt_snapshot_to_xml (again);
  FUZZ_CHECK (strcmp (written, rewritten) == 0,
              "reload writes other bytes\n--- first:\n%s\n--- again:\n%s", written, rewritten);

  FUZZ_CHECK (g_strcmp0 (kt_snapshot_get_uri (snapshot), kt_snapshot_get_uri (again)) == 0, "URI");
  FUZZ_CHECK (g_strcmp0 (kt_snapshot_get_hostname (snapshot), kt_snapshot_get_hostname (again)) == 0,
              "hostname");
  FUZZ_CHECK (g_strcmp0 (kt_snapshot_get_caps_xml (snapshot), kt_snapshot_get_caps_xml (again)) == 0,
              "capabilities XML");
  FUZZ_CHECK (g_strcmp0 (kt_snapshot_get_domcaps_xml (snapshot),
                         kt_snapshot_get_domcaps_xml (again)) == 0, "domain capabilities XML");
  FUZZ_CHECK (kt_host_get_n_cpus (kt_snapshot_get_host (snapshot))
              == kt_host_get_n_cpus (kt_snapshot_get_host (again)), "host CPUs");

  vms = kt_snapshot_get_vms (snapshot);
  vms_again = kt_snapshot_get_vms (again);
  FUZZ_CHECK (g_list_model_get_n_items (vms) == g_list_model_get_n_items (vms_again),
              "%u VMs, %u after reload", g_list_model_get_n_items (vms),
              g_list_model_get_n_items (vms_again));
  for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
    {
      g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);
      const char *name = kt_vm_get_name (vm);

      FUZZ_CHECK (kt_snapshot_lookup_vm (again, name) != NULL, "VM \"%s\" lost", name);
    }
  return 0;
}
