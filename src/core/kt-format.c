/* kt-format.c: sizes and numbers as text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "kt-format.h"

#define GIB_KIB G_GUINT64_CONSTANT (1048576)

char *
kt_format_kib (guint64 kib)
{
  return g_format_size_full (kib * 1024, G_FORMAT_SIZE_IEC_UNITS);
}

char *
kt_format_kib_short (guint64 kib)
{
  char *s = kt_format_kib (kib);

  /* Drops a ".0" (or ",0") after the digits, in any locale's wording */
  for (char *c = s + 1; c[0] != '\0' && c[1] != '\0'; c++)
    if ((c[0] == '.' || c[0] == ',') && g_ascii_isdigit (c[-1]) && c[1] == '0'
        && !g_ascii_isdigit (c[2]))
      {
        memmove (c, c + 2, strlen (c + 2) + 1);
        break;
      }
  return s;
}

char *
kt_format_page_size (guint64 kib)
{
  g_autofree char *n = NULL;

  /* The number is formatted first: no format macro inside a msgid */
  if (kib >= GIB_KIB && kib % GIB_KIB == 0)
    {
      n = g_strdup_printf ("%" G_GUINT64_FORMAT, kib / GIB_KIB);
      return g_strdup_printf (_("%s GiB"), n);
    }
  if (kib >= 1024 && kib % 1024 == 0)
    {
      n = g_strdup_printf ("%" G_GUINT64_FORMAT, kib / 1024);
      return g_strdup_printf (_("%s MiB"), n);
    }
  n = g_strdup_printf ("%" G_GUINT64_FORMAT, kib);
  return g_strdup_printf (_("%s KiB"), n);
}

char *
kt_format_page_size_short (guint64 kib)
{
  if (kib >= GIB_KIB && kib % GIB_KIB == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "G", kib / GIB_KIB);
  if (kib >= 1024 && kib % 1024 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "M", kib / 1024);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "K", kib);
}
