/* kt-map-style.h: the map's colours and font
 *
 * libadwaita's stock colours by default; the window's canvas fills them
 * from its GTK style instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double red, green, blue, alpha;
} KtMapColor;

typedef struct
{
  gboolean   dark;
  KtMapColor window_bg;
  KtMapColor view_bg;       /* node boxes */
  KtMapColor card_bg;       /* socket/die/L3 boxes */
  KtMapColor fg;
  KtMapColor dim_fg;
  KtMapColor accent;
  KtMapColor warning;
  KtMapColor error;
  KtMapColor success;
  char      *font_family;   /* owned; "Sans" when NULL */
} KtMapStyle;

void       kt_map_style_init_default (KtMapStyle           *style,
                                      gboolean              dark);
void       kt_map_style_clear        (KtMapStyle           *style);
KtMapColor kt_map_style_vm_color     (const KtMapStyle     *style,
                                      guint                 vm_index);
KtMapColor kt_map_style_vm_color_muted (const KtMapStyle   *style,
                                      guint                 vm_index,
                                      gboolean              muted);

G_END_DECLS
