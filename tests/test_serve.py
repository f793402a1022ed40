"""``bulletin serve``: the warm render server, its refusals and every fallback.

Each server is a real process (``python -m bulletin serve``) in its own session,
killed with its whole process group at teardown, so that no test leaves one
behind; every wait has a timeout.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

import bulletin as bulletin_package
from bulletin import serve
from bulletin.private import private_dir
from bulletin.worker import Job, Renderer

from .conftest import pdf_text

pytestmark = pytest.mark.skipif(not serve.supported(), reason="no fork/AF_UNIX/SO_PEERCRED")

ROOT = Path(__file__).resolve().parent.parent
# A server whose child dies (SIGKILL) on a page asking for it: a crash in one job.
CRASHING = (
    "import os, sys; sys.path.insert(0, {root!r}); from bulletin import worker; "
    "plain = worker.make_pdf; "
    "worker.make_pdf = lambda job, served=None: os.kill(os.getpid(), 9) "
    "if 'CRASH-ME' in job.html else plain(job, served); "
    "from bulletin.cli import main; main(['serve', '--idle', '2'])"
)


@pytest.fixture(autouse=True)
def short_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private cache folder of its own, at a short path (a socket's name has a
    limit of about 100 bytes) and out of the user's real one."""
    home = Path(tempfile.mkdtemp(prefix="bs-"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(serve.SOCKET_ENV, raising=False)
    private_dir.cache_clear()
    yield home
    private_dir.cache_clear()
    shutil.rmtree(home, ignore_errors=True)


def same_code_env() -> dict[str, str]:
    """The environment for a server that runs the very code this test imported.
    The server refuses other code (its fingerprint names the package's folder);
    in CI the tests import the checkout while a bare ``python -m bulletin`` in
    another folder would import the installed copy."""
    root = str(Path(bulletin_package.__file__).resolve().parent.parent)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }


class Servers:
    """Starts servers; stops every one of them, and their children, at teardown."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[str]] = []

    def start(
        self, folder: Path, *args: str, command: list[str] | None = None
    ) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            command or [sys.executable, "-m", "bulletin", "serve", *args],
            cwd=folder,
            env=same_code_env(),
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: killed whole at teardown
        )
        self.started.append(process)
        wait_for(lambda: answers(folder), process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            with _suppress_gone():
                os.killpg(process.pid, signal.SIGKILL)
            with _suppress_gone():
                process.wait(timeout=10)
            if process.stderr:
                process.stderr.close()


class _suppress_gone:
    def __enter__(self) -> None:
        pass

    def __exit__(self, kind: object, error: object, trace: object) -> bool:
        return isinstance(error, ProcessLookupError | subprocess.TimeoutExpired)


@pytest.fixture
def servers() -> Iterator[Servers]:
    started = Servers()
    yield started
    started.stop_all()


def answers(folder: Path) -> bool:
    """Whether the project's server takes connections (the probe is closed)."""
    connection = serve.connect(folder.resolve(), timeout=1)
    if connection is None:
        return False
    connection.close()
    return True


def wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[str], limit: float = 60
) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if process.poll() is not None:
            raise AssertionError(
                f"the server ended: {process.stderr.read() if process.stderr else ''}"
            )
        if time.monotonic() > deadline:
            raise AssertionError("the server did not answer in time")
        time.sleep(0.1)


def bulletin(folder: Path, *args: str, server: bool = True) -> subprocess.CompletedProcess[str]:
    env = same_code_env()
    if not server:
        env[serve.SOCKET_ENV] = "1"
    return subprocess.run(
        [sys.executable, "-m", "bulletin", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def ended(process: subprocess.Popen[str], limit: float = 30) -> str:
    """The server's stderr once it has ended by itself (fails after ``limit``)."""
    _out, err = process.communicate(timeout=limit)
    return err


def summary(path: Path) -> tuple[int, list[str], set[str], list[str]]:
    """What must not differ with the server: pages, text, fonts, outline."""
    reader = PdfReader(path)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[1])
    return len(reader.pages), pdf_text(path), fonts, [item.title for item in reader.outline]


def test_make_with_the_server_makes_the_same_pdf(project: Path, servers: Servers) -> None:
    server = servers.start(project, "--idle", "2")
    for extra, name in [((), "a"), (("--booklet",), "b"), (("--archive",), "c")]:
        warm = bulletin(project, "make", "--out", f"warm-{name}.pdf", *extra)
        assert warm.returncode == 0, warm.stderr
        fresh = bulletin(project, "make", "--out", f"fresh-{name}.pdf", *extra, server=False)
        assert fresh.returncode == 0, fresh.stderr
        assert summary(project / f"warm-{name}.pdf") == summary(project / f"fresh-{name}.pdf")
        assert (
            warm.stderr.splitlines()[-1].split("(")[1].split(",")[0]
            == (
                fresh.stderr.splitlines()[-1].split("(")[1].split(",")[0]  # "N trang" alike
            )
        )
    archive = PdfReader(project / "warm-c.pdf").attachments
    assert set(archive) == set(PdfReader(project / "fresh-c.pdf").attachments)
    assert archive
    assert bulletin(project, "serve", "--stop").returncode == 0
    log = ended(server)
    # The server rendered every warm build (the booklet twice: padded to four pages).
    assert log.count("Đã dựng") >= 3
    assert not list((private_dir() / "serve").glob("*.sock"))


def test_preview_uses_the_server(project: Path, servers: Servers) -> None:
    server = servers.start(project, "--idle", "2")
    shown = bulletin(project, "preview")
    assert shown.returncode == 0, shown.stderr
    assert (project / "out" / "preview-2023-11" / "ban-tin.pdf").exists() or list(
        (project / "out").glob("preview-*/*.pdf")
    )
    assert bulletin(project, "serve", "--stop").returncode == 0
    assert "Đã dựng" in ended(server)


def _job(project: Path, html: str = "<p>Xin chào</p>") -> Job:
    return Job(html, base=project, allowed=(project,), language="vi")


def test_a_server_of_another_project_refuses(
    project: Path, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> None:
    servers.start(project, "--idle", "2")
    other = tmp_path_factory.mktemp("other").resolve()
    connection = serve.connect(project.resolve())
    assert connection is not None
    renderer = serve.ServerRenderer(other, connection, timeout=60)
    assert renderer._ask(_job(project)) is None  # refused: this server is not the other's
    # Asked to stop for another project, it answers no and goes on serving.
    connection = serve.connect(project.resolve())
    assert connection is not None
    with connection:
        answer = serve.ask(connection, {"op": "stop", "root": str(other)}, 30)
    assert answer.get("refused") and "stopped" not in answer
    time.sleep(0.5)
    assert answers(project)
    # Other code (a changed render module) is refused too: the build falls back.
    connection = serve.connect(project.resolve())
    assert connection is not None
    with connection:
        request = {"op": "render", "root": str(project.resolve()), "fingerprint": "old"}
        assert serve.ask(connection, request, 30).get("refused")
    # The other project finds no server at all, and builds without one.
    with serve.renderer_for(other) as renderer:
        assert isinstance(renderer, Renderer)


def test_the_server_renders_for_its_own_project(project: Path, servers: Servers) -> None:
    servers.start(project, "--idle", "2")
    with serve.renderer_for(project.resolve()) as renderer:
        assert isinstance(renderer, serve.ServerRenderer)
        result = renderer._ask(_job(project))
    assert result is not None and result.pages == 1
    assert "Xin chào" in PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()
    # The contents' page numbers travel both ways (guesses in, numbers found out).
    page = '<p><a data-page-of="b">0</a></p><h2 id="b" style="break-before: page">B</h2>'
    job = dataclasses.replace(_job(project), html=page, page_guesses=(("b", 7),))
    assert serve._job_from(json.loads(json.dumps(serve._job_record(job)))) == job
    with serve.renderer_for(project.resolve()) as renderer:
        result = renderer._ask(job)
    assert result is not None and result.page_numbers == (("b", 2),)


def test_a_stale_socket_or_a_dead_server_is_silently_done_without(
    project: Path, servers: Servers
) -> None:
    path = serve.socket_path(project.resolve())
    assert path is not None
    left = socket.socket(socket.AF_UNIX)
    left.bind(str(path))  # a socket file nobody listens on, as a killed server leaves
    left.close()
    with serve.renderer_for(project.resolve()) as renderer:
        assert isinstance(renderer, Renderer)
    made = bulletin(project, "make", "-q", "--out", "a.pdf")
    assert made.returncode == 0 and made.stderr == ""
    # A server started now replaces the stale file; killed, it leaves one again.
    server = servers.start(project, "--idle", "2")
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    assert path.exists()
    made = bulletin(project, "make", "-q", "--out", "b.pdf")
    assert made.returncode == 0 and made.stderr == ""
    assert summary(project / "a.pdf") == summary(project / "b.pdf")


def test_stop_ends_the_server(project: Path, servers: Servers) -> None:
    server = servers.start(project, "--idle", "5")
    second = bulletin(project, "serve")
    assert second.returncode == 1 and "đã có một máy chủ" in second.stderr
    stopped = bulletin(project, "serve", "--stop")
    assert stopped.returncode == 0 and "Đã dừng máy chủ" in stopped.stderr
    assert "Máy chủ dựng trang đã dừng" in ended(server)
    assert server.returncode == 0
    assert not answers(project)
    again = bulletin(project, "serve", "--stop")
    assert again.returncode == 0 and "Không có máy chủ" in again.stderr


def test_a_server_starts_at_once_after_stop(project: Path, servers: Servers) -> None:
    """``serve --stop`` returns when the server has let its socket go: a new one
    started right after it is not refused as a second server."""
    first = servers.start(project, "--idle", "5")
    stopped = bulletin(project, "serve", "--stop")
    assert stopped.returncode == 0 and "Đã dừng máy chủ" in stopped.stderr
    assert not answers(project)  # gone, not still in its last second
    second = servers.start(project, "--idle", "5")
    assert "Máy chủ dựng trang đã dừng" in ended(first)
    again = bulletin(project, "serve", "--stop")
    assert again.returncode == 0 and "Đã dừng máy chủ" in again.stderr  # the second one
    log = ended(second)
    assert "đã có một máy chủ" not in log and "Máy chủ dựng trang đã dừng" in log


def test_the_server_ends_when_idle(project: Path, servers: Servers) -> None:
    server = servers.start(project, "--idle", "0.03")  # 1.8 s
    log = ended(server, limit=30)
    assert server.returncode == 0 and "đã dừng" in log
    assert not answers(project)
    assert not list((private_dir() / "serve").glob("*.sock"))


def test_a_job_that_crashes_does_not_kill_the_server(project: Path, servers: Servers) -> None:
    command = [sys.executable, "-c", CRASHING.format(root=str(ROOT))]
    server = servers.start(project, command=command)
    with serve.renderer_for(project.resolve()) as renderer:
        assert isinstance(renderer, serve.ServerRenderer)
        assert renderer._ask(_job(project, "<p>CRASH-ME</p>")) is None  # the child died
    # The build does without: a worker of its own renders the same job.
    with serve.renderer_for(project.resolve()) as renderer:
        result = renderer.run(_job(project, "<p>CRASH-ME</p>"))
    assert result.pages == 1 and result.crash is None
    # The server goes on: the next job is its own.
    with serve.renderer_for(project.resolve()) as renderer:
        assert isinstance(renderer, serve.ServerRenderer)
        answer = renderer._ask(_job(project))
    assert answer is not None and answer.pages == 1
    assert server.poll() is None


def test_without_fork_there_is_no_server(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    assert not serve.supported()
    with serve.renderer_for(project.resolve()) as renderer:
        assert isinstance(renderer, Renderer)
    from click.testing import CliRunner

    from bulletin.cli import main

    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1 and "không chạy được máy chủ" in result.output


def test_the_socket_folder_is_private(project: Path) -> None:
    path = serve.socket_path(project.resolve())
    assert path is not None
    info = path.parent.lstat()
    assert info.st_mode & 0o077 == 0 and info.st_uid == os.getuid()
    # A folder swapped for a symlink (or opened to others) is not used.
    shutil.rmtree(path.parent)
    target = Path(tempfile.mkdtemp(prefix="bs-elsewhere-"))
    try:
        path.parent.symlink_to(target)
        assert serve.socket_path(project.resolve()) is None
        with serve.renderer_for(project.resolve()) as renderer:
            assert isinstance(renderer, Renderer)
    finally:
        shutil.rmtree(target)


def test_no_server_where_its_socket_could_not_be_found(
    project: Path, short_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder open to others: builds use a folder of their own for this run,
    which no other process could find, so ``serve`` says so instead of listening
    where no build will ever look."""
    (short_cache / "bulletin").mkdir(exist_ok=True)
    (short_cache / "bulletin").chmod(0o755)
    private_dir.cache_clear()
    assert private_dir() != short_cache / "bulletin"  # builds still get a private folder
    assert serve.socket_path(project.resolve()) is None
    from click.testing import CliRunner

    from bulletin.cli import main

    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["serve", "--idle", "0.01"])
    assert result.exit_code == 1, result.output
    assert f"Không có thư mục riêng của bạn ở {short_cache / 'bulletin'}" in result.output
    assert "Traceback" not in result.output


def test_help_and_the_client_import_no_weasyprint() -> None:
    code = (
        "import sys; import bulletin.serve, bulletin.build, bulletin.cli; "
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_connection_held_too_long_is_served_anew(project: Path, servers: Servers) -> None:
    """preview --watch holds a connection between rebuilds: the server's child lets it
    go after the idle time, and the next rebuild connects again, rendered once."""
    server = servers.start(project, "--idle", "0.05")  # 3 s
    with serve.renderer_for(project.resolve()) as renderer:
        assert isinstance(renderer, serve.ServerRenderer)
        time.sleep(3.8)  # the child waited 3 s for the job, then ended; the server idles on
        result = renderer._ask(_job(project))
    assert result is not None and result.pages == 1
    log = ended(server, limit=30)  # then idle: it ends by itself
    assert log.count("Đã dựng") == 1


def test_a_terminated_server_removes_its_socket(project: Path, servers: Servers) -> None:
    server = servers.start(project, "--idle", "2")
    made = bulletin(project, "make", "-q", "--out", "a.pdf")
    assert made.returncode == 0, made.stderr
    server.terminate()  # SIGTERM, as a system shutting down sends
    assert "Máy chủ dựng trang đã dừng" in ended(server)
    assert not list((private_dir() / "serve").glob("*.sock"))


def test_the_same_interpreter_by_another_name_is_the_same_code() -> None:
    """``bulletin serve`` runs ``…/bin/python3`` (the script's first line) and
    ``python -m bulletin make`` ``…/bin/python``: the server must answer both."""
    folder = Path(sys.executable).parent
    names = [folder / name for name in ("python", "python3") if (folder / name).exists()]
    assert len(names) == 2, f"a venv has both names: {sorted(p.name for p in folder.iterdir())}"
    code = "from bulletin import serve; print(serve.fingerprint())"
    env = same_code_env()
    prints = {
        subprocess.run(
            [str(name), "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
        for name in names
    }
    assert len(prints) == 1
    assert prints.pop().strip() == serve.fingerprint()


def test_an_unchanged_rebuild_is_the_pdf_made_before(project: Path, servers: Servers) -> None:
    """The render cache: the same job and the same files give the PDF already made,
    byte for byte; a changed article, a photo replaced under the same name, the
    archive variant or BULLETIN_NO_RENDER_CACHE lay the job out again."""
    server = servers.start(project, "--idle", "2")

    def make(name: str, *extra: str, env: dict[str, str] | None = None) -> bytes:
        done = subprocess.run(
            [sys.executable, "-m", "bulletin", "make", "--out", name, *extra],
            cwd=project,
            env={**same_code_env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        return (project / name).read_bytes()

    first = make("a.pdf")
    assert make("b.pdf") == first
    assert make("c.pdf", env={serve.NO_CACHE_ENV: "1"}) == first  # laid out again, same bytes
    processed = next((project / "out" / ".cache" / "photos").glob("*.jpg"))
    os.utime(processed, ns=(time.time_ns(), time.time_ns()))  # a file the page used
    assert make("d.pdf") == first
    assert make("e.pdf") == first
    make("f.pdf", "--archive")
    make("g.pdf", "--archive")
    article = project / "articles" / "2023-11" / "04-giai-bong-ban.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")
    assert make("h.pdf") != first
    assert "Thêm một câu." in " ".join(pdf_text(project / "h.pdf"))
    assert bulletin(project, "serve", "--stop").returncode == 0
    log = ended(server)
    # Laid out: a, c (not asked to reuse), d (a file it used changed), f and g
    # (archives carry the sources: never cached), h (an article changed).
    # Reused: b and e.
    assert log.count("Đã dựng") == 6, log
    assert log.count("Không có gì thay đổi") == 2, log
    entries = list((private_dir() / "renders").glob("*.json"))
    assert 1 <= len(entries) <= 3
    assert oct((private_dir() / "renders").stat().st_mode & 0o777) == "0o700"


def test_a_sparse_month_is_laid_out_tighter_alike_with_the_server(
    project: Path, servers: Servers
) -> None:
    """The last page's fill travels back from the server and the render cache:
    a month whose last page is sparse is laid out tighter with or without them."""
    from .test_layout_newsletter import text_month

    month = project / "articles" / "2023-11"
    shutil.rmtree(month)
    text_month(month, count=3, seed=3)  # a third page of two short columns, else
    server = servers.start(project, "--idle", "2")
    for name in ("warm.pdf", "cached.pdf"):
        done = bulletin(project, "make", "--out", name)
        assert done.returncode == 0, done.stderr
    fresh = bulletin(project, "make", "--out", "fresh.pdf", server=False)
    assert fresh.returncode == 0, fresh.stderr
    assert (project / "cached.pdf").read_bytes() == (project / "warm.pdf").read_bytes()
    assert summary(project / "warm.pdf") == summary(project / "fresh.pdf")
    assert summary(project / "fresh.pdf")[0] == 2
    assert bulletin(project, "serve", "--stop").returncode == 0
    log = ended(server)
    assert log.count("Không có gì thay đổi") == 2, log  # both layouts answered by the cache


# ---------------------------------------------------------------- whole builds


def _month_of(project: Path, count: int) -> None:
    """``count`` more articles in the project's month: a build of a few seconds."""
    folder = project / "articles" / "2023-11"
    sentence = "Viện đã tổ chức kiểm tra an toàn tại các công trường trong mùa mưa bão. "
    for number in range(count):
        body = "\n\n".join(sentence * (6 + number % 5) for _ in range(4))
        (folder / f"9{number:02d}-them.md").write_text(
            f"---\ntitle: Tin thêm số {number}\ndate: 2023-11-20\n---\n\n{body}\n",
            encoding="utf-8",
        )


def _without_times(text: str) -> str:
    return "\n".join(line.split("(")[0] if "giây" in line else line for line in text.splitlines())


def test_a_whole_build_runs_in_the_server_as_it_would_here(project: Path, servers: Servers) -> None:
    """``make`` is handed to the server whole (``serve.forward``): the same words on
    the terminal, the same exit status, the same PDF, in the user's language."""
    server = servers.start(project, "--idle", "2")
    warm = bulletin(project, "make", "--out", "same.pdf")
    made_warm = (project / "same.pdf").read_bytes()
    fresh = bulletin(project, "make", "--out", "same.pdf", server=False)
    assert warm.returncode == fresh.returncode == 0
    assert _without_times(warm.stderr) == _without_times(fresh.stderr)
    assert made_warm == (project / "same.pdf").read_bytes()
    english = bulletin(project, "--lang", "en", "make", "--out", "en.pdf")
    assert english.returncode == 0 and "Wrote en.pdf" in english.stderr
    shutil.rmtree(project / "out")
    kept = subprocess.run(  # a umask of the client's own: the folders it makes follow it
        ["sh", "-c", 'umask 077 && exec "$0" -m bulletin make --keep-html', sys.executable],
        cwd=project,
        env=same_code_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert kept.returncode == 0, kept.stderr
    assert (project / "out").stat().st_mode & 0o777 == 0o700
    (project / "articles" / "2023-11" / "hong.md").write_text("---\ntitle: [\n---\n", "utf-8")
    broken = bulletin(project, "make", "--out", "broken.pdf")
    broken_here = bulletin(project, "make", "--out", "broken.pdf", server=False)
    assert broken.returncode == broken_here.returncode == 1
    assert broken.stderr == broken_here.stderr and "hong.md" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert not (project / "broken.pdf").exists()
    assert bulletin(project, "serve", "--stop").returncode == 0
    log = ended(server)
    # same.pdf, en.pdf and the umask build (its photos processed anew: the cache
    # entry's files changed), laid out in the server; the broken build stopped before.
    assert log.count("Đã dựng") == 3, log


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_ctrl_c_stops_a_build_the_server_runs(project: Path, servers: Servers) -> None:
    """Ctrl+C on the terminal ends the build in the server too: nothing written,
    no temporary file left, no child left working; the server serves on."""
    _month_of(project, 40)
    server = servers.start(project, "--idle", "2")
    client = subprocess.Popen(
        [sys.executable, "-m", "bulletin", "make", "--out", "stopped.pdf"],
        cwd=project,
        env=same_code_env(),
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl+C as on a terminal, even when this test runs where SIGINT is ignored
        # (a background job): Python then leaves it ignored in its children.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for(lambda: bool(_children_of(server.pid)), server, limit=30)  # the build started
    time.sleep(0.5)
    client.send_signal(signal.SIGINT)
    _out, err = client.communicate(timeout=60)
    assert client.returncode == 1, err
    assert "Đã hủy!" in err
    wait_for(lambda: not _children_of(server.pid), server, limit=30)
    assert not (project / "stopped.pdf").exists()
    assert not [p.name for p in project.iterdir() if "stopped" in p.name]
    again = bulletin(project, "make", "-v", "--out", "again.pdf")
    assert again.returncode == 0, again.stderr
    assert bulletin(project, "serve", "--stop").returncode == 0
    # Only the second build's layouts were finished (this month's sparse last
    # page has it laid out once more, tighter).
    layouts = 1 + again.stderr.count("Dàn trang chặt hơn")
    assert ended(server).count("Đã dựng") == layouts


def test_a_build_whose_server_child_dies_is_made_here(project: Path, servers: Servers) -> None:
    servers.start(project, command=[sys.executable, "-c", CRASHING.format(root=str(ROOT))])
    article = project / "articles" / "2023-11" / "04-giai-bong-ban.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nCRASH-ME\n", encoding="utf-8")
    made = bulletin(project, "make", "--out", "here.pdf")
    assert made.returncode == 0, made.stderr
    assert "CRASH-ME" in " ".join(pdf_text(project / "here.pdf"))
    # Said once, so that the lines the server's build printed before it died are
    # not taken for this build's own.
    lost = "Cảnh báo: Máy chủ dựng trang dừng giữa chừng: dựng lại bản tin tại đây"
    assert made.stderr.count(lost) == 1, made.stderr


def test_the_fingerprint_names_what_makes_the_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """WeasyPrint's files and the column setting: a server of another must not answer."""
    import weasyprint

    monkeypatch.delenv("BULLETIN_PLAIN_COLUMNS", raising=False)
    usual = serve.fingerprint()
    installed = os.stat(weasyprint.__file__)
    assert f"weasyprint={weasyprint.__file__}:{installed.st_mtime_ns}:" in usual
    monkeypatch.setenv("BULLETIN_PLAIN_COLUMNS", "1")
    assert serve.fingerprint() != usual
    monkeypatch.delenv("BULLETIN_PLAIN_COLUMNS")
    # An upgrade (here: the package file seen with another modification time).
    real_stat = os.stat

    def upgraded(path: str, *args: object, **kwargs: object) -> object:
        info = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if path != weasyprint.__file__:
            return info
        return SimpleNamespace(
            st_mtime_ns=info.st_mtime_ns + 1, st_size=info.st_size, st_ino=info.st_ino
        )

    monkeypatch.setattr(os, "stat", upgraded)
    assert serve.fingerprint() != usual


WARM_THEN_BUILD = """
import sys
from pathlib import Path
from bulletin.serve import Server
Server(Path('.'), 1.0)._warm_up()
loaded = set(sys.modules)
from click.testing import CliRunner
from bulletin.cli import main
for options in ([], ['--booklet'], ['--layout', 'poster']):
    result = CliRunner().invoke(main, ['make', '-q', *options, '--out', 'x.pdf'])
    assert result.exit_code == 0, result.output
new = set(sys.modules) - loaded
print(' '.join(sorted(new - {'bulletin.cli'})))
"""


def test_the_server_loads_what_a_build_uses(project: Path) -> None:
    """A forwarded build imports nothing itself: the server's warm-up loaded the
    build's side too (readers, Babel, Jinja2, Markdown, Word, Pillow, pypdf, the
    fonts' coverage), which every child used to import again (0.16–0.27 s a
    build). The example month has a Word file and photos; the booklet and the
    poster read PDFs back."""
    env = {**same_code_env(), "BULLETIN_NO_SERVER": "1"}
    ran = subprocess.run(
        [sys.executable, "-c", WARM_THEN_BUILD],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    imported = ran.stdout.split()
    heavy = ("bulletin", "babel", "jinja2", "markdown_it", "PIL", "pypdf", "nh3", "yaml", "mammoth")
    heavy += ("segno", "fontTools", "weasyprint")
    assert not [name for name in imported if name.split(".")[0] in heavy], " ".join(imported)


def _holder(server: subprocess.Popen[str]) -> int | None:
    """The server's child that holds the last layout (the one waiting, not at work)."""
    task = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    time.sleep(1.5)  # a holder taking over ends the one before; the server collects it
    deadline = time.monotonic() + 10  # the children that ended are collected each second
    while task.exists() and time.monotonic() < deadline:
        children = [int(pid) for pid in task.read_text().split()]
        if len(children) == 1:
            return children[0]
        time.sleep(0.2)
    return None


KEPT = "như lần dựng trước"  # the log line of a render that took pages: "(7 trang giữ …)"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a holder needs Linux")
def test_an_edit_takes_the_pages_it_did_not_reach_from_the_holder(
    tmp_path: Path, servers: Servers
) -> None:
    """The child that made the last layout holds it; the next build, forked from
    it, takes the pages after the edit (bulletin/pagereuse.py), holds its own
    layout in turn, and the PDF is the fresh build's byte for byte. A holder
    killed is only a layout lost."""
    from .test_pagereuse import _month

    _month(tmp_path / "2023-11")
    server = servers.start(tmp_path, "--idle", "2")
    make = ["make", "-q", "--articles", "2023-11", "--out"]
    assert bulletin(tmp_path, *make, "a.pdf").returncode == 0
    holders = [_holder(server)]
    article = tmp_path / "2023-11" / "02-bai.md"
    original = article.read_text(encoding="utf-8")
    for number, name in enumerate(["b", "c"], start=1):
        article.write_text(original + f"\nSửa lần {number}.\n", encoding="utf-8")
        warm = bulletin(tmp_path, *make, f"{name}.pdf")
        assert warm.returncode == 0, warm.stderr
        holders.append(_holder(server))
        fresh = bulletin(tmp_path, *make, f"fresh-{name}.pdf", server=False)
        assert fresh.returncode == 0, fresh.stderr
        assert (tmp_path / f"{name}.pdf").read_bytes() == (
            tmp_path / f"fresh-{name}.pdf"
        ).read_bytes()
    assert None not in holders and len(set(holders)) == 3, holders  # each build took over
    os.kill(holders[-1] or 0, signal.SIGKILL)
    article.write_text(original + "\nSửa lần 3.\n", encoding="utf-8")
    after = bulletin(tmp_path, *make, "d.pdf")
    assert after.returncode == 0, after.stderr
    assert "Sửa lần 3." in " ".join(pdf_text(tmp_path / "d.pdf"))
    assert bulletin(tmp_path, "serve", "--stop").returncode == 0
    rendered = [line for line in ended(server).splitlines() if line.startswith("Đã dựng")]
    # a laid out whole, b and c took pages, d (its holder killed) laid out whole;
    # a build may render twice (a sparse last page laid out tighter).
    assert KEPT not in rendered[0] and KEPT not in rendered[-1], rendered
    assert sum(KEPT in line for line in rendered) >= 2, rendered


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a holder needs Linux")
def test_a_chain_of_holders_ends_after_its_builds(tmp_path: Path, servers: Servers) -> None:
    """With chains of one build (``HOLD_BUILDS = 1``), a build forked from the
    holder takes pages from it but does not take over: the holder stays."""
    from .test_pagereuse import _month

    _month(tmp_path / "2023-11")
    chain_of_one = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bulletin import serve; "
        "serve.HOLD_BUILDS = 1; from bulletin.cli import main; main(['serve', '--idle', '2'])"
    )
    server = servers.start(tmp_path, command=[sys.executable, "-c", chain_of_one])
    make = ["make", "-q", "--articles", "2023-11", "--out", "out.pdf"]
    assert bulletin(tmp_path, *make).returncode == 0
    holders = [_holder(server)]
    article = tmp_path / "2023-11" / "02-bai.md"
    original = article.read_text(encoding="utf-8")
    for number in (1, 2):
        article.write_text(original + f"\nSửa lần {number}.\n", encoding="utf-8")
        assert bulletin(tmp_path, *make).returncode == 0
        holders.append(_holder(server))
    assert holders[0] is not None and set(holders) == {holders[0]}, holders
    assert bulletin(tmp_path, "serve", "--stop").returncode == 0
    assert KEPT in ended(server)
