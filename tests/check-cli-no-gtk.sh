#!/bin/sh
# check-cli-no-gtk.sh: kvmtune-cli (render included) links the core and
# src/map only: no GTK, GDK, GSK or libadwaita among its libraries
#
# Usage: check-cli-no-gtk.sh KVMTUNE_CLI
# Exit: 0 none, 1 some (listed), 77 skipped (no ldd)
#
# SPDX-License-Identifier: GPL-3.0-or-later

cli=${1:?usage: check-cli-no-gtk.sh KVMTUNE_CLI}
command -v ldd >/dev/null || { echo "SKIP: no ldd"; exit 77; }

libs=$(ldd "$cli") || { echo "FAIL: ldd $cli"; exit 1; }
gui=$(printf '%s\n' "$libs" | grep -E 'lib(gtk-4|gtk-3|adwaita-1|gdk|gsk|graphene)')
if [ -n "$gui" ]; then
  echo "FAIL: $cli links GUI libraries:"
  printf '%s\n' "$gui"
  exit 1
fi
# And no GUI symbol is waiting for one
if command -v nm >/dev/null && nm -u "$cli" | grep -qE ' (gtk|gdk|gsk|adw)_'; then
  echo "FAIL: $cli wants GTK symbols:"
  nm -u "$cli" | grep -E ' (gtk|gdk|gsk|adw)_'
  exit 1
fi
echo "ok: $cli links no GTK"
