/* kt-advice-view.c: the advisor's findings, grouped by VM and host
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-advice.h"
#include "kt-advice-view.h"

typedef struct
{
  GtkWidget       *row;          /* AdwExpanderRow */
  GtkWidget       *fix_button;   /* nullable */
  const KtFinding *finding;
} FindingRow;

typedef struct
{
  char      *vm;                 /* NULL: the host */
  GtkWidget *fix_all_button;     /* nullable */
  GtkWidget *suggest_button;     /* nullable */
} GroupRow;

struct _KtAdviceView
{
  GtkWidget           parent_instance;

  /* Template */
  GtkLabel           *summary_label;
  GtkWidget          *suggest_all_button;
  GtkStack           *stack;
  AdwPreferencesPage *page;

  GPtrArray          *findings;   /* KtFinding; nullable */
  GPtrArray          *groups;     /* AdwPreferencesGroup, as added to the page */
  GArray             *rows;       /* FindingRow */
  GArray             *group_rows; /* GroupRow */
  guint               counts[3];
  const KtFinding    *selected;
  gboolean            updating;
};

G_DEFINE_FINAL_TYPE (KtAdviceView, kt_advice_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_FINDING_SELECTED,
  SIGNAL_FIX,
  SIGNAL_FIX_ALL,
  SIGNAL_SUGGEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
group_row_clear (gpointer data)
{
  GroupRow *g = data;

  g_free (g->vm);
}

static const char *
severity_icon (KtSeverity severity)
{
  switch (severity)
    {
    case KT_SEVERITY_ERROR:
      return "dialog-error-symbolic";
    case KT_SEVERITY_WARNING:
      return "dialog-warning-symbolic";
    case KT_SEVERITY_INFO:
    default:
      return "dialog-information-symbolic";
    }
}

static const char *
severity_class (KtSeverity severity)
{
  switch (severity)
    {
    case KT_SEVERITY_ERROR:
      return "error";
    case KT_SEVERITY_WARNING:
      return "warning";
    case KT_SEVERITY_INFO:
    default:
      return "dim-label";
    }
}

static const char *
severity_name (KtSeverity severity)
{
  switch (severity)
    {
    case KT_SEVERITY_ERROR:
      return _("Error");
    case KT_SEVERITY_WARNING:
      return _("Warning");
    case KT_SEVERITY_INFO:
    default:
      return _("Note");
    }
}

/* Selection -------------------------------------------------------------- */

static void
select_finding (KtAdviceView    *self,
                const KtFinding *finding)
{
  if (self->selected == finding)
    return;
  self->selected = finding;
  self->updating = TRUE;
  for (guint i = 0; i < self->rows->len; i++)
    {
      FindingRow *r = &g_array_index (self->rows, FindingRow, i);

      if (r->finding != finding)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (r->row), FALSE);
    }
  self->updating = FALSE;
  g_signal_emit (self, signals[SIGNAL_FINDING_SELECTED], 0, (gpointer) finding);
}

static const KtFinding *
finding_of_row (KtAdviceView *self,
                GtkWidget    *row)
{
  for (guint i = 0; i < self->rows->len; i++)
    if (g_array_index (self->rows, FindingRow, i).row == row)
      return g_array_index (self->rows, FindingRow, i).finding;
  return NULL;
}

static void
on_row_expanded (KtAdviceView *self,
                 GParamSpec   *pspec,
                 GtkWidget    *row)
{
  const KtFinding *f;

  if (self->updating)
    return;
  f = finding_of_row (self, row);
  if (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)))
    select_finding (self, f);
  else if (self->selected == f)
    select_finding (self, NULL);
}

static void
on_fix_clicked (KtAdviceView *self,
                GtkButton    *button)
{
  const KtFinding *f = g_object_get_data (G_OBJECT (button), "kt-finding");

  if (f != NULL)
    g_signal_emit (self, signals[SIGNAL_FIX], 0, (gpointer) f);
}

static void
on_fix_all_clicked (KtAdviceView *self,
                    GtkButton    *button)
{
  const char *vm = g_object_get_data (G_OBJECT (button), "kt-vm");

  g_signal_emit (self, signals[SIGNAL_FIX_ALL], 0, vm);
}

static void
on_suggest_clicked (KtAdviceView *self,
                    GtkButton    *button)
{
  const char *vm = g_object_get_data (G_OBJECT (button), "kt-vm");

  g_signal_emit (self, signals[SIGNAL_SUGGEST], 0, vm);
}

static void
on_suggest_all_clicked (KtAdviceView *self,
                        GtkButton    *button)
{
  g_signal_emit (self, signals[SIGNAL_SUGGEST], 0, NULL);
}

/* Building --------------------------------------------------------------- */

static GtkWidget *
wrapped_label (const char *text,
               const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 50);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

/* What the fix does (the host steps go to the Host view's pending
 * changes), or what to do by hand */
static GtkWidget *
finding_details (const KtFinding *f)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_box_append (GTK_BOX (box), wrapped_label (f->explanation, NULL));
  if (f->fix == NULL)
    return box;
  if (kt_fix_is_automatic (f->fix))
    {
      g_autofree char *text = NULL;

      /* Translators: what the Fix button does */
      text = g_strdup_printf (_("Fix: %s"), f->fix->summary);
      gtk_box_append (GTK_BOX (box), wrapped_label (text, "heading"));
      for (guint i = 0; i < f->fix->steps->len; i++)
        {
          g_autofree char *what = kt_fix_step_describe (g_ptr_array_index (f->fix->steps, i));

          gtk_box_append (GTK_BOX (box), wrapped_label (what, "monospace"));
        }
      if (kt_fix_has_host_steps (f->fix))
        /* Translators: where Fix puts a fix's host settings */
        gtk_box_append (GTK_BOX (box),
                        wrapped_label (_("Host settings become pending changes in the Host "
                                         "view, to preview and apply there"), "dim-label"));
    }
  else
    /* A manual fix's summary says what to do by hand ("By hand: …") */
    gtk_box_append (GTK_BOX (box), wrapped_label (f->fix->summary, "heading"));
  return box;
}

static void
add_finding (KtAdviceView        *self,
             AdwPreferencesGroup *group,
             const KtFinding     *f)
{
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (severity_icon (f->severity));
  g_autofree char *escaped = g_markup_escape_text (f->title, -1);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", severity_name (f->severity), f->rule);
  FindingRow r = { row, NULL, f };

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
  gtk_widget_add_css_class (icon, severity_class (f->severity));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  severity_name (f->severity), -1);
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);
  if (f->fix != NULL && kt_fix_is_automatic (f->fix))
    {
      r.fix_button = gtk_button_new_with_mnemonic (_("_Fix"));
      gtk_widget_set_valign (r.fix_button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (r.fix_button, f->fix->summary);
      g_object_set_data (G_OBJECT (r.fix_button), "kt-finding", (gpointer) f);
      g_signal_connect_object (r.fix_button, "clicked", G_CALLBACK (on_fix_clicked), self,
                               G_CONNECT_SWAPPED);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), r.fix_button);
    }
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), finding_details (f));
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (on_row_expanded), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (group, row);
  g_array_append_val (self->rows, r);
}

static char *
group_description (const KtAdviceGroup *g)
{
  return kt_advice_describe_counts (g->counts);
}

static void
add_group (KtAdviceView        *self,
           const KtAdviceGroup *g)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *description = group_description (g);
  g_autofree char *title = g->vm != NULL ? g_markup_escape_text (g->vm, -1)
                                         : g_strdup (_("Host"));
  GroupRow gr = { g_strdup (g->vm), NULL, NULL };

  adw_preferences_group_set_title (group, title);
  adw_preferences_group_set_description (group, description);
  if (g->vm != NULL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

      if (g->n_fixable > 1)
        {
          gr.fix_all_button = gtk_button_new_with_mnemonic (_("Fix _All"));
          gtk_widget_set_tooltip_text (gr.fix_all_button,
                                       _("Put every automatic fix of this VM into the pending "
                                         "changes"));
          g_object_set_data_full (G_OBJECT (gr.fix_all_button), "kt-vm", g_strdup (g->vm), g_free);
          g_signal_connect_object (gr.fix_all_button, "clicked", G_CALLBACK (on_fix_all_clicked),
                                   self, G_CONNECT_SWAPPED);
          gtk_box_append (GTK_BOX (box), gr.fix_all_button);
        }
      gr.suggest_button = gtk_button_new_with_mnemonic (_("_Suggest Placement…"));
      gtk_widget_set_tooltip_text (gr.suggest_button,
                                   _("Let the planner propose where this VM should go"));
      g_object_set_data_full (G_OBJECT (gr.suggest_button), "kt-vm", g_strdup (g->vm), g_free);
      g_signal_connect_object (gr.suggest_button, "clicked", G_CALLBACK (on_suggest_clicked),
                               self, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (box), gr.suggest_button);
      gtk_widget_set_valign (box, GTK_ALIGN_END);
      adw_preferences_group_set_header_suffix (group, box);
    }
  for (guint i = 0; i < g->findings->len; i++)
    add_finding (self, group, g_ptr_array_index (g->findings, i));
  adw_preferences_page_add (self->page, group);
  g_ptr_array_add (self->groups, group);
  g_array_append_val (self->group_rows, gr);
}

static void
clear_groups (KtAdviceView *self)
{
  for (guint i = 0; i < self->groups->len; i++)
    adw_preferences_page_remove (self->page, g_ptr_array_index (self->groups, i));
  g_ptr_array_set_size (self->groups, 0);
  g_array_set_size (self->rows, 0);
  g_array_set_size (self->group_rows, 0);
}

/**
 * kt_advice_view_set_findings:
 * @findings: (transfer full) (nullable) (element-type KtFinding)
 */
void
kt_advice_view_set_findings (KtAdviceView *self,
                             GPtrArray    *findings)
{
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *keep_rule = NULL;
  g_autofree char *keep_vm = NULL;
  const KtFinding *keep = NULL;

  g_return_if_fail (KT_IS_ADVICE_VIEW (self));

  if (self->selected != NULL)
    {
      keep_rule = g_strdup (self->selected->rule);
      keep_vm = g_strdup (self->selected->vm);
    }
  self->updating = TRUE;
  clear_groups (self);
  self->selected = NULL;
  old = g_steal_pointer (&self->findings);
  self->findings = findings;
  memset (self->counts, 0, sizeof self->counts);
  if (findings != NULL)
    {
      groups = kt_advice_group (findings, self->counts);
      for (guint i = 0; i < groups->len; i++)
        add_group (self, g_ptr_array_index (groups, i));
      if (keep_rule != NULL)
        keep = kt_advisor_lookup (findings, keep_rule, keep_vm);
    }
  summary = kt_advice_describe_counts (self->counts);
  gtk_label_set_label (self->summary_label, summary);
  gtk_stack_set_visible_child_name (self->stack, findings != NULL && findings->len > 0
                                                 ? "findings" : "clean");
  gtk_widget_set_sensitive (self->suggest_all_button, findings != NULL);

  /* The finding selected before, if still there */
  for (guint i = 0; keep != NULL && i < self->rows->len; i++)
    {
      FindingRow *r = &g_array_index (self->rows, FindingRow, i);

      if (r->finding == keep)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (r->row), TRUE);
    }
  self->selected = keep;
  self->updating = FALSE;
  /* The old findings go after the signal: a handler may hold one */
  g_signal_emit (self, signals[SIGNAL_FINDING_SELECTED], 0, (gpointer) keep);
}

GPtrArray *
kt_advice_view_get_findings (KtAdviceView *self)
{
  g_return_val_if_fail (KT_IS_ADVICE_VIEW (self), NULL);
  return self->findings;
}

const KtFinding *
kt_advice_view_get_selected (KtAdviceView *self)
{
  g_return_val_if_fail (KT_IS_ADVICE_VIEW (self), NULL);
  return self->selected;
}

const guint *
kt_advice_view_get_counts (KtAdviceView *self)
{
  g_return_val_if_fail (KT_IS_ADVICE_VIEW (self), NULL);
  return self->counts;
}

/* Tests ------------------------------------------------------------------ */

/* The centre of @widget in its toplevel window's coordinates; a popover's
 * surface is placed relative to its parent's */
static gboolean
window_point (GtkWidget *widget,
              double    *x,
              double    *y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t in, out;
  double sx = 0, sy = 0;
  GdkSurface *surface;

  if (native == NULL || !gtk_widget_get_mapped (widget))
    return FALSE;
  in = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                            gtk_widget_get_height (widget) / 2.0);
  if (!gtk_widget_compute_point (widget, GTK_WIDGET (native), &in, &out))
    return FALSE;
  gtk_native_get_surface_transform (native, &sx, &sy);
  *x = out.x + sx;
  *y = out.y + sy;
  surface = gtk_native_get_surface (native);
  if (GDK_IS_POPUP (surface))
    {
      *x += gdk_popup_get_position_x (GDK_POPUP (surface));
      *y += gdk_popup_get_position_y (GDK_POPUP (surface));
    }
  return TRUE;
}

void
kt_advice_view_write_geometry (KtAdviceView *self,
                               GString      *out)
{
  double x, y;

  g_return_if_fail (KT_IS_ADVICE_VIEW (self));

  if (window_point (self->suggest_all_button, &x, &y))
    g_string_append_printf (out, "suggest-all %.0f %.0f\n", x, y);
  for (guint i = 0; i < self->group_rows->len; i++)
    {
      GroupRow *g = &g_array_index (self->group_rows, GroupRow, i);

      if (g->fix_all_button != NULL && window_point (g->fix_all_button, &x, &y))
        g_string_append_printf (out, "fix-all %s %.0f %.0f\n", g->vm, x, y);
      if (g->suggest_button != NULL && window_point (g->suggest_button, &x, &y))
        g_string_append_printf (out, "suggest %s %.0f %.0f\n", g->vm, x, y);
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      FindingRow *r = &g_array_index (self->rows, FindingRow, i);
      const char *vm = r->finding->vm ? r->finding->vm : "-";
      GtkWidget *header;

      /* The header line: the row's first child is its list of one */
      header = gtk_widget_get_first_child (r->row);
      if (header != NULL && gtk_widget_get_first_child (header) != NULL)
        header = gtk_widget_get_first_child (header);
      if (header != NULL && window_point (header, &x, &y))
        g_string_append_printf (out, "finding %s %s %.0f %.0f\n", r->finding->rule, vm, x, y);
      if (r->fix_button != NULL && window_point (r->fix_button, &x, &y))
        g_string_append_printf (out, "fix %s %s %.0f %.0f\n", r->finding->rule, vm, x, y);
    }
  if (self->selected != NULL)
    g_string_append_printf (out, "selected %s %s\n", self->selected->rule,
                            self->selected->vm ? self->selected->vm : "-");
}

/* GObject ---------------------------------------------------------------- */

static void
kt_advice_view_dispose (GObject *object)
{
  KtAdviceView *self = KT_ADVICE_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_ADVICE_VIEW);
  if (self->rows != NULL)
    g_array_set_size (self->rows, 0);
  self->selected = NULL;
  g_clear_pointer (&self->findings, g_ptr_array_unref);

  G_OBJECT_CLASS (kt_advice_view_parent_class)->dispose (object);
}

static void
kt_advice_view_finalize (GObject *object)
{
  KtAdviceView *self = KT_ADVICE_VIEW (object);

  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->group_rows, g_array_unref);

  G_OBJECT_CLASS (kt_advice_view_parent_class)->finalize (object);
}

static void
kt_advice_view_class_init (KtAdviceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_advice_view_dispose;
  object_class->finalize = kt_advice_view_finalize;

  signals[SIGNAL_FINDING_SELECTED] =
    g_signal_new ("finding-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_FIX] =
    g_signal_new ("fix", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_FIX_ALL] =
    g_signal_new ("fix-all", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SUGGEST] =
    g_signal_new ("suggest", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/KvmTune/ui/kt-advice-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KtAdviceView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, KtAdviceView, suggest_all_button);
  gtk_widget_class_bind_template_child (widget_class, KtAdviceView, stack);
  gtk_widget_class_bind_template_child (widget_class, KtAdviceView, page);
  gtk_widget_class_bind_template_callback (widget_class, on_suggest_all_clicked);
}

static void
kt_advice_view_init (KtAdviceView *self)
{
  self->groups = g_ptr_array_new ();
  self->rows = g_array_new (FALSE, TRUE, sizeof (FindingRow));
  self->group_rows = g_array_new (FALSE, TRUE, sizeof (GroupRow));
  g_array_set_clear_func (self->group_rows, group_row_clear);
  gtk_widget_init_template (GTK_WIDGET (self));
  kt_advice_view_set_findings (self, NULL);
}

GtkWidget *
kt_advice_view_new (void)
{
  return g_object_new (KT_TYPE_ADVICE_VIEW, NULL);
}
