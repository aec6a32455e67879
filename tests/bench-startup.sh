#!/bin/bash
# Window start-up: time from exec until the window with the map has painted
# its first frame, against an empty libadwaita window doing the same.
# Prints figures; asserts nothing.  Usage: bench-startup.sh KVMTUNE EMPTY SNAPSHOT
set -u
kvmtune=$1 empty=$2 snapshot=$3
runs=${BENCH_RUNS:-15}

display=
for n in $(seq 120 160); do
  if [ ! -e /tmp/.X11-unix/X$n ] && [ ! -e /tmp/.X$n-lock ]; then display=:$n; break; fi
done
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done

export DISPLAY=$display GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1
export KVMTUNE_BENCH_QUIT_AFTER_MAP=1

# Median wall time in ms of $runs runs of "$@"
median_ms() {
  local times=()
  "$@" >/dev/null 2>&1   # warm-up: page cache, fontconfig cache
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    timeout 30 "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }'
}

app=$(median_ms "$kvmtune" --snapshot "$snapshot")
floor=$(median_ms "$empty")
echo "window start-up, map of the demo host (64 PUs, 8 VMs): $app ms (median of $runs)"
echo "empty libadwaita window: $floor ms (median of $runs)"
awk -v a="$app" -v f="$floor" 'BEGIN { printf "start-up ratio kvmtune/empty: %.2f (target <= 1.3)\n", a / f }'
