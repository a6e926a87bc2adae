#!/usr/bin/env bash
# The whole test suite: installs what it lacks, then builds and tests
#   1. gcc with AddressSanitizer + UndefinedBehaviorSanitizer: every suite;
#   2. clang: warnings as errors, unit and ABI suites;
#   3. mingw-w64 x86_64 and i686: dbghelp.dll and its import library.
# Build trees go to build/ (or $DBGWALK_BUILD).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${DBGWALK_BUILD:-$root/build}
jobs=$(nproc 2>/dev/null || echo 2)

"$root/tools/setup.sh"

configure_build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S "$root" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" >/dev/null
}

echo "== mingw-w64 x86_64 and i686: dbghelp.dll"
for target in x86_64 i686; do
  configure_build "$out/win-$target" -DDBGWALK_TESTS=OFF \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-$target-w64-mingw32.cmake"
done

echo "== clang: warnings as errors, unit and ABI suites"
CC=clang configure_build "$out/clang"
ctest --test-dir "$out/clang" -j"$jobs" -E '^(emu|wine)' --output-on-failure

echo "== gcc with ASan and UBSan: every suite"
CC=gcc configure_build "$out/gcc-asan" -DDBGWALK_SANITIZE=ON
ctest --test-dir "$out/gcc-asan" -j"$jobs" --output-on-failure
