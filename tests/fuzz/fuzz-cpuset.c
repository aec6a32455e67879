/* fuzz-cpuset.c: libvirt cpuset syntax, parsed and formatted
 *
 * Whatever kt_cpuset_parse () accepts must format to a canonical string
 * (the empty set, which only set operations make, to "") that parses back to the same set and formats the same again; the set
 * operations must agree with membership.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "fuzz-common.h"

static void
check_set (const KtCpuset *set)
{
  g_autofree char *text = kt_cpuset_format (set);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) again = NULL;
  g_autofree char *text2 = NULL;
  g_autoptr(GArray) ids = NULL;
  int last = -1;
  guint n = 0;

  FUZZ_CHECK (text != NULL, "format returned NULL");
  if (kt_cpuset_is_empty (set))
    {
      /* libvirt has no text for an empty set, and neither do we */
      FUZZ_CHECK (text[0] == '\0', "the empty set formats as \"%s\"", text);
      FUZZ_CHECK (kt_cpuset_count (set) == 0 && kt_cpuset_first (set) < 0, "empty but counted");
      return;
    }
  again = kt_cpuset_parse (text, &error);
  FUZZ_CHECK (again != NULL, "\"%s\" does not parse back: %s", text,
              error ? error->message : "?");
  FUZZ_CHECK (kt_cpuset_equal (set, again), "\"%s\" parses to another set", text);
  text2 = kt_cpuset_format (again);
  FUZZ_CHECK (strcmp (text, text2) == 0, "\"%s\" formats again as \"%s\"", text, text2);

  for (int i = kt_cpuset_first (set); i >= 0; i = kt_cpuset_next (set, i))
    {
      FUZZ_CHECK (i > last && i < KT_CPUSET_LIMIT, "iteration went from %d to %d", last, i);
      FUZZ_CHECK (kt_cpuset_contains (set, (guint) i), "%d iterated but not contained", i);
      last = i;
      n++;
    }
  FUZZ_CHECK (n == kt_cpuset_count (set), "%u iterated, count %u", n, kt_cpuset_count (set));
  FUZZ_CHECK (kt_cpuset_is_empty (set) == (n == 0), "is_empty disagrees with count %u", n);
  FUZZ_CHECK (kt_cpuset_last (set) == last, "last %d, iterated to %d", kt_cpuset_last (set), last);
  ids = kt_cpuset_to_array (set);
  FUZZ_CHECK (ids->len == n, "to_array has %u ids, count %u", ids->len, n);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *text_b = NULL;
  g_autoptr(KtCpuset) a = NULL;
  g_autoptr(KtCpuset) b = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *sep;
  gsize len_a;

  fuzz_init ();

  /* "A\nB": two sets, to combine; a NUL ends the text, as in C */
  sep = memchr (data, '\n', size);
  len_a = sep ? (gsize) (sep - data) : size;
  text = g_strndup ((const char *) data, len_a);
  if (sep)
    text_b = g_strndup ((const char *) sep + 1, size - len_a - 1);

  a = kt_cpuset_parse (text, &error);
  if (a == NULL)
    {
      FUZZ_CHECK (error != NULL && error->message[0] != '\0', "refused \"%s\" without a message", text);
      return 0;
    }
  FUZZ_CHECK (error == NULL, "a set and an error for \"%s\"", text);
  check_set (a);

  if (text_b == NULL || (b = kt_cpuset_parse (text_b, NULL)) == NULL)
    return 0;
  check_set (b);

  {
    g_autoptr(KtCpuset) u = kt_cpuset_union (a, b);
    g_autoptr(KtCpuset) i = kt_cpuset_intersection (a, b);
    g_autoptr(KtCpuset) d = kt_cpuset_difference (a, b);
    g_autoptr(KtCpuset) u2 = kt_cpuset_copy (a);

    kt_cpuset_union_in (u2, b);
    check_set (u);
    check_set (i);
    check_set (d);
    FUZZ_CHECK (kt_cpuset_equal (u, u2), "union and union_in differ");
    FUZZ_CHECK (kt_cpuset_count (u) + kt_cpuset_count (i)
                == kt_cpuset_count (a) + kt_cpuset_count (b), "|A∪B| + |A∩B| ≠ |A| + |B|");
    FUZZ_CHECK (kt_cpuset_count (d) + kt_cpuset_count (i) == kt_cpuset_count (a), "|A∖B| + |A∩B| ≠ |A|");
    FUZZ_CHECK (kt_cpuset_is_subset (i, a) && kt_cpuset_is_subset (i, b)
                && kt_cpuset_is_subset (a, u) && kt_cpuset_is_subset (d, a), "subset relations");
    FUZZ_CHECK (kt_cpuset_intersects (a, b) == !kt_cpuset_is_empty (i), "intersects disagrees");
    FUZZ_CHECK (!kt_cpuset_intersects (d, b), "A∖B meets B");
    for (int c = kt_cpuset_first (u); c >= 0; c = kt_cpuset_next (u, c))
      FUZZ_CHECK (kt_cpuset_contains (a, c) || kt_cpuset_contains (b, c), "%d in A∪B only", c);
  }
  return 0;
}
