/* kt-field-row.c: a row with an entry, for a set of CPUs, nodes or cells
 *
 * The entry is the row's last suffix and its activatable widget, so that a
 * click anywhere on the row types into it.  What the row shows:
 *   subtitle   the error when there is one, else the hint
 *   .kt-invalid on the row, .error on the entry: the text is refused
 *   .kt-warning on the row: the hint warns
 *   .kt-pending on the row: the value shown is a pending change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "kt-field-row.h"

struct _KtFieldRow
{
  AdwActionRow        parent_instance;

  GtkEntry           *entry;
  GtkEventController *focus;
  guint               id;
  char               *hint;
  char               *error;
  gboolean            warns;
  gboolean            pending;
  gboolean            setting_text;
};

G_DEFINE_FINAL_TYPE (KtFieldRow, kt_field_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ID,
  PROP_TEXT,
  PROP_PLACEHOLDER_TEXT,
  PROP_HINT,
  PROP_WARNS,
  PROP_ERROR,
  PROP_PENDING,
  PROP_WIDTH_CHARS,
  PROP_MAX_WIDTH_CHARS,
  N_PROPS
};

enum {
  EDITED,
  COMMIT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_class (GtkWidget  *widget,
           const char *css_class,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

static void
show_state (KtFieldRow *self)
{
  const char *error = self->error;

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self),
                               error != NULL ? error : self->hint ? self->hint : "");
  set_class (GTK_WIDGET (self), "kt-invalid", error != NULL);
  set_class (GTK_WIDGET (self), "kt-warning", error == NULL && self->warns);
  set_class (GTK_WIDGET (self->entry), "error", error != NULL);
}

static void
on_entry_changed (KtFieldRow *self)
{
  if (!self->setting_text)
    g_signal_emit (self, signals[EDITED], 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

static void
on_entry_activate (KtFieldRow *self)
{
  g_signal_emit (self, signals[COMMIT], 0);
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                KtFieldRow              *self)
{
  g_signal_emit (self, signals[COMMIT], 0);
}

/* The entry is named by the row's title */
static void
update_label (KtFieldRow *self)
{
  const char *title;

  if (self->entry == NULL)
    return;

  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title != NULL ? title : "", -1);
}

static void
on_notify_title (KtFieldRow *self,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  update_label (self);
}

static void
kt_field_row_dispose (GObject *object)
{
  KtFieldRow *self = KT_FIELD_ROW (object);

  /* The entry may outlive the row for a moment: it must not call back */
  if (self->entry != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->entry, self);
      g_signal_handlers_disconnect_by_data (self->focus, self);
      self->entry = NULL;
      self->focus = NULL;
    }

  G_OBJECT_CLASS (kt_field_row_parent_class)->dispose (object);
}

static void
kt_field_row_finalize (GObject *object)
{
  KtFieldRow *self = KT_FIELD_ROW (object);

  g_free (self->hint);
  g_free (self->error);

  G_OBJECT_CLASS (kt_field_row_parent_class)->finalize (object);
}

static void
kt_field_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  KtFieldRow *self = KT_FIELD_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case PROP_TEXT:
      g_value_set_string (value, kt_field_row_get_text (self));
      break;
    case PROP_PLACEHOLDER_TEXT:
      g_value_set_string (value, kt_field_row_get_placeholder_text (self));
      break;
    case PROP_HINT:
      g_value_set_string (value, self->hint);
      break;
    case PROP_WARNS:
      g_value_set_boolean (value, self->warns);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_PENDING:
      g_value_set_boolean (value, self->pending);
      break;
    case PROP_WIDTH_CHARS:
      g_value_set_int (value, gtk_editable_get_width_chars (GTK_EDITABLE (self->entry)));
      break;
    case PROP_MAX_WIDTH_CHARS:
      g_value_set_int (value, gtk_editable_get_max_width_chars (GTK_EDITABLE (self->entry)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_field_row_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  KtFieldRow *self = KT_FIELD_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_uint (value);
      break;
    case PROP_TEXT:
      kt_field_row_set_text (self, g_value_get_string (value));
      break;
    case PROP_PLACEHOLDER_TEXT:
      kt_field_row_set_placeholder_text (self, g_value_get_string (value));
      break;
    case PROP_HINT:
      kt_field_row_set_hint (self, g_value_get_string (value));
      break;
    case PROP_WARNS:
      kt_field_row_set_warns (self, g_value_get_boolean (value));
      break;
    case PROP_ERROR:
      kt_field_row_set_error (self, g_value_get_string (value));
      break;
    case PROP_PENDING:
      kt_field_row_set_pending (self, g_value_get_boolean (value));
      break;
    case PROP_WIDTH_CHARS:
      kt_field_row_set_width_chars (self, g_value_get_int (value),
                                    gtk_editable_get_max_width_chars (GTK_EDITABLE (self->entry)));
      break;
    case PROP_MAX_WIDTH_CHARS:
      kt_field_row_set_width_chars (self, gtk_editable_get_width_chars (GTK_EDITABLE (self->entry)),
                                    g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_field_row_class_init (KtFieldRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kt_field_row_dispose;
  object_class->finalize = kt_field_row_finalize;
  object_class->get_property = kt_field_row_get_property;
  object_class->set_property = kt_field_row_set_property;

  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, "", rw);
  properties[PROP_PLACEHOLDER_TEXT] = g_param_spec_string ("placeholder-text", NULL, NULL, NULL,
                                                           rw);
  properties[PROP_HINT] = g_param_spec_string ("hint", NULL, NULL, NULL, rw);
  properties[PROP_WARNS] = g_param_spec_boolean ("warns", NULL, NULL, FALSE, rw);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, rw);
  properties[PROP_PENDING] = g_param_spec_boolean ("pending", NULL, NULL, FALSE, rw);
  properties[PROP_WIDTH_CHARS] = g_param_spec_int ("width-chars", NULL, NULL, -1, G_MAXINT, 8,
                                                   rw);
  properties[PROP_MAX_WIDTH_CHARS] = g_param_spec_int ("max-width-chars", NULL, NULL, -1,
                                                       G_MAXINT, 12, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KtFieldRow::edited:
   *
   * The user changed the text; its owner may refuse it with
   * kt_field_row_set_error ().
   */
  signals[EDITED] = g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * KtFieldRow::commit:
   *
   * Enter was pressed in the entry, or it lost the focus: the text is meant.
   */
  signals[COMMIT] = g_signal_new ("commit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kt_field_row_init (KtFieldRow *self)
{
  /* Subtitles carry host and libvirt text: no markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);

  self->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->entry), GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), 8);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->entry), 12);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->entry));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self), GTK_WIDGET (self->entry));

  g_signal_connect_swapped (self->entry, "changed", G_CALLBACK (on_entry_changed), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (on_entry_activate), self);
  self->focus = gtk_event_controller_focus_new ();
  g_signal_connect (self->focus, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), self->focus);

  g_signal_connect (self, "notify::title", G_CALLBACK (on_notify_title), NULL);
  update_label (self);
}

GtkWidget *
kt_field_row_new (const char *title,
                  guint       id,
                  const char *placeholder)
{
  return g_object_new (KT_TYPE_FIELD_ROW, "title", title, "id", id,
                       "placeholder-text", placeholder, NULL);
}

guint
kt_field_row_get_id (KtFieldRow *self)
{
  g_return_val_if_fail (KT_IS_FIELD_ROW (self), 0);
  return self->id;
}

const char *
kt_field_row_get_text (KtFieldRow *self)
{
  g_return_val_if_fail (KT_IS_FIELD_ROW (self), NULL);
  return self->entry != NULL ? gtk_editable_get_text (GTK_EDITABLE (self->entry)) : "";
}

void
kt_field_row_set_text (KtFieldRow *self,
                       const char *text)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  if (self->entry == NULL || g_strcmp0 (text, kt_field_row_get_text (self)) == 0)
    return;
  self->setting_text = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
  self->setting_text = FALSE;
}

const char *
kt_field_row_get_placeholder_text (KtFieldRow *self)
{
  g_return_val_if_fail (KT_IS_FIELD_ROW (self), NULL);
  return self->entry != NULL ? gtk_entry_get_placeholder_text (self->entry) : NULL;
}

void
kt_field_row_set_placeholder_text (KtFieldRow *self,
                                   const char *text)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  if (self->entry == NULL || g_strcmp0 (text, kt_field_row_get_placeholder_text (self)) == 0)
    return;
  gtk_entry_set_placeholder_text (self->entry, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLACEHOLDER_TEXT]);
}

const char *
kt_field_row_get_hint (KtFieldRow *self)
{
  g_return_val_if_fail (KT_IS_FIELD_ROW (self), NULL);
  return self->hint;
}

void
kt_field_row_set_hint (KtFieldRow *self,
                       const char *hint)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  if (g_strcmp0 (hint, self->hint) == 0)
    return;
  g_free (self->hint);
  self->hint = g_strdup (hint);
  if (self->entry != NULL)
    show_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HINT]);
}

gboolean
kt_field_row_get_warns (KtFieldRow *self)
{
  g_return_val_if_fail (KT_IS_FIELD_ROW (self), FALSE);
  return self->warns;
}

void
kt_field_row_set_warns (KtFieldRow *self,
                        gboolean    warns)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  warns = !!warns;
  if (warns == self->warns)
    return;
  self->warns = warns;
  if (self->entry != NULL)
    show_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNS]);
}

const char *
kt_field_row_get_error (KtFieldRow *self)
{
  g_return_val_if_fail (KT_IS_FIELD_ROW (self), NULL);
  return self->error;
}

/**
 * kt_field_row_set_error:
 * @error: (nullable): why the text is refused; %NULL shows the hint
 *
 * The refusal stays until it is replaced or cleared, through every
 * update of the hint.
 */
void
kt_field_row_set_error (KtFieldRow *self,
                        const char *error)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  if (g_strcmp0 (error, self->error) != 0)
    {
      g_free (self->error);
      self->error = g_strdup (error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  if (self->entry != NULL)
    show_state (self);
}

gboolean
kt_field_row_get_pending (KtFieldRow *self)
{
  g_return_val_if_fail (KT_IS_FIELD_ROW (self), FALSE);
  return self->pending;
}

void
kt_field_row_set_pending (KtFieldRow *self,
                          gboolean    pending)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  pending = !!pending;
  set_class (GTK_WIDGET (self), "kt-pending", pending);
  if (pending == self->pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

void
kt_field_row_set_width_chars (KtFieldRow *self,
                              int         width_chars,
                              int         max_width_chars)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  if (self->entry == NULL)
    return;
  if (width_chars != gtk_editable_get_width_chars (GTK_EDITABLE (self->entry)))
    {
      gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), width_chars);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH_CHARS]);
    }
  if (max_width_chars != gtk_editable_get_max_width_chars (GTK_EDITABLE (self->entry)))
    {
      gtk_editable_set_max_width_chars (GTK_EDITABLE (self->entry), max_width_chars);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_WIDTH_CHARS]);
    }
}

gboolean
kt_field_row_is_editing (KtFieldRow *self)
{
  GtkEditable *delegate;

  g_return_val_if_fail (KT_IS_FIELD_ROW (self), FALSE);

  if (self->entry == NULL)
    return FALSE;
  delegate = gtk_editable_get_delegate (GTK_EDITABLE (self->entry));
  return gtk_widget_has_focus (GTK_WIDGET (delegate));
}

void
kt_field_row_grab_entry_focus (KtFieldRow *self)
{
  g_return_if_fail (KT_IS_FIELD_ROW (self));

  if (self->entry != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}
