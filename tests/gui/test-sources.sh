#!/bin/bash
# test-sources.sh: capabilities plus domain files in the window, under Xvfb
#
# 1. --caps HOST --domain GOOD --domain BROKEN (not well-formed on line 5):
#    the window opens on the host, draws GOOD's vCPUs on the map (the
#    canvas' KVMTUNE_TEST_GEOMETRY chip lines) and none of BROKEN's, says
#    on stderr that BROKEN was not loaded and why (with the line), and
#    shows the error row's icon in the sidebar (its error colour in a
#    screenshot).  The empty state is not shown: Alt+O opens nothing.
# 2. --caps HOST alone: a host with no VMs shows the sidebar's empty
#    state; its "_Open Snapshot…" button answers Alt+O with the file
#    chooser.
# Screenshots go to LOG_DIR/test-sources-{errors,empty}.png.
#
# Usage: test-sources.sh KVMTUNE CAPS GOOD_DOMAIN [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool, xmllint or convert)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

usage="usage: test-sources.sh KVMTUNE CAPS GOOD_DOMAIN [LOG_DIR]"
app=${1:?$usage}
caps=${2:?$usage}
good=${3:?$usage}
logdir=${4:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint convert import

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-sources

cleanup ()
{
  stop_app
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$logdir"
good_name=$(xmllint --xpath 'string(/domain/name)' "$good")
[ -n "$good_name" ] || fail "$good has no /domain/name"

# <vcpu> is closed by </domain>: libxml2 reports line 5
broken="$tmp/broken.xml"
cat >"$broken" <<'EOF'
<domain type='kvm'>
  <name>broken-vm</name>
  <memory>1048576</memory>
  <vcpu>2
</domain>
EOF

# Pixels of libadwaita's light error colour (#c01c28) in the sidebar
sidebar_error_pixels ()   # SCREENSHOT
{
  convert "$1" -crop 340x1000+0+0 +repage -fuzz 15% \
    -fill black +opaque '#c01c28' -fill white -opaque '#c01c28' \
    -format '%[fx:int(mean*w*h+0.5)]' info:
}

file_chooser_open ()
{
  xdotool search --onlyvisible --name '^Open Snapshot$' >/dev/null
}

start_xvfb

# 1. One good and one broken domain file ---------------------------------

start_app "$app" --caps "$caps" --domain "$good" --domain "$broken"
wait_main_window
wait_geometry 150 "$good_name" 0 0
echo "ok - the map draws $good_name's vCPU 0"

if grep -q '^chip broken-vm ' "$tmp/geometry"; then
  fail "the map draws the broken file's VM"
fi
grep -q "broken.xml: not loaded: .*line 5" "$tmp/app.log" \
  || fail "kvmtune did not say that broken.xml was not loaded, with its line"
echo "ok - stderr names broken.xml and line 5"

sleep 0.5
screenshot errors
red=$(sidebar_error_pixels "$logdir/$shot-errors.png")
echo "# $red pixels of the error colour in the sidebar"
[ "$red" -ge 20 ] || fail "no error row in the sidebar ($red pixels of the error colour)"
echo "ok - the sidebar shows an error row"

xdotool key --clearmodifiers alt+o
sleep 1
if file_chooser_open; then
  fail "Alt+O opened the file chooser: the empty state shows although a VM loaded"
fi
echo "ok - no empty state with a VM"
stop_app

# 2. No domain file: the empty state -------------------------------------

rm -f "$tmp/geometry"
rm -rf "$tmp/run"
start_app "$app" --caps "$caps"
wait_main_window
wait_for 150 grep -q '^pu ' "$tmp/geometry" || fail "the canvas wrote no geometry for the host"
grep -q '^chip ' "$tmp/geometry" && fail "the map draws vCPUs of a host without VMs"
sleep 0.5
screenshot empty
red=$(sidebar_error_pixels "$logdir/$shot-empty.png")
[ "$red" -lt 20 ] || fail "an error row shows, but every file loaded ($red pixels)"

xdotool key --clearmodifiers alt+o
wait_for 50 file_chooser_open || fail "Alt+O did not open the file chooser: no empty state"
echo "ok - the empty state's Open Snapshot… button answers"
screenshot empty-open

echo "PASS"
exit 0
