#!/usr/bin/env bash
# The main job: build dbghelp.dll with mingw-w64 and run Windows programs
# under Wine that walk stacks through it (a crash handler, a self-walk). Installs what it
# lacks first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
exec bash "$root/tests/wine/run-demo.sh" "${DBGWALK_BUILD:-$root/build}/demo"
