#!/bin/bash
# test-panel-undo.sh: a panel edit is a step of the session's undo history
#
# Opens a copy of the demo host, selects web1 (host-passthrough), picks
# Host Model in the tuning panel's CPU Model section and checks, with
# real keys, that:
#   - the panel's header says the change is pending (its line differs
#     from before the edit, and Apply opens the dialog only then);
#   - Ctrl+Z takes the edit back: the header and the CPU Model row look as
#     before it, and Apply opens no dialog (nothing pending);
#   - Ctrl+Shift+Z makes it again: header and row as after the edit;
#   - a drop on the map after it is the newer step of the same history:
#     Ctrl+Z takes the drop back and leaves the CPU model edit;
#   - Ctrl+W with the edit pending asks "Apply Changes?" (a snapshot file
#     cannot keep it); Escape (Cancel) keeps the window;
#   - applied to the config and saved (Ctrl+S), the config has host-model.
# Screenshots go to LOG_DIR.  What the headers show is compared as pixels
# of the screenshots: the window's subtitle ("(unsaved)"), its pending bar
# ("1 pending change"), the panel's Apply and Discard buttons (enabled
# with something pending) and the CPU Model row.
#
# The panel is driven by position in a 1600x1000 window (there is no
# window manager), like test-cpu-model.sh.
#
# Usage: test-panel-undo.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool, xmllint or convert)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-panel-undo.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
demo=${2:?usage: test-panel-undo.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
logdir=${3:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint convert compare import

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-panel-undo

cleanup ()
{
  stop_app
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

xpath ()
{
  xmllint --xpath "string($1)" "$tmp/host.kvmtune"
}

# Parts of a screenshot, WxH+X+Y in the 1600x1000 window
SUBTITLE="200x18+840+26"      # the window's subtitle, "host.kvmtune (unsaved)"
BAR="980x34+290+954"          # the window's pending bar
BUTTONS="135x36+1450+56"      # the panel's Discard and Apply
CPU_ROW="110x22+1440+566"     # CPU Model → Mode: its value, once the panel scrolled to its end
crop ()   # NAME GEOMETRY OUT
{
  convert "$logdir/$shot-$1.png" -crop "$2" +repage "$tmp/$3.png"
}

# The headers of screenshot NAME
crop_headers ()   # NAME
{
  crop "$1" "$SUBTITLE" "subtitle-$1"
  crop "$1" "$BAR" "bar-$1"
  crop "$1" "$BUTTONS" "buttons-$1"
}

# Takes screenshot NAME with the pointer away from every row and button
shoot ()   # NAME
{
  xdotool mousemove --window "$win" 100 900
  sleep 0.6
  screenshot "$1"
  crop_headers "$1"
}

# Pixels that differ between two crops (0: the same)
differ ()   # A B
{
  compare -metric AE "$tmp/$1.png" "$tmp/$2.png" null: 2>&1 | cut -d' ' -f1
}

status=0
check ()   # DESCRIPTION COMMAND...
{
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
  else
    echo "not ok - $what"
    status=1
  fi
}

# Clicks Apply… in the panel's header; succeeds when the dialog opened
open_apply ()
{
  local dialog=
  xdotool mousemove --window "$win" 1537 74 click 1
  for _ in $(seq 15); do
    sleep 0.1
    dialog=$(find_window '^Apply to web1$') && break
  done
  [ -n "$dialog" ]
}

same () { [ "$(differ "$1" "$2")" = 0 ]; }
not_same () { [ "$(differ "$1" "$2")" != 0 ]; }
# The headers of screenshots A and B are all the same, or all differ
headers_same () { same "subtitle-$1" "subtitle-$2" && same "bar-$1" "bar-$2" && same "buttons-$1" "buttons-$2"; }
headers_differ () { not_same "subtitle-$1" "subtitle-$2" && not_same "bar-$1" "bar-$2" && not_same "buttons-$1" "buttons-$2"; }
no_dialog () { ! open_apply; }

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"
[ "$(xpath "//vm[@name='web1']/inactive/domain/cpu/@mode")" = host-passthrough ] \
  || fail "web1 no longer starts as host-passthrough"

start_xvfb
start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window
sleep 1

# web1, its panel scrolled to the end
xdotool mousemove --window "$win" 70 119 click 1
sleep 1
xdotool mousemove --window "$win" 1400 700
for _ in $(seq 40); do xdotool click 5; done
shoot before

# Host Passthrough (selected) → Host Model
xdotool mousemove --window "$win" 1498 502 click 1
sleep 0.7
xdotool key --clearmodifiers Down Return
sleep 1
shoot edited
crop edited "$CPU_ROW" row-edited
check "the headers say the CPU model edit is pending (subtitle, bar, Apply)" \
  headers_differ before edited

# Ctrl+Z: the edit goes, as a drop would
xdotool key --clearmodifiers ctrl+z
sleep 1
shoot undone
crop undone "$CPU_ROW" row-undone
check "after Ctrl+Z the headers are as before the edit" headers_same before undone
check "after Ctrl+Z the CPU Model row no longer shows the edit" not_same row-edited row-undone
check "after Ctrl+Z Apply opens no dialog: nothing is pending" no_dialog

# Ctrl+Shift+Z: it is back
xdotool key --clearmodifiers ctrl+shift+z
sleep 1
shoot redone
crop redone "$CPU_ROW" row-redone
check "after Ctrl+Shift+Z the headers say it is pending again" headers_same edited redone
check "after Ctrl+Shift+Z the CPU Model row shows the edit again" same row-edited row-redone

# A drop after the edit: one history, the drop undone first
wait_geometry 100 web1 1 32
drag_chip web1 1 7
wait_for 50 chip_on_cpu web1 1 7 50 || fail "web1's vCPU 1 is not drawn on CPU 7 after the drop"
shoot dropped
xdotool key --clearmodifiers ctrl+z
check "Ctrl+Z after the drop takes the drop back" wait_for 50 chip_on_cpu web1 1 32 50
shoot drop-undone
crop drop-undone "$CPU_ROW" row-drop-undone
check "... and leaves the CPU model edit pending" same row-edited row-drop-undone
check "... and the headers as with the edit alone" headers_same edited drop-undone

# Closing with the CPU model edit pending asks: a snapshot file cannot keep
# it, so "Apply Changes?"; Escape (Cancel) keeps the window and the edit
apply_prompt () { find_window '^Apply Changes\?$' >/dev/null; }
no_prompt () { ! find_window '^(Apply|Save) Changes\?$' >/dev/null; }
xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+w
check "Ctrl+W with the CPU model edit pending asks “Apply Changes?”" wait_for 50 apply_prompt
screenshot close-prompt
xdotool key --clearmodifiers Escape
sleep 1
check "Escape (Cancel) closed the prompt" no_prompt
kill -0 "$app_pid" 2>/dev/null || fail "Cancel in the close prompt did not keep kvmtune"

# Applied to the config (the running VM cannot change its CPU) and saved
open_apply || fail "after Ctrl+Shift+Z, Apply opened no dialog"
sleep 1
screenshot dialog
xdotool mousemove --window "$win" 590 382 click 1
sleep 1
xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+s
saved ()
{
  [ "$(xpath "//vm[@name='web1']/inactive/domain/cpu/@mode")" = host-model ]
}
check "the redone edit is applied and saved: web1's config has host-model" wait_for 100 saved
screenshot saved

[ "$status" = 0 ] || fail "a panel edit is not undone and redone as a session step"
echo "PASS"
exit 0
