/* kt-map-describe.h: what the map says in words
 *
 * The tooltips of chips, PUs, nodes and groups, and what the screen
 * reader hears as the keyboard moves the focus or a drop target.  Pure:
 * the canvas shows these strings, tests read them without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-map-overlay.h"

G_BEGIN_DECLS

/* A chip's tooltip: the thread, its pin set, what is pending (@plan:
 * nullable) and its issues */
char *kt_map_describe_chip     (const KtMapOverlay *overlay,
                                KtPlan             *plan,
                                const KtMapChip    *chip);
/* A PU's tooltip: where it sits, the threads on it and floating over
 * it, what ran there last, its issues */
char *kt_map_describe_pu       (const KtMapOverlay *overlay,
                                int                 cpu);
/* A node header's tooltip: memory, huge pages, CPUs, distances */
char *kt_map_describe_node     (KtHost             *host,
                                int                 node);
/* A node header's huge page pools: "2M 2048  1G 4/8 free", @brief
 * leaving out "free"; with @pools (nullable), its current counts over
 * the topology's, and a pending count after an arrow, "2M 0 → 1536".
 * @has_pending: (out) (optional): one was */
char *kt_map_format_pools      (const KtHostNode   *node,
                                const KtMapPools   *pools,
                                gboolean            brief,
                                gboolean           *has_pending);
/* A core's, an L3 group's, a die's or a socket's label; NULL for others */
char *kt_map_describe_group    (KtHost             *host,
                                const KtMapBox     *box);
/* The tooltip of @box at map height @y, or NULL: a PU says it anywhere,
 * a node or group only on its label band (the gaps say nothing).  @area:
 * where the text belongs, in map units */
char *kt_map_describe_box      (const KtMapOverlay *overlay,
                                const KtMapBox     *box,
                                double              y,
                                KtMapRect          *area);
/* Where the keyboard focus is: "web1 vCPU 2 on CPU 5 (pinned 4-7)" */
char *kt_map_describe_focus    (const KtMapChip    *chip);
/* A keyboard move's target: "Move to CPU 5", with @refusal after a
 * colon; @pu names a core; NULL for the host box */
char *kt_map_describe_target   (const KtMapBox     *box,
                                const KtMapBox     *pu,
                                const char         *refusal);
/* What is being dragged: "web1 vCPU 2", "web1: 4 vCPUs" */
char *kt_map_describe_moving   (KtVm               *vm,
                                guint               first_vcpu,
                                guint               n_vcpus);

G_END_DECLS
