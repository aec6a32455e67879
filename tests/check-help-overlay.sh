#!/bin/bash
# check-help-overlay.sh: the shortcuts window (ui/help-overlay.ui)
#
# A GtkShortcutsShortcut given an action-name shows every accelerator of
# that action: "Ctrl+0 / Ctrl+0" for <Control>0 and <Control>KP_0, a raw
# "KP_Enter".  So an action with more than one accelerator in
# kt-application.c must be listed by its main accelerator instead, no
# keypad key may be shown, and the map's routes must be there: the
# keyboard pinning route, Ctrl+click, the rubber band and Ctrl+scroll.
#
# Usage: check-help-overlay.sh HELP_OVERLAY_UI KT_APPLICATION_C
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u
ui=${1:?usage: check-help-overlay.sh HELP_OVERLAY_UI KT_APPLICATION_C}
app=${2:?usage: check-help-overlay.sh HELP_OVERLAY_UI KT_APPLICATION_C}
status=0

not_ok ()
{
  echo "not ok - $*"
  status=1
}

xmllint --noout "$ui" || exit 1

# Actions with several accelerators: { "win.x", { "a", "b", NULL } }
while read -r action; do
  if xmllint --xpath "//property[@name='action-name'][text()='$action']" "$ui" >/dev/null 2>&1; then
    not_ok "$action has several accelerators but is listed by action-name: shown twice"
  fi
done < <(grep -oE '\{ "[a-z]+\.[a-z-]+", \{ "[^"]*", "[^"]*"' "$app" | cut -d'"' -f2)

accels=$(xmllint --xpath "//property[@name='accelerator']/text()" "$ui" 2>/dev/null)
if grep -q 'KP_' <<<"$accels"; then
  not_ok "a keypad key is shown: $(grep -o '[^ ]*KP_[^ ]*' <<<"$accels" | head -1)"
fi

text=$(xmllint --xpath "//property[@name='title' or @name='subtitle']/text()" "$ui" 2>/dev/null)
for want in "Ctrl+click" "band" "Ctrl+scroll"; do
  grep -qi "$want" <<<"$text" || not_ok "nothing says \"$want\""
done
for accel in 'Return' 'Escape' '&lt;Shift&gt;Up' 'Tab'; do
  xmllint --xpath "//property[@name='accelerator']" "$ui" 2>/dev/null | grep -q "[> ]$accel[< ]" \
    || not_ok "the keyboard route lacks $accel"
done

[ "$status" = 0 ] && echo "ok - the shortcuts window lists each shortcut once, and the map's routes"
exit "$status"
