#!/usr/bin/env bash
# The whole test suite: installs what it lacks, then builds and tests
#   1. mingw-w64 x86_64 and i686 (optimised): dbghelp.dll and its import library;
#   2. clang, optimised, warnings as errors: unit and ABI suites, and the
#      concurrency tests under ThreadSanitizer;
#   3. gcc with AddressSanitizer + UndefinedBehaviorSanitizer: every suite
#      (unit, ABI, Wine drop-in, emulator, fuzz-input replay);
#   4. clang with libFuzzer: every fuzz target replays its seeds and
#      regression inputs, then fuzzes for DBGWALK_FUZZ_SECONDS (default 30).
# Build trees go to build/ (or $DBGWALK_BUILD). ctest fails when a build
# registered no tests, so an empty run can never pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${DBGWALK_BUILD:-$root/build}
jobs=$(nproc 2>/dev/null || echo 2)

"$root/tools/setup.sh"

configure_build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S "$root" -B "$dir" -DDBGWALK_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" >/dev/null
}

run_tests() { # dir, ctest args...
  local dir=$1; shift
  ctest --test-dir "$dir" -j"$jobs" --no-tests=error --output-on-failure "$@"
}

echo "== mingw-w64 x86_64 and i686: dbghelp.dll"
for target in x86_64 i686; do
  configure_build "$out/win-$target" -DDBGWALK_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-$target-w64-mingw32.cmake"
done

echo "== clang -O2: warnings as errors, unit and ABI suites"
CC=clang configure_build "$out/clang" -DCMAKE_BUILD_TYPE=Release
run_tests "$out/clang" -E '^(emu|wine)'

echo "== clang with ThreadSanitizer: the concurrency tests"
CC=clang configure_build "$out/tsan" -DDBGWALK_TSAN=ON -DDBGWALK_BENCH=OFF
run_tests "$out/tsan" -R '^unit_test_(threads|sym|memory)$'

echo "== gcc with ASan and UBSan: every suite"
CC=gcc configure_build "$out/gcc-asan" -DDBGWALK_SANITIZE=ON
run_tests "$out/gcc-asan"

echo "== clang with libFuzzer, ASan and UBSan: every fuzz target, ${DBGWALK_FUZZ_SECONDS:-30} s each"
CC=clang configure_build "$out/fuzz" -DDBGWALK_FUZZ=ON -DDBGWALK_TESTS=OFF -DDBGWALK_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDBGWALK_FUZZ_SECONDS="${DBGWALK_FUZZ_SECONDS:-30}"
run_tests "$out/fuzz"
