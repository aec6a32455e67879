/* kt-tuning-panel-private.h: what the tuning panel's files share
 *
 * The panel is one class in several files, by section:
 *   kt-tuning-panel.c            the class, its lifecycle, the header
 *                                (title, Apply, Discard), the preview and
 *                                what drives the sections (refresh)
 *   kt-tuning-panel-apply.c      glue to the session (KtSession): the
 *                                VM's edits read and given back, Apply
 *                                (the dialog), the toast's Undo, Reload
 *                                and Discard
 *   kt-tuning-panel-pins.c       vCPU, emulator and IOThread pins
 *   kt-tuning-panel-memory.c     NUMA mode and nodes, guest cells (memnodes)
 *   kt-tuning-panel-hugepages.c  huge pages, memory backing, hard limit
 *   kt-tuning-panel-cpu.c        CPU mode and model, guest topology
 * Each section builds its rows for the VM's shape (_build), shows the
 * preview in them (_update) and turns their input into edits, which it
 * gives to the session (one undo step each); nothing pending is kept in
 * the panel.  Values
 * typed as text are KtFieldRows (kt-field-row.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "kt-cpu-models.h"
#include "kt-field-row.h"
#include "kt-format.h"
#include "kt-session.h"
#include "kt-tuning-panel.h"

G_BEGIN_DECLS

#define GIB_KIB G_GUINT64_CONSTANT (1048576)
/* A page-size item standing for the VM's own <hugepages/> with no size */
#define PAGE_SIZE_KEEP G_MAXUINT64

/* CPU models from the domain capabilities (kt-cpu-models.h) */
typedef KtCpuModel CpuModel;

/* The panel -------------------------------------------------------------- */

struct _KtTuningPanel
{
  GtkWidget            parent_instance;

  /* Template */
  GtkLabel            *title_label;
  GtkLabel            *detail_label;
  GtkWidget           *apply_button;
  GtkWidget           *discard_button;
  GtkScrolledWindow   *scroller;
  AdwPreferencesGroup *pinning_group;
  AdwComboRow         *numa_mode_row;
  KtFieldRow          *numa_nodeset_row;
  AdwActionRow        *memory_warning_row;
  AdwPreferencesGroup *cells_group;
  AdwComboRow         *page_size_row;
  KtFieldRow          *page_cells_row;
  AdwActionRow        *page_free_row;
  AdwActionRow        *page_warning_row;
  AdwActionRow        *nosharepages_row;
  GtkSwitch           *nosharepages_switch;
  AdwActionRow        *locked_row;
  GtkSwitch           *locked_switch;
  AdwActionRow        *hard_limit_row;
  GtkWidget           *hard_limit_fix_row;
  AdwComboRow         *cpu_mode_row;
  AdwComboRow         *cpu_model_row;
  KtFieldRow          *cpu_model_text_row;
  AdwActionRow        *cpu_warning_row;
  AdwPreferencesGroup *topology_group;
  GtkSpinButton       *sockets_spin;
  GtkSpinButton       *dies_spin;
  GtkSpinButton       *cores_spin;
  GtkSpinButton       *threads_spin;
  AdwActionRow        *topology_check_row;

  /* What is shown: the session's VM */
  KtSession           *session;
  KtVm                *vm;
  GCancellable        *cancellable;

  /* What is shown */
  KtDomain            *preview;        /* effective definition + edits */
  KtTuning            *preview_t;
  KtTuning            *base_t;         /* the effective definition as loaded */
  char                *preview_error;
  char                *shape;          /* what the rows were built for */
  GPtrArray           *built_rows;     /* rows added to pinning_group and cells_group */
  GPtrArray           *vcpu_rows;      /* KtFieldRow per vCPU, of built_rows */
  KtFieldRow          *emulator_row;   /* of built_rows */
  GPtrArray           *iothread_rows;  /* KtFieldRow per IOThread, of built_rows */
  GPtrArray           *memnode_rows;   /* KtFieldRow per guest cell, of built_rows */
  GPtrArray           *numa_modes;     /* per item of numa_mode_row: mode or NULL */
  GPtrArray           *cpu_modes;      /* per item of cpu_mode_row */
  GPtrArray           *cpu_models;     /* CpuModel, per item of cpu_model_row */
  KtSnapshot          *cpu_models_of;
  char                *cpu_host_model; /* host-model's model, from the capabilities */
  GArray              *page_sizes;     /* guint64 per item of page_size_row */

  /* Refusals shown in place of a row's subtitle until the next change */
  char                *numa_mode_error;
  char                *page_size_error;
  char                *cpu_error;
  char                *switch_error;

  guint                updating : 1;
  guint                building : 1;
  guint                topology_syncing : 1;
};

/* Small helpers ---------------------------------------------------------- */

/* A number as text, so that no format macro goes inside a translatable
 * string (xgettext would cut the msgid at it) */
static inline char *
num (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static inline void
set_row_class (gpointer    row,
               const char *css_class,
               gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (GTK_WIDGET (row), css_class);
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), css_class);
}

static inline void
show_row_state (gpointer    row,
                const char *error,
                const char *hint,
                gboolean    warns)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error ? error : hint ? hint : "");
  set_row_class (row, "kt-invalid", error != NULL);
  set_row_class (row, "kt-warning", error == NULL && warns);
}

static inline guint
index_of_mode (GPtrArray  *modes,
               const char *mode)
{
  for (guint i = 0; i < modes->len; i++)
    if (g_strcmp0 (g_ptr_array_index (modes, i), mode) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

/* The session's plan; NULL without session */
static inline KtPlan *
panel_plan (KtTuningPanel *self)
{
  return self->session != NULL ? kt_session_get_plan (self->session) : NULL;
}

static inline KtCpuset *
set_copy (const KtCpuset *set)
{
  return set != NULL ? kt_cpuset_copy (set) : NULL;
}

/* kt-tuning-panel.c */
char          *format_nodes                            (const KtCpuset *nodes);
KtHost        *_kt_tuning_panel_get_host               (KtTuningPanel  *self);
void           _kt_tuning_panel_show_message           (KtTuningPanel  *self,
                                                        const char     *message);
void           _kt_tuning_panel_show_toast             (KtTuningPanel  *self,
                                                        AdwToast       *toast);
/* Adds a row built for the VM's shape to @group */
void           _kt_tuning_panel_add_row                (KtTuningPanel       *self,
                                                        AdwPreferencesGroup *group,
                                                        KtFieldRow          *row);
/* Reads @text as a set; *@out NULL for an empty text, which means "none" */
gboolean       _kt_tuning_panel_parse_set              (const char     *text,
                                                        KtCpuset      **out,
                                                        GError        **error);
/* Shows @now as @row's text, unless the row shows a refusal or is being
 * typed in with text that means the same */
void           _kt_tuning_panel_show_set               (KtFieldRow     *row,
                                                        const KtCpuset *now);
/* Shows the VM again: the preview, the rows (built anew when the shape
 * changed), the header */
void           _kt_tuning_panel_refresh                (KtTuningPanel  *self);
void           _kt_tuning_panel_clear_errors           (KtTuningPanel  *self);
/* Whether input is to be taken: a VM is shown, and the panel is not
 * setting its rows itself */
gboolean       _kt_tuning_panel_takes_input            (KtTuningPanel  *self);

/* kt-tuning-panel-apply.c: the session's side */
/* The edits pending on the VM shown; NULL: none */
const KtEdits *_kt_tuning_panel_get_edits              (KtTuningPanel  *self);
/* A copy of the VM's edits, to change and commit */
KtEdits       *_kt_tuning_panel_begin_edits            (KtTuningPanel  *self);
/* Gives @candidate (always taken) to the session as the VM's edits: one
 * undo step, if every definition takes it */
gboolean       _kt_tuning_panel_commit_edits           (KtTuningPanel  *self,
                                                        KtEdits        *candidate,
                                                        GError        **error);
void           _kt_tuning_panel_apply_class_init       (GtkWidgetClass *widget_class);
void           _kt_tuning_panel_apply_init             (KtTuningPanel  *self);
void           _kt_tuning_panel_apply_dispose          (KtTuningPanel  *self);

/* kt-tuning-panel-pins.c */
void           _kt_tuning_panel_pins_build             (KtTuningPanel  *self);
void           _kt_tuning_panel_pins_update            (KtTuningPanel  *self);

/* kt-tuning-panel-memory.c */
void           _kt_tuning_panel_memory_class_init      (GtkWidgetClass *widget_class);
void           _kt_tuning_panel_memory_init            (KtTuningPanel  *self);
void           _kt_tuning_panel_memory_build           (KtTuningPanel  *self);
void           _kt_tuning_panel_memory_update          (KtTuningPanel  *self);

/* kt-tuning-panel-hugepages.c */
void           _kt_tuning_panel_hugepages_class_init   (GtkWidgetClass *widget_class);
void           _kt_tuning_panel_hugepages_init         (KtTuningPanel  *self);
void           _kt_tuning_panel_hugepages_build        (KtTuningPanel  *self);
void           _kt_tuning_panel_hugepages_update       (KtTuningPanel  *self);

/* kt-tuning-panel-cpu.c */
void           _kt_tuning_panel_cpu_class_init         (GtkWidgetClass *widget_class);
void           _kt_tuning_panel_cpu_init               (KtTuningPanel  *self);
void           _kt_tuning_panel_cpu_build              (KtTuningPanel  *self);
void           _kt_tuning_panel_cpu_update             (KtTuningPanel  *self);

G_END_DECLS
