#!/usr/bin/env bash
# The main job, after installing what it lacks:
#   1. builds libdbghelp.so and walks the bundled sample stacks (samples/:
#      x64, ARM64 and x86 states of real compiler output, each with the
#      frames the walk must give) with StackWalk64 on this host;
#   2. builds dbghelp.dll with mingw-w64 and runs Windows programs under Wine
#      that walk stacks through it: a crash handler (SymInitialize,
#      SymFunctionTableAccess64, SymGetModuleBase64, SymFromAddr) and a
#      program walking its own stack.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${DBGWALK_BUILD:-$root/build}
"$root/tools/setup.sh"

echo "== the bundled sample stacks, walked by libdbghelp.so"
cmake -S "$root" -B "$out/native" -DDBGWALK_TESTS=OFF -DDBGWALK_BENCH=OFF \
      -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$out/native" --target snapwalk -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
"$out/native/tools/snapwalk/snapwalk" "$root"/samples/*.dwsnap

echo
echo "== dbghelp.dll under Wine"
exec bash "$root/tests/wine/run-demo.sh" "$out/demo"
