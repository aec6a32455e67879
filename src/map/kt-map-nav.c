/* kt-map-nav.c: where the keyboard goes on the map
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "kt-map-nav.h"

static int
pu_position (const GPtrArray *pus,
             const KtMapBox  *pu)
{
  guint pos;

  if (pu != NULL && g_ptr_array_find ((GPtrArray *) pus, pu, &pos))
    return (int) pos;
  return -1;
}

/* The PU in the row above (@dir < 0) or below, nearest in x; across
 * nodes too.  NULL at the edge. */
static const KtMapBox *
pu_vertical (const GPtrArray *pus,
             const KtMapBox  *from,
             int              dir)
{
  double fx = from->rect.x + from->rect.width / 2;
  double fy = from->rect.y + from->rect.height / 2;
  double best_dy = G_MAXDOUBLE;
  const KtMapBox *best = NULL;

  /* The nearest row in that direction... */
  for (guint i = 0; i < pus->len; i++)
    {
      const KtMapBox *pu = g_ptr_array_index (pus, i);
      double dy = (pu->rect.y + pu->rect.height / 2 - fy) * dir;

      if (dy > 1 && dy < best_dy)
        best_dy = dy;
    }
  if (best_dy == G_MAXDOUBLE)
    return NULL;
  /* ... and in it, the nearest in x */
  for (guint i = 0; i < pus->len; i++)
    {
      const KtMapBox *pu = g_ptr_array_index (pus, i);
      double dy = (pu->rect.y + pu->rect.height / 2 - fy) * dir;
      double dx = fabs (pu->rect.x + pu->rect.width / 2 - fx);

      if (fabs (dy - best_dy) <= 1
          && (best == NULL || dx < fabs (best->rect.x + best->rect.width / 2 - fx)))
        best = pu;
    }
  return best;
}

/* The first PU of the next (@dir > 0) or previous node */
static const KtMapBox *
pu_other_node (const GPtrArray *pus,
               const KtMapBox  *from,
               int              dir)
{
  const KtMapBox *node = kt_map_box_ancestor (from, KT_MAP_BOX_NODE);
  int pos = pu_position (pus, from);

  for (int i = pos + dir; i >= 0 && i < (int) pus->len; i += dir)
    {
      const KtMapBox *pu = g_ptr_array_index (pus, i);
      const KtMapBox *n = kt_map_box_ancestor (pu, KT_MAP_BOX_NODE);

      if (n != node)
        {
          /* The first PU of that node */
          while (i - 1 >= 0 && kt_map_box_ancestor (g_ptr_array_index (pus, i - 1),
                                                    KT_MAP_BOX_NODE) == n)
            i--;
          return g_ptr_array_index (pus, i);
        }
    }
  return NULL;
}

/**
 * kt_map_layout_step:
 * @pu: a PU box of @layout
 *
 * Returns: (nullable): the PU @step reaches from @pu; NULL at the edge,
 * for %KT_MAP_STEP_FIRST and %KT_MAP_STEP_LAST, or when @pu is none of
 * @layout's PUs
 */
const KtMapBox *
kt_map_layout_step (const KtMapLayout *layout,
                    const KtMapBox    *pu,
                    KtMapStep          step)
{
  const GPtrArray *pus;
  const KtMapBox *to;
  int pos;

  g_return_val_if_fail (layout != NULL, NULL);

  pus = kt_map_layout_get_pus (layout);
  pos = pu_position (pus, pu);
  if (pos < 0)
    return NULL;
  switch (step)
    {
    case KT_MAP_STEP_LEFT:
      return pos > 0 ? g_ptr_array_index (pus, pos - 1) : NULL;
    case KT_MAP_STEP_RIGHT:
      return pos + 1 < (int) pus->len ? g_ptr_array_index (pus, pos + 1) : NULL;
    case KT_MAP_STEP_UP:
      to = pu_vertical (pus, pu, -1);
      return to != NULL ? to : pu_other_node (pus, pu, -1);
    case KT_MAP_STEP_DOWN:
      to = pu_vertical (pus, pu, 1);
      return to != NULL ? to : pu_other_node (pus, pu, 1);
    case KT_MAP_STEP_PREV_NODE:
      return pu_other_node (pus, pu, -1);
    case KT_MAP_STEP_NEXT_NODE:
      return pu_other_node (pus, pu, 1);
    case KT_MAP_STEP_FIRST:
    case KT_MAP_STEP_LAST:
    default:
      return NULL;
    }
}

const KtMapBox *
kt_map_box_grow (const KtMapBox *box)
{
  g_return_val_if_fail (box != NULL, NULL);

  if (box->kind == KT_MAP_BOX_HOST || box->parent == NULL
      || box->parent->kind == KT_MAP_BOX_HOST)
    return NULL;
  return box->parent;
}

int
kt_map_overlay_step_chip (const KtMapOverlay *overlay,
                          int                 from,
                          KtMapStep           step)
{
  int n;

  g_return_val_if_fail (overlay != NULL, -1);

  n = (int) kt_map_overlay_get_chips (overlay)->len;
  if (n == 0)
    return -1;
  switch (step)
    {
    case KT_MAP_STEP_FIRST:
      return 0;
    case KT_MAP_STEP_LAST:
      return n - 1;
    case KT_MAP_STEP_RIGHT:
    case KT_MAP_STEP_DOWN:
    case KT_MAP_STEP_NEXT_NODE:
      return from < 0 ? 0 : CLAMP (from + 1, 0, n - 1);
    case KT_MAP_STEP_LEFT:
    case KT_MAP_STEP_UP:
    case KT_MAP_STEP_PREV_NODE:
    default:
      return from < 0 ? n - 1 : CLAMP (from - 1, 0, n - 1);
    }
}
