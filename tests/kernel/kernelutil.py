"""kernelutil.py -- what the kernel tests share: a private Jupyter environment holding the
built kernelspec, and a scratch directory with small data files.

The kernelspec is the build's (kernel/CMakeLists.txt writes it to build/.../kernelspec/loupe
and passes its path in LOUPE_KERNELSPEC); it is copied into a temporary JUPYTER_PATH so the
tests never touch the user's Jupyter setup. Import this module before jupyter_client reads
its paths (the environment is set at import time).
"""
import atexit
import os
import shutil
import sys
import tempfile

SPEC = os.environ.get("LOUPE_KERNELSPEC")
if not SPEC or not os.path.isfile(os.path.join(SPEC, "kernel.json")):
    sys.exit("LOUPE_KERNELSPEC must name the built kernelspec directory (run through ctest)")

ROOT = tempfile.mkdtemp(prefix="loupe-kernel-test-")
atexit.register(shutil.rmtree, ROOT, True)
for sub in ("kernels", "runtime", "config", "data"):
    os.makedirs(os.path.join(ROOT, sub), exist_ok=True)
shutil.copytree(SPEC, os.path.join(ROOT, "kernels", "loupe"))
os.environ["JUPYTER_PATH"] = ROOT
os.environ["JUPYTER_DATA_DIR"] = os.path.join(ROOT, "data")
os.environ["JUPYTER_RUNTIME_DIR"] = os.path.join(ROOT, "runtime")
os.environ["JUPYTER_CONFIG_DIR"] = os.path.join(ROOT, "config")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"

KERNEL_NAME = "loupe"

# A CSV whose `code` column has one value a cast to int turns into null (a warning on stderr).
CODES = os.path.join(ROOT, "codes.csv")
with open(CODES, "w", encoding="utf-8") as f:
    f.write("name,code\na,x7\nb,3\nc,12\n")


def kernel_binary():
    """The loupe-kernel the kernelspec runs."""
    import json
    with open(os.path.join(SPEC, "kernel.json"), encoding="utf-8") as f:
        return json.load(f)["argv"][0]
