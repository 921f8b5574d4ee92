#!/usr/bin/python3
"""soak.py -- the workshop load (issue 7, "Resources and faults"): many Loupe kernels at once,
each running lesson 4's code cells in a loop, every run checked against the first.

usage: tests/soak/soak.py BUILD_DIR [--kernels 30] [--seconds 60] [--rows 20000] [--lesson 04]

BUILD_DIR is a built tree (Release for the real soak: build/release); its kernelspec
(BUILD_DIR/kernelspec/loupe) and loupe-gen are used. The data is generated into a temporary
folder (`loupe-gen --rows N --seed 42 --out DIR/data/reviews.json --labels DIR/data/labels.csv`)
and every kernel runs there, as a notebook in lessons/ does. The kernels are started through
jupyter_client's KernelManager with the kernelspec, in a private JUPYTER_PATH (the user's
Jupyter setup is never touched). Each kernel runs the lesson's code cells, top to bottom, again
and again until --seconds have passed (a run under way is finished). A run fails when a cell
replies with an error, the kernel dies or a cell's outputs differ from the first run's (every
kernel is compared with kernel 0's first run: text, results and charts; the running display,
which depends on timing, is left out).

Prints the runs completed, the failures (with the first difference), and each kernel's peak
RSS (VmHWM). Exit status 0 when every run of every kernel matched. Not part of `./run.sh test`
(it loads a 2-core machine for a minute or more). Standard library + Debian's jupyter_client.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from queue import Empty

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("build", help="a built tree, e.g. build/release")
ap.add_argument("--kernels", type=int, default=30)
ap.add_argument("--seconds", type=float, default=60)
ap.add_argument("--rows", type=int, default=20000)
ap.add_argument("--lesson", default="04")
ap.add_argument("--cell-timeout", type=float, default=600, help="seconds one cell may take under the load")
args = ap.parse_args()

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.abspath(args.build)
SPEC = os.path.join(BUILD, "kernelspec", "loupe")
GEN = os.path.join(BUILD, "loupe-gen")
if not os.path.isfile(os.path.join(SPEC, "kernel.json")) or not os.access(GEN, os.X_OK):
    sys.exit(f"soak: {BUILD} has no kernelspec/loupe or loupe-gen (build the loupe-kernelspec and loupe-gen targets)")

# A private Jupyter environment holding this build's kernelspec, set before jupyter_client
# reads its paths (as tests/kernel/kernelutil.py does).
WORK = tempfile.mkdtemp(prefix="loupe-soak-")
for sub in ("kernels", "runtime", "config", "data"):
    os.makedirs(os.path.join(WORK, "jupyter", sub), exist_ok=True)
shutil.copytree(SPEC, os.path.join(WORK, "jupyter", "kernels", "loupe"))
os.environ.update(JUPYTER_PATH=os.path.join(WORK, "jupyter"), JUPYTER_DATA_DIR=os.path.join(WORK, "jupyter", "data"),
                  JUPYTER_RUNTIME_DIR=os.path.join(WORK, "jupyter", "runtime"),
                  JUPYTER_CONFIG_DIR=os.path.join(WORK, "jupyter", "config"), JUPYTER_PLATFORM_DIRS="1")

from jupyter_client.manager import KernelManager  # noqa: E402 (after the environment)

LESSON = [os.path.join(ROOT, "lessons", f) for f in sorted(os.listdir(os.path.join(ROOT, "lessons")))
          if f.startswith(args.lesson) and f.endswith(".ipynb")]
if not LESSON:
    sys.exit(f"soak: no lessons/{args.lesson}-*.ipynb")
with open(LESSON[0]) as f:
    CELLS = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
             for c in json.load(f)["cells"] if c["cell_type"] == "code"]

DATA = os.path.join(WORK, "lesson")
os.makedirs(os.path.join(DATA, "data"))
subprocess.run([GEN, "--rows", str(args.rows), "--seed", "42", "--quiet",
                "--out", os.path.join(DATA, "data", "reviews.json"),
                "--labels", os.path.join(DATA, "data", "labels.csv")], check=True)


def vm(pid, key):
    """VmRSS or VmHWM of pid in MiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_cell(kc, code, timeout):
    """Executes one cell; returns (status, outputs) where outputs are the cell's published
    outputs without the transient running display."""
    msg_id = kc.execute(code)
    outs = []
    deadline = time.time() + timeout
    idle = False
    while not idle:
        if time.time() > deadline:
            raise TimeoutError(f"no idle within {timeout:.0f} s")
        try:
            m = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        t, c = m["msg_type"], m["content"]
        if t == "status":
            idle = c["execution_state"] == "idle"
        elif t == "stream":
            outs.append(("stream", c["name"], c["text"]))
        elif t in ("execute_result", "display_data") and not c.get("transient"):
            outs.append((t, json.dumps(c["data"], sort_keys=True)))
        elif t == "error":
            outs.append(("error", c["ename"], c["evalue"]))
    while True:
        reply = kc.get_shell_msg(timeout=max(1, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"], outs


class Soak:
    def __init__(self, i):
        self.i = i
        self.km = KernelManager(kernel_name="loupe")
        self.log = open(os.path.join(WORK, f"kernel-{i}.log"), "w")
        self.km.start_kernel(cwd=DATA, stderr=self.log)
        self.pid = self.km.provisioner.process.pid
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=300)
        self.runs = 0
        self.failures = []
        self.first = None
        self.seconds = []

    def one_run(self, reference):
        """Runs the lesson once; returns False when the kernel died."""
        t0 = time.time()
        outputs = []
        self.runs += 1
        try:
            for n, code in enumerate(CELLS):
                status, outs = run_cell(self.kc, code, args.cell_timeout)
                if status != "ok":
                    raise RuntimeError(f"cell {n + 1} replied {status}: {outs[-1:] or ''}")
                outputs.append(outs)
        except Exception as e:  # a failed run is counted and reported, the loop goes on
            self.failures.append(f"run {self.runs}: {type(e).__name__}: {str(e)[:300]}")
            if not self.km.is_alive():
                self.failures.append("the kernel died")
                return False
            return True
        self.seconds.append(time.time() - t0)
        with reference["lock"]:
            if reference["outputs"] is None:
                reference["outputs"] = outputs
        ref = reference["outputs"]
        if outputs != ref:
            n = next(k for k in range(len(ref)) if k >= len(outputs) or outputs[k] != ref[k])
            self.failures.append(f"run {self.runs}: cell {n + 1}'s outputs differ from the first run's: "
                                 f"{str(outputs[n] if n < len(outputs) else None)[:200]} vs {str(ref[n])[:200]}")
        return True

    def loop(self, until, reference):
        while time.time() < until and self.one_run(reference):
            pass

    def stop(self):
        peak = vm(self.pid, "VmHWM")
        self.km.shutdown_kernel(now=False)
        self.kc.stop_channels()
        self.log.close()
        return peak


def main():
    print(f"soak: {args.kernels} kernels of {BUILD}, lesson {os.path.basename(LESSON[0])} ({len(CELLS)} code cells), "
          f"{args.rows} reviews, {args.seconds:.0f} s", flush=True)
    t0 = time.time()
    kernels = [Soak(i) for i in range(args.kernels)]
    print(f"soak: {len(kernels)} kernels started in {time.time() - t0:.1f} s", flush=True)
    reference = {"outputs": None, "lock": threading.Lock()}
    # kernel 0's first run, alone on the machine, is the reference every run is compared with
    t1 = time.time()
    kernels[0].one_run(reference)
    print(f"soak: the reference run (kernel 0 alone) took {time.time() - t1:.1f} s", flush=True)
    until = time.time() + args.seconds
    threads = [threading.Thread(target=k.loop, args=(until, reference)) for k in kernels]
    t1 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - t1
    peaks = [k.stop() for k in kernels]
    runs = sum(k.runs for k in kernels)
    failures = sum(len(k.failures) for k in kernels)
    print(f"soak: {runs} runs of the lesson completed by {len(kernels)} kernels in {wall:.0f} s "
          f"(per kernel {min(k.runs for k in kernels)}-{max(k.runs for k in kernels)}); {failures} failures")
    secs = [s for k in kernels for s in k.seconds]
    if secs:
        print(f"soak: one run of the lesson took {min(secs):.1f}-{max(secs):.1f} s under the load")
    print("soak: peak RSS per kernel (MiB): " + " ".join(f"{p:.0f}" for p in peaks) +
          f"  (max {max(peaks):.0f}, sum {sum(peaks):.0f})")
    for k in kernels:
        for f in k.failures[:5]:
            print(f"soak: kernel {k.i}: {f}")
    ok = failures == 0 and all(k.runs > 0 for k in kernels)
    print("soak: " + ("ok" if ok else "FAILED"))
    shutil.rmtree(WORK, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
