#!/bin/bash
# run-xvfb.sh: runs a GTK test program on a private Xvfb
#
# For the g_test programs that need a display (test-field-row): starts Xvfb
# as the GUI tests do (common.sh), in a quiet private session, and runs
# the program with its arguments; its TAP output and exit status are the
# script's.
#
# Usage: run-xvfb.sh PROGRAM [ARGS...]
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

[ $# -ge 1 ] || { echo "usage: run-xvfb.sh PROGRAM [ARGS...]" >&2; exit 2; }

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! command -v Xvfb >/dev/null; then
  echo "1..0 # SKIP Xvfb not found"
  exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmtune-xvfb.XXXXXX")
logdir=$tmp
shot=run-xvfb

cleanup ()
{
  stop_xvfb
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

start_xvfb
mkdir -m 700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache"
export GDK_BACKEND=x11
export GSK_RENDERER=cairo
export GTK_A11Y=none
export NO_AT_BRIDGE=1
export GSETTINGS_BACKEND=memory
export DBUS_SESSION_BUS_ADDRESS=disabled:

"$@"
