#!/usr/bin/env bash
# run_case.sh LOUPE GEN CASE.lp -- runs one language case through the `loupe` binary and
# compares what it printed with the expected files next to it:
#   CASE.out  expected stdout (required)
#   CASE.err  expected stderr, exactly (errors with their caret, warnings); when absent,
#             stderr must be empty
# The exit status must be 1 when CASE.err holds an error line ("...Error: ..."), else 0.
# The case runs twice, with the default threads and with one, and both runs must print the same.
# Cases run in a scratch directory holding data/ (tests/lang/data/* plus generated reviews), so
# paths in cases are the ones a workshop uses: data/reviews.json.
set -u
LOUPE=$(realpath "$1") GEN=$(realpath "$2") CASE=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$CASE" .lp)
dir=$(dirname "$CASE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
cp "$here"/data/* "$work/data/" 2>/dev/null
# the generated reviews: small, deterministic (the generator is seed-stable at any thread count)
"$GEN" --rows 3000 --seed 7 --format json --out "$work/data/reviews.json" --labels "$work/data/labels.csv" --quiet
cp "$CASE" "$work/case.lp"
cd "$work"
LOUPE_HISTORY=/dev/null "$LOUPE" case.lp >out.txt 2>err.txt
rc=$?
fail=0
if ! diff -u "$dir/$name.out" out.txt; then echo "FAIL: $name: stdout differs"; fail=1; fi
if [ -f "$dir/$name.err" ]; then
    if ! diff -u "$dir/$name.err" err.txt; then echo "FAIL: $name: stderr differs"; fail=1; fi
    want=0; grep -qE '^[^ ]+: [A-Za-z]*Error: |^[A-Za-z]*Error: ' "$dir/$name.err" && want=1
else
    if [ -s err.txt ]; then echo "FAIL: $name: unexpected stderr:"; cat err.txt; fail=1; fi
    want=0
fi
if [ "$rc" -ne "$want" ]; then echo "FAIL: $name: exit status $rc, expected $want"; fail=1; fi
# the same output with one thread: results must not depend on the thread count
rm -rf data/out_* 2>/dev/null
cp "$CASE" case.lp
LOUPE_THREADS=1 LOUPE_HISTORY=/dev/null "$LOUPE" case.lp >out1.txt 2>err1.txt
if ! cmp -s out.txt out1.txt || ! cmp -s err.txt err1.txt; then
    echo "FAIL: $name: the output with LOUPE_THREADS=1 differs"; diff -u out.txt out1.txt; diff -u err.txt err1.txt; fail=1
fi
# regenerate expectations on request (then review the diff before committing)
if [ "${LOUPE_BLESS:-}" = 1 ]; then cp out.txt "$dir/$name.out"; if [ -s err.txt ]; then cp err.txt "$dir/$name.err"; else rm -f "$dir/$name.err"; fi; fi
exit $fail
