#!/bin/bash
# test-drag.sh: drag a vCPU chip on the map, under Xvfb with xdotool
#
# Opens a copy of the demo host, drags web1's vCPU 0 onto CPU 17 (NUMA
# node 2), saves with Ctrl+S and checks with xmllint that the saved
# snapshot pins web1's vCPU 0 to CPU 17 in both its live and inactive
# definitions, and that nothing else moved.  The canvas tells where the
# chips are through KVMTUNE_TEST_GEOMETRY.  A screenshot after the drop
# goes to LOG_DIR/test-drag-drop.png.
#
# Usage: test-drag.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool or xmllint)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-drag.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
demo=${2:?usage: test-drag.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
logdir=${3:-.}

for tool in Xvfb xdotool xmllint; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not found"
    exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
xvfb_pid=
app_pid=

cleanup ()
{
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  [ -n "$app_pid" ] && wait "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && wait "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail ()
{
  echo "FAIL: $*"
  if [ -s "$tmp/app.log" ]; then
    echo "--- kvmtune's output:"
    cat "$tmp/app.log"
  fi
  if [ -n "${DISPLAY:-}" ] && command -v import >/dev/null; then
    import -window root "$logdir/test-drag-failure.png" 2>/dev/null \
      && echo "screenshot: $logdir/test-drag-failure.png"
  fi
  exit 1
}

# Waits up to $1 tenths of a second for the command after it to succeed
wait_for ()
{
  local tries=$1
  shift
  while ! "$@" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -le 0 ] && return 1
    sleep 0.1
  done
}

xpath ()
{
  xmllint --xpath "string($1)" "$tmp/host.kvmtune"
}

vcpupin ()   # VM live|inactive VCPU
{
  xpath "//vm[@name='$1']/$2/domain/cputune/vcpupin[@vcpu='$3']/@cpuset"
}

# A free display, picked by Xvfb itself --------------------------------

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"
before_web1_1=$(vcpupin web1 inactive 1)
before_db_0=$(vcpupin db-primary live 0)

exec 3>"$tmp/display"
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 3>&-
wait_for 100 test -s "$tmp/display" || { cat "$tmp/xvfb.log"; fail "Xvfb did not start"; }
export DISPLAY=":$(head -n1 "$tmp/display")"
echo "# Xvfb on $DISPLAY"

# The app --------------------------------------------------------------

mkdir -m 700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache"
export GDK_BACKEND=x11
export GSK_RENDERER=cairo
export GTK_A11Y=none
export NO_AT_BRIDGE=1
export GSETTINGS_BACKEND=memory
export DBUS_SESSION_BUS_ADDRESS=disabled:
export KVMTUNE_TEST=1
export KVMTUNE_TEST_GEOMETRY="$tmp/geometry"

"$app" --snapshot "$tmp/host.kvmtune" >"$tmp/app.log" 2>&1 &
app_pid=$!

find_window ()
{
  local best= area=0 w WIDTH HEIGHT
  for w in $(xdotool search --onlyvisible --name '^KvmTune$' 2>/dev/null); do
    eval "$(xdotool getwindowgeometry --shell "$w" | grep -E '^(WIDTH|HEIGHT)=')"
    if [ $((WIDTH * HEIGHT)) -gt "$area" ]; then
      area=$((WIDTH * HEIGHT))
      best=$w
    fi
  done
  [ -n "$best" ] && echo "$best"
}

win=
for _ in $(seq 300); do
  kill -0 "$app_pid" 2>/dev/null || fail "kvmtune exited"
  win=$(find_window) && break
  sleep 0.1
done
[ -n "$win" ] || fail "no KvmTune window"

# No window manager: place and size the window ourselves
xdotool windowmove "$win" 0 0 windowsize "$win" 1600 1000
xdotool windowfocus --sync "$win" 2>/dev/null || true

# The geometry settles once the map is laid out at the new size
geometry_ready ()
{
  grep -q '^chip web1 0 ' "$tmp/geometry" && grep -q '^pu 17 ' "$tmp/geometry"
}
wait_for 150 geometry_ready || fail "the canvas wrote no geometry for web1's vCPU 0 and CPU 17"
last=
for _ in $(seq 50); do
  sleep 0.2
  now=$(cat "$tmp/geometry")
  [ "$now" = "$last" ] && break
  last=$now
done

read -r _ _ _ x0 y0 < <(grep '^chip web1 0 ' "$tmp/geometry")
read -r _ _ x1 y1 < <(grep '^pu 17 ' "$tmp/geometry")
echo "# dragging web1 vCPU 0 from $x0,$y0 to CPU 17 at $x1,$y1"

# The drag: press, move in steps (past the 4 px threshold), release ------

xdotool mousemove --window "$win" "$x0" "$y0"
sleep 0.2
xdotool mousedown 1
steps=12
for i in $(seq 1 $steps); do
  xdotool mousemove --window "$win" $((x0 + (x1 - x0) * i / steps)) $((y0 + (y1 - y0) * i / steps))
  sleep 0.05
done
sleep 0.3
xdotool mouseup 1

# The chip is redrawn on CPU 17
chip_moved ()
{
  local cx cy
  read -r _ _ _ cx cy < <(grep '^chip web1 0 ' "$tmp/geometry")
  read -r _ _ x1 y1 < <(grep '^pu 17 ' "$tmp/geometry")
  [ $((cx > x1 ? cx - x1 : x1 - cx)) -le 40 ] && [ $((cy > y1 ? cy - y1 : y1 - cy)) -le 40 ]
}
wait_for 50 chip_moved || fail "web1's vCPU 0 is not drawn on CPU 17 after the drop"

sleep 0.3
if command -v import >/dev/null; then
  import -window root "$logdir/test-drag-drop.png" && echo "# screenshot: $logdir/test-drag-drop.png"
fi

# Save, then check the file ----------------------------------------------

xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+s
saved ()
{
  [ "$(vcpupin web1 inactive 0)" = 17 ]
}
wait_for 100 saved || fail "after Ctrl+S, web1's inactive vcpupin 0 is '$(vcpupin web1 inactive 0)', not 17"

status=0
for def in live inactive; do
  got=$(vcpupin web1 $def 0)
  if [ "$got" = 17 ]; then
    echo "ok - web1 $def vcpupin 0 cpuset='17'"
  else
    echo "not ok - web1 $def vcpupin 0 cpuset='$got', expected 17"
    status=1
  fi
done
if [ "$(vcpupin web1 inactive 1)" = "$before_web1_1" ] && [ "$(vcpupin db-primary live 0)" = "$before_db_0" ]; then
  echo "ok - the other pins did not move"
else
  echo "not ok - other pins changed: web1 vCPU 1 '$(vcpupin web1 inactive 1)', db-primary vCPU 0 '$(vcpupin db-primary live 0)'"
  status=1
fi
[ "$status" = 0 ] || fail "the saved snapshot is wrong"
echo "PASS"
exit 0
