"""bench_kernel.py -- loupe-kernel's start-up time and execute round trip, through jupyter_client.

    LOUPE_KERNELSPEC=build/<dir>/kernelspec/loupe LOUPE_GEN=build/<dir>/loupe-gen \
        /usr/bin/python3 tests/kernel/bench_kernel.py [N]

Start-up: from spawning the kernel process to its first kernel_info_reply (the moment a
notebook shows it ready), over 10 starts; the median and the slowest are reported.
Interrupt (with LOUPE_GEN naming loupe-gen): interrupt_request half a second into a cross join
of 6000 x 6000 rows, to the query's error reply; 5 runs.
Round trip: N (default 500) trivial executes ("1"), each timed from sending execute_request to
receiving execute_reply, with its iopub messages (busy, execute_input, execute_result, idle)
read before the next one is sent; median and p99. Use a Release build for figures to quote.
"""
import os
import statistics
import subprocess
import sys
import time
from queue import Empty

import kernelutil  # the private Jupyter environment, before jupyter_client reads its paths
from jupyter_client.manager import KernelManager

STARTS = 10


def wait_reply(get, msg_id, timeout=30):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        msg = get(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    raise TimeoutError(msg_id)


def startup_once():
    km = KernelManager(kernel_name=kernelutil.KERNEL_NAME)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        # ask until answered: the first request may come before the kernel's sockets are bound
        while True:
            kc.kernel_info()
            try:
                # any kernel_info_reply, even to an earlier request, means the kernel is ready
                if kc.get_shell_msg(timeout=0.05)["msg_type"] == "kernel_info_reply":
                    break
            except Empty:
                if time.perf_counter() - t0 > 30:
                    raise TimeoutError("no kernel_info_reply in 30 s")
        return time.perf_counter() - t0, km, kc
    except BaseException:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise


def idle_for(kc, msg_id):
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return


CROSS_ROWS = 6000


def interrupt_latency(km, kc, runs=5):
    """Seconds from interrupt_request to the execute_reply of a cross join, `runs` times
    (empty without LOUPE_GEN to make the data)."""
    gen = os.environ.get("LOUPE_GEN")
    if not gen:
        return []
    path = os.path.join(kernelutil.ROOT, "bench-reviews.json")
    subprocess.run([gen, "--rows", "20000", "--seed", "1", "--format", "json", "--out", path, "--quiet"], check=True)
    idle_for(kc, kc.execute(f'x = spark.read.json("{path}").select("overall").limit({CROSS_ROWS})'))
    out = []
    for _ in range(runs):
        msg_id = kc.execute("x.crossJoin(x).count()")
        time.sleep(0.5)
        t0 = time.perf_counter()
        km.interrupt_kernel()
        reply = wait_reply(kc.get_shell_msg, msg_id)
        out.append(time.perf_counter() - t0)
        assert reply["content"]["status"] == "error", "the query ended before the interrupt"
        idle_for(kc, msg_id)
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    starts = []
    for i in range(STARTS):
        t, km, kc = startup_once()
        starts.append(t)
        if i < STARTS - 1:
            kc.stop_channels()
            km.shutdown_kernel(now=False)
    try:
        # iopub is a PUB socket: until the subscription has reached the kernel, what it publishes
        # is lost. Nudge with kernel_info until its status arrives (as jupyter_client's
        # _async_wait_for_ready and Jupyter Server do).
        while True:
            msg_id = kc.kernel_info()
            try:
                if kc.get_iopub_msg(timeout=0.1)["parent_header"].get("msg_id") == msg_id:
                    break
            except Empty:
                pass
        for _ in range(20):  # warm-up
            idle_for(kc, kc.execute("1"))
        rtts = []
        for _ in range(n):
            t0 = time.perf_counter()
            msg_id = kc.execute("1")
            reply = wait_reply(kc.get_shell_msg, msg_id)
            rtts.append(time.perf_counter() - t0)
            assert reply["content"]["status"] == "ok"
            idle_for(kc, msg_id)
        interrupts = interrupt_latency(km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    rtts.sort()
    p99 = rtts[min(len(rtts) - 1, int(round(0.99 * len(rtts))) - 1)]
    print(f"start-up (spawn to first kernel_info_reply), {STARTS} starts: "
          f"median {statistics.median(starts) * 1e3:.1f} ms, max {max(starts) * 1e3:.1f} ms")
    print(f"execute round trip, {n} trivial executes: median {statistics.median(rtts) * 1e3:.2f} ms, "
          f"p99 {p99 * 1e3:.2f} ms")
    if interrupts:
        print(f"interrupt_request during a {CROSS_ROWS}x{CROSS_ROWS} cross join to its error reply, "
              f"{len(interrupts)} runs: median {statistics.median(interrupts) * 1e3:.0f} ms, "
              f"max {max(interrupts) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
