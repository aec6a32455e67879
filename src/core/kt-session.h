/* kt-session.h: one opened host, with everything pending on it
 *
 * A session holds what a window (or a CLI verb) works on: the snapshot,
 * the connection it came from (NULL for files), the snapshot file it was
 * read from or saved to, the plan (vCPU pins) and every VM's other pending
 * edits (KtEdits).  Every change goes through it, so that:
 *
 *   - one undo history holds every pending change: a step is either a pin
 *     (done by the plan, which keeps its own pin history in the same
 *     order) or a VM's edits replaced (the edits before and after);
 *   - the state has a revision: each step done gives a new one, undo and
 *     redo go back to the revisions they were at, and the session is dirty
 *     when the revision is not the one saved (kt_session_mark_saved ()),
 *     so that pending edits as well as pins are not lost on close;
 *   - apply, undo-apply and reload go through KtApply and the connection's
 *     worker threads, and leave the snapshot, plan and edits in step;
 *   - what came from files goes back to them: kt_session_save () for a
 *     snapshot file, kt_session_save_domain_files () for domain XML files.
 *
 * With a connection, the session owns the live refresh (kt-live.h): it
 * re-reads VMs on libvirt's events, carries the plan over, and reconnects;
 * a reconnection becomes the session's "connection".
 *
 * A pin made straight into the plan (kt_plan_pin ()) is a session step as
 * well as one made with kt_session_pin () (the plan's "step-added"); undo
 * and redo must go through the session.  A plan that forgets a VM by
 * itself (kt_plan_rebase_vm () from live refresh) is followed.
 *
 * Signals:
 *   "changed"    (): anything pending, undoable or saved changed
 *   "vm-changed" (const char *name, gboolean snapshot_edited): the VM's
 *                definitions were replaced (applied, undone, reloaded);
 *                @snapshot_edited: the snapshot itself was edited (a
 *                session without connection), so it is to be saved
 * Properties (read-only, G_PARAM_EXPLICIT_NOTIFY unless said): "snapshot",
 * "connection" (writable: a reconnection replaces it), "plan", "path"
 * (writable), "title" (writable), "read-only", "n-pending", "revision", "saved-revision",
 * "dirty", "can-undo", "can-redo", "undo-label", "redo-label", "busy".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-apply.h"
#include "kt-edits.h"
#include "kt-host-apply.h"
#include "kt-live.h"
#include "kt-plan.h"

G_BEGIN_DECLS

#define KT_TYPE_SESSION (kt_session_get_type ())

G_DECLARE_FINAL_TYPE (KtSession, kt_session, KT, SESSION, GObject)

/* @connection (nullable): the snapshot's source; @path (nullable): the
 * snapshot file it was read from */
KtSession    *kt_session_new                 (KtSnapshot     *snapshot,
                                              KtConnection   *connection,
                                              const char     *path);
KtSnapshot   *kt_session_get_snapshot        (KtSession      *self);
KtPlan       *kt_session_get_plan            (KtSession      *self);
KtConnection *kt_session_get_connection      (KtSession      *self);
void          kt_session_set_connection      (KtSession      *self,
                                              KtConnection   *connection);
const char   *kt_session_get_path            (KtSession      *self);
void          kt_session_set_path            (KtSession      *self,
                                              const char     *path);
/* On a read-only connection: nothing can be applied */
gboolean      kt_session_is_read_only        (KtSession      *self);
/* What the window's header says: "qemu:///system (read-only)", the
 * snapshot file's name, or what kt_session_set_title () set */
const char   *kt_session_get_title           (KtSession      *self);
void          kt_session_set_title           (KtSession      *self,
                                              const char     *title);
/* Follows the connection (events, reconnection, where vCPUs run); NULL
 * without connection.  A reconnection becomes the session's connection. */
KtLive       *kt_session_get_live            (KtSession      *self);
/* Done with: stops the live refresh, closes the connection off the main
 * thread once nothing uses it (kt_connection_close_unused ()) */
void          kt_session_close_async         (KtSession          *self,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean      kt_session_close_finish        (GAsyncResult   *result,
                                              GError        **error);
/* An apply, undo-apply or reload runs */
gboolean      kt_session_is_busy             (KtSession      *self);

/* Changes ---------------------------------------------------------------- */

/* kt_plan_pin (), as one undo step of the session */
gboolean      kt_session_pin                 (KtSession      *self,
                                              KtVm           *vm,
                                              const guint    *vcpus,
                                              guint           n_vcpus,
                                              const KtCpuset *target,
                                              GError        **error);
/* The VM's pending edits; NULL when none */
const KtEdits *kt_session_get_edits          (KtSession      *self,
                                              const char     *name);
/* Makes @edits (NULL: none) the VM's pending edits, as one undo step,
 * when they replay onto every definition of the VM; else @error, and
 * nothing changes.  The same edits again are no step. */
gboolean      kt_session_set_edits           (KtSession      *self,
                                              const char     *name,
                                              const KtEdits  *edits,
                                              GError        **error);
/* kt_session_set_edits () for an apply with @flags (the command line's
 * --live, --config): the edits need fit only the definitions @flags
 * names; 0: every one, like kt_session_set_edits () */
gboolean      kt_session_set_edits_full      (KtSession      *self,
                                              const char     *name,
                                              const KtEdits  *edits,
                                              KtApplyFlags    flags,
                                              GError        **error);
/* kt_session_set_edits (self, name, NULL): one undo step */
gboolean      kt_session_discard_edits       (KtSession      *self,
                                              const char     *name);

/* Drops everything pending on the VM, and its steps (a VM that is gone) */
void          kt_session_forget_vm           (KtSession      *self,
                                              const char     *name);

/* What is pending ------------------------------------------------------- */

/* Pins pending (kt_plan_get_n_pending ()) plus every VM's edits
 * (kt_edits_count ()) */
guint         kt_session_get_n_pending       (KtSession      *self);
guint         kt_session_get_n_pending_vm    (KtSession      *self,
                                              const char     *name);
gboolean      kt_session_has_changes         (KtSession      *self,
                                              const char     *name);
/* "web1: 3 pending changes", or NULL when none */
char         *kt_session_dup_pending_title   (KtSession      *self,
                                              const char     *name);
/* One line per pending change of the VM: the pins ("vCPU 2: 4-5, was
 * 0-7") then kt_edits_describe () */
GPtrArray    *kt_session_describe_pending    (KtSession      *self,
                                              const char     *name);
/* The VM's pending edits replayed onto a copy of @domain (one of its
 * definitions, with the plan's pins): what the panel shows */
KtDomain     *kt_session_preview             (KtSession      *self,
                                              const char     *name,
                                              KtDomain       *domain,
                                              GError        **error);

/* Undo and redo ---------------------------------------------------------- */

gboolean      kt_session_can_undo            (KtSession      *self);
gboolean      kt_session_can_redo            (KtSession      *self);
gboolean      kt_session_undo                (KtSession      *self);
gboolean      kt_session_redo                (KtSession      *self);
/* What an undo or redo would do ("Pin of web1"), or NULL */
const char   *kt_session_get_undo_label      (KtSession      *self);
const char   *kt_session_get_redo_label      (KtSession      *self);

/* Saved or not ----------------------------------------------------------- */

guint64       kt_session_get_revision        (KtSession      *self);
guint64       kt_session_get_saved_revision  (KtSession      *self);
/* The revision is not the saved one: there is something to lose */
gboolean      kt_session_is_dirty            (KtSession      *self);
/* What there is now was saved (a snapshot file written, or, on a
 * connection, nothing left to keep) */
void          kt_session_mark_saved          (KtSession      *self);
/* Writes the snapshot (with the pending pins) to @path and marks it
 * saved, when no VM has pending edits (a snapshot file cannot hold
 * them); becomes the session's path when it has no connection */
gboolean      kt_session_save                (KtSession      *self,
                                              const char     *path,
                                              GError        **error);

/* Apply, undo-apply, reload ---------------------------------------------- */

/* The VM's definitions as loaded (the base of an apply) and copies of its
 * definitions with the pins and edits (the targets) */
gboolean      kt_session_prepare_targets     (KtSession      *self,
                                              const char     *name,
                                              KtVm          **base,
                                              KtDomain      **live_target,
                                              KtDomain      **config_target,
                                              GError        **error);
/* The KtApply of what is pending on the VM; @flags 0: the VM's default
 * (kt_apply_default_flags ()).  Only the definitions @flags names are
 * made: an edit for the config need not fit the running definition. */
KtApply      *kt_session_prepare_apply       (KtSession      *self,
                                              const char     *name,
                                              KtApplyFlags    flags,
                                              GError        **error);
/* Applies what is pending on the VM: through libvirt when the session has
 * a connection (then reads the VM back), into the snapshot otherwise.
 * Then the VM has nothing pending, and kt_session_undo_apply_async () can
 * put back what it had before. */
void          kt_session_apply_async         (KtSession          *self,
                                              const char         *name,
                                              KtApplyFlags        flags,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean      kt_session_apply_finish        (KtSession      *self,
                                              GAsyncResult   *result,
                                              GError        **error);
/* The same, blocking (the command line); on a read-only connection the
 * error is kt_apply_run ()'s */
gboolean      kt_session_apply               (KtSession      *self,
                                              const char     *name,
                                              KtApplyFlags    flags,
                                              GError        **error);
/* Whether the VM's last apply can be undone */
gboolean      kt_session_can_undo_apply      (KtSession      *self,
                                              const char     *name);
void          kt_session_undo_apply_async    (KtSession          *self,
                                              const char         *name,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean      kt_session_undo_apply_finish   (KtSession      *self,
                                              GAsyncResult   *result,
                                              GError        **error);
/* The same, blocking (the command line) */
gboolean      kt_session_undo_apply          (KtSession      *self,
                                              const char     *name,
                                              GError        **error);
/* kt_session_apply () of each VM of @names (NULL-terminated) with
 * @flags[i] (@flags NULL: each VM's default), all or none: every apply is
 * checked before the first is made; when one fails, the VMs applied
 * before it are undone (kt_session_undo_apply ()) */
gboolean      kt_session_apply_all           (KtSession           *self,
                                              const char * const  *names,
                                              const KtApplyFlags  *flags,
                                              GError             **error);
/* Reads the VM again from the connection; the pending pins that still
 * fit go back on top of what it has now, and the edits stay pending */
void          kt_session_reload_async        (KtSession          *self,
                                              const char         *name,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean      kt_session_reload_finish       (KtSession      *self,
                                              GAsyncResult   *result,
                                              GError        **error);

/* Domain-file sources (kt-session-files.c) ------------------------------- */

/* The VMs were read from domain XML files (--caps FILE --domain FILE...):
 * @paths[i] (NULL-terminated) holds the snapshot's i-th VM */
void          kt_session_set_domain_files    (KtSession          *self,
                                              const char * const *paths);
/* The file the VM was read from, or NULL */
const char   *kt_session_get_domain_file     (KtSession          *self,
                                              const char         *name);
/* Writes back each domain file whose VM changed (applied into the
 * snapshot, or with pending changes, made in what is written) since it was
 * read or written, refusing one changed on disk since (its stamp); then
 * marks the session saved */
gboolean      kt_session_save_domain_files   (KtSession          *self,
                                              GError            **error);
/* What the window's widgets change (kt-session-edits.c) ---------------- */

/* kt_plan_pin_each (), as one undo step of the session */
gboolean      kt_session_pin_each            (KtSession      *self,
                                              KtVm           *vm,
                                              const guint    *vcpus,
                                              guint           n_vcpus,
                                              GPtrArray      *targets,
                                              GError        **error);
/* A copy of the VM's pending edits (empty when none), to change and give
 * to kt_session_set_edits () */
KtEdits      *kt_session_dup_edits           (KtSession      *self,
                                              const char     *name);
/* Host tuning (kt-session-host.c) ---------------------------------------
 *
 * The host's tuning (tuned, KSM, THP, numa_balancing, hugepage pools) as
 * last read through the session's KtHostControl, and the host changes
 * pending on it (KEY=VALUE targets, kt-host-tuning.h's keys): they count
 * in kt_session_get_n_pending () and make the session dirty until
 * applied or discarded.  An apply goes through kt-host-apply (all or
 * nothing, with its revert record); on a session without connection it
 * writes the snapshot's host-tuning values, which then are to be saved,
 * and Revert puts back what the snapshot had before the session's first
 * host apply.  Each change emits "changed". */

/* How the session changes its host (made for the session's connection) */
KtHostControl      *kt_session_get_host_control     (KtSession      *self);
/* The values last read; NULL until kt_session_read_host*() */
const KtHostTuning *kt_session_get_host_tuning      (KtSession      *self);
/* Why the last read failed, or NULL */
const GError       *kt_session_get_host_error       (KtSession      *self);
gboolean            kt_session_read_host            (KtSession      *self,
                                                     GError        **error);
void                kt_session_read_host_async      (KtSession          *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
gboolean            kt_session_read_host_finish     (KtSession      *self,
                                                     GAsyncResult   *result,
                                                     GError        **error);
/* Makes @value (NULL: none) the pending target of @key, when the value is
 * valid and KvmTune can change @key on this host; the value it has now
 * is no change.  Else @error (the key and the reason), nothing changes.
 * A change is a step to undo; the host steps go when the targets are
 * applied or discarded. */
gboolean            kt_session_set_host_target      (KtSession      *self,
                                                     const char     *key,
                                                     const char     *value,
                                                     GError        **error);
/* Each of @targets (element-type KtHostTarget; value NULL: none), as
 * kt_session_set_host_target () makes one, or none: one step to undo */
gboolean            kt_session_set_host_targets     (KtSession      *self,
                                                     GPtrArray      *targets,
                                                     GError        **error);
/* Whether kt_session_set_host_targets () would take @targets; changes nothing */
gboolean            kt_session_check_host_targets   (KtSession      *self,
                                                     GPtrArray      *targets,
                                                     GError        **error);
/* The pending target of @key, or NULL */
const char         *kt_session_get_host_target      (KtSession      *self,
                                                     const char     *key);
/* (element-type KtHostTarget): copies of the pending targets, in the
 * order they were set */
GPtrArray          *kt_session_dup_host_targets     (KtSession      *self);
guint               kt_session_get_n_pending_host   (KtSession      *self);
void                kt_session_discard_host_targets (KtSession      *self);
/* What @profile (nullable: none) with the pending targets on top would
 * change, old → new with the mechanism, against the values last read */
KtHostPlan         *kt_session_plan_host            (KtSession           *self,
                                                     const KtHostProfile *profile,
                                                     gboolean             persistent,
                                                     GError             **error);
/* Makes @plan (kt_session_plan_host ()), then reads the host again; the
 * pending targets are gone once applied */
gboolean            kt_session_apply_host           (KtSession        *self,
                                                     const KtHostPlan *plan,
                                                     GError          **error);
void                kt_session_apply_host_async     (KtSession          *self,
                                                     const KtHostPlan   *plan,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
gboolean            kt_session_apply_host_finish    (KtSession      *self,
                                                     GAsyncResult   *result,
                                                     GError        **error);
/* A revert record exists (kt_host_control_has_revert (); offline: the
 * session applied into the snapshot) */
gboolean            kt_session_can_revert_host      (KtSession      *self);
/* What Revert would change */
KtHostPlan         *kt_session_plan_host_revert     (KtSession      *self,
                                                     GError        **error);
gboolean            kt_session_revert_host          (KtSession      *self,
                                                     GError        **error);
void                kt_session_revert_host_async    (KtSession          *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
gboolean            kt_session_revert_host_finish   (KtSession      *self,
                                                     GAsyncResult   *result,
                                                     GError        **error);

G_END_DECLS
