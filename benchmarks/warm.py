"""Fresh, warm (``bulletin serve``) and warm-after-one-change builds against the floor.

    python benchmarks/warm.py [ROUNDS]     # default 5 rounds, about 3 minutes

Text-only synthetic months of N = 21, 50 and 100 articles (the issue's corpus
shape), each in a project of its own with its own render server. Every round
runs, for each N in turn: the floor (WeasyPrint alone on a plain page of the
same text, run.py's), ``bulletin make`` fresh (``BULLETIN_NO_SERVER=1``: the
worker process), ``bulletin make`` warm (the server answers and lays the whole
month out again: ``BULLETIN_NO_RENDER_CACHE=1``, ``BULLETIN_NO_PAGE_REUSE=1``),
and for N = 21 a warm make of the unchanged month (the server's render cache
answers) and one after an article was edited (the pages the edit did not reach
taken from the last layout, ``bulletin/pagereuse.py``). Ratios are taken to the floor of the
same round and N, so a machine that drifts moves both alike; the table gives
the median ratio and its range over the rounds. Before each round a CPU-bound
probe loop is timed: its time over the quietest probe of the run tells how busy
the machine was (1.00 = as quiet as it got; 2.0 = another job took a core's half).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generate import write_month
from run import ENV, MONTHS, floor_command, floor_html

from bulletin import serve

BULLETIN = [sys.executable, "-m", "bulletin"]
SIZES = (21, 50, 100)
GENERATOR_VERSION = 1


def probe() -> float:
    """Seconds of a fixed CPU-bound loop: the machine's load, in one number."""
    started = time.perf_counter()
    total = 0
    for number in range(3_000_000):
        total += number * number % 7
    return time.perf_counter() - started


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600)
    return time.perf_counter() - started


def month(count: int, work: Path) -> Path:
    """A project folder holding a copy of the stored text-only month of ``count``."""
    stored = MONTHS / f"t{count}-v{GENERATOR_VERSION}"
    if not stored.is_dir():
        write_month(stored.with_suffix(".part") / "2023-11", count, photos=False)
        stored.with_suffix(".part").rename(stored)
    project = work / f"t{count}"
    shutil.copytree(stored, project)
    return project


def start_server(project: Path, log: Path) -> subprocess.Popen[bytes]:
    """The project's render server, once it answers."""
    server = subprocess.Popen(
        [*BULLETIN, "--lang", "en", "serve", "--idle", "20"],
        cwd=project,
        env=ENV,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while (connection := serve.connect(project.resolve())) is None:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the render server for {project} did not start")
        time.sleep(0.1)
    connection.close()
    return server


def edit_one(project: Path) -> Callable[[], None]:
    """A change to one article, different every time (as an editor's)."""
    article = sorted((project / "2023-11").glob("*.md"))[0]
    original = article.read_text(encoding="utf-8")
    count = [0]

    def edit() -> None:
        count[0] += 1
        article.write_text(original + f"\nSửa lần {count[0]}.\n", encoding="utf-8")

    return edit


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f} × ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    work = Path(tempfile.mkdtemp(prefix="bulletin-warm-"))
    fresh_env = {**ENV, "BULLETIN_NO_SERVER": "1"}
    # Warm: the whole month laid out every time, no page taken from the last layout.
    relayout_env = {**ENV, "BULLETIN_NO_RENDER_CACHE": "1", "BULLETIN_NO_PAGE_REUSE": "1"}
    servers: list[subprocess.Popen[bytes]] = []
    started = time.perf_counter()
    try:
        projects = {count: month(count, work) for count in SIZES}
        for count, project in projects.items():
            floor_html(project / "2023-11", work / f"t{count}.html")
        make = [*BULLETIN, "make", "-q", "--articles", "2023-11", "--out", "out.pdf"]
        floors = {n: floor_command(work / f"t{n}.html", work / "floor.pdf") for n in SIZES}
        # Warm-ups: system caches, bytecode, fontconfig's cache.
        timed(floors[21], work, ENV)
        timed(make, projects[21], fresh_env)
        servers = [start_server(projects[n], work / f"serve-{n}.log") for n in SIZES]
        timed(make, projects[21], ENV)  # the render cache holds this month from now on
        edit = edit_one(projects[21])
        seconds: dict[str, list[float]] = {}
        ratios: dict[str, list[float]] = {}
        probes = []

        def record(name: str, value: float, floor: float | None) -> None:
            seconds.setdefault(name, []).append(value)
            if floor:
                ratios.setdefault(name, []).append(value / floor)

        for _round in range(rounds):
            probes.append(probe())
            for n in SIZES:
                floor = timed(floors[n], work, ENV)
                record(f"floor N={n}", floor, None)
                record(f"make fresh N={n}", timed(make, projects[n], fresh_env), floor)
                record(f"make warm N={n}", timed(make, projects[n], relayout_env), floor)
                if n == 21:
                    unchanged = timed(make, projects[n], ENV)
                    record("make warm N=21, unchanged (render cache)", unchanged, floor)
                    edit()
                    record(
                        "make warm N=21, one article changed", timed(make, projects[n], ENV), floor
                    )
            record("bulletin --help", timed([*BULLETIN, "--help"], work, ENV), None)
        quiet = min(probes)
        print(
            f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
            f"load average {os.getloadavg()[0]:.2f}; {rounds} rounds"
        )
        loads = [p / quiet for p in probes]
        each = " ".join(f"{x:.2f}" for x in loads)
        print(f"probe loop: {quiet:.2f} s at quietest; each round's over that: {each}")
        print(f"\n{'what':<40} {'median':>8}  {'/ floor: median (range)':>24}")
        for name, values in seconds.items():
            ratio = spread(ratios[name]) if name in ratios else ""
            print(f"{name:<40} {statistics.median(values):6.2f} s  {ratio:>24}")
        for kind in ("fresh", "warm"):
            per = [statistics.median(seconds[f"make {kind} N={n}"]) for n in SIZES]
            slope = (per[-1] - per[0]) / (SIZES[-1] - SIZES[0])
            print(f"make {kind}: {slope * 1000:.0f} ms per article from N=21 to N=100")
        floor_per = [statistics.median(seconds[f"floor N={n}"]) for n in SIZES]
        print(f"floor: {(floor_per[-1] - floor_per[0]) / 79 * 1000:.0f} ms per article")
        logs = [(work / f"serve-{n}.log").read_text() for n in SIZES]
        served = sum(log.count("Rendered") for log in logs) - 1  # less the seeding build
        reused = sum(log.count("Unchanged") for log in logs)
        taken = [int(n) for log in logs for n in re.findall(r"\((\d+) as laid out last", log)]
        print(f"pages taken from the last layout, by the builds that took some: {taken}")
        print(
            f"the servers laid out {served} of the {rounds * (len(SIZES) + 1)} warm builds "
            f"and reused {reused} of the {rounds} unchanged ones"
        )
        print(f"benchmark ran in {time.perf_counter() - started:.0f} s")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
