"""Does the fresh build's render worker pay when CPUs are scarce or busy? (issue 16)

    python benchmarks/cpus.py [ROUNDS]     # default 6 rounds, about 2 minutes

``bulletin make`` of the 21-article text month without a server, with the worker
(``python -m bulletin.worker``, which imports WeasyPrint on another CPU while the
build reads the month) and without it (rendered in the build's own process),
interleaved, in four settings: the machine as it is; one and two CPU-bound loops
running beside it; and the build held to one CPU (``sched_setaffinity``), where
bulletin itself now goes without the worker (``worker.beside_the_build``). Both
ways are forced here, whatever bulletin would choose.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from warm import month

# The build, with the worker or without it, whatever bulletin would choose.
BUILD = """
import sys
from bulletin import serve
serve.beside_the_build = lambda: sys.argv[1] == "with"
sys.argv[1:2] = []
from bulletin.cli import main
main()
"""
HOG = "while True: pass"


def timed(mode: str, project: Path, one_cpu: bool) -> float:
    make = ["make", "-q", "--articles", "2023-11", "--out", f"{mode}.pdf"]
    command = [sys.executable, "-c", BUILD, mode, *make]
    env = {**os.environ, "BULLETIN_NO_SERVER": "1"}
    pin: Callable[[], None] | None = (lambda: os.sched_setaffinity(0, {0})) if one_cpu else None
    started = time.perf_counter()
    subprocess.run(command, cwd=project, env=env, check=True, preexec_fn=pin, timeout=600)
    return time.perf_counter() - started


def setting(name: str, project: Path, rounds: int, hogs: int = 0, one_cpu: bool = False) -> None:
    loops = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(hogs)]
    try:
        time.sleep(0.3)
        times: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(rounds):
            for mode, values in times.items():
                values.append(timed(mode, project, one_cpu))
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    worker, alone = (statistics.median(times[mode]) for mode in ("with", "without"))
    print(
        f"{name:28s} {worker:6.2f} s {alone:10.2f} s {worker / alone:9.2f} ×"
        f"   (best {min(times['with']):.2f} / {min(times['without']):.2f})",
        flush=True,
    )


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    project = month(21, Path(tempfile.mkdtemp(prefix="bulletin-cpus-")))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {rounds} rounds")
    print(f"{'make fresh, N=21':28s} {'worker':>8s} {'no worker':>12s} {'ratio':>11s}", flush=True)
    setting("as it is", project, rounds)
    setting("one busy loop beside", project, rounds, hogs=1)
    setting("two busy loops beside", project, rounds, hogs=2)
    if hasattr(os, "sched_setaffinity"):
        setting("held to one CPU", project, rounds, one_cpu=True)


if __name__ == "__main__":
    main()
