/* kt-load-errors.c: the domain files a load left out, under the sidebar
 *
 * A heading with the count, then one row per file: a warning icon, the
 * file's name and what is wrong with it (the parser's message, with the
 * line), selectable for copying.  The row's tooltip is the whole path.
 * Hidden while there is nothing to say.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "kt-load-errors.h"

/* Many bad files scroll, rather than push the VM list away */
#define MAX_HEIGHT 280

struct _KtLoadErrors
{
  GtkWidget    parent_instance;

  GtkLabel    *heading;
  GtkListBox  *list;
  guint        n_errors;
};

G_DEFINE_FINAL_TYPE (KtLoadErrors, kt_load_errors, GTK_TYPE_WIDGET)

static GtkWidget *
error_row_new (const KtSourceFileError *file_error)
{
  g_autofree char *name = g_path_get_basename (file_error->path);
  g_autofree char *display = g_filename_display_name (file_error->path);
  g_autofree char *a11y = NULL;
  GtkWidget *row, *box, *icon, *texts, *title, *message;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_add_css_class (icon, "error");
  gtk_box_append (GTK_BOX (box), icon);

  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (texts, TRUE);
  title = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (texts), title);

  message = gtk_label_new (file_error->error->message);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (message), PANGO_WRAP_WORD_CHAR);
  /* The scroller asks for heights without a width: a wrapping label then
   * answers for its natural width, which this keeps near the sidebar's */
  gtk_label_set_max_width_chars (GTK_LABEL (message), 30);
  gtk_label_set_width_chars (GTK_LABEL (message), 30);
  gtk_label_set_selectable (GTK_LABEL (message), TRUE);
  gtk_widget_set_can_focus (message, FALSE);
  gtk_widget_add_css_class (message, "caption");
  gtk_box_append (GTK_BOX (texts), message);
  gtk_box_append (GTK_BOX (box), texts);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_tooltip_text (row, display);
  /* Translators: read out for a domain file that was not loaded */
  a11y = g_strdup_printf (_("%s not loaded: %s"), name, file_error->error->message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  return row;
}

static void
kt_load_errors_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (kt_load_errors_parent_class)->dispose (object);
}

static void
kt_load_errors_class_init (KtLoadErrorsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_load_errors_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ktloaderrors");
}

static void
kt_load_errors_init (KtLoadErrors *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidget *separator, *scroller;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (widget)),
                                  GTK_ORIENTATION_VERTICAL);

  separator = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_parent (separator, widget);

  self->heading = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->heading, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->heading), "heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->heading), "kt-load-errors-heading");
  gtk_widget_set_parent (GTK_WIDGET (self->heading), widget);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "kt-load-errors");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Files Not Loaded"), -1);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), MAX_HEIGHT);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->list));
  gtk_widget_set_parent (scroller, widget);

  gtk_widget_set_visible (widget, FALSE);
}

GtkWidget *
kt_load_errors_new (void)
{
  return g_object_new (KT_TYPE_LOAD_ERRORS, NULL);
}

void
kt_load_errors_set_errors (KtLoadErrors    *self,
                           const GPtrArray *file_errors)
{
  GtkWidget *row;
  g_autofree char *heading = NULL;

  g_return_if_fail (KT_IS_LOAD_ERRORS (self));

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, row);

  self->n_errors = file_errors != NULL ? file_errors->len : 0;
  for (guint i = 0; i < self->n_errors; i++)
    gtk_list_box_append (self->list, error_row_new (g_ptr_array_index (file_errors, i)));

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u File Not Loaded",
                                          "%u Files Not Loaded", self->n_errors),
                             self->n_errors);
  gtk_label_set_label (self->heading, heading);
  gtk_widget_set_visible (GTK_WIDGET (self), self->n_errors > 0);
}

guint
kt_load_errors_get_n_errors (KtLoadErrors *self)
{
  g_return_val_if_fail (KT_IS_LOAD_ERRORS (self), 0);
  return self->n_errors;
}
