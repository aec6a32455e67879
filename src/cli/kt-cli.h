/* kt-cli.h: what kvmtune-cli's verbs share
 *
 * kvmtune-cli.c holds the table of verbs (KtCliVerb) and dispatches to
 * one handler per verb, each in the file of its concern:
 *
 *   kt-cli-read.c     topology, domains, show, snapshot
 *   kt-cli-render.c   render
 *   kt-cli-tune.c     pin, emulatorpin, iothreadpin, numatune, hugepages,
 *                     cpu-model
 *   kt-cli-recover.c  recover
 *   kt-cli-host.c     host
 *   kt-cli-plan.c     plan
 *   kt-cli-advise.c   advise
 *
 * A new verb is its handler, in a file of its own (added to
 * src/cli/meson.build and po/POTFILES.in), declared below, and one line
 * in the table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "kt-apply.h"
#include "kt-connection.h"
#include "kt-snapshot.h"
#include "kt-source.h"

G_BEGIN_DECLS

typedef enum
{
  /* Reads the host from SOURCE: kvmtune-cli loads cli->snapshot once the
   * options and arguments are checked.  A KT_CLI_VERB_OWN_ARGS verb
   * checks its own and calls kt_cli_load () itself. */
  KT_CLI_VERB_READS    = 1 << 0,
  /* Changes domains or files: a connection lost midway gets the word on
   * `recover` (exit status 3) */
  KT_CLI_VERB_WRITES   = 1 << 1,
  /* Takes --json: cli->json */
  KT_CLI_VERB_JSON     = 1 << 2,
  /* Needs -o FILE: cli->output */
  KT_CLI_VERB_OUTPUT   = 1 << 3,
  /* Parses its own options and arguments: argv comes untouched, the verb
   * first, and min_args/max_args are not looked at */
  KT_CLI_VERB_OWN_ARGS = 1 << 4,
} KtCliVerbFlags;

typedef struct _KtCli     KtCli;
typedef struct _KtCliVerb KtCliVerb;

/* A verb's handler: argv[0] is the verb; the exit status (0 done, 1
 * failed, 2 bad usage), with @error set when it is not 0 */
typedef int (KtCliVerbFunc) (KtCli   *cli,
                             int      argc,
                             char   **argv,
                             GError **error);

struct _KtCliVerb
{
  const char     *name;
  const char     *usage;     /* after "kvmtune-cli [SOURCE] ", the verb first; N_() */
  KtCliVerbFlags  flags;
  guint           min_args;  /* positional arguments after the verb */
  guint           max_args;
  KtCliVerbFunc  *run;
};

struct _KtCli
{
  KtSourceSpec     spec;
  KtConnection    *connection;   /* after kt_cli_load () from libvirt */
  const KtCliVerb *verb;
  gboolean         json;         /* --json, for a KT_CLI_VERB_JSON verb */
  char            *output;       /* -o FILE, for a KT_CLI_VERB_OUTPUT verb */
  KtSnapshot      *snapshot;     /* for a KT_CLI_VERB_READS verb */
};

/* cli->snapshot, loaded from the source the first time (borrowed) */
KtSnapshot *kt_cli_load        (KtCli       *cli,
                                GError     **error);
/* Sets "Usage: kvmtune-cli [SOURCE] USAGE" of the verb; returns 2 */
int         kt_cli_usage_error (KtCli       *cli,
                                GError     **error);
/* Prints @node (consumed) on standard output */
void        kt_cli_print_json  (JsonNode    *node);

/* kt-cli-read.c */
KtCliVerbFunc kt_cli_topology;
KtCliVerbFunc kt_cli_domains;
KtCliVerbFunc kt_cli_show;
KtCliVerbFunc kt_cli_snapshot;
/* kt-cli-render.c */
KtCliVerbFunc kt_cli_render;
/* kt-cli-tune.c */
KtCliVerbFunc kt_cli_tune;
/* Locks the offline source files (before the load), for the verbs that
 * apply */
GPtrArray *kt_cli_tune_lock       (const KtSourceSpec  *spec,
                                   GError             **error);
/* "Would call:" or "Calls:", then the XML diff (or "Nothing to change.") */
void       kt_cli_tune_print_preview (KtApply         *apply,
                                      gboolean         dry_run);
/* kt-cli-plan.c */
KtCliVerbFunc kt_cli_plan;
/* kt-cli-recover.c */
KtCliVerbFunc kt_cli_recover;
/* kt-cli-host.c */
KtCliVerbFunc kt_cli_host;
void          kt_cli_host_capture (KtConnection *connection,
                                   KtSnapshot   *snapshot);
/* kt-cli-advise.c */
KtCliVerbFunc kt_cli_advise;

G_END_DECLS
