/* test-advisor.c: the advisor's rules, their fixes, and kvmtune-cli advise
 *
 * Every rule has a snapshot that triggers it and one that is clean for
 * it, built from the demo host's capabilities and small domain XML.
 * Applying a finding's automatic fix (through a plan and the snapshot's
 * host tuning, as the window and the CLI do) must make the finding go
 * and bring no new error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libxml/parser.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "kt-advisor.h"
#include "kt-error.h"
#include "kt-json.h"
#include "kt-pci.h"
#include "kt-test-util.h"

/* Building snapshots ------------------------------------------------------ */

typedef struct
{
  const char *tuned;     /* active profile */
  int         ksm_run;
  int         ksm_merge;
  const char *thp;
  int         numa_balancing;
} HostValues;

static const HostValues neutral = { "virtual-host", 0, 1, "madvise", 0 };

static KtHostTuning *
host_tuning (const HostValues *hv)
{
  g_autofree char *xml = g_strdup_printf (
    "<host-tuning>"
    "<tuned state='running' active='%s'><profile name='virtual-host'/>"
    "<profile name='balanced'/></tuned>"
    "<ksm run='%d' merge_across_nodes='%d'/>"
    "<thp enabled='%s' defrag='madvise'/>"
    "<numa-balancing value='%d'/>"
    "<hugepages default_size_kib='2048'>"
    "<pool node='0' size_kib='2048' total='2048' free='2048'/>"
    "<pool node='0' size_kib='1048576' total='4' free='4'/>"
    "<pool node='1' size_kib='2048' total='1024' free='1024'/>"
    "<pool node='1' size_kib='1048576' total='20' free='20'/>"
    "<pool node='2' size_kib='2048' total='0' free='0'/>"
    "<pool node='2' size_kib='1048576' total='0' free='0'/>"
    "<pool node='3' size_kib='2048' total='512' free='512'/>"
    "<pool node='3' size_kib='1048576' total='2' free='2'/>"
    "</hugepages></host-tuning>",
    hv->tuned, hv->ksm_run, hv->ksm_merge, hv->thp, hv->numa_balancing);
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "host-tuning.xml", NULL, XML_PARSE_NONET);
  g_autoptr(GError) error = NULL;
  KtHostTuning *ht;

  g_assert_nonnull (doc);
  ht = kt_host_tuning_new_from_node (xmlDocGetRootElement (doc), &error);
  g_assert_no_error (error);
  xmlFreeDoc (doc);
  return ht;
}

/* A domain: @body goes after <memory> */
static char *
dom (const char *name,
     guint64     mem_kib,
     const char *body)
{
  return g_strdup_printf ("<domain type='kvm'><name>%s</name>"
                          "<memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>%s"
                          "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
                          "</domain>", name, mem_kib, body);
}

/* build (hv, "running", xml, "shutoff", xml, ..., NULL); takes the XML;
 * @hv NULL: no host tuning captured */
static KtSnapshot *
build (const HostValues *hv,
       ...)
{
  g_autoptr(KtSnapshot) demo = kt_test_load_demo ();
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_new (kt_snapshot_get_caps_xml (demo),
                                   kt_snapshot_get_domcaps_xml (demo), &error);
  const char *state;
  va_list ap;
  int id = 1;

  g_assert_no_error (error);
  va_start (ap, hv);
  while ((state = va_arg (ap, const char *)) != NULL)
    {
      g_autofree char *xml = va_arg (ap, char *);
      g_autoptr(KtDomain) inactive = kt_domain_new_from_xml (xml, -1, &error);
      g_autoptr(KtDomain) live = NULL;
      g_autoptr(KtVm) vm = NULL;
      gboolean running = g_str_equal (state, "running");

      g_assert_no_error (error);
      if (running)
        live = kt_domain_copy (inactive);
      vm = kt_vm_new (kt_domain_get_name (inactive),
                      running ? KT_VM_STATE_RUNNING : KT_VM_STATE_SHUTOFF,
                      running ? id++ : -1, TRUE, live, inactive);
      kt_snapshot_add_vm (s, vm, &error);
      g_assert_no_error (error);
    }
  va_end (ap);
  if (hv != NULL)
    kt_snapshot_set_host_tuning (s, host_tuning (hv));
  return s;
}

/* Checking ------------------------------------------------------------------ */

static GPtrArray *
advise (KtSnapshot     *s,
        const KtCpuset *reserved)
{
  KtAdvisorOptions o = { reserved, NULL };

  return kt_advisor_run (s, &o);
}

static gboolean
has_rule (GPtrArray  *findings,
          const char *rule)
{
  for (guint i = 0; i < findings->len; i++)
    if (g_str_equal (((KtFinding *) g_ptr_array_index (findings, i))->rule, rule))
      return TRUE;
  return FALSE;
}

static void
dump (GPtrArray *findings)
{
  for (guint i = 0; i < findings->len; i++)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);

      g_test_message ("  %s %s %s: %s", kt_severity_to_string (f->severity), f->rule,
                      f->vm ? f->vm : "(host)", f->title);
    }
}

/* Applies @rule's fix for @vm; the finding goes, no new error comes */
static void
check_fix (KtSnapshot     *s,
           const char     *rule,
           const char     *vm,
           const KtCpuset *reserved,
           gboolean        automatic)
{
  g_autoptr(GPtrArray) before = advise (s, reserved);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(KtPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const KtFinding *f = kt_advisor_lookup (before, rule, vm);

  g_assert_nonnull (f);
  g_assert_nonnull (f->fix);
  g_assert_nonnull (f->fix->summary);
  g_assert_cmpint (kt_fix_is_automatic (f->fix), ==, automatic);
  if (!automatic)
    return;
  plan = kt_plan_new (s);
  if (!kt_advisor_fix_apply_to_plan (f, plan, kt_snapshot_get_host_tuning (s), &error))
    g_error ("%s/%s: %s", rule, vm, error->message);
  after = advise (s, reserved);
  if (kt_advisor_lookup (after, rule, vm) != NULL)
    {
      dump (after);
      g_error ("%s for %s is still there after its fix", rule, vm ? vm : "the host");
    }
  for (guint i = 0; i < after->len; i++)
    {
      const KtFinding *a = g_ptr_array_index (after, i);

      if (a->severity == KT_SEVERITY_ERROR && kt_advisor_lookup (before, a->rule, a->vm) == NULL)
        g_error ("the fix of %s brought a new error: %s for %s", rule, a->rule, a->vm);
    }
}

typedef struct
{
  const char  *rule;
  const char  *vm;          /* the finding's VM; NULL: the host */
  KtSnapshot *(*make) (gboolean trigger);
  gboolean     automatic;
  const char  *reserved;
} Case;

/* The fixtures ------------------------------------------------------------------ */

#define VCPUS(n) "<vcpu placement='static'>" #n "</vcpu>"

static KtSnapshot *
c_vcpus_exceed (gboolean trigger)
{
  return build (&neutral, "shutoff",
                dom ("big", 1048576, trigger ? VCPUS (80) : VCPUS (4)), NULL);
}

static KtSnapshot *
c_dedicated_shared (gboolean trigger)
{
  return build (&neutral,
                "running", dom ("owner", 1048576, VCPUS (1)
                                "<cputune><vcpupin vcpu='0' cpuset='2'/></cputune>"
                                "<numatune><memory mode='strict' nodeset='0'/></numatune>"),
                "running", dom ("other", 1048576, trigger
                                ? VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='2-3'/></cputune>"
                                  "<numatune><memory mode='strict' nodeset='0'/></numatune>"
                                : VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='3-4'/></cputune>"
                                  "<numatune><memory mode='strict' nodeset='0'/></numatune>"),
                NULL);
}

/* Both 1:1 on the same pCPU: the later VM moves to a free one */
static KtSnapshot *
c_dedicated_both (gboolean trigger)
{
  return build (&neutral,
                "running", dom ("owner", 1048576, VCPUS (1)
                                "<cputune><vcpupin vcpu='0' cpuset='2'/></cputune>"
                                "<numatune><memory mode='strict' nodeset='0'/></numatune>"),
                "running", dom ("other", 1048576, trigger
                                ? VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='2'/></cputune>"
                                  "<numatune><memory mode='strict' nodeset='0'/></numatune>"
                                : VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='5'/></cputune>"
                                  "<numatune><memory mode='strict' nodeset='0'/></numatune>"),
                NULL);
}

/* A floating VM over a dedicated pCPU */
static KtSnapshot *
c_dedicated_floating (gboolean trigger)
{
  return build (&neutral,
                "running", dom ("owner", 1048576, VCPUS (1)
                                "<cputune><vcpupin vcpu='0' cpuset='2'/></cputune>"
                                "<numatune><memory mode='strict' nodeset='0'/></numatune>"),
                "running", dom ("other", 1048576, trigger
                                ? "<vcpu placement='static' cpuset='0-7'>2</vcpu>"
                                : "<vcpu placement='static' cpuset='3-7'>2</vcpu>"),
                NULL);
}

static KtSnapshot *
c_housekeeping (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='1'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='0'/></numatune>"
                     : VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='4'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='0'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_pin_numatune (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (2) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<vcpupin vcpu='1' cpuset='9'/></cputune>"
                     : VCPUS (2) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<vcpupin vcpu='1' cpuset='9'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

/* vCPUs on node 2, memory on node 3 */
static KtSnapshot *
c_pin_numatune_disagree (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='16'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='3'/></numatune>"
                     : VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='16'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='2'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_placement_memory_auto (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='8'/></cputune>"
                       "<numatune><memory mode='strict' placement='auto'/></numatune>"
                     : VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='8'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_placement_vcpu_auto (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? "<vcpu placement='auto'>2</vcpu>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"
                     : "<vcpu placement='auto'>2</vcpu>"
                       "<numatune><memory mode='strict' placement='auto'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_node_span (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (2) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<vcpupin vcpu='1' cpuset='16'/><emulatorpin cpuset='12'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"
                     : VCPUS (2) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<vcpupin vcpu='1' cpuset='9'/><emulatorpin cpuset='12'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_strict_oom (gboolean trigger)
{
  KtSnapshot *s = build (&neutral, "shutoff",
                         dom ("vm", 8388608, VCPUS (1)
                              "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                         NULL);

  kt_host_set_free_memory (kt_snapshot_get_host (s), 1, trigger ? 1048576 : 16777216);
  return s;
}

#define HUGE_1G "<memoryBacking><hugepages><page size='1048576' unit='KiB'/></hugepages>" \
                "</memoryBacking>"

static KtSnapshot *
c_hugepage_multiple (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", trigger ? 1572864 : 2097152, HUGE_1G VCPUS (1)), NULL);
}

static KtSnapshot *
c_hugepage_multiple_manual (gboolean trigger)
{
  /* 1 GiB + 4 KiB: no page size of the host divides it */
  return build (&neutral, "running",
                dom ("vm", trigger ? 1048580 : 1048576, HUGE_1G VCPUS (1)), NULL);
}

static KtSnapshot *
c_hugepage_pool (gboolean trigger)
{
  return build (&neutral, "shutoff",
                dom ("vm", trigger ? 8388608 : 4194304, HUGE_1G VCPUS (1)
                     "<numatune><memory mode='strict' nodeset='0'/></numatune>"), NULL);
}

static KtSnapshot *
c_overcommit (gboolean trigger)
{
  return build (&neutral,
                "running", dom ("dedicated", 4194304, HUGE_1G VCPUS (1)
                                "<cputune><vcpupin vcpu='0' cpuset='24'/>"
                                "<emulatorpin cpuset='25'/></cputune>"
                                "<numatune><memory mode='strict' nodeset='3'/></numatune>"),
                "running", dom ("big1", 41943040, VCPUS (2)
                                "<numatune><memory mode='strict' nodeset='3'/></numatune>"),
                "running", dom ("big2", 41943040, trigger
                                ? VCPUS (2) "<numatune><memory mode='strict' nodeset='3'/></numatune>"
                                : VCPUS (2) "<numatune><memory mode='strict' nodeset='2'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_locked (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? "<memoryBacking><locked/></memoryBacking>" VCPUS (1)
                     : "<memtune><hard_limit unit='KiB'>2097152</hard_limit></memtune>"
                       "<memoryBacking><locked/></memoryBacking>" VCPUS (1)),
                NULL);
}

#define CELLS "<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/>" \
              "<cell id='1' cpus='1' memory='1048576' unit='KiB'/></numa></cpu>"
#define TWO_NODES "<cputune><vcpupin vcpu='0' cpuset='8'/><vcpupin vcpu='1' cpuset='16'/>" \
                  "</cputune>"

static KtSnapshot *
c_guest_numa_unmapped (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 2097152, trigger
                     ? VCPUS (2) TWO_NODES
                       "<numatune><memory mode='strict' nodeset='1-2'/></numatune>" CELLS
                     : VCPUS (2) TWO_NODES
                       "<numatune><memory mode='strict' nodeset='1-2'/>"
                       "<memnode cellid='0' mode='strict' nodeset='1'/>"
                       "<memnode cellid='1' mode='strict' nodeset='2'/></numatune>" CELLS),
                NULL);
}

static KtSnapshot *
c_guest_numa_sum (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", trigger ? 4194304 : 2097152, VCPUS (2) TWO_NODES
                     "<numatune><memory mode='strict' nodeset='1-2'/>"
                     "<memnode cellid='0' mode='strict' nodeset='1'/>"
                     "<memnode cellid='1' mode='strict' nodeset='2'/></numatune>" CELLS),
                NULL);
}

static KtSnapshot *
c_emulator (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (2) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<vcpupin vcpu='1' cpuset='9'/><emulatorpin cpuset='8'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"
                     : VCPUS (2) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<vcpupin vcpu='1' cpuset='9'/><emulatorpin cpuset='10'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_emulator_node (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<emulatorpin cpuset='20'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"
                     : VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<emulatorpin cpuset='12'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_iothreads (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger
                     ? VCPUS (1) "<iothreads>1</iothreads><cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<emulatorpin cpuset='10'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"
                     : VCPUS (1) "<iothreads>1</iothreads><cputune><vcpupin vcpu='0' cpuset='8'/>"
                       "<emulatorpin cpuset='10'/><iothreadpin iothread='1' cpuset='10'/>"
                       "</cputune><numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

#define PIN2(a, b) "<cputune><vcpupin vcpu='0' cpuset='" #a "'/><vcpupin vcpu='1' cpuset='" #b \
                   "'/><emulatorpin cpuset='12'/></cputune>" \
                   "<numatune><memory mode='strict' nodeset='1'/></numatune>"
#define SMT2 "<cpu><topology sockets='1' dies='1' cores='1' threads='2'/></cpu>"

static KtSnapshot *
c_smt_split (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger ? VCPUS (2) PIN2 (8, 9) SMT2
                                            : VCPUS (2) PIN2 (8, 40) SMT2), NULL);
}

/* Split, and the host cores' siblings taken: one thread per core instead */
static KtSnapshot *
c_smt_split_topology (gboolean trigger)
{
  return build (&neutral,
                "running", dom ("vm", 1048576, trigger ? VCPUS (2) PIN2 (8, 9) SMT2
                                                       : VCPUS (2) PIN2 (8, 40) SMT2),
                "running", dom ("other", 1048576, VCPUS (2)
                                "<cputune><vcpupin vcpu='0' cpuset='40-41'/>"
                                "<vcpupin vcpu='1' cpuset='40-41'/></cputune>"
                                "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_smt_siblings (gboolean trigger)
{
  return build (&neutral, "running",
                dom ("vm", 1048576, trigger ? VCPUS (2) PIN2 (8, 40) : VCPUS (2) PIN2 (8, 9)),
                NULL);
}

static KtSnapshot *
c_hotplug (gboolean trigger)
{
  return build (&neutral, "shutoff",
                dom ("vm", 1048576, trigger
                     ? "<vcpu placement='static' current='2'>4</vcpu>"
                       "<cputune><vcpupin vcpu='0' cpuset='8'/><vcpupin vcpu='1' cpuset='9'/>"
                       "<emulatorpin cpuset='12'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"
                     : "<vcpu placement='static' current='2'>4</vcpu>"
                       "<cputune><vcpupin vcpu='0' cpuset='8'/><vcpupin vcpu='1' cpuset='9'/>"
                       "<vcpupin vcpu='2' cpuset='10'/><vcpupin vcpu='3' cpuset='11'/>"
                       "<emulatorpin cpuset='12'/></cputune>"
                       "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                NULL);
}

static KtSnapshot *
c_nested (gboolean trigger)
{
  return build (&neutral, "shutoff",
                dom ("vm", 1048576, trigger
                     ? VCPUS (1) "<cpu mode='custom' match='exact'><model>EPYC-Milan</model>"
                       "<feature policy='require' name='svm'/></cpu>"
                     : VCPUS (1) "<cpu mode='custom' match='exact'><model>EPYC-Milan</model>"
                       "</cpu>"),
                NULL);
}

static KtSnapshot *
c_migration (gboolean trigger)
{
  return build (&neutral, "shutoff",
                dom ("vm", 1048576, trigger
                     ? VCPUS (1) "<cpu mode='host-passthrough'/>"
                     : VCPUS (1) "<cpu mode='custom' match='exact'><model>EPYC-Milan</model></cpu>"),
                NULL);
}

#define NODE1_VM dom ("vm", 1048576, VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='8'/>" \
                      "<emulatorpin cpuset='12'/></cputune>" \
                      "<numatune><memory mode='strict' nodeset='1'/></numatune>")

static KtSnapshot *
c_ksm (gboolean trigger)
{
  HostValues hv = neutral;

  hv.ksm_run = 1;
  hv.ksm_merge = trigger ? 1 : 0;
  return build (&hv, "running", NODE1_VM, NULL);
}

static KtSnapshot *
c_numa_balancing (gboolean trigger)
{
  HostValues hv = neutral;

  hv.numa_balancing = trigger ? 1 : 0;
  return build (&hv, "running", NODE1_VM, NULL);
}

static KtSnapshot *
c_thp (gboolean trigger)
{
  HostValues hv = neutral;

  hv.thp = trigger ? "always" : "madvise";
  return build (&hv, "running", dom ("vm", 2097152, HUGE_1G VCPUS (1)), NULL);
}

static KtSnapshot *
c_tuned (gboolean trigger)
{
  HostValues hv = neutral;

  hv.tuned = trigger ? "balanced" : "virtual-host";
  return build (&hv, "running", NODE1_VM, NULL);
}

#define NODEDEV(node) "<device><name>pci_0000_3b_00_0</name><capability type='pci'>" \
                      "<class>0x020000</class><domain>0</domain><bus>59</bus><slot>0</slot>" \
                      "<function>0</function><product id='0x1572'/><vendor id='0x8086'/>" \
                      "<numa node='" #node "'/></capability></device>"
#define HOSTDEV "<devices><hostdev mode='subsystem' type='pci' managed='yes'><source>" \
                "<address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/></source>" \
                "</hostdev></devices>"

static KtSnapshot *
c_pci (gboolean trigger)
{
  KtSnapshot *s = build (&neutral, "running",
                         dom ("vm", 1048576, VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='8'/>"
                              "<emulatorpin cpuset='12'/></cputune>"
                              "<numatune><memory mode='strict' nodeset='1'/></numatune>" HOSTDEV),
                         NULL);
  g_autoptr(GError) error = NULL;

  kt_snapshot_add_node_device (s, trigger ? NODEDEV (2) : NODEDEV (1), &error);
  g_assert_no_error (error);
  return s;
}

static const Case cases[] = {
  { "vcpus-exceed-host", "big", c_vcpus_exceed, FALSE },
  { "dedicated-cpu-shared", "other", c_dedicated_shared, TRUE },
  { "dedicated-cpu-shared", "other", c_dedicated_both, TRUE },
  { "dedicated-cpu-shared", "other", c_dedicated_floating, TRUE },
  { "housekeeping-cpu-used", "vm", c_housekeeping, TRUE, "0-1" },
  { "pin-without-numatune", "vm", c_pin_numatune, TRUE },
  { "pin-without-numatune", "vm", c_pin_numatune_disagree, TRUE },
  { "nodeset-placement-mismatch", "vm", c_placement_memory_auto, TRUE },
  { "nodeset-placement-mismatch", "vm", c_placement_vcpu_auto, FALSE },
  { "needless-node-span", "vm", c_node_span, TRUE },
  { "strict-oom-risk", "vm", c_strict_oom, TRUE },
  { "hugepage-size-multiple", "vm", c_hugepage_multiple, TRUE },
  { "hugepage-size-multiple", "vm", c_hugepage_multiple_manual, FALSE },
  { "hugepage-pool-short", "vm", c_hugepage_pool, TRUE },
  { "dedicated-with-overcommit", "dedicated", c_overcommit, FALSE },
  { "locked-without-hard-limit", "vm", c_locked, TRUE },
  { "guest-numa-mismatch", "vm", c_guest_numa_unmapped, TRUE },
  { "guest-numa-mismatch", "vm", c_guest_numa_sum, FALSE },
  { "emulator-placement", "vm", c_emulator, TRUE },
  { "emulator-placement", "vm", c_emulator_node, TRUE },
  { "emulator-placement", "vm", c_emulator, TRUE, "10-11,42-43" },
  { "iothreads-floating", "vm", c_iothreads, TRUE },
  { "smt-mismatch", "vm", c_smt_split, TRUE },
  { "smt-mismatch", "vm", c_smt_split_topology, TRUE },
  { "smt-mismatch", "vm", c_smt_siblings, TRUE },
  { "hotplug-vcpus-unpinned", "vm", c_hotplug, TRUE },
  { "nested-needs-passthrough", "vm", c_nested, TRUE },
  { "host-cpu-blocks-migration", "vm", c_migration, FALSE },
  { "ksm-across-nodes", NULL, c_ksm, TRUE },
  { "numa-balancing-with-pinning", NULL, c_numa_balancing, TRUE },
  { "thp-with-static-hugepages", NULL, c_thp, TRUE },
  { "tuned-profile", NULL, c_tuned, TRUE },
  { "pci-device-remote-node", "vm", c_pci, FALSE },
};

static KtCpuset *
reserved_of (const Case *c)
{
  return c->reserved ? kt_test_parse_set (c->reserved) : NULL;
}

static void
test_case_trigger (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(KtSnapshot) s = c->make (TRUE);
  g_autoptr(KtCpuset) reserved = reserved_of (c);
  g_autoptr(GPtrArray) findings = advise (s, reserved);
  const KtFinding *f = kt_advisor_lookup (findings, c->rule, c->vm);

  /* With housekeeping CPUs on its node, the emulator goes there */
  if (f != NULL && reserved != NULL && g_str_equal (c->rule, "emulator-placement"))
    {
      const KtFixStep *step = g_ptr_array_index (f->fix->steps, 0);

      g_assert_cmpint (step->kind, ==, KT_FIX_EMULATORPIN);
      g_assert_true (kt_cpuset_is_subset (step->cpuset, reserved));
    }

  if (f == NULL)
    {
      dump (findings);
      g_error ("%s for %s not found", c->rule, c->vm ? c->vm : "the host");
    }
  /* Every finding says what, why and what it concerns */
  g_assert_true (kt_advisor_is_rule (f->rule));
  g_assert_nonnull (f->title);
  g_assert_null (strchr (f->title, '\n'));
  g_assert_cmpuint (strlen (f->explanation), >, 40);
  g_assert_true (f->vm != NULL || f->host_keys != NULL || f->nodes != NULL);
  check_fix (s, c->rule, c->vm, reserved, c->automatic);
}

static void
test_case_clean (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(KtSnapshot) s = c->make (FALSE);
  g_autoptr(KtCpuset) reserved = reserved_of (c);
  g_autoptr(GPtrArray) findings = advise (s, reserved);

  if (has_rule (findings, c->rule))
    {
      dump (findings);
      g_error ("%s found in its clean fixture", c->rule);
    }
}

/* Every rule has cases */
static void
test_all_rules_covered (void)
{
  const char * const *ids = kt_advisor_rule_ids ();

  for (guint i = 0; ids[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (cases) && !found; k++)
        found = g_str_equal (cases[k].rule, ids[i]);
      if (!found)
        g_error ("rule %s has no fixture", ids[i]);
    }
  g_assert_cmpuint (g_strv_length ((char **) ids), >=, 21);
}

/* Without host values: "unknown", never a guess */
static void
test_unknown_host_values (void)
{
  g_autoptr(KtSnapshot) s = build (NULL, "running",
                                   dom ("vm", 2097152, HUGE_1G VCPUS (1)
                                        "<cputune><vcpupin vcpu='0' cpuset='8'/></cputune>"
                                        "<numatune><memory mode='strict' nodeset='1'/></numatune>"),
                                   NULL);
  g_autoptr(GPtrArray) findings = advise (s, NULL);
  const char *rules[] = { "numa-balancing-with-pinning", "thp-with-static-hugepages",
                          "tuned-profile" };

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const KtFinding *f = kt_advisor_lookup (findings, rules[i], NULL);

      g_assert_nonnull (f);
      g_assert_cmpint (f->severity, ==, KT_SEVERITY_INFO);
      g_assert_null (f->fix);
      g_assert_nonnull (strstr (f->title, "could not be read"));
    }
}

/* The snapshot carries the node devices; without one, "unknown" */
static void
test_pci_snapshot (void)
{
  g_autoptr(KtSnapshot) s = c_pci (TRUE);
  g_autofree char *xml = kt_snapshot_to_xml (s);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtSnapshot) back = kt_snapshot_load_xml (xml, -1, &error);
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(KtSnapshot) bare = NULL;
  const GArray *devs;
  const KtFinding *f;

  g_assert_no_error (error);
  devs = kt_snapshot_get_pci_devices (back);
  g_assert_nonnull (devs);
  g_assert_cmpuint (devs->len, ==, 1);
  g_assert_cmpint (g_array_index (devs, KtPciDevice, 0).bus, ==, 0x3b);
  g_assert_cmpint (g_array_index (devs, KtPciDevice, 0).node, ==, 2);
  findings = advise (back, NULL);
  f = kt_advisor_lookup (findings, "pci-device-remote-node", "vm");
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, KT_SEVERITY_WARNING);
  g_assert_true (kt_cpuset_contains (f->nodes, 2));
  g_clear_pointer (&findings, g_ptr_array_unref);

  /* A device the snapshot does not describe */
  bare = build (&neutral, "running",
                dom ("vm", 1048576, VCPUS (1) "<cputune><vcpupin vcpu='0' cpuset='8'/></cputune>"
                     "<numatune><memory mode='strict' nodeset='1'/></numatune>" HOSTDEV), NULL);
  findings = advise (bare, NULL);
  f = kt_advisor_lookup (findings, "pci-device-remote-node", "vm");
  g_assert_nonnull (f);
  g_assert_cmpint (f->severity, ==, KT_SEVERITY_INFO);
  g_assert_null (f->fix);

  /* Not a PCI device, or a bad address: an error naming it */
  g_assert_false (kt_snapshot_add_node_device (bare, "<device><name>usb_1</name>"
                                               "<capability type='usb_device'/></device>", &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_false (kt_snapshot_add_node_device (bare, "<device><capability type='pci'>"
                                               "<domain>0</domain><bus>300</bus><slot>0</slot>"
                                               "<function>0</function></capability></device>",
                                               &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_XML, "bus", "300");
}

/* The demo host ------------------------------------------------------------------ */

static void
test_demo (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(GPtrArray) findings = advise (s, NULL);
  g_autoptr(GHashTable) rules = g_hash_table_new (g_str_hash, g_str_equal);

  dump (findings);
  for (guint i = 0; i < findings->len; i++)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);

      g_hash_table_add (rules, (gpointer) f->rule);
      /* db-primary is the well-tuned one */
      g_assert_cmpstr (f->vm, !=, "db-primary");
    }
  g_test_message ("%u findings of %u rules", findings->len, g_hash_table_size (rules));
  g_assert_cmpuint (g_hash_table_size (rules), >=, 8);
}

/* Each automatic fix of the demo, on a fresh copy; also with the first
 * core reserved for the host */
static void
test_demo_fixes (gconstpointer data)
{
  const char *reserve = data;
  g_autoptr(KtCpuset) reserved = reserve ? kt_test_parse_set (reserve) : NULL;
  g_autoptr(KtSnapshot) first = kt_test_load_demo ();
  g_autoptr(GPtrArray) findings = advise (first, reserved);
  guint n_fixed = 0;

  for (guint i = 0; i < findings->len; i++)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);
      g_autoptr(KtSnapshot) s = NULL;

      if (f->fix == NULL || !kt_fix_is_automatic (f->fix))
        continue;
      s = kt_test_load_demo ();
      g_test_message ("fixing %s for %s", f->rule, f->vm ? f->vm : "the host");
      check_fix (s, f->rule, f->vm, reserved, TRUE);
      n_fixed++;
    }
  g_assert_cmpuint (n_fixed, >=, 8);
}

/* A fix is data: the advisor changes nothing */
static void
test_no_side_effect (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autofree char *before = kt_snapshot_to_xml (s);
  g_autoptr(GPtrArray) findings = advise (s, NULL);
  g_autofree char *after = kt_snapshot_to_xml (s);

  g_assert_cmpuint (findings->len, >, 0);
  g_assert_cmpstr (before, ==, after);
}

/* A manual fix is refused by the apply, and nothing changes */
static void
test_manual_refused (void)
{
  g_autoptr(KtSnapshot) s = c_vcpus_exceed (TRUE);
  g_autoptr(GPtrArray) findings = advise (s, NULL);
  const KtFinding *f = kt_advisor_lookup (findings, "vcpus-exceed-host", "big");
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = kt_snapshot_to_xml (s);
  g_autofree char *after = NULL;

  g_assert_nonnull (f);
  g_assert_false (kt_advisor_fix_apply_to_plan (f, plan, NULL, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE);
  after = kt_snapshot_to_xml (s);
  g_assert_cmpstr (before, ==, after);
}

/* Pins go through the plan: pending, and undone with it */
static void
test_fix_through_plan (void)
{
  g_autoptr(KtSnapshot) s = c_smt_split (TRUE);
  g_autoptr(GPtrArray) findings = advise (s, NULL);
  const KtFinding *f = kt_advisor_lookup (findings, "smt-mismatch", "vm");
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(GError) error = NULL;
  KtVm *vm = kt_snapshot_lookup_vm (s, "vm");

  g_assert_nonnull (f);
  g_assert_true (kt_advisor_fix_apply_to_plan (f, plan, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kt_plan_is_pending (plan, vm, 1));
  g_assert_true (kt_plan_undo (plan));
  g_assert_false (kt_plan_is_pending (plan, vm, 1));
}

/* A fix with a step that cannot be made changes nothing, the pins before
 * it included; one that can says "changed" */
static void
on_changed (KtPlan  *plan,
            gpointer data)
{
  (*(guint *) data)++;
}

static void
test_fix_all_or_nothing (void)
{
  g_autoptr(KtSnapshot) s = c_pin_numatune (TRUE);
  g_autoptr(KtPlan) plan = kt_plan_new (s);
  g_autoptr(KtFix) bad = kt_fix_new ("test");
  g_autoptr(KtFix) good = kt_fix_new ("test");
  g_autoptr(KtCpuset) cpu = kt_test_parse_set ("10");
  g_autoptr(KtCpuset) node = kt_test_parse_set ("1");
  g_autoptr(GError) error = NULL;
  g_autofree char *before = kt_snapshot_to_xml (s);
  g_autofree char *after = NULL;
  guint changed = 0;

  g_signal_connect (plan, "changed", G_CALLBACK (on_changed), &changed);
  kt_fix_add_pin (bad, KT_FIX_VCPUPIN, "vm", 0, cpu);
  kt_fix_add_memnode (bad, "vm", 7, "strict", node);   /* no guest cell 7 */
  g_assert_false (kt_fix_apply_to_plan (bad, plan, NULL, &error));
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_NOT_FOUND, "vm", "7");
  after = kt_snapshot_to_xml (s);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (kt_plan_can_undo (plan));
  g_assert_cmpuint (changed, ==, 0);
  g_clear_error (&error);

  /* A host step without pending host tuning: refused before anything */
  kt_fix_add_host (bad, "numa_balancing", "0");
  g_assert_false (kt_fix_apply_to_plan (bad, plan, NULL, &error));
  g_clear_error (&error);

  kt_fix_add_pin (good, KT_FIX_VCPUPIN, "vm", 0, cpu);
  kt_fix_add_numatune (good, "vm", "strict", node);
  g_assert_true (kt_fix_apply_to_plan (good, plan, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, >=, 2);
  g_assert_true (kt_plan_can_undo (plan));
  {
    g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_inactive (kt_snapshot_lookup_vm (s, "vm")));

    g_assert_cmpstr (t->numa_mode, ==, "strict");
    g_assert_true (kt_cpuset_equal (t->numa_nodeset, node));
    g_assert_true (kt_cpuset_equal (kt_tuning_get_vcpupin (t, 0), cpu));
  }
}

/* JSON ---------------------------------------------------------------------------- */

static void
check_json_finding (JsonObject *o)
{
  const char *keys[] = { "rule", "severity", "vm", "title", "explanation", "objects", "fix" };
  JsonNode *fix;

  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (keys));
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    g_assert_true (json_object_has_member (o, keys[k]));
  g_assert_true (kt_advisor_is_rule (json_object_get_string_member (o, "rule")));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "objects")));
  fix = json_object_get_member (o, "fix");
  if (!JSON_NODE_HOLDS_NULL (fix))
    {
      JsonObject *fo = json_node_get_object (fix);

      g_assert_true (json_object_has_member (fo, "automatic"));
      g_assert_true (json_object_has_member (fo, "summary"));
      g_assert_true (json_object_has_member (fo, "domain"));
      g_assert_true (json_object_has_member (fo, "host"));
    }
}

static void
test_json (void)
{
  g_autoptr(KtSnapshot) s = kt_test_load_demo ();
  g_autoptr(GPtrArray) findings = advise (s, NULL);
  g_autoptr(JsonNode) node = kt_advisor_to_json (findings);
  JsonArray *a = json_node_get_array (node);

  g_assert_cmpuint (json_array_get_length (a), ==, findings->len);
  for (guint i = 0; i < json_array_get_length (a); i++)
    check_json_finding (json_array_get_object_element (a, i));
}

/* Every host fixture, with a mix of VMs ------------------------------------------ */

/* VM @i of the mix on @host: 1:1 pins, pin sets, floating, hugepages and
 * locked memory, numad, guest SMT, IOThreads, hot-pluggable vCPUs */
static char *
mix_vm (guint         i,
        KtHost       *host,
        const GArray *cpus)
{
  g_autoptr(GString) x = g_string_new (NULL);
  guint n_nodes = kt_host_get_n_nodes (host);
  guint vcpus = 2 + i % 3 * 2;
  guint base = (i * 5) % cpus->len;
  int node = kt_host_get_node (host, i % n_nodes)->id;
  guint kind = i % 8;

  g_string_append_printf (x, "<domain type='kvm'><name>mix%02u</name>"
                          "<memory unit='KiB'>%u</memory>", i, (1 + i % 3) * 1048576);
  if (kind == 3)
    g_string_append (x, "<memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages>"
                        "<locked/></memoryBacking>");
  if (kind == 4)
    g_string_append_printf (x, "<vcpu placement='auto'>%u</vcpu>", vcpus);
  else if (kind == 6)
    g_string_append_printf (x, "<vcpu placement='static' current='%u'>%u</vcpu>", vcpus / 2,
                            vcpus);
  else
    g_string_append_printf (x, "<vcpu placement='static'>%u</vcpu>", vcpus);
  if (kind == 5)
    g_string_append (x, "<iothreads>1</iothreads>");
  if (kind != 1 && kind != 4)
    {
      g_string_append (x, "<cputune>");
      for (guint v = 0; v < (kind == 6 ? vcpus / 2 : vcpus); v++)
        {
          guint c = g_array_index (cpus, guint, (base + v) % cpus->len);

          if (kind == 2)
            g_string_append_printf (x, "<vcpupin vcpu='%u' cpuset='%u,%u'/>", v, c,
                                    g_array_index (cpus, guint, (base + v + 1) % cpus->len));
          else
            g_string_append_printf (x, "<vcpupin vcpu='%u' cpuset='%u'/>", v, c);
        }
      if (kind == 0 || kind == 7)
        g_string_append_printf (x, "<emulatorpin cpuset='%u'/>",
                                g_array_index (cpus, guint, (base + (kind ? 0 : vcpus)) % cpus->len));
      g_string_append (x, "</cputune>");
    }
  if (kind == 0 || kind == 3 || kind == 7)
    g_string_append_printf (x, "<numatune><memory mode='strict' nodeset='%d'/></numatune>", node);
  if (kind == 5 || kind == 7)
    g_string_append_printf (x, "<cpu mode='host-model'><topology sockets='1' dies='1' "
                            "cores='%u' threads='2'/></cpu>", vcpus / 2);
  g_string_append (x, "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>");
  return g_string_free (g_steal_pointer (&x), FALSE);
}

static KtSnapshot *
mix_snapshot (const char *caps_path)
{
  g_autofree char *caps = kt_test_read_file (caps_path, NULL);
  g_autoptr(GError) error = NULL;
  KtSnapshot *s = kt_snapshot_new (caps, NULL, &error);
  g_autoptr(GArray) cpus = NULL;
  KtHost *host;

  g_assert_no_error (error);
  host = kt_snapshot_get_host (s);
  cpus = kt_cpuset_to_array (kt_host_get_online_cpus (host));
  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *xml = mix_vm (i, host, cpus);
      g_autoptr(KtDomain) d = kt_domain_new_from_xml (xml, -1, &error);
      g_autoptr(KtDomain) live = NULL;
      g_autoptr(KtVm) vm = NULL;

      g_assert_no_error (error);
      if (i % 2)
        live = kt_domain_copy (d);
      vm = kt_vm_new (kt_domain_get_name (d), i % 2 ? KT_VM_STATE_RUNNING : KT_VM_STATE_SHUTOFF,
                      i % 2 ? (int) i : -1, TRUE, live, d);
      kt_snapshot_add_vm (s, vm, &error);
      g_assert_no_error (error);
    }
  kt_snapshot_set_host_tuning (s, host_tuning (&(HostValues) { "balanced", 1, 1, "always", 1 }));
  return s;
}

/* On every host fixture: each rule's first automatic fix clears its
 * finding and brings no new error; with and without reserved CPUs */
static void
test_fixture_hosts (void)
{
  g_autoptr(GPtrArray) hosts = kt_test_list_fixtures ("hosts", ".xml");
  guint n_fixed = 0;

  for (guint h = 0; h < hosts->len; h++)
    {
      g_autofree char *rel = g_build_filename ("hosts", g_ptr_array_index (hosts, h), NULL);
      g_autofree char *path = kt_test_fixture_path (rel);

      for (guint r = 0; r < 2; r++)
        {
          g_autoptr(KtSnapshot) first = mix_snapshot (path);
          KtHost *host = kt_snapshot_get_host (first);
          int cpu0 = kt_cpuset_first (kt_host_get_online_cpus (host));
          g_autoptr(KtCpuset) reserved = r && cpu0 >= 0 ? kt_cpuset_new_range (cpu0, cpu0) : NULL;
          g_autoptr(GPtrArray) findings = advise (first, reserved);
          g_autoptr(GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);

          for (guint i = 0; i < findings->len; i++)
            {
              const KtFinding *f = g_ptr_array_index (findings, i);
              g_autoptr(KtSnapshot) s = NULL;

              if (f->fix == NULL || !kt_fix_is_automatic (f->fix)
                  || !g_hash_table_add (done, (gpointer) f->rule))
                continue;
              g_test_message ("%s%s: fixing %s for %s", rel, r ? " (reserved)" : "", f->rule,
                              f->vm ? f->vm : "the host");
              s = mix_snapshot (path);
              check_fix (s, f->rule, f->vm, reserved, TRUE);
              n_fixed++;
            }
        }
    }
  g_test_message ("%u fixes checked", n_fixed);
  g_assert_cmpuint (n_fixed, >, hosts->len);
}

/* kvmtune-cli advise ---------------------------------------------------------------- */

static char *
demo_copy (void)
{
  g_autofree char *src = kt_test_demo_path ();
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_tmp_dir (), "kt-advisor-XXXXXX.kvmtune", NULL);
  gsize len;
  int fd = g_mkstemp (path);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_get_contents (src, &data, &len, &error));
  g_assert_true (g_file_set_contents (path, data, len, &error));
  return path;
}

static void
test_cli_json (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *a;

  kt_test_run_cli (&r, "--snapshot", demo, "advise", "--json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
  a = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (a), >, 8);
  for (guint i = 0; i < json_array_get_length (a); i++)
    check_json_finding (json_array_get_object_element (a, i));
}

static void
test_cli_text (void)
{
  g_autofree char *demo = kt_test_demo_path ();
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--snapshot", demo, "advise");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "dedicated-cpu-shared"));
  g_assert_nonnull (strstr (r.out, "advise --fix smt-mismatch --vm legacy-app"));
  g_assert_nonnull (strstr (r.out, "errors"));
  /* --reserve gives housekeeping findings; a bad set is an error */
  kt_test_run_cli (&r, "--snapshot", demo, "advise", "--reserve", "0-1", "--rule",
                   "housekeeping-cpu-used");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "web1"));
  kt_test_run_cli (&r, "--snapshot", demo, "advise", "--reserve", "x");
  g_assert_cmpint (r.status, ==, 2);
  kt_test_run_cli (&r, "--snapshot", demo, "advise", "--rule", "no-such");
  g_assert_cmpint (r.status, ==, 2);
}

static void
test_cli_fix (void)
{
  g_autofree char *copy = demo_copy ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(KtTestRun) r = { 0, };
  gsize len;

  g_assert_true (g_file_get_contents (copy, &before, &len, NULL));
  /* --dry-run: the calls and the diff, nothing written */
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix", "pin-without-numatune", "--vm",
                   "cache", "--dry-run");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Would call"));
  g_assert_true (g_file_get_contents (copy, &after, &len, NULL));
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);

  /* For real, into the snapshot; then the finding is gone */
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix", "pin-without-numatune", "--vm",
                   "cache");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Applied"));
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--vm", "cache");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, "pin-without-numatune"));

  /* A fix of several steps makes them all (live and config) */
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix", "smt-mismatch", "--vm", "legacy-app",
                   "--live", "--config");
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KtSnapshot) s = kt_snapshot_load_file (copy, &error);
    KtVm *vm;

    g_assert_no_error (error);
    vm = kt_snapshot_lookup_vm (s, "legacy-app");
    for (guint d = 0; d < 2; d++)
      {
        g_autoptr(KtTuning) t = kt_domain_get_tuning (d ? kt_vm_get_inactive (vm)
                                                        : kt_vm_get_live (vm));
        const char *want[] = { "20", "52", "22", "54" };

        for (guint v = 0; v < 4; v++)
          {
            g_autofree char *pin = kt_cpuset_format (kt_tuning_get_vcpupin (t, v));

            g_assert_cmpstr (pin, ==, want[v]);
          }
      }
  }

  /* A host change lands in the snapshot's host tuning, through the
   * session's host plan: printed old → new, nothing written on --dry-run */
  g_clear_pointer (&before, g_free);
  g_assert_true (g_file_get_contents (copy, &before, &len, NULL));
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix", "ksm-across-nodes", "--dry-run");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Would change on the host:"));
  g_assert_nonnull (strstr (r.out, "ksm.merge_across_nodes: 1 → 0"));
  g_assert_true (g_file_get_contents (copy, &after, &len, NULL));
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix", "ksm-across-nodes");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Host changes:"));
  g_assert_nonnull (strstr (r.out, "ksm.merge_across_nodes: 1 → 0"));
  g_assert_nonnull (strstr (r.out, "Applied"));
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--rule", "ksm-across-nodes");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, "ksm-across-nodes"));

  /* No finding, or no automatic fix: an error, nothing written */
  g_clear_pointer (&before, g_free);
  g_assert_true (g_file_get_contents (copy, &before, &len, NULL));
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix", "vcpus-exceed-host", "--vm", "web1");
  g_assert_cmpint (r.status, ==, 1);
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix", "host-cpu-blocks-migration", "--vm",
                   "web1");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (g_file_get_contents (copy, &after, &len, NULL));
  g_assert_cmpstr (before, ==, after);
  g_unlink (copy);
}

/* --fix-all DOMAIN: every automatic fix of the domain's findings, its
 * domain edits and its host settings (a pool grown) alike */
static void
test_cli_fix_all (void)
{
  g_autofree char *copy = demo_copy ();
  g_autofree char *pool = g_build_filename (g_get_tmp_dir (), "kt-advisor-pool-XXXXXX.kvmtune",
                                            NULL);
  g_autoptr(KtSnapshot) short_pool = c_hugepage_pool (TRUE);
  g_autoptr(KtSnapshot) loaded = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(KtTestRun) r = { 0, };
  const KtFinding *f;
  const KtFixStep *step;
  g_autofree char *total = NULL;
  int fd;

  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix-all", "cache", "--dry-run");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Would call"));
  g_assert_null (strstr (r.out, "Applied"));
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix-all", "cache");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Applied"));
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--vm", "cache");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_null (strstr (r.out, "pin-without-numatune"));
  g_assert_null (strstr (r.out, "emulator-placement"));
  /* Nothing automatic left, no such domain, both options */
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix-all", "cache");
  g_assert_cmpint (r.status, ==, 1);
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix-all", "no-such");
  g_assert_cmpint (r.status, ==, 1);
  kt_test_run_cli (&r, "--snapshot", copy, "advise", "--fix-all", "web1", "--fix",
                   "ksm-across-nodes");
  g_assert_cmpint (r.status, ==, 2);
  g_unlink (copy);

  /* A VM's finding whose fix is a host setting: the pool grows */
  findings = kt_advisor_run (short_pool, NULL);
  f = kt_advisor_lookup (findings, "hugepage-pool-short", "vm");
  g_assert_nonnull (f);
  g_assert_cmpuint (f->fix->steps->len, ==, 1);
  step = g_ptr_array_index (f->fix->steps, 0);
  g_assert_cmpint (step->kind, ==, KT_FIX_HOST);
  fd = g_mkstemp (pool);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (kt_snapshot_save (short_pool, pool, &error));
  g_assert_no_error (error);
  kt_test_run_cli (&r, "--snapshot", pool, "advise", "--fix-all", "vm");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Host changes:"));
  g_assert_nonnull (strstr (r.out, step->key));
  loaded = kt_snapshot_load_file (pool, &error);
  g_assert_no_error (error);
  total = kt_host_tuning_get_value (kt_snapshot_get_host_tuning (loaded), step->key);
  g_assert_cmpstr (total, ==, step->value);
  g_clear_pointer (&findings, g_ptr_array_unref);
  findings = kt_advisor_run (loaded, NULL);
  g_assert_null (kt_advisor_lookup (findings, "hugepage-pool-short", "vm"));
  g_unlink (pool);
}

/* Through libvirt (the test driver, fresh in each process): the config
 * is defined with the fix; a live pin the driver refuses changes nothing */
static void
test_cli_fix_libvirt (void)
{
  g_auto(KtTestRun) r = { 0, };

  kt_test_run_cli (&r, "--connect", "test:///default", "advise", "--reserve", "0", "--fix",
                   "housekeeping-cpu-used", "--vm", "test", "--config");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "virDomainDefineXMLFlags"));
  g_assert_nonnull (strstr (r.out, "cpuset=\"1-15\""));
  g_assert_nonnull (strstr (r.out, "Applied"));
  kt_test_run_cli (&r, "--connect", "test:///default", "advise", "--reserve", "0", "--fix",
                   "housekeeping-cpu-used", "--vm", "test", "--live");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_null (strstr (r.out, "Applied"));
  /* --dry-run: the calls only */
  kt_test_run_cli (&r, "--connect", "test:///default", "advise", "--reserve", "0", "--fix",
                   "housekeeping-cpu-used", "--vm", "test", "--config", "--dry-run");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Would call"));
  g_assert_null (strstr (r.out, "Applied"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *t = g_strdup_printf ("/advisor/rule/%s/%u/trigger", cases[i].rule, i);
      g_autofree char *c = g_strdup_printf ("/advisor/rule/%s/%u/clean", cases[i].rule, i);

      g_test_add_data_func (t, &cases[i], test_case_trigger);
      g_test_add_data_func (c, &cases[i], test_case_clean);
    }
  g_test_add_func ("/advisor/rules-covered", test_all_rules_covered);
  g_test_add_func ("/advisor/unknown-host-values", test_unknown_host_values);
  g_test_add_func ("/advisor/pci-snapshot", test_pci_snapshot);
  g_test_add_func ("/advisor/demo", test_demo);
  g_test_add_data_func ("/advisor/demo-fixes", NULL, test_demo_fixes);
  g_test_add_data_func ("/advisor/demo-fixes-reserved", "0,32", test_demo_fixes);
  g_test_add_func ("/advisor/no-side-effect", test_no_side_effect);
  g_test_add_func ("/advisor/manual-refused", test_manual_refused);
  g_test_add_func ("/advisor/fix-through-plan", test_fix_through_plan);
  g_test_add_func ("/advisor/fix-all-or-nothing", test_fix_all_or_nothing);
  g_test_add_func ("/advisor/json", test_json);
  g_test_add_func ("/advisor/fixture-hosts", test_fixture_hosts);
  g_test_add_func ("/advisor/cli/json", test_cli_json);
  g_test_add_func ("/advisor/cli/text", test_cli_text);
  g_test_add_func ("/advisor/cli/fix", test_cli_fix);
  g_test_add_func ("/advisor/cli/fix-all", test_cli_fix_all);
  g_test_add_func ("/advisor/cli/fix-libvirt", test_cli_fix_libvirt);
  return g_test_run ();
}
