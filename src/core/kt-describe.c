/* kt-describe.c: how a VM's placement and a host's free memory are said
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-describe.h"


/**
 * kt_describe_vm_state:
 *
 * Returns: a VM state as the sidebar and the map's tooltips say it
 * ("Running", "Shut off")
 */
const char *
kt_describe_vm_state (KtVmState state)
{
  switch (state)
    {
    case KT_VM_STATE_RUNNING:
      return _("Running");
    case KT_VM_STATE_BLOCKED:
      return _("Blocked");
    case KT_VM_STATE_PAUSED:
      return _("Paused");
    case KT_VM_STATE_SHUTDOWN:
      return _("Shutting down");
    case KT_VM_STATE_SHUTOFF:
      return _("Shut off");
    case KT_VM_STATE_CRASHED:
      return _("Crashed");
    case KT_VM_STATE_PMSUSPENDED:
      return _("Suspended");
    case KT_VM_STATE_NOSTATE:
    default:
      return _("No state");
    }
}

/**
 * kt_describe_vcpu_count:
 *
 * Returns: (transfer full): "8 vCPUs", or "4 of 8 vCPUs" when some are
 * offline (hot-pluggable)
 */
char *
kt_describe_vcpu_count (const KtTuning *t)
{
  guint online;

  g_return_val_if_fail (t != NULL, NULL);

  online = kt_tuning_count_online (t);
  if (online < t->vcpus)
    /* Translators: online vCPUs of all a VM has: "4 of 8 vCPUs" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u vCPU", "%u of %u vCPUs",
                                         t->vcpus),
                            online, t->vcpus);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u vCPU", "%u vCPUs", t->vcpus),
                          t->vcpus);
}

static KtPinSource
source_of (const KtTuning *t,
           KtThreadKind    kind,
           guint           index)
{
  switch (kind)
    {
    case KT_THREAD_VCPU:
      return kt_tuning_vcpu_pin_source (t, index);
    case KT_THREAD_EMULATOR:
      return kt_tuning_emulator_pin_source (t);
    case KT_THREAD_IOTHREAD:
    default:
      return kt_tuning_iothread_pin_source (t, index);
    }
}

/**
 * kt_describe_unpinned:
 *
 * Where a thread without a pin of its own runs, and why: the default
 * <vcpu cpuset>, numad (placement='auto'), or anywhere.
 *
 * Returns: (transfer full) (nullable): the sentence; %NULL when the
 * thread has its own pin
 */
char *
kt_describe_unpinned (const KtTuning *t,
                      KtThreadKind    kind,
                      guint           index)
{
  g_autofree char *set = NULL;

  g_return_val_if_fail (t != NULL, NULL);

  if (t->vcpu_cpuset != NULL)
    set = kt_cpuset_format (t->vcpu_cpuset);
  switch (source_of (t, kind, index))
    {
    case KT_PIN_SOURCE_OWN:
      return NULL;
    case KT_PIN_SOURCE_DEFAULT:
      if (kind == KT_THREAD_EMULATOR)
        /* Translators: %s is a host CPU set, "0-4,6-10" */
        return g_strdup_printf (_("QEMU’s own threads; default pin set %s (<vcpu cpuset>)"),
                                set);
      if (kind == KT_THREAD_IOTHREAD)
        /* Translators: %s is a host CPU set, "0-4,6-10" */
        return g_strdup_printf (_("Disk I/O; default pin set %s (<vcpu cpuset>)"), set);
      /* Translators: %s is a host CPU set, "0-4,6-10" */
      return g_strdup_printf (_("Default pin set %s (<vcpu cpuset>)"), set);
    case KT_PIN_SOURCE_NUMAD:
      if (kind == KT_THREAD_EMULATOR)
        return g_strdup (_("QEMU’s own threads; placed by numad (placement='auto')"));
      if (kind == KT_THREAD_IOTHREAD)
        return g_strdup (_("Disk I/O; placed by numad (placement='auto')"));
      return g_strdup (_("Placed by numad (placement='auto')"));
    case KT_PIN_SOURCE_NONE:
    default:
      if (kind == KT_THREAD_EMULATOR)
        return g_strdup (_("QEMU’s own threads; not pinned"));
      if (kind == KT_THREAD_IOTHREAD)
        return g_strdup (_("Disk I/O; not pinned"));
      return g_strdup (_("Not pinned: any host CPU"));
    }
}

/**
 * kt_describe_unpinned_short:
 *
 * Returns: (transfer full): a word for an entry's placeholder or a "was":
 * the pin itself, the default set, "numad" or "any"
 */
char *
kt_describe_unpinned_short (const KtTuning *t,
                            KtThreadKind    kind,
                            guint           index)
{
  g_return_val_if_fail (t != NULL, NULL);

  switch (source_of (t, kind, index))
    {
    case KT_PIN_SOURCE_OWN:
      {
        const KtCpuset *own = kind == KT_THREAD_VCPU ? kt_tuning_get_vcpupin (t, index)
                              : kind == KT_THREAD_EMULATOR ? t->emulatorpin
                              : kt_tuning_get_iothreadpin (t, index);

        return kt_cpuset_format (own);
      }
    case KT_PIN_SOURCE_DEFAULT:
      {
        g_autofree char *set = kt_cpuset_format (t->vcpu_cpuset);

        /* Translators: the default pin set a thread follows, "0-4,6-10 (default)" */
        return g_strdup_printf (_("%s (default)"), set);
      }
    case KT_PIN_SOURCE_NUMAD:
      return g_strdup (_("numad"));
    case KT_PIN_SOURCE_NONE:
    default:
      return g_strdup (_("any"));
    }
}

/**
 * kt_describe_placeholder:
 *
 * Returns: (transfer full): what an empty pin entry shows: the default
 * set itself (the hint says it is the default), "numad" or "any"
 */
char *
kt_describe_placeholder (const KtTuning *t,
                         KtThreadKind    kind,
                         guint           index)
{
  g_return_val_if_fail (t != NULL, NULL);

  if (source_of (t, kind, index) == KT_PIN_SOURCE_DEFAULT)
    return kt_cpuset_format (t->vcpu_cpuset);
  return kt_describe_unpinned_short (t, kind, index);
}

/**
 * kt_describe_vcpu_hint:
 * @where: what the panel says of the vCPU's placement
 *
 * Returns: (transfer full): @where, marked when vCPU @vcpu is offline
 */
char *
kt_describe_vcpu_hint (const KtTuning *t,
                       guint           vcpu,
                       const char     *where)
{
  g_return_val_if_fail (t != NULL, NULL);
  g_return_val_if_fail (where != NULL, NULL);

  if (kt_tuning_vcpu_is_online (t, vcpu))
    return g_strdup (where);
  if (*where == '\0')
    return g_strdup (_("Offline (hot-pluggable)"));
  /* Translators: a vCPU that is not plugged in, and where it would run */
  return g_strdup_printf (_("Offline (hot-pluggable) · %s"), where);
}

/**
 * kt_describe_memory_unset:
 *
 * Returns: (transfer full): what a VM with no memory nodeset gets
 */
char *
kt_describe_memory_unset (const KtTuning *t)
{
  g_return_val_if_fail (t != NULL, NULL);

  if (kt_tuning_memory_is_numad (t))
    return g_strdup (_("Placed by numad (placement='auto')"));
  return g_strdup (_("Not set: wherever the kernel puts it"));
}

/**
 * kt_describe_numa_mode_unset:
 *
 * Returns: (transfer full): what a VM with no <numatune> gets
 */
char *
kt_describe_numa_mode_unset (const KtTuning *t)
{
  g_return_val_if_fail (t != NULL, NULL);

  if (kt_tuning_memory_is_numad (t))
    return g_strdup (_("No numatune: strict, on the nodes numad advises (placement='auto')"));
  return g_strdup (_("No numatune: the host’s default policy"));
}

/**
 * kt_describe_floating:
 * @n_vcpus: how many of the VM's vCPUs without a pin of their own may run
 *   on the CPU in question
 *
 * Returns: (transfer full): one line of a CPU's tooltip on the map
 */
char *
kt_describe_floating (const char     *vm_name,
                      const KtTuning *t,
                      guint           n_vcpus)
{
  g_return_val_if_fail (vm_name != NULL, NULL);
  g_return_val_if_fail (t != NULL, NULL);

  if (kt_tuning_is_numad (t))
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s: %u vCPU placed by numad (placement='auto')",
                                         "%s: %u vCPUs placed by numad (placement='auto')",
                                         n_vcpus),
                            vm_name, n_vcpus);
  if (t->vcpu_cpuset != NULL)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s: %u vCPU follows the default pin set "
                                         "(<vcpu cpuset>) here",
                                         "%s: %u vCPUs follow the default pin set "
                                         "(<vcpu cpuset>) here",
                                         n_vcpus),
                            vm_name, n_vcpus);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u unpinned thread may run here",
                                       "%s: %u unpinned threads may run here", n_vcpus),
                          vm_name, n_vcpus);
}

/**
 * kt_describe_time:
 *
 * Returns: (transfer full): @time in local time, "2026-12-01 08:14"
 */
char *
kt_describe_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (time != NULL, NULL);

  local = g_date_time_to_local (time);
  return g_date_time_format (local != NULL ? local : time, "%Y-%m-%d %H:%M");
}

/**
 * kt_describe_free_as_of:
 *
 * Returns: (transfer full) (nullable): when the host's free memory and
 * free huge pages were read, for figures that are not live (a snapshot's);
 * %NULL when they are live or unknown
 */
char *
kt_describe_free_as_of (KtHost *host)
{
  GDateTime *when;
  g_autofree char *text = NULL;

  g_return_val_if_fail (KT_IS_HOST (host), NULL);

  when = kt_host_get_free_time (host);
  if (when == NULL)
    return NULL;
  text = kt_describe_time (when);
  /* Translators: %s is a date and time, "2026-12-01 08:14" */
  return g_strdup_printf (_("Free memory and pages as of %s (snapshot)"), text);
}
