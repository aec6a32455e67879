/* kt-window-advice.c: the Advice list and "Suggest Placement…" in the window
 *
 * The header's Advice button shows the advisor's counts by severity and
 * opens the list (KtAdviceView) in a popover.  The findings are the
 * advisor's on the session's pending state (kt-advice.h), run again when
 * the session changes (pending changes, the host's tuning read, applied or
 * reverted, live refresh), so a finding whose fix is pending goes.
 * Selecting one marks what it concerns on the map; Fix and Fix All put
 * fixes into the session as pending changes, previewed and applied as
 * usual: domain steps on the map and panel, host steps in the Host view
 * (kt-window-advice-host.c).
 * Suggest Placement asks for a policy, runs the planner, puts its proposal
 * into the session as pending changes (drawn as pending chips) and says
 * its cost, to Accept (keep) or Discard (undo).  The CPUs reserved for the
 * host are the "reserved-cpus" setting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "kt-advice.h"
#include "kt-advice-view.h"
#include "kt-window-private.h"

struct _KtWindowAdvice
{
  GtkMenuButton *button;
  GtkWidget     *counts_box;
  KtAdviceView  *view;
  guint          refresh_id;
  guint          geometry_id;
  char          *geometry_path;
  char          *geometry_last;
  char          *bad_reserved;   /* the setting last found invalid */
  gboolean       settings_followed;
};

/* The reserved CPUs --------------------------------------------------------- */

static KtCpuset *
reserved_cpus (KtWindow *self)
{
  KtApplication *app = kt_window_priv_app (self);
  GSettings *settings = app != NULL ? kt_application_get_settings (app) : NULL;
  g_autofree char *text = NULL;
  g_autoptr(KtCpuset) set = NULL;
  g_autoptr(GError) error = NULL;
  KtSnapshot *snapshot = kt_window_priv_snapshot (self);

  if (settings == NULL)
    return NULL;
  text = g_settings_get_string (settings, "reserved-cpus");
  g_strstrip (text);
  if (*text == '\0')
    return NULL;
  set = kt_cpuset_parse (text, &error);
  if (set != NULL && snapshot != NULL)
    kt_host_check_cpuset (kt_snapshot_get_host (snapshot), set, &error);
  if (error != NULL)
    {
      /* Said once per value */
      if (g_strcmp0 (self->advice->bad_reserved, text) != 0)
        {
          g_autofree char *message = NULL;

          /* Translators: the reserved-cpus setting could not be used */
          message = g_strdup_printf (_("Reserved CPUs “%s” ignored: %s"), text, error->message);
          kt_window_priv_toast (self, message);
          g_free (self->advice->bad_reserved);
          self->advice->bad_reserved = g_strdup (text);
        }
      return NULL;
    }
  return g_steal_pointer (&set);
}

/* The findings ------------------------------------------------------------ */

static void
add_count (GtkWidget  *box,
           const char *icon,
           const char *style,
           guint       n)
{
  GtkWidget *image = gtk_image_new_from_icon_name (icon);
  g_autofree char *text = g_strdup_printf ("%u", n);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (image, style);
  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), label);
}

static void
update_button (KtWindow *self)
{
  KtWindowAdvice *a = self->advice;
  const guint *counts = kt_advice_view_get_counts (a->view);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  g_autofree char *tooltip = kt_advice_describe_counts (counts);
  g_autofree char *full = NULL;

  if (counts[KT_SEVERITY_ERROR] > 0)
    add_count (box, "dialog-error-symbolic", "error", counts[KT_SEVERITY_ERROR]);
  if (counts[KT_SEVERITY_WARNING] > 0)
    add_count (box, "dialog-warning-symbolic", "warning", counts[KT_SEVERITY_WARNING]);
  if (counts[KT_SEVERITY_INFO] > 0)
    add_count (box, "dialog-information-symbolic", "dim-label", counts[KT_SEVERITY_INFO]);
  if (gtk_widget_get_first_child (box) == NULL)
    gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("emblem-ok-symbolic"));
  gtk_menu_button_set_child (a->button, box);
  a->counts_box = box;
  /* Translators: the Advice button's tooltip: "Advice: 2 errors, 3 warnings" */
  full = g_strdup_printf (_("Advice: %s"), tooltip);
  gtk_widget_set_tooltip_text (GTK_WIDGET (a->button), full);
  gtk_widget_set_sensitive (GTK_WIDGET (a->button), self->session != NULL);
}

static void
refresh_now (KtWindow *self)
{
  g_autoptr(KtCpuset) reserved = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *findings = NULL;

  if (self->session != NULL)
    {
      reserved = reserved_cpus (self);
      findings = kt_advice_run (self->session, reserved, &error);
      if (findings == NULL)
        g_debug ("Advice: %s", error->message);
    }
  kt_advice_view_set_findings (self->advice->view, findings);
  update_button (self);
}

static gboolean
refresh_idle (gpointer data)
{
  KtWindow *self = data;

  self->advice->refresh_id = 0;
  refresh_now (self);
  return G_SOURCE_REMOVE;
}

/* Once per burst of changes */
static void
queue_refresh (KtWindow *self)
{
  if (self->advice != NULL && self->advice->refresh_id == 0)
    self->advice->refresh_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, refresh_idle, self,
                                                NULL);
}

static void
on_finding_selected (KtWindow        *self,
                     const KtFinding *f,
                     KtAdviceView    *view)
{
  KtSnapshot *snapshot = kt_window_priv_snapshot (self);
  KtVm *vm = NULL;

  if (f == NULL || snapshot == NULL)
    {
      kt_map_canvas_set_highlight (self->canvas, NULL, NULL, NULL, NULL);
      return;
    }
  if (f->vm != NULL)
    vm = kt_snapshot_lookup_vm (snapshot, f->vm);
  kt_map_canvas_set_highlight (self->canvas, f->pcpus, vm, f->vcpus, f->nodes);
}

/* Fixes ------------------------------------------------------------------- */

static void
after_fixes (KtWindow   *self,
             guint       n_domain,
             GPtrArray  *host,
             const char *failure)
{
  g_autoptr(GString) message = g_string_new (NULL);

  kt_map_canvas_refresh (self->canvas);
  kt_tuning_panel_refresh (self->tuning_panel);
  kt_window_priv_update (self);
  if (n_domain > 0)
    /* Translators: a toast after Fix or Fix All */
    g_string_append_printf (message, g_dngettext (GETTEXT_PACKAGE,
                                                  "%u fix is pending: preview and apply it as "
                                                  "usual",
                                                  "%u fixes are pending: preview and apply them "
                                                  "as usual", n_domain), n_domain);
  if (host->len > 0)
    {
      g_autofree char *changes = kt_window_priv_advice_describe_host (self, host);

      if (message->len > 0)
        g_string_append (message, " — ");
      /* Translators: host settings a fix made pending, "ksm.merge_across_nodes 1 → 0" */
      g_string_append_printf (message, _("Pending in the Host view: %s"), changes);
    }
  if (failure != NULL)
    {
      if (message->len > 0)
        g_string_append (message, " — ");
      g_string_append (message, failure);
    }
  if (message->len > 0)
    kt_window_priv_advice_toast (self, message->str, host->len > 0);
}

static gboolean
can_change (KtWindow *self)
{
  if (self->session == NULL)
    return FALSE;
  if (kt_session_is_busy (self->session))
    {
      kt_window_priv_toast (self, _("Wait for the apply to finish"));
      return FALSE;
    }
  return TRUE;
}

/* Each fix on its own: one refused leaves the others pending */
void
kt_window_priv_advice_put_fixes (KtWindow  *self,
                                 GPtrArray *fixes,
                                 gboolean   may_read)
{
  g_autoptr(GPtrArray) host = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_host_target_free);
  g_autoptr(GString) failures = g_string_new (NULL);
  guint n_domain = 0;

  if (!can_change (self))
    return;
  if (may_read && kt_window_priv_advice_read_host (self, fixes))
    return;   /* again once the host's tuning is read (or failed to be) */
  for (guint i = 0; i < fixes->len; i++)
    {
      const KtFix *fix = g_ptr_array_index (fixes, i);
      g_autoptr(GPtrArray) put = NULL;
      g_autoptr(GError) error = NULL;

      if (!kt_advice_put_fix (self->session, fix, &put, &error))
        {
          g_string_append_printf (failures, "%s%s", failures->len ? "; " : "", error->message);
          continue;
        }
      n_domain += kt_fix_has_domain_steps (fix);
      while (put->len > 0)
        g_ptr_array_add (host, g_ptr_array_steal_index (put, 0));
    }
  after_fixes (self, n_domain, host, failures->len > 0 ? failures->str : NULL);
}

static void
on_fix (KtWindow        *self,
        const KtFinding *f,
        KtAdviceView    *view)
{
  g_autoptr(GPtrArray) fixes = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_fix_free);

  if (!can_change (self) || f->fix == NULL)
    return;
  /* Copied: the findings are replaced once the session changed */
  g_ptr_array_add (fixes, kt_fix_copy (f->fix));
  kt_window_priv_advice_put_fixes (self, fixes, TRUE);
}

static void
on_fix_all (KtWindow     *self,
            const char   *vm,
            KtAdviceView *view)
{
  GPtrArray *findings = kt_advice_view_get_findings (view);
  g_autoptr(GPtrArray) fixes = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_fix_free);

  if (!can_change (self) || findings == NULL)
    return;
  /* Copied first: the findings are replaced once the session changed */
  for (guint i = 0; i < findings->len; i++)
    {
      const KtFinding *f = g_ptr_array_index (findings, i);

      if (g_strcmp0 (f->vm, vm) == 0 && f->fix != NULL && kt_fix_is_automatic (f->fix))
        g_ptr_array_add (fixes, kt_fix_copy (f->fix));
    }
  kt_window_priv_advice_put_fixes (self, fixes, TRUE);
}

/* Suggest Placement ---------------------------------------------------------- */

typedef struct
{
  KtWindow  *window;
  char      *vm;            /* NULL: every VM */
  GtkWidget *cpu;           /* GtkDropDown */
  GtkWidget *threads;
  GtkWidget *emulator;
  guint64    revision;      /* before the proposal went in */
} Suggest;

static void
suggest_free (Suggest *s)
{
  g_clear_object (&s->window);
  g_free (s->vm);
  g_free (s);
}

static const char * const cpu_ids[] = { "dedicated", "shared", NULL };
static const char * const thread_ids[] = { "prefer", "isolate", "require", NULL };
static const char * const emulator_ids[] = { "share", "isolate", NULL };

static GtkWidget *
policy_row (GtkWidget          *list,
            const char         *title,
            const char * const *labels,
            GtkWidget         **dropdown)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *dd = gtk_drop_down_new_from_strings (labels);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_valign (dd, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), dd);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), dd);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  *dropdown = dd;
  return row;
}

static char *
format_cost (double cost)
{
  return g_strdup_printf ("%.1f", cost);
}

/* "Nodes spanned 100, SMT 10" and the explanation, for one proposal */
static void
describe_proposal (GString          *out,
                   const KtProposal *p)
{
  const struct { const char *name; double value; } parts[] = {
    { N_("extra nodes"), p->parts.nodes },
    { N_("remote memory"), p->parts.remote_memory },
    { N_("shared cores"), p->parts.shared_cores },
    { N_("SMT mismatches"), p->parts.smt },
    { N_("extra L3 groups"), p->parts.l3 },
    { N_("cells spanning nodes"), p->parts.cells },
    { N_("extra sockets"), p->parts.sockets },
    { N_("half-used cores"), p->parts.half_cores },
  };
  g_autofree char *cost = format_cost (p->cost);
  g_autofree char *bound = format_cost (p->lower_bound);
  gboolean any = FALSE;

  /* Translators: a VM's suggested placement: its cost and the lowest possible */
  g_string_append_printf (out, _("%s: cost %s (lower bound %s)"), p->domain, cost, bound);
  g_string_append_c (out, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i].value > 0)
      {
        g_autofree char *v = format_cost (parts[i].value);

        g_string_append_printf (out, "%s%s %s", any ? ", " : "  ", _(parts[i].name), v);
        any = TRUE;
      }
  if (any)
    g_string_append_c (out, '\n');
  for (guint i = 0; i < p->explanation->len; i++)
    g_string_append_printf (out, "  %s\n", (const char *) g_ptr_array_index (p->explanation, i));
  for (guint i = 0; i < p->hugepages->len; i++)
    {
      const KtPlannerPages *pg = &g_array_index (p->hugepages, KtPlannerPages, i);
      g_autofree char *line = g_strdup_printf ("%llu × %llu KiB", (unsigned long long) pg->pages,
                                               (unsigned long long) pg->size_kib);

      /* Translators: huge pages a placement needs free on a host node */
      g_string_append_printf (out, _("  Needs %s huge pages free on node %d"), line, pg->node);
      g_string_append_c (out, '\n');
    }
}

static void
on_result_response (AdwMessageDialog *dialog,
                    const char       *response,
                    Suggest          *s)
{
  KtWindow *self = s->window;

  if (g_strcmp0 (response, "accept") != 0 && self->session != NULL)
    {
      if (!kt_advice_undo_to (self->session, s->revision))
        kt_window_priv_toast (self, _("The suggested placement could not be taken back "
                                      "entirely: undo the rest by hand"));
      kt_map_canvas_refresh (self->canvas);
      kt_tuning_panel_refresh (self->tuning_panel);
      kt_window_priv_update (self);
    }
}

static void
show_result (KtWindow   *self,
             Suggest    *s,
             GPtrArray  *proposals,
             double      total,
             GString    *problems,
             guint       n_put)
{
  GtkWidget *dialog;
  GtkWidget *label;
  GtkWidget *scroller;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *cost = format_cost (total);

  for (guint i = 0; i < proposals->len; i++)
    describe_proposal (text, g_ptr_array_index (proposals, i));
  if (problems->len > 0)
    g_string_append (text, problems->str);

  if (s->vm != NULL)
    /* Translators: the heading of the planner's result for one VM */
    heading = g_strdup_printf (_("Suggested Placement for %s"), s->vm);
  else
    heading = g_strdup (_("Suggested Placement for All VMs"));
  if (n_put > 0)
    /* Translators: %s is the placement's total cost */
    body = g_strdup_printf (_("The map shows it as pending changes. Total cost %s. Accept keeps "
                              "them pending, to preview and apply as usual; Discard takes them "
                              "back."), cost);
  else
    body = g_strdup (_("Nothing could be placed."));

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  label = gtk_label_new (text->str);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  if (n_put > 0)
    {
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "discard", _("_Discard"), "accept", _("_Accept"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "accept",
                                                  ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "accept");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "discard");
    }
  else
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
    }
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_result_response), s,
                         (GClosureNotify) suggest_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
run_planner (KtWindow *self,
             Suggest  *s)
{
  g_autoptr(KtSnapshot) effective = NULL;
  g_autoptr(KtPlanner) planner = NULL;
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                  kt_planner_request_free);
  g_autoptr(GPtrArray) proposals = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(KtCpuset) reserved = reserved_cpus (self);
  g_autoptr(GError) error = NULL;
  KtPlannerPolicy policy = { 0, };
  guint n_put = 0;
  double total = 0;

  if (!can_change (self))
    {
      suggest_free (s);
      return;
    }
  if ((effective = kt_advice_effective_snapshot (self->session, &error)) == NULL
      || !kt_planner_policy_parse (&policy,
                                   cpu_ids[gtk_drop_down_get_selected (GTK_DROP_DOWN (s->cpu))],
                                   thread_ids[gtk_drop_down_get_selected (GTK_DROP_DOWN (s->threads))],
                                   emulator_ids[gtk_drop_down_get_selected (GTK_DROP_DOWN (s->emulator))],
                                   NULL, kt_snapshot_get_host (effective), &error))
    {
      kt_window_priv_toast (self, error->message);
      suggest_free (s);
      return;
    }
  policy.reserved = g_steal_pointer (&reserved);
  planner = kt_planner_new (effective, &policy);
  if (s->vm != NULL)
    {
      KtVm *vm = kt_snapshot_lookup_vm (effective, s->vm);

      if (vm != NULL)
        g_ptr_array_add (requests, kt_planner_request_new_for_vm (vm));
    }
  else
    {
      GListModel *vms = kt_snapshot_get_vms (effective);

      for (guint i = 0; i < g_list_model_get_n_items (vms); i++)
        {
          g_autoptr(KtVm) vm = g_list_model_get_item (vms, i);

          g_ptr_array_add (requests, kt_planner_request_new_for_vm (vm));
        }
    }
  if (requests->len == 1)
    {
      KtProposal *p = kt_planner_plan (planner, g_ptr_array_index (requests, 0));

      proposals = g_ptr_array_new_with_free_func ((GDestroyNotify) kt_proposal_free);
      g_ptr_array_add (proposals, p);
      total = p->cost;
    }
  else
    proposals = kt_planner_plan_all (planner, requests, &total);
  kt_planner_policy_clear (&policy);

  /* Into the session, as pending changes */
  s->revision = kt_session_get_revision (self->session);
  for (guint i = 0; proposals != NULL && i < proposals->len; i++)
    {
      const KtProposal *p = g_ptr_array_index (proposals, i);
      KtVm *vm = kt_snapshot_lookup_vm (effective, p->domain);
      g_autoptr(KtFix) fix = NULL;
      g_autoptr(GError) local = NULL;

      if (!p->feasible)
        {
          /* Translators: a VM the planner could not place, and why */
          g_string_append_printf (problems, _("%s: infeasible: %s"), p->domain, p->reason);
          g_string_append_c (problems, '\n');
          continue;
        }
      if (vm == NULL || (fix = kt_advice_fix_from_proposal (p, vm, &local)) == NULL
          || !kt_advice_put_fix (self->session, fix, NULL, &local))
        {
          g_string_append_printf (problems, "%s: %s\n", p->domain,
                                  local != NULL ? local->message : _("not found"));
          continue;
        }
      n_put++;
    }
  kt_map_canvas_refresh (self->canvas);
  kt_tuning_panel_refresh (self->tuning_panel);
  kt_window_priv_update (self);
  show_result (self, s, proposals, total, problems, n_put);
}

static void
on_policy_response (AdwMessageDialog *dialog,
                    const char       *response,
                    Suggest          *s)
{
  if (g_strcmp0 (response, "suggest") == 0)
    run_planner (s->window, s);
  else
    suggest_free (s);
}

static void
on_suggest (KtWindow     *self,
            const char   *vm,
            KtAdviceView *view)
{
  const char *cpu_labels[] = { _("Dedicated: one pCPU per vCPU"), _("Shared: a floating set"),
                               NULL };
  const char *thread_labels[] = { _("Prefer SMT siblings"), _("Isolate: one vCPU per core"),
                                  _("Require whole cores"), NULL };
  const char *emulator_labels[] = { _("Share the vCPUs’ pCPUs"), _("Isolate on a pCPU of its own"),
                                    NULL };
  g_autofree char *heading = NULL;
  GtkWidget *dialog, *list;
  Suggest *s;

  if (!can_change (self))
    return;
  gtk_menu_button_popdown (self->advice->button);
  s = g_new0 (Suggest, 1);
  s->window = g_object_ref (self);
  s->vm = g_strdup (vm);
  if (vm != NULL)
    /* Translators: the planner's policy dialog for one VM */
    heading = g_strdup_printf (_("Suggest Placement for %s"), vm);
  else
    heading = g_strdup (_("Suggest Placement for All VMs"));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   vm != NULL
                                   ? _("The planner proposes pins and memory nodes for the VM, "
                                       "keeping the other VMs where they are. Nothing is applied.")
                                   : _("The planner places every VM together. Nothing is "
                                       "applied."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  policy_row (list, _("vCPUs"), cpu_labels, &s->cpu);
  policy_row (list, _("Threads"), thread_labels, &s->threads);
  policy_row (list, _("Emulator"), emulator_labels, &s->emulator);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "suggest", _("_Suggest"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "suggest",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "suggest");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_policy_response), s);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Tests ----------------------------------------------------------------------- */

/* KVMTUNE_TEST_GEOMETRY=FILE: FILE.advice gets the Advice button ("button
 * X Y"), the counts ("counts ERRORS WARNINGS NOTES"), what is pending
 * ("pending-changes N"), the view shown ("view map|host"), the pending host
 * targets ("pending-host KEY VALUE") and the list's rows
 * (kt_advice_view_write_geometry ()) */
static gboolean
write_geometry (gpointer data)
{
  KtWindow *self = data;
  KtWindowAdvice *a = self->advice;
  g_autoptr(GString) s = g_string_new (NULL);
  GtkWidget *button = GTK_WIDGET (a->button);
  GtkNative *native = gtk_widget_get_native (button);
  graphene_point_t in, out;
  double sx = 0, sy = 0;

  if (native != NULL && gtk_widget_get_mapped (button))
    {
      in = GRAPHENE_POINT_INIT (gtk_widget_get_width (button) / 2.0,
                                gtk_widget_get_height (button) / 2.0);
      if (gtk_widget_compute_point (button, GTK_WIDGET (native), &in, &out))
        {
          gtk_native_get_surface_transform (native, &sx, &sy);
          g_string_append_printf (s, "button %.0f %.0f\n", out.x + sx, out.y + sy);
        }
    }
  g_string_append_printf (s, "counts %u %u %u\n",
                          kt_advice_view_get_counts (a->view)[KT_SEVERITY_ERROR],
                          kt_advice_view_get_counts (a->view)[KT_SEVERITY_WARNING],
                          kt_advice_view_get_counts (a->view)[KT_SEVERITY_INFO]);
  g_string_append_printf (s, "pending-changes %u\n",
                          self->session != NULL ? kt_session_get_n_pending (self->session) : 0);
  g_string_append_printf (s, "view %s\n", gtk_stack_get_visible_child_name (self->view_stack));
  if (self->session != NULL)
    {
      g_autoptr(GPtrArray) targets = kt_session_dup_host_targets (self->session);

      for (guint i = 0; i < targets->len; i++)
        g_string_append_printf (s, "pending-host %s %s\n",
                                ((KtHostTarget *) g_ptr_array_index (targets, i))->key,
                                ((KtHostTarget *) g_ptr_array_index (targets, i))->value);
    }
  kt_advice_view_write_geometry (a->view, s);
  if (g_strcmp0 (s->str, a->geometry_last) != 0)
    {
      g_autofree char *tmp = g_strconcat (a->geometry_path, ".tmp", NULL);

      if (g_file_set_contents (tmp, s->str, s->len, NULL))
        g_rename (tmp, a->geometry_path);
      g_free (a->geometry_last);
      a->geometry_last = g_strdup (s->str);
    }
  return G_SOURCE_CONTINUE;
}

/* The window ------------------------------------------------------------------ */

static void
on_popover_closed (KtWindow *self)
{
  kt_map_canvas_set_highlight (self->canvas, NULL, NULL, NULL, NULL);
}

static void
on_popover_shown (KtWindow *self)
{
  const KtFinding *f = kt_advice_view_get_selected (self->advice->view);

  on_finding_selected (self, f, self->advice->view);
}

void
kt_window_priv_advice_init (KtWindow *self)
{
  KtWindowAdvice *a = g_new0 (KtWindowAdvice, 1);
  GtkWidget *popover, *scroller;
  const char *geometry = g_getenv ("KVMTUNE_TEST_GEOMETRY");

  self->advice = a;
  a->button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (self), KT_TYPE_WINDOW,
                                                              "advice_button"));
  a->view = KT_ADVICE_VIEW (kt_advice_view_new ());
  /* At most this tall: the list scrolls, the map stays in sight */
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (GTK_WIDGET (a->view), 500, -1);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 640);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (a->view));
  popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), scroller);
  gtk_menu_button_set_popover (a->button, popover);
  g_signal_connect_object (popover, "closed", G_CALLBACK (on_popover_closed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (popover, "show", G_CALLBACK (on_popover_shown), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (a->view, "finding-selected", G_CALLBACK (on_finding_selected), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (a->view, "fix", G_CALLBACK (on_fix), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (a->view, "fix-all", G_CALLBACK (on_fix_all), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (a->view, "suggest", G_CALLBACK (on_suggest), self, G_CONNECT_SWAPPED);
  update_button (self);

  if (geometry != NULL && geometry[0] != '\0')
    {
      a->geometry_path = g_strconcat (geometry, ".advice", NULL);
      a->geometry_id = g_timeout_add (150, write_geometry, self);
    }
}

void
kt_window_priv_advice_dispose (KtWindow *self)
{
  KtWindowAdvice *a = self->advice;

  if (a == NULL)
    return;
  g_clear_handle_id (&a->refresh_id, g_source_remove);
  g_clear_handle_id (&a->geometry_id, g_source_remove);
  g_free (a->geometry_path);
  g_free (a->geometry_last);
  g_free (a->bad_reserved);
  g_free (a);
  self->advice = NULL;
}

/* A new session: follow it (its handlers go with the window's, by data) */
void
kt_window_priv_advice_attach (KtWindow *self)
{
  KtApplication *app = kt_window_priv_app (self);

  if (self->advice == NULL)
    return;
  /* The application is known by now (not in init) */
  if (!self->advice->settings_followed && app != NULL)
    {
      g_signal_connect_object (kt_application_get_settings (app), "changed::reserved-cpus",
                               G_CALLBACK (queue_refresh), self, G_CONNECT_SWAPPED);
      self->advice->settings_followed = TRUE;
    }
  if (self->session != NULL)
    {
      g_signal_connect_swapped (self->session, "changed", G_CALLBACK (queue_refresh), self);
      g_signal_connect_swapped (self->session, "vm-changed", G_CALLBACK (queue_refresh), self);
      /* Live refresh: VMs re-read on libvirt's events, a reconnection */
      if (kt_session_get_live (self->session) != NULL)
        g_signal_connect_swapped (kt_session_get_live (self->session), "changed",
                                  G_CALLBACK (queue_refresh), self);
    }
  refresh_now (self);
}
