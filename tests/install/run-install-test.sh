#!/usr/bin/env bash
# Installs dbgwalk into a temporary prefix with `cmake --install`, then builds
# a downstream program against it twice: through find_package(dbgwalk) and
# through pkg-config, and runs both (a walk and a symbol call linked from the
# installed libdbghelp.so). Usage: run-install-test.sh <build-dir> <source-root> <work-dir>
set -euo pipefail
build=$1 src=$(cd "$2" && pwd) work=$3
rm -rf "$work"; mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
lib=$(ls "$prefix"/lib*/libdbghelp.so.0 2>/dev/null | head -1 || true)
[ -n "$lib" ] || { echo "FAIL: no libdbghelp.so.0 installed"; cat "$work/install.log"; exit 1; }
for f in include/dbgwalk.h include/dbgwalk/surface.h; do
  [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
libdir=$(dirname "$lib")
echo "PASS: installed $(basename "$(readlink -f "$lib")") and the headers"

cmake -S "$src/tests/install/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
      >"$work/cmake.log" 2>&1 && cmake --build "$work/cmake" >>"$work/cmake.log" 2>&1 ||
  { cat "$work/cmake.log"; echo "FAIL: find_package consumer did not build"; exit 1; }
LD_LIBRARY_PATH=$libdir "$work/cmake/consumer" || { echo "FAIL: find_package consumer"; exit 1; }
echo "PASS: find_package(dbgwalk) consumer builds and runs"

if ! command -v pkg-config >/dev/null; then
  echo "SKIPPED: pkg-config not found"; exit 0
fi
export PKG_CONFIG_PATH=$libdir/pkgconfig
cc=${CC:-cc}
# shellcheck disable=SC2046
$cc -o "$work/pc-consumer" "$src/tests/install/consumer/main.c" $(pkg-config --cflags --libs dbgwalk) ||
  { echo "FAIL: pkg-config consumer did not build"; exit 1; }
LD_LIBRARY_PATH=$libdir "$work/pc-consumer" || { echo "FAIL: pkg-config consumer"; exit 1; }
echo "PASS: pkg-config dbgwalk consumer builds and runs"
