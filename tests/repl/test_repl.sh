#!/bin/sh
# test_repl.sh -- the `loupe` command end to end.
#
#   sh test_repl.sh path/to/loupe path/to/loupe-gen
#
# (a) the non-interactive modes: a script file, -c, stdin; exit codes; errors on stderr;
# (b) an interactive session driven through tmux: history kept across two sessions, tab
#     completion of a variable and of a method, multi-line input (an open bracket, a trailing
#     backslash), Ctrl-C at the prompt, and Ctrl-C during a long statement, which must bring the
#     prompt back within a second with the session's variables intact.
# The tmux part polls the screen with a timeout rather than sleeping fixed times.
set -u

abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
LOUPE=$(abspath "$1")
GEN=$(abspath "$2")
tmp=$(mktemp -d /tmp/loupe-repl-test.XXXXXX)
sock="loupe-test-$$"
fails=0

cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
ok() { echo "ok: $*"; }

# check NAME EXPECTED_RC EXPECTED_STDOUT_SUBSTRING EXPECTED_STDERR_SUBSTRING -- after `run`
run() { # run CMD... : captures rc, out, err
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
expect() { # expect NAME RC OUT_PATTERN ERR_PATTERN (patterns: fixed strings; "" = must be empty)
    name=$1 want_rc=$2 want_out=$3 want_err=$4
    good=1
    [ "$rc" -eq "$want_rc" ] || { fail "$name: exit $rc, wanted $want_rc"; good=0; }
    if [ -z "$want_out" ]; then
        [ ! -s "$tmp/out" ] || { fail "$name: unexpected stdout: $(head -c 300 "$tmp/out")"; good=0; }
    else
        grep -qF -- "$want_out" "$tmp/out" || { fail "$name: stdout lacks '$want_out': $(head -c 300 "$tmp/out")"; good=0; }
    fi
    if [ -z "$want_err" ]; then
        [ ! -s "$tmp/err" ] || { fail "$name: unexpected stderr: $(head -c 300 "$tmp/err")"; good=0; }
    else
        grep -qF -- "$want_err" "$tmp/err" || { fail "$name: stderr lacks '$want_err': $(head -c 300 "$tmp/err")"; good=0; }
    fi
    [ $good -eq 1 ] && ok "$name"
}

# ---- (a) non-interactive ----------------------------------------------------------------------

"$GEN" --rows 100 --seed 1 --format json --out "$tmp/small.json" >/dev/null 2>&1 ||
    fail "loupe-gen could not write the small data set"

run "$LOUPE" --version
expect "--version" 0 "loupe " ""
run "$LOUPE" --help
expect "--help" 0 "usage: loupe" ""
run "$LOUPE" --no-such-option
expect "unknown option" 2 "" "unknown option"

printf 'x = 40 + 2\nprint(x)\n' >"$tmp/ok.lp"
run "$LOUPE" "$tmp/ok.lp"
expect "script" 0 "42" ""

printf 'reviews = spark.read.json("%s")\nprint(reviews.count())\n' "$tmp/small.json" >"$tmp/read.lp"
run "$LOUPE" "$tmp/read.lp"
expect "script reads a file" 0 "100" ""

# an error on line 2: line 1 ran, line 3 did not, the message names the file and line
printf 'print("before")\nprint(no_such_variable)\nprint("after")\n' >"$tmp/bad.lp"
run "$LOUPE" "$tmp/bad.lp"
expect "script error" 1 "before" "$tmp/bad.lp:2:"
grep -q "after" "$tmp/out" && fail "script error: the statement after the error ran"
grep -q "no_such_variable" "$tmp/err" || fail "script error: the message does not name the variable"

run "$LOUPE" "$tmp/missing.lp"
expect "missing script" 1 "" "missing.lp"

run "$LOUPE" -c 'print(6 * 7)'
expect "-c" 0 "42" ""
run "$LOUPE" -c 'print(undefined_name)'
expect "-c error" 1 "" "undefined_name"
run "$LOUPE" -c
expect "-c without statements" 2 "" "-c needs"

printf 'y = 5\nprint(y * 2)\n' >"$tmp/stdin.lp"
run sh -c "\"$LOUPE\" <\"$tmp/stdin.lp\""
expect "stdin script" 0 "10" ""
printf 'print(1)\nprint(nope)\n' >"$tmp/stdin_bad.lp"
run sh -c "\"$LOUPE\" <\"$tmp/stdin_bad.lp\""
expect "stdin error" 1 "1" "nope"
run sh -c "\"$LOUPE\" - <\"$tmp/stdin.lp\""
expect "stdin with -" 0 "10" ""

# ---- (b) interactive, through tmux ------------------------------------------------------------

if ! command -v tmux >/dev/null 2>&1; then
    fail "tmux is not installed: the interactive test cannot run"
    echo "$fails failure(s)"
    exit 1
fi

# The long statement: 150,000 rows (about 32 partitions of the reader's 4 MB chunks) crossed with
# 100 of them, one narrow column, so 15M pairs in ~250 MB. The engine checks for cancellation
# between partitions (and a cross join's emit loop only every 65536 left rows), so the work is
# cut into many small partitions to make Ctrl-C answer quickly.
"$GEN" --rows 150000 --seed 1 --format json --out "$tmp/big.json" >/dev/null 2>&1 ||
    fail "loupe-gen could not write the large data set"

T() { tmux -L "$sock" "$@"; }
screen() { T capture-pane -p -t repl 2>/dev/null; }
# wait_for FIXED_STRING [SECONDS]: poll the screen until it shows the string.
wait_for() {
    limit=$(( ${2:-10} * 10 ))
    i=0
    while [ $i -lt "$limit" ]; do
        screen 2>/dev/null | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# the last non-empty line of the screen
last_line() { screen | awk 'NF { l = $0 } END { print l }'; }
# wait_prompt [SECONDS]: until the last line is an empty primary prompt.
wait_prompt() {
    limit=$(( ${1:-10} * 10 ))
    i=0
    while [ $i -lt "$limit" ]; do
        [ "$(last_line)" = "loupe>" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
start_session() {
    T kill-server 2>/dev/null
    tries=0
    # a server that is still shutting down refuses the new session: try again
    until T new-session -d -s repl -x 120 -y 40 \
        "cd '$tmp' && env HOME='$tmp' LOUPE_HISTORY='$tmp/history' '$LOUPE'; echo \"EXITED:\$?\"; sleep 60" 2>/dev/null
    do
        tries=$((tries + 1))
        [ $tries -lt 20 ] || { fail "interactive: tmux cannot start a session"; return 1; }
        sleep 0.2
    done
    wait_prompt 10 || { fail "interactive: no prompt: $(screen)"; return 1; }
}
send() { T send-keys -t repl "$@"; }

# Session 1: a variable, multi-line input, then Ctrl-D.
if start_session; then
    send 'first_var = 41' Enter
    wait_prompt 5
    send 'print(first_var +' Enter
    if wait_for '...>' 5; then ok "open bracket asks for more"; else fail "open bracket: no continuation prompt: $(screen)"; fi
    send '1)' Enter
    if wait_for '42' 5; then ok "multi-line with an open bracket"; else fail "multi-line bracket: $(screen)"; fi
    wait_prompt 5
    send 'second_var = 100 + \' Enter
    wait_for '...>' 5 || fail "trailing backslash: no continuation prompt: $(screen)"
    send '23' Enter
    wait_prompt 5
    send 'print(second_var)' Enter
    if wait_for '123' 5; then ok "multi-line with a trailing backslash"; else fail "backslash: $(screen)"; fi
    wait_prompt 5
    send C-d
    if wait_for 'EXITED:0' 5; then ok "Ctrl-D exits with 0"; else fail "Ctrl-D: $(screen)"; fi
fi
[ -s "$tmp/history" ] && grep -q "first_var" "$tmp/history" && ok "history file written" ||
    fail "history file missing or without the session's lines"

# Session 2: the history of session 1, completion, Ctrl-C.
if start_session; then
    send Up
    if wait_for 'loupe> print(second_var)' 5; then ok "history persists across sessions"
    else fail "history: Up did not recall the last line: $(screen)"; fi
    # Ctrl-C at the prompt drops the recalled line
    send C-c
    wait_prompt 5 || fail "Ctrl-C at the prompt: no fresh prompt: $(screen)"
    send 'print("after ctrl-c")' Enter
    if wait_for 'after ctrl-c' 5; then ok "Ctrl-C at the prompt clears the line"; else fail "Ctrl-C at prompt: $(screen)"; fi
    wait_prompt 5

    send "reviews_sample = spark.read.json(\"$tmp/small.json\")" Enter
    wait_prompt 10
    send 'print(reviews_sam' Tab
    if wait_for 'loupe> print(reviews_sample' 5; then ok "tab completes a variable"; else fail "tab variable: $(screen)"; fi
    send '.cou' Tab
    if wait_for 'loupe> print(reviews_sample.count' 5; then ok "tab completes a method"; else fail "tab method: $(screen)"; fi
    # the engine may complete a method with its opening bracket
    case "$(last_line)" in
    *'count(') send ')' ')' Enter ;;
    *) send '(' ')' ')' Enter ;;
    esac
    if wait_for '100' 10; then ok "the completed line runs"; else fail "completed line: $(screen)"; fi
    wait_prompt 5

    # Ctrl-C during a long statement
    send "big = spark.read.json(\"$tmp/big.json\").select(\"overall\")" Enter
    wait_prompt 30
    send 'small = big.limit(100)' Enter
    wait_prompt 10
    send 'big.crossJoin(small).count()' Enter
    sleep 1
    if [ "$(last_line)" = "loupe>" ]; then
        fail "the long statement finished within a second: it cannot test Ctrl-C: $(screen)"
    fi
    send C-c
    # the prompt must be back within one second
    if wait_prompt 1; then ok "Ctrl-C cancels a running statement within a second"
    else fail "Ctrl-C during a statement: no prompt within a second: $(screen)"; fi
    screen | grep -qi 'cancel' && ok "the cancelled statement says so" || fail "no cancellation message: $(screen)"
    send 'print(reviews_sample.count() * 2)' Enter
    if wait_for '200' 10; then ok "variables survive the cancellation"; else fail "after cancel: $(screen)"; fi
    wait_prompt 5
    send '.timer on' Enter
    wait_prompt 5
    send 'print(1)' Enter
    if wait_for 'time: ' 5; then ok ".timer on prints the time"; else fail ".timer: $(screen)"; fi
    wait_prompt 5
    send '.help' Enter
    if wait_for '.timer on|off' 5; then ok ".help"; else fail ".help: $(screen)"; fi
    wait_prompt 5
    send '.quit' Enter
    if wait_for 'EXITED:0' 5; then ok ".quit exits"; else fail ".quit: $(screen)"; fi
fi

if [ $fails -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "all passed"
