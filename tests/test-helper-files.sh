#!/bin/bash
# test-helper-files.sh POLICY BUS_CONF SERVICE UNIT_IN HELPER
#
# The helper's installed files:
# - the polkit policy: valid against polkit's DTD, and, as root with
#   polkitd installed, read by the real polkitd (in a private mount
#   namespace whose /usr/share/polkit-1/actions holds only this file, on
#   a private system bus) and shown by `pkaction --verbose --action-id`;
# - the bus policy: well-formed and accepted by a dbus-daemon that
#   includes it;
# - the activation file: its keys;
# - the systemd unit: `systemd-analyze verify` with no complaint.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

POLICY=$1 BUS_CONF=$2 SERVICE=$3 UNIT_IN=$4 HELPER=$5
status=0
n=0
T=$(mktemp -d)
chmod 755 "$T"
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

ok()   { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); echo "not ok $n - $*"; status=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

echo "TAP version 13"

# polkit policy
if [ -f /usr/share/polkit-1/policyconfig-1.dtd ]; then
  check "policy valid against policyconfig-1.dtd" \
    xmllint --noout --dtdvalid /usr/share/polkit-1/policyconfig-1.dtd "$POLICY"
else
  check "policy well-formed" xmllint --noout "$POLICY"
fi
for a in host-read host-tune host-persist; do
  check "policy has org.example.KvmTune.$a" \
    grep -q "<action id=\"org.example.KvmTune.$a\">" "$POLICY"
done

# bus policy, also through a dbus-daemon that includes it
check "bus policy well-formed" xmllint --noout "$BUS_CONF"
cat > "$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$T/bus.sock</listen>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
  <include>$BUS_CONF</include>
</busconfig>
CONF
if dbus-daemon --config-file="$T/bus.conf" --fork --print-pid=3 --nopidfile 3>"$T/bus.pid" \
     2>"$T/bus.err"; then
  PIDS+=("$(cat "$T/bus.pid")")
  if grep -i 'error\|fail' "$T/bus.err" | grep -qv 'fd limit'; then
    fail "dbus-daemon complains about the bus policy: $(cat "$T/bus.err")"
  else
    ok "dbus-daemon accepts the bus policy"
  fi
else
  fail "dbus-daemon refuses the bus policy: $(cat "$T/bus.err")"
fi

# activation file
check "service file has [D-BUS Service]" grep -qx '\[D-BUS Service\]' "$SERVICE"
check "service file Name" grep -qx 'Name=org.example.KvmTune.Helper' "$SERVICE"
check "service file Exec is an absolute kvmtune-helper" grep -qx 'Exec=/.*/kvmtune-helper' "$SERVICE"
check "service file User=root" grep -qx 'User=root' "$SERVICE"
check "service file SystemdService" grep -qx 'SystemdService=kvmtune-helper.service' "$SERVICE"

# pkaction through the real polkitd
POLKITD=/usr/lib/polkit-1/polkitd
if [ "$(id -u)" = 0 ] && [ -x "$POLKITD" ] && command -v pkaction >/dev/null \
   && command -v unshare >/dev/null && [ -S "$T/bus.sock" ]; then
  mkdir -m 755 "$T/actions"
  cp "$POLICY" "$T/actions/org.example.KvmTune.policy"
  chmod 644 "$T/actions/org.example.KvmTune.policy"
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/bus.sock"
  unshare -m sh -c "mount --bind '$T/actions' /usr/share/polkit-1/actions && exec $POLKITD --no-debug" \
    >"$T/polkitd.log" 2>&1 &
  PIDS+=("$!")
  listed=
  for _ in $(seq 100); do
    listed=$(pkaction 2>/dev/null) && [ -n "$listed" ] && break
    sleep 0.2
  done
  check "pkaction lists exactly the three actions" \
    test "$(echo "$listed" | sort | tr '\n' ' ')" = \
         "org.example.KvmTune.host-persist org.example.KvmTune.host-read org.example.KvmTune.host-tune "
  expect_action() {
    local id=$1 any=$2 inactive=$3 active=$4 out
    out=$(pkaction --verbose --action-id "$id" 2>&1)
    echo "$out" | sed 's/^/# /'
    echo "$out" | grep -q "implicit any: *$any\$" \
      && echo "$out" | grep -q "implicit inactive: *$inactive\$" \
      && echo "$out" | grep -q "implicit active: *$active\$" \
      && echo "$out" | grep -q 'vendor: *KvmTune'
  }
  check "pkaction org.example.KvmTune.host-tune: auth_admin_keep" \
    expect_action org.example.KvmTune.host-tune auth_admin auth_admin auth_admin_keep
  check "pkaction org.example.KvmTune.host-persist: auth_admin_keep" \
    expect_action org.example.KvmTune.host-persist auth_admin auth_admin auth_admin_keep
  check "pkaction org.example.KvmTune.host-read: yes" \
    expect_action org.example.KvmTune.host-read yes yes yes
  check "pkaction refuses an action that is not there" \
    bash -c '! pkaction --action-id org.example.KvmTune.nothing >/dev/null 2>&1'
  # The machine's own actions folder is untouched
  check "host /usr/share/polkit-1/actions untouched" \
    test ! -e /usr/share/polkit-1/actions/org.example.KvmTune.policy
else
  echo "# pkaction check skipped: needs root, $POLKITD, pkaction and unshare"
fi

# systemd unit
if command -v systemd-analyze >/dev/null; then
  sed "s|@HELPER_EXEC@|$HELPER|" "$UNIT_IN" > "$T/kvmtune-helper.service"
  if out=$(systemd-analyze verify --man=no "$T/kvmtune-helper.service" 2>&1) \
     && ! echo "$out" | grep -q .; then
    ok "systemd-analyze verify kvmtune-helper.service"
  else
    echo "$out" | sed 's/^/# /'
    fail "systemd-analyze verify kvmtune-helper.service"
  fi
else
  echo "# systemd-analyze not installed: unit not verified"
fi

echo "1..$n"
exit $status
