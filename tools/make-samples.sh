#!/usr/bin/env bash
# Regenerates samples/*.dwsnap: one checked state of the emulator proof's
# programs per architecture, written by tests/emu's runner. Run after
# building with tests (the emu images are built by their ctest tests):
#   cmake -S . -B build && cmake --build build && ctest --test-dir build -R emu_build
#   bash tools/make-samples.sh build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
runner=$build/tests/emu/emu_runner
images=$build/tests/emu/images
mkdir -p "$root/samples"
snap() { # image depth sample
  "$runner" --mode exact --snapshot "$root/samples/$3.dwsnap" --snapshot-depth "$2" \
    "$images/$1.exe" | grep -E '^(snapshot|PASS|FAIL)'
}
snap x64_clang_O2 24 x64-clang-O2
snap x64_mingw_O1 20 x64-mingw-O1
snap arm64_clang_O2 24 arm64-clang-O2
snap arm64_clang_Os_packed 20 arm64-clang-Os-packed
snap x86_clang_O2-fp 20 x86-clang-O2-fp
