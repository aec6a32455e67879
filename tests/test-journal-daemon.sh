#!/bin/sh
# test-journal-daemon.sh: kvmtune-cli against a libvirt daemon killed mid-apply
#
#   test-journal-daemon.sh KVMTUNE-CLI
#
# Runs libvirtd in session mode as 'nobody' with private directories (see
# ../shared/TESTBEDS.md, "A libvirt daemon you can kill") and a TCG guest
# of 64 vCPUs, as in the report (`pin BIG 0-63 1 --live` killed midway).
# kvmtune-cli pins the vCPUs with KT_TEST_APPLY_PAUSE_AFTER=N: after N live
# steps it writes a marker and waits; the test SIGKILLs the daemon there,
# lets the CLI go on, and checks
#   - the exit status (3, not 141: no SIGPIPE), the message (which steps
#     landed, which did not) and the journal (mode 0600, the VM, its UUID,
#     the URI, the steps and the values to restore);
#   - after restarting the daemon (same cache directory): the notice on
#     another verb, the refusal of a new apply to the VM, `recover`'s
#     account, and `recover --rollback` / `recover --finish`, checked
#     against the vCPU pins the restarted daemon reports (virsh vcpupin),
#     the journal gone;
#   - the same with the config defined last (--live --config), killed
#     before the define.
# Needs root (setpriv), libvirtd, virsh and QEMU; exits 77 (skip) otherwise.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

CLI=${1:-${KT_CLI:-}}
QEMU=/usr/bin/qemu-system-x86_64
NVCPU=64
LAST=$((NVCPU - 1))
URI=qemu:///session
VM=kt-journal-big

skip () { echo "1..0 # SKIP $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "not root: setpriv cannot become nobody"
for p in setpriv virsh /usr/sbin/libvirtd "$QEMU"; do
  command -v "$p" >/dev/null 2>&1 || skip "no $p"
done
[ -n "$CLI" ] && [ -x "$CLI" ] || skip "no kvmtune-cli (pass its path or set KT_CLI)"
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip "fewer than 2 online CPUs"

D=$(mktemp -d /tmp/kt-journal-daemon-XXXXXX)
chmod 755 "$D"
mkdir -p "$D/home" "$D/run" "$D/config/libvirt" "$D/cache" "$D/data" "$D/state"
chmod 700 "$D/run"
printf 'stdio_handler = "file"\n' > "$D/config/libvirt/qemu.conf"
chown -R nobody: "$D"
DAEMON_PID=
FAILED=0
N=0

as_nobody () {
  ( exec_as_nobody "$@" )
}

exec_as_nobody () {
  exec setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME="$D/home" \
    XDG_RUNTIME_DIR="$D/run" XDG_CONFIG_HOME="$D/config" XDG_CACHE_HOME="$D/cache" \
    XDG_DATA_HOME="$D/data" XDG_STATE_HOME="$D/state" LC_ALL=C.UTF-8 LIBVIRT_AUTOSTART=0 \
    PATH=/usr/bin:/usr/sbin:/bin "$@"
}

cleanup () {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    as_nobody virsh -c "$URI" destroy "$VM" >/dev/null 2>&1
    kill -9 "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
  fi
  # A QEMU outlives the daemon: kill ours by its pid file
  for f in "$D"/run/libvirt/qemu/run/*.pid "$D"/config/libvirt/qemu/run/*.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
  done
  rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok () {
  N=$((N + 1))
  if [ "$1" = 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=1; fi
}

check () {   # check DESCRIPTION COMMAND...
  desc=$1; shift
  "$@"; ok $? "$desc"
}

start_daemon () {
  # LIBVIRT_AUTOSTART=0: no client may spawn a daemon of its own
  exec_as_nobody /usr/sbin/libvirtd >> "$D/daemon.log" 2>&1 &
  DAEMON_PID=$!
  # The first start probes QEMU (minutes on a busy machine); later ones
  # reuse $D/cache
  t=0
  while ! as_nobody virsh -c "$URI" list >/dev/null 2>&1; do
    t=$((t + 1))
    if [ $t -gt 1200 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
      echo "# libvirtd did not come up:"; sed 's/^/# /' "$D/daemon.log" | tail -20
      return 1
    fi
    sleep 0.25
  done
  echo "# libvirtd $DAEMON_PID up after $t polls"
}

kill_daemon () {
  kill -9 "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null
  DAEMON_PID=
}

# The CPU affinity of each vCPU as the daemon reports it: "0:1 1:1 ..."
pins () {
  as_nobody virsh -c "$URI" vcpupin "$VM" ${1:-} | awk '$1 ~ /^[0-9]+$/ { printf "%s%s:%s", s, $1, $2; s = " " }'
}

expect_pins () {   # expect_pins DESCRIPTION "0:1 1:1 ..." [--config]
  got=$(pins "${3:-}")
  [ "$got" = "$2" ] || echo "# $1: got '$got', want '$2'"
  [ "$got" = "$2" ]; ok $? "$1"
}

all_pins () {   # all_pins CPUSET FROM TO
  s=; i=$2
  while [ $i -le $3 ]; do s="$s${s:+ }$i:$1"; i=$((i + 1)); done
  printf '%s' "$s"
}

# Interrupted apply: kvmtune-cli pins with a pause after $1 live steps;
# the daemon is killed there.  Leaves $D/rc, $D/out, $D/err.
interrupted_apply () {
  after=$1; shift
  rm -f "$D/marker"
  ( as_nobody env KT_TEST_APPLY_PAUSE_AFTER="$after" KT_TEST_APPLY_PAUSE_MARKER="$D/marker" \
      "$CLI" --connect "$URI" "$@" > "$D/out" 2> "$D/err"; echo $? > "$D/rc" ) &
  apply_pid=$!
  t=0
  while [ ! -e "$D/marker" ] && [ $t -lt 600 ] && kill -0 $apply_pid 2>/dev/null; do
    sleep 0.1; t=$((t + 1))
  done
  [ -e "$D/marker" ]; ok $? "the apply paused after $after steps ($*)"
  kill_daemon
  rm -f "$D/marker"
  wait $apply_pid
  sed 's/^/# stderr: /' "$D/err"
}

journal_file () {
  ls "$D"/state/kvmtune/journal/*.json 2>/dev/null | head -1
}



start_daemon || { ok 1 "libvirtd starts"; exit 1; }
cat > "$D/guest.xml" <<EOF
<domain type='qemu'>
  <name>$VM</name>
  <memory unit='MiB'>64</memory>
  <vcpu>$NVCPU</vcpu>
  <os><type arch='x86_64'>hvm</type><boot dev='network'/></os>
  <devices><emulator>$QEMU</emulator></devices>
</domain>
EOF
chmod 644 "$D/guest.xml"
check "the guest is defined" as_nobody virsh -q -c "$URI" define "$D/guest.xml"
check "the guest starts" as_nobody virsh -q -c "$URI" start "$VM"
UUID=$(as_nobody virsh -c "$URI" domuuid "$VM" | tr -d '[:space:]')
ALL=$(pins | awk '{ split ($1, a, ":"); print a[2] }')
echo "# $VM $UUID, unpinned vCPUs on $ALL"

# 1. Killed after 20 of 64 steps; rolled back ---------------------------------
interrupted_apply 20 pin "$VM" 0-$LAST 1 --live
rc=$(cat "$D/rc")
[ "$rc" = 3 ]; ok $? "exit status 3 for an interrupted apply (got $rc; 141 is SIGPIPE)"
grep -q "Calls:" "$D/out"; ok $? "the preview was printed"
grep -q "lost while applying to “$VM”" "$D/err" \
  && grep -q "20 of $NVCPU live steps landed: the pins of vCPUs 0-19\." "$D/err" \
  && grep -q "Not made: the pins of vCPUs 20-$LAST\." "$D/err"
ok $? "the message says which steps landed and which did not"
J=$(journal_file)
[ -n "$J" ]; ok $? "the journal is left: $J"
[ "$(stat -c %a "$J" 2>/dev/null)" = 600 ]; ok $? "the journal has mode 0600"
/usr/bin/python3 - "$J" "$URI" "$VM" "$UUID" "$ALL" "$NVCPU" <<'EOF'
import json, sys
path, uri, vm, uuid, allcpus, n = sys.argv[1:]
j = json.load(open(path))
assert j["uri"] == uri and j["vm"] == vm and j["uuid"] == uuid, j
steps = j["steps"]
assert [s["id"] for s in steps] == list(range(int(n))), steps
assert all(s["call"] == "vcpupin" and s["after"] == "1" and s["before"] in (None, allcpus)
           for s in steps), steps
assert "config" not in j
EOF
ok $? "the journal names the VM, its UUID, the URI, the steps and the values to restore"
ls "$D"/state/kvmtune/journal/ | grep -v '\.json$' | grep -q . && r=1 || r=0
ok $r "no temporary file is left next to the journal"

start_daemon || exit 1
expect_pins "the restarted daemon reports vCPUs 0-19 on CPU 1, 20-$LAST untouched" \
  "$(all_pins 1 0 19) $(all_pins "$ALL" 20 $LAST)"
as_nobody "$CLI" --connect "$URI" domains > /dev/null 2> "$D/err"
grep -q "an apply to “$VM” on $URI was interrupted" "$D/err"; ok $? "another verb tells of the interrupted apply"
as_nobody "$CLI" --connect "$URI" pin "$VM" 0 0 --live > /dev/null 2> "$D/err"
rc=$?
[ $rc = 1 ] && grep -q "finish it or roll it back first" "$D/err"
ok $? "a new apply to the VM is refused until it is recovered"
as_nobody "$CLI" --connect "$URI" recover > "$D/out" 2> "$D/err"
grep -q "Landed: the pins of vCPUs 0-19\. Not landed: the pins of vCPUs 20-$LAST\." "$D/out"
ok $? "recover says what landed: $(head -1 "$D/out")"
as_nobody "$CLI" --connect "$URI" recover --rollback > "$D/out" 2> "$D/err"
ok $? "recover --rollback succeeds"
sed 's/^/# /' "$D/out" "$D/err"
expect_pins "after the rollback every vCPU is back on $ALL" "$(all_pins "$ALL" 0 $LAST)"
[ -z "$(journal_file)" ]; ok $? "the journal is gone after the rollback"

# 2. Killed after 31 of 64 steps; finished -----------------------------------
interrupted_apply 31 pin "$VM" 0-$LAST 1 --live
[ "$(cat "$D/rc")" = 3 ] && grep -q "31 of $NVCPU live steps landed: the pins of vCPUs 0-30\." "$D/err"
ok $? "killed after 31 steps: status 3, the 31 that landed named"
start_daemon || exit 1
expect_pins "the restarted daemon reports vCPUs 0-30 on CPU 1" \
  "$(all_pins 1 0 30) $(all_pins "$ALL" 31 $LAST)"
as_nobody "$CLI" --connect "$URI" recover --finish "$VM" > "$D/out" 2> "$D/err"
ok $? "recover --finish succeeds"
sed 's/^/# /' "$D/out" "$D/err"
grep -c "virDomainPinVcpuFlags" "$D/out" | grep -qx $((NVCPU - 31)); ok $? "the finish makes only the $((NVCPU - 31)) steps that did not land"
expect_pins "after the finish every vCPU is on CPU 1" "$(all_pins 1 0 $LAST)"
[ -z "$(journal_file)" ]; ok $? "the journal is gone after the finish"

# 3. --live --config, killed before the define; finished, then one rolled back
interrupted_apply $NVCPU pin "$VM" 0-$LAST 0 --live --config
[ "$(cat "$D/rc")" = 3 ] && grep -q "$NVCPU of $NVCPU live steps landed" "$D/err" \
  && grep -q "The config was not defined\." "$D/err"
ok $? "killed before the define: every live step landed, the config not defined"
J=$(journal_file)
/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["config"]; assert "<vcpupin" not in c["before"] and c["after"].count("<vcpupin ") == int(sys.argv[2]), c' "$J" "$NVCPU"
ok $? "the journal keeps the config from before and the one to define"
start_daemon || exit 1
expect_pins "the config is untouched" "$(all_pins "$ALL" 0 $LAST)" --config
as_nobody "$CLI" --connect "$URI" recover > "$D/out" 2>&1
grep -q "Landed: the pins of vCPUs 0-$LAST\. The new config was not defined\." "$D/out"
ok $? "recover says the live steps landed and the config did not"
as_nobody "$CLI" --connect "$URI" recover --finish > "$D/out" 2> "$D/err"
ok $? "recover --finish defines the config"
sed 's/^/# /' "$D/out" "$D/err"
expect_pins "the config has every vCPU on CPU 0" "$(all_pins 0 0 $LAST)" --config
expect_pins "and so has the running VM" "$(all_pins 0 0 $LAST)"
[ -z "$(journal_file)" ]; ok $? "the journal is gone"

interrupted_apply 12 pin "$VM" 0-$LAST 1 --live --config
start_daemon || exit 1
as_nobody "$CLI" --connect "$URI" recover --rollback > "$D/out" 2> "$D/err"
ok $? "recover --rollback after 12 of $NVCPU live steps and no define"
sed 's/^/# /' "$D/out" "$D/err"
expect_pins "the running VM is back on CPU 0" "$(all_pins 0 0 $LAST)"
expect_pins "the config is still the one of before" "$(all_pins 0 0 $LAST)" --config

echo "1..$N"
exit $FAILED
