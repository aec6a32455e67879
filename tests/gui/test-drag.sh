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

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-drag

cleanup ()
{
  stop_app
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

xpath ()
{
  xmllint --xpath "string($1)" "$tmp/host.kvmtune"
}

vcpupin ()   # VM live|inactive VCPU
{
  xpath "//vm[@name='$1']/$2/domain/cputune/vcpupin[@vcpu='$3']/@cpuset"
}

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"
before_web1_1=$(vcpupin web1 inactive 1)
before_db_0=$(vcpupin db-primary live 0)

# The display and the app ------------------------------------------------

start_xvfb
start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window
wait_geometry 150 web1 0 17

# The drag, and the chip redrawn on CPU 17 --------------------------------

drag_chip web1 0 17
wait_for 50 chip_on_cpu web1 0 17 40 || fail "web1's vCPU 0 is not drawn on CPU 17 after the drop"

sleep 0.3
screenshot drop

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
