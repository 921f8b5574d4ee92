#!/usr/bin/env bash
# run.sh -- Loupe's one entry point: installs what is missing, builds, and runs a job.
#
#   ./run.sh            install, build (Release), generate the lesson data, install the
#                       kernelspec and start Jupyter Notebook on lessons/ (prints its URL)
#   ./run.sh test       every test: ASan+UBSan, TSan, valgrind and limits on the plain build,
#                       a fuzz smoke of every target (what CI runs)
#   ./run.sh bench      build Release and run the benchmark (tests/bench/)
#   ./run.sh gen ARGS   run the reviews generator (loupe-gen)
#   ./run.sh tsan       only the ThreadSanitizer run
#   ./run.sh fuzz [S]   run each libFuzzer target for S seconds (default 30; tests/fuzz/)
#   ./run.sh soak       30 kernels running lesson 4 for a minute (tests/soak/)
#   ./run.sh test-browser  the real-browser test: Chromium runs a notebook (tests/browser/)
#   ./run.sh lessons [DIR]  the student versions of the lessons (default build/student)
#   ./run.sh repl ARGS  build Release and start the loupe REPL (in lessons/, where data/ lives)
#   ./run.sh console    jupyter console on the Loupe kernel
#   ./run.sh help       this list
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

# Debian packages the build and the tests need. Keep in step with the README.
PACKAGES=(build-essential cmake pkg-config time libcmocka-dev zlib1g-dev libpcre2-dev libutf8proc-dev
          libxxhash-dev libssl-dev libedit-dev libzmq3-dev libjansson-dev sqlite3 tmux
          python3-jupyter-client python3-jupyter-kernel-test python3-nbclient python3-nbformat
          jupyter-notebook jupyter-console valgrind clang libclang-rt-14-dev llvm)

say() { printf '\033[1mloupe:\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

ensure_packages() {
    local missing=()
    for p in "${PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages: ${missing[*]}. Install them as root: sudo apt-get install ${missing[*]}"
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

jobs_flag() { echo "-j$(nproc 2>/dev/null || echo 2)"; }

build() { # build TYPE DIR
    cmake -S "$ROOT" -B "$2" -DCMAKE_BUILD_TYPE="$1" >/dev/null
    cmake --build "$2" "$(jobs_flag)"
}

cmd_test() {
    ensure_packages
    build Debug build/debug
    say "running the tests (AddressSanitizer + UndefinedBehaviorSanitizer build)"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    (cd build/debug && ctest --output-on-failure "$(jobs_flag)")
    say "running the tests again under ThreadSanitizer (data races in the parallel operators and the kernel)"
    build Tsan build/tsan
    (cd build/tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure "$(jobs_flag)" -E "$TSAN_SKIP")
    say "the plain build: valgrind over a lesson script, and inputs too big for the sanitizers"
    build Release build/release >/dev/null
    tests/leaks/valgrind_repl.sh build/release/repl/loupe build/release/loupe-gen
    tests/limits/limits.sh build/release/repl/loupe
    say "fuzzing every target for ${LOUPE_FUZZ_SECONDS:-20} s (./run.sh fuzz runs longer)"
    tests/fuzz/run.sh "${LOUPE_FUZZ_SECONDS:-20}"
}

# Under TSan: the language cases and lessons run the same operators through one session thread
# (the ASan run covers them), and the malformed-message flood is protocol work, not threads;
# skipping them keeps the suite inside its time budget.
TSAN_SKIP='^(lang_|lessons_|test_kernel_hostile)'

cmd_fuzz() {
    ensure_packages
    tests/fuzz/run.sh "${1:-30}"
}

cmd_soak() {
    ensure_packages
    build Release build/release
    /usr/bin/python3 tests/soak/soak.py build/release "$@"
}

cmd_tsan() {
    ensure_packages
    build Tsan build/tsan
    (cd build/tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure "$(jobs_flag)" -E "$TSAN_SKIP")
}

cmd_bench() {
    local extra=()
    command -v npm >/dev/null || extra+=(nodejs npm)  # DuckDB, the peer, comes from npm
    ensure_packages "${extra[@]}"
    build Release build/release
    [ -x tests/bench/run ] || die "no benchmark yet (tests/bench/run)"
    LOUPE_BIN="$ROOT/build/release" tests/bench/run "$@"
}

cmd_gen() {
    ensure_packages
    build Release build/release
    build/release/loupe-gen "$@"
}

# The lessons' data: generated, deterministic, not in git (about 200k reviews, ~170 MB).
prepare_data() {
    local out=lessons/data/reviews.json
    [ -s "$out" ] && return 0
    mkdir -p lessons/data
    say "generating $out (200,000 reviews, seed 42) and its labels"
    build/release/loupe-gen --rows 200000 --seed 42 --format json --out "$out.tmp" \
        --labels lessons/data/labels.csv --quiet
    mv "$out.tmp" "$out"
}

cmd_repl() {
    ensure_packages
    build Release build/release >/dev/null
    [ -x build/release/repl/loupe ] || die "the REPL did not build"
    prepare_data
    cd lessons && exec "$ROOT/build/release/repl/loupe" "$@"
}

# The student versions of the lessons (solutions replaced by TODOs) into DIR (build/student).
cmd_lessons() {
    ensure_packages
    build Release build/release >/dev/null
    local out=${1:-build/student}
    mkdir -p "$out"
    for nb in lessons/[0-9]*.ipynb; do
        build/release/lessons/tool/loupe-lessons strip "$nb" "$out/${nb##*/}"
    done
    say "student versions in $out (copy lessons/data/ next to them, or regenerate it there)"
}

cmd_test_browser() {
    local extra=(chromium)
    # Debian's npm conflicts with a nodesource nodejs that brings its own npm
    command -v npm >/dev/null || extra+=(nodejs npm)
    ensure_packages "${extra[@]}"
    build Release build/release
    tests/browser/run.sh build/release
}

# The Loupe kernelspec for this user, pointing at the Release kernel (Debian has no `jupyter
# kernelspec` command; the Python module is the same tool).
install_kernelspec() {
    /usr/bin/python3 -m jupyter_client.kernelspecapp install --user --replace --name loupe \
        "$ROOT/build/release/kernelspec/loupe" >/dev/null
}

root_flag() { [ "$(id -u)" -eq 0 ] && echo --allow-root || true; }  # the notebook refuses root otherwise

cmd_main() {
    ensure_packages
    build Release build/release
    prepare_data
    install_kernelspec
    say "starting Jupyter Notebook on lessons/, on 127.0.0.1 only (open the URL with its token below; Ctrl-C stops it)"
    cd lessons && exec /usr/bin/python3 -m notebook --ip=127.0.0.1 --no-browser $(root_flag) --notebook-dir="$ROOT/lessons"
}

cmd_console() {
    ensure_packages
    build Release build/release >/dev/null
    prepare_data
    install_kernelspec
    cd lessons && exec jupyter console --kernel loupe "$@"
}

case "${1:-}" in
    "") cmd_main ;;
    test) shift; cmd_test "$@" ;;
    tsan) shift; cmd_tsan "$@" ;;
    fuzz) shift; cmd_fuzz "$@" ;;
    soak) shift; cmd_soak "$@" ;;
    bench) shift; cmd_bench "$@" ;;
    gen) shift; cmd_gen "$@" ;;
    repl) shift; cmd_repl "$@" ;;
    console) shift; cmd_console "$@" ;;
    test-browser) shift; cmd_test_browser "$@" ;;
    lessons) shift; cmd_lessons "$@" ;;
    help|-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (try ./run.sh help)" ;;
esac
