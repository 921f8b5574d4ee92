#!/usr/bin/python3
"""test_lessons_nbclient.py -- every lesson notebook executed top to bottom with nbclient and the
Loupe kernel, as Jupyter runs it: the instructor version without a single error, the student
version (stripped with loupe-lessons) with errors only in cells that hold a TODO.

usage: LOUPE_KERNELSPEC=build/X/kernelspec/loupe test_lessons_nbclient.py LOUPE_LESSONS_TOOL
           [LESSONS_DIR] [--gen LOUPE_GEN --rows N] [--only NN] [--save DIR]

The kernelspec is installed into a private, temporary JUPYTER_PATH (tests/kernel/kernelutil.py),
never the user's. --gen runs over N freshly generated reviews in a temporary copy of the
lessons; otherwise over LESSONS_DIR/data. --save writes the executed notebooks (outputs
included) to DIR. Prints each lesson's execution time. Debian's python3-nbclient."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kernel"))
import kernelutil  # noqa: E402  (sets the Jupyter environment before nbclient reads it)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402

args = sys.argv[1:]
opts, pos, i = {}, [], 0
while i < len(args):
    if args[i] in ("--gen", "--rows", "--only", "--save"):
        opts[args[i]] = args[i + 1]
        i += 2
    else:
        pos.append(args[i])
        i += 1
TOOL = os.path.abspath(pos[0])
SOURCES = os.path.abspath(pos[1] if len(pos) > 1 else os.path.join(os.path.dirname(__file__), "../../lessons"))
LESSONS = SOURCES
if "--gen" in opts:
    LESSONS = tempfile.mkdtemp(prefix="lessons-nb-")
    os.makedirs(os.path.join(LESSONS, "data"))
    subprocess.run([opts["--gen"], "--rows", opts.get("--rows", "20000"), "--seed", "42", "--quiet",
                    "--out", os.path.join(LESSONS, "data/reviews.json"),
                    "--labels", os.path.join(LESSONS, "data/labels.csv")], check=True)
    for f in os.listdir(SOURCES):
        if f.endswith(".ipynb"):
            shutil.copy(os.path.join(SOURCES, f), LESSONS)


def source(cell):
    s = cell["source"]
    return s if isinstance(s, str) else "".join(s)


def execute(path, allow_errors):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=kernelutil.KERNEL_NAME, timeout=120, allow_errors=allow_errors,
                            resources={"metadata": {"path": LESSONS}})
    t0 = time.monotonic()
    client.execute()
    return nb, time.monotonic() - t0


def errors(nb):
    out = []
    for n, c in enumerate(nb.cells, 1):
        if c.cell_type != "code":
            continue
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                out.append((n, c, "%s: %s" % (o.get("ename"), o.get("evalue"))))
    return out


failed = 0
names = sorted(f for f in os.listdir(LESSONS) if f.endswith(".ipynb"))
if "--only" in opts:
    names = [n for n in names if n.startswith(opts["--only"])]
for name in names:
    path = os.path.join(LESSONS, name)
    try:
        nb, dt = execute(path, allow_errors=False)
        print("%-40s ok   %6.2f s" % (name, dt))
        if "--save" in opts:
            os.makedirs(opts["--save"], exist_ok=True)
            nbformat.write(nb, os.path.join(opts["--save"], name))
    except CellExecutionError as e:
        failed += 1
        print("%-40s FAIL\n%s" % (name, str(e)[-2000:]))
    # the student version: errors only where the student has work to do
    fd, student = tempfile.mkstemp(suffix=".ipynb", dir=LESSONS)
    os.close(fd)
    p = subprocess.run([TOOL, "strip", path, student], capture_output=True, text=True)
    if p.returncode != 0:
        failed += 1
        print("%s: strip failed: %s" % (name, p.stderr))
        continue
    try:
        nb, dt = execute(student, allow_errors=True)
    finally:
        os.unlink(student)
    bad = [(n, msg) for (n, c, msg) in errors(nb) if "# TODO: your code here" not in source(c)]
    todo = [n for (n, c, msg) in errors(nb) if "# TODO: your code here" in source(c)]
    for n, msg in bad:
        failed += 1
        print("%s (student version): cell %d has no TODO but failed: %s" % (name, n, msg))
    if not bad:
        print("%-40s student version ok (%d TODO cells fail as expected)" % (name, len(todo)))
sys.exit(1 if failed else 0)
