#!/usr/bin/env bash
# Fuzzes every target for a long time (locally, not in CI), then minimises
# each finding into tests/fuzz/regressions/<target>/, which the normal suite
# replays from then on.
#
#   tests/fuzz/fuzz-long.sh [MINUTES-PER-TARGET] [JOBS]
#
# Defaults: 60 minutes per target, one job per core. Builds the libFuzzer
# configuration in build/fuzz (or $DBGWALK_BUILD/fuzz) with clang. Prints,
# per target, executions, coverage and findings; exits 1 if anything was
# found (the minimised inputs are then in regressions/, to be fixed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
minutes=${1:-60}
jobs=${2:-$(nproc 2>/dev/null || echo 2)}
out=${DBGWALK_BUILD:-$root/build}/fuzz

CC=clang cmake -S "$root" -B "$out" -DDBGWALK_FUZZ=ON -DDBGWALK_TESTS=OFF \
  -DDBGWALK_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out" -j"$jobs" >/dev/null

found=0
for fuzzer in "$out"/tests/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  name=$(basename "$fuzzer"); short=${name#fuzz_}
  corpus=$out/long-corpus/$short crashes=$out/long-crashes/$short
  mkdir -p "$corpus" "$crashes"
  cp -n "$out/tests/fuzz/seeds/$short"/* "$corpus"/ 2>/dev/null || true
  log=$out/long-$short.log
  echo "== $name: $minutes min, $jobs jobs"
  "$fuzzer" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time=$((minutes * 60)) -timeout=60 -rss_limit_mb=2048 -max_len=262144 \
    -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1 || true
  # the fork-mode driver's last status line: executions, coverage, corpus
  grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 | sed "s/^/   $name /" || true
  for crash in "$crashes"/*; do
    [ -f "$crash" ] || continue
    found=$((found + 1))
    dest=$here/regressions/$short/$(basename "$crash")
    mkdir -p "$(dirname "$dest")"
    "$fuzzer" -minimize_crash=1 -max_total_time=120 -exact_artifact_path="$dest" "$crash" \
      >/dev/null 2>&1 || cp "$crash" "$dest"
    echo "   finding: $dest"
  done
done
echo "fuzz-long: $found findings"
[ "$found" -eq 0 ]
