#!/bin/bash
# test-cpu-model.sh: "Custom Model" in the tuning panel, under Xvfb
#
# Opens a copy of the demo host, selects web1 (virt-manager's
# <cpu mode='host-passthrough' check='none' migratable='on'>), picks
# Custom Model in the CPU Model section, applies to the config, saves with
# Ctrl+S and checks with xmllint that the saved config has the host's
# closest usable model, the host-model's model of the domain capabilities
# (not 486, the first one listed), with no migratable= or check= left, and
# that the running definition did not change.  Screenshots go to LOG_DIR.
#
# The panel is driven by position in a 1600x1000 window (there is no
# window manager): web1's row in the sidebar, the panel scrolled to its end.
#
# Usage: test-cpu-model.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool or xmllint)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-cpu-model.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
demo=${2:?usage: test-cpu-model.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
logdir=${3:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-cpu-model

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

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"
want=$(xpath "/*/domainCapabilities/cpu/mode[@name='host-model']/model")
[ -n "$want" ] || fail "the demo snapshot has no host-model model"
[ "$(xpath "//vm[@name='web1']/inactive/domain/cpu/@migratable")" = on ] \
  || fail "web1 no longer starts as virt-manager's host-passthrough"
live_before=$(xmllint --xpath "//vm[@name='web1']/live/domain/cpu" "$tmp/host.kvmtune")

start_xvfb
start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window
sleep 1

# web1, its panel scrolled to the end, the CPU mode list
xdotool mousemove --window "$win" 70 119 click 1
sleep 1
xdotool mousemove --window "$win" 1400 700
for _ in $(seq 40); do xdotool click 5; done
sleep 0.5
screenshot panel
xdotool mousemove --window "$win" 1498 502 click 1
sleep 0.7
# Host Passthrough (selected) → Host Model → Maximum → Custom Model
xdotool key --clearmodifiers Down Down Down Return
sleep 1
screenshot custom

# Apply… → the running VM cannot change its CPU: Apply to Config Only
xdotool mousemove --window "$win" 1537 74 click 1
sleep 1.2
screenshot dialog
xdotool mousemove --window "$win" 590 382 click 1
sleep 1

xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+s
saved ()
{
  [ "$(xpath "//vm[@name='web1']/inactive/domain/cpu/@mode")" = custom ]
}
wait_for 100 saved || fail "after Custom Model, Apply and Ctrl+S, web1's config CPU mode is" \
  "'$(xpath "//vm[@name='web1']/inactive/domain/cpu/@mode")', not custom"

status=0
got=$(xpath "//vm[@name='web1']/inactive/domain/cpu/model")
if [ "$got" = "$want" ]; then
  echo "ok - custom preselects the host-model's model, $want"
else
  echo "not ok - custom preselected '$got', not the host-model's model '$want'"
  status=1
fi
for attr in migratable check; do
  v=$(xpath "//vm[@name='web1']/inactive/domain/cpu/@$attr")
  if [ -z "$v" ]; then
    echo "ok - no $attr= left on the custom CPU"
  else
    echo "not ok - the custom CPU kept $attr='$v'"
    status=1
  fi
done
if [ -n "$(xpath "//vm[@name='web1']/inactive/domain/cpu/topology/@cores")" ]; then
  echo "ok - the topology stayed"
else
  echo "not ok - the topology went"
  status=1
fi
live_after=$(xmllint --xpath "//vm[@name='web1']/live/domain/cpu" "$tmp/host.kvmtune")
if [ "$live_after" = "$live_before" ]; then
  echo "ok - the running definition did not change"
else
  echo "not ok - the running definition changed: $live_after"
  status=1
fi
[ "$status" = 0 ] || fail "the saved snapshot is wrong"
echo "PASS"
exit 0
