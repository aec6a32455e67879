/* kt-window-private.h: what the window's files share
 *
 * kt-window.c: the sidebar, the map, the session's state in the header,
 *              the actions; kt-window-load.c: opening a source;
 * kt-window-session.c: following the session and its live refresh;
 * kt-window-close.c: saving, and what to do with pending changes when
 *              the window closes or opens another source;
 * kt-window-advice.c: the Advice list and Suggest Placement.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-host-view.h"
#include "kt-load-errors.h"
#include "kt-map-canvas.h"
#include "kt-session.h"
#include "kt-tuning-panel.h"
#include "kt-vm-row.h"
#include "kt-window.h"

G_BEGIN_DECLS

typedef void (*KtWindowContinuation) (KtWindow *self);
typedef struct _KtWindowAdvice KtWindowAdvice;

struct _KtWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  AdwWindowTitle       *window_title;
  GtkWidget            *undo_button;
  GtkWidget            *redo_button;
  GtkListView          *vm_list;
  GtkWidget            *vm_scroller;
  AdwStatusPage        *empty_page;
  KtLoadErrors         *load_errors;
  GtkStack             *stack;
  AdwStatusPage        *error_page;
  KtMapCanvas          *canvas;
  GtkRevealer          *pending_revealer;
  GtkLabel             *pending_label;
  GtkWidget            *pending_save_button;
  KtTuningPanel        *tuning_panel;
  GtkRevealer          *lost_revealer;
  GtkLabel             *lost_label;
  GtkStack             *view_stack;   /* Map | Host */
  GtkWidget            *view_switcher;
  KtHostView           *host_view;

  /* The source, and everything pending on it: NULL until loaded */
  KtSession            *session;
  GCancellable         *load_cancellable;

  /* The sidebar: "All VMs", then the snapshot's VMs */
  GListStore           *all_store;
  KtVmRow              *all_row;    /* weak: its VM count follows live updates */
  GHashTable           *vm_rows;    /* the VM rows bound: their pending marks */
  GtkSingleSelection   *selection;

  /* Closing, or opening another source: what runs once the pending
   * changes are saved, applied or discarded */
  KtWindowContinuation  after_save;
  GtkWidget            *apply_dialog;   /* weak: the apply asked for on close */
  char                 *applying;       /* its VM */
  KtWindowAdvice       *advice;         /* kt-window-advice.c */
  guint                 syncing_selection : 1;
  guint                 close_confirmed : 1;
};

/* kt-window.c */
KtSnapshot *kt_window_priv_snapshot        (KtWindow     *self);
KtApplication *kt_window_priv_app          (KtWindow     *self);
void        kt_window_priv_toast           (KtWindow     *self,
                                            const char   *message);
void        kt_window_priv_show_error      (KtWindow     *self,
                                            const char   *message);
/* The header, the title and the sidebar's pending marks */
void        kt_window_priv_update          (KtWindow     *self);
void        kt_window_priv_select_vm       (KtWindow     *self,
                                            KtVm         *vm);
void        kt_window_priv_update_empty    (KtWindow     *self);
/* The first VM with something pending in the session (pins or edits),
 * or NULL */
KtVm       *kt_window_priv_first_pending   (KtWindow     *self);

void        kt_window_priv_set_sidebar_model (KtWindow   *self);

/* kt-window-session.c */
/* Shows @session, what is pending on it and its live refresh */
void        kt_window_priv_set_session     (KtWindow     *self,
                                            KtSession    *session);
/* Done with it: its connection closes off the main thread once unused */
void        kt_window_priv_release_session (KtWindow     *self);
void        kt_window_priv_update_observing (KtWindow    *self);
void        kt_window_priv_realized        (KtWindow     *self);

/* kt-window-host.c */
/* The view switcher, and the map's node headers opening their pools */
void        kt_window_priv_init_host       (KtWindow     *self);
/* The Host view follows the window's session */
void        kt_window_priv_host_session    (KtWindow     *self);

/* kt-window-close.c */
void        kt_window_priv_save            (KtWindow     *self);
void        kt_window_priv_save_as         (KtWindow     *self);
void        kt_window_priv_add_filters     (GtkFileChooser *chooser);
/* Something pending or not saved: closing asks */
gboolean    kt_window_priv_has_unsaved     (KtWindow     *self);
/* Runs @then, after asking what to do with the pending changes if any:
 * Apply (or Save, on a snapshot file), Discard or Cancel */
void        kt_window_priv_confirm_discard (KtWindow             *self,
                                            KtWindowContinuation  then);

/* kt-window-advice.c */
void        kt_window_priv_advice_init     (KtWindow     *self);
void        kt_window_priv_advice_dispose  (KtWindow     *self);
/* After a new session was set: follows it and runs the advisor */
void        kt_window_priv_advice_attach   (KtWindow     *self);
/* Puts @fixes (element-type KtFix) into the session, then says what is
 * pending where; @may_read: on a connection, reads the host's tuning
 * first when the fixes need it and it was not read */
void        kt_window_priv_advice_put_fixes (KtWindow    *self,
                                             GPtrArray   *fixes,
                                             gboolean     may_read);

/* kt-window-advice-host.c */
gboolean    kt_window_priv_advice_read_host (KtWindow    *self,
                                             GPtrArray   *fixes);
char       *kt_window_priv_advice_describe_host (KtWindow  *self,
                                                 GPtrArray *targets);
void        kt_window_priv_advice_toast    (KtWindow     *self,
                                            const char   *message,
                                            gboolean      to_host);

G_END_DECLS
