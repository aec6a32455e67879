/* test-field-row.c: KtFieldRow, the tuning panel's entry rows
 *
 * Needs a display (run through tests/gui/run-xvfb.sh): the text the user
 * types emits "edited" and the text set by the program does not; Enter
 * and leaving the entry emit "commit"; a refusal shows in place of the
 * hint, stays through hint updates and goes when cleared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "kt-field-row.h"

typedef struct
{
  guint edited;
  guint commits;
} Counts;

static void
on_edited (KtFieldRow *row,
           Counts     *counts)
{
  counts->edited++;
}

static void
on_commit (KtFieldRow *row,
           Counts     *counts)
{
  counts->commits++;
}

static GtkWidget *
find_entry (GtkWidget *widget)
{
  if (GTK_IS_ENTRY (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_entry (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static KtFieldRow *
new_row (Counts *counts)
{
  KtFieldRow *row = KT_FIELD_ROW (g_object_ref_sink (kt_field_row_new ("vCPU 3", 3, "any")));

  g_signal_connect (row, "edited", G_CALLBACK (on_edited), counts);
  g_signal_connect (row, "commit", G_CALLBACK (on_commit), counts);
  return row;
}

static void
test_properties (void)
{
  Counts counts = { 0 };
  g_autoptr(KtFieldRow) row = new_row (&counts);
  g_autofree char *placeholder = NULL;
  guint id;
  int width;

  g_assert_cmpuint (kt_field_row_get_id (row), ==, 3);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "vCPU 3");
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
  g_object_get (row, "id", &id, "placeholder-text", &placeholder, "width-chars", &width, NULL);
  g_assert_cmpuint (id, ==, 3);
  g_assert_cmpstr (placeholder, ==, "any");
  g_assert_cmpint (width, ==, 8);

  kt_field_row_set_width_chars (row, 14, 20);
  g_object_get (row, "width-chars", &width, NULL);
  g_assert_cmpint (width, ==, 14);
  g_object_get (row, "max-width-chars", &width, NULL);
  g_assert_cmpint (width, ==, 20);

  kt_field_row_set_pending (row, TRUE);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "kt-pending"));
  kt_field_row_set_pending (row, FALSE);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "kt-pending"));
}

static void
test_edited (void)
{
  Counts counts = { 0 };
  g_autoptr(KtFieldRow) row = new_row (&counts);
  GtkWidget *entry = find_entry (GTK_WIDGET (row));

  g_assert_nonnull (entry);
  kt_field_row_set_text (row, "0-3");
  g_assert_cmpstr (kt_field_row_get_text (row), ==, "0-3");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "0-3");
  g_assert_cmpuint (counts.edited, ==, 0);

  /* What the user types: "edited" on every change of the text */
  gtk_editable_set_text (GTK_EDITABLE (entry), "5");
  g_assert_cmpuint (counts.edited, >, 0);
  g_assert_cmpstr (kt_field_row_get_text (row), ==, "5");
  g_assert_cmpuint (counts.commits, ==, 0);

  counts.edited = 0;
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (counts.commits, ==, 1);
  g_assert_cmpuint (counts.edited, ==, 0);

  /* Set again by the program, still quiet */
  kt_field_row_set_text (row, "");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_cmpuint (counts.edited, ==, 0);
}

static void
test_error (void)
{
  Counts counts = { 0 };
  g_autoptr(KtFieldRow) row = new_row (&counts);
  GtkWidget *entry = find_entry (GTK_WIDGET (row));

  kt_field_row_set_hint (row, "node 0");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "node 0");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "kt-invalid"));

  kt_field_row_set_error (row, "CPU 999 does not exist");
  g_assert_cmpstr (kt_field_row_get_error (row), ==, "CPU 999 does not exist");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "CPU 999 does not exist");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "kt-invalid"));
  g_assert_true (gtk_widget_has_css_class (entry, "error"));

  /* A new hint does not hide the refusal */
  kt_field_row_set_hint (row, "node 1");
  kt_field_row_set_warns (row, TRUE);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "CPU 999 does not exist");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "kt-warning"));

  kt_field_row_set_error (row, NULL);
  g_assert_null (kt_field_row_get_error (row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "node 1");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "kt-invalid"));
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "kt-warning"));
}

static void
test_focus_leave (void)
{
  Counts counts = { 0 };
  KtFieldRow *row;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *other = gtk_button_new_with_label ("Other");
  GtkWidget *list = gtk_list_box_new ();

  row = KT_FIELD_ROW (kt_field_row_new ("Emulator", 0, "any"));
  g_signal_connect (row, "commit", G_CALLBACK (on_commit), &counts);
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (row));
  gtk_box_append (GTK_BOX (box), list);
  gtk_box_append (GTK_BOX (box), other);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (row)))
    g_main_context_iteration (NULL, TRUE);

  kt_field_row_grab_entry_focus (row);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (kt_field_row_is_editing (row));
  g_assert_cmpuint (counts.commits, ==, 0);

  gtk_widget_grab_focus (other);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (kt_field_row_is_editing (row));
  g_assert_cmpuint (counts.commits, ==, 1);

  /* A row removed while it has the focus goes, entry and all, without a
   * call into it once it is gone */
  kt_field_row_grab_entry_focus (row);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_add_weak_pointer (G_OBJECT (row), (gpointer *) &row);
  gtk_list_box_remove (GTK_LIST_BOX (list), GTK_WIDGET (row));
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (row);
  g_assert_cmpuint (counts.commits, <=, 2);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/field-row/properties", test_properties);
  g_test_add_func ("/field-row/edited", test_edited);
  g_test_add_func ("/field-row/error", test_error);
  g_test_add_func ("/field-row/focus-leave", test_focus_leave);
  return g_test_run ();
}
