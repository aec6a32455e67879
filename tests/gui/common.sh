# shellcheck shell=bash
# common.sh: what the GUI tests share
#
# Sourced, relative to the script's own path:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/common.sh"
#
# The script sets, before it calls anything here:
#   tmp     its private temporary directory (its cleanup removes it)
#   logdir  where screenshots go
#   shot    the screenshots' prefix: LOG_DIR/$shot-NAME.png
# and may define fail_details, called by fail for more context.
#
# It gets: xvfb_pid and app_pid (empty when not running; its cleanup calls
# stop_app and stop_xvfb), DISPLAY once start_xvfb ran, win once
# wait_main_window ran, and ok/not_ok (status), key, click, dialog_id,
# wait_dialog and dialog_gone.  The canvas tells where the chips and CPUs are
# through KVMTUNE_TEST_GEOMETRY ($tmp/geometry): "chip VM VCPU X Y" and
# "pu CPU X Y" lines (centres, window coordinates), "zoom Z", "canvas W H"
# and "map W H" (pixels), "sel VM VCPU" per selected vCPU, "ring VM VCPU"
# while the keyboard focus ring shows, and "drop allowed|refused CPUS|-"
# while something is being moved over a target.
#
# SPDX-License-Identifier: GPL-3.0-or-later

xvfb_pid=
app_pid=
win=

skip ()
{
  echo "SKIP: $*"
  exit 77
}

# Skips unless every tool named is in PATH
need_tools ()
{
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || skip "$tool not found"
  done
}

stop_app ()
{
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null
    wait "$app_pid" 2>/dev/null
    app_pid=
  fi
}

stop_xvfb ()
{
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
    xvfb_pid=
  fi
}

screenshot ()   # NAME
{
  if [ -n "${DISPLAY:-}" ] && command -v import >/dev/null; then
    import -window root "$logdir/$shot-$1.png" 2>/dev/null \
      && echo "# screenshot: $logdir/$shot-$1.png"
  fi
}

fail ()
{
  echo "FAIL: $*"
  if [ -s "$tmp/app.log" ]; then
    echo "--- kvmtune's output:"
    cat "$tmp/app.log"
  fi
  if [ -n "$xvfb_pid" ] && ! kill -0 "$xvfb_pid" 2>/dev/null; then
    echo "--- Xvfb ($xvfb_pid) is gone; its output:"
    cat "$tmp/xvfb.log" 2>/dev/null
  fi
  if [ "$(type -t fail_details)" = function ]; then
    fail_details
  fi
  screenshot failure
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

# Xvfb on a free display, picked by Xvfb itself; exports DISPLAY
start_xvfb ()
{
  exec 3>"$tmp/display"
  # -noreset: without it the server resets when its last client leaves,
  # and a window started right after another one closed can find no display
  Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset >"$tmp/xvfb.log" 2>&1 &
  xvfb_pid=$!
  exec 3>&-
  wait_for 100 test -s "$tmp/display" || { cat "$tmp/xvfb.log"; fail "Xvfb did not start"; }
  export DISPLAY=":$(head -n1 "$tmp/display")"
  echo "# Xvfb on $DISPLAY"
}

# Starts the app with the arguments given, in a private, quiet session,
# its output in $tmp/app.log; sets app_pid
start_app ()
{
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

  "$@" >"$tmp/app.log" 2>&1 &
  app_pid=$!
}

# TAP-style results: not_ok marks the script failed (status), and the
# script ends with `[ "$status" = 0 ] || fail …`
status=0
ok ()
{
  echo "ok - $*"
}
not_ok ()
{
  echo "not ok - $*"
  status=1
}

key ()   # KEYS: typed into the window with the focus
{
  xdotool key --clearmodifiers "$@"
}

click ()   # X Y in the main window
{
  xdotool mousemove --window "$win" "$1" "$2" click 1
}

# The visible window called $1 (a dialog: one of that name).  Not
# find_window: a window closing between its search and its
# getwindowgeometry has no size
dialog_id ()
{
  local d
  d=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n1)
  [ -n "$d" ] && echo "$d"
}

wait_dialog ()   # TITLE: waits for the window called that, and echoes its id
{
  local d=
  for _ in $(seq 100); do
    d=$(dialog_id "$1") && break
    sleep 0.1
  done
  [ -n "$d" ] && echo "$d"
}

dialog_gone ()   # TITLE
{
  ! dialog_id "$1" >/dev/null
}

find_window ()   # the largest visible window called $1
{
  local best= area=0 w WIDTH HEIGHT
  for w in $(xdotool search --onlyvisible --name "$1" 2>/dev/null); do
    WIDTH=0 HEIGHT=0
    eval "$(xdotool getwindowgeometry --shell "$w" | grep -E '^(WIDTH|HEIGHT)=')"
    if [ $((WIDTH * HEIGHT)) -gt "$area" ]; then
      area=$((WIDTH * HEIGHT))
      best=$w
    fi
  done
  [ -n "$best" ] && echo "$best"
}

# Waits for the KvmTune window (failing if the app exits), sets win, and
# places and sizes it (1600×1000, or WIDTH HEIGHT): there is no window manager
wait_main_window ()   # [WIDTH HEIGHT]
{
  win=
  for _ in $(seq 300); do
    kill -0 "$app_pid" 2>/dev/null || fail "kvmtune exited"
    win=$(find_window '^KvmTune$') && break
    sleep 0.1
  done
  [ -n "$win" ] || fail "no KvmTune window"

  xdotool windowmove "$win" 0 0 windowsize "$win" "${1:-1600}" "${2:-1000}"
  xdotool windowfocus --sync "$win" 2>/dev/null || true
}

geometry_has ()   # VM VCPU CPU: the canvas wrote that chip and that CPU
{
  grep -q "^chip $1 $2 " "$tmp/geometry" && grep -q "^pu $3 " "$tmp/geometry"
}

# Waits up to $1 tenths of a second for VM $2's vCPU $3 and CPU $4 in the
# geometry, then for the geometry to settle (the map laid out at its size)
wait_geometry ()
{
  local last= now
  wait_for "$1" geometry_has "$2" "$3" "$4" \
    || fail "the canvas wrote no geometry for $2's vCPU $3 and CPU $4"
  for _ in $(seq 50); do
    sleep 0.2
    now=$(cat "$tmp/geometry")
    [ "$now" = "$last" ] && break
    last=$now
  done
}

# Drags VM $1's vCPU $2 chip onto CPU $3 in win: press, move in steps
# (past the 4 px threshold), release
drag_chip ()
{
  local x0 y0 x1 y1 i steps=12
  read -r _ _ _ x0 y0 < <(grep "^chip $1 $2 " "$tmp/geometry")
  read -r _ _ x1 y1 < <(grep "^pu $3 " "$tmp/geometry")
  echo "# dragging $1 vCPU $2 from $x0,$y0 to CPU $3 at $x1,$y1"

  xdotool mousemove --window "$win" "$x0" "$y0"
  sleep 0.2
  xdotool mousedown 1
  for i in $(seq 1 $steps); do
    xdotool mousemove --window "$win" $((x0 + (x1 - x0) * i / steps)) $((y0 + (y1 - y0) * i / steps))
    sleep 0.05
  done
  sleep 0.3
  xdotool mouseup 1
}

# Presses at the centre of VM $1's vCPU $2 chip, moves to CPU $3 in steps
# and stays there, the button held (finish with mouseup 1)
drag_chip_hold ()
{
  local x0 y0 x1 y1 i steps=12
  read -r _ _ _ x0 y0 < <(grep "^chip $1 $2 " "$tmp/geometry")
  read -r _ _ x1 y1 < <(grep "^pu $3 " "$tmp/geometry")
  xdotool mousemove --window "$win" "$x0" "$y0"
  sleep 0.2
  xdotool mousedown 1
  for i in $(seq 1 $steps); do
    xdotool mousemove --window "$win" $((x0 + (x1 - x0) * i / steps)) $((y0 + (y1 - y0) * i / steps))
    sleep 0.05
  done
  sleep 0.3
}

chip_xy ()   # VM VCPU: "X Y" of the chip
{
  grep "^chip $1 $2 " "$tmp/geometry" | cut -d' ' -f4,5
}

chip_on_cpu ()   # VM VCPU CPU PIXELS: the chip is drawn within PIXELS of the CPU
{
  local cx cy px py
  read -r _ _ _ cx cy < <(grep "^chip $1 $2 " "$tmp/geometry")
  read -r _ _ px py < <(grep "^pu $3 " "$tmp/geometry")
  [ $((cx > px ? cx - px : px - cx)) -le "$4" ] && [ $((cy > py ? cy - py : py - cy)) -le "$4" ]
}
