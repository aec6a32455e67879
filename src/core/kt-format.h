/* kt-format.h: sizes and numbers as text, said once for the window, the
 * map and `kvmtune-cli`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "1.5 GiB", "512.0 MiB": g_format_size () in IEC units */
char *kt_format_kib              (guint64 kib);
/* "32 MiB" rather than "32.0 MiB": where a label has little room */
char *kt_format_kib_short        (guint64 kib);
/* "2 MiB", "1 GiB", "4 KiB": a page size, exact (translated units) */
char *kt_format_page_size        (guint64 kib);
/* "2M", "1G", "4K": a page size, exact, as hugeadm and the kernel say it */
char *kt_format_page_size_short  (guint64 kib);

G_END_DECLS
