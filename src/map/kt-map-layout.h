/* kt-map-layout.h: the host map as a tree of rectangles
 *
 * A pure function of the topology: no GTK, no drawing.  The canvas paints
 * and hit-tests these boxes; tests check them without a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "kt-host.h"

G_BEGIN_DECLS

typedef enum
{
  KT_MAP_BOX_HOST,
  KT_MAP_BOX_NODE,
  KT_MAP_BOX_SOCKET,
  KT_MAP_BOX_DIE,
  KT_MAP_BOX_L3,
  KT_MAP_BOX_CORE,
  KT_MAP_BOX_PU,
} KtMapBoxKind;

typedef struct
{
  double x;
  double y;
  double width;
  double height;
} KtMapRect;

typedef struct _KtMapBox KtMapBox;

struct _KtMapBox
{
  KtMapBoxKind  kind;
  int           id;        /* node, socket, die, L3 index (-1: none), core index, CPU id */
  KtMapRect     rect;      /* in map units, origin top left */
  double        header;    /* height of the label band at the top */
  KtMapBox     *parent;
  GPtrArray    *children;  /* KtMapBox, owned */
};

typedef struct _KtMapLayout KtMapLayout;

KtMapLayout     *kt_map_layout_new        (KtHost             *host);
void             kt_map_layout_free       (KtMapLayout        *self);
void             kt_map_layout_fit        (KtMapLayout        *self,
                                           double              width,
                                           double              height);
const KtMapBox  *kt_map_layout_get_root   (const KtMapLayout  *self);
const KtMapBox  *kt_map_layout_get_pu     (const KtMapLayout  *self,
                                           int                 cpu);
const GPtrArray *kt_map_layout_get_pus    (const KtMapLayout  *self);
const KtMapBox  *kt_map_layout_get_node   (const KtMapLayout  *self,
                                           int                 node);
const KtMapBox  *kt_map_layout_hit_test   (const KtMapLayout  *self,
                                           double              x,
                                           double              y);
const KtMapBox  *kt_map_box_ancestor      (const KtMapBox     *box,
                                           KtMapBoxKind        kind);
gboolean         kt_map_rect_contains     (const KtMapRect    *outer,
                                           const KtMapRect    *inner);
gboolean         kt_map_rect_overlaps     (const KtMapRect    *a,
                                           const KtMapRect    *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtMapLayout, kt_map_layout_free)

G_END_DECLS
