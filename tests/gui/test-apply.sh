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
# for a running persistent guest).  With "undo" as third argument it then
# clicks the toast's Undo (the session's undo-apply) and checks instead
# that CPU 1/TCG is back on CPU 1 and that the config pins vCPU 1 to 1.
# Then, in both modes, it drags vCPU 0 onto CPU 1 and closes the window
# (Ctrl+W): "Apply Changes?" asks, Apply (Return) opens the apply dialog,
# Return applies (CPU 0/TCG moves to CPU 1), the window closes and
# kvmtune exits by itself; the config pins vCPU 0 to CPU 1.
#
# The chips' and CPUs' positions come from KVMTUNE_TEST_GEOMETRY.
# Screenshots of the drop, the dialog and the result go to LOG_DIR
# (test-apply-*.png).  Everything is cleaned up however the test ends:
# kvmtune first, then the guest (virsh destroy and undefine), Xvfb, and
# the root.
#
# Usage: test-apply.sh KVMTUNE [LOG_DIR [undo]]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool or virsh; not
# root; no /usr/bin/qemu-system-x86_64; no libvirt-qemu user; fewer than
# 2 CPUs)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-apply.sh KVMTUNE [LOG_DIR [undo]]}
logdir=${2:-.}
mode=${3:-apply}
guest=kt-gui-apply
qemu=/usr/bin/qemu-system-x86_64

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool virsh
[ "$(id -u)" = 0 ] || skip "not root (the embedded QEMU driver runs QEMU as root here)"
[ -x "$qemu" ] || skip "no $qemu"
getent passwd libvirt-qemu >/dev/null || skip "no libvirt-qemu user (libvirt's QEMU driver wants it)"
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "fewer than 2 online CPUs"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-apply.XXXXXX")
root=$tmp/root
uri="qemu:///embed?root=$root"
shot=test-apply
[ "$mode" = undo ] && shot=test-apply-undo
defined=

export LIBVIRT_LOG_OUTPUTS="1:file:/dev/null"

virsh_embed ()
{
  virsh -q -c "$uri" "$@"
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
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail_details ()
{
  if [ -s "$root/log/qemu/$guest.log" ]; then
    echo "--- QEMU's log:"
    tail -n 20 "$root/log/qemu/$guest.log"
  fi
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

start_xvfb
start_app "$app" --connect "$uri"
wait_main_window
# The map shows the guest once the connection is read and laid out
wait_geometry 300 "$guest" 1 0

# The drag, and the chip redrawn on CPU 0 ----------------------------------

drag_chip "$guest" 1 0
wait_for 50 chip_on_cpu "$guest" 1 0 60 || fail "$guest's vCPU 1 is not drawn on CPU 0 after the drop"
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

want_cpu=0
if [ "$mode" = undo ]; then
  # The toast's Undo, centred under the map in the 1600x1000 window
  xdotool mousemove --window "$win" 930 947 click 1
  undone ()
  {
    [ "$(thread_allowed "CPU 1/TCG")" = 1 ]
  }
  wait_for 200 undone || fail "after the toast's Undo, CPU 1/TCG has Cpus_allowed_list" \
    "'$(thread_allowed "CPU 1/TCG")', not 1"
  echo "ok - the toast's Undo put CPU 1/TCG back on CPU 1"
  sleep 1
  screenshot undone
  kill -0 "$app_pid" 2>/dev/null || fail "kvmtune exited"
  want_cpu=1
fi

# Closing with a drop pending: "Apply Changes?"; Apply runs the apply
# dialog, then the window closes and kvmtune exits by itself (its
# connection closed in a worker thread) ------------------------------------

app_gone ()
{
  ! kill -0 "$app_pid" 2>/dev/null
}

wait_for 50 chip_on_cpu "$guest" 0 0 60 || fail "$guest's vCPU 0 is not drawn on CPU 0 after the apply"
drag_chip "$guest" 0 1
wait_for 50 chip_on_cpu "$guest" 0 1 60 || fail "$guest's vCPU 0 is not drawn on CPU 1 after the drop"
xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+w
prompt=
for _ in $(seq 50); do
  prompt=$(find_window '^Apply Changes\?$') && break
  sleep 0.1
done
[ -n "$prompt" ] || fail "Ctrl+W with a drop pending on the connection: no “Apply Changes?” prompt"
echo "ok - closing with a drop pending asks to apply it"
sleep 0.5
screenshot close-prompt
xdotool key --clearmodifiers Return
dialog=
for _ in $(seq 100); do
  dialog=$(find_window "^Apply to $guest\$") && break
  sleep 0.1
done
[ -n "$dialog" ] || fail "Apply in the close prompt opened no apply dialog"
eval "$(xdotool getwindowgeometry --shell "$dialog" | grep -E '^(WIDTH|HEIGHT)=')"
xdotool mousemove --window "$dialog" $((WIDTH / 2)) $((HEIGHT - 20))
xdotool windowfocus --sync "$dialog" 2>/dev/null || true
sleep 0.5
xdotool key --clearmodifiers Return
moved ()
{
  [ "$(thread_allowed "CPU 0/TCG")" = 1 ]
}
wait_for 200 moved || fail "after Apply from the close prompt, CPU 0/TCG has Cpus_allowed_list '$(thread_allowed "CPU 0/TCG")', not 1"
echo "ok - applied from the close prompt: CPU 0/TCG Cpus_allowed_list 1"
if wait_for 150 app_gone; then
  wait "$app_pid" 2>/dev/null
  app_pid=
  echo "ok - the window closed after the apply, and kvmtune exited"
else
  echo "not ok - kvmtune still runs after Apply from the close prompt"
  screenshot close-stuck
  status=1
fi

# The config: virsh can open the root once kvmtune is gone
stop_app
config=$(virsh_embed dumpxml --inactive "$guest" 2>&1)
if grep -Eq "<vcpupin vcpu=['\"]0['\"] cpuset=['\"]1['\"]/>" <<<"$config"; then
  echo "ok - the config pins vCPU 0 to CPU 1 (applied from the close prompt)"
else
  echo "not ok - the config does not pin vCPU 0 to CPU 1:"
  grep -A4 '<cputune>' <<<"$config"
  status=1
fi
if grep -Eq "<vcpupin vcpu=['\"]1['\"] cpuset=['\"]$want_cpu['\"]/>" <<<"$config"; then
  echo "ok - the config pins vCPU 1 to CPU $want_cpu"
else
  echo "not ok - the config does not pin vCPU 1 to CPU $want_cpu:"
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
