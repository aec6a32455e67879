/* kt-map-style.c: the map's colours
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "kt-map-painter-private.h"

/**
 * kt_map_style_init_default:
 *
 * Fills @style with libadwaita's stock colours, for when there is no GTK
 * style to read them from (`kvmtune-cli render`, tests).
 */
void
kt_map_style_init_default (KtMapStyle *style,
                           gboolean    dark)
{
  g_return_if_fail (style != NULL);

  memset (style, 0, sizeof *style);
  style->dark = dark;
  if (dark)
    {
      style->window_bg = rgb (0x242424);
      style->view_bg = rgb (0x1e1e1e);
      style->card_bg = rgba (0xffffff, 0.08);
      style->fg = rgb (0xffffff);
      style->dim_fg = rgba (0xffffff, 0.55);
      style->accent = rgb (0x78aeed);
      style->warning = rgb (0xf8e45c);
      style->error = rgb (0xff7b63);
      style->success = rgb (0x8ff0a4);
    }
  else
    {
      style->window_bg = rgb (0xfafafa);
      style->view_bg = rgb (0xffffff);
      style->card_bg = rgb (0xffffff);
      style->fg = rgba (0x000000, 0.8);
      style->dim_fg = rgba (0x000000, 0.55);
      style->accent = rgb (0x1c71d8);
      style->warning = rgb (0xe5a50a);
      style->error = rgb (0xc01c28);
      style->success = rgb (0x2ec27e);
    }
  style->font_family = NULL;
}

void
kt_map_style_clear (KtMapStyle *style)
{
  g_return_if_fail (style != NULL);
  g_clear_pointer (&style->font_family, g_free);
}

static KtMapColor
hsl (double h,
     double s,
     double l)
{
  double c = (1 - fabs (2 * l - 1)) * s;
  double hp = fmod (h, 360.0) / 60.0;
  double x = c * (1 - fabs (fmod (hp, 2.0) - 1));
  double m = l - c / 2;
  double r = 0, g = 0, b = 0;

  if (hp < 1)
    r = c, g = x;
  else if (hp < 2)
    r = x, g = c;
  else if (hp < 3)
    g = c, b = x;
  else if (hp < 4)
    g = x, b = c;
  else if (hp < 5)
    r = x, b = c;
  else
    r = c, b = x;
  return (KtMapColor) { r + m, g + m, b + m, 1.0 };
}

/**
 * kt_map_style_vm_color:
 *
 * Returns: a colour of its own for the VM at @vm_index: hues a golden
 * angle apart, lighter in dark mode
 */
KtMapColor
kt_map_style_vm_color (const KtMapStyle *style,
                       guint             vm_index)
{
  /* Hues from 20° to 340°: reds are for errors */
  double hue = 20.0 + fmod (vm_index * 137.50776405003785, 360.0) * (320.0 / 360.0);
  /* Every other lap round the wheel a little lighter or darker */
  double shade = (vm_index / 3) % 2 ? -0.07 : 0.0;

  g_return_val_if_fail (style != NULL, rgb (0x808080));

  if (style->dark)
    return hsl (hue, 0.65, 0.66 + shade);
  return hsl (hue, 0.62, 0.52 + shade);
}

/**
 * kt_map_style_vm_color_muted:
 * @muted: whether the VM does not run (shut off, crashed)
 *
 * Returns: the VM's colour; when @muted, greyed and half-way to the
 * background
 */
KtMapColor
kt_map_style_vm_color_muted (const KtMapStyle *style,
                             guint             vm_index,
                             gboolean          muted)
{
  KtMapColor color = kt_map_style_vm_color (style, vm_index);
  KtMapColor grey = { 0.5, 0.5, 0.5, 1.0 };

  if (!muted)
    return color;
  return mix (mix (color, grey, 0.5),
              flatten (style->window_bg, rgb (style->dark ? 0x000000 : 0xffffff)), MUTED_MIX);
}
