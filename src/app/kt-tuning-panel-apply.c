/* kt-tuning-panel-apply.c: the tuning panel's pending edits, and applying
 *
 * What the plan cannot hold is kept here, per VM, as a KtEdits: checked by
 * replaying it onto copies of the VM's definitions when it is made
 * (_kt_tuning_panel_commit_edits ()), and replayed once more onto the
 * targets of the apply.  Here too: the apply dialog and its outcome, the
 * toast's Undo, the reload, and Discard.
 *
 * This file is the boundary the session in the core (KtSession) takes
 * over: the sections call only what kt-tuning-panel-private.h declares for
 * it (get, begin, commit and forget edits; has_changes).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "kt-apply-dialog.h"
#include "kt-tuning-panel-private.h"

/* Pending edits ---------------------------------------------------------- */

static GHashTable *
pin_table_new (void)
{
  return g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                (GDestroyNotify) kt_cpuset_free);
}

static KtEdits *
edits_new (void)
{
  KtEdits *e = g_new0 (KtEdits, 1);

  e->iothreadpins = pin_table_new ();
  e->memnodes = pin_table_new ();
  e->nosharepages = -1;
  e->locked = -1;
  return e;
}

void
_kt_tuning_panel_edits_free (KtEdits *e)
{
  if (e == NULL)
    return;
  kt_cpuset_free (e->emulatorpin);
  g_hash_table_unref (e->iothreadpins);
  g_free (e->numa_mode);
  kt_cpuset_free (e->numa_nodeset);
  g_hash_table_unref (e->memnodes);
  kt_cpuset_free (e->page_cells);
  g_free (e->cpu_mode);
  g_free (e->cpu_model);
  g_free (e);
}


static void
copy_pin_table (GHashTable *to,
                GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, key, kt_cpuset_copy (value));
}

static KtEdits *
edits_copy (const KtEdits *e)
{
  KtEdits *c = edits_new ();

  if (e == NULL)
    return c;
  c->has_emulatorpin = e->has_emulatorpin;
  c->emulatorpin = set_copy (e->emulatorpin);
  copy_pin_table (c->iothreadpins, e->iothreadpins);
  c->numa_mode = g_strdup (e->numa_mode);
  c->numa_nodeset = set_copy (e->numa_nodeset);
  copy_pin_table (c->memnodes, e->memnodes);
  c->has_hugepages = e->has_hugepages;
  c->page_kib = e->page_kib;
  c->page_cells = set_copy (e->page_cells);
  c->nosharepages = e->nosharepages;
  c->locked = e->locked;
  c->has_hard_limit = e->has_hard_limit;
  c->hard_limit_kib = e->hard_limit_kib;
  c->cpu_mode = g_strdup (e->cpu_mode);
  c->cpu_model = g_strdup (e->cpu_model);
  c->has_topology = e->has_topology;
  memcpy (c->topology, e->topology, sizeof c->topology);
  return c;
}

guint
_kt_tuning_panel_edits_count (const KtEdits *e)
{
  if (e == NULL)
    return 0;
  return (e->has_emulatorpin ? 1 : 0) + g_hash_table_size (e->iothreadpins)
         + (e->numa_mode != NULL || e->numa_nodeset != NULL ? 1 : 0)
         + g_hash_table_size (e->memnodes) + (e->has_hugepages ? 1 : 0)
         + (e->nosharepages >= 0 ? 1 : 0) + (e->locked >= 0 ? 1 : 0)
         + (e->has_hard_limit ? 1 : 0) + (e->cpu_mode != NULL ? 1 : 0)
         + (e->has_topology ? 1 : 0);
}

static int
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (*(gconstpointer *) a), y = GPOINTER_TO_UINT (*(gconstpointer *) b);

  return x < y ? -1 : x > y;
}

static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_uint);
  return keys;
}

/* Makes the edits in @domain, in a fixed order */
gboolean
_kt_tuning_panel_edits_replay (const KtEdits  *e,
                               KtDomain       *domain,
                               GError        **error)
{
  if (e == NULL)
    return TRUE;

  if (e->cpu_mode != NULL
      && !kt_domain_set_cpu_mode (domain, e->cpu_mode, e->cpu_model, error))
    return FALSE;
  if (e->has_topology
      && !kt_domain_set_cpu_topology (domain, e->topology[0], e->topology[1], e->topology[2],
                                      e->topology[3], error))
    return FALSE;
  if ((e->numa_mode != NULL || e->numa_nodeset != NULL)
      && !kt_domain_set_numatune (domain, e->numa_mode, e->numa_nodeset, error))
    return FALSE;
  if (g_hash_table_size (e->memnodes) > 0)
    {
      g_autoptr(GPtrArray) keys = sorted_keys (e->memnodes);

      for (guint i = 0; i < keys->len; i++)
        {
          guint cell = GPOINTER_TO_UINT (g_ptr_array_index (keys, i));
          const KtCpuset *set = g_hash_table_lookup (e->memnodes, GUINT_TO_POINTER (cell));
          g_autoptr(KtTuning) t = kt_domain_get_tuning (domain);
          const char *mode = NULL;

          /* A memnode keeps its mode; a new one is strict */
          for (guint m = 0; m < t->memnodes->len; m++)
            if (g_array_index (t->memnodes, KtMemnode, m).cellid == cell)
              mode = g_array_index (t->memnodes, KtMemnode, m).mode;
          if (!kt_domain_set_memnode (domain, cell, mode,
                                      kt_cpuset_is_empty (set) ? NULL : set, error))
            return FALSE;
        }
    }
  if (e->has_hugepages
      && !kt_domain_set_hugepages (domain, e->page_kib, e->page_cells, error))
    return FALSE;
  if (e->nosharepages >= 0)
    kt_domain_set_nosharepages (domain, e->nosharepages);
  if (e->locked >= 0)
    kt_domain_set_locked (domain, e->locked);
  if (e->has_hard_limit && !kt_domain_set_memtune_hard_limit (domain, e->hard_limit_kib, error))
    return FALSE;
  if (e->has_emulatorpin && !kt_domain_set_emulatorpin (domain, e->emulatorpin, error))
    return FALSE;
  if (g_hash_table_size (e->iothreadpins) > 0)
    {
      g_autoptr(GPtrArray) keys = sorted_keys (e->iothreadpins);

      for (guint i = 0; i < keys->len; i++)
        {
          guint id = GPOINTER_TO_UINT (g_ptr_array_index (keys, i));
          const KtCpuset *set = g_hash_table_lookup (e->iothreadpins, GUINT_TO_POINTER (id));

          if (!kt_domain_set_iothreadpin (domain, id, kt_cpuset_is_empty (set) ? NULL : set,
                                          error))
            return FALSE;
        }
    }
  return TRUE;
}



/* The VM's definitions as they were loaded: what an apply starts from */
static KtVm *
make_base (KtVm    *vm,
           GError **error)
{
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) inactive = NULL;

  if (kt_vm_get_live (vm) != NULL)
    {
      live = kt_domain_new_from_xml (kt_domain_get_original_xml (kt_vm_get_live (vm)), -1, error);
      if (live == NULL)
        return NULL;
    }
  if (kt_vm_get_inactive (vm) != NULL)
    {
      inactive = kt_domain_new_from_xml (kt_domain_get_original_xml (kt_vm_get_inactive (vm)),
                                         -1, error);
      if (inactive == NULL)
        return NULL;
    }
  return kt_vm_new (kt_vm_get_name (vm), kt_vm_get_state (vm), kt_vm_get_id (vm),
                    kt_vm_get_persistent (vm), live, inactive);
}

/* Copies of @vm's definitions with @edits made; what gets applied */
static gboolean
make_targets (KtVm           *vm,
              const KtEdits  *edits,
              KtDomain      **live,
              KtDomain      **config,
              GError        **error)
{
  g_autoptr(KtDomain) l = NULL;
  g_autoptr(KtDomain) c = NULL;

  if (kt_vm_is_active (vm))
    {
      l = kt_domain_copy (kt_vm_get_live (vm));
      if (!_kt_tuning_panel_edits_replay (edits, l, error))
        {
          g_prefix_error (error, _("Running definition: "));
          return FALSE;
        }
    }
  if (kt_vm_get_inactive (vm) != NULL)
    {
      c = kt_domain_copy (kt_vm_get_inactive (vm));
      if (!_kt_tuning_panel_edits_replay (edits, c, error))
        {
          g_prefix_error (error, _("Config: "));
          return FALSE;
        }
    }
  if (live != NULL)
    *live = g_steal_pointer (&l);
  if (config != NULL)
    *config = g_steal_pointer (&c);
  return TRUE;
}

/* The edits of the VM shown; NULL: none */
KtEdits *
_kt_tuning_panel_get_edits (KtTuningPanel *self)
{
  return self->vm != NULL ? g_hash_table_lookup (self->edits, kt_vm_get_name (self->vm)) : NULL;
}

KtEdits *
_kt_tuning_panel_begin_edits (KtTuningPanel *self)
{
  return edits_copy (_kt_tuning_panel_get_edits (self));
}

/* Takes @candidate as the VM's edits if every definition takes it */
gboolean
_kt_tuning_panel_commit_edits (KtTuningPanel  *self,
                               KtEdits        *candidate,
                               GError        **error)
{
  if (self->vm == NULL)
    {
      _kt_tuning_panel_edits_free (candidate);
      return FALSE;
    }
  if (!make_targets (self->vm, candidate, NULL, NULL, error))
    {
      _kt_tuning_panel_edits_free (candidate);
      return FALSE;
    }
  g_hash_table_replace (self->edits, g_strdup (kt_vm_get_name (self->vm)), candidate);
  _kt_tuning_panel_refresh (self);
  return TRUE;
}

void
_kt_tuning_panel_forget_edits (KtTuningPanel *self,
                               KtVm          *vm)
{
  if (vm != NULL)
    g_hash_table_remove (self->edits, kt_vm_get_name (vm));
  else
    g_hash_table_remove_all (self->edits);
}

/* Whether @vm has pending pins or panel edits */
gboolean
_kt_tuning_panel_has_changes (KtTuningPanel *self,
                              KtVm          *vm)
{
  g_autoptr(KtTuning) t = NULL;

  if (vm == NULL || self->plan == NULL)
    return FALSE;
  if (_kt_tuning_panel_edits_count (g_hash_table_lookup (self->edits, kt_vm_get_name (vm))) > 0)
    return TRUE;
  t = kt_domain_get_tuning (kt_vm_get_effective (vm));
  for (guint v = 0; v < t->vcpus; v++)
    if (kt_plan_is_pending (self->plan, vm, v))
      return TRUE;
  return FALSE;
}

/* Applying --------------------------------------------------------------- */

typedef struct
{
  KtTuningPanel *panel;
  char          *name;
  KtApplyFlags   flags;
  gboolean       to_snapshot;
  KtVm          *base;           /* before */
  KtDomain      *live_target;
  KtDomain      *config_target;
  GArray        *pins;           /* Repin, for a reload */
} ApplyCtx;

typedef struct
{
  guint     vcpu;
  KtCpuset *set;
} Repin;

static void
repin_clear (gpointer data)
{
  kt_cpuset_free (((Repin *) data)->set);
}

static void
apply_ctx_free (gpointer data)
{
  ApplyCtx *ctx = data;

  g_clear_object (&ctx->panel);
  g_free (ctx->name);
  g_clear_object (&ctx->base);
  g_clear_object (&ctx->live_target);
  g_clear_object (&ctx->config_target);
  g_clear_pointer (&ctx->pins, g_array_unref);
  g_free (ctx);
}

static KtVm *
lookup_vm (KtTuningPanel *self,
           const char    *name)
{
  return self->plan != NULL ? kt_snapshot_lookup_vm (kt_plan_get_snapshot (self->plan), name)
                            : NULL;
}

/* @domain as if read from its own text: what it has becomes what it was
 * loaded with (kt_domain_get_original_xml ()), the base of the next apply */
static KtDomain *
settle (KtDomain *domain)
{
  g_autofree char *xml = NULL;
  KtDomain *settled;

  if (domain == NULL)
    return NULL;
  xml = kt_domain_to_xml (domain);
  settled = kt_domain_new_from_xml (xml, -1, NULL);
  return settled != NULL ? settled : g_object_ref (domain);
}

/* Puts the definitions libvirt has now in the snapshot's VM */
static void
take_reloaded (KtVm *vm,
               KtVm *reloaded)
{
  kt_vm_update_from (vm, reloaded);
}

static void
vm_replaced (KtTuningPanel *self,
             KtVm          *vm,
             gboolean       snapshot_edited)
{
  g_hash_table_remove (self->edits, kt_vm_get_name (vm));
  if (self->plan != NULL)
    kt_plan_forget_vm (self->plan, kt_vm_get_name (vm));
  g_clear_pointer (&self->shape, g_free);
  _kt_tuning_panel_refresh (self);
  _kt_tuning_panel_emit_vm_changed (self, vm, snapshot_edited);
}

static void undo_clicked (AdwToast *toast,
                          ApplyCtx *ctx);

static void
show_applied_toast (KtTuningPanel *self,
                    ApplyCtx      *ctx)
{
  g_autofree char *title = NULL;
  g_autofree char *escaped = g_markup_escape_text (ctx->name, -1);
  AdwToast *toast;
  ApplyCtx *undo = g_new0 (ApplyCtx, 1);

  /* Translators: %s is a VM name */
  title = g_strdup_printf (_("Applied to %s"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Undo"));

  undo->panel = g_object_ref (self);
  undo->name = g_strdup (ctx->name);
  undo->flags = ctx->flags;
  undo->to_snapshot = ctx->to_snapshot;
  undo->base = g_object_ref (ctx->base);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_clicked), undo,
                         (GClosureNotify) (void (*) (void)) apply_ctx_free, 0);
  _kt_tuning_panel_show_toast (self, toast);
}

static void
undo_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ApplyCtx *ctx = user_data;
  KtTuningPanel *self = ctx->panel;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) reloaded = NULL;
  KtVm *vm;

  if (!kt_apply_run_finish (result, &reloaded, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot undo the changes to %s: %s"),
                                                  ctx->name, error->message);

      _kt_tuning_panel_show_message (self, message);
      apply_ctx_free (ctx);
      return;
    }
  vm = lookup_vm (self, ctx->name);
  if (vm != NULL && reloaded != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Reverted %s"), ctx->name);

      take_reloaded (vm, reloaded);
      vm_replaced (self, vm, FALSE);
      _kt_tuning_panel_show_message (self, message);
    }
  apply_ctx_free (ctx);
}

/* Toast "Undo": applies the definitions from before, the same way */
static void
undo_clicked (AdwToast *toast,
              ApplyCtx *ctx)
{
  KtTuningPanel *self = ctx->panel;
  KtVm *vm = lookup_vm (self, ctx->name);
  KtDomain *before_live = kt_vm_get_live (ctx->base);
  KtDomain *before_config = kt_vm_get_inactive (ctx->base);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) now = NULL;
  g_autoptr(KtApply) apply = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  ApplyCtx *run;

  if (vm == NULL)
    {
      _kt_tuning_panel_show_message (self, _("The VM is gone: there is nothing to undo"));
      return;
    }
  live = before_live != NULL && (ctx->flags & KT_APPLY_LIVE) ? kt_domain_copy (before_live) : NULL;
  config = before_config != NULL && (ctx->flags & KT_APPLY_CONFIG)
           ? kt_domain_copy (before_config) : NULL;

  if (ctx->to_snapshot)
    {
      g_autofree char *message = g_strdup_printf (_("Reverted %s"), ctx->name);

      kt_vm_set_definitions (vm, live, config);
      vm_replaced (self, vm, TRUE);
      _kt_tuning_panel_show_message (self, message);
      return;
    }

  if (self->connection == NULL)
    return;
  now = make_base (vm, &error);
  if (now != NULL)
    apply = kt_apply_new (now, live, config, ctx->flags, &error);
  if (apply == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot undo the changes to %s: %s"),
                                                  ctx->name, error->message);

      _kt_tuning_panel_show_message (self, message);
      return;
    }
  run = g_new0 (ApplyCtx, 1);
  run->panel = g_object_ref (self);
  run->name = g_strdup (ctx->name);
  kt_apply_run_async (apply, self->connection, ctx->name, self->cancellable, undo_done, run);
}

static void
on_dialog_applied (KtApplyDialog *dialog,
                   ApplyCtx      *ctx)
{
  KtTuningPanel *self = ctx->panel;
  KtVm *vm = lookup_vm (self, ctx->name);
  KtVm *reloaded = kt_apply_dialog_get_reloaded (dialog);

  ctx->flags = kt_apply_dialog_get_flags (dialog);
  if (vm != NULL)
    {
      if (ctx->to_snapshot || reloaded == NULL)
        {
          g_autoptr(KtDomain) live = ctx->flags & KT_APPLY_LIVE ? settle (ctx->live_target) : NULL;
          g_autoptr(KtDomain) config = ctx->flags & KT_APPLY_CONFIG ? settle (ctx->config_target)
                                                                     : NULL;

          kt_vm_set_definitions (vm, live, config);
        }
      else
        take_reloaded (vm, reloaded);
      vm_replaced (self, vm, ctx->to_snapshot);
    }
  show_applied_toast (self, ctx);
}

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ApplyCtx *ctx = user_data;
  KtTuningPanel *self = ctx->panel;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) reloaded = kt_reload_vm_finish (result, &error);
  g_autofree char *message = NULL;
  KtVm *vm = lookup_vm (self, ctx->name);

  if (error != NULL)
    message = g_strdup_printf (_("Cannot reload %s: %s"), ctx->name, error->message);
  else if (reloaded == NULL || vm == NULL)
    message = g_strdup_printf (_("%s no longer exists"), ctx->name);
  else
    {
      take_reloaded (vm, reloaded);
      if (self->plan != NULL)
        kt_plan_forget_vm (self->plan, ctx->name);
      /* The pins that were pending stay pending, on top of what is there now */
      for (guint i = 0; self->plan != NULL && i < ctx->pins->len; i++)
        {
          Repin *r = &g_array_index (ctx->pins, Repin, i);

          if (!kt_plan_pin (self->plan, vm, &r->vcpu, 1, r->set, NULL))
            g_debug ("vCPU %u of %s is not pinned again", r->vcpu, ctx->name);
        }
      g_clear_pointer (&self->shape, g_free);
      _kt_tuning_panel_refresh (self);
      _kt_tuning_panel_emit_vm_changed (self, vm, FALSE);
      message = g_strdup_printf (_("Reloaded %s; the pending changes are kept"), ctx->name);
    }
  _kt_tuning_panel_show_message (self, message);
  apply_ctx_free (ctx);
}

static void
on_dialog_reload (KtApplyDialog *dialog,
                  ApplyCtx      *ctx)
{
  KtTuningPanel *self = ctx->panel;
  KtVm *vm = lookup_vm (self, ctx->name);
  ApplyCtx *run;

  if (self->connection == NULL || vm == NULL)
    return;
  run = g_new0 (ApplyCtx, 1);
  run->panel = g_object_ref (self);
  run->name = g_strdup (ctx->name);
  run->pins = g_array_new (FALSE, FALSE, sizeof (Repin));
  g_array_set_clear_func (run->pins, repin_clear);
  {
    g_autoptr(KtTuning) t = kt_domain_get_tuning (kt_vm_get_effective (vm));

    for (guint v = 0; v < t->vcpus; v++)
      if (kt_plan_is_pending (self->plan, vm, v) && kt_tuning_get_vcpupin (t, v) != NULL)
        {
          Repin r = { v, kt_cpuset_copy (kt_tuning_get_vcpupin (t, v)) };

          g_array_append_val (run->pins, r);
        }
  }
  kt_reload_vm_async (self->connection, ctx->name, self->cancellable, reload_done, run);
}

void
kt_tuning_panel_apply (KtTuningPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtVm) base = NULL;
  g_autoptr(KtDomain) live = NULL;
  g_autoptr(KtDomain) config = NULL;
  GtkWidget *dialog;
  GtkRoot *root;
  ApplyCtx *ctx;

  g_return_if_fail (KT_IS_TUNING_PANEL (self));

  if (self->vm == NULL || self->plan == NULL)
    {
      _kt_tuning_panel_show_message (self, _("Select a VM to apply its changes"));
      return;
    }
  if (!_kt_tuning_panel_has_changes (self, self->vm))
    {
      g_autofree char *message = g_strdup_printf (_("Nothing to apply to %s"),
                                                  kt_vm_get_name (self->vm));

      _kt_tuning_panel_show_message (self, message);
      return;
    }
  if (self->connection != NULL && kt_connection_is_read_only (self->connection))
    {
      _kt_tuning_panel_show_message (self, _("The connection is read-only: connect again "
                                             "without “Read-Only” to apply"));
      return;
    }
  base = make_base (self->vm, &error);
  if (base == NULL
      || !make_targets (self->vm, _kt_tuning_panel_get_edits (self), &live, &config, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Cannot apply to %s: %s"),
                                                  kt_vm_get_name (self->vm), error->message);

      _kt_tuning_panel_show_message (self, message);
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = kt_apply_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                self->connection, base, live, config);
  ctx = g_new0 (ApplyCtx, 1);
  ctx->panel = g_object_ref (self);
  ctx->name = g_strdup (kt_vm_get_name (self->vm));
  ctx->to_snapshot = self->connection == NULL;
  ctx->base = g_object_ref (base);
  ctx->live_target = live ? g_object_ref (live) : NULL;
  ctx->config_target = config ? g_object_ref (config) : NULL;
  g_signal_connect_data (dialog, "applied", G_CALLBACK (on_dialog_applied), ctx,
                         (GClosureNotify) (void (*) (void)) apply_ctx_free, 0);
  g_signal_connect (dialog, "reload-requested", G_CALLBACK (on_dialog_reload), ctx);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  kt_tuning_panel_apply (KT_TUNING_PANEL (widget));
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  KtTuningPanel *self = KT_TUNING_PANEL (widget);

  if (self->vm == NULL)
    return;
  g_hash_table_remove (self->edits, kt_vm_get_name (self->vm));
  _kt_tuning_panel_clear_errors (self);
  _kt_tuning_panel_refresh (self);
}


void
_kt_tuning_panel_apply_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "panel.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "panel.discard", NULL, discard_action);
}

void
_kt_tuning_panel_apply_init (KtTuningPanel *self)
{
  self->edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) _kt_tuning_panel_edits_free);
  self->cancellable = g_cancellable_new ();
}

void
_kt_tuning_panel_apply_dispose (KtTuningPanel *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->edits, g_hash_table_unref);
}
