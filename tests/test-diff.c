/* test-diff.c: kt_diff_lines, checked by applying its output and against
 * a plain quadratic LCS on small inputs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-diff.h"

/* Applies unified diff @diff to @before; fails the test on a context or
 * deletion line that does not match */
static char *
apply_diff (const char *before,
            const char *diff,
            guint      *n_changed)
{
  g_auto(GStrv) a = g_strsplit (before, "\n", -1);
  g_auto(GStrv) d = g_strsplit (diff, "\n", -1);
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  guint pos = 0, n = g_strv_length (a);

  *n_changed = 0;
  g_assert_true (g_str_has_prefix (d[0], "--- "));
  g_assert_true (g_str_has_prefix (d[1], "+++ "));
  for (guint k = 2; d[k] != NULL && d[k + 1] != NULL; k++)
    {
      const char *l = d[k];

      if (g_str_has_prefix (l, "@@ -"))
        {
          guint64 start = g_ascii_strtoull (l + 4, NULL, 10);

          g_assert_cmpuint (start, >=, 1);
          g_assert_cmpuint (start - 1, >=, pos);
          while (pos < start - 1)
            g_ptr_array_add (out, a[pos++]);
          continue;
        }
      g_assert_true (l[0] == ' ' || l[0] == '-' || l[0] == '+');
      if (l[0] != '+')
        {
          g_assert_cmpuint (pos, <, n);
          g_assert_cmpstr (a[pos], ==, l + 1);
          pos++;
        }
      if (l[0] != '-')
        g_ptr_array_add (out, (gpointer) (l + 1));
      if (l[0] != ' ')
        (*n_changed)++;
    }
  while (pos < n)
    g_ptr_array_add (out, a[pos++]);
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("\n", (char **) out->pdata);
}

/* Lines deleted + inserted by a minimal diff: n + m - 2·LCS */
static guint
minimal_changes (const char *before,
                 const char *after)
{
  g_auto(GStrv) a = g_strsplit (before, "\n", -1);
  g_auto(GStrv) b = g_strsplit (after, "\n", -1);
  guint n = g_strv_length (a), m = g_strv_length (b);
  g_autofree guint *lcs = g_new0 (guint, (n + 1) * (m + 1));

  for (guint x = n; x-- > 0;)
    for (guint y = m; y-- > 0;)
      lcs[x * (m + 1) + y] = g_str_equal (a[x], b[y])
                             ? lcs[(x + 1) * (m + 1) + y + 1] + 1
                             : MAX (lcs[(x + 1) * (m + 1) + y], lcs[x * (m + 1) + y + 1]);
  return n + m - 2 * lcs[0];
}

static char *
random_text (GRand *r,
             guint  lines,
             guint  alphabet)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < lines; i++)
    g_string_append_printf (s, "line %u\n", g_rand_int_range (r, 0, alphabet));
  return g_string_free (s, FALSE);
}

static char *
mutate (GRand      *r,
        const char *text,
        guint       edits)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i]; i++)
    g_ptr_array_add (out, g_strdup (lines[i]));
  for (guint e = 0; e < edits; e++)
    {
      guint at;

      if (out->len == 0)
        g_ptr_array_add (out, g_strdup (""));
      at = g_rand_int_range (r, 0, out->len);

      switch (g_rand_int_range (r, 0, 3))
        {
        case 0:
          g_ptr_array_remove_index (out, at);
          break;
        case 1:
          g_ptr_array_insert (out, at, g_strdup_printf ("new %u", e));
          break;
        default:
          g_free (out->pdata[at]);
          out->pdata[at] = g_strdup_printf ("changed %u", e);
        }
    }
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("\n", (char **) out->pdata);
}

static void
check_pair (const char *before,
            const char *after,
            gboolean    minimal)
{
  g_autofree char *d = kt_diff_lines (before, after, "a", "b");
  g_autofree char *back = NULL;
  guint changed;

  if (g_str_equal (before, after))
    {
      g_assert_cmpstr (d, ==, "");
      return;
    }
  back = apply_diff (before, d, &changed);
  g_assert_cmpstr (back, ==, after);
  if (minimal)
    g_assert_cmpuint (changed, ==, minimal_changes (before, after));
}

static void
test_format (void)
{
  g_autofree char *same = kt_diff_lines ("a\nb\n", "a\nb\n", "x", "y");
  g_autofree char *d = kt_diff_lines ("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n",
                                      "1\n2\n3\n4\nfour\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
                                      "old", "new");
  g_autofree char *first = kt_diff_lines ("a\nb\n", "z\nb\n", "x", "y");
  g_autofree char *all = kt_diff_lines ("a", "b", "x", "y");

  g_assert_cmpstr (same, ==, "");
  g_assert_cmpstr (d, ==,
                   "--- old\n+++ new\n"
                   "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+four\n 6\n 7\n 8\n"
                   "@@ -13,4 +13,5 @@\n 13\n 14\n 15\n+16\n \n");
  g_assert_cmpstr (first, ==, "--- x\n+++ y\n@@ -1,3 +1,3 @@\n-a\n+z\n b\n \n");
  g_assert_cmpstr (all, ==, "--- x\n+++ y\n@@ -1,1 +1,1 @@\n-a\n+b\n");
}

/* Small random pairs: correct and minimal */
static void
test_random_small (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (20261201);

  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *a = random_text (r, g_rand_int_range (r, 0, 60), g_rand_int_range (r, 1, 8));
      g_autofree char *b = g_rand_boolean (r)
                           ? mutate (r, a, g_rand_int_range (r, 0, 12))
                           : random_text (r, g_rand_int_range (r, 0, 60), 4);

      check_pair (a, b, TRUE);
    }
}

/* Unrelated texts over a few distinct lines: long searches, cut short by
 * the cost bound; the diff must still be right */
static void
test_random_expensive (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (133);

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *a = random_text (r, g_rand_int_range (r, 500, 4000),
                                        g_rand_int_range (r, 2, 6));
      g_autofree char *b = random_text (r, g_rand_int_range (r, 500, 4000),
                                        g_rand_int_range (r, 2, 6));

      check_pair (a, b, FALSE);
    }
}

/* Large ones: still correct; a one-line change is one small hunk */
static void
test_large (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (7);
  g_autofree char *a = random_text (r, 20000, 1000000);
  g_autofree char *b = random_text (r, 20000, 1000000);
  g_autofree char *one = mutate (r, a, 1);
  g_autofree char *many = mutate (r, a, 3000);
  g_autofree char *d = kt_diff_lines (a, one, "a", "b");
  guint hunks = 0;

  for (const char *p = d; (p = strstr (p, "\n@@ ")) != NULL; p++)
    hunks++;
  g_assert_cmpuint (hunks, ==, 1);
  g_assert_cmpuint (strlen (d), <, 400);
  check_pair (a, one, FALSE);
  check_pair (a, many, FALSE);
  /* Nothing in common: the worst case, cut short by the cost bound */
  check_pair (a, b, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diff/format", test_format);
  g_test_add_func ("/diff/random-small", test_random_small);
  g_test_add_func ("/diff/random-expensive", test_random_expensive);
  g_test_add_func ("/diff/large", test_large);

  return g_test_run ();
}
