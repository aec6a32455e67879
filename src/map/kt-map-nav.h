/* kt-map-nav.h: where the keyboard goes on the map
 *
 * Which PU is left, right, above or below another, which box a target
 * grows to, which chip comes next.  Pure: the canvas binds keys to these,
 * tests check them without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kt-map-overlay.h"

G_BEGIN_DECLS

typedef enum
{
  KT_MAP_STEP_LEFT,        /* the previous PU in tree order / chip */
  KT_MAP_STEP_RIGHT,       /* the next one */
  KT_MAP_STEP_UP,          /* the PU in the row above, nearest in x; else the previous node's first */
  KT_MAP_STEP_DOWN,        /* the PU in the row below; else the next node's first */
  KT_MAP_STEP_PREV_NODE,   /* the first PU of the previous node */
  KT_MAP_STEP_NEXT_NODE,   /* the first PU of the next node */
  KT_MAP_STEP_FIRST,       /* chips only: the first */
  KT_MAP_STEP_LAST,        /* chips only: the last */
} KtMapStep;

/* The PU a step from @pu reaches; NULL at the edge */
const KtMapBox *kt_map_layout_step        (const KtMapLayout   *layout,
                                           const KtMapBox      *pu,
                                           KtMapStep            step);
/* A drop target one size up: PU › core › L3 › die › socket › node; NULL
 * above a node */
const KtMapBox *kt_map_box_grow           (const KtMapBox      *box);
/* The chip (an index into kt_map_overlay_get_chips ()) a step from chip
 * @from reaches (-1: none yet); -1 when there are no chips.  Left and Up
 * go back, Right and Down on, clamped at the ends. */
int             kt_map_overlay_step_chip  (const KtMapOverlay  *overlay,
                                           int                  from,
                                           KtMapStep            step);

G_END_DECLS
