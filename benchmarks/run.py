"""Time `bulletin make` against the floor: WeasyPrint alone on the same content.

    python benchmarks/run.py            # about 100 s on a 2-core machine

Every figure is a whole process (start-up included): the median of 5 runs after
one warm-up of the whole machine (a single run for N = 100 and 3 for the email
variant, to keep the benchmark under two minutes), with the process's peak
memory (max RSS). A command and its floor take turns run by run, so that the
drift of a shared machine moves both alike. The floor is WeasyPrint rendering a
plain one-column HTML page of the same articles and the same original photos,
with the same bundled fonts. The synthetic months are generated once into
benchmarks/.months/ (git-ignored).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generate import write_month

ROOT = Path(__file__).resolve().parent.parent
FONTS_CSS = ROOT / "fonts" / "fonts.css"
BULLETIN = [sys.executable, "-m", "bulletin"]
MONTHS = Path(__file__).resolve().parent / ".months"
GENERATOR_VERSION = 1  # bump when generate.py or synthetic.py change what they write

# Python as users run it: an installed package has its bytecode compiled (pip does it),
# an editable checkout gets it on the first run unless the environment forbids writing
# it, as this machine's does (PYTHONDONTWRITEBYTECODE). Without it every run of
# `bulletin` would compile the package again (+0.05 s), which no user pays.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

# Runs the command and prints its seconds and its peak memory in kB. `bulletin make`
# is two processes (the build and its render worker, bulletin/worker.py), so the peak
# is the larger of the biggest single process (getrusage) and the sum of the process
# and its children's resident memory, sampled from /proc every 50 ms (Linux).
MEASURE = """
import pathlib, resource, subprocess, sys, threading, time

def rss(pid):
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
        kids = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0
    own = next((int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS")), 0)
    return own + sum(rss(int(kid)) for kid in kids)

def sample(process, peak):
    while process.poll() is None:
        peak[0] = max(peak[0], rss(process.pid))
        time.sleep(0.05)

start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = [0]
sampler = threading.Thread(target=sample, args=(process, peak), daemon=True)
sampler.start()
process.wait()  # the time is taken here, not by the sampler's rhythm
elapsed = time.perf_counter() - start
together = peak[0]
assert process.returncode == 0, process.returncode
single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, max(single, together))
"""


@dataclass(frozen=True)
class Job:
    """One command to time, where it runs, and what to do before each run."""

    command: list[str]
    cwd: Path
    before: Callable[[], None] | None = None


def run_once(job: Job) -> tuple[float, float]:
    """Seconds and peak MB of one run of ``job``, as a whole process."""
    if job.before:
        job.before()
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *job.command],
        cwd=job.cwd,
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def measure(*jobs: Job, runs: int = 5) -> list[tuple[float, float]]:
    """Median seconds and peak MB of each job. The jobs take turns run by run, so
    that a machine slowing down or speeding up (shared virtual machines do) moves
    a command and its floor together rather than skewing their ratio."""
    results: list[list[tuple[float, float]]] = [[] for _ in jobs]
    for _ in range(runs):
        for job, result in zip(jobs, results, strict=True):
            result.append(run_once(job))
    return [
        (statistics.median(t for t, _ in result), max(m for _, m in result)) for result in results
    ]


def floor_html(folder: Path, target: Path) -> None:
    """A plain single-column page of the month's text and original photos."""
    parts = [
        "<html lang=vi><style>@page{size:A4;margin:22mm 35mm}"
        "body{font:11.5pt/1.45 'Noto Serif'}img{width:100%}</style><body>"
    ]
    for path in sorted(folder.glob("*.txt")) + sorted(folder.glob("*.md")):
        text = re.sub(r"^---.*?---", "", path.read_text(encoding="utf-8"), flags=re.S)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        parts.append(f"<h2>{html.escape(lines[0])}</h2>")
        photos = sorted(path.with_suffix("").glob("*.jpg")) if path.suffix == ".txt" else []
        photos += [folder / m for m in re.findall(r"src: (anh-\d+\.jpg)", path.read_text())]
        parts += [f'<img src="{p.as_uri()}">' for p in photos]
        parts += [f"<p>{html.escape(line)}</p>" for line in lines[1:]]
    target.write_text("".join(parts), encoding="utf-8")


def floor_command(page: Path, pdf: Path) -> list[str]:
    script = (
        "import sys, weasyprint; f = weasyprint.CSS(filename=sys.argv[3]); "
        "weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2], stylesheets=[f])"
    )
    return [sys.executable, "-c", script, str(page), str(pdf), str(FONTS_CSS)]


def row(name: str, seconds: float, peak: float, floor: float | None = None) -> None:
    ratio = f"{seconds / floor:5.2f} ×" if floor else "       "
    print(f"{name:<44} {seconds:7.2f} s  {ratio}  {peak:6.0f} MB", flush=True)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bulletin-bench-"))
    started = time.perf_counter()
    try:
        months = {"n20": (20, False), "p20": (20, True), "p100": (100, True)}
        for name, (count, photos) in months.items():
            stored = MONTHS / f"{name}-v{GENERATOR_VERSION}"
            if not stored.is_dir():
                write_month(stored.with_suffix(".part") / "2023-11", count, photos)
                stored.with_suffix(".part").rename(stored)
            (work / name).symlink_to(stored)  # outputs land in stored/out, cleared per run
            floor_html(work / name / "2023-11", work / f"{name}.html")
        print(
            f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
            f"months generated in {time.perf_counter() - started:.0f} s\n"
        )
        print(f"{'what':<44} {'median':>9}  {'/floor':>7}  {'peak':>9}")

        def make(name: str, *extra: str) -> list[str]:
            return [
                *BULLETIN,
                "make",
                "-q",
                "--articles",
                "2023-11",
                "--out",
                str(work / f"{name}.pdf"),
                *extra,
            ]

        def clear(name: str) -> Callable[[], None]:
            return lambda: shutil.rmtree(work / name / "out", ignore_errors=True)

        floor = {
            name: Job(floor_command(work / f"{name}.html", work / "floor.pdf"), work)
            for name in months
        }
        run_once(floor["n20"])  # warm-ups: system caches, bytecode, fontconfig
        run_once(Job(make("n20"), work / "n20"))
        results = {}
        for name in months:
            label = {
                "n20": "N=20, no photos",
                "p20": "N=20, 20 phone photos",
                "p100": "N=100, 100 phone photos",
            }[name]
            first = Job(make(name), work / name, before=clear(name))
            again = Job(make(name), work / name)
            jobs = [floor[name], first] if name == "n20" else [floor[name], first, again]
            timed = measure(*jobs, runs=1 if name == "p100" else 5)
            (floor_time, floor_peak), (first_time, first_peak) = timed[:2]
            row(f"floor: WeasyPrint alone, {label}", floor_time, floor_peak)
            suffix = ", empty cache" if name != "n20" else ""
            row(f"bulletin make, {label}{suffix}", first_time, first_peak, floor_time)
            if name != "n20":
                again_time, again_peak = timed[2]
                row(f"bulletin make again, {label}, unchanged", again_time, again_peak, floor_time)
            results[f"{name}-make"] = first_time
        ((email, peak),) = measure(
            Job(make("p20e", "--for", "email"), work / "p20", before=clear("p20")), runs=3
        )
        row("bulletin make --for email, N=20 photos", email, peak)
        ((help_time, peak),) = measure(Job([*BULLETIN, "--help"], work))
        row("bulletin --help", help_time, peak)
        print()
        print(
            f"email PDF, 20 photos: {(work / 'p20e.pdf').stat().st_size / 1e6:.2f} MB; "
            f"print PDF: {(work / 'p20.pdf').stat().st_size / 1e6:.2f} MB"
        )
        print(
            f"N=20 → N=100 (photos, empty cache): "
            f"{results['p100-make'] / results['p20-make']:.2f} × the time for 5 × the articles"
        )
        print(f"benchmark ran in {time.perf_counter() - started:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
