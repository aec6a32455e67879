/* kt-session-private.h: what the kt-session*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-live.h"
#include "kt-session.h"

G_BEGIN_DECLS

typedef enum
{
  STEP_PIN,
  STEP_EDITS,
  STEP_HOST,
} StepKind;

typedef struct
{
  StepKind   kind;
  char      *vm;          /* STEP_HOST: "" (no VM is called that) */
  KtEdits   *before;      /* STEP_EDITS; NULL: none */
  KtEdits   *after;
  GPtrArray *host_before; /* STEP_HOST: every pending host target (KtHostTarget) */
  GPtrArray *host_after;
  guint64   rev_before;
  guint64   rev_after;
  char     *label;
} Step;

/* What the last apply to a VM started from, for kt_session_undo_apply_async () */
typedef struct
{
  KtVm         *base;
  KtApplyFlags  flags;
  gboolean      to_snapshot;
} Applied;

struct _KtSession
{
  GObject        parent_instance;

  KtSnapshot    *snapshot;
  KtConnection  *connection;
  KtLive        *live;         /* follows the connection; NULL without */
  char          *path;
  char          *title;
  gboolean       title_set;    /* FALSE: from the connection or the path */
  KtPlan        *plan;
  GHashTable    *edits;        /* VM name → KtEdits (never empty) */
  GPtrArray     *undo;         /* Step */
  GPtrArray     *redo;         /* Step; the next to redo last */
  GHashTable    *applied;      /* VM name → Applied */
  GHashTable    *domain_files; /* VM name → DomainFile (kt-session-files.c); NULL: none */
  /* Host tuning and its pending changes (kt-session-host.c); NULL until used */
  struct _KtSessionHost *host;

  guint64        last_rev;     /* the highest revision given out */
  guint64        base_rev;     /* the revision with nothing to undo */
  guint64        revision;
  guint64        saved_rev;
  guint          frozen;       /* the session drives the plan: wait */
  guint          busy;

  /* As last notified */
  guint          n_pending;
  gboolean       dirty;
  gboolean       can_undo;
  gboolean       can_redo;
};

/* kt-session.c */
void       kt_session_priv_update          (KtSession      *self);
void       kt_session_priv_set_busy        (KtSession      *self,
                                            gboolean        busy);
gboolean   kt_session_priv_make_targets    (KtVm           *vm,
                                            const KtEdits  *edits,
                                            KtApplyFlags    flags,
                                            KtDomain      **live,
                                            KtDomain      **config,
                                            GError        **error);
KtVm      *kt_session_priv_lookup_vm       (KtSession      *self,
                                            const char     *name,
                                            GError        **error);
void       kt_session_priv_vm_replaced     (KtSession      *self,
                                            const char     *name,
                                            gboolean        snapshot_edited);
void       kt_session_priv_emit_vm_changed (KtSession      *self,
                                            const char     *name);
/* kt-session-history.c */
void       kt_session_priv_step_free       (gpointer        data);
void       kt_session_priv_set_vm_edits    (KtSession      *self,
                                            const char     *name,
                                            const KtEdits  *edits);
void       kt_session_priv_renumber        (KtSession      *self,
                                            gboolean        base_changed);
gboolean   kt_session_priv_remove_steps    (GPtrArray      *steps,
                                            const char     *name,
                                            gboolean        pins_only);
Step      *kt_session_priv_push_step       (KtSession      *self,
                                            StepKind        kind,
                                            const char     *name);
void       kt_session_priv_forget_host_steps (KtSession    *self);
/* kt-session-host.c and kt-session-host-targets.c */
typedef struct _KtSessionHost
{
  KtHostControl *control;
  KtConnection  *control_connection;  /* unowned: what control was made for */
  gboolean       control_offline;
  KtHostTuning  *current;             /* NULL until read */
  GError        *read_error;
  GPtrArray     *targets;             /* KtHostTarget, pending */
  /* Offline: the snapshot's values before the session's first host apply */
  gboolean       has_before;
  KtHostTuning  *before;              /* NULL: the snapshot had none */
} KtSessionHost;

KtSessionHost *kt_session_priv_get_host    (KtSession      *self);
/* Applied or discarded: no target pending, no host step to undo */
void       kt_session_priv_host_clear_targets (KtSession   *self);
void       kt_session_priv_host_free       (KtSession      *self);
guint      kt_session_priv_host_n_pending  (KtSession      *self);
/* Drops the pending targets the host has already; whether there were */
gboolean   kt_session_priv_host_drop_made  (KtSession      *self);
/* Undo and redo of a host step: @targets (copied) are the pending ones */
void       kt_session_priv_host_set_targets (KtSession     *self,
                                             GPtrArray     *targets);
/* kt-session-live.c */
void       kt_session_priv_start_live      (KtSession      *self);
void       kt_session_priv_stop_live       (KtSession      *self);

G_END_DECLS
