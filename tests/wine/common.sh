# shellcheck shell=bash
# Shared by the run-*.sh scripts here (sourced, not run).
#
#   wine_init <source-root> <work-dir>   set the paths below, check the tools
#   wine_build_dll                        our x86_64 dbghelp.dll -> $WINE_DLL
#   wine_build_exe <name> <cflags...>     selfwalk.c -> $WINE_BIN/<name>.exe,
#                                         with our dbghelp.dll copied next to it
#   wine_build_src <name> <source> <cflags...>
#                                         the same for another source file
#   wine_prefix                           a private WINEPREFIX, booted once
#   wine_run <log> <override> <exe> [args...]
#                                         run an exe in $WINE_BIN under Wine with
#                                         WINEDLLOVERRIDES=dbghelp=<override>
#   wine_finish                           wait for this prefix's wineserver to exit
#
# For the scripts that report PASS/FAIL lines:
#   wine_pass <text> / wine_fail <text>   a PASS or FAIL line (wine_fail counts)
#   wine_verdict <test>                   wine_finish, then "<test>: PASS", or
#                                         exit 1 after any wine_fail
#   wine_field <log> <key>                the value of the log's "KEY value" line
#   wine_compare_to_main <name> <ours-log> <builtin-log>
#                                         our walk's PCs against Wine's builtin's,
#                                         up to and including main
#
# Environment:
#   DBGWALK_WIN64_DLL  an existing x86_64 dbghelp.dll to use instead of building one
#   WINE               the wine launcher (default: wine)

wine_log() { printf '[wine] %s\n' "$*"; }
wine_die() { printf '[wine] ERROR: %s\n' "$*" >&2; exit 1; }

wine_init() { # source-root work-dir
  WINE_SRC=$(cd "$1" && pwd)
  mkdir -p "$2"
  WINE_WORK=$(cd "$2" && pwd)
  WINE_BIN=$WINE_WORK/bin
  WINE_MINGW_GCC=${WINE_MINGW_GCC:-x86_64-w64-mingw32-gcc}
  WINE=${WINE:-wine}
  local tool
  for tool in cmake "$WINE_MINGW_GCC" "$WINE" wineserver timeout; do
    command -v "$tool" >/dev/null 2>&1 || wine_die "'$tool' not found"
  done
  mkdir -p "$WINE_BIN"
  # Quiet Wine: no debug channels (this also silences the Debian launcher's
  # "wine32 is missing" hint, which only matters for 32-bit programs).
  export WINEDEBUG=-all
  export WINEPREFIX=$WINE_WORK/prefix
  export WINEARCH=win64
}

# Our x86_64 dbghelp.dll, built with the mingw-w64 toolchain file.
wine_build_dll() {
  if [ -n "${DBGWALK_WIN64_DLL:-}" ]; then
    [ -f "$DBGWALK_WIN64_DLL" ] || wine_die "DBGWALK_WIN64_DLL=$DBGWALK_WIN64_DLL does not exist"
    WINE_DLL=$DBGWALK_WIN64_DLL
    wine_log "using DBGWALK_WIN64_DLL=$WINE_DLL"
    return
  fi
  local dir=$WINE_WORK/dll log=$WINE_WORK/dll-build.log
  wine_log "building dbghelp.dll (x86_64, mingw-w64) in $dir"
  # A clean environment for the cross build: the host's compiler and flags
  # (CC=clang, sanitizer CFLAGS, ...) must not leak into it.
  if ! env -u CC -u CFLAGS -u LDFLAGS -u CPPFLAGS \
      cmake -S "$WINE_SRC" -B "$dir" -DDBGWALK_TESTS=OFF \
            -DCMAKE_TOOLCHAIN_FILE="$WINE_SRC/cmake/toolchain-x86_64-w64-mingw32.cmake" \
            >"$log" 2>&1 ||
     ! env -u CC -u CFLAGS -u LDFLAGS -u CPPFLAGS \
      cmake --build "$dir" -j"$(nproc 2>/dev/null || echo 2)" >>"$log" 2>&1; then
    cat "$log" >&2
    wine_die "building dbghelp.dll failed"
  fi
  WINE_DLL=$dir/dbghelp.dll
  [ -f "$WINE_DLL" ] || wine_die "no $WINE_DLL after the build"
}

# selfwalk.c, linked against mingw-w64's own import library (-ldbghelp), as
# any program written against <dbghelp.h> would be.
wine_build_exe() { # name cflags...
  local name=$1; shift
  wine_build_src "$name" "$WINE_SRC/tests/wine/selfwalk.c" "$@"
}

wine_build_src() { # name source cflags...
  local name=$1 source=$2; shift 2
  "$WINE_MINGW_GCC" -std=c11 -Wall -Wextra -Werror "$@" \
    -o "$WINE_BIN/$name.exe" "$source" -ldbghelp ||
    wine_die "compiling $name.exe failed"
  cp -f "$WINE_DLL" "$WINE_BIN/dbghelp.dll"
}

# A private prefix, created by `wineboot -i` on first use. Wine refuses a
# prefix that is not owned by the user running it (a root-owned one when not
# root, or one left by another user): such a prefix, or one whose boot never
# finished, is made anew.
wine_prefix() {
  if [ -e "$WINEPREFIX" ] && { [ ! -O "$WINEPREFIX" ] || [ ! -f "$WINEPREFIX/.dbgwalk-booted" ]; }; then
    wine_log "discarding unusable prefix $WINEPREFIX"
    rm -rf "$WINEPREFIX"
  fi
  if [ ! -f "$WINEPREFIX/.dbgwalk-booted" ]; then
    wine_log "creating the Wine prefix $WINEPREFIX (first run only; takes a little while)"
    # No Mono/Gecko install prompts during the boot.
    if ! WINEDLLOVERRIDES="mscoree,mshtml=" timeout 300 wineboot -i \
        >"$WINE_WORK/wineboot.log" 2>&1; then
      cat "$WINE_WORK/wineboot.log" >&2
      wine_die "wineboot -i failed"
    fi
    timeout 300 wineserver -w || wine_die "wineserver -w did not finish"
    [ -f "$WINEPREFIX/system.reg" ] || wine_die "wineboot left no $WINEPREFIX/system.reg"
    touch "$WINEPREFIX/.dbgwalk-booted"
  fi
}

wine_run() { # log override exe args...
  local log=$1 override=$2 exe=$3; shift 3
  local rc=0
  ( cd "$WINE_BIN" &&
    WINEDLLOVERRIDES="dbghelp=$override" timeout 120 "$WINE" "$exe" "$@" ) \
    >"$log" 2>"$log.stderr" || rc=$?
  return "$rc"
}

wine_finish() {
  timeout 60 wineserver -w 2>/dev/null || true
}

wine_failures=0
wine_fail() { echo "FAIL: $*"; wine_failures=$((wine_failures + 1)); }
wine_pass() { echo "PASS: $*"; }

wine_verdict() { # test
  wine_finish
  if [ "$wine_failures" -ne 0 ]; then
    echo "$1: $wine_failures failure(s)"
    exit 1
  fi
  echo "$1: PASS"
}

wine_field() { # log key
  sed -n "s/^$2 //p" "$1" | head -n1
}

# From the programs' "PC <index> <pc> <module+rva> <label>" lines. Both walks
# must reach main with the same PCs; the frames after it (CRT start-up,
# kernel32, ntdll) are Wine's own and only printed.
wine_compare_to_main() { # name ours-log builtin-log
  local name=$1 ours=$2 builtin=$3 log
  echo "==== $name.exe: PCs up to and including main, ours vs Wine's builtin"
  for log in "$ours" "$builtin"; do
    awk '/^PC / { print $2, $3, $5; if ($5 == "main") exit }' "$log" >"$log.pcs"
  done
  awk 'FILENAME == ARGV[1] { o[FNR] = $2; of[FNR] = $3; n = FNR; next }
       { b[FNR] = $2; bf[FNR] = $3; if (FNR > n) n = FNR }
       END {
         printf "    %-3s %-20s %-10s %-20s %-10s\n", "#", "ours", "", "builtin", ""
         for (i = 1; i <= n; i++)
           printf "    %-3d %-20s %-10s %-20s %-10s %s\n", i - 1, o[i] ? o[i] : "-", of[i],
                  b[i] ? b[i] : "-", bf[i], (o[i] == b[i] && of[i] == bf[i]) ? "same" : "DIFFERENT"
       }' "$ours.pcs" "$builtin.pcs"
  if ! grep -q ' main$' "$ours.pcs"; then
    wine_fail "$name.exe: our walk did not reach main"
  elif ! grep -q ' main$' "$builtin.pcs"; then
    wine_fail "$name.exe: Wine's builtin walk did not reach main"
  elif ! cmp -s "$ours.pcs" "$builtin.pcs"; then
    wine_fail "$name.exe: our PCs up to main differ from Wine's builtin"
  else
    wine_pass "$name.exe: same PCs as Wine's builtin up to and including main ($(wc -l <"$ours.pcs") frames)"
  fi
}
