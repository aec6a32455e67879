#!/bin/bash
# run-fuzz.sh: runs libFuzzer harnesses for a fixed time each.
#
# Usage: run-fuzz.sh BUILDDIR SRCDIR NAME=SEEDDIR[,SEEDDIR...]...
#   BUILDDIR  where fuzz-NAME was built (tests/fuzz in a clang build)
#   SRCDIR    the source tree (for tests/fuzz/NAME.dict)
# Environment: KT_FUZZ_SECONDS (default 25) per harness; KT_FUZZ_LOGDIR
# (default BUILDDIR/fuzz-logs) for logs, new corpus entries and crash
# inputs. The seed directories are only read: libFuzzer writes what it
# finds into a fresh corpus directory under KT_FUZZ_LOGDIR.
# Prints runs and executions per second for each (also into
# KT_FUZZ_LOGDIR/summary.txt); exits 1 if any crashed.
set -u

builddir=${1:?usage: run-fuzz.sh BUILDDIR SRCDIR NAME=SEEDS...}
srcdir=${2:?usage: run-fuzz.sh BUILDDIR SRCDIR NAME=SEEDS...}
shift 2
seconds=${KT_FUZZ_SECONDS:-25}
logdir=${KT_FUZZ_LOGDIR:-$builddir/fuzz-logs}
mkdir -p "$logdir" || exit 2

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export G_SLICE=always-malloc LC_ALL=C.UTF-8

summary=$logdir/summary.txt
: > "$summary"
failed=()
for spec in "$@"; do
  name=${spec%%=*}
  IFS=, read -r -a seeds <<< "${spec#*=}"
  exe=$builddir/fuzz-$name
  corpus=$logdir/corpus-$name
  log=$logdir/fuzz-$name.log
  rm -rf "$corpus"
  mkdir -p "$corpus"
  rm -f "$logdir/$name-"crash-* "$logdir/$name-"leak-* "$logdir/$name-"timeout-* \
        "$logdir/$name-"oom-*

  args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048
        -artifact_prefix="$logdir/$name-")
  dict=$srcdir/tests/fuzz/$name.dict
  [ -f "$dict" ] && args+=(-dict="$dict")

  existing=()
  for s in "${seeds[@]}"; do
    [ -d "$s" ] && existing+=("$s")
  done

  "$exe" "${args[@]}" "$corpus" "${existing[@]}" > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  units=$(find "$corpus" -type f | wc -l)
  printf 'fuzz-%-9s %3ss: %8s runs, %6s exec/s, %5s new corpus units, exit %s\n' \
    "$name" "$seconds" "${runs:-?}" "${speed:-?}" "$units" "$rc" | tee -a "$summary"
  if [ "$rc" -ne 0 ]; then
    failed+=("$name")
    echo "--- fuzz-$name failed; the end of $log:"
    grep -av '^#[0-9]' "$log" | tail -n 40
    for a in "$logdir/$name-"*; do
      [ -f "$a" ] && echo "--- input kept: $a (replay: $exe $a)"
    done
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzz: ${failed[*]} failed"
  exit 1
fi
exit 0
