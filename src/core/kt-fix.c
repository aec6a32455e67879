/* kt-fix.c: a proposed tuning change, as data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "kt-error.h"
#include "kt-fix.h"

static const char * const kind_names[] = {
  [KT_FIX_VCPUPIN] = "vcpupin",
  [KT_FIX_EMULATORPIN] = "emulatorpin",
  [KT_FIX_IOTHREADPIN] = "iothreadpin",
  [KT_FIX_NUMATUNE] = "numatune",
  [KT_FIX_MEMNODE] = "memnode",
  [KT_FIX_HUGEPAGES] = "hugepages",
  [KT_FIX_NOSHAREPAGES] = "nosharepages",
  [KT_FIX_HARD_LIMIT] = "hard_limit",
  [KT_FIX_CPU_MODE] = "cpu-mode",
  [KT_FIX_CPU_TOPOLOGY] = "cpu-topology",
  [KT_FIX_HOST] = "host",
};

static void
step_free (gpointer data)
{
  KtFixStep *s = data;

  g_free (s->vm);
  g_clear_pointer (&s->cpuset, kt_cpuset_free);
  g_free (s->mode);
  g_free (s->model);
  g_free (s->key);
  g_free (s->value);
  g_free (s);
}

static KtFixStep *
step_copy (const KtFixStep *s)
{
  KtFixStep *c = g_memdup2 (s, sizeof *s);

  c->vm = g_strdup (s->vm);
  c->cpuset = s->cpuset ? kt_cpuset_copy (s->cpuset) : NULL;
  c->mode = g_strdup (s->mode);
  c->model = g_strdup (s->model);
  c->key = g_strdup (s->key);
  c->value = g_strdup (s->value);
  return c;
}

KtFix *
kt_fix_new (const char *summary)
{
  KtFix *fix = g_new0 (KtFix, 1);

  fix->summary = g_strdup (summary);
  fix->steps = g_ptr_array_new_with_free_func (step_free);
  return fix;
}

void
kt_fix_free (KtFix *fix)
{
  if (fix == NULL)
    return;
  g_free (fix->summary);
  g_ptr_array_unref (fix->steps);
  g_free (fix);
}

KtFix *
kt_fix_copy (const KtFix *fix)
{
  KtFix *c;

  g_return_val_if_fail (fix != NULL, NULL);

  c = kt_fix_new (fix->summary);
  for (guint i = 0; i < fix->steps->len; i++)
    g_ptr_array_add (c->steps, step_copy (g_ptr_array_index (fix->steps, i)));
  return c;
}

gboolean
kt_fix_is_automatic (const KtFix *fix)
{
  g_return_val_if_fail (fix != NULL, FALSE);
  return fix->steps->len > 0;
}

static gboolean
has_kind (const KtFix *fix,
          gboolean     host)
{
  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);

      if ((s->kind == KT_FIX_HOST) == host)
        return TRUE;
    }
  return FALSE;
}

gboolean
kt_fix_has_host_steps (const KtFix *fix)
{
  g_return_val_if_fail (fix != NULL, FALSE);
  return has_kind (fix, TRUE);
}

gboolean
kt_fix_has_domain_steps (const KtFix *fix)
{
  g_return_val_if_fail (fix != NULL, FALSE);
  return has_kind (fix, FALSE);
}

static KtFixStep *
add_step (KtFix      *fix,
          KtFixKind   kind,
          const char *vm)
{
  KtFixStep *s = g_new0 (KtFixStep, 1);

  s->kind = kind;
  s->vm = g_strdup (vm);
  g_ptr_array_add (fix->steps, s);
  return s;
}

KtFixStep *
kt_fix_add_pin (KtFix          *fix,
                KtFixKind       kind,
                const char     *vm,
                guint           index,
                const KtCpuset *cpuset)
{
  KtFixStep *s;

  g_return_val_if_fail (fix != NULL && vm != NULL && cpuset != NULL, NULL);
  g_return_val_if_fail (kind == KT_FIX_VCPUPIN || kind == KT_FIX_EMULATORPIN
                        || kind == KT_FIX_IOTHREADPIN, NULL);

  s = add_step (fix, kind, vm);
  s->index = index;
  s->cpuset = kt_cpuset_copy (cpuset);
  return s;
}

KtFixStep *
kt_fix_add_numatune (KtFix          *fix,
                     const char     *vm,
                     const char     *mode,
                     const KtCpuset *nodeset)
{
  KtFixStep *s;

  g_return_val_if_fail (fix != NULL && vm != NULL, NULL);

  s = add_step (fix, KT_FIX_NUMATUNE, vm);
  s->mode = g_strdup (mode);
  s->cpuset = nodeset ? kt_cpuset_copy (nodeset) : NULL;
  return s;
}

KtFixStep *
kt_fix_add_memnode (KtFix          *fix,
                    const char     *vm,
                    guint           cellid,
                    const char     *mode,
                    const KtCpuset *nodeset)
{
  KtFixStep *s;

  g_return_val_if_fail (fix != NULL && vm != NULL && nodeset != NULL, NULL);

  s = add_step (fix, KT_FIX_MEMNODE, vm);
  s->index = cellid;
  s->mode = g_strdup (mode);
  s->cpuset = kt_cpuset_copy (nodeset);
  return s;
}

KtFixStep *
kt_fix_add_number (KtFix          *fix,
                   KtFixKind       kind,
                   const char     *vm,
                   gint64          number,
                   const KtCpuset *cpuset)
{
  KtFixStep *s;

  g_return_val_if_fail (fix != NULL && vm != NULL, NULL);
  g_return_val_if_fail (kind == KT_FIX_HUGEPAGES || kind == KT_FIX_NOSHAREPAGES
                        || kind == KT_FIX_HARD_LIMIT, NULL);

  s = add_step (fix, kind, vm);
  s->number = number;
  s->cpuset = cpuset ? kt_cpuset_copy (cpuset) : NULL;
  return s;
}

KtFixStep *
kt_fix_add_cpu_mode (KtFix      *fix,
                     const char *vm,
                     const char *mode,
                     const char *model)
{
  KtFixStep *s;

  g_return_val_if_fail (fix != NULL && vm != NULL && mode != NULL, NULL);

  s = add_step (fix, KT_FIX_CPU_MODE, vm);
  s->mode = g_strdup (mode);
  s->model = g_strdup (model);
  return s;
}

KtFixStep *
kt_fix_add_topology (KtFix      *fix,
                     const char *vm,
                     guint       sockets,
                     guint       dies,
                     guint       cores,
                     guint       threads)
{
  KtFixStep *s;

  g_return_val_if_fail (fix != NULL && vm != NULL, NULL);

  s = add_step (fix, KT_FIX_CPU_TOPOLOGY, vm);
  s->topology[0] = sockets;
  s->topology[1] = dies;
  s->topology[2] = cores;
  s->topology[3] = threads;
  return s;
}

KtFixStep *
kt_fix_add_host (KtFix      *fix,
                 const char *key,
                 const char *value)
{
  KtFixStep *s;

  g_return_val_if_fail (fix != NULL && key != NULL && value != NULL, NULL);

  s = add_step (fix, KT_FIX_HOST, NULL);
  s->key = g_strdup (key);
  s->value = g_strdup (value);
  return s;
}

/**
 * kt_fix_step_describe:
 *
 * Returns: (transfer full): the step in kvmtune-cli's terms
 */
char *
kt_fix_step_describe (const KtFixStep *s)
{
  g_autofree char *set = NULL;

  g_return_val_if_fail (s != NULL, NULL);

  set = s->cpuset ? kt_cpuset_format (s->cpuset) : NULL;
  switch (s->kind)
    {
    case KT_FIX_VCPUPIN:
      return g_strdup_printf ("pin %s %u %s", s->vm, s->index, set);
    case KT_FIX_EMULATORPIN:
      return g_strdup_printf ("emulatorpin %s %s", s->vm, set);
    case KT_FIX_IOTHREADPIN:
      return g_strdup_printf ("iothreadpin %s %u %s", s->vm, s->index, set);
    case KT_FIX_NUMATUNE:
      return g_strdup_printf ("numatune %s%s%s%s%s", s->vm, s->mode ? " --mode " : "",
                              s->mode ? s->mode : "", set ? " --nodeset " : "", set ? set : "");
    case KT_FIX_MEMNODE:
      return g_strdup_printf ("memnode %s cell %u --mode %s --nodeset %s", s->vm, s->index,
                              s->mode, set);
    case KT_FIX_HUGEPAGES:
      return g_strdup_printf ("hugepages %s --size %" G_GINT64_FORMAT "%s%s", s->vm, s->number,
                              set ? " --nodeset " : "", set ? set : "");
    case KT_FIX_NOSHAREPAGES:
      return g_strdup_printf ("nosharepages %s %s", s->vm, s->number ? "on" : "off");
    case KT_FIX_HARD_LIMIT:
      return g_strdup_printf ("memtune %s --hard-limit %" G_GINT64_FORMAT, s->vm, s->number);
    case KT_FIX_CPU_MODE:
      return g_strdup_printf ("cpu-model %s %s%s%s", s->vm, s->mode, s->model ? " " : "",
                              s->model ? s->model : "");
    case KT_FIX_CPU_TOPOLOGY:
      return g_strdup_printf ("cpu-topology %s %u sockets, %u dies, %u cores, %u threads", s->vm,
                              s->topology[0], s->topology[1], s->topology[2], s->topology[3]);
    case KT_FIX_HOST:
    default:
      return g_strdup_printf ("%s=%s", s->key, s->value);
    }
}

static gboolean
edit_step (const KtFixStep  *s,
           KtDomain         *domain,
           GError          **error)
{
  switch (s->kind)
    {
    case KT_FIX_VCPUPIN:
      return kt_domain_set_vcpupin (domain, s->index, s->cpuset, error);
    case KT_FIX_EMULATORPIN:
      return kt_domain_set_emulatorpin (domain, s->cpuset, error);
    case KT_FIX_IOTHREADPIN:
      return kt_domain_set_iothreadpin (domain, s->index, s->cpuset, error);
    case KT_FIX_NUMATUNE:
      return kt_domain_set_numatune (domain, s->mode, s->cpuset, error);
    case KT_FIX_MEMNODE:
      return kt_domain_set_memnode (domain, s->index, s->mode, s->cpuset, error);
    case KT_FIX_HUGEPAGES:
      return kt_domain_set_hugepages (domain, (guint64) s->number, s->cpuset, error);
    case KT_FIX_NOSHAREPAGES:
      kt_domain_set_nosharepages (domain, s->number != 0);
      return TRUE;
    case KT_FIX_HARD_LIMIT:
      return kt_domain_set_memtune_hard_limit (domain, s->number, error);
    case KT_FIX_CPU_MODE:
      return kt_domain_set_cpu_mode (domain, s->mode, s->model, error);
    case KT_FIX_CPU_TOPOLOGY:
      return kt_domain_set_cpu_topology (domain, s->topology[0], s->topology[1], s->topology[2],
                                         s->topology[3], error);
    case KT_FIX_HOST:
    default:
      return TRUE;
    }
}

/* Makes @fix's steps for @vm_name on @domain, in order, but for host
 * steps and, unless @pins, its vCPU pins */
static gboolean
edit_steps (const KtFix  *fix,
            const char   *vm_name,
            gboolean      pins,
            KtDomain     *domain,
            GError      **error)
{
  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);

      if (s->kind == KT_FIX_HOST || (s->kind == KT_FIX_VCPUPIN && !pins)
          || g_strcmp0 (s->vm, vm_name) != 0)
        continue;
      if (!edit_step (s, domain, error))
        {
          g_autofree char *what = kt_fix_step_describe (s);

          g_prefix_error (error, _("%s: "), what);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * kt_fix_edit_domain:
 *
 * Makes @fix's steps for the domain @vm_name on @domain, one definition
 * of it, in order.  Host steps and other domains' steps are left out.
 */
gboolean
kt_fix_edit_domain (const KtFix  *fix,
                    const char   *vm_name_in,
                    KtDomain     *domain,
                    GError      **error)
{
  g_autofree char *vm_name = NULL;

  g_return_val_if_fail (fix != NULL, FALSE);
  g_return_val_if_fail (vm_name_in != NULL, FALSE);
  g_return_val_if_fail (KT_IS_DOMAIN (domain), FALSE);

  /* The name may be the domain's own (kt_domain_get_name ()), which an
   * edit frees */
  vm_name = g_strdup (vm_name_in);
  return edit_steps (fix, vm_name, TRUE, domain, error);
}

static gboolean
has_rest (const KtFix *fix,
          const char  *vm_name)
{
  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);

      if (s->kind != KT_FIX_HOST && s->kind != KT_FIX_VCPUPIN && g_strcmp0 (s->vm, vm_name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Every VM a domain step names, once, in order */
static GPtrArray *
fix_vms (const KtFix *fix)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);
      gboolean seen = FALSE;

      if (s->vm == NULL)
        continue;
      for (guint j = 0; j < names->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (names, j), s->vm);
      if (!seen)
        g_ptr_array_add (names, s->vm);
    }
  return names;
}

static KtDomain *
edited_copy (const KtFix  *fix,
             const char   *name,
             KtDomain     *domain,
             gboolean      all,
             GError      **error)
{
  g_autoptr(KtDomain) copy = NULL;

  if (domain == NULL)
    return NULL;
  copy = kt_domain_copy (domain);
  if (all ? !kt_fix_edit_domain (fix, name, copy, error)
          : !edit_steps (fix, name, FALSE, copy, error))
    return NULL;
  return g_steal_pointer (&copy);
}

/**
 * kt_fix_apply_to_plan:
 *
 * See kt-fix.h.  A manual fix (no steps) is refused with
 * %KT_ERROR_INVALID_VALUE, its summary in the message.
 */
gboolean
kt_fix_apply_to_plan (const KtFix   *fix,
                      KtPlan        *plan,
                      KtHostTuning  *host_pending,
                      GError       **error)
{
  KtSnapshot *snapshot;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(KtHostTuning) host_check = NULL;
  gboolean rest_done = FALSE;

  g_return_val_if_fail (fix != NULL, FALSE);
  g_return_val_if_fail (KT_IS_PLAN (plan), FALSE);

  if (!kt_fix_is_automatic (fix))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                   _("No automatic fix: %s"), fix->summary);
      return FALSE;
    }
  snapshot = kt_plan_get_snapshot (plan);
  names = fix_vms (fix);

  /* Every step is tried on copies first */
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      KtVm *vm = kt_snapshot_lookup_vm (snapshot, name);
      g_autoptr(KtDomain) live = NULL;
      g_autoptr(KtDomain) inactive = NULL;
      g_autoptr(GError) local = NULL;

      if (vm == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_NOT_FOUND, _("No domain called “%s”"), name);
          return FALSE;
        }
      live = edited_copy (fix, name, kt_vm_get_live (vm), TRUE, &local);
      if (local == NULL)
        inactive = edited_copy (fix, name, kt_vm_get_inactive (vm), TRUE, &local);
      if (local != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), _("Domain “%s”: "), name);
          return FALSE;
        }
    }
  if (kt_fix_has_host_steps (fix))
    {
      if (host_pending == NULL)
        {
          g_set_error (error, KT_ERROR, KT_ERROR_INVALID_VALUE,
                       _("This fix changes host settings, and there is no pending host "
                         "tuning to put them in"));
          return FALSE;
        }
      host_check = kt_host_tuning_copy (host_pending);
      for (guint i = 0; i < fix->steps->len; i++)
        {
          const KtFixStep *s = g_ptr_array_index (fix->steps, i);

          if (s->kind == KT_FIX_HOST
              && !kt_host_tuning_set_value (host_check, s->key, s->value, error))
            return FALSE;
        }
    }

  /* Then made: the pins through the plan, per VM in one undo step */
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      KtVm *vm = kt_snapshot_lookup_vm (snapshot, name);
      g_autoptr(GArray) vcpus = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(GPtrArray) targets = g_ptr_array_new ();

      for (guint j = 0; j < fix->steps->len; j++)
        {
          const KtFixStep *s = g_ptr_array_index (fix->steps, j);

          if (s->kind == KT_FIX_VCPUPIN && g_str_equal (s->vm, name))
            {
              g_array_append_val (vcpus, s->index);
              g_ptr_array_add (targets, s->cpuset);
            }
        }
      if (vcpus->len > 0
          && !kt_plan_pin_each (plan, vm, (const guint *) vcpus->data, vcpus->len, targets,
                                error))
        return FALSE;
      if (has_rest (fix, name))
        {
          g_autoptr(KtDomain) live = NULL;
          g_autoptr(KtDomain) inactive = NULL;

          /* Checked above; the pins are in the definitions by now */
          live = edited_copy (fix, name, kt_vm_get_live (vm), FALSE, NULL);
          inactive = edited_copy (fix, name, kt_vm_get_inactive (vm), FALSE, NULL);
          kt_vm_set_definitions (vm, live, inactive);
          rest_done = TRUE;
        }
    }
  if (host_check != NULL)
    for (guint i = 0; i < fix->steps->len; i++)
      {
        const KtFixStep *s = g_ptr_array_index (fix->steps, i);

        if (s->kind == KT_FIX_HOST)
          kt_host_tuning_set_value (host_pending, s->key, s->value, NULL);
      }
  /* The pins' steps said so already; the other edits are not the plan's
   * own steps (no undo), but whoever shows it redraws */
  if (rest_done)
    g_signal_emit_by_name (plan, "changed");
  return TRUE;
}

/**
 * kt_fix_to_json:
 *
 * Returns: (transfer full): {"automatic", "summary", "domain": [{"edit":
 * "numatune", "vm", "mode", "nodeset"}, ...], "host": {"KEY": "VALUE"}}
 */
JsonNode *
kt_fix_to_json (const KtFix *fix)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (fix != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "automatic");
  json_builder_add_boolean_value (b, kt_fix_is_automatic (fix));
  json_builder_set_member_name (b, "summary");
  json_builder_add_string_value (b, fix->summary);
  json_builder_set_member_name (b, "domain");
  json_builder_begin_array (b);
  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);
      g_autofree char *set = s->cpuset ? kt_cpuset_format (s->cpuset) : NULL;

      if (s->kind == KT_FIX_HOST)
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "edit");
      json_builder_add_string_value (b, kind_names[s->kind]);
      json_builder_set_member_name (b, "vm");
      json_builder_add_string_value (b, s->vm);
      switch (s->kind)
        {
        case KT_FIX_VCPUPIN:
        case KT_FIX_IOTHREADPIN:
          json_builder_set_member_name (b, s->kind == KT_FIX_VCPUPIN ? "vcpu" : "iothread");
          json_builder_add_int_value (b, s->index);
          G_GNUC_FALLTHROUGH;
        case KT_FIX_EMULATORPIN:
          json_builder_set_member_name (b, "cpuset");
          json_builder_add_string_value (b, set);
          break;
        case KT_FIX_MEMNODE:
          json_builder_set_member_name (b, "cellid");
          json_builder_add_int_value (b, s->index);
          G_GNUC_FALLTHROUGH;
        case KT_FIX_NUMATUNE:
          json_builder_set_member_name (b, "mode");
          json_builder_add_string_value (b, s->mode);
          json_builder_set_member_name (b, "nodeset");
          json_builder_add_string_value (b, set);
          break;
        case KT_FIX_HUGEPAGES:
          json_builder_set_member_name (b, "size_kib");
          json_builder_add_int_value (b, s->number);
          json_builder_set_member_name (b, "nodeset");
          json_builder_add_string_value (b, set);
          break;
        case KT_FIX_NOSHAREPAGES:
          json_builder_set_member_name (b, "enabled");
          json_builder_add_boolean_value (b, s->number != 0);
          break;
        case KT_FIX_HARD_LIMIT:
          json_builder_set_member_name (b, "kib");
          json_builder_add_int_value (b, s->number);
          break;
        case KT_FIX_CPU_MODE:
          json_builder_set_member_name (b, "mode");
          json_builder_add_string_value (b, s->mode);
          json_builder_set_member_name (b, "model");
          json_builder_add_string_value (b, s->model);
          break;
        case KT_FIX_CPU_TOPOLOGY:
          {
            static const char * const parts[] = { "sockets", "dies", "cores", "threads" };

            for (guint p = 0; p < 4; p++)
              {
                json_builder_set_member_name (b, parts[p]);
                json_builder_add_int_value (b, s->topology[p]);
              }
          }
          break;
        case KT_FIX_HOST:
        default:
          break;
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "host");
  json_builder_begin_object (b);
  for (guint i = 0; i < fix->steps->len; i++)
    {
      const KtFixStep *s = g_ptr_array_index (fix->steps, i);

      if (s->kind != KT_FIX_HOST)
        continue;
      json_builder_set_member_name (b, s->key);
      json_builder_add_string_value (b, s->value);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
