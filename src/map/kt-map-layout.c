/* kt-map-layout.c: the host map as a tree of rectangles
 *
 * Built in three passes: group the host's cores into node › socket › die ›
 * L3 › core › thread boxes, measure them bottom-up, then place them
 * top-down.  Sizes are in map units (1 unit = 1 px at 100 % zoom).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "kt-map-layout.h"

#define PU_WIDTH     40.0
#define PU_HEIGHT    28.0
#define PAD          4.0
#define GAP          4.0
#define LABEL        16.0
#define NODE_HEADER  48.0
#define EMPTY_NODE_W 180.0
#define EMPTY_NODE_H 32.0

/* How the boxes are arranged: columns per kind of parent (0: the
 * default of columns_of ()) and the PU size */
typedef struct
{
  guint  cols[KT_MAP_BOX_PU];
  double pu_width;
  double pu_height;
} Shape;

struct _KtMapLayout
{
  KtMapBox  *root;
  GPtrArray *pus;     /* KtMapBox *, indexed by CPU id (NULL: none) */
  GPtrArray *nodes;   /* KtMapBox *, indexed by node id */
  GPtrArray *order;   /* KtMapBox *: the PUs in tree order */
  Shape      shape;
};

static void
box_free (gpointer data)
{
  KtMapBox *box = data;

  g_clear_pointer (&box->children, g_ptr_array_unref);
  g_free (box);
}

static KtMapBox *
box_new (KtMapBox     *parent,
         KtMapBoxKind  kind,
         int           id)
{
  KtMapBox *box = g_new0 (KtMapBox, 1);

  box->kind = kind;
  box->id = id;
  box->parent = parent;
  box->children = g_ptr_array_new_with_free_func (box_free);
  if (parent != NULL)
    g_ptr_array_add (parent->children, box);
  return box;
}

static void
index_set (GPtrArray *index,
           int        id,
           KtMapBox  *box)
{
  if (id < 0)
    return;
  if ((guint) id >= index->len)
    g_ptr_array_set_size (index, id + 1);
  g_ptr_array_index (index, id) = box;
}

/* Pass 1: grouping ------------------------------------------------------- */

static void
build_node (KtMapLayout      *self,
            KtHost           *host,
            const KtHostNode *node)
{
  KtMapBox *nbox = box_new (self->root, KT_MAP_BOX_NODE, node->id);
  g_autoptr(GArray) cores = kt_host_node_cores (host, node->id);
  KtMapBox *sbox = NULL, *dbox = NULL, *lbox = NULL;

  index_set (self->nodes, node->id, nbox);

  for (guint i = 0; i < cores->len; i++)
    {
      const KtHostCore *core = kt_host_get_core (host, g_array_index (cores, guint, i));
      int l3 = kt_host_lookup_cpu (host, kt_cpuset_first (core->cpus))->l3;
      KtMapBox *cbox;

      if (sbox == NULL || sbox->id != core->socket)
        {
          sbox = box_new (nbox, KT_MAP_BOX_SOCKET, core->socket);
          dbox = lbox = NULL;
        }
      if (dbox == NULL || dbox->id != core->die)
        {
          dbox = box_new (sbox, KT_MAP_BOX_DIE, core->die);
          lbox = NULL;
        }
      if (lbox == NULL || lbox->id != l3)
        lbox = box_new (dbox, KT_MAP_BOX_L3, l3);

      cbox = box_new (lbox, KT_MAP_BOX_CORE, (int) core->index);
      for (int c = kt_cpuset_first (core->cpus); c >= 0; c = kt_cpuset_next (core->cpus, c))
        index_set (self->pus, c, box_new (cbox, KT_MAP_BOX_PU, c));
    }
}

/* Pass 2: measuring ------------------------------------------------------ */

/* A socket's only die adds nothing to draw: no label band, no margin */
static gboolean
is_lone_die (const KtMapBox *box)
{
  return box->kind == KT_MAP_BOX_DIE && box->parent != NULL && box->parent->children->len == 1;
}

static double
pad_of (const KtMapBox *box)
{
  return is_lone_die (box) ? 0 : PAD;
}

static double
header_of (const KtMapBox *box)
{
  if (is_lone_die (box))
    return 0;
  switch (box->kind)
    {
    case KT_MAP_BOX_NODE:
      return NODE_HEADER;
    case KT_MAP_BOX_SOCKET:
    case KT_MAP_BOX_DIE:
    case KT_MAP_BOX_L3:
      return LABEL;
    default:
      return 0;
    }
}

/* How many columns a box lays its children out in */
static guint
columns_of (const Shape    *shape,
            const KtMapBox *box)
{
  guint n = box->children->len;

  if (box->kind < KT_MAP_BOX_PU && shape->cols[box->kind] > 0)
    return MIN (shape->cols[box->kind], MAX (n, 1));
  switch (box->kind)
    {
    case KT_MAP_BOX_CORE:
    case KT_MAP_BOX_NODE:
    case KT_MAP_BOX_SOCKET:
      return MAX (n, 1);   /* one row */
    case KT_MAP_BOX_DIE:
      return n <= 4 ? MAX (n, 1) : (guint) ceil (sqrt ((double) n));
    case KT_MAP_BOX_L3:
      /* Cores are wider than tall: a grid about twice as tall as wide */
      return MAX (1, (guint) ceil (sqrt ((double) n / 2.0)));
    case KT_MAP_BOX_HOST:
    default:
      return MAX (1, (guint) ceil (sqrt ((double) n)));
    }
}

static void
cell_size (const KtMapBox *box,
           double         *cw,
           double         *ch)
{
  *cw = *ch = 0;
  for (guint i = 0; i < box->children->len; i++)
    {
      const KtMapBox *child = g_ptr_array_index (box->children, i);

      *cw = MAX (*cw, child->rect.width);
      *ch = MAX (*ch, child->rect.height);
    }
}

static void
measure (const Shape *shape,
         KtMapBox    *box)
{
  guint n = box->children->len;
  guint cols, rows;
  double cw, ch;

  box->header = header_of (box);
  if (box->kind == KT_MAP_BOX_PU)
    {
      box->rect.width = shape->pu_width;
      box->rect.height = shape->pu_height;
      return;
    }
  for (guint i = 0; i < n; i++)
    measure (shape, g_ptr_array_index (box->children, i));

  if (n == 0)
    {
      /* A memory-only node */
      box->rect.width = EMPTY_NODE_W;
      box->rect.height = box->header + EMPTY_NODE_H;
      return;
    }
  cols = columns_of (shape, box);
  rows = (n + cols - 1) / cols;
  cols = MIN (cols, n);
  cell_size (box, &cw, &ch);
  box->rect.width = cols * cw + (cols - 1) * GAP + 2 * pad_of (box);
  box->rect.height = box->header + rows * ch + (rows - 1) * GAP + 2 * pad_of (box);
  if (box->kind == KT_MAP_BOX_NODE)
    box->rect.width = MAX (box->rect.width, EMPTY_NODE_W);
}

/* Pass 3: placing -------------------------------------------------------- */

static void
place (const Shape *shape,
       KtMapBox    *box,
       double       x,
       double       y)
{
  guint n = box->children->len;
  guint cols;
  double cw, ch;

  box->rect.x = x;
  box->rect.y = y;
  if (n == 0)
    return;
  cols = MIN (columns_of (shape, box), n);
  cell_size (box, &cw, &ch);
  for (guint i = 0; i < n; i++)
    place (shape, g_ptr_array_index (box->children, i),
           x + pad_of (box) + (i % cols) * (cw + GAP),
           y + box->header + pad_of (box) + (i / cols) * (ch + GAP));
}

/**
 * kt_map_layout_new:
 *
 * Returns: (transfer full): the layout of @host
 */
static void
collect_pus (const KtMapBox *box,
             GPtrArray      *out)
{
  if (box->kind == KT_MAP_BOX_PU)
    {
      g_ptr_array_add (out, (gpointer) box);
      return;
    }
  for (guint i = 0; i < box->children->len; i++)
    collect_pus (g_ptr_array_index (box->children, i), out);
}

KtMapLayout *
kt_map_layout_new (KtHost *host)
{
  KtMapLayout *self;

  g_return_val_if_fail (KT_IS_HOST (host), NULL);

  self = g_new0 (KtMapLayout, 1);
  self->root = box_new (NULL, KT_MAP_BOX_HOST, 0);
  self->pus = g_ptr_array_new ();
  self->nodes = g_ptr_array_new ();

  for (guint n = 0; n < kt_host_get_n_nodes (host); n++)
    build_node (self, host, kt_host_get_node (host, n));
  self->shape.pu_width = PU_WIDTH;
  self->shape.pu_height = PU_HEIGHT;
  measure (&self->shape, self->root);
  place (&self->shape, self->root, 0, 0);
  self->order = g_ptr_array_new ();
  collect_pus (self->root, self->order);
  return self;
}

/* Fitting ---------------------------------------------------------------- */

#define FIT_MAX_SHAPES  4096
#define PU_STRETCH_W    1.6     /* how much wider a PU may get to fill */
#define PU_STRETCH_H    1.5

/* The most children a box of @kind has */
static void
max_children (const KtMapBox *box,
              guint          *most)
{
  if (box->kind >= KT_MAP_BOX_PU)
    return;
  most[box->kind] = MAX (most[box->kind], box->children->len);
  for (guint i = 0; i < box->children->len; i++)
    max_children (g_ptr_array_index (box->children, i), most);
}

/* The column counts worth trying for @n children: one per row count */
static GArray *
column_choices (guint n)
{
  GArray *choices = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint rows = 1; rows <= MAX (n, 1); rows++)
    {
      guint cols = (MAX (n, 1) + rows - 1) / rows;

      if (choices->len == 0 || g_array_index (choices, guint, choices->len - 1) != cols)
        g_array_append_val (choices, cols);
    }
  return choices;
}

static double
zoom_for (const KtMapBox *root,
          double          width,
          double          height)
{
  return MIN (width / MAX (root->rect.width, 1), height / MAX (root->rect.height, 1));
}

/**
 * kt_map_layout_fit:
 * @width: the width available, in pixels
 * @height: the height available, in pixels
 *
 * Rearranges the boxes (the same boxes: pointers stay valid) to fill a
 * @width × @height viewport best: more rows of nodes, cores or caches
 * when it is tall, more columns when it is wide; then stretches the PUs a
 * little so the map's aspect ratio matches the viewport's.
 */
void
kt_map_layout_fit (KtMapLayout *self,
                   double       width,
                   double       height)
{
  /* The levels searched, the most telling first */
  static const KtMapBoxKind levels[] = {
    KT_MAP_BOX_HOST, KT_MAP_BOX_L3, KT_MAP_BOX_DIE, KT_MAP_BOX_NODE, KT_MAP_BOX_SOCKET,
  };
  guint most[KT_MAP_BOX_PU] = { 0 };
  GArray *choices[G_N_ELEMENTS (levels)] = { NULL };
  guint n_levels = 0, total = 1, index[G_N_ELEMENTS (levels)] = { 0 };
  Shape shape = { { 0 }, PU_WIDTH, PU_HEIGHT }, best;
  double best_zoom = -1, w0, h0, dw, dh;

  g_return_if_fail (self != NULL);

  if (width < 1 || height < 1)
    return;
  max_children (self->root, most);
  for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
    {
      GArray *c = column_choices (most[levels[l]]);

      if (c->len > 1 && total * c->len <= FIT_MAX_SHAPES)
        {
          choices[n_levels++] = c;
          total *= c->len;
        }
      else
        {
          g_array_unref (c);
          choices[n_levels++] = NULL;   /* kept at its default */
        }
    }

  /* Every combination, in the order of an odometer */
  best = shape;
  for (;;)
    {
      double zoom;
      guint l;

      for (l = 0; l < n_levels; l++)
        shape.cols[levels[l]] = choices[l] ? g_array_index (choices[l], guint, index[l]) : 0;
      measure (&shape, self->root);
      zoom = zoom_for (self->root, width, height);
      if (zoom > best_zoom * (1 + 1e-9))
        {
          best_zoom = zoom;
          best = shape;
        }
      for (l = 0; l < n_levels; l++)
        {
          if (choices[l] != NULL && ++index[l] < choices[l]->len)
            break;
          index[l] = 0;
        }
      if (l == n_levels)
        break;
    }
  for (guint l = 0; l < n_levels; l++)
    g_clear_pointer (&choices[l], g_array_unref);

  /* The map's size is linear in the PU size: stretch the short side */
  measure (&best, self->root);
  w0 = self->root->rect.width;
  h0 = self->root->rect.height;
  best.pu_width += 1;
  best.pu_height += 1;
  measure (&best, self->root);
  dw = self->root->rect.width - w0;
  dh = self->root->rect.height - h0;
  best.pu_width = PU_WIDTH;
  best.pu_height = PU_HEIGHT;
  if (w0 / h0 > width / height && dh > 0)
    best.pu_height = CLAMP (PU_HEIGHT + (w0 * height / width - h0) / dh,
                            PU_HEIGHT, PU_HEIGHT * PU_STRETCH_H);
  else if (dw > 0)
    best.pu_width = CLAMP (PU_WIDTH + (h0 * width / height - w0) / dw,
                           PU_WIDTH, PU_WIDTH * PU_STRETCH_W);

  self->shape = best;
  measure (&self->shape, self->root);
  place (&self->shape, self->root, 0, 0);
}

void
kt_map_layout_free (KtMapLayout *self)
{
  if (self == NULL)
    return;
  box_free (self->root);
  g_ptr_array_unref (self->pus);
  g_ptr_array_unref (self->nodes);
  g_ptr_array_unref (self->order);
  g_free (self);
}

const KtMapBox *
kt_map_layout_get_root (const KtMapLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->root;
}

const KtMapBox *
kt_map_layout_get_pu (const KtMapLayout *self,
                      int                cpu)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (cpu < 0 || (guint) cpu >= self->pus->len)
    return NULL;
  return g_ptr_array_index (self->pus, cpu);
}

/**
 * kt_map_layout_get_pus:
 *
 * Returns: (transfer none) (element-type KtMapBox): every PU box, in
 * the order of the tree (node, socket, die, L3, core, thread): the order
 * of the keyboard's Left and Right.  Kept across kt_map_layout_fit ().
 */
const GPtrArray *
kt_map_layout_get_pus (const KtMapLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->order;
}

const KtMapBox *
kt_map_layout_get_node (const KtMapLayout *self,
                        int                node)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (node < 0 || (guint) node >= self->nodes->len)
    return NULL;
  return g_ptr_array_index (self->nodes, node);
}

static gboolean
rect_has_point (const KtMapRect *r,
                double           x,
                double           y)
{
  return x >= r->x && y >= r->y && x < r->x + r->width && y < r->y + r->height;
}

/**
 * kt_map_layout_hit_test:
 *
 * Returns: (transfer none) (nullable): the innermost box at (@x, @y)
 */
const KtMapBox *
kt_map_layout_hit_test (const KtMapLayout *self,
                        double             x,
                        double             y)
{
  const KtMapBox *box;

  g_return_val_if_fail (self != NULL, NULL);

  box = self->root;
  if (!rect_has_point (&box->rect, x, y))
    return NULL;
  for (;;)
    {
      const KtMapBox *inner = NULL;

      for (guint i = 0; i < box->children->len && inner == NULL; i++)
        {
          const KtMapBox *child = g_ptr_array_index (box->children, i);

          if (rect_has_point (&child->rect, x, y))
            inner = child;
        }
      if (inner == NULL)
        return box;
      box = inner;
    }
}

const KtMapBox *
kt_map_box_ancestor (const KtMapBox *box,
                     KtMapBoxKind    kind)
{
  for (; box != NULL; box = box->parent)
    if (box->kind == kind)
      return box;
  return NULL;
}

gboolean
kt_map_rect_contains (const KtMapRect *outer,
                      const KtMapRect *inner)
{
  return inner->x >= outer->x && inner->y >= outer->y
         && inner->x + inner->width <= outer->x + outer->width
         && inner->y + inner->height <= outer->y + outer->height;
}

gboolean
kt_map_rect_overlaps (const KtMapRect *a,
                      const KtMapRect *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width
         && a->y < b->y + b->height && b->y < a->y + a->height;
}
