#!/usr/bin/python3
"""run_lessons.py -- runs every lesson notebook's code cells through the `loupe` binary, top to
bottom, as one script from lessons/ (where data/ lives), and reports each lesson's time.

usage: run_lessons.py LOUPE [LESSONS_DIR] [--only NN] [--keep DIR] [--strip TOOL]
                      [--gen LOUPE_GEN --rows N] [--expect DIR]

Until the Jupyter kernel runs the notebooks through nbclient, this is how a lesson is proven to
run without a single error. Cells are joined with blank lines; a failing cell is named (its
number counting from 1, as in the notebook) with the error. --keep writes each script to DIR.
--strip TOOL also strips each lesson with `loupe-lessons strip` and runs the student version
without its TODO cells: no other cell may fail (none may need a solution's result).
--gen runs the lessons over N freshly generated reviews (with labels) in a temporary folder
instead of LESSONS_DIR/data, so that the test needs no prepared data (ctest: lessons_run).
--expect DIR appends DIR/<lesson>.lp, when there is one, to the lesson's instructor script:
assertions of what the lesson shows against what the generator planted (data/labels.csv).
Exit status 0 when every lesson ran clean. Standard library only (Debian's /usr/bin/python3)."""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

args = sys.argv[1:]
opts = {}
pos = []
i = 0
while i < len(args):
    if args[i] in ("--only", "--keep", "--strip", "--gen", "--rows", "--expect"):
        opts[args[i]] = args[i + 1]
        i += 2
    else:
        pos.append(args[i])
        i += 1
LOUPE = os.path.abspath(pos[0])
LESSONS = os.path.abspath(pos[1] if len(pos) > 1 else os.path.join(os.path.dirname(__file__), "../../lessons"))
SOURCES = LESSONS
if "--gen" in opts:
    # the notebooks read data/reviews.json relative to where they run: run them from a copy
    LESSONS = tempfile.mkdtemp(prefix="lessons-")
    os.makedirs(os.path.join(LESSONS, "data"))
    subprocess.run([opts["--gen"], "--rows", opts.get("--rows", "20000"), "--seed", "42", "--quiet",
                    "--out", os.path.join(LESSONS, "data/reviews.json"),
                    "--labels", os.path.join(LESSONS, "data/labels.csv")], check=True)
    for f in os.listdir(SOURCES):
        if f.endswith(".ipynb"):
            with open(os.path.join(SOURCES, f)) as a, open(os.path.join(LESSONS, f), "w") as b:
                b.write(a.read())


def source(cell):
    s = cell["source"]
    return s if isinstance(s, str) else "".join(s)


def code_cells(path):
    with open(path) as f:
        nb = json.load(f)
    out = []
    for n, c in enumerate(nb["cells"], 1):
        if c["cell_type"] == "code":
            out.append((n, source(c)))
    return nb, out


def run_script(cells, keep_name=None):
    """Runs the cells as one script; returns (ok, seconds, output, failing cell or None)."""
    text = ""
    starts = []  # (line, cell number)
    line = 1
    for n, src in cells:
        starts.append((line, n))
        body = src.rstrip("\n") + "\n\n"
        text += body
        line += body.count("\n")
    fd, path = tempfile.mkstemp(suffix=".lp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    if keep_name and "--keep" in opts:
        os.makedirs(opts["--keep"], exist_ok=True)
        with open(os.path.join(opts["--keep"], keep_name), "w") as f:
            f.write(text)
    t0 = time.monotonic()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([LOUPE, path], cwd=LESSONS, capture_output=True, text=True)
    dt = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    global last_cpu
    last_cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    os.unlink(path)
    bad = None
    if p.returncode != 0:
        # "<path>:LINE:COL: ..." names the line; map it back to its cell
        err = p.stderr
        try:
            ln = int(err.split(path + ":", 1)[1].split(":", 1)[0])
            bad = [n for (l, n) in starts if l <= ln][-1]
        except (IndexError, ValueError):
            bad = "?"
        return False, dt, p.stdout + p.stderr.replace(path, "script"), bad
    return True, dt, p.stdout + p.stderr, None


def run_student(tool, path):
    """Strips the lesson and runs the student version without its TODO cells (which fail until
    the student answers) as one script: a cell without a TODO that needs a solution's result
    fails here, as it would in class."""
    fd, out = tempfile.mkstemp(suffix=".ipynb")
    os.close(fd)
    p = subprocess.run([tool, "strip", path, out], capture_output=True, text=True)
    if p.returncode != 0:
        return ["strip failed: " + p.stderr]
    _, cells = code_cells(out)
    os.unlink(out)
    todo = [n for n, src in cells if "# TODO: your code here" in src]
    if not todo:
        return []
    ok, _, output, bad = run_script([(n, src) for n, src in cells if n not in todo])
    if not ok:
        return ["cell %s (no TODO) failed:\n%s" % (bad, output[-1500:])]
    return []


failed = 0
last_cpu = 0.0
names = sorted(f for f in os.listdir(LESSONS) if f.endswith(".ipynb"))
if "--only" in opts:
    names = [n for n in names if n.startswith(opts["--only"])]
for name in names:
    _, cells = code_cells(os.path.join(LESSONS, name))
    expect = os.path.join(opts.get("--expect", "/nonexistent"), name.replace(".ipynb", ".lp"))
    if os.path.exists(expect):
        with open(expect) as f:
            cells = cells + [("expectations " + os.path.basename(expect), f.read())]
    ok, dt, output, bad = run_script(cells, name.replace(".ipynb", ".lp"))
    if ok:
        print("%-40s ok   %6.2f s wall  %6.2f s cpu  (%d code cells)" % (name, dt, last_cpu, len(cells)))
    else:
        failed += 1
        print("%-40s FAIL in cell %s after %.2f s:\n%s" % (name, bad, dt, output[-3000:]))
    if "--strip" in opts:
        problems = run_student(opts["--strip"], os.path.join(LESSONS, name))
        for pr in problems:
            failed += 1
            print("%s (student version): %s" % (name, pr))
        if not problems:
            print("%-40s student version ok" % name)
sys.exit(1 if failed else 0)
