#!/bin/bash
# test-close.sh: closing the window with pending changes asks, and undo
# back to what was saved leaves nothing to ask about
#
# Opens a copy of the demo host and drags web1's vCPU 0 onto CPU 17, with
# real xdotool input under Xvfb:
#   1. undo (Ctrl+Z: the chip goes back), redo (Ctrl+Shift+Z: on CPU 17
#      again), Ctrl+W: "Save Changes?" (a snapshot file keeps pins; on a
#      connection it is "Apply Changes?") (screenshot LOG_DIR/test-close-prompt.png);
#      Escape (Cancel) keeps the window; Ctrl+W again, Alt+D (Discard)
#      closes it and kvmtune exits, the file untouched;
#   2. a new run: the drag, Ctrl+S, another drag (web1's vCPU 1 onto CPU
#      19), Ctrl+Z, then Ctrl+W closes at once (the undo went back to the
#      saved revision: nothing to lose);
#   3. a new run: No Page Sharing switched on in web1's tuning panel (an
#      edit a snapshot file cannot hold), Ctrl+W: "Apply Changes?"; Return
#      (Apply, the default) opens the apply dialog; Apply to Config Only
#      (running web1 cannot take it live) applies into the snapshot, which
#      is saved to its file, and the window closes; the file has web1's
#      <nosharepages/>.
#
# Usage: test-close.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]
# Exit: 0 passed, 1 failed, 77 skipped (no Xvfb, xdotool or xmllint)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

usage="usage: test-close.sh KVMTUNE DEMO_SNAPSHOT [LOG_DIR]"
app=${1:?$usage}
demo=${2:?$usage}
logdir=${3:-.}

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need_tools Xvfb xdotool xmllint

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-gui.XXXXXX")
shot=test-close

cleanup ()
{
  stop_app
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

xpath_nosharepages ()
{
  xmllint --xpath "//vm[@name='web1']/inactive/domain/memoryBacking/nosharepages" \
    "$tmp/host.kvmtune" 2>/dev/null
}

vcpupin ()   # VM live|inactive VCPU
{
  xmllint --xpath "string(//vm[@name='$1']/$2/domain/cputune/vcpupin[@vcpu='$3']/@cpuset)" \
    "$tmp/host.kvmtune"
}

app_gone ()
{
  ! kill -0 "$app_pid" 2>/dev/null
}

prompt_shows ()   # [HEADING]: the close prompt, or the one with that heading
{
  find_window "^${1:-(Apply|Save) Changes\\?}\$" >/dev/null
}

# A fresh app on the file, with web1's vCPU 0 dropped onto CPU 17
start_and_drop ()
{
  start_app "$app" --snapshot "$tmp/host.kvmtune"
  wait_main_window
  wait_geometry 150 web1 0 17
  drag_chip web1 0 17
  wait_for 50 chip_on_cpu web1 0 17 40 || fail "web1's vCPU 0 is not drawn on CPU 17 after the drop"
  xdotool mousemove --window "$win" 800 30
  sleep 0.3
}

# Waits for kvmtune to exit by itself, and forgets it
wait_app_exit ()   # WHAT
{
  if wait_for 100 app_gone; then
    wait "$app_pid" 2>/dev/null
    app_pid=
    ok "$1"
  else
    not_ok "$1: kvmtune is still running"
    stop_app
  fi
  rm -rf "$tmp/run"
}

mkdir -p "$logdir"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"
cp "$tmp/host.kvmtune" "$tmp/before"
before=$(vcpupin web1 inactive 0)
[ "$before" != 17 ] || fail "the demo host already pins web1's vCPU 0 to CPU 17"

start_xvfb

# 1. Undo, redo, then the prompt: Cancel keeps the window, Discard closes

start_and_drop
key ctrl+z
wait_for 50 chip_on_cpu web1 0 17 40 && sleep 1
if chip_on_cpu web1 0 17 40; then not_ok "Ctrl+Z: web1's vCPU 0 is still on CPU 17"; else ok "Ctrl+Z undid the drop"; fi
key ctrl+shift+z
if wait_for 50 chip_on_cpu web1 0 17 40; then ok "Ctrl+Shift+Z redid it"; else not_ok "Ctrl+Shift+Z: web1's vCPU 0 is not back on CPU 17"; fi

key ctrl+w
wait_for 50 prompt_shows 'Save Changes\?' || fail "Ctrl+W with a pending drop: no “Save Changes?” prompt"
ok "Ctrl+W with a pending drop asks to save it (a snapshot file keeps pins)"
sleep 0.5
screenshot prompt

key Escape
sleep 1
if prompt_shows; then not_ok "Escape did not close the prompt"; else ok "Escape (Cancel) closed the prompt"; fi
if app_gone || ! find_window '^KvmTune$' >/dev/null; then
  fail "Cancel closed the window"
fi
ok "Cancel kept the window"
chip_on_cpu web1 0 17 40 || not_ok "after Cancel the drop is not on the map any more"

xdotool windowfocus --sync "$win" 2>/dev/null || true
key ctrl+w
wait_for 50 prompt_shows || fail "the second Ctrl+W: no prompt"
sleep 0.5
key alt+d
wait_app_exit "Discard closed the window and kvmtune exited"
if cmp -s "$tmp/host.kvmtune" "$tmp/before"; then ok "the file is untouched"; else not_ok "Discard changed the file"; fi

# 2. Undo back to the saved revision: nothing to ask.  Saved with one drop,
#    then another drop undone: what is there is what was saved

start_and_drop
key ctrl+s
wait_for 100 test "$(vcpupin web1 inactive 0)" = 17 || fail "Ctrl+S did not save the drop"
drag_chip web1 1 19
wait_for 50 chip_on_cpu web1 1 19 40 || fail "web1's vCPU 1 is not drawn on CPU 19 after the drop"
xdotool mousemove --window "$win" 800 30
key ctrl+z
sleep 1
chip_on_cpu web1 1 19 40 && not_ok "Ctrl+Z: web1's vCPU 1 is still on CPU 19"
screenshot undone
key ctrl+w
sleep 1
if prompt_shows; then
  screenshot undone-prompt
  not_ok "after undoing back to what was saved, Ctrl+W still asks"
  key alt+d
fi
wait_app_exit "saved, a drop undone: Ctrl+W closed at once"
cp "$demo" "$tmp/host.kvmtune"
chmod u+w "$tmp/host.kvmtune"

# 3. An edit made in the tuning panel (No Page Sharing on web1): a
#    snapshot file cannot keep it, so Apply, into the snapshot, then saved

start_app "$app" --snapshot "$tmp/host.kvmtune"
wait_main_window
wait_geometry 150 web1 0 17
[ -z "$(xpath_nosharepages)" ] || fail "web1 already has nosharepages"
xdotool mousemove --window "$win" 70 119 click 1
sleep 1
xdotool mousemove --window "$win" 1544 907 click 1
sleep 0.7
screenshot edit
xdotool mousemove --window "$win" 800 30
key ctrl+w
wait_for 50 prompt_shows 'Apply Changes\?' || fail "Ctrl+W with a pending No Page Sharing edit: no “Apply Changes?” prompt"
ok "Ctrl+W with an edit made in the panel asks to apply it"
sleep 0.5
screenshot apply-prompt
key Return
dialog=
for _ in $(seq 100); do
  dialog=$(find_window '^Apply to web1$') && break
  sleep 0.1
done
[ -n "$dialog" ] || fail "Apply in the prompt opened no apply dialog for web1"
ok "Apply opened the apply dialog"
sleep 0.5
screenshot apply-dialog
# Running web1 cannot take a memory backing change live: Apply to Config Only
xdotool mousemove --window "$dialog" 590 382 click 1
wait_app_exit "applied into the snapshot, saved and closed"
if [ -n "$(xpath_nosharepages)" ]; then
  ok "the file has web1's nosharepages"
else
  not_ok "web1 has no nosharepages in the file"
fi

[ "$status" = 0 ] || fail "closing with pending changes"
echo "PASS"
exit 0
