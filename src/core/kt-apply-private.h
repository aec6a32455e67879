/* kt-apply-private.h: what the kt-apply*.c files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-apply.h"
#include "kt-journal.h"

G_BEGIN_DECLS

/* The same values as KtJournalStepKind */
typedef enum
{
  STEP_VCPUPIN = KT_JOURNAL_VCPUPIN,
  STEP_EMULATORPIN = KT_JOURNAL_EMULATORPIN,
  STEP_IOTHREADPIN = KT_JOURNAL_IOTHREADPIN,
  STEP_NUMA_NODESET = KT_JOURNAL_NUMA_NODESET,
} StepKind;

typedef struct
{
  StepKind  kind;
  guint     id;        /* vCPU or iothread id */
  KtCpuset *before;    /* NULL: unpinned (all host CPUs) / no nodeset */
  KtCpuset *after;     /* NULL: unpin */
} Step;

struct _KtApply
{
  GObject          parent_instance;

  KtVm            *vm;
  KtApplyFlags     flags;
  GArray          *steps;       /* Step */
  char            *define_xml;  /* NULL: nothing to define */
  char            *base_inactive_xml;
  KtTuning        *base_live;   /* for the concurrent-change check */
  char            *diff;

  KtJournal       *recovering;  /* kt_apply_new_recovery (): the record it completes */
  KtApplyTestHook  hook;
  gpointer         hook_data;
};

/* What kt_apply_run () works on (kt-apply-run.c) */
typedef struct
{
  virConnectPtr  conn;
  virDomainPtr   dom;
  unsigned char *all_map;   /* every online host CPU */
  int            n_cpus;
  int            maplen;
} Ctx;

/* The libvirt call a step makes, or its undo makes, in words (kt-apply.c) */
char    *kt_apply_priv_describe_step          (KtApply        *self,
                                               const Step     *s,
                                               gboolean        undo);

/* Comparisons and checks (kt-apply-check.c) */
gboolean kt_apply_priv_same_hugepages         (const KtTuning *a,
                                               const KtTuning *b);
gboolean kt_apply_priv_same_memnodes          (const KtTuning *a,
                                               const KtTuning *b);
/* Whether the inactive XML @now libvirt gives is the config @expected
 * that was defined */
gboolean kt_apply_config_matches              (const char     *now,
                                               const char     *expected);
/* Refuses to overwrite a config someone else changed since we loaded it;
 * @during: the live steps were made already */
gboolean kt_apply_priv_check_config_unchanged (KtApply        *self,
                                               Ctx            *ctx,
                                               gboolean        during,
                                               GError        **error);
/* Refuses to overwrite what someone else changed since we loaded it */
gboolean kt_apply_priv_check_unchanged        (KtApply        *self,
                                               Ctx            *ctx,
                                               GError        **error);
/* Reads back what was defined and compares it with what was asked for */
gboolean kt_apply_priv_check_defined          (KtApply        *self,
                                               virDomainPtr    defined,
                                               GError        **error);

/* The journal of kt_apply_run () (kt-apply-recover.c) */
KtJournal *kt_apply_make_journal              (KtApply     *self,
                                               const char  *uri,
                                               const char  *uuid);
void       kt_apply_forget_journal            (KtJournal   *journal);
/* After a failure that was rolled back: the apply's own journal goes; the
 * one a recovery completes stays, still needed */
void       kt_apply_forget_journal_on_failure (KtApply     *self,
                                               KtJournal   *journal);
/* Replaces @error (libvirt's) with the account of an apply the loss of the
 * connection cut short, the journal kept: the first @done steps landed,
 * the next may have (@unknown), the rest were not made */
void       kt_apply_set_interrupted           (KtApply     *self,
                                               KtJournal   *journal,
                                               const char  *uri,
                                               guint        done,
                                               gboolean     unknown,
                                               gboolean     in_define,
                                               GError     **error);
/* Test-only: KT_TEST_APPLY_PAUSE_AFTER / KT_TEST_APPLY_PAUSE_MARKER */
void       kt_apply_test_pause                (guint        done);

G_END_DECLS
