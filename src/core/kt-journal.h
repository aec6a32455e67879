/* kt-journal.h: the intent record of a live apply
 *
 * Before its first live call, kt_apply_run() writes what it is about to
 * do to g_get_user_state_dir()/kvmtune/journal/URIHASH-UUID.json (JSON,
 * mode 0600, written to a temporary file, fsynced and renamed): the VM,
 * its UUID, the connection URI, each step with the value it sets and the
 * value it replaces, and the config before and after when one is defined.
 * It removes the record when the apply completes or is rolled back; a
 * record left behind is an apply that the loss of the connection (or of
 * the process) interrupted.  The next connection to that URI finds it
 * (kt_journal_list ()) and finishes or rolls back the apply
 * (kt_apply_new_recovery ()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "kt-cpuset.h"

G_BEGIN_DECLS

typedef enum
{
  KT_JOURNAL_VCPUPIN,
  KT_JOURNAL_EMULATORPIN,
  KT_JOURNAL_IOTHREADPIN,
  KT_JOURNAL_NUMA_NODESET,
} KtJournalStepKind;

typedef struct
{
  KtJournalStepKind kind;
  guint             id;       /* vCPU or IOThread id */
  KtCpuset         *before;   /* NULL: unpinned (all host CPUs) / no nodeset */
  KtCpuset         *after;    /* NULL: unpin */
} KtJournalStep;

#define KT_TYPE_JOURNAL (kt_journal_get_type ())

G_DECLARE_FINAL_TYPE (KtJournal, kt_journal, KT, JOURNAL, GObject)

KtJournal           *kt_journal_new             (const char      *uri,
                                                 const char      *vm_name,
                                                 const char      *uuid);
void                 kt_journal_add_step        (KtJournal       *self,
                                                 KtJournalStepKind kind,
                                                 guint            id,
                                                 const KtCpuset  *before,
                                                 const KtCpuset  *after);
void                 kt_journal_set_config      (KtJournal       *self,
                                                 const char      *before_xml,
                                                 const char      *after_xml);
gboolean             kt_journal_save            (KtJournal       *self,
                                                 GError         **error);
gboolean             kt_journal_remove          (KtJournal       *self,
                                                 GError         **error);
KtJournal           *kt_journal_load            (const char      *path,
                                                 GError         **error);

/* The records left for @uri, oldest first; an unreadable one is an error */
GPtrArray           *kt_journal_list            (const char      *uri,
                                                 GError         **error);
/* The record of @uuid on @uri: NULL without @error set when there is none */
KtJournal           *kt_journal_lookup          (const char      *uri,
                                                 const char      *uuid,
                                                 GError         **error);
char                *kt_journal_get_dir         (void);

const char          *kt_journal_get_path        (KtJournal       *self);
const char          *kt_journal_get_uri         (KtJournal       *self);
const char          *kt_journal_get_vm_name     (KtJournal       *self);
const char          *kt_journal_get_uuid        (KtJournal       *self);
/* When the apply started, as written in the record (ISO 8601, UTC) */
const char          *kt_journal_get_started     (KtJournal       *self);
guint                kt_journal_get_n_steps     (KtJournal       *self);
const KtJournalStep *kt_journal_get_step        (KtJournal       *self,
                                                 guint            i);
/* NULL when the apply defines no config */
const char          *kt_journal_get_config_before (KtJournal     *self);
const char          *kt_journal_get_config_after  (KtJournal     *self);

/* "vCPU 0-19 pins, the emulator pin" for the steps of @steps (indices
 * into the record); "" when empty */
char                *kt_journal_describe_steps  (KtJournal       *self,
                                                 GArray          *steps);

G_END_DECLS
