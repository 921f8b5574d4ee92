#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [TARGET...] -- builds the libFuzzer harnesses (build/fuzz, with
# clang) and runs each target for SECONDS (default 30).
#
# For each target: first the committed corpus (tests/fuzz/corpus/<target>/: regression inputs
# of crashes found before, and small hand-written seeds) is replayed input by input, then the
# fuzzer runs on it plus seeds generated here from the test suite and the lessons
# (build/fuzz/seeds/<target>/) and the corpus earlier runs grew (build/fuzz/work/<target>/).
# Prints the executions each target ran (libFuzzer's stat::number_of_executed_units) and exits
# nonzero when any target crashed, leaked, timed out or ran out of memory, naming the
# reproducer. Needs clang and libclang-rt-14-dev (Debian), python3 for the seeds.
#
# Reproduce a failure:   build/fuzz/fuzz_<target> <reproducer>
# Minimise it:           build/fuzz/fuzz_<target> -minimize_crash=1 -runs=100000 <reproducer>
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build/fuzz
secs=${1:-30}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lang csv json json_gz wire strip)

cc=${FUZZ_CC:-$(command -v clang || command -v clang-14 || true)}
if [ -z "$cc" ]; then
    echo "fuzz: clang not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi
lock=/tmp/loupe-build.lock  # the shared build lock: one compile at a time on the machine
mkdir -p "$build"
if ! flock "$lock" cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Fuzz >"$build.log" 2>&1 ||
    ! flock "$lock" cmake --build "$build" -j"$(nproc)" >>"$build.log" 2>&1; then
    tail -40 "$build.log"
    echo "fuzz: the build failed (log: $build.log)" >&2
    exit 2
fi

# ---- seeds generated from the suite and the lessons -------------------------------------------
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{lang,csv,json,json_gz,wire,strip}
cp "$root"/tests/lang/cases/*.lp "$seeds/lang/" 2>/dev/null
cp "$root"/lessons/*.ipynb "$seeds/strip/" 2>/dev/null
# the lessons' code cells as language inputs (at most 4 KB each, as the harness takes)
/usr/bin/env python3 - "$root/lessons" "$seeds/lang" <<'EOF' || echo "fuzz: no lesson seeds (python3?)" >&2
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    if not name.endswith(".ipynb"):
        continue
    cells = json.load(open(os.path.join(src, name))).get("cells", [])
    for i, c in enumerate(cells):
        text = "".join(c.get("source", [])) if isinstance(c.get("source"), list) else c.get("source", "")
        if c.get("cell_type") == "code" and text.strip():
            open(os.path.join(out, "%s-%d.lp" % (name[:-6], i)), "w").write(text[:4096])
EOF
# readers: the first two bytes are the harness's option bytes (0,0: defaults with a header)
for f in "$root"/tests/lang/data/*.csv; do
    b=$(basename "$f")
    { printf '\000\000'; cat "$f"; } >"$seeds/csv/$b"
    { printf '\004\000'; cat "$f"; } >"$seeds/csv/noheader-$b"
done
[ -f "$root/tests/lang/data/semi.csv" ] && { printf '\000\001'; cat "$root/tests/lang/data/semi.csv"; } >"$seeds/csv/sep-semi.csv"
for f in "$root"/tests/lang/data/*.json; do
    b=$(basename "$f")
    { printf '\000\000'; cat "$f"; } >"$seeds/json/$b"
    { printf '\000\000'; cat "$f"; } >"$seeds/json_gz/$b"      # compressed by the harness
    { printf '\000\002'; cat "$f"; } >"$seeds/json_gz/two-$b"  # two members
done
# a gzip file as it is (the harness writes the magic 1f 8b itself, then the rest)
if [ -f "$root/tests/lang/data/people.csv.gz" ]; then
    { printf '\000\001'; tail -c +3 "$root/tests/lang/data/people.csv.gz"; } >"$seeds/json_gz/raw-people.csv.gz"
fi

# ---- run ----------------------------------------------------------------------------------------
status=0
total=0
for t in "${targets[@]}"; do
    bin=$build/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "fuzz: no target '$t'" >&2
        status=1
        continue
    fi
    committed=$here/corpus/$t
    work=$build/work/$t
    art=$build/artifacts/$t
    mkdir -p "$committed" "$work" "$art" "$seeds/$t"
    log=$build/$t.log
    dict=()  # <target>.dict; the gzip target shares json.dict
    d=$here/${t%_gz}.dict
    [ -f "$d" ] && dict=(-dict="$d")
    opts=(-timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$art/")
    # a smaller quarantine than the default 256 MB: the engine's large buffers are then reused
    # instead of mapped afresh, twice the executions
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=64}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

    # 1. the committed corpus, input by input: every crash found before stays fixed
    regress=("$committed"/*)
    if [ -e "${regress[0]}" ]; then
        if ! "$bin" "${opts[@]}" "${regress[@]}" >"$log" 2>&1; then
            repro=$(sed -n 's/^Running: //p' "$log" | tail -1)
            echo "FAIL fuzz_$t: a committed input fails again: $repro"
            grep -E "ERROR: |SUMMARY: |runtime error|^fuzz_[a-z_]+: |^ +#[0-3] " "$log" | head -8 | sed 's/^/    /'
            echo "    log: $log"
            echo "    replay: $bin $repro"
            status=1
            continue
        fi
    fi
    # 2. fuzzing
    "$bin" "${opts[@]}" "${dict[@]}" -max_total_time="$secs" "$work" "$committed" "$seeds/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    total=$((total + execs))
    if [ $rc -ne 0 ]; then
        repro=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        echo "FAIL fuzz_$t: exit $rc after $execs executions; reproducer: ${repro:-none (see the log)}"
        grep -E "ERROR: |SUMMARY: |^fuzz_[a-z_]+: |^ +#[0-3] " "$log" | head -12 | sed 's/^/    /'
        echo "    log: $log"
        echo "    replay: $bin ${repro:-<reproducer>}"
        status=1
    else
        echo "fuzz_$t: $execs executions in ${secs}s, no crash"
    fi
done
echo "fuzz: $total executions in all"
exit $status
