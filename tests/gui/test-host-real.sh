#!/bin/bash
# test-host-real.sh: "Pinned / low latency" applied to this machine from
# the Host view, and reverted after a restart, with real xdotool input
# under Xvfb.  As root only: the kernel's own values change.
#
# The machine is first put into a badly tuned state (KSM on, THP always,
# defrag always, numa_balancing 1, node 0's 2 MiB pool empty), and a
# hugepage-backed VM (64 MiB of 2 MiB pages) is defined in a private
# qemu:///embed root, so the profile has something to do everywhere:
#   1. the Host view of qemu:///embed (a local connection: KvmTune
#      writes the whitelisted kernel values itself, as root) (screenshot
#      LOG_DIR/test-host-real-host.png); the profile drop-down, "Pinned /
#      low latency"; Apply… opens "Apply Host Tuning?" (…-preview.png) and
#      nothing is written yet; Return: KSM run 0, THP madvise, defrag
#      madvise, numa_balancing 0, node 0's 2 MiB pool 32 pages, read in
#      sysfs and procfs; the view shows the new values (…-applied.png);
#   2. KvmTune quits and starts again: Revert… opens "Revert Host
#      Tuning?" (…-revert-preview.png); Return: every value is the one
#      before Apply again (…-reverted.png).
# The Advice button's error count (the empty pool is short for the VM)
# drops after Apply and is back after Revert: the advisor runs again.
# Every value the test touches is saved before and written back at exit,
# whatever happened (the trap), and checked.
#
# Usage: test-host-real.sh KVMTUNE [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (not root, no Xvfb or xdotool,
#       no hugepages or KSM here)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

usage="usage: test-host-real.sh KVMTUNE [LOG_DIR]"
app=${1:?$usage}
logdir=${2:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool
[ "$(id -u)" = 0 ] || skip "not root: this test changes the kernel's values"

THP_ENABLED=/sys/kernel/mm/transparent_hugepage/enabled
THP_DEFRAG=/sys/kernel/mm/transparent_hugepage/defrag
NUMA_BAL=/proc/sys/kernel/numa_balancing
KSM_RUN=/sys/kernel/mm/ksm/run
POOL=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
for f in "$THP_ENABLED" "$THP_DEFRAG" "$NUMA_BAL" "$KSM_RUN" "$POOL"; do
  [ -w "$f" ] || skip "$f is not writable here"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-host-real

# A value as written back: THP files show "always [madvise] never"
value ()   # FILE
{
  local v
  v=$(cat "$1") || return 1
  case $v in
    *\[*\]*) v=${v#*[}; v=${v%%]*} ;;
  esac
  echo "$v"
}

saved_files=()
saved_values=()
save_value ()   # FILE
{
  saved_files+=("$1")
  saved_values+=("$(value "$1")")
}
for f in "$THP_ENABLED" "$THP_DEFRAG" "$NUMA_BAL" "$KSM_RUN" "$POOL"; do
  save_value "$f"
done

restore_values ()
{
  local i
  for i in "${!saved_files[@]}"; do
    echo "${saved_values[$i]}" >"${saved_files[$i]}" 2>/dev/null
  done
}

cleanup ()
{
  stop_app
  stop_xvfb
  restore_values
  for i in "${!saved_files[@]}"; do
    if [ "$(value "${saved_files[$i]}")" != "${saved_values[$i]}" ]; then
      echo "# WARNING: ${saved_files[$i]} is $(value "${saved_files[$i]}"), was ${saved_values[$i]}"
    fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted"; exit 1' INT TERM

is ()   # FILE VALUE: read again at each call
{
  test "$(value "$1")" = "$2"
}

# Every value at once, for the messages
values ()
{
  echo "KSM run $(value $KSM_RUN), THP $(value $THP_ENABLED), defrag $(value $THP_DEFRAG)," \
       "numa_balancing $(value $NUMA_BAL), node 0's 2 MiB pool $(value $POOL)"
}

errors ()   # the Advice button's error count
{
  grep '^counts ' "$tmp/geometry.advice" 2>/dev/null | cut -d' ' -f2
}

errors_are ()   # N
{
  test "$(errors)" = "$1"
}

errors_below ()   # N
{
  local e
  e=$(errors)
  [ -n "$e" ] && [ "$e" -lt "$1" ]
}

values_are_before ()
{
  test "$(values)" = "$before"
}

# Where things are at 1600×1000 (the Host view's content is clamped and
# centred; the same places as in test-host-view.sh)
HOST_TOGGLE="464 26"
PROFILE_COMBO="1175 142"
PROFILE_LOW_LATENCY="1195 253"
APPLY_BUTTON="1182 92"
REVERT_BUTTON="1081 92"

mkdir -p "$logdir"

# The badly tuned start
echo 1 >"$KSM_RUN" && echo always >"$THP_ENABLED" && echo always >"$THP_DEFRAG" \
  && echo 1 >"$NUMA_BAL" && echo 0 >"$POOL" \
  || fail "could not put the machine into its badly tuned start"
before=$(values)
echo "# before: $before"

# A hugepage-backed VM in a private embed root (libvirt reads the
# definitions in etc/qemu when it opens the root)
root="$tmp/root"
mkdir -p "$root/etc/qemu"
cat >"$root/etc/qemu/kt-real-hp.xml" <<'EOF'
<domain type='qemu'>
  <name>kt-real-hp</name>
  <uuid>5b6bb1a8-3c38-4d6b-9a43-6a0f7e3c2d11</uuid>
  <memory unit='KiB'>65536</memory>
  <memoryBacking>
    <hugepages>
      <page size='2048' unit='KiB'/>
    </hugepages>
  </memoryBacking>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='network'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
</domain>
EOF

start_xvfb
export XDG_STATE_HOME="$tmp/state"
start_app "$app" --connect "qemu:///embed?root=$root"
wait_main_window
# Opening an embed root probes QEMU the first time: up to 3 minutes on a
# loaded machine
wait_for 1800 grep -q '^pu 0 ' "$tmp/geometry" || fail "the map of qemu:///embed never came"
sleep 1

# The advisor finds the empty pool short for the VM: an error
wait_for 100 errors_below 1000 || fail "the Advice button wrote no counts"
errors_before=$(errors)
[ "$errors_before" -ge 1 ] || fail "the advisor finds no error with node 0's 2 MiB pool empty"
echo "# the Advice button counts $errors_before errors"

# 1. Host, "Pinned / low latency", Apply…

# shellcheck disable=SC2086
click $HOST_TOGGLE
sleep 2
screenshot host
# shellcheck disable=SC2086
click $PROFILE_COMBO
sleep 1
# shellcheck disable=SC2086
click $PROFILE_LOW_LATENCY
sleep 1.5
# shellcheck disable=SC2086
click $APPLY_BUTTON
wait_dialog '^Apply Host Tuning\?$' >/dev/null \
  || fail "Apply… in the Host view opened no “Apply Host Tuning?” preview"
ok "Apply… opened the preview"
sleep 0.7
screenshot preview
[ "$(values)" = "$before" ] || not_ok "the preview changed the machine: $(values)"
key Return
wait_for 300 dialog_gone '^Apply Host Tuning\?$' || fail "Return did not apply the preview"
wait_for 300 is "$KSM_RUN" 0 || fail "after Apply: $(values)"
if is "$THP_ENABLED" madvise; then ok "THP enabled madvise"; else not_ok "THP enabled is $(value $THP_ENABLED)"; fi
if is "$THP_DEFRAG" madvise; then ok "THP defrag madvise"; else not_ok "THP defrag is $(value $THP_DEFRAG)"; fi
if is "$NUMA_BAL" 0; then ok "numa_balancing 0"; else not_ok "numa_balancing is $(value $NUMA_BAL)"; fi
ok "KSM run 0"
if is "$POOL" 32; then
  ok "node 0's 2 MiB pool is 32 pages, the VM's 64 MiB"
else
  not_ok "node 0's 2 MiB pool is $(value $POOL), not 32"
fi
if wait_for 100 errors_below "$errors_before"; then
  ok "the advisor ran again: $(errors) errors, was $errors_before"
else
  not_ok "after Apply the Advice button still counts $(errors) errors"
fi
state_files=$(find "$tmp/state/kvmtune/host-revert" -name '*.json' 2>/dev/null | wc -l)
[ "$state_files" = 1 ] || not_ok "$state_files revert files in the state directory, not 1"
sleep 1.5
screenshot applied
echo "# applied: $(values)"

# 2. A restart, then Revert…

stop_app
rm -rf "$tmp/run" "$tmp/geometry" "$tmp/geometry.advice"
start_app "$app" --connect "qemu:///embed?root=$root"
wait_main_window
wait_for 1800 grep -q '^pu 0 ' "$tmp/geometry" || fail "the map of qemu:///embed never came back"
sleep 1
# shellcheck disable=SC2086
click $HOST_TOGGLE
sleep 2
# shellcheck disable=SC2086
click $REVERT_BUTTON
wait_dialog '^Revert Host Tuning\?$' >/dev/null || fail "Revert… after a restart opened no preview"
ok "Revert… after a restart opened its preview"
sleep 0.7
screenshot revert-preview
key Return
wait_for 300 dialog_gone '^Revert Host Tuning\?$' || fail "Return did not revert"
if wait_for 300 values_are_before; then
  ok "Revert put every value back: $before"
else
  not_ok "after Revert: $(values); before Apply: $before"
fi
if wait_for 100 errors_are "$errors_before"; then
  ok "the advisor ran again after Revert: $errors_before errors"
else
  not_ok "after Revert the Advice button counts $(errors) errors, not $errors_before"
fi
sleep 1.5
screenshot reverted
kill -0 "$app_pid" 2>/dev/null || not_ok "kvmtune exited"

[ "$status" = 0 ] || fail "the Host view on this machine"
echo "PASS"
exit 0
