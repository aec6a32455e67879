#!/bin/bash
# test-panel-fields.sh: the tuning panel's typed rows, under Xvfb
#
# Opens a copy of the demo host and types into the panel's entry rows
# (KtFieldRow): on web1 a host CPU that does not exist into vCPU 0 (refused:
# the reason shows in the error colour, nothing changes), then a pin for
# vCPU 1 (through the plan), the emulator (an edit) and the host nodes of
# the memory; on db-primary, guest cell 0's host nodes (a row built for
# the VM's shape) and a guest cell it does not have under Huge Pages
# (refused).  Applies web1 to both definitions and db-primary to its
# config (memnodes cannot change live), saves with Ctrl+S and checks the
# saved XML with xmllint.  Screenshots go to LOG_DIR.
#
# The panel is driven by position in a 1600x1000 window (there is no
# window manager), like test-cpu-model.sh.
#
# Usage: test-panel-fields.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool, xmllint or convert)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-panel-fields.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
demo=${2:?usage: test-panel-fields.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
logdir=${3:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint convert import

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-panel-fields

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

# Pixels of libadwaita's light error colour (#c01c28) in a part of the
# last screenshot: X Y W H
error_pixels ()
{
  convert "$logdir/$shot-$1.png" -crop "$4x$5+$2+$3" +repage -fuzz 15% \
    -fill black +opaque '#c01c28' -fill white -opaque '#c01c28' \
    -format '%[fx:int(mean*w*h+0.5)]' info:
}

# Selects all of an entry's text at X Y and types TEXT, then KEY
type_into ()   # X Y TEXT KEY
{
  xdotool mousemove --window "$win" "$1" "$2" click 1
  sleep 0.4
  xdotool key --clearmodifiers ctrl+a
  xdotool type --delay 40 "$3"
  xdotool key --clearmodifiers "$4"
  sleep 0.7
}

# Apply… in the panel's header, then in the dialog Apply (to both), or
# "Apply to Config Only" for what a running VM cannot take live
apply_vm ()   # SCREENSHOT both|config
{
  xdotool mousemove --window "$win" 1537 74 click 1
  sleep 1.2
  screenshot "$1"
  if [ "$2" = both ]; then
    xdotool mousemove --window "$win" 669 26 click 1
  else
    xdotool mousemove --window "$win" 590 382 click 1
  fi
  sleep 1
}

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"
web1="//vm[@name='web1']/inactive/domain"
db="//vm[@name='db-primary']/inactive/domain"
if ! [ "$(xpath "$web1/cputune/vcpupin[@vcpu='0']/@cpuset")" = 0 ] \
  || ! [ "$(xpath "$web1/cputune/emulatorpin/@cpuset")" = 2,34 ] \
  || ! [ "$(xpath "$web1/numatune/memory/@nodeset")" = 0 ] \
  || ! [ "$(xpath "$db/numatune/memnode[@cellid='0']/@nodeset")" = 1 ]; then
  fail "the demo snapshot's web1 or db-primary changed: adapt the test"
fi

start_xvfb
start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window
sleep 1

# web1: a CPU the host does not have, refused in place
xdotool mousemove --window "$win" 70 119 click 1
sleep 1
screenshot web1
type_into 1509 205 999 Tab
screenshot refused
red=$(error_pixels refused 1280 180 320 50)
echo "# $red pixels of the error colour in vCPU 0's row"
[ "$red" -ge 20 ] || fail "vCPU 0 shows no refusal for CPU 999 ($red pixels of the error colour)"
# … until it is typed again
type_into 1509 205 0 Tab
screenshot unrefused
red=$(error_pixels unrefused 1280 180 320 50)
[ "$red" -lt 20 ] || fail "vCPU 0 still shows a refusal after 0 was typed ($red pixels)"

# A vCPU pin, the emulator pin, the memory's host nodes
type_into 1509 260 5 Return
type_into 1509 425 4-5 Return
type_into 1509 605 1 Return
screenshot web1-pending
apply_vm web1-dialog both

# db-primary: guest cell 0's memory, and a guest cell it has not
xdotool mousemove --window "$win" 70 161 click 1
sleep 1
xdotool mousemove --window "$win" 1400 700
for _ in $(seq 8); do xdotool click 5; done
sleep 0.6
screenshot db
type_into 1509 286 0 Return
type_into 1509 466 5 Tab
screenshot db-pending
red=$(error_pixels db-pending 1280 440 320 60)
echo "# $red pixels of the error colour in Guest Cells' row"
[ "$red" -ge 20 ] || fail "Guest Cells shows no refusal for cell 5 ($red pixels of the error colour)"
apply_vm db-dialog config

xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+s
saved ()
{
  [ "$(xpath "$db/numatune/memnode[@cellid='0']/@nodeset")" = 0 ]
}
wait_for 100 saved || fail "after Apply and Ctrl+S, db-primary's cell 0 memory is on" \
  "'$(xpath "$db/numatune/memnode[@cellid='0']/@nodeset")', not node 0"
screenshot saved

status=0
check ()   # WHAT XPATH WANT
{
  local got
  got=$(xpath "$2")
  if [ "$got" = "$3" ]; then
    echo "ok - $1: $got"
  else
    echo "not ok - $1: '$got', not '$3'"
    status=1
  fi
}
for def in inactive live; do
  d="//vm[@name='web1']/$def/domain"
  check "web1 $def vCPU 0 kept its pin" "$d/cputune/vcpupin[@vcpu='0']/@cpuset" 0
  check "web1 $def vCPU 1 typed" "$d/cputune/vcpupin[@vcpu='1']/@cpuset" 5
  check "web1 $def emulator typed" "$d/cputune/emulatorpin/@cpuset" 4-5
  check "web1 $def memory nodes typed" "$d/numatune/memory/@nodeset" 1
  d="//vm[@name='db-primary']/$def/domain"
  check "db-primary $def huge pages' cells kept" \
    "count($d/memoryBacking/hugepages/page[@nodeset='5'])" 0
done
check "db-primary config cell 0 typed" "$db/numatune/memnode[@cellid='0']/@nodeset" 0
check "db-primary running cell 0 unchanged" \
  "//vm[@name='db-primary']/live/domain/numatune/memnode[@cellid='0']/@nodeset" 1
[ "$status" = 0 ] || fail "the saved snapshot is wrong"
echo "PASS"
exit 0
