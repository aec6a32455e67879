/* test-cpuset.c: libvirt-style cpuset parsing, formatting and set algebra
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "kt-cpuset.h"
#include "kt-error.h"
#include "kt-test-util.h"

/* Parses @text, which must be valid */
static KtCpuset *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  KtCpuset *set = kt_cpuset_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  return set;
}

/* A set from an explicit list of ids, built without the parser */
static KtCpuset *
set_of (int first,
        ...)
{
  KtCpuset *set = kt_cpuset_new ();
  va_list ap;

  va_start (ap, first);
  for (int id = first; id >= 0; id = va_arg (ap, int))
    kt_cpuset_add (set, (guint) id);
  va_end (ap);
  return set;
}

static void
assert_format (const KtCpuset *set,
               const char     *expected)
{
  g_autofree char *text = kt_cpuset_format (set);

  g_assert_cmpstr (text, ==, expected);
}

static void
assert_parse_format (const char *text,
                     const char *canonical)
{
  g_autoptr(KtCpuset) set = parse_ok (text);

  assert_format (set, canonical);
}

/* ------------------------------------------------------------------------ */

static void
test_parse_libvirt_syntax (void)
{
  g_autoptr(KtCpuset) set = parse_ok ("0-3,^2,8-11");
  g_autoptr(KtCpuset) expected = set_of (0, 1, 3, 8, 9, 10, 11, -1);

  g_assert_true (kt_cpuset_equal (set, expected));
  g_assert_cmpuint (kt_cpuset_count (set), ==, 7);
  g_assert_false (kt_cpuset_contains (set, 2));
  g_assert_true (kt_cpuset_contains (set, 3));
  g_assert_false (kt_cpuset_contains (set, 12));
  assert_format (set, "0-1,3,8-11");

  /* Exclusions apply to what comes before them only, as in libvirt */
  assert_parse_format ("^2,0-3", "0-3");
  assert_parse_format ("0-7,^0,^7", "1-6");
  /* Overlaps, duplicates, unordered terms */
  assert_parse_format ("5,1,3,2,4,1", "1-5");
  assert_parse_format ("0-4,2-6", "0-6");
  assert_parse_format ("7", "7");
  assert_parse_format ("3-3", "3");
  /* Blanks around numbers are accepted, as libvirt does */
  assert_parse_format (" 1 , 3 - 4 ", "1,3-4");
  assert_parse_format ("0\t,\n2", "0,2");
  /* Leading zeros are plain decimal */
  assert_parse_format ("010", "10");
}

static void
test_format_canonical (void)
{
  g_autoptr(KtCpuset) empty = kt_cpuset_new ();
  g_autoptr(KtCpuset) pair = set_of (4, 5, -1);
  g_autoptr(KtCpuset) gaps = set_of (0, 2, 4, 5, 6, 9, -1);
  g_autoptr(KtCpuset) words = set_of (62, 63, 64, 65, 127, 128, 200, -1);
  g_autoptr(KtCpuset) top = set_of (KT_CPUSET_LIMIT - 2, KT_CPUSET_LIMIT - 1, -1);

  assert_format (empty, "");
  /* Runs of two are ranges, like virBitmapFormat */
  assert_format (pair, "4-5");
  assert_format (gaps, "0,2,4-6,9");
  /* Runs across 64-bit word boundaries */
  assert_format (words, "62-65,127-128,200");
  assert_format (top, "16382-16383");
}

static void
test_format_roundtrip (void)
{
  static const char * const texts[] = {
    "0", "0-1", "1,3,5,7", "0-63", "0-64", "63-64", "1-2,4-5,7-8", "100-200,^150",
    "0-16383,^1,^16382", "16383",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(KtCpuset) a = parse_ok (texts[i]);
      g_autofree char *text = kt_cpuset_format (a);
      g_autoptr(KtCpuset) b = parse_ok (text);
      g_autofree char *again = kt_cpuset_format (b);

      g_assert_true (kt_cpuset_equal (a, b));
      g_assert_cmpstr (text, ==, again);
    }
}

static void
test_algebra (void)
{
  g_autoptr(KtCpuset) a = parse_ok ("0-7");
  g_autoptr(KtCpuset) b = parse_ok ("4-11,100");
  g_autoptr(KtCpuset) u = kt_cpuset_union (a, b);
  g_autoptr(KtCpuset) i = kt_cpuset_intersection (a, b);
  g_autoptr(KtCpuset) i2 = kt_cpuset_intersection (b, a);
  g_autoptr(KtCpuset) d = kt_cpuset_difference (a, b);
  g_autoptr(KtCpuset) d2 = kt_cpuset_difference (b, a);
  g_autoptr(KtCpuset) in = kt_cpuset_copy (a);
  g_autoptr(KtCpuset) empty = kt_cpuset_new ();
  g_autoptr(KtCpuset) e2 = kt_cpuset_intersection (a, empty);

  assert_format (u, "0-11,100");
  assert_format (i, "4-7");
  assert_format (i2, "4-7");
  assert_format (d, "0-3");
  assert_format (d2, "8-11,100");
  g_assert_true (kt_cpuset_is_empty (e2));

  /* The operands are left alone */
  assert_format (a, "0-7");
  assert_format (b, "4-11,100");

  kt_cpuset_union_in (in, b);
  g_assert_true (kt_cpuset_equal (in, u));

  g_assert_true (kt_cpuset_intersects (a, b));
  g_assert_false (kt_cpuset_intersects (d, d2));
  g_assert_false (kt_cpuset_intersects (a, empty));

  g_assert_true (kt_cpuset_is_subset (i, a));
  g_assert_true (kt_cpuset_is_subset (i, b));
  g_assert_true (kt_cpuset_is_subset (a, u));
  g_assert_false (kt_cpuset_is_subset (a, b));
  g_assert_false (kt_cpuset_is_subset (b, a));     /* 100 is beyond a's words */
  g_assert_true (kt_cpuset_is_subset (empty, a));
  g_assert_true (kt_cpuset_is_subset (a, a));
  g_assert_false (kt_cpuset_is_subset (a, empty));
}

static void
test_equal_ignores_storage (void)
{
  g_autoptr(KtCpuset) a = set_of (1, 5000, -1);
  g_autoptr(KtCpuset) b = set_of (1, -1);
  g_autoptr(KtCpuset) c = kt_cpuset_new ();
  g_autoptr(KtCpuset) e = kt_cpuset_new ();

  g_assert_false (kt_cpuset_equal (a, b));
  g_assert_false (kt_cpuset_equal (b, a));
  kt_cpuset_remove (a, 5000);
  /* a still has its grown storage, but holds the same ids */
  g_assert_true (kt_cpuset_equal (a, b));
  g_assert_true (kt_cpuset_equal (b, a));
  g_assert_cmpint (kt_cpuset_last (a), ==, 1);

  kt_cpuset_add (c, 9000);
  kt_cpuset_remove (c, 9000);
  g_assert_true (kt_cpuset_is_empty (c));
  g_assert_true (kt_cpuset_equal (c, e));
  g_assert_cmpint (kt_cpuset_first (c), ==, -1);
  g_assert_cmpint (kt_cpuset_last (c), ==, -1);
  assert_format (c, "");

  /* Removing what was never there is harmless */
  kt_cpuset_remove (e, 12345);
  g_assert_true (kt_cpuset_is_empty (e));
}

static void
test_iterate (void)
{
  g_autoptr(KtCpuset) set = set_of (0, 63, 64, 130, KT_CPUSET_LIMIT - 1, -1);
  g_autoptr(KtCpuset) empty = kt_cpuset_new ();
  g_autoptr(GArray) ids = NULL;
  static const int expected[] = { 0, 63, 64, 130, KT_CPUSET_LIMIT - 1 };
  guint n = 0;

  for (int c = kt_cpuset_first (set); c >= 0; c = kt_cpuset_next (set, c))
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (expected));
      g_assert_cmpint (c, ==, expected[n]);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));

  g_assert_cmpint (kt_cpuset_first (set), ==, 0);
  g_assert_cmpint (kt_cpuset_last (set), ==, KT_CPUSET_LIMIT - 1);
  g_assert_cmpint (kt_cpuset_next (set, -1), ==, 0);
  g_assert_cmpint (kt_cpuset_next (set, 0), ==, 63);
  g_assert_cmpint (kt_cpuset_next (set, 1), ==, 63);
  g_assert_cmpint (kt_cpuset_next (set, 63), ==, 64);
  g_assert_cmpint (kt_cpuset_next (set, 64), ==, 130);
  g_assert_cmpint (kt_cpuset_next (set, 130), ==, KT_CPUSET_LIMIT - 1);
  g_assert_cmpint (kt_cpuset_next (set, KT_CPUSET_LIMIT - 1), ==, -1);
  g_assert_cmpint (kt_cpuset_next (set, 100000), ==, -1);
  g_assert_cmpint (kt_cpuset_first (empty), ==, -1);
  g_assert_cmpint (kt_cpuset_last (empty), ==, -1);
  g_assert_cmpint (kt_cpuset_next (empty, 5), ==, -1);

  ids = kt_cpuset_to_array (set);
  g_assert_cmpuint (ids->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpint (g_array_index (ids, int, i), ==, expected[i]);
}

static void
test_add_remove_range (void)
{
  g_autoptr(KtCpuset) set = kt_cpuset_new_range (3, 70);
  g_autoptr(KtCpuset) one = kt_cpuset_new_range (9, 9);
  g_autoptr(KtCpuset) copy = NULL;

  g_assert_cmpuint (kt_cpuset_count (set), ==, 68);
  assert_format (set, "3-70");
  assert_format (one, "9");

  kt_cpuset_remove (set, 64);
  kt_cpuset_add (set, 1000);
  kt_cpuset_add (set, 1000);
  assert_format (set, "3-63,65-70,1000");
  g_assert_cmpuint (kt_cpuset_count (set), ==, 68);

  /* A copy is independent */
  copy = kt_cpuset_copy (set);
  kt_cpuset_remove (copy, 3);
  g_assert_true (kt_cpuset_contains (set, 3));
  g_assert_false (kt_cpuset_contains (copy, 3));
  g_assert_false (kt_cpuset_equal (set, copy));
}

static void
test_boxed_type (void)
{
  g_autoptr(KtCpuset) set = parse_ok ("1-3");
  KtCpuset *copy;

  g_assert_true (G_TYPE_IS_BOXED (KT_TYPE_CPUSET));
  copy = g_boxed_copy (KT_TYPE_CPUSET, set);
  g_assert_true (copy != set);
  g_assert_true (kt_cpuset_equal (copy, set));
  g_boxed_free (KT_TYPE_CPUSET, copy);
}

/* The limit -------------------------------------------------------------- */

static void
test_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtCpuset) all = parse_ok ("0-16383");
  g_autoptr(KtCpuset) last = parse_ok ("16383");
  KtCpuset *set;

  g_assert_cmpint (KT_CPUSET_LIMIT, ==, 16384);
  g_assert_cmpuint (kt_cpuset_count (all), ==, 16384);
  g_assert_cmpint (kt_cpuset_first (all), ==, 0);
  g_assert_cmpint (kt_cpuset_last (all), ==, 16383);
  assert_format (all, "0-16383");
  g_assert_cmpint (kt_cpuset_last (last), ==, 16383);

  set = kt_cpuset_parse ("16384", &error);
  g_assert_null (set);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                                 "16384", "out of range", "16383");
  g_clear_error (&error);

  set = kt_cpuset_parse ("0-16384", &error);
  g_assert_null (set);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_CPUSET,
                                 "16384", "out of range");
}

/* Hostile input ---------------------------------------------------------- */

typedef struct
{
  const char *text;
  const char *what;      /* must appear in the message */
  const char *what2;     /* likewise, or NULL */
} BadCase;

static const BadCase bad_cases[] = {
  { "0-99999999", "99999999", "out of range" },
  { "99999999", "99999999", "out of range" },
  { "18446744073709551616", "18446744073709551616", "out of range" },
  { "99999999999999999999999999999999", "out of range", NULL },
  { "-1", "negative", NULL },
  { "1--2", "negative", NULL },
  { "3-1", "ends before it starts", NULL },
  { "^1-3", "excludes a single id", NULL },
  { "abc", "expected a number", "“abc”" },
  { "1,,2", "expected a number", "position 3" },
  { "", "empty", NULL },
  { "   ", "empty", NULL },
  { "^0", "selects no CPU", NULL },
  { "0-3,^0,^1,^2,^3", "selects no CPU", NULL },
  { "1-", "missing", NULL },
  { "1,", "missing", NULL },
  { ",1", "expected a number", "position 1" },
  { "1 2", "unexpected character", NULL },
  { "1-2-3", "unexpected character", NULL },
  { "0x10", "unexpected character", NULL },
  { "+1", "expected a number", NULL },
  { "^", "missing", NULL },
  { "^^1", "expected a number", NULL },
  { "1;2", "unexpected character", NULL },
  { "\xd9\xa1", "expected a number", NULL },   /* ARABIC-INDIC DIGIT ONE */
};

static void
test_hostile (gconstpointer data)
{
  const BadCase *bc = data;
  g_autoptr(GError) error = NULL;
  KtCpuset *set;

  set = kt_cpuset_parse (bc->text, &error);
  g_assert_null (set);
  if (bc->what2 != NULL)
    kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_CPUSET, bc->what, bc->what2);
  else
    kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_CPUSET, bc->what);
}

static void
test_hostile_huge_number (void)
{
  const gsize len = 1024 * 1024;
  g_autofree char *digits = g_malloc (len + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  KtCpuset *set;

  memset (digits, '9', len);
  digits[len] = '\0';

  set = kt_cpuset_parse (digits, &error);
  g_assert_null (set);
  kt_test_assert_error_contains (error, KT_ERROR, KT_ERROR_INVALID_CPUSET, "out of range");
  /* Linear, not worse: 1 MB is scanned well within a second */
  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 5.0);
  /* The message quotes the input, but must not blow up beyond that */
  g_assert_cmpuint (strlen (error->message), <, 4 * len);
}

static void
test_hostile_long_lists (void)
{
  g_autoptr(GString) many_ones = g_string_sized_new (1024 * 1024);
  g_autoptr(GString) many_ranges = g_string_new (NULL);
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(KtCpuset) a = NULL;
  g_autoptr(KtCpuset) b = NULL;

  /* 500,000 terms naming the same CPU */
  while (many_ones->len < 1024 * 1024)
    g_string_append (many_ones, "1,");
  g_string_append (many_ones, "1");
  a = parse_ok (many_ones->str);
  assert_format (a, "1");

  /* The largest range, 2,000 times: bounded work per term */
  for (int i = 0; i < 2000; i++)
    g_string_append (many_ranges, i ? ",0-16383" : "0-16383");
  b = parse_ok (many_ranges->str);
  g_assert_cmpuint (kt_cpuset_count (b), ==, KT_CPUSET_LIMIT);

  g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 10.0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cpuset/parse/libvirt-syntax", test_parse_libvirt_syntax);
  g_test_add_func ("/cpuset/format/canonical", test_format_canonical);
  g_test_add_func ("/cpuset/format/roundtrip", test_format_roundtrip);
  g_test_add_func ("/cpuset/algebra", test_algebra);
  g_test_add_func ("/cpuset/equal-ignores-storage", test_equal_ignores_storage);
  g_test_add_func ("/cpuset/iterate", test_iterate);
  g_test_add_func ("/cpuset/add-remove-range", test_add_remove_range);
  g_test_add_func ("/cpuset/boxed-type", test_boxed_type);
  g_test_add_func ("/cpuset/limit", test_limit);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *label = g_strndup (bad_cases[i].text, 24);
      g_autofree char *path = NULL;

      g_strcanon (label, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-,^", '_');
      path = g_strdup_printf ("/cpuset/hostile/%02u-%s", i, label);

      g_test_add_data_func (path, &bad_cases[i], test_hostile);
    }
  g_test_add_func ("/cpuset/hostile/1mb-of-digits", test_hostile_huge_number);
  g_test_add_func ("/cpuset/hostile/long-lists", test_hostile_long_lists);

  return g_test_run ();
}
