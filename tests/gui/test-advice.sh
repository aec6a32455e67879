#!/bin/bash
# test-advice.sh: the Advice list under Xvfb with xdotool
#
# Opens a copy of the demo host, opens the Advice list from the header,
# clicks analytics's needless-node-span finding (the map highlights its
# pCPUs 18,50 and nodes 0,2), presses Fix and checks that its vCPUs 4 and
# 5 are drawn pending on CPUs 7 and 39, that one pending change per pin is
# counted and that the finding left the list.  Ctrl+S then saves, and
# xmllint checks the snapshot.  Last, Suggest Placement for All puts the
# planner's proposal in as pending chips, and Discard takes it back.
# Then the host's ksm-across-nodes finding: Fix makes ksm.merge_across_nodes
# 0 a pending host change (the finding goes, the header counts it), the
# Host view's Apply… previews and applies it, Ctrl+S saves it.
# The canvas writes its geometry to KVMTUNE_TEST_GEOMETRY, the Advice list
# to the same path with ".advice" (kt-window-advice.c).  Screenshots go to
# LOG_DIR/test-advice-*.png.
#
# Usage: test-advice.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool or xmllint)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

app=${1:?usage: test-advice.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
demo=${2:?usage: test-advice.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]}
logdir=${3:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-advice

cleanup ()
{
  stop_app
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail_details ()
{
  echo "--- advice geometry:"
  cat "$tmp/geometry.advice" 2>/dev/null
  echo "--- map geometry (pending, highlight):"
  grep -E '^(pending|highlight)' "$tmp/geometry" 2>/dev/null
}

advice_has ()   # REGEX: a line of the Advice list's geometry
{
  grep -qE "$1" "$tmp/geometry.advice"
}

map_has ()   # REGEX: a line of the map's geometry
{
  grep -qE "$1" "$tmp/geometry"
}

advice_xy ()   # REGEX: "X Y" of the first line that matches
{
  grep -E "$1" "$tmp/geometry.advice" | head -n1 | awk '{ print $(NF-1), $NF }'
}

click_advice ()   # REGEX
{
  local x y
  read -r x y < <(advice_xy "$1")
  [ -n "${x:-}" ] || fail "nothing in the Advice list matches '$1'"
  echo "# clicking '$1' at $x,$y"
  xdotool mousemove --window "$win" "$x" "$y"
  sleep 0.2
  xdotool click 1
}

# Clicks the finding "RULE VM" until it is selected: a popover still
# settling can swallow a first click
select_finding ()
{
  click_advice "^finding $1 "
  wait_for 20 advice_has "^selected $1" && return 0
  click_advice "^finding $1 "
  wait_for 50 advice_has "^selected $1"
}

pending_changes ()
{
  grep '^pending-changes ' "$tmp/geometry.advice" | cut -d' ' -f2
}

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
[ "$(vcpupin analytics inactive 4)" = 18 ] || fail "the demo's analytics vCPU 4 is no longer on CPU 18"

start_xvfb
start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window
wait_geometry 150 analytics 4 7

# The Advice button: counts by severity ----------------------------------

wait_for 100 advice_has '^button ' || fail "no Advice button in the header"
wait_for 50 advice_has '^counts [1-9][0-9]* ' || fail "the Advice button counts no error on the demo host"
echo "ok - the header counts $(grep '^counts' "$tmp/geometry.advice")"
[ "$(pending_changes)" = 0 ] || fail "changes pending before anything was done"

click_advice '^button '
wait_for 50 advice_has '^finding needless-node-span analytics ' \
  || fail "the Advice list does not show analytics's needless-node-span finding"
sleep 0.5
screenshot list

# Select: the map highlights what it concerns -----------------------------

select_finding 'needless-node-span analytics' || fail "the finding is not selected"
wait_for 50 map_has '^highlight analytics 18,50 0,2$' \
  || fail "the map does not highlight pCPUs 18,50 and nodes 0,2"
echo "ok - the map highlights analytics, pCPUs 18,50, nodes 0,2"
sleep 0.3
screenshot highlight

# Fix: pending, drawn on the map, the finding gone -------------------------

click_advice '^fix needless-node-span analytics '
wait_for 50 map_has '^pending analytics 4$' || fail "after Fix, analytics's vCPU 4 is not pending on the map"
map_has '^pending analytics 5$' || fail "after Fix, analytics's vCPU 5 is not pending on the map"
wait_for 50 chip_on_cpu analytics 4 7 40 || fail "analytics's vCPU 4 is not drawn on CPU 7"
chip_on_cpu analytics 5 39 40 || fail "analytics's vCPU 5 is not drawn on CPU 39"
echo "ok - analytics's vCPUs 4 and 5 are drawn pending on CPUs 7 and 39"
wait_for 50 eval '[ "$(pending_changes)" = 2 ]' || fail "pending changes: '$(pending_changes)', not 2"
echo "ok - 2 pending changes"
wait_for 50 eval '! advice_has "^finding needless-node-span analytics "' \
  || fail "the fixed finding is still listed"
echo "ok - the fixed finding left the list"
[ "$(vcpupin analytics inactive 4)" = 18 ] || fail "the file changed before saving"
sleep 0.5
screenshot fixed

# Save -------------------------------------------------------------------------

xdotool key --clearmodifiers Escape
sleep 0.5
xdotool mousemove --window "$win" 800 30
xdotool key --clearmodifiers ctrl+s
saved ()
{
  [ "$(vcpupin analytics inactive 4)" = 7 ]
}
wait_for 100 saved || fail "after Ctrl+S, analytics's inactive vcpupin 4 is '$(vcpupin analytics inactive 4)', not 7"
status=0
for def in live inactive; do
  for pair in 4:7 5:39 0:4; do
    v=${pair%%:*} want=${pair#*:}
    got=$(vcpupin analytics $def "$v")
    if [ "$got" = "$want" ]; then
      echo "ok - analytics $def vcpupin $v cpuset='$want'"
    else
      echo "not ok - analytics $def vcpupin $v cpuset='$got', expected $want"
      status=1
    fi
  done
done
[ "$status" = 0 ] || fail "the saved snapshot is wrong"

# Suggest Placement for All, then Discard -------------------------------------

before=$(pending_changes)   # a snapshot keeps the saved pins pending (not applied)
chips_before=$(grep -c '^pending ' "$tmp/geometry")
click_advice '^button '
wait_for 50 advice_has '^suggest-all ' || fail "no Suggest Placement for All button"
sleep 0.3
click_advice '^suggest-all '
sleep 1
screenshot policy
xdotool key --clearmodifiers Return
wait_for 100 eval '[ "$(pending_changes)" -gt "$before" ]' || fail "Suggest Placement put nothing pending"
wait_for 50 eval '[ "$(grep -c "^pending " "$tmp/geometry")" -gt "$chips_before" ]' \
  || fail "the proposal is not drawn as pending chips"
echo "ok - the proposal is pending: $(pending_changes) changes"
sleep 0.5
screenshot proposal
xdotool key --clearmodifiers Escape
wait_for 50 eval '[ "$(pending_changes)" = "$before" ]' \
  || fail "Discard left $(pending_changes) changes pending, not $before"
wait_for 50 eval '[ "$(grep -c "^pending " "$tmp/geometry")" = "$chips_before" ]' \
  || fail "pending chips left after Discard"
echo "ok - Discard took the proposal back"

# A host fix: pending in the Host view, applied there ---------------------------

tuning ()   # XPATH under host-tuning: its string value in the file
{
  xmllint --xpath "string(//host-tuning/$1)" "$tmp/host.kvmtune" 2>/dev/null
}

dialog_id ()   # TITLE: a visible window called that
{
  local d
  d=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n1)
  [ -n "$d" ] && echo "$d"
}

dialog_gone ()   # TITLE
{
  ! dialog_id "$1" >/dev/null
}

merge_is ()   # VALUE: the file's ksm merge_across_nodes
{
  [ "$(tuning 'ksm/@merge_across_nodes')" = "$1" ]
}

# Where the Host view's toggle and Apply… are at 1600×1000 (as in
# test-host-view.sh)
HOST_TOGGLE="464 26"
APPLY_BUTTON="1182 92"

merge_is 1 || fail "the demo host does not merge KSM pages across nodes (merge_across_nodes '$(tuning 'ksm/@merge_across_nodes')')"
advice_has '^pending-host ' && fail "host changes pending before the host fix"
before=$(pending_changes)
click_advice '^button '
wait_for 50 advice_has '^finding ksm-across-nodes - ' \
  || fail "the Advice list does not show the host's ksm-across-nodes finding"
sleep 0.3
# The host's findings are last: scroll the list down to them
read -r lx ly < <(advice_xy '^finding ksm-across-nodes - ')
for _ in 1 2 3 4 5 6; do
  [ "$ly" -lt 900 ] && break
  xdotool mousemove --window "$win" "$lx" 500 click 5 click 5 click 5 click 5 click 5
  sleep 0.3
  read -r lx ly < <(advice_xy '^finding ksm-across-nodes - ')
done
select_finding 'ksm-across-nodes -' || fail "the host finding is not selected"
wait_for 50 advice_has '^fix ksm-across-nodes - ' || fail "the host-only fix has no Fix button"
# Its details (the fix's host step) in sight, at the list's end
xdotool mousemove --window "$win" "$lx" 500 click 5 click 5 click 5 click 5 click 5
sleep 0.8
screenshot host-finding
click_advice '^fix ksm-across-nodes - '
wait_for 50 advice_has '^pending-host ksm.merge_across_nodes 0$' \
  || fail "after Fix, ksm.merge_across_nodes 0 is not a pending host change"
echo "ok - Fix made ksm.merge_across_nodes 0 a pending host change"
wait_for 50 eval '[ "$(pending_changes)" = "$((before + 1))" ]' \
  || fail "pending changes: '$(pending_changes)', not $((before + 1))"
echo "ok - the header counts it: $(pending_changes) pending changes"
wait_for 50 eval '! advice_has "^finding ksm-across-nodes "' \
  || fail "the host finding is still listed while its fix is pending"
echo "ok - the fixed host finding left the list"
merge_is 1 || fail "the fix changed the file before any apply"
sleep 0.5
screenshot host-fixed

# The Host view shows it pending; Apply… previews it, Return applies
xdotool key --clearmodifiers Escape
sleep 0.5
# shellcheck disable=SC2086
xdotool mousemove --window "$win" $HOST_TOGGLE click 1
wait_for 50 advice_has '^view host$' || fail "the Host toggle did not show the Host view"
sleep 1.5
screenshot host-pending
# shellcheck disable=SC2086
xdotool mousemove --window "$win" $APPLY_BUTTON click 1
wait_for 100 eval 'dialog_id "^Apply Host Tuning\?$" >/dev/null' \
  || fail "Apply… in the Host view opened no preview"
sleep 0.7
screenshot host-preview
merge_is 1 || fail "the preview changed the file"
xdotool key --clearmodifiers Return
wait_for 50 dialog_gone '^Apply Host Tuning\?$' || fail "Return did not apply the host preview"
wait_for 50 eval '! advice_has "^pending-host "' || fail "host changes still pending after the apply"
wait_for 50 eval '! advice_has "^finding ksm-across-nodes "' \
  || fail "the host finding came back after the apply"
echo "ok - applied: nothing pending on the host, the finding stays gone"
saved_merge ()
{
  merge_is 0
}
for _ in 1 2 3; do
  xdotool mousemove --window "$win" 800 30
  xdotool key --clearmodifiers ctrl+s
  wait_for 60 saved_merge && break
done
saved_merge || fail "after Ctrl+S the file's merge_across_nodes is '$(tuning 'ksm/@merge_across_nodes')', not 0"
echo "ok - saved: the snapshot's merge_across_nodes is 0"
echo "PASS"
exit 0
