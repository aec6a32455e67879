/* test-format.c: sizes as text (kt-format.h), said once for the window,
 * the map and the CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>

#include "kt-format.h"

/* g_format_size () puts a no-break space before the unit */
static void
check (char       *got,
       const char *want)
{
  g_assert_cmpstr (got, ==, want);
  g_free (got);
}

static void
test_page_size (void)
{
  check (kt_format_page_size (4), "4 KiB");
  check (kt_format_page_size (2048), "2 MiB");
  check (kt_format_page_size (1048576), "1 GiB");
  check (kt_format_page_size (16 * 1048576), "16 GiB");
  /* Not a whole GiB: in MiB; not a whole MiB: in KiB */
  check (kt_format_page_size (1536 * 1024), "1536 MiB");
  check (kt_format_page_size (1000), "1000 KiB");
  check (kt_format_page_size (0), "0 KiB");
}

static void
test_page_size_short (void)
{
  check (kt_format_page_size_short (4), "4K");
  check (kt_format_page_size_short (2048), "2M");
  check (kt_format_page_size_short (1048576), "1G");
  check (kt_format_page_size_short (1536 * 1024), "1536M");
  check (kt_format_page_size_short (G_GUINT64_CONSTANT (1) << 34), "16384G");
}

static void
test_kib (void)
{
  check (kt_format_kib (1024), "1.0\u00a0MiB");
  check (kt_format_kib (1536), "1.5\u00a0MiB");
  check (kt_format_kib (32 * 1024), "32.0\u00a0MiB");
  check (kt_format_kib (8 * 1048576), "8.0\u00a0GiB");
}

static void
test_kib_short (void)
{
  check (kt_format_kib_short (32 * 1024), "32\u00a0MiB");
  check (kt_format_kib_short (1536), "1.5\u00a0MiB");
  check (kt_format_kib_short (8 * 1048576), "8\u00a0GiB");
  check (kt_format_kib_short (130 * 1048576), "130\u00a0GiB");
  /* "1.0 GiB" loses its ".0"; "10.0" keeps the 0 of "10" */
  check (kt_format_kib_short (1048576), "1\u00a0GiB");
  check (kt_format_kib_short (10 * 1024), "10\u00a0MiB");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/format/page-size", test_page_size);
  g_test_add_func ("/format/page-size-short", test_page_size_short);
  g_test_add_func ("/format/kib", test_kib);
  g_test_add_func ("/format/kib-short", test_kib_short);
  return g_test_run ();
}
