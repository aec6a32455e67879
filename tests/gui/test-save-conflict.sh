#!/bin/bash
# test-save-conflict.sh: the window does not save over a snapshot file that
# another tool changed since the window loaded it
#
# Opens a copy of the demo host, drags web1's vCPU 0 onto CPU 17, then pins
# web1's vCPU 1 to CPU 3 behind the window's back with kvmtune-cli, and
# presses Ctrl+S.  The save must be refused (a toast says the file changed
# since it was loaded): the file keeps the CLI's pin and does not get the
# drag, and no temporary is left.  Screenshot: LOG_DIR/test-save-conflict-toast.png.
#
# Usage: test-save-conflict.sh KVMTUNE KVMTUNE_CLI DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool or xmllint)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

usage="usage: test-save-conflict.sh KVMTUNE KVMTUNE_CLI DEMO_SNAPSHOT [LOG_DIR]"
app=${1:?$usage}
cli=${2:?$usage}
demo=${3:?$usage}
logdir=${4:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-save-conflict

cleanup ()
{
  stop_app
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

vcpupin ()   # VM live|inactive VCPU
{
  xmllint --xpath "string(//vm[@name='$1']/$2/domain/cputune/vcpupin[@vcpu='$3']/@cpuset)" \
    "$tmp/host.kvmtune"
}

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"
before_web1_0=$(vcpupin web1 inactive 0)

start_xvfb
start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window
wait_geometry 150 web1 0 17

drag_chip web1 0 17
wait_for 50 chip_on_cpu web1 0 17 40 || fail "web1's vCPU 0 is not drawn on CPU 17 after the drop"

# Another tool changes the file the window loaded
"$cli" --snapshot "$tmp/host.kvmtune" pin web1 1 3 --config >"$tmp/cli.log" 2>&1 \
  || { cat "$tmp/cli.log"; fail "kvmtune-cli pin failed"; }
[ "$(vcpupin web1 inactive 1)" = 3 ] || fail "kvmtune-cli's pin is not in the file"
cp "$tmp/host.kvmtune" "$tmp/after-cli"

xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+s
sleep 1.5
screenshot toast

status=0
if cmp -s "$tmp/host.kvmtune" "$tmp/after-cli"; then
  echo "ok - the file is as kvmtune-cli left it"
else
  echo "not ok - the window saved over kvmtune-cli's change"
  status=1
fi
if [ "$(vcpupin web1 inactive 1)" = 3 ] && [ "$(vcpupin web1 inactive 0)" = "$before_web1_0" ]; then
  echo "ok - kvmtune-cli's pin kept, the window's drag not written"
else
  echo "not ok - web1 vCPU 0 '$(vcpupin web1 inactive 0)', vCPU 1 '$(vcpupin web1 inactive 1)'"
  status=1
fi
if ls -A "$tmp" | grep -q '\.kvmtune-'; then
  echo "not ok - a temporary was left: $(ls -A "$tmp" | grep '\.kvmtune-')"
  status=1
else
  echo "ok - no temporary left"
fi
kill -0 "$app_pid" 2>/dev/null || { echo "not ok - kvmtune exited"; status=1; }
[ "$status" = 0 ] || fail "the window saved over a changed file"
echo "PASS"
exit 0
