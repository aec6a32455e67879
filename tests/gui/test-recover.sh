#!/bin/bash
# test-recover.sh: the window finishes an apply that was cut short
#
#   test-recover.sh KVMTUNE KVMTUNE-CLI [LOG_DIR]
#
# A TCG guest in a private libvirt embed root, its vCPUs 0 and 1 on CPU 0.
# kvmtune-cli pins both to CPU 1 and is SIGKILLed after the first step
# (KT_TEST_APPLY_PAUSE_AFTER=1): vCPU 0 moved, vCPU 1 did not, and the
# journal says so.  The window, opened on the same URI, asks "Finish the
# Interrupted Apply?"; Return (Finish, the default) makes the missing step:
# QEMU's "CPU 1/TCG" thread ends up on CPU 1 and the journal is gone.
# Screenshots of the question and of the answer land in LOG_DIR.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-recover.sh KVMTUNE KVMTUNE-CLI [LOG_DIR]}
cli=${2:?usage: test-recover.sh KVMTUNE KVMTUNE-CLI [LOG_DIR]}
logdir=${3:-.}
guest=kt-gui-recover
qemu=/usr/bin/qemu-system-x86_64

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool virsh
[ "$(id -u)" = 0 ] || skip "not root (the embedded QEMU driver runs QEMU as root here)"
[ -x "$qemu" ] || skip "no $qemu"
getent passwd libvirt-qemu >/dev/null || skip "no libvirt-qemu user (libvirt's QEMU driver wants it)"
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "fewer than 2 online CPUs"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-recover.XXXXXX")
root=$tmp/root
uri="qemu:///embed?root=$root"
shot=test-recover
defined=
cli_pid=
export LIBVIRT_LOG_OUTPUTS="1:file:/dev/null"
export XDG_STATE_HOME="$tmp/state"

virsh_embed ()
{
  virsh -q -c "$uri" "$@"
}

cleanup ()
{
  [ -n "$cli_pid" ] && kill -9 "$cli_pid" 2>/dev/null
  stop_app
  if [ -n "$defined" ]; then
    virsh_embed destroy "$guest" >/dev/null 2>&1
    virsh_embed undefine "$guest" >/dev/null 2>&1
    for pid in $(pgrep -f -- "guest=$guest" 2>/dev/null); do
      grep -qF -- "$root" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    done
  fi
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$logdir" "$root/etc"
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
    <vcpupin vcpu='1' cpuset='0'/>
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

# The apply, cut short after its first step
KT_TEST_APPLY_PAUSE_AFTER=1 KT_TEST_APPLY_PAUSE_MARKER="$tmp/marker" \
  "$cli" --connect "$uri" pin "$guest" 0-1 1 --live >"$tmp/cli.log" 2>&1 &
cli_pid=$!
wait_for 300 test -e "$tmp/marker" || { cat "$tmp/cli.log"; fail "kvmtune-cli did not pause"; }
kill -9 "$cli_pid"; wait "$cli_pid" 2>/dev/null; cli_pid=
journal=$(ls "$tmp"/state/kvmtune/journal/*.json 2>/dev/null)
[ -n "$journal" ] || fail "no journal after the interrupted apply"
[ "$(thread_allowed "CPU 0/TCG")" = 1 ] && [ "$(thread_allowed "CPU 1/TCG")" = 0 ] \
  || fail "after one step: CPU 0/TCG on '$(thread_allowed "CPU 0/TCG")', CPU 1/TCG on '$(thread_allowed "CPU 1/TCG")'"
echo "ok - the apply was cut short after vCPU 0, its journal left"

start_xvfb
start_app "$app" --connect "$uri"
wait_main_window
dialog=
# The prompt follows the connection's open and capture: slow under ASan
for _ in $(seq 600); do
  dialog=$(find_window '^Finish the Interrupted Apply\?$') && break
  sleep 0.1
done
[ -n "$dialog" ] || fail "the window did not ask about the interrupted apply"
echo "ok - the window asks about the interrupted apply"
xdotool windowfocus --sync "$dialog" 2>/dev/null || true
sleep 0.5
screenshot question
xdotool key --clearmodifiers Return

finished ()
{
  [ "$(thread_allowed "CPU 1/TCG")" = 1 ]
}
wait_for 200 finished || fail "after Finish, CPU 1/TCG is on '$(thread_allowed "CPU 1/TCG")', not 1"
echo "ok - Finish made the missing step: CPU 1/TCG on 1"
wait_for 50 test ! -e "$journal" || fail "the journal is still there after Finish"
echo "ok - the journal is gone"
answer=
for _ in $(seq 50); do
  answer=$(find_window '^Apply Finished$') && break
  sleep 0.1
done
[ -n "$answer" ] || fail "no word that the apply was finished"
sleep 0.3
screenshot finished
echo "ok - the window says the apply was finished"
kill -0 "$app_pid" 2>/dev/null || fail "kvmtune exited"
exit 0
