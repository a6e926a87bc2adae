#!/usr/bin/env bash
# The main job for now: build dbghelp.dll with mingw-w64 and run a Windows
# program under Wine that walks its own stack through it. Installs what it
# lacks first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
exec bash "$root/tests/wine/run-demo.sh" "${DBGWALK_BUILD:-$root/build}/demo"
