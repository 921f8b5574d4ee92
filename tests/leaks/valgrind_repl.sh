#!/usr/bin/env bash
# valgrind_repl.sh -- the REPL over a lesson script under valgrind: no leak, no memory error
# (issue 7, "Sanitizers and leaks").
#
# usage: tests/leaks/valgrind_repl.sh LOUPE_BIN DATADIR [LESSON...]
#
#   LOUPE_BIN  the `loupe` REPL of a plain build (no ASan: valgrind and ASan do not mix), e.g.
#              build/release/repl/loupe; loupe-gen is taken from the same tree (BUILD/loupe-gen)
#   DATADIR    a scratch folder: the lesson's data (data/reviews.json, 2,000 generated reviews,
#              and data/labels.csv) and the lesson's script go there, and the script runs there.
#              Given loupe-gen's path instead (an executable file), that loupe-gen is used and
#              the scratch folder is a temporary one, removed afterwards.
#   LESSON     lesson numbers (default: every lesson, 01 to 08: reads, filters, aggregations,
#              joins, SQL, sorts, histograms, quantiles, writes; 3-5 s each under valgrind)
#
# Each lesson's code cells become one script with tests/lessons/run_lessons.py --keep (the same
# joining the lessons test uses). The script first runs plainly and must succeed, so that under
# valgrind any failure is valgrind's: `--leak-check=full --errors-for-leak-kinds=definite,indirect
# --error-exitcode=1`, i.e. a definite or indirect leak or any memory error (invalid read or
# write, use of uninitialised memory, bad free) fails. Still-reachable blocks (the thread pool,
# process-wide tables) are not leaks. Exit status 0 when clean; the valgrind log is printed on
# failure. About 35 s for the eight lessons on 2,000 reviews.
set -euo pipefail

[ $# -ge 2 ] || { sed -n '4,16p' "$0" >&2; exit 2; }
LOUPE=$(realpath "$1")
DATADIR=$2
shift 2
LESSONS=("$@")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
GEN=$(dirname "$(dirname "$LOUPE")")/loupe-gen
if [ -f "$DATADIR" ] && [ -x "$DATADIR" ]; then
    GEN=$(realpath "$DATADIR")
    DATADIR=$(mktemp -d -t loupe-valgrind-XXXXXX)
    trap 'rm -rf "$DATADIR"' EXIT
fi
ROWS=${LOUPE_VALGRIND_ROWS:-2000}

command -v valgrind >/dev/null || { echo "valgrind_repl: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$LOUPE" ] || { echo "valgrind_repl: no loupe binary at $1" >&2; exit 2; }
[ -x "$GEN" ] || { echo "valgrind_repl: no loupe-gen next to it ($GEN)" >&2; exit 2; }
if nm -D "$LOUPE" 2>/dev/null | grep -q __asan_init || nm "$LOUPE" 2>/dev/null | grep -q __asan_init; then
    echo "valgrind_repl: $LOUPE is an ASan build; give it a plain (Release) one" >&2
    exit 2
fi

mkdir -p "$DATADIR/data"
DATADIR=$(realpath "$DATADIR")
"$GEN" --rows "$ROWS" --seed 42 --quiet --out "$DATADIR/data/reviews.json" --labels "$DATADIR/data/labels.csv"

if [ ${#LESSONS[@]} -eq 0 ]; then
    for nb in "$ROOT"/lessons/[0-9][0-9]-*.ipynb; do LESSONS+=("$(basename "$nb" | cut -c1-2)"); done
fi
cd "$DATADIR"

# One lesson under valgrind; returns 1 on a leak or an error.
run_lesson() {
    local lesson=$1 script log status took summary
    # the lesson's code cells as one script (run_lessons.py runs it with the program it is
    # given: `true` here, only the script is wanted)
    /usr/bin/python3 "$ROOT/tests/lessons/run_lessons.py" /bin/true "$ROOT/lessons" --only "$lesson" --keep "$DATADIR" >/dev/null
    script=$(ls "$DATADIR"/"$lesson"-*.lp 2>/dev/null | head -1)
    [ -n "$script" ] || { echo "valgrind_repl: lessons/$lesson-*.ipynb gave no script" >&2; return 1; }
    if ! "$LOUPE" "$script" >"$lesson.plain.out" 2>&1; then
        echo "valgrind_repl: $(basename "$script") fails even without valgrind:" >&2
        tail -20 "$lesson.plain.out" >&2
        return 1
    fi
    log=$DATADIR/$lesson.valgrind.log
    start=$(date +%s)
    status=0
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
        --log-file="$log" "$LOUPE" "$script" >"$lesson.valgrind.out" 2>&1 || status=$?
    took=$(( $(date +%s) - start ))
    summary=$(grep -E "ERROR SUMMARY|definitely lost|indirectly lost|All heap blocks" "$log" | sed -e 's/^==[0-9]*== *//' -e 's/ (suppressed.*//' | paste -sd ';' -)
    if [ "$status" -ne 0 ] || ! cmp -s "$lesson.plain.out" "$lesson.valgrind.out"; then
        cat "$log" >&2
        cmp -s "$lesson.plain.out" "$lesson.valgrind.out" ||
            { echo "valgrind_repl: the output under valgrind differs:" >&2; diff "$lesson.plain.out" "$lesson.valgrind.out" | head -20 >&2; }
        echo "valgrind_repl: FAILED $(basename "$script") ($ROWS reviews, ${took} s): $summary" >&2
        return 1
    fi
    echo "valgrind_repl: ok $(basename "$script") ($ROWS reviews, ${took} s): $summary"
}

failed=0
for lesson in "${LESSONS[@]}"; do
    run_lesson "$lesson" || failed=1
done
exit $failed
