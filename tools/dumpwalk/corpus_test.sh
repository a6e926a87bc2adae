#!/bin/sh
# dumpwalk over the shared minidump corpus (../shared/corpus/README.md):
#   corpus_test.sh DUMPWALK CORPUS_DIR SCRATCH_DIR
# - minidump2.dmp: the exception walk is test_app+0x429e, +0x4200, +0x53ec,
#   kernel32+0x16fd7 (the corpus notes);
# - tiny-exe-with-cet-xsave.dmp (x64, no images): frame 1 is ntdll+0x5b4c3
#   and then no invented frame; with --scan, the shadow stack's return
#   addresses (read from the dump by hand: ntdll+0x5b4c3, KERNELBASE+0x4b281,
#   tiny+0x9b8ca, tiny+0x1b0ed, tiny+0x59068, KERNEL32+0x154e0, ntdll+0x485b);
# - --json of every dump validates against dumpwalk.schema.json;
# - the malformed dumps fail cleanly: status 1, a message, no crash;
# - minidump2.dmp: thread 0's walk (x86, EBP chain) reaches kernel32;
# - stack_exhaustion.dmp: every walk ends within the 1024-frame limit and
#   reports its read callbacks;
# - every other dump: status 0 and at least frame 0 for every thread;
# - truncated and corrupted copies of every dump: status 0 or 1, never a
#   crash (the sanitizer build turns any bad access into one).
# invalid-parameter.dmp is not malformed: it is a well-formed dump of an
# invalid-parameter crash (0xC000000D) that rust-minidump reads in full.
set -u
tool=$1 corpus=$2 scratch=$3
here=$(cd "$(dirname "$0")" && pwd)
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

rm -rf "$scratch" && mkdir -p "$scratch" || exit 1

# The status of a run, with "crash" for a signal or a sanitizer report.
run() { # out err args...
  out=$1 err=$2
  shift 2
  "$tool" "$@" >"$out" 2>"$err"
  status=$?
  if [ $status -gt 2 ] || grep -q -e 'Sanitizer' -e 'runtime error' "$err"; then
    echo crash
  else
    echo $status
  fi
}

for name in invalid-range.dmp invalid-record-count.dmp; do
  status=$(run "$scratch/out" "$scratch/err" "$corpus/$name")
  if [ "$status" != 1 ] || ! grep -q "dumpwalk: .*$name: " "$scratch/err"; then
    fail "$name: status $status, expected 1 with a message"
    cat "$scratch/err"
  else
    echo "ok: $name rejected: $(head -n 1 "$scratch/err")"
  fi
done

for dump in "$corpus"/*.dmp; do
  name=$(basename "$dump")
  case $name in invalid-range.dmp | invalid-record-count.dmp) continue ;; esac
  out=$scratch/$name.txt
  status=$(run "$out" "$scratch/err" "$dump")
  if [ "$status" != 0 ]; then
    fail "$name: status $status"
    cat "$scratch/err"
    continue
  fi
  # each walk's summary line: "  N frames, R read callbacks..."
  walks=$(grep -c -e '^thread ' -e '^exception ' "$out")
  summaries=$(grep -c -E '^  [0-9]+ frames?, [0-9]+ read callbacks' "$out")
  empty=$(grep -c -E '^  0 frames,' "$out")
  if [ "$walks" -eq 0 ] || [ "$walks" != "$summaries" ] || [ "$empty" != 0 ]; then
    fail "$name: $walks walks, $summaries summaries, $empty without frame 0"
  else
    echo "ok: $name: $walks walks, each with frame 0"
  fi
done

# minidump2.dmp, thread 0: a frame in kernel32 (corpus notes).
if awk '/^thread 0 /{on=1; next} /^(thread|exception) /{on=0} on && /^  #[0-9]+ .* kernel32\+0x/{found=1} END{exit !found}' \
     "$scratch/minidump2.dmp.txt"; then
  echo "ok: minidump2.dmp thread 0 reaches kernel32"
else
  fail "minidump2.dmp thread 0 does not reach kernel32"
fi

# The frames of one walk (TITLE-PREFIX) as module+offset, one line each.
frames_of() { # file title-prefix
  awk -v t="$2" 'index($0, t) == 1 { on = 1; next } /^(thread|exception) / { on = 0 }
                 on && /^  #/ { print $6 }' "$1"
}

want="test_app+0x429e test_app+0x4200 test_app+0x53ec kernel32+0x16fd7"
got=$(frames_of "$scratch/minidump2.dmp.txt" "exception " | tr '\n' ' ' | sed 's/ $//')
if [ "$got" = "$want" ] &&
   grep -A5 '^exception ' "$scratch/minidump2.dmp.txt" | grep -q '^  4 frames, .*; end: pc zero: '; then
  echo "ok: minidump2.dmp exception walk: $got, ended by the walker's own reason (pc zero)"
else
  fail "minidump2.dmp exception walk: '$got', want '$want'"
fi

cet=$corpus/tiny-exe-with-cet-xsave.dmp
got=$(frames_of "$scratch/tiny-exe-with-cet-xsave.dmp.txt" "thread 0 " | tr '\n' ' ' | sed 's/ $//')
if [ "$got" = "ntdll+0xa39e4 ntdll+0x5b4c3" ]; then
  echo "ok: tiny-exe-with-cet-xsave.dmp without images: frame 1 ntdll+0x5b4c3, no invented frames"
else
  fail "tiny-exe-with-cet-xsave.dmp: '$got', want frame 0, ntdll+0x5b4c3 and nothing after"
fi
status=$(run "$scratch/cet-scan.txt" "$scratch/err" --scan "$cet")
want="ntdll+0xa39e4 ntdll+0x5b4c3 KERNELBASE+0x4b281 tiny+0x9b8ca tiny+0x1b0ed tiny+0x59068 KERNEL32+0x154e0 ntdll+0x485b"
got=$(frames_of "$scratch/cet-scan.txt" "thread 0 " | tr '\n' ' ' | sed 's/ $//')
if [ "$status" = 0 ] && [ "$got" = "$want" ] && grep -q "shadow stack: 7 return addresses, 7 matched" "$scratch/cet-scan.txt"; then
  echo "ok: tiny-exe-with-cet-xsave.dmp --scan: the shadow stack's 7 callers"
else
  fail "tiny-exe-with-cet-xsave.dmp --scan (status $status): '$got', want '$want'"
fi

# --json, against the schema (every dump, both walk modes, and --threads crashed)
json_ok=1
for args in "" "--scan" "--threads crashed"; do
  # shellcheck disable=SC2086
  status=$(run "$scratch/out.json" "$scratch/err" --json $args "$corpus"/*.dmp)
  if [ "$status" = crash ]; then
    fail "--json $args crashed"; json_ok=0; continue
  fi
  python3 "$here/validate_json.py" "$here/dumpwalk.schema.json" "$scratch/out.json" >"$scratch/validate.txt" 2>&1
  v=$?
  if [ $v = 77 ]; then
    fail "--json: $(cat "$scratch/validate.txt") (tools/setup.sh installs python3-jsonschema)"; json_ok=0; break
  elif [ $v != 0 ]; then
    fail "--json $args does not validate: $(cat "$scratch/validate.txt")"; json_ok=0
  fi
done
if [ $json_ok = 1 ] && python3 - "$scratch/out.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
# --threads crashed: only the exception walks
assert all(w["exception"] for d in doc["dumps"] for w in d["walks"]), "a thread walk with --threads crashed"
assert sum(1 for d in doc["dumps"] if d["walks"]) >= 8
PY
then
  echo "ok: --json output of every dump validates against dumpwalk.schema.json"
else
  [ $json_ok = 0 ] || fail "--json --threads crashed reports more than the exception walks"
fi

# stack_exhaustion.dmp: bounded walks, read callbacks reported.
if grep -E '^  [0-9]+ frames?, [0-9]+ read callbacks' "$scratch/stack_exhaustion.dmp.txt" |
     awk '{ if ($1 + 0 < 1 || $1 + 0 > 1024 || $3 + 0 < 1) bad = 1 } END { exit bad || NR == 0 }'; then
  echo "ok: stack_exhaustion.dmp: $(grep -E '^  [0-9]+ frames?,' "$scratch/stack_exhaustion.dmp.txt" | tr -s ' ' | tr '\n' '|')"
else
  fail "stack_exhaustion.dmp: a walk is unbounded or reports no read callbacks"
fi

# Damaged copies: cut at many lengths, and bytes overwritten in the header,
# the stream directory and the first streams (where counts, sizes and RVAs are).
mutants=$scratch/mutants
mkdir -p "$mutants"
for dump in "$corpus"/*.dmp; do
  name=$(basename "$dump" .dmp)
  size=$(wc -c <"$dump")
  for cut in 0 4 31 32 40 64 100 200 400 1000 2000 4000 8000 16000 $((size / 2)) $((size - 1)); do
    [ "$cut" -lt "$size" ] && head -c "$cut" "$dump" >"$mutants/$name-cut$cut.dmp"
  done
  for at in 8 12 16 33 36 40 44 48 52 60 72 84 96 120 160 200 240 300 500 800 1200 1800; do
    [ "$at" -lt "$size" ] || continue
    for byte in '\377' '\000' '\177'; do
      copy=$mutants/$name-at$at-$(printf '%s' "$byte" | tr -d '\\').dmp
      cp "$dump" "$copy" && chmod u+w "$copy"
      printf "$byte$byte$byte$byte" | dd of="$copy" bs=1 seek="$at" conv=notrunc status=none
    done
  done
done
count=$(ls "$mutants" | wc -l)
status=$(run "$scratch/mutants.out" "$scratch/mutants.err" "$mutants"/*.dmp)
if [ "$status" = crash ]; then
  fail "a damaged dump crashed dumpwalk"
  grep -m 20 -e Sanitizer -e 'runtime error' -e '^#' "$scratch/mutants.err"
else
  echo "ok: $count damaged copies, status $status, $(grep -c 'malformed\|not a minidump' "$scratch/mutants.err") rejected"
fi

[ $failures -eq 0 ] && echo "dumpwalk_corpus: all checks passed"
exit $((failures != 0))
