/* kt-apply.c: carry a VM's edited definition over to libvirt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <errno.h>
#include <string.h>

#include "kt-apply-private.h"
#include "kt-error.h"

G_DEFINE_FINAL_TYPE (KtApply, kt_apply, G_TYPE_OBJECT)

static void
step_clear (gpointer data)
{
  Step *s = data;

  g_clear_pointer (&s->before, kt_cpuset_free);
  g_clear_pointer (&s->after, kt_cpuset_free);
}

static void
kt_apply_dispose (GObject *object)
{
  KtApply *self = KT_APPLY (object);

  g_clear_object (&self->vm);
  g_clear_object (&self->recovering);

  G_OBJECT_CLASS (kt_apply_parent_class)->dispose (object);
}

static void
kt_apply_finalize (GObject *object)
{
  KtApply *self = KT_APPLY (object);

  g_clear_pointer (&self->steps, g_array_unref);
  g_clear_pointer (&self->define_xml, g_free);
  g_clear_pointer (&self->base_inactive_xml, g_free);
  g_clear_pointer (&self->base_live, kt_tuning_unref);
  g_clear_pointer (&self->diff, g_free);

  G_OBJECT_CLASS (kt_apply_parent_class)->finalize (object);
}

static void
kt_apply_class_init (KtApplyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kt_apply_dispose;
  object_class->finalize = kt_apply_finalize;
}

static void
kt_apply_init (KtApply *self)
{
  self->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (self->steps, step_clear);
}

/**
 * kt_apply_default_flags:
 *
 * Like virsh without --live or --config: both for a running persistent VM,
 * live for a transient one, config for one that is shut off.
 */
KtApplyFlags
kt_apply_default_flags (KtVm *vm)
{
  g_return_val_if_fail (KT_IS_VM (vm), KT_APPLY_CONFIG);

  if (!kt_vm_is_active (vm))
    return KT_APPLY_CONFIG;
  return kt_vm_get_persistent (vm) ? KT_APPLY_LIVE | KT_APPLY_CONFIG : KT_APPLY_LIVE;
}

static void
add_step (KtApply        *self,
          StepKind        kind,
          guint           id,
          const KtCpuset *before,
          const KtCpuset *after)
{
  Step s = { kind, id, before ? kt_cpuset_copy (before) : NULL,
             after ? kt_cpuset_copy (after) : NULL };

  g_array_append_val (self->steps, s);
}

static gboolean
same_hugepages (const KtTuning *a,
                const KtTuning *b)
{
  if (a->has_hugepages != b->has_hugepages || a->hugepages->len != b->hugepages->len)
    return FALSE;
  for (guint i = 0; i < a->hugepages->len; i++)
    {
      const KtHugepage *x = &g_array_index (a->hugepages, KtHugepage, i);
      const KtHugepage *y = &g_array_index (b->hugepages, KtHugepage, i);

      if (x->size_kib != y->size_kib || !kt_cpuset_same (x->nodeset, y->nodeset))
        return FALSE;
    }
  return a->nosharepages == b->nosharepages && a->locked == b->locked;
}

static gboolean
same_memnodes (const KtTuning *a,
               const KtTuning *b)
{
  if (a->memnodes->len != b->memnodes->len)
    return FALSE;
  for (guint i = 0; i < a->memnodes->len; i++)
    {
      const KtMemnode *x = &g_array_index (a->memnodes, KtMemnode, i);
      const KtMemnode *y = &g_array_index (b->memnodes, KtMemnode, i);

      if (x->cellid != y->cellid || g_strcmp0 (x->mode, y->mode) != 0
          || !kt_cpuset_same (x->nodeset, y->nodeset))
        return FALSE;
    }
  return TRUE;
}

/* What a running VM can take, as live calls; what it cannot is refused
 * with the reason */
static gboolean
plan_live (KtApply         *self,
           const KtTuning  *base,
           const KtTuning  *target,
           GError         **error)
{
  const char *name = kt_vm_get_name (self->vm);

  if (g_strcmp0 (base->numa_mode, target->numa_mode) != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("libvirt cannot change the memory mode of running VM “%s” (from %s to %s); "
                     "apply it to the config and restart the VM"),
                   name, base->numa_mode ? base->numa_mode : "none",
                   target->numa_mode ? target->numa_mode : "none");
      return FALSE;
    }
  if (!same_hugepages (base, target))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("Huge pages and memory backing of running VM “%s” cannot change live; "
                     "apply them to the config and restart the VM"), name);
      return FALSE;
    }
  if (g_strcmp0 (base->cpu_mode, target->cpu_mode) != 0
      || g_strcmp0 (base->cpu_model, target->cpu_model) != 0)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("The CPU model of running VM “%s” cannot change live; apply it to the "
                     "config and restart the VM"), name);
      return FALSE;
    }
  if (base->has_topology != target->has_topology
      || (target->has_topology
          && (base->sockets != target->sockets || base->dies != target->dies
              || base->cores != target->cores || base->threads != target->threads)))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("The guest CPU topology of running VM “%s” cannot change live; apply it "
                     "to the config and restart the VM"), name);
      return FALSE;
    }
  if (!same_memnodes (base, target))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_UNSUPPORTED,
                   _("The memnodes of running VM “%s” cannot change live; apply them to the "
                     "config and restart the VM"), name);
      return FALSE;
    }

  for (guint v = 0; v < MAX (base->vcpus, target->vcpus); v++)
    {
      const KtCpuset *b = kt_tuning_get_vcpupin (base, v);
      const KtCpuset *t = kt_tuning_get_vcpupin (target, v);

      if (!kt_cpuset_same (b, t))
        add_step (self, STEP_VCPUPIN, v, b, t);
    }
  if (!kt_cpuset_same (base->emulatorpin, target->emulatorpin))
    add_step (self, STEP_EMULATORPIN, 0, base->emulatorpin, target->emulatorpin);
  for (guint i = 0; i < target->iothread_ids->len; i++)
    {
      guint id = g_array_index (target->iothread_ids, guint, i);
      const KtCpuset *b = kt_tuning_get_iothreadpin (base, id);
      const KtCpuset *t = kt_tuning_get_iothreadpin (target, id);

      if (!kt_cpuset_same (b, t))
        add_step (self, STEP_IOTHREADPIN, id, b, t);
    }
  /* An iothread pinned in the target but missing from the VM: libvirt
   * will refuse it; keep the step so the failure (and rollback) is real */
  for (guint i = 0; i < target->iothreadpin->len; i++)
    {
      const KtPin *pin = &g_array_index (target->iothreadpin, KtPin, i);

      if (!kt_tuning_has_iothread (target, pin->id))
        add_step (self, STEP_IOTHREADPIN, pin->id, NULL, pin->cpuset);
    }
  if (!kt_cpuset_same (base->numa_nodeset, target->numa_nodeset) && target->numa_nodeset != NULL)
    add_step (self, STEP_NUMA_NODESET, 0, base->numa_nodeset, target->numa_nodeset);
  return TRUE;
}

/**
 * kt_apply_new:
 * @base: the VM as loaded from the connection
 * @live_target: (nullable): the edited live definition, for %KT_APPLY_LIVE
 * @config_target: (nullable): the edited inactive definition, for
 *   %KT_APPLY_CONFIG
 *
 * Works out what to do, without doing it.
 *
 * Returns: (transfer full): the apply, or %NULL with @error set when the
 * change cannot be made as asked
 */
KtApply *
kt_apply_new (KtVm          *base,
              KtDomain      *live_target,
              KtDomain      *config_target,
              KtApplyFlags   flags,
              GError       **error)
{
  g_autoptr(KtApply) self = NULL;
  const char *name;

  g_return_val_if_fail (KT_IS_VM (base), NULL);

  name = kt_vm_get_name (base);
  self = g_object_new (KT_TYPE_APPLY, NULL);
  self->vm = g_object_ref (base);
  self->flags = flags;

  if (flags & KT_APPLY_LIVE)
    {
      g_autoptr(KtTuning) b = NULL;
      g_autoptr(KtTuning) t = NULL;

      if (!kt_vm_is_active (base))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("VM “%s” is not running: there is nothing to change live"), name);
          return NULL;
        }
      g_return_val_if_fail (KT_IS_DOMAIN (live_target), NULL);
      b = kt_domain_get_tuning (kt_vm_get_live (base));
      t = kt_domain_get_tuning (live_target);
      if (!plan_live (self, b, t, error))
        return NULL;
      self->base_live = g_steal_pointer (&b);
    }

  if (flags & KT_APPLY_CONFIG)
    {
      KtDomain *inactive = kt_vm_get_inactive (base);
      g_autofree char *after = NULL;

      if (inactive == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("VM “%s” is transient: it has no persistent config to change"), name);
          return NULL;
        }
      g_return_val_if_fail (KT_IS_DOMAIN (config_target), NULL);
      self->base_inactive_xml = g_strdup (kt_domain_get_original_xml (inactive));
      after = kt_domain_to_xml (config_target);
      if (!g_str_equal (after, self->base_inactive_xml))
        {
          g_autofree char *a = g_strdup_printf ("%s.xml (config)", name);
          g_autofree char *b = g_strdup_printf ("%s.xml (new config)", name);

          self->diff = kt_diff_lines (self->base_inactive_xml, after, a, b);
          self->define_xml = g_steal_pointer (&after);
        }
    }
  if (self->diff == NULL)
    self->diff = g_strdup ("");

  return g_steal_pointer (&self);
}

gboolean
kt_apply_is_empty (KtApply *self)
{
  g_return_val_if_fail (KT_IS_APPLY (self), TRUE);
  return self->steps->len == 0 && self->define_xml == NULL;
}

const char *
kt_apply_get_diff (KtApply *self)
{
  g_return_val_if_fail (KT_IS_APPLY (self), NULL);
  return self->diff;
}

static char *
describe_step (KtApply    *self,
               const Step *s,
               gboolean    undo)
{
  const KtCpuset *set = undo ? s->before : s->after;
  g_autofree char *text = set ? kt_cpuset_format (set) : g_strdup (_("all host CPUs"));
  const char *name = kt_vm_get_name (self->vm);

  switch (s->kind)
    {
    case STEP_VCPUPIN:
      return g_strdup_printf (_("virDomainPinVcpuFlags: %s vCPU %u → %s (live)"), name, s->id, text);
    case STEP_EMULATORPIN:
      return g_strdup_printf (_("virDomainPinEmulator: %s emulator → %s (live)"), name, text);
    case STEP_IOTHREADPIN:
      return g_strdup_printf (_("virDomainPinIOThread: %s IOThread %u → %s (live)"), name, s->id,
                              text);
    case STEP_NUMA_NODESET:
    default:
      return g_strdup_printf (_("virDomainSetNumaParameters: %s nodeset → %s (live)"), name, text);
    }
}

/**
 * kt_apply_get_calls:
 *
 * Returns: (transfer container) (element-type utf8): the libvirt calls
 * kt_apply_run() makes, in order, the define last
 */
GPtrArray *
kt_apply_get_calls (KtApply *self)
{
  GPtrArray *calls = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (KT_IS_APPLY (self), calls);

  for (guint i = 0; i < self->steps->len; i++)
    g_ptr_array_add (calls, describe_step (self, &g_array_index (self->steps, Step, i), FALSE));
  if (self->define_xml != NULL)
    g_ptr_array_add (calls, g_strdup_printf (_("virDomainDefineXMLFlags: %s (config, validated)"),
                                             kt_vm_get_name (self->vm)));
  return calls;
}

/* Running ---------------------------------------------------------------- */

typedef struct
{
  virConnectPtr  conn;
  virDomainPtr   dom;
  unsigned char *all_map;   /* every online host CPU */
  int            n_cpus;
  int            maplen;
} Ctx;

static unsigned char *
cpumap_of (const Ctx      *ctx,
           const KtCpuset *set)
{
  unsigned char *map;

  if (set == NULL)
    return g_memdup2 (ctx->all_map, ctx->maplen);
  map = g_malloc0 (ctx->maplen);
  for (int c = kt_cpuset_first (set); c >= 0 && c < ctx->n_cpus; c = kt_cpuset_next (set, c))
    VIR_USE_CPU (map, c);
  return map;
}

static int
run_step (const Ctx  *ctx,
          const Step *s,
          gboolean    undo)
{
  const KtCpuset *set = undo ? s->before : s->after;
  g_autofree unsigned char *map = NULL;

  switch (s->kind)
    {
    case STEP_VCPUPIN:
      map = cpumap_of (ctx, set);
      return virDomainPinVcpuFlags (ctx->dom, s->id, map, ctx->maplen, VIR_DOMAIN_AFFECT_LIVE);
    case STEP_EMULATORPIN:
      map = cpumap_of (ctx, set);
      return virDomainPinEmulator (ctx->dom, map, ctx->maplen, VIR_DOMAIN_AFFECT_LIVE);
    case STEP_IOTHREADPIN:
      map = cpumap_of (ctx, set);
      return virDomainPinIOThread (ctx->dom, s->id, map, ctx->maplen, VIR_DOMAIN_AFFECT_LIVE);
    case STEP_NUMA_NODESET:
    default:
      {
        g_autofree char *text = NULL;
        virTypedParameterPtr params = NULL;
        int nparams = 0, maxparams = 0, ret;

        if (set == NULL)
          return 0;   /* nothing to go back to */
        text = kt_cpuset_format (set);
        if (virTypedParamsAddString (&params, &nparams, &maxparams, VIR_DOMAIN_NUMA_NODESET,
                                     text) < 0)
          return -1;
        ret = virDomainSetNumaParameters (ctx->dom, params, nparams, VIR_DOMAIN_AFFECT_LIVE);
        virTypedParamsFree (params, nparams);
        return ret;
      }
    }
}

static gboolean
pins_equal (const KtTuning *a,
            const KtTuning *b)
{
  if (a->vcpupin->len != b->vcpupin->len || a->iothreadpin->len != b->iothreadpin->len
      || !kt_cpuset_same (a->emulatorpin, b->emulatorpin)
      || !kt_cpuset_same (a->numa_nodeset, b->numa_nodeset)
      || g_strcmp0 (a->numa_mode, b->numa_mode) != 0)
    return FALSE;
  for (guint i = 0; i < a->vcpupin->len; i++)
    {
      const KtPin *p = &g_array_index (a->vcpupin, KtPin, i);

      if (!kt_cpuset_same (p->cpuset, kt_tuning_get_vcpupin (b, p->id)))
        return FALSE;
    }
  for (guint i = 0; i < a->iothreadpin->len; i++)
    {
      const KtPin *p = &g_array_index (a->iothreadpin, KtPin, i);

      if (!kt_cpuset_same (p->cpuset, kt_tuning_get_iothreadpin (b, p->id)))
        return FALSE;
    }
  return TRUE;
}

/* Whether the inactive XML @now libvirt gives is the config @expected
 * that was defined.  libvirt writes back what it was given in its own
 * layout, so the same text is the usual answer; what may differ is the
 * layout of what KvmTune added (indentation, where an element went), so
 * the second look compares the XML with the blanks between elements
 * dropped and the tuning KvmTune edits. */
gboolean
kt_apply_config_matches (const char *now,
                         const char *expected)
{
  g_autoptr(KtDomain) a = NULL;
  g_autoptr(KtDomain) b = NULL;
  g_autoptr(KtTuning) ta = NULL;
  g_autoptr(KtTuning) tb = NULL;

  if (g_str_equal (now, expected))
    return TRUE;
  a = kt_domain_new_from_xml (now, -1, NULL);
  b = kt_domain_new_from_xml (expected, -1, NULL);
  if (a == NULL || b == NULL)
    return FALSE;
  ta = kt_domain_get_tuning (a);
  tb = kt_domain_get_tuning (b);
  return pins_equal (ta, tb) && same_hugepages (ta, tb) && same_memnodes (ta, tb)
         && g_strcmp0 (ta->cpu_mode, tb->cpu_mode) == 0
         && g_strcmp0 (ta->cpu_model, tb->cpu_model) == 0
         && ta->has_topology == tb->has_topology && ta->sockets == tb->sockets
         && ta->dies == tb->dies && ta->cores == tb->cores && ta->threads == tb->threads
         && ta->vcpus == tb->vcpus && ta->memory_kib == tb->memory_kib
         && g_strcmp0 (ta->uuid, tb->uuid) == 0 && g_strcmp0 (ta->name, tb->name) == 0;
}

/* Refuses to overwrite a config someone else changed since we loaded it;
 * @during: the live steps were made already */
static gboolean
check_config_unchanged (KtApply  *self,
                        Ctx      *ctx,
                        gboolean  during,
                        GError  **error)
{
  const char *name = kt_vm_get_name (self->vm);
  char *now = virDomainGetXMLDesc (ctx->dom, VIR_DOMAIN_XML_INACTIVE);
  gboolean same;

  if (now == NULL)
    {
      kt_set_libvirt_error (error, _("Cannot read the config of “%s”"), name);
      return FALSE;
    }
  same = g_str_equal (now, self->base_inactive_xml);
  free (now);
  if (!same)
    {
      if (during)
        g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                     _("The config of “%s” was changed while the live steps were made (by "
                       "virsh or another tool). Nothing was applied: the live steps were "
                       "undone; reload it and try again."), name);
      else
        g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                     _("The config of “%s” was changed since it was loaded (by virsh or "
                       "another tool). Nothing was applied: reload it and try again."), name);
      return FALSE;
    }
  return TRUE;
}

/* Refuses to overwrite what someone else changed since we loaded it */
static gboolean
check_unchanged (KtApply  *self,
                 Ctx      *ctx,
                 GError  **error)
{
  const char *name = kt_vm_get_name (self->vm);

  if (self->define_xml != NULL && !check_config_unchanged (self, ctx, FALSE, error))
    return FALSE;
  if (self->steps->len > 0)
    {
      char *now = virDomainGetXMLDesc (ctx->dom, 0);
      g_autoptr(KtDomain) live = NULL;
      g_autoptr(KtTuning) t = NULL;

      if (now == NULL)
        {
          kt_set_libvirt_error (error, _("Cannot read the running definition of “%s”"), name);
          return FALSE;
        }
      live = kt_domain_new_from_xml (now, -1, error);
      free (now);
      if (live == NULL)
        return FALSE;
      t = kt_domain_get_tuning (live);
      if (!pins_equal (t, self->base_live))
        {
          g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                       _("The running pins of “%s” were changed since they were loaded (by "
                         "virsh or another tool). Nothing was applied: reload and try again."),
                       name);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
connection_lost (const Ctx *ctx)
{
  return virConnectIsAlive (ctx->conn) != 1;
}

/* After a failed call on a lost connection: whether the request never
 * left (the write failed: the daemon was gone already) */
static gboolean
request_not_sent (void)
{
  virErrorPtr err = virGetLastError ();

  return err != NULL && err->code == VIR_ERR_SYSTEM_ERROR && err->int1 == EPIPE;
}

/* Undoes the first @done steps; FALSE when one could not be undone, and
 * *@lost when that is because the connection went away */
static gboolean
rollback (KtApply   *self,
          const Ctx *ctx,
          guint      done,
          gboolean  *lost)
{
  gboolean ok = TRUE;

  *lost = FALSE;
  for (guint i = done; i > 0; i--)
    if (run_step (ctx, &g_array_index (self->steps, Step, i - 1), TRUE) < 0)
      {
        g_autofree char *what = describe_step (self, &g_array_index (self->steps, Step, i - 1),
                                               TRUE);

        ok = FALSE;
        if (connection_lost (ctx))
          {
            /* Nothing more gets through: the journal keeps the rest */
            *lost = TRUE;
            virResetLastError ();
            return FALSE;
          }
        g_warning ("Could not undo “%s”: %s", what, virGetLastErrorMessage ());
        virResetLastError ();
      }
  return ok;
}

static void
test_hook (KtApply    *self,
           const char *point)
{
  if (self->hook != NULL)
    self->hook (point, self->hook_data);
}

/* Reads back what was defined and compares it with what was asked for */
static gboolean
check_defined (KtApply      *self,
               virDomainPtr  defined,
               GError      **error)
{
  const char *name = kt_vm_get_name (self->vm);
  char *now = virDomainGetXMLDesc (defined, VIR_DOMAIN_XML_INACTIVE);
  gboolean same;

  if (now == NULL)
    {
      kt_set_libvirt_error (error, _("The config of “%s” was defined, but it cannot be read "
                                     "back"), name);
      return FALSE;
    }
  same = kt_apply_config_matches (now, self->define_xml);
  free (now);
  if (!same)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                   _("The config of “%s” was changed by virsh or another tool at the moment "
                     "KvmTune defined it: libvirt now has a config that is not the one "
                     "KvmTune defined. The live steps were made; check the config (virsh "
                     "dumpxml --inactive %s), reload and apply again."), name, name);
      return FALSE;
    }
  return TRUE;
}

/**
 * kt_apply_run:
 *
 * Makes the live calls, then defines the config.  On failure the live
 * calls already made are reverted, nothing is defined, and @error says
 * which step failed.
 *
 * Before the first live call it writes a journal (kt-journal.h), removed
 * when the apply completes or is rolled back.  When the connection is
 * lost midway, nothing can be reverted: the error (%KT_ERROR_INTERRUPTED)
 * says which steps landed and which did not, and the journal stays for
 * kt_apply_new_recovery ().  An apply to a VM with such a journal is
 * refused until it is recovered.
 *
 * A config changed by someone else between the last check and the define
 * is overwritten (libvirt has no compare-and-swap); the check is made
 * again just before the define, and what was defined is read back: a
 * difference is reported as %KT_ERROR_CONFLICT, the live steps kept.
 */
gboolean
kt_apply_run (KtApply       *self,
              KtConnection  *connection,
              GError       **error)
{
  Ctx ctx = { 0, };
  const char *name, *uri;
  char uuid[VIR_UUID_STRING_BUFLEN];
  g_autoptr(KtJournal) journal = NULL;
  gboolean ok = FALSE, lost;
  guint done = 0;

  g_return_val_if_fail (KT_IS_APPLY (self), FALSE);
  g_return_val_if_fail (KT_IS_CONNECTION (connection), FALSE);

  name = kt_vm_get_name (self->vm);
  uri = kt_connection_get_uri (connection);
  if (kt_apply_is_empty (self))
    {
      if (self->recovering != NULL && !kt_journal_remove (self->recovering, error))
        return FALSE;
      return TRUE;
    }
  if (kt_connection_is_read_only (connection))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_READ_ONLY,
                   _("The connection to %s is read-only: nothing can be applied"), uri);
      return FALSE;
    }

  ctx.conn = kt_connection_get_handle (connection);
  ctx.dom = virDomainLookupByName (ctx.conn, name);
  if (ctx.dom == NULL)
    {
      if (virGetLastErrorCode () == VIR_ERR_NO_DOMAIN)
        {
          virResetLastError ();
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND,
                       _("VM “%s” no longer exists. Nothing was applied."), name);
        }
      else
        kt_set_libvirt_error (error, _("Cannot find VM “%s”"), name);
      return FALSE;
    }
  if (virDomainGetUUIDString (ctx.dom, uuid) < 0)
    {
      kt_set_libvirt_error (error, _("Cannot read the UUID of “%s”"), name);
      goto out;
    }

  /* An apply that was cut short comes first */
  if (self->recovering == NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(KtJournal) pending = kt_journal_lookup (uri, uuid, &local);

      if (local != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                      _("Nothing was applied: "));
          goto out;
        }
      if (pending != NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_CONFLICT,
                       _("An earlier apply to “%s” on %s was interrupted (started %s; journal "
                         "%s): finish it or roll it back first. Nothing was applied."),
                       name, uri, kt_journal_get_started (pending),
                       kt_journal_get_path (pending));
          goto out;
        }
    }

  if (!check_unchanged (self, &ctx, error))
    goto out;

  if (self->steps->len > 0)
    {
      ctx.n_cpus = virNodeGetCPUMap (ctx.conn, &ctx.all_map, NULL, 0);
      if (ctx.n_cpus < 0)
        {
          kt_set_libvirt_error (error, _("Cannot read the host's CPUs"));
          goto out;
        }
      ctx.maplen = VIR_CPU_MAPLEN (ctx.n_cpus);

      /* The intent, on disk before the first live step */
      if (self->recovering != NULL)
        journal = g_object_ref (self->recovering);
      else
        {
          journal = kt_apply_make_journal (self, uri, uuid);
          if (!kt_journal_save (journal, error))
            {
              g_clear_object (&journal);
              g_prefix_error (error, _("Nothing was applied: "));
              goto out;
            }
        }
    }

  for (done = 0; done < self->steps->len; done++)
    {
      const Step *s = &g_array_index (self->steps, Step, done);
      gboolean sent;

      if (done > 0)
        kt_apply_test_pause (done);
      sent = !connection_lost (&ctx);
      if (run_step (&ctx, s, FALSE) < 0)
        {
          g_autofree char *what = describe_step (self, s, FALSE);

          sent = sent && !request_not_sent ();
          kt_set_libvirt_error (error, _("%s failed"), what);
          if (connection_lost (&ctx))
            {
              kt_apply_set_interrupted (self, journal, uri, done, sent, FALSE, error);
              goto out;
            }
          if (!rollback (self, &ctx, done, &lost) && lost)
            {
              kt_apply_set_interrupted (self, journal, uri, done, FALSE, FALSE, error);
              g_prefix_error (error, _("%s failed, and while its earlier steps were undone: "),
                              what);
              goto out;
            }
          kt_apply_forget_journal_on_failure (self, journal);
          g_prefix_error (error, done > 0 ? _("Nothing was changed: the earlier live steps "
                                              "were undone. ")
                                          : _("Nothing was changed. "));
          goto out;
        }
    }
  if (done > 0)
    kt_apply_test_pause (done);

  if (self->define_xml != NULL)
    {
      virDomainPtr defined;
      gboolean sent;

      /* As late as libvirt allows: it has no compare-and-swap for a define */
      test_hook (self, "before-define-check");
      if (!check_config_unchanged (self, &ctx, self->steps->len > 0, error))
        {
          if (!rollback (self, &ctx, done, &lost) && lost)
            {
              kt_apply_set_interrupted (self, journal, uri, done, FALSE, FALSE, error);
              goto out;
            }
          kt_apply_forget_journal_on_failure (self, journal);
          goto out;
        }
      sent = !connection_lost (&ctx);
      defined = virDomainDefineXMLFlags (ctx.conn, self->define_xml, VIR_DOMAIN_DEFINE_VALIDATE);
      if (defined == NULL)
        {
          sent = sent && !request_not_sent ();
          kt_set_libvirt_error (error, _("Defining the new config of “%s” failed"), name);
          if (journal != NULL && connection_lost (&ctx))
            {
              kt_apply_set_interrupted (self, journal, uri, done, sent, TRUE, error);
              goto out;
            }
          if (!rollback (self, &ctx, done, &lost) && lost)
            {
              kt_apply_set_interrupted (self, journal, uri, done, FALSE, FALSE, error);
              goto out;
            }
          kt_apply_forget_journal_on_failure (self, journal);
          g_prefix_error (error, _("Nothing was changed. "));
          goto out;
        }
      test_hook (self, "after-define");
      if (!check_defined (self, defined, error))
        {
          virDomainFree (defined);
          kt_apply_forget_journal_on_failure (self, journal);
          goto out;
        }
      virDomainFree (defined);
    }
  ok = TRUE;
  if (journal != NULL)
    kt_apply_forget_journal (journal);
  else if (self->recovering != NULL)
    kt_apply_forget_journal (self->recovering);

out:
  free (ctx.all_map);
  virDomainFree (ctx.dom);
  return ok;
}

/* In a worker thread ------------------------------------------------------ */

typedef struct
{
  KtApply      *apply;
  KtConnection *connection;
  char         *name;
} ExecuteData;

static void
execute_data_free (gpointer data)
{
  ExecuteData *d = data;

  g_clear_object (&d->apply);
  g_clear_object (&d->connection);
  g_free (d->name);
  g_free (d);
}

static void
execute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ExecuteData *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) read_error = NULL;
  KtVm *vm;

  if (!kt_apply_run (d->apply, d->connection, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Applied: a failure to read it back does not undo that */
  vm = kt_connection_read_vm (d->connection, d->name, &read_error);
  if (read_error != NULL)
    g_warning ("Applied to “%s”, but cannot read it back: %s", d->name, read_error->message);
  g_task_return_pointer (task, vm, vm != NULL ? g_object_unref : NULL);
}

/**
 * kt_apply_execute_async:
 * @name: the VM's name, to read it back
 *
 * kt_apply_run() in a worker thread, then the VM read back from
 * @connection (kt_connection_read_vm()).  The apply itself is not
 * cancellable: @cancellable only stops the callback from being told more
 * than that it was cancelled.
 */
void
kt_apply_execute_async (KtApply             *self,
                        KtConnection        *connection,
                        const char          *name,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExecuteData *d;

  g_return_if_fail (KT_IS_APPLY (self));
  g_return_if_fail (KT_IS_CONNECTION (connection));
  g_return_if_fail (name != NULL);

  d = g_new0 (ExecuteData, 1);
  d->apply = g_object_ref (self);
  d->connection = g_object_ref (connection);
  d->name = g_strdup (name);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_apply_execute_async);
  g_task_set_task_data (task, d, execute_data_free);
  g_task_run_in_thread (task, execute_thread);
}

/**
 * kt_apply_execute_finish:
 * @reloaded: (out) (optional) (transfer full) (nullable): the VM read
 *   back; %NULL when that failed or it is gone
 *
 * Returns: whether it was applied
 */
gboolean
kt_apply_execute_finish (KtApply       *self,
                         GAsyncResult  *result,
                         KtVm         **reloaded,
                         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  KtVm *vm;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (reloaded != NULL)
    *reloaded = NULL;
  vm = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (reloaded != NULL)
    *reloaded = vm;
  else
    g_clear_object (&vm);
  return TRUE;
}
