#!/usr/bin/python3
"""test_strip.py -- the instructor tool `loupe-lessons strip` on small notebooks: solutions
replaced by the TODO with the code around them kept, outputs and counts cleared, the source
untouched, and every refusal's exact message (with the cell's number) and exit status.

usage: test_strip.py path/to/loupe-lessons [lessons_dir]
With lessons_dir, every lesson notebook there is also stripped and checked: no solution text and
no marker is left, the TODO count equals the solution count, non-solution cells are unchanged.
Standard library only (Debian's /usr/bin/python3)."""
import json
import os
import subprocess
import sys
import tempfile

TOOL = sys.argv[1]
LESSONS = sys.argv[2] if len(sys.argv) > 2 else None
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def nb(cells):
    return {"nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "loupe", "display_name": "Loupe (PySpark-style dataframes)",
                                        "language": "python"}, "language_info": {"name": "loupe"}},
            "cells": cells}


_ids = iter(range(10**6))


def code(src, outputs=None, count=None):
    return {"cell_type": "code", "id": "c%d" % next(_ids), "metadata": {}, "source": src,
            "outputs": outputs or [], "execution_count": count}


def md(src):
    return {"cell_type": "markdown", "id": "m%d" % next(_ids), "metadata": {}, "source": src}


def run(notebook, raw=None, same=False):
    """Writes notebook (or raw text) to a temp file, strips it; returns (rc, stdout, stderr,
    output notebook or None, source text after)."""
    d = tempfile.mkdtemp()
    src = os.path.join(d, "src.ipynb")
    dst = src if same else os.path.join(d, "out.ipynb")
    text = raw if raw is not None else json.dumps(notebook, indent=1)
    with open(src, "w") as f:
        f.write(text)
    p = subprocess.run([TOOL, "strip", src, dst], capture_output=True, text=True)
    out = None
    if os.path.exists(dst) and not same:
        with open(dst) as f:
            out = json.load(f)
    with open(src) as f:
        after = f.read()
    if after != text:
        fail("the source notebook was changed")
    return p.returncode, p.stdout, p.stderr.replace(src, "SRC").replace(dst, "OUT"), out, d


def source(cell):
    s = cell["source"]
    return s if isinstance(s, str) else "".join(s)


# 1. a solution between code before and after; outputs and counts cleared; other cells kept
src = [
    md("# Lesson\nSome text.\n"),
    code("x = 1\n", outputs=[{"output_type": "stream", "name": "stdout", "text": ["1\n"]}], count=3),
    code(["# Exercise: count the rows\n", "df = spark.read.json('data/reviews.json')\n",
          "### BEGIN SOLUTION\n", "n = df.count()\n", "n\n", "### END SOLUTION\n", "check(n, \"LA1:xyz\")"],
         outputs=[{"output_type": "execute_result", "data": {"text/plain": ["200000"]}, "metadata": {},
                   "execution_count": 4}], count=4),
    code("def_ok = 2\n    ### BEGIN SOLUTION\n    secret = 1\n    ### END SOLUTION\n"),
    md("Why?\n### BEGIN SOLUTION\nBecause the answer is 42.\n### END SOLUTION\n"),
]
rc, so, se, out, _ = run(nb(src))
if rc != 0:
    fail("strip failed: %s" % se)
else:
    if so.strip() != "OUT: 3 solutions replaced in 3 cells" and not so.strip().endswith(": 3 solutions replaced in 3 cells"):
        fail("summary line: %r" % so)
    c = out["cells"]
    if source(c[0]) != "# Lesson\nSome text.\n":
        fail("markdown without markers changed: %r" % source(c[0]))
    if c[1]["outputs"] != [] or c[1]["execution_count"] is not None:
        fail("outputs or count not cleared in cell 2")
    want = ("# Exercise: count the rows\ndf = spark.read.json('data/reviews.json')\n# TODO: your code here\n"
            "check(n, \"LA1:xyz\")")
    if source(c[2]) != want:
        fail("cell 3 stripped wrong:\n%r\nwant\n%r" % (source(c[2]), want))
    if not isinstance(c[2]["source"], list) or not all(l.endswith("\n") for l in c[2]["source"][:-1]):
        fail("source is not nbformat's list of lines: %r" % c[2]["source"])
    if c[2]["outputs"] != [] or c[2]["execution_count"] is not None:
        fail("outputs or count not cleared in cell 3")
    if source(c[3]) != "def_ok = 2\n    # TODO: your code here\n":
        fail("indented marker: %r" % source(c[3]))
    if source(c[4]) != "Why?\n_Your answer here._\n":
        fail("markdown solution: %r" % source(c[4]))
    if out["metadata"] != nb([])["metadata"] or out["nbformat"] != 4 or out["nbformat_minor"] != 5:
        fail("notebook metadata changed")
    if [x["id"] for x in c] != [x["id"] for x in src]:
        fail("cell ids changed")

# 2. a cell that is only a solution, with no newline at the end
rc, so, se, out, _ = run(nb([code("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")]))
if rc != 0 or source(out["cells"][0]) != "# TODO: your code here":
    fail("solution-only cell: rc=%d %r" % (rc, out and source(out["cells"][0])))

# 3. refusals: exact messages, exit status 1, nothing written
cases = [
    (nb([md("a"), code("x\n### BEGIN SOLUTION\ny\n")]),
     "loupe-lessons: SRC: cell 2, line 2: '### BEGIN SOLUTION' is never ended by '### END SOLUTION'\n"),
    (nb([code("x\n### END SOLUTION\n")]),
     "loupe-lessons: SRC: cell 1, line 2: '### END SOLUTION' without a '### BEGIN SOLUTION' before it\n"),
    (nb([code("ok\n"), code("a\n"), code("### BEGIN SOLUTION\na\n### BEGIN SOLUTION\nb\n### END SOLUTION\n")]),
     "loupe-lessons: SRC: cell 3, line 3: '### BEGIN SOLUTION' inside the solution begun on line 1 "
     "(a missing '### END SOLUTION'?)\n"),
    ({"cells": {}}, "loupe-lessons: SRC: not a Jupyter notebook: no 'cells' list\n"),
    (nb([{"source": "x"}]), "loupe-lessons: SRC: cell 1: not a notebook cell (no 'cell_type')\n"),
    (nb([{"cell_type": "code", "source": 3}]),
     "loupe-lessons: SRC: cell 1: 'source' is neither a string nor a list of strings\n"),
]
for notebook, want in cases:
    rc, so, se, out, d = run(notebook)
    if rc != 1 or se != want:
        fail("refusal: rc=%d stderr=%r want %r" % (rc, se, want))
    if out is not None or os.listdir(d) != ["src.ipynb"]:
        fail("a refused strip wrote something: %r" % os.listdir(d))

rc, so, se, out, d = run(None, raw='{"cells": [1, }')
if rc != 1 or not se.startswith("loupe-lessons: SRC:1:") or "not valid JSON" not in se:
    fail("bad JSON: rc=%d %r" % (rc, se))
rc, so, se, out, d = run(nb([code("x")]), same=True)
if rc != 1 or se != "loupe-lessons: SRC: the student version cannot replace the instructor version; name another file\n":
    fail("same file: rc=%d %r" % (rc, se))
p = subprocess.run([TOOL, "strip", "/nonexistent/x.ipynb", "/tmp/y.ipynb"], capture_output=True, text=True)
if p.returncode != 1 or not p.stderr.startswith("loupe-lessons: /nonexistent/x.ipynb: unable to open"):
    fail("missing file: %d %r" % (p.returncode, p.stderr))
p = subprocess.run([TOOL, "frobnicate"], capture_output=True, text=True)
if p.returncode != 2 or not p.stderr.startswith("usage: loupe-lessons strip SRC.ipynb OUT.ipynb"):
    fail("usage: %d %r" % (p.returncode, p.stderr))

# 4. the real lessons, when given
if LESSONS:
    names = sorted(f for f in os.listdir(LESSONS) if f.endswith(".ipynb"))
    if len(names) < 8:
        fail("expected 8 lessons in %s, found %d" % (LESSONS, len(names)))
    for name in names:
        path = os.path.join(LESSONS, name)
        with open(path) as f:
            inst = json.load(f)
        rc, so, se, out, _ = run(inst)
        if rc != 0:
            fail("%s: %s" % (name, se))
            continue
        nsol = sum(source(c).count("### BEGIN SOLUTION") for c in inst["cells"])
        ntodo = sum(source(c).count("# TODO: your code here") + source(c).count("_Your answer here._")
                    for c in out["cells"])
        if nsol != ntodo:
            fail("%s: %d solutions, %d TODOs" % (name, nsol, ntodo))
        for a, b in zip(inst["cells"], out["cells"]):
            if "### " in source(b) and "SOLUTION" in source(b):
                fail("%s: a marker is left" % name)
            if "BEGIN SOLUTION" not in source(a) and source(a) != source(b):
                fail("%s: a cell without a solution changed" % name)

if failures:
    print("%d failure(s)" % failures)
    sys.exit(1)
print("ok")
