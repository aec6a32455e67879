#!/bin/bash
# test-apply.sh: drag a vCPU on the map and apply it to a real guest
#
# Makes a private libvirt embed root (qemu:///embed?root=DIR), defines and
# starts a 2-vCPU, 64 MiB TCG guest in it with virsh (vCPU 0 pinned to
# CPU 0, vCPU 1 to CPU 1), quits virsh (an embed root is held by one
# process at a time), and starts kvmtune --connect on it under Xvfb.
# There it drags the guest's vCPU 1 chip onto CPU 0, opens the apply
# dialog with Ctrl+Return (the window's win.apply: the selected VM, else
# the first one with pending changes), confirms with Return (the dialog's
# Apply button starts with the focus), and waits for QEMU's "CPU 1/TCG"
# thread to have Cpus_allowed_list 0.  Once kvmtune is gone it checks with
# virsh that the config pins vCPU 1 to CPU 0 too ("Both" is the default
# for a running persistent guest).
#
# The chips' and CPUs' positions come from KVMTUNE_TEST_GEOMETRY.
# Screenshots of the drop, the dialog and the result go to LOG_DIR
# (test-apply-*.png).  Everything is cleaned up however the test ends:
# kvmtune first, then the guest (virsh destroy and undefine), Xvfb, and
# the root.
#
# Usage: test-apply.sh KVMTUNE [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool or virsh; not
# root; no /usr/bin/qemu-system-x86_64; no libvirt-qemu user; fewer than
# 2 CPUs)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-apply.sh KVMTUNE [LOG_DIR]}
logdir=${2:-.}
guest=kt-gui-apply
qemu=/usr/bin/qemu-system-x86_64

skip ()
{
  echo "SKIP: $*"
  exit 77
}

for tool in Xvfb xdotool virsh; do
  command -v "$tool" >/dev/null || skip "$tool not found"
done
[ "$(id -u)" = 0 ] || skip "not root (the embedded QEMU driver runs QEMU as root here)"
[ -x "$qemu" ] || skip "no $qemu"
getent passwd libvirt-qemu >/dev/null || skip "no libvirt-qemu user (libvirt's QEMU driver wants it)"
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "fewer than 2 online CPUs"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-apply.XXXXXX")
root=$tmp/root
uri="qemu:///embed?root=$root"
xvfb_pid=
app_pid=
defined=

export LIBVIRT_LOG_OUTPUTS="1:file:/dev/null"

virsh_embed ()
{
  virsh -q -c "$uri" "$@"
}

stop_app ()
{
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null
    wait "$app_pid" 2>/dev/null
    app_pid=
  fi
}

cleanup ()
{
  # kvmtune holds the root: virsh can only open it once kvmtune is gone
  stop_app
  if [ -n "$defined" ]; then
    virsh_embed destroy "$guest" >/dev/null 2>&1
    virsh_embed undefine "$guest" >/dev/null 2>&1
    # A QEMU left over (virsh failed): it is ours, its command line names the root
    for pid in $(pgrep -f -- "guest=$guest" 2>/dev/null); do
      grep -qF -- "$root" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    done
  fi
  if [ -n "$xvfb_pid" ]; then
    kill "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

screenshot ()
{
  if [ -n "${DISPLAY:-}" ] && command -v import >/dev/null; then
    import -window root "$logdir/test-apply-$1.png" 2>/dev/null \
      && echo "# screenshot: $logdir/test-apply-$1.png"
  fi
}

fail ()
{
  echo "FAIL: $*"
  if [ -s "$tmp/app.log" ]; then
    echo "--- kvmtune's output:"
    cat "$tmp/app.log"
  fi
  if [ -s "$root/log/qemu/$guest.log" ]; then
    echo "--- QEMU's log:"
    tail -n 20 "$root/log/qemu/$guest.log"
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

mkdir -p "$logdir"

# The guest ---------------------------------------------------------------

mkdir -p "$root/etc"
# root: QEMU must read the root; file: there is no virtlogd
cat >"$root/etc/qemu.conf" <<EOF
user = "root"
group = "root"
stdio_handler = "file"
EOF
cat >"$tmp/$guest.xml" <<EOF
<domain type='qemu'>
  <name>$guest</name>
  <memory unit='MiB'>64</memory>
  <vcpu placement='static'>2</vcpu>
  <cputune>
    <vcpupin vcpu='0' cpuset='0'/>
    <vcpupin vcpu='1' cpuset='1'/>
  </cputune>
  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>
  <devices><emulator>$qemu</emulator></devices>
</domain>
EOF

defined=1
virsh_embed define "$tmp/$guest.xml" >"$tmp/virsh.log" 2>&1 || { cat "$tmp/virsh.log"; fail "virsh define"; }
virsh_embed start "$guest" >>"$tmp/virsh.log" 2>&1 || { cat "$tmp/virsh.log"; fail "virsh start"; }
qemu_pid=$(cat "$root/run/qemu/$guest.pid" 2>/dev/null)
[ -n "$qemu_pid" ] && kill -0 "$qemu_pid" || fail "no QEMU for $guest"
echo "# $guest runs as pid $qemu_pid under $root"

# Cpus_allowed_list of the guest's thread called $1
thread_allowed ()
{
  local t
  for t in /proc/"$qemu_pid"/task/*; do
    if [ "$(cat "$t/comm" 2>/dev/null)" = "$1" ]; then
      sed -n 's/^Cpus_allowed_list:\t//p' "$t/status"
      return
    fi
  done
}
before=$(thread_allowed "CPU 1/TCG")
[ "$before" = 1 ] || fail "CPU 1/TCG starts on '$before', not 1"

# The display and the app -------------------------------------------------

exec 3>"$tmp/display"
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
exec 3>&-
wait_for 100 test -s "$tmp/display" || { cat "$tmp/xvfb.log"; fail "Xvfb did not start"; }
export DISPLAY=":$(head -n1 "$tmp/display")"
echo "# Xvfb on $DISPLAY"

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

"$app" --connect "$uri" >"$tmp/app.log" 2>&1 &
app_pid=$!

find_window ()   # the largest visible window called $1
{
  local best= area=0 w WIDTH HEIGHT
  for w in $(xdotool search --onlyvisible --name "$1" 2>/dev/null); do
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
  win=$(find_window '^KvmTune$') && break
  sleep 0.1
done
[ -n "$win" ] || fail "no KvmTune window"

# No window manager: place and size the window ourselves
xdotool windowmove "$win" 0 0 windowsize "$win" 1600 1000
xdotool windowfocus --sync "$win" 2>/dev/null || true

# The map shows the guest once the connection is read and laid out
geometry_ready ()
{
  grep -q "^chip $guest 1 " "$tmp/geometry" && grep -q '^pu 0 ' "$tmp/geometry"
}
wait_for 300 geometry_ready || fail "the canvas wrote no geometry for $guest's vCPU 1 and CPU 0"
last=
for _ in $(seq 50); do
  sleep 0.2
  now=$(cat "$tmp/geometry")
  [ "$now" = "$last" ] && break
  last=$now
done

read -r _ _ _ x0 y0 < <(grep "^chip $guest 1 " "$tmp/geometry")
read -r _ _ x1 y1 < <(grep '^pu 0 ' "$tmp/geometry")
echo "# dragging $guest vCPU 1 from $x0,$y0 to CPU 0 at $x1,$y1"

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

chip_moved ()
{
  local cx cy
  read -r _ _ _ cx cy < <(grep "^chip $guest 1 " "$tmp/geometry")
  read -r _ _ x1 y1 < <(grep '^pu 0 ' "$tmp/geometry")
  [ $((cx > x1 ? cx - x1 : x1 - cx)) -le 60 ] && [ $((cy > y1 ? cy - y1 : y1 - cy)) -le 60 ]
}
wait_for 50 chip_moved || fail "$guest's vCPU 1 is not drawn on CPU 0 after the drop"
sleep 0.3
screenshot drop

# Apply: Ctrl+Return opens the dialog, Return confirms ------------------

xdotool key --clearmodifiers ctrl+Return
dialog=
for _ in $(seq 100); do
  dialog=$(find_window "^Apply to $guest\$") && break
  sleep 0.1
done
[ -n "$dialog" ] || fail "Ctrl+Return opened no apply dialog"
# Keys go where the pointer is when there is no window manager
eval "$(xdotool getwindowgeometry --shell "$dialog" | grep -E '^(WIDTH|HEIGHT)=')"
xdotool mousemove --window "$dialog" $((WIDTH / 2)) $((HEIGHT - 20))
xdotool windowfocus --sync "$dialog" 2>/dev/null || true
sleep 0.5
screenshot dialog
xdotool key --clearmodifiers Return

applied ()
{
  [ "$(thread_allowed "CPU 1/TCG")" = 0 ]
}
wait_for 200 applied || fail "after Apply, CPU 1/TCG has Cpus_allowed_list '$(thread_allowed "CPU 1/TCG")', not 0"
echo "ok - CPU 1/TCG Cpus_allowed_list: 0"
status=0
got=$(thread_allowed "CPU 0/TCG")
if [ "$got" = 0 ]; then
  echo "ok - CPU 0/TCG did not move"
else
  echo "not ok - CPU 0/TCG has Cpus_allowed_list '$got', not 0"
  status=1
fi

# The toast and the reloaded map
sleep 1
screenshot applied
kill -0 "$app_pid" 2>/dev/null || fail "kvmtune exited"

# The config: virsh can open the root once kvmtune is gone
stop_app
config=$(virsh_embed dumpxml --inactive "$guest" 2>&1)
if grep -Eq "<vcpupin vcpu=['\"]1['\"] cpuset=['\"]0['\"]/>" <<<"$config"; then
  echo "ok - the config pins vCPU 1 to CPU 0"
else
  echo "not ok - the config does not pin vCPU 1 to CPU 0:"
  grep -A4 '<cputune>' <<<"$config"
  status=1
fi
if grep -q -i "critical" "$tmp/app.log"; then
  echo "not ok - kvmtune logged criticals:"
  cat "$tmp/app.log"
  status=1
fi
[ "$status" = 0 ] || fail "see above"
echo "PASS"
exit 0
