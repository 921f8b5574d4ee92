#!/usr/bin/env bash
# run.sh -- Loupe's real-browser test: Jupyter Notebook, the Loupe kernel and headless Chromium.
#
#   tests/browser/run.sh [BUILD_DIR]      (BUILD_DIR defaults to $LOUPE_BUILD, then build/release)
#
# Starts Jupyter Notebook (Debian's, through /usr/bin/python3) on 127.0.0.1 with a token, in a
# temporary notebook directory holding smoke.ipynb and 2,000 generated reviews, with every
# JUPYTER_* directory temporary and the build's kernelspec installed there (nothing touches the
# user's Jupyter setup). Then smoke.mjs drives /usr/bin/chromium through Playwright (playwright-core
# from npm, installed into tests/browser/node_modules, which git ignores): Cell > Run All, and
# checks of the stream, the HTML table and the SVG chart against counts computed here from the
# data file. The screenshot, the outputs' HTML and the server's log go to $LOUPE_BROWSER_ARTIFACTS
# (default BUILD_DIR/browser-test/). Every wait has a timeout; the server is stopped on exit.
#
# Needs: the build's loupe-gen and kernelspec/loupe (target loupe-kernelspec), chromium,
# jupyter-notebook, node and npm (the npm registry reachable the first time).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

say() { printf 'browser test: %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }

BUILD=${1:-${LOUPE_BUILD:-$ROOT/build/release}}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || die "no build directory ${1:-${LOUPE_BUILD:-build/release}}"
OUT=${LOUPE_BROWSER_ARTIFACTS:-$BUILD/browser-test}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PYTHON=/usr/bin/python3
STEP_TIMEOUT=${LOUPE_BROWSER_TIMEOUT:-60}   # seconds for each wait
GEN=$BUILD/loupe-gen
SPEC=$BUILD/kernelspec/loupe

[ -x "$GEN" ] || die "no $GEN (build the loupe-gen target)"
[ -f "$SPEC/kernel.json" ] || die "no $SPEC/kernel.json (build the loupe-kernelspec target)"
KERNEL=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["argv"][0])' "$SPEC/kernel.json")
[ -x "$KERNEL" ] || die "the kernelspec names $KERNEL, which is not an executable"
[ -x "$CHROMIUM" ] || die "no $CHROMIUM (apt-get install chromium)"
"$PYTHON" -c 'import notebook' 2>/dev/null || die "no Jupyter Notebook for $PYTHON (apt-get install jupyter-notebook)"
{ command -v node && command -v npm; } >/dev/null || die "node and npm are needed (for playwright-core)"

start=$(date +%s)
mkdir -p "$OUT"
rm -f "$OUT/smoke.png" "$OUT/outputs.html" "$OUT/notebook.log"

# playwright-core at the version package-lock.json pins; npm ci only when it is missing or stale.
want=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' "$HERE/package.json")
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$HERE/node_modules/playwright-core/package.json" 2>/dev/null | head -1 || true)
if [ "$have" != "$want" ]; then
    say "installing playwright-core $want into tests/browser/node_modules"
    (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
fi

TMP=$(mktemp -d /tmp/loupe-browser-XXXXXX)
SERVER=
cleanup() {
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
        kill -TERM "$SERVER" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private Jupyter: every directory under $TMP, the build's kernelspec the only kernel.
mkdir -p "$TMP/jupyter/kernels" "$TMP/data" "$TMP/runtime" "$TMP/config" "$TMP/ipython" "$TMP/nb"
cp -r "$SPEC" "$TMP/jupyter/kernels/loupe"
export JUPYTER_PATH=$TMP/jupyter JUPYTER_DATA_DIR=$TMP/data JUPYTER_RUNTIME_DIR=$TMP/runtime
export JUPYTER_CONFIG_DIR=$TMP/config JUPYTER_PLATFORM_DIRS=1 IPYTHONDIR=$TMP/ipython
export JUPYTER_CONFIG_PATH=$TMP/config HOME=$TMP PYTHONDONTWRITEBYTECODE=1

cp "$HERE/smoke.ipynb" "$TMP/nb/smoke.ipynb"
"$GEN" --rows 2000 --seed 1 --format json --out "$TMP/nb/reviews.json" --quiet \
    || die "loupe-gen failed"

# What the page must show, worked out from the file itself (not from Loupe).
EXPECT=$("$PYTHON" - "$TMP/nb/reviews.json" <<'EOF'
import collections, json, sys
groups, rows = collections.Counter(), 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if line.strip():
            rows += 1
            groups[json.loads(line).get("overall")] += 1
keys = sorted(groups, key=lambda k: (k is not None, k or 0))
print(json.dumps({"rows": rows, "groups": [["null" if k is None else repr(float(k)), groups[k]] for k in keys]}))
EOF
) || die "could not read the generated reviews"

PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TOKEN=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(24))')
ROOT_FLAG=()
[ "$(id -u)" -eq 0 ] && ROOT_FLAG=(--allow-root)   # the server only listens on 127.0.0.1
say "starting Jupyter Notebook on 127.0.0.1:$PORT (log: $OUT/notebook.log)"
"$PYTHON" -m notebook --no-browser --ip=127.0.0.1 --port="$PORT" --port-retries=0 \
    --notebook-dir="$TMP/nb" --NotebookApp.token="$TOKEN" --NotebookApp.password= \
    --NotebookApp.open_browser=False "${ROOT_FLAG[@]}" >"$OUT/notebook.log" 2>&1 &
SERVER=$!

deadline=$(( $(date +%s) + STEP_TIMEOUT ))
until "$PYTHON" - "$PORT" "$TOKEN" <<'EOF' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/status?token={sys.argv[2]}", timeout=2).read()
EOF
do
    kill -0 "$SERVER" 2>/dev/null || { tail -20 "$OUT/notebook.log" >&2; die "Jupyter Notebook exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$OUT/notebook.log" >&2; die "Jupyter Notebook did not answer within ${STEP_TIMEOUT} s"; }
    sleep 0.3
done
"$PYTHON" - "$PORT" "$TOKEN" <<'EOF' || die "the notebook server does not list the loupe kernelspec"
import json, sys, urllib.request
specs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/kernelspecs?token={sys.argv[2]}", timeout=5))
sys.exit(0 if "loupe" in specs["kernelspecs"] else 1)
EOF

say "running smoke.ipynb in headless $("$CHROMIUM" --version 2>/dev/null | head -1)"
status=0
NB_URL="http://127.0.0.1:$PORT/notebooks/smoke.ipynb?token=$TOKEN" EXPECT="$EXPECT" \
    SHOT="$OUT/smoke.png" OUTPUTS="$OUT/outputs.html" CHROMIUM="$CHROMIUM" \
    STEP_TIMEOUT=$((STEP_TIMEOUT * 1000)) \
    timeout $((STEP_TIMEOUT * 5)) node "$HERE/smoke.mjs" || status=$?
[ "$status" -eq 124 ] && say "FAIL: the browser run took over $((STEP_TIMEOUT * 5)) s"
if [ "$status" -ne 0 ]; then
    say "artifacts: $OUT/smoke.png, $OUT/outputs.html, $OUT/notebook.log"
    exit 1
fi
say "passed in $(( $(date +%s) - start )) s; screenshot: $OUT/smoke.png"
