#!/usr/bin/env bash
# tests/abi/check-layout.sh — prove that dbgwalk's Linux types are
# byte-identical to mingw-w64's.
#
# tests/abi/layout.c turns the size, alignment, every field's offset and size,
# the bitfield placement and the value of every constant of the DbgHelp types
# into an object file (symbol sizes, plus the section "abibits"). This script
# compiles it against mingw-w64's headers (x86_64 and i686) and against our
# Linux header (gcc native and gcc -m32, optionally another native compiler),
# turns each object into a table and compares the tables. It also checks
# ARM64_NT_CONTEXT against the offsets documented in the contract (mingw-w64
# <= 10 has no ARM64_NT_CONTEXT of its own), syntax-checks src/abi_asserts.c
# on 64- and 32-bit hosts, compiles <dbgwalk.h> with both mingw compilers
# under -Werror, and finally breaks a copy of the header to prove the
# comparison notices.
#
# Usage: check-layout.sh [--src DIR] [--work DIR] [--mingw64 CC] [--mingw32 CC]
#                        [--gcc CC] [--cc CC] [--include DIR] [--no-selftest]
#   --src      project root (default: two levels above this script)
#   --work     scratch directory (default: a fresh temporary directory)
#   --mingw64  x86_64 mingw-w64 compiler (default x86_64-w64-mingw32-gcc)
#   --mingw32  i686 mingw-w64 compiler   (default i686-w64-mingw32-gcc)
#   --gcc      native gcc, used 64-bit and with -m32 (default gcc)
#   --cc       an additional native compiler (e.g. the build's clang); checked
#              64-bit, and with -m32 if it can compile for i386
#   --include  the Linux-side include directory (default SRC/include)
#   --no-selftest  skip the mutated-header checks
#
# Prints one PASS/FAIL/KNOWN/NOTE line per check; exits 1 on any FAIL.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
work=""
mingw64=x86_64-w64-mingw32-gcc
mingw32=i686-w64-mingw32-gcc
gcc_cc=gcc
extra_cc=""
linux_inc=""
selftest=1

while [ $# -gt 0 ]; do
    case "$1" in
    --src) src=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --mingw64) mingw64=$2; shift 2 ;;
    --mingw32) mingw32=$2; shift 2 ;;
    --gcc) gcc_cc=$2; shift 2 ;;
    --cc) extra_cc=$2; shift 2 ;;
    --include) linux_inc=$2; shift 2 ;;
    --no-selftest) selftest=0; shift ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "check-layout.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

[ -n "$linux_inc" ] || linux_inc=$src/include
# An extra compiler that is just gcc again adds nothing.
if [ -n "$extra_cc" ]; then
    a=$(command -v "$extra_cc" 2>/dev/null) && a=$(readlink -f "$a")
    b=$(command -v "$gcc_cc" 2>/dev/null) && b=$(readlink -f "$b")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        extra_cc=""
    fi
fi
if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/dbgwalk-abi.XXXXXX")
fi
mkdir -p "$work"
layout_c=$here/layout.c

failures=0
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
note() { printf 'NOTE: %s\n' "$*"; }
indent() { sed 's/^/      /'; }

# Differences between mingw-w64 and our header that are deliberate (each is
# documented in ../shared/spec/contract.md). Key: "subject kind"; a row here is
# reported as KNOWN with both values instead of failing.
known_reason() {
    case "$1" in
    "API_VERSION_NUMBER const")
        echo "SDK says 12, mingw-w64 says 11 (contract 1.1/3.6); our Linux header follows the SDK" ;;
    *) return 1 ;;
    esac
}

# ---------------------------------------------------------------------------
# Building the tables
# ---------------------------------------------------------------------------

# symbols OBJ: the layout facts in OBJ's symbol table, one
# "group<TAB>subject<TAB>kind<TAB>value" line each.
symbols() {
    nm -P -t d "$1" | awk '
        BEGIN { OFS = "\t"; bad = 0 }
        {
            name = $1
            sub(/^_/, "", name)            # i686 COFF symbol prefix
            if (name !~ /^(abi|abi64|abiplain|abimeta)_/) next
            if ($2 != "C" && NF < 4) { print "no size for " $1 > "/dev/stderr"; bad = 1; next }
            n = (NF >= 4) ? $4 + 0 : $3 + 0  # COFF commons: the value is the size
            group = name; sub(/_.*/, "", group)
            rest = substr(name, length(group) + 2)
            kind = rest; sub(/__.*/, "", kind)
            rest = substr(rest, length(kind) + 3)
            if (kind == "size" || kind == "align") {
                print group, rest, kind, sprintf("0x%x", n)
            } else if (kind == "off" || kind == "fsize") {
                subj = rest; sub(/__/, ".", subj)
                print group, subj, (kind == "off" ? "offset" : "fsize"), sprintf("0x%x", kind == "off" ? n - 1 : n)
            } else if (kind == "const") {
                k = rest; sub(/.*__w/, "", k)
                c = rest; sub(/__w[0-3]$/, "", c)
                chunk[group "\t" c, k] = n - 1
                consts[group "\t" c] = 1
            } else if (group == "abimeta") {
                print group, name, "meta", "1"
            } else {
                print "unknown symbol " $1 > "/dev/stderr"; bad = 1
            }
        }
        END {
            for (c in consts)
                print c, "const", sprintf("0x%04x%04x%04x%04x", chunk[c, 3], chunk[c, 2], chunk[c, 1], chunk[c, 0])
            exit bad
        }'
}

# bitfield_records OBJ: the "abibits" records as table lines (group abi; the
# subject is e.g. "FPO_DATA.cbFrame=1", the value the structure's bytes).
bitfield_records() {
    local bin=$1.abibits
    objcopy -O binary --only-section=abibits "$1" "$bin" || return 1
    [ -s "$bin" ] || { echo "empty abibits section in $1" >&2; return 1; }
    od -An -v -tx1 -w80 "$bin" | awk '
        BEGIN {
            OFS = "\t"; hex = "0123456789abcdef"
            for (i = 32; i < 127; i++) chr[sprintf("%02x", i)] = sprintf("%c", i)
        }
        NF == 0 { next }
        NF != 80 { print "bad abibits record" > "/dev/stderr"; exit 1 }
        {
            name = ""
            for (i = 1; i <= 64 && $i != "00"; i++) name = name chr[$i]
            bytes = ""
            for (i = 65; i <= 80; i++) bytes = bytes (i > 65 ? "." : "") $i
            print "abi", name, "bits", bytes
        }'
}

# table NAME CC [FLAGS...]: compile layout.c with CC and write $work/NAME.tab.
# The include path is $inc (the caller sets it).
table() {
    local name=$1
    shift
    local obj=$work/$name.o
    if ! "$@" -std=c11 -fcommon -c -I"$inc" "$layout_c" -o "$obj" 2>"$work/$name.err"; then
        fail "$name: compiling layout.c with '$*' failed"
        indent <"$work/$name.err"
        return 1
    fi
    if ! { symbols "$obj" && bitfield_records "$obj"; } 2>"$work/$name.err" | sort >"$work/$name.tab" ||
        [ -s "$work/$name.err" ]; then
        fail "$name: reading the layout from $obj failed"
        indent <"$work/$name.err"
        return 1
    fi
    local rows
    rows=$(wc -l <"$work/$name.tab")
    if [ "$rows" -lt 400 ]; then # a broken reader must not make every comparison vacuous
        fail "$name: only $rows layout rows read from $obj (expected several hundred)"
        return 1
    fi
    return 0
}

# select TAB GROUP...: the rows of TAB in the given groups.
select_groups() {
    local tab=$1
    shift
    local re
    re="^($(IFS='|'; echo "$*"))	"
    grep -E "$re" "$tab" || true
}

# compare LABEL REF_NAME REF_ROWS OURS_NAME OURS_ROWS: compare two row sets
# (files) field by field; PASS, or FAIL with one line per difference.
compare() {
    local label=$1 refname=$2 ref=$3 oursname=$4 ours=$5
    local report=$work/compare.$$.txt rows
    rows=$(wc -l <"$ref")
    awk -F'\t' -v refname="$refname" -v oursname="$oursname" '
        NR == FNR { r[$1 "\t" $2 "\t" $3] = $4; next }
        { o[$1 "\t" $2 "\t" $3] = $4 }
        END {
            for (k in r) {
                split(k, p, "\t")
                if (!(k in o)) print "MISSING", p[2], p[3], r[k], "-"
                else if (r[k] != o[k]) print "MISMATCH", p[2], p[3], r[k], o[k]
            }
            for (k in o) if (!(k in r)) { split(k, p, "\t"); print "EXTRA", p[2], p[3], "-", o[k] }
        }' "$ref" "$ours" | sort -k2,2 -k3,3 >"$report"

    local line status subject kind refval oursval reason bad=0
    while read -r status subject kind refval oursval; do
        if reason=$(known_reason "$subject $kind"); then
            printf 'KNOWN: %s: %s %s: %s=%s %s=%s (%s)\n' "$label" "$subject" "$kind" \
                "$refname" "$refval" "$oursname" "$oursval" "$reason"
            continue
        fi
        bad=$((bad + 1))
        case "$status" in
        MISSING) line="$subject $kind: $refname=$refval, missing from $oursname" ;;
        EXTRA) line="$subject $kind: $oursname=$oursval, missing from $refname" ;;
        *) line="$subject $kind: $refname=$refval $oursname=$oursval" ;;
        esac
        printf '      %s\n' "$line"
    done <"$report" >"$report.lines"
    grep -v '^KNOWN:' "$report.lines" >"$report.bad" || true
    grep '^KNOWN:' "$report.lines" || true
    if [ "$bad" -eq 0 ]; then
        pass "$label: $rows rows identical"
    else
        fail "$label: $bad difference(s)"
        cat "$report.bad"
    fi
    rm -f "$report" "$report.lines" "$report.bad"
    [ "$bad" -eq 0 ]
}

# ---------------------------------------------------------------------------
# The documented ARM64_NT_CONTEXT (contract.md 7.4)
# ---------------------------------------------------------------------------
arm64_documented() {
    local n
    printf 'ARM64_NT_CONTEXT\tsize\t0x390\n'
    printf 'ARM64_NT_CONTEXT\talign\t0x10\n'
    printf 'ARM64_NT_CONTEXT.ContextFlags\toffset\t0x0\n'
    printf 'ARM64_NT_CONTEXT.Cpsr\toffset\t0x4\n'
    printf 'ARM64_NT_CONTEXT.X\toffset\t0x8\n'
    printf 'ARM64_NT_CONTEXT.X\tfsize\t0xf8\n'          # DWORD64 X[31]
    for n in $(seq 0 28); do
        printf 'ARM64_NT_CONTEXT.X%d\toffset\t0x%x\n' "$n" $((0x8 + 8 * n))
    done
    printf 'ARM64_NT_CONTEXT.Fp\toffset\t0xf0\n'
    printf 'ARM64_NT_CONTEXT.Lr\toffset\t0xf8\n'
    printf 'ARM64_NT_CONTEXT.Sp\toffset\t0x100\n'
    printf 'ARM64_NT_CONTEXT.Pc\toffset\t0x108\n'
    printf 'ARM64_NT_CONTEXT.V\toffset\t0x110\n'
    printf 'ARM64_NT_CONTEXT.V\tfsize\t0x200\n'         # ARM64_NT_NEON128 V[32]
    printf 'ARM64_NT_CONTEXT.Fpcr\toffset\t0x310\n'
    printf 'ARM64_NT_CONTEXT.Fpsr\toffset\t0x314\n'
    printf 'ARM64_NT_CONTEXT.Bcr\toffset\t0x318\n'
    printf 'ARM64_NT_CONTEXT.Bcr\tfsize\t0x20\n'        # DWORD Bcr[8]
    printf 'ARM64_NT_CONTEXT.Bvr\toffset\t0x338\n'
    printf 'ARM64_NT_CONTEXT.Bvr\tfsize\t0x40\n'        # DWORD64 Bvr[8]
    printf 'ARM64_NT_CONTEXT.Wcr\toffset\t0x378\n'
    printf 'ARM64_NT_CONTEXT.Wcr\tfsize\t0x8\n'         # DWORD Wcr[2]
    printf 'ARM64_NT_CONTEXT.Wvr\toffset\t0x380\n'
    printf 'ARM64_NT_CONTEXT.Wvr\tfsize\t0x10\n'        # DWORD64 Wvr[2]
    printf 'ARM64_NT_NEON128\tsize\t0x10\n'
    printf 'ARM64_MAX_BREAKPOINTS\tconst\t0x0000000000000008\n'
    printf 'ARM64_MAX_WATCHPOINTS\tconst\t0x0000000000000002\n'
    printf 'CONTEXT_ARM64\tconst\t0x0000000000400000\n'
    printf 'CONTEXT_ARM64_FULL\tconst\t0x0000000000400007\n'
}

# check_arm64 NAME: the ARM64 rows of $work/NAME.tab against the documented table.
check_arm64() {
    local name=$1
    arm64_documented | sed 's/^/abi\t/' | sort >"$work/arm64.doc.tab"
    # only the rows the documentation names
    awk -F'\t' 'NR == FNR { want[$1 "\t" $2 "\t" $3] = 1; next } ($1 "\t" $2 "\t" $3) in want' \
        "$work/arm64.doc.tab" "$work/$name.tab" >"$work/$name.arm64.tab"
    compare "ARM64_NT_CONTEXT ($name) vs documented offsets" documented "$work/arm64.doc.tab" \
        "$name" "$work/$name.arm64.tab"
}

supports_m32() {
    printf '#include <stdint.h>\n#include <stddef.h>\nint x;\n' >"$work/m32probe.c"
    "$@" -m32 -c "$work/m32probe.c" -o "$work/m32probe.o" 2>/dev/null
}

# ---------------------------------------------------------------------------
# 1. Layout tables
# ---------------------------------------------------------------------------
echo "== dbgwalk ABI check: src=$src work=$work"
echo "== tools: $mingw64 / $mingw32 / $gcc_cc${extra_cc:+ / $extra_cc}"

inc=$src/include # mingw side: our dbgwalk.h over mingw-w64's headers
have_m64=0 have_m32=0
table mingw64 "$mingw64" && have_m64=1
table mingw32 "$mingw32" && have_m32=1

inc=$linux_inc
have_g64=0 have_g32=0
table gcc64 "$gcc_cc" && have_g64=1
table gcc32 "$gcc_cc" -m32 && have_g32=1

have_x64=0 have_x32=0
if [ -n "$extra_cc" ]; then
    table cc64 "$extra_cc" && have_x64=1
    if supports_m32 "$extra_cc"; then
        table cc32 "$extra_cc" -m32 && have_x32=1
    else
        note "$extra_cc cannot compile for i386 (-m32); its 32-bit layout is not checked"
    fi
fi

m64=$work/mingw64.tab
m32=$work/mingw32.tab

# x86_64: everything our header and mingw-w64 both name.
cmp64() { # NAME LABEL
    select_groups "$work/$1.tab" abi abi64 >"$work/$1.sel64"
    select_groups "$m64" abi abi64 >"$work/mingw64.sel64"
    compare "x86_64 layout: $2 vs x86_64-w64-mingw32" mingw64 "$work/mingw64.sel64" "$1" "$work/$1.sel64"
}
# i386: the common types and the plain 32-bit names against i686 mingw-w64;
# the x64 CONTEXT family (which a Linux i386 build keeps) against x86_64 mingw-w64.
cmp32() { # NAME LABEL
    select_groups "$work/$1.tab" abi abiplain >"$work/$1.sel32"
    select_groups "$m32" abi abiplain >"$work/mingw32.sel32"
    compare "i386 layout: $2 vs i686-w64-mingw32" mingw32 "$work/mingw32.sel32" "$1" "$work/$1.sel32"
    if [ "$have_m64" = 1 ]; then
        select_groups "$work/$1.tab" abi64 >"$work/$1.ctx64"
        select_groups "$m64" abi64 >"$work/mingw64.ctx64"
        compare "x64 CONTEXT on i386: $2 vs x86_64-w64-mingw32" mingw64 "$work/mingw64.ctx64" \
            "$1" "$work/$1.ctx64"
    fi
}

if [ "$have_m64" = 1 ]; then
    [ "$have_g64" = 1 ] && cmp64 gcc64 "$gcc_cc"
    [ "$have_x64" = 1 ] && cmp64 cc64 "$extra_cc"
fi
if [ "$have_m32" = 1 ]; then
    [ "$have_g32" = 1 ] && cmp32 gcc32 "$gcc_cc -m32"
    [ "$have_x32" = 1 ] && cmp32 cc32 "$extra_cc -m32"
fi

# ARM64_NT_CONTEXT: mingw-w64 <= 10 has none, so dbgwalk.h defines it for
# Windows too and the cross-compiler comparison only shows the definition is
# host-independent. The documented offsets are the independent reference.
for t in mingw64 mingw32 gcc64 gcc32 cc64 cc32; do
    [ -s "$work/$t.tab" ] || continue
    check_arm64 "$t"
done
for t in mingw64 mingw32; do
    [ -s "$work/$t.tab" ] || continue
    if grep -q '^abimeta' "$work/$t.tab"; then
        note "$t: mingw-w64 has no ARM64_NT_CONTEXT; dbgwalk.h's definition checked against the documented offsets"
    else
        note "$t: ARM64_NT_CONTEXT comes from mingw-w64 itself"
    fi
done

# ---------------------------------------------------------------------------
# 2. The library's static asserts hold on 64- and 32-bit hosts
# ---------------------------------------------------------------------------
syntax_check() { # LABEL CC [FLAGS...]
    local label=$1
    shift
    if "$@" -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$linux_inc" -I"$src/src" \
        "$src/src/abi_asserts.c" >"$work/asserts.err" 2>&1; then
        pass "src/abi_asserts.c static asserts hold: $label"
    else
        fail "src/abi_asserts.c static asserts: $label"
        indent <"$work/asserts.err"
    fi
}
syntax_check "$gcc_cc (native)" "$gcc_cc"
syntax_check "$gcc_cc -m32" "$gcc_cc" -m32
if [ -n "$extra_cc" ]; then
    syntax_check "$extra_cc (native)" "$extra_cc"
    [ "$have_x32" = 1 ] && syntax_check "$extra_cc -m32" "$extra_cc" -m32
fi

# ---------------------------------------------------------------------------
# 3. <dbgwalk.h> over mingw-w64's headers: no conflicts, no warnings
# ---------------------------------------------------------------------------
cat >"$work/header_tu.c" <<'EOF'
#ifdef WINDOWS_FIRST
#include <windows.h>
#include <dbghelp.h>
#endif
#include <dbgwalk.h>

typedef BOOL (WINAPI *walk_ex_fn)(DWORD, HANDLE, HANDLE, LPSTACKFRAME_EX, PVOID,
                                  PREAD_PROCESS_MEMORY_ROUTINE64, PFUNCTION_TABLE_ACCESS_ROUTINE64,
                                  PGET_MODULE_BASE_ROUTINE64, PTRANSLATE_ADDRESS_ROUTINE64, DWORD);
typedef BOOL (WINAPI *walk2_fn)(DWORD, HANDLE, HANDLE, LPSTACKFRAME_EX, PVOID,
                                PREAD_PROCESS_MEMORY_ROUTINE64, PFUNCTION_TABLE_ACCESS_ROUTINE64,
                                PGET_MODULE_BASE_ROUTINE64, PTRANSLATE_ADDRESS_ROUTINE64,
                                PGET_TARGET_ATTRIBUTE_VALUE64, DWORD);
typedef BOOL (WINAPI *walk64_fn)(DWORD, HANDLE, HANDLE, LPSTACKFRAME64, PVOID,
                                 PREAD_PROCESS_MEMORY_ROUTINE64, PFUNCTION_TABLE_ACCESS_ROUTINE64,
                                 PGET_MODULE_BASE_ROUTINE64, PTRANSLATE_ADDRESS_ROUTINE64);
#if !defined(_WIN64)
/* i386: the exported StackWalk takes the 32-bit structures and callbacks. */
typedef BOOL (WINAPI *walk32_fn)(DWORD, HANDLE, HANDLE, LPSTACKFRAME32, PVOID,
                                 PREAD_PROCESS_MEMORY_ROUTINE32, PFUNCTION_TABLE_ACCESS_ROUTINE32,
                                 PGET_MODULE_BASE_ROUTINE32, PTRANSLATE_ADDRESS_ROUTINE32);
#endif

int header_tu(void);
int header_tu(void)
{
    walk_ex_fn ex = StackWalkEx;
    walk2_fn w2 = StackWalk2;
    walk64_fn w64 = StackWalk64;
#if !defined(_WIN64)
    walk32_fn w32 = StackWalk;
#else
    void *w32 = 0;
#endif
    ARM64_NT_CONTEXT arm64 = {0};
    STACKFRAME32 sf32 = {0};
    KDHELP32 kd32 = {0};
    ADDRESS32 a32 = {0};
    DWORD flags = SYM_STKWALK_DEFAULT | SYM_STKWALK_FORCE_FRAMEPTR | SYM_STKWALK_ZEROEXTEND_PTRS;
    DWORD64 pac = TARGET_ATTRIBUTE_PACMASK_LIVETARGET + TARGET_ATTRIBUTE_PACMASK;
    WORD machines = IMAGE_FILE_MACHINE_ARM64EC ^ IMAGE_FILE_MACHINE_ARM64X ^
                    IMAGE_FILE_MACHINE_CHPE_X86 ^ IMAGE_FILE_MACHINE_ARM64;
    arm64.ContextFlags = CONTEXT_ARM64_FULL;
    return (ex != 0) + (w2 != 0) + (w64 != 0) + (w32 != 0) + (int)arm64.ContextFlags +
           (int)sf32.Far + (int)kd32.Thread + (int)a32.Mode + (int)flags + (int)pac +
           (int)machines;
}
EOF
header_check() { # LABEL CC [FLAGS...]
    local label=$1
    shift
    if "$@" -std=c11 -Wall -Wextra -Werror -c -I"$src/include" "$work/header_tu.c" \
        -o "$work/header_tu.o" >"$work/header.err" 2>&1; then
        pass "<dbgwalk.h> compiles cleanly (-Wall -Wextra -Werror): $label"
    else
        fail "<dbgwalk.h> with -Wall -Wextra -Werror: $label"
        indent <"$work/header.err"
    fi
}
header_check "$mingw64" "$mingw64"
header_check "$mingw64, after <windows.h>/<dbghelp.h>" "$mingw64" -DWINDOWS_FIRST
header_check "$mingw32" "$mingw32"
header_check "$mingw32, after <windows.h>/<dbghelp.h>" "$mingw32" -DWINDOWS_FIRST

# ---------------------------------------------------------------------------
# 4. Self-test: a broken copy of the header must be caught
# ---------------------------------------------------------------------------
# mutate NAME SED_EXPR: copy the Linux include dir and apply SED_EXPR to
# dbgwalk/win_types.h; prints the new include dir, or nothing if unchanged.
mutate() {
    local dir=$work/mutant-$1
    rm -rf "$dir"
    cp -R "$linux_inc" "$dir"
    sed -i -e "$2" "$dir/dbgwalk/win_types.h"
    if cmp -s "$linux_inc/dbgwalk/win_types.h" "$dir/dbgwalk/win_types.h"; then
        return 1
    fi
    echo "$dir"
}

# expect_caught LABEL NAME REF_TAB GROUPS: the mutant's table (built already
# as $work/NAME.tab) must differ from REF_TAB in the given groups.
expect_caught() {
    local label=$1 name=$2 ref=$3
    shift 3
    select_groups "$work/$name.tab" "$@" >"$work/$name.sel"
    select_groups "$ref" "$@" >"$work/$name.ref"
    local out
    out=$(compare "$label" reference "$work/$name.ref" "$name" "$work/$name.sel")
    if printf '%s\n' "$out" | grep -q '^FAIL:'; then
        pass "self-test: $label is detected"
        printf '%s\n' "$out" | grep -v '^FAIL:' | grep -v '^KNOWN:' | head -4 | sed 's/^      /      e.g. /'
    else
        fail "self-test: $label went unnoticed"
        printf '%s\n' "$out" | indent
    fi
}

if [ "$selftest" = 1 ]; then
    # (a) the -m32 trap: DWORD64 without its 8-byte alignment.
    if [ "$have_m32" = 1 ] && mut=$(mutate m32trap 's/^typedef uint64_t DWORD64 DBGWALK_ALIGN(8);/typedef uint64_t DWORD64;/'); then
        inc=$mut
        table mutant-m32trap "$gcc_cc" -m32 &&
            expect_caught "DWORD64 without aligned(8), gcc -m32" mutant-m32trap "$m32" abi abiplain
    else
        note "self-test (a) skipped: no i686 table or the DWORD64 typedef changed shape"
    fi
    # (b) two KDHELP64 fields swapped: sizes unchanged, offsets not.
    if [ "$have_m64" = 1 ] && mut=$(mutate kdswap '/^typedef struct _KDHELP64 {/,/^} KDHELP64/{s/^    DWORD ThCallbackStack;/    DWORD ThCallbackStack__TMP;/;s/^    DWORD ThCallbackBStore;/    DWORD ThCallbackStack;/;s/^    DWORD ThCallbackStack__TMP;/    DWORD ThCallbackBStore;/}'); then
        inc=$mut
        table mutant-kdswap "$gcc_cc" &&
            expect_caught "KDHELP64.ThCallbackStack/ThCallbackBStore swapped, native gcc" mutant-kdswap "$m64" abi abi64
    else
        note "self-test (b) skipped: no x86_64 table or KDHELP64 changed shape"
    fi
    # (c) bitfields moved: FPO_DATA.cbRegs 3 -> 2 bits, fHasSEH 1 -> 2 bits
    # (the structure's size and every offsetof stay the same).
    if [ "$have_m32" = 1 ] && mut=$(mutate fpobits 's/^    WORD cbRegs : 3;/    WORD cbRegs : 2;/; s/^    WORD fHasSEH : 1;/    WORD fHasSEH : 2;/'); then
        inc=$mut
        table mutant-fpobits "$gcc_cc" -m32 &&
            expect_caught "FPO_DATA bitfields cbRegs:2/fHasSEH:2, gcc -m32" mutant-fpobits "$m32" abi abiplain
    else
        note "self-test (c) skipped: no i686 table or FPO_DATA changed shape"
    fi
fi

echo "== $failures failure(s)"
[ "$failures" -eq 0 ]
