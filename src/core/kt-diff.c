/* kt-diff.c: unified diffs of two texts, in linear space
 *
 * Myers' O(ND) difference algorithm with its linear-space refinement
 * (E. Myers, "An O(ND) Difference Algorithm and Its Variations", 1986):
 * the middle snake of each part splits it in two, until every line is
 * either common or changed.  Lines are numbered by content first, so a
 * comparison is one integer compare.  Memory is a few words per line; time
 * is bounded too: once a middle-snake search costs more than a set number
 * of steps, the part is split at the furthest point reached instead (as
 * GNU diff does), which gives a correct, if not minimal, diff.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-diff.h"

typedef struct
{
  const char *text;
  gsize       len;
  guint       hash;
} Line;

typedef struct
{
  const guint *a;        /* line numbers by content */
  const guint *b;
  gint        *fd;       /* furthest x on each diagonal, forwards */
  gint        *bd;       /* and backwards */
  gint         too_expensive;
  guint8      *a_changed;
  guint8      *b_changed;
} Ctx;

typedef struct
{
  gint xoff, xlim, yoff, ylim;
} Part;

static guint
line_hash (gconstpointer p)
{
  return ((const Line *) p)->hash;
}

static gboolean
line_equal (gconstpointer p,
            gconstpointer q)
{
  const Line *a = p, *b = q;

  return a->len == b->len && memcmp (a->text, b->text, a->len) == 0;
}

/* The lines of @text, as g_strsplit (text, "\n", -1) would cut them */
static GArray *
split_lines (const char *text)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  const char *p = text;

  if (*text == '\0')
    return lines;           /* no line at all, like g_strsplit */
  for (;;)
    {
      const char *nl = strchr (p, '\n');
      Line l = { p, nl ? (gsize) (nl - p) : strlen (p), 5381 };

      for (gsize i = 0; i < l.len; i++)
        l.hash = l.hash * 33 + (guchar) p[i];
      g_array_append_val (lines, l);
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  return lines;
}

static guint *
number_lines (GArray     *lines,
              GHashTable *ids)
{
  guint *out = g_new (guint, MAX (lines->len, 1));

  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = &g_array_index (lines, Line, i);
      gpointer id;

      if (!g_hash_table_lookup_extended (ids, l, NULL, &id))
        {
          id = GUINT_TO_POINTER (g_hash_table_size (ids));
          g_hash_table_insert (ids, l, id);
        }
      out[i] = GPOINTER_TO_UINT (id);
    }
  return out;
}

/* Where to split a[xoff, xlim) × b[yoff, ylim): the middle snake, or the
 * furthest point reached once that costs too much.  Both ends differ. */
static void
split_point (Ctx  *c,
             gint  xoff,
             gint  xlim,
             gint  yoff,
             gint  ylim,
             gint *xmid,
             gint *ymid)
{
  gint *fd = c->fd, *bd = c->bd;
  const guint *a = c->a, *b = c->b;
  const gint dmin = xoff - ylim, dmax = xlim - yoff;
  const gint fmid = xoff - yoff, bmid = xlim - ylim;
  gint fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
  const gboolean odd = ((fmid - bmid) & 1) != 0;

  fd[fmid] = xoff;
  bd[bmid] = xlim;

  for (gint cost = 1;; cost++)
    {
      /* One more step forwards on every diagonal in reach */
      if (fmin > dmin)
        fd[--fmin - 1] = -1;
      else
        ++fmin;
      if (fmax < dmax)
        fd[++fmax + 1] = -1;
      else
        --fmax;
      for (gint d = fmax; d >= fmin; d -= 2)
        {
          gint lo = fd[d - 1], hi = fd[d + 1];
          gint x = lo >= hi ? lo + 1 : hi;
          gint y = x - d;

          while (x < xlim && y < ylim && a[x] == b[y])
            x++, y++;
          fd[d] = x;
          if (odd && bmin <= d && d <= bmax && bd[d] <= x)
            {
              *xmid = x;
              *ymid = y;
              return;
            }
        }

      /* And backwards */
      if (bmin > dmin)
        bd[--bmin - 1] = G_MAXINT;
      else
        ++bmin;
      if (bmax < dmax)
        bd[++bmax + 1] = G_MAXINT;
      else
        --bmax;
      for (gint d = bmax; d >= bmin; d -= 2)
        {
          gint lo = bd[d - 1], hi = bd[d + 1];
          gint x = lo < hi ? lo : hi - 1;
          gint y = x - d;

          while (x > xoff && y > yoff && a[x - 1] == b[y - 1])
            x--, y--;
          bd[d] = x;
          if (!odd && fmin <= d && d <= fmax && x <= fd[d])
            {
              *xmid = x;
              *ymid = y;
              return;
            }
        }

      if (cost >= c->too_expensive)
        {
          /* Give up on minimal: split where either search got furthest */
          gint fxybest = -1, fxbest = xoff, bxybest = G_MAXINT, bxbest = xlim;

          for (gint d = fmax; d >= fmin; d -= 2)
            {
              gint x = MIN (fd[d], xlim), y = x - d;

              if (ylim < y)
                x = ylim + d, y = ylim;
              if (fxybest < x + y)
                fxybest = x + y, fxbest = x;
            }
          for (gint d = bmax; d >= bmin; d -= 2)
            {
              gint x = MAX (xoff, bd[d]), y = x - d;

              if (y < yoff)
                x = yoff + d, y = yoff;
              if (x + y < bxybest)
                bxybest = x + y, bxbest = x;
            }
          if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff))
            {
              *xmid = fxbest;
              *ymid = fxybest - fxbest;
            }
          else
            {
              *xmid = bxbest;
              *ymid = bxybest - bxbest;
            }
          return;
        }
    }
}

/* Marks the changed lines of a[xoff, xlim) and b[yoff, ylim) */
static void
compare (Ctx  *c,
         gint  n,
         gint  m)
{
  g_autoptr(GArray) todo = g_array_new (FALSE, FALSE, sizeof (Part));
  Part whole = { 0, n, 0, m };

  /* A stack, not recursion: a heuristic split can be lopsided */
  g_array_append_val (todo, whole);
  while (todo->len > 0)
    {
      Part p = g_array_index (todo, Part, todo->len - 1);

      g_array_set_size (todo, todo->len - 1);
      while (p.xoff < p.xlim && p.yoff < p.ylim && c->a[p.xoff] == c->b[p.yoff])
        p.xoff++, p.yoff++;
      while (p.xoff < p.xlim && p.yoff < p.ylim && c->a[p.xlim - 1] == c->b[p.ylim - 1])
        p.xlim--, p.ylim--;

      if (p.xoff == p.xlim)
        memset (c->b_changed + p.yoff, 1, p.ylim - p.yoff);
      else if (p.yoff == p.ylim)
        memset (c->a_changed + p.xoff, 1, p.xlim - p.xoff);
      else
        {
          gint xmid, ymid;
          Part left, right;

          split_point (c, p.xoff, p.xlim, p.yoff, p.ylim, &xmid, &ymid);
          if ((xmid == p.xoff && ymid == p.yoff) || (xmid == p.xlim && ymid == p.ylim))
            {
              /* No progress (cannot happen, but never loop): all changed */
              memset (c->a_changed + p.xoff, 1, p.xlim - p.xoff);
              memset (c->b_changed + p.yoff, 1, p.ylim - p.yoff);
              continue;
            }
          left = (Part) { p.xoff, xmid, p.yoff, ymid };
          right = (Part) { xmid, p.xlim, ymid, p.ylim };
          g_array_append_val (todo, left);
          g_array_append_val (todo, right);
        }
    }
}

static void
append_line (GString    *out,
             char        op,
             const Line *l)
{
  g_string_append_c (out, op);
  g_string_append_len (out, l->text, l->len);
  g_string_append_c (out, '\n');
}

/**
 * kt_diff_lines:
 *
 * Returns: (transfer full): a unified diff (3 lines of context) of two
 * texts; "" when they are the same
 */
char *
kt_diff_lines (const char *before,
               const char *after,
               const char *before_name,
               const char *after_name)
{
  g_autoptr(GArray) al = NULL;
  g_autoptr(GArray) bl = NULL;
  g_autoptr(GHashTable) ids = NULL;
  g_autofree guint *a = NULL;
  g_autofree guint *b = NULL;
  g_autofree gint *diags = NULL;
  g_autofree guint8 *a_changed = NULL;
  g_autofree guint8 *b_changed = NULL;
  g_autoptr(GByteArray) ops = NULL;
  Ctx c = { 0, };
  GString *out;
  gint n, m, i = 0, j = 0;
  gsize ndiags;

  g_return_val_if_fail (before != NULL && after != NULL, NULL);

  if (g_str_equal (before, after))
    return g_strdup ("");

  al = split_lines (before);
  bl = split_lines (after);
  n = (gint) al->len;
  m = (gint) bl->len;
  ids = g_hash_table_new (line_hash, line_equal);
  a = number_lines (al, ids);
  b = number_lines (bl, ids);
  g_clear_pointer (&ids, g_hash_table_unref);

  /* Diagonals -m-1 .. n+1, for both searches */
  ndiags = (gsize) n + m + 3;
  diags = g_new (gint, 2 * ndiags);
  c.a = a;
  c.b = b;
  c.fd = diags + m + 1;
  c.bd = diags + ndiags + m + 1;
  /* About 2·sqrt(n+m) steps per split, at least 256 */
  c.too_expensive = 256;
  while ((gint64) c.too_expensive * c.too_expensive < 4 * ((gint64) n + m))
    c.too_expensive *= 2;
  c.a_changed = a_changed = g_new0 (guint8, MAX (n, 1));
  c.b_changed = b_changed = g_new0 (guint8, MAX (m, 1));
  compare (&c, n, m);
  g_clear_pointer (&diags, g_free);

  /* The edit script: ' ' keep, '-' delete, '+' insert; deletions first,
   * as diff -u writes them */
  ops = g_byte_array_sized_new (n + m);
  while (i < n || j < m)
    {
      guint8 op;

      if (i < n && a_changed[i])
        op = '-', i++;
      else if (j < m && b_changed[j])
        op = '+', j++;
      else
        op = ' ', i++, j++;
      g_byte_array_append (ops, &op, 1);
    }

  out = g_string_new (NULL);
  g_string_append_printf (out, "--- %s\n+++ %s\n", before_name, after_name);
  i = j = 0;                              /* the lines at ops[k] */
  for (guint k = 0; k < ops->len;)
    {
      guint start, end, last = k;
      gint a_count = 0, b_count = 0, ai, bi;

      if (ops->data[k] == ' ')
        {
          k++, i++, j++;
          continue;
        }
      /* A hunk: changes at most 6 lines apart, 3 lines of context */
      for (guint h = k; h < ops->len; h++)
        {
          if (ops->data[h] != ' ')
            last = h;
          else if (h - last > 6)
            break;
        }
      start = k >= 3 ? k - 3 : 0;
      end = MIN (ops->len, last + 4);
      /* Only context lines precede k back to start */
      ai = i - (gint) (k - start);
      bi = j - (gint) (k - start);
      for (guint h = start; h < end; h++)
        {
          if (ops->data[h] != '+')
            a_count++;
          if (ops->data[h] != '-')
            b_count++;
        }
      g_string_append_printf (out, "@@ -%d,%d +%d,%d @@\n", ai + 1, a_count, bi + 1, b_count);
      for (guint h = start; h < end; h++)
        {
          char op = (char) ops->data[h];

          append_line (out, op, op == '+' ? &g_array_index (bl, Line, bi)
                                          : &g_array_index (al, Line, ai));
          if (op != '+')
            ai++;
          if (op != '-')
            bi++;
        }
      i = ai;
      j = bi;
      k = end;
    }
  return g_string_free (out, FALSE);
}
