/* kt-field-row.h: a row with an entry, for a set of CPUs, nodes or cells
 *
 * An AdwActionRow with an entry at its end, used by the tuning panel for
 * every value typed as text: pins (host CPUs), host nodes, guest cells, a
 * CPU model's name.  The subtitle shows the row's hint, or, while the text
 * is refused, why ("error"), until the text changes.  The row knows
 * nothing of what the text means: its owner checks it on "edited" and
 * takes it on "commit".
 *
 * Signals:
 *   "edited" ():  the text was changed by the user (not by set_text)
 *   "commit" ():  Enter was pressed, or the entry lost the focus
 * Properties: "id" (construct-only), "text", "placeholder-text", "hint",
 * "warns", "error", "pending", "width-chars", "max-width-chars"; all
 * G_PARAM_EXPLICIT_NOTIFY.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KT_TYPE_FIELD_ROW (kt_field_row_get_type ())

G_DECLARE_FINAL_TYPE (KtFieldRow, kt_field_row, KT, FIELD_ROW, AdwActionRow)

GtkWidget  *kt_field_row_new                  (const char *title,
                                               guint       id,
                                               const char *placeholder);
/* What the row stands for: a vCPU, an IOThread or a guest cell */
guint       kt_field_row_get_id               (KtFieldRow *self);
const char *kt_field_row_get_text             (KtFieldRow *self);
/* Does not emit "edited" */
void        kt_field_row_set_text             (KtFieldRow *self,
                                               const char *text);
const char *kt_field_row_get_placeholder_text (KtFieldRow *self);
void        kt_field_row_set_placeholder_text (KtFieldRow *self,
                                               const char *text);
/* The subtitle while the text is not refused; NULL: none */
const char *kt_field_row_get_hint             (KtFieldRow *self);
void        kt_field_row_set_hint             (KtFieldRow *self,
                                               const char *hint);
/* The hint is a warning */
gboolean    kt_field_row_get_warns            (KtFieldRow *self);
void        kt_field_row_set_warns            (KtFieldRow *self,
                                               gboolean    warns);
/* Why the text is refused, shown in place of the hint; NULL: it is not */
const char *kt_field_row_get_error            (KtFieldRow *self);
void        kt_field_row_set_error            (KtFieldRow *self,
                                               const char *error);
/* Marks the row as holding a pending change */
gboolean    kt_field_row_get_pending          (KtFieldRow *self);
void        kt_field_row_set_pending          (KtFieldRow *self,
                                               gboolean    pending);
void        kt_field_row_set_width_chars      (KtFieldRow *self,
                                               int         width_chars,
                                               int         max_width_chars);
/* Whether the entry has the keyboard focus: being typed in */
gboolean    kt_field_row_is_editing           (KtFieldRow *self);
void        kt_field_row_grab_entry_focus     (KtFieldRow *self);

G_END_DECLS
