#!/bin/bash
# test-map.sh: the map at the default window size, under Xvfb with xdotool
#
# On a copy of the demo host in a 1200×800 window:
#  - selecting a VM (a click on its chip) does not resize or move the map,
#    which fills its area at a zoom of 100 % or more, so a Ctrl+click
#    aimed from the first layout lands on the chip aimed at;
#  - web1's four vCPUs dragged onto CPU 13 light up 12-13,44-45 before the
#    release, and land one per pCPU, guest SMT pairs on host siblings;
#    the pending bar that appears does not move the map;
#  - the same four onto CPU 7 (node 0 has 2 free CPUs) are refused before
#    the release and stay where they are;
#  - with web1 selected, a rubber band over node 1 selects only web1's vCPUs;
#  - the map is one Tab stop: arrows move the focus ring between chips,
#    one Tab leaves the map, Shift+Tab comes back to the same chip, and a
#    click leaves no ring;
#  - moved from the keyboard, the four show the same spread, and a core
#    (2 CPUs) is refused for them; Page Up and Page Down go from node to
#    node; Home, End and Shift+Down move the ring, Escape clears the
#    selection.
# The canvas tells where everything is through KVMTUNE_TEST_GEOMETRY.
# Screenshots go to LOG_DIR/test-map-*.png.
#
# Usage: test-map.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb or xdotool)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-map.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
demo=${2:?usage: test-map.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
logdir=${3:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-map

cleanup ()
{
  stop_app
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail_details ()
{
  echo "--- the last geometry:"
  grep -v '^pu ' "$tmp/geometry"
}

geom_has ()   # LINE: the geometry has that exact line
{
  grep -qxF "$1" "$tmp/geometry"
}

geom_lacks ()   # PREFIX: no line of the geometry starts with it
{
  ! grep -q "^$1" "$tmp/geometry"
}

# Waits for the geometry to stop changing
settle ()
{
  local last= now
  for _ in $(seq 30); do
    sleep 0.2
    now=$(cat "$tmp/geometry")
    [ "$now" = "$last" ] && break
    last=$now
  done
}

layout_of ()   # FILE: the canvas size and where the CPUs are
{
  grep -E '^(canvas|map|zoom|pu) ' "$1"
}

click_at ()   # X Y [KEYS]: a click, with modifiers held
{
  xdotool mousemove --window "$win" "$1" "$2"
  sleep 0.1
  if [ -n "${3:-}" ]; then
    xdotool keydown "$3" click 1 keyup "$3"
  else
    xdotool click 1
  fi
}

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"

start_xvfb
start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window 1200 800
wait_geometry 150 web1 0 13
cp "$tmp/geometry" "$tmp/g0"

# Selecting a VM leaves the map where it is --------------------------------

read -r x y <<<"$(chip_xy web1 0)"
click_at "$x" "$y"
wait_for 100 geom_has "sel web1 0" || fail "a click on web1's vCPU 0 did not select it"
settle
cp "$tmp/geometry" "$tmp/g1"
screenshot selected
if ! diff <(layout_of "$tmp/g0") <(layout_of "$tmp/g1") >"$tmp/diff"; then
  cat "$tmp/diff"
  fail "selecting web1 resized or moved the map"
fi
ok "selecting a VM does not move the map"

read -r _ cw ch < <(grep '^canvas ' "$tmp/g1")
read -r _ mw mh < <(grep '^map ' "$tmp/g1")
read -r _ zoom < <(grep '^zoom ' "$tmp/g1")
echo "# canvas ${cw}x${ch}, map ${mw}x${mh}, zoom $zoom"
[ "$mw" -ge 480 ] || fail "the map is $mw px wide with the panel open, under 480"
# Filled: the map reaches the canvas's edges (16 px margins) one way or the other
[ $((cw - mw)) -le 40 ] || [ $((ch - mh)) -le 40 ] \
  || fail "the map (${mw}x${mh}) does not fill the canvas (${cw}x${ch})"
awk -v z="$zoom" 'BEGIN { exit !(z >= 1.0) }' || fail "zoom $zoom: labels would be too small"
ok "the map fills ${mw}x${mh} of ${cw}x${ch} at zoom $zoom"

# Ctrl+click the other three where they were before the first click
for v in 1 2 3; do
  read -r x y < <(grep "^chip web1 $v " "$tmp/g0" | cut -d' ' -f4,5)
  click_at "$x" "$y" ctrl
done
wait_for 80 geom_has "sel web1 3" || fail "Ctrl+click did not add web1's vCPU 3"
for v in 0 1 2 3; do
  geom_has "sel web1 $v" || fail "web1's vCPU $v is not selected after the Ctrl+clicks"
done
[ "$(grep -c '^sel ' "$tmp/geometry")" = 4 ] || fail "more than web1's four vCPUs are selected"
ok "Ctrl+clicks aimed from the first layout selected web1's vCPUs 0-3"

# Four vCPUs onto one pCPU: spread, shown before the release ----------------

drag_chip_hold web1 0 13
wait_for 80 geom_has "drop allowed 12-13,44-45" \
  || { xdotool mouseup 1; fail "the drop on CPU 13 does not highlight 12-13,44-45"; }
screenshot spread
xdotool mouseup 1
ok "the drop highlight shows the four target CPUs"
spread_done ()
{
  chip_on_cpu web1 0 13 12 && chip_on_cpu web1 1 45 12 \
    && chip_on_cpu web1 2 12 12 && chip_on_cpu web1 3 44 12
}
wait_for 100 spread_done || fail "web1's vCPUs 0-3 are not on CPUs 13, 45, 12, 44 after the drop"
ok "web1's vCPUs 0-3 went to 13,45 (one host core) and 12,44 (another)"
settle
cp "$tmp/geometry" "$tmp/g2"
if ! diff <(layout_of "$tmp/g1") <(layout_of "$tmp/g2") >"$tmp/diff"; then
  cat "$tmp/diff"
  fail "the first change's bar moved the map"
fi
ok "the pending bar did not move the map"

# Not enough free CPUs: refused before the release, nothing moves ----------

drag_chip_hold web1 0 7
wait_for 80 geom_has "drop refused -" \
  || { xdotool mouseup 1; fail "the drop of four vCPUs on CPU 7 (node 0, 2 free) is not refused"; }
screenshot refused
xdotool mouseup 1
sleep 0.5
spread_done || fail "a refused drop moved web1's vCPUs"
ok "four vCPUs onto node 0's two free CPUs are refused"

# The rubber band with a VM selected ---------------------------------------

read -r x y <<<"$(chip_xy web1 0)"
click_at "$x" "$y"
wait_for 80 geom_has "sel web1 0" || fail "a click did not select web1's vCPU 0"
read -r _ _ x0 y0 < <(grep '^pu 8 ' "$tmp/geometry")
read -r _ _ x1 y1 < <(grep '^pu 47 ' "$tmp/geometry")
x0=$((x0 - 30)) y0=$((y0 - 22)) x1=$((x1 + 30)) y1=$((y1 + 22))
xdotool mousemove --window "$win" "$x0" "$y0"
sleep 0.1
xdotool mousedown 1
for i in $(seq 1 10); do
  xdotool mousemove --window "$win" $((x0 + (x1 - x0) * i / 10)) $((y0 + (y1 - y0) * i / 10))
  sleep 0.05
done
xdotool mouseup 1
wait_for 80 geom_has "sel web1 3" || fail "the band over node 1 did not select web1's vCPUs"
settle
geom_lacks "sel db-primary" || fail "with web1 selected, the band selected db-primary's vCPUs too"
[ "$(grep -c '^sel ' "$tmp/geometry")" = 4 ] || fail "the band did not select exactly web1's four vCPUs"
ok "with web1 selected, the band selects only web1's vCPUs"

# The keyboard: one Tab stop, arrows inside, no ring after a click ---------

geom_lacks "ring " || fail "a focus ring is drawn after mouse clicks"
xdotool key --clearmodifiers Right
wait_for 80 grep -q '^ring ' "$tmp/geometry" || fail "Right in the map shows no focus ring"
ring=$(grep '^ring ' "$tmp/geometry")
xdotool key --clearmodifiers Right
wait_for 80 bash -c "grep '^ring ' '$tmp/geometry' | grep -qvxF '$ring'" \
  || fail "Right did not move the focus ring"
ring=$(grep '^ring ' "$tmp/geometry")
xdotool key --clearmodifiers Tab
wait_for 80 geom_lacks "ring " || fail "one Tab did not leave the map ($(grep '^ring ' "$tmp/geometry"))"
xdotool key --clearmodifiers shift+Tab
wait_for 80 geom_has "$ring" || fail "Shift+Tab did not come back to the same chip ($ring)"
ok "the map is one Tab stop; the arrows move the ring; it comes back where it was"

# The keyboard route: back on web1's vCPU 0, Return moves the four selected;
# the target starts as their spread from CPU 13, and a core (2 CPUs) is
# refused for four
xdotool key --clearmodifiers Left Left
wait_for 80 geom_has "ring web1 0" || fail "Left Left did not come back to web1's vCPU 0"
xdotool key --clearmodifiers Return
wait_for 80 geom_has "drop allowed 12-13,44-45" \
  || fail "Return on web1's vCPU 0 does not target the four selected vCPUs' spread"
xdotool key --clearmodifiers shift+Up
wait_for 80 geom_has "drop refused -" || fail "four vCPUs onto one core (2 CPUs) are not refused"
screenshot keyboard-refused
# Page Up and Page Down move the target to another node's first PU: node
# 1's CPU 8 takes the four (spread onto 12-13,44-45), node 0's CPU 0 has
# too few free CPUs, node 2's CPU 16 too few free cores for web1's pairs
xdotool key --clearmodifiers Page_Down
sleep 0.3
geom_has "drop refused -" || fail "Page Down to node 2 is not refused for four"
xdotool key --clearmodifiers Page_Up
wait_for 80 geom_has "drop allowed 12-13,44-45" \
  || fail "Page Up did not target node 1's first CPU ($(grep '^drop ' "$tmp/geometry"))"
xdotool key --clearmodifiers Page_Up
wait_for 80 geom_has "drop refused -" || fail "Page Up did not reach node 0, refused for four"
xdotool key --clearmodifiers Page_Down
wait_for 80 geom_has "drop allowed 12-13,44-45" || fail "Page Down did not come back to node 1"
xdotool key --clearmodifiers Escape
wait_for 80 geom_lacks "drop " || fail "Escape did not cancel the keyboard move"
spread_done || fail "the cancelled keyboard move moved web1's vCPUs"
ok "the keyboard move shows the spread, refuses a core too small, and Escape cancels"

# Outside a move: End and Home go to the last and first chip, Left stays on
# the first, Shift+Down steps on like Down; Escape clears the selection
xdotool key --clearmodifiers End
wait_for 80 grep -q '^ring ' "$tmp/geometry" || fail "End shows no focus ring"
settle
end_ring=$(grep '^ring ' "$tmp/geometry")
xdotool key --clearmodifiers Home
wait_for 80 bash -c "grep '^ring ' '$tmp/geometry' | grep -qvxF '$end_ring'" \
  || fail "Home did not move the ring off the last chip ($end_ring)"
settle
home_ring=$(grep '^ring ' "$tmp/geometry")
xdotool key --clearmodifiers Left
settle
geom_has "$home_ring" || fail "Left on the first chip moved the ring ($home_ring)"
xdotool key --clearmodifiers shift+Down
wait_for 80 bash -c "grep '^ring ' '$tmp/geometry' | grep -qvxF '$home_ring'" \
  || fail "Shift+Down outside a move did not move the ring"
geom_has "sel web1 0" || fail "web1's vCPUs are no longer selected before Escape"
xdotool key --clearmodifiers Escape
wait_for 80 geom_lacks "sel " || fail "Escape did not clear the selection"
ok "Home, End, Left and Shift+Down move the ring; Escape clears the selection"
read -r x y <<<"$(chip_xy db-primary 0)"
click_at "$x" "$y"
wait_for 80 geom_has "sel db-primary 0" || fail "a click did not select db-primary's vCPU 0"
settle
geom_lacks "ring " || fail "a click left a focus ring behind"
ok "a click leaves no focus ring"
screenshot end

echo "PASS"
exit 0
