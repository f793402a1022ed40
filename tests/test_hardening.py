"""Hostile and careless files cannot harm the user (issue 12): no read outside the
month, no code run, no hang, no traceback — one clear line, or a correct bulletin.

Every test builds its month in a temporary folder. Files the tool must never open
are watched with an audit hook (every ``open``/``os.open`` of this process, Pillow's
included); sources are compared byte for byte afterwards."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from bulletin import photos
from bulletin.cli import main
from bulletin.errors import SourceError, display_path
from bulletin.readers.base import ReadContext

from .conftest import ROOT, pdf_text, write
from .make_docx import write_docx

GOOD = "Bài tốt\n\nNgày 06/11/2023, Viện họp giao ban điều hành tháng 11.\n\nTin Văn phòng\n"

# --- watching what the process opens ------------------------------------------------

_opened: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes)):
        _opened.append(os.fsdecode(args[0]))
    if _opened is not None and event == "subprocess.Popen":
        _opened.append(f"EXEC {args[0]}")


sys.addaudithook(_audit)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path this process opens (and every program it starts) during the test."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def never_opened(opened: list[str], outside: Path) -> None:
    touched = [p for p in opened if Path(p).resolve().is_relative_to(outside.resolve())]
    assert touched == []


# --- a project of our own -------------------------------------------------------------


@pytest.fixture
def month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``<tmp>/project/articles/2023-11`` with one good article; the project is the
    working folder. ``<tmp>/outside`` holds a secret no build may read."""
    project = tmp_path / "project"
    folder = project / "articles" / "2023-11"
    write(folder / "tot.txt", GOOD)
    outside = tmp_path / "outside"
    write(outside / "secret.txt", "Bí mật\n\nNgày 06/11/2023, thông tin bí mật của ai đó.\n")
    Image.new("RGB", (60, 40), "red").save(outside / "anh.jpg")
    monkeypatch.chdir(project)
    return folder


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Lỗi:")]


def _render_module():  # type: ignore[no-untyped-def]
    """bulletin.render, imported without failing on WeasyPrint's warning about a
    missing HarfBuzz-Subset library (a system package some machines lack)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from bulletin import render
    return render


# --- private caches -------------------------------------------------------------------


def test_private_dir_refuses_a_symlink_or_a_folder_open_to_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin.private import private_dir

    cache_home = tmp_path / "cache"
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir(mode=0o700)
    cache_home.mkdir()
    (cache_home / "bulletin").symlink_to(elsewhere)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    chosen = private_dir.__wrapped__()
    assert chosen.resolve() != elsewhere.resolve()
    assert chosen.stat().st_mode & 0o777 == 0o700 and not chosen.is_symlink()
    (cache_home / "bulletin").unlink()
    (cache_home / "bulletin").mkdir(mode=0o755)
    (cache_home / "bulletin").chmod(0o755)
    assert private_dir.__wrapped__() != cache_home / "bulletin"
    (cache_home / "bulletin").chmod(0o700)
    assert private_dir.__wrapped__() == cache_home / "bulletin"


def test_a_planted_symlink_in_the_cache_is_replaced_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin import private

    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(private, "private_dir", lambda: folder)
    victim = write(tmp_path / "victim.txt", "keep me")
    (folder / "fonts.conf").symlink_to(victim)
    assert private.read_private("fonts.conf") is None  # never read through the link
    private.write_private("fonts.conf", "<fontconfig/>")
    assert victim.read_text() == "keep me"
    assert not (folder / "fonts.conf").is_symlink()
    assert (folder / "fonts.conf").read_text() == "<fontconfig/>"
    assert [p.name for p in folder.iterdir()] == ["fonts.conf"]  # no .part left


def test_fontconfig_and_glyph_cache_are_not_at_a_fixed_name_in_tmp() -> None:
    import tempfile

    _render_module()  # configures fontconfig on import
    from bulletin.private import private_dir

    conf = Path(os.environ["FONTCONFIG_FILE"])
    assert conf.parent == private_dir()
    assert not conf.parent.is_relative_to(Path(tempfile.gettempdir()) / "bulletin-fontconfig")
    assert private_dir().stat().st_uid == os.getuid()
    assert private_dir().stat().st_mode & 0o077 == 0


def test_loading_weasyprint_runs_no_program() -> None:
    """ctypes' library search would run ldconfig and gcc (some forty programs) while
    WeasyPrint loads; the render worker loads it without them."""
    script = (
        "import sys\n"
        "def hook(event, args):\n"
        "    if event in ('subprocess.Popen', 'os.posix_spawn', 'os.exec', 'os.system'):\n"
        "        print('RAN', args[0], flush=True)\n"
        "sys.addaudithook(hook)\n"
        "import bulletin.render\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "RAN" not in done.stdout


def test_compiled_templates_are_cached_in_the_private_folder(month: Path) -> None:
    from bulletin.private import private_dir

    assert invoke("make", "-q")[0] == 0
    cached = list((private_dir() / "templates").glob("__bulletin_sandboxed_*.cache"))
    assert cached


# --- the render worker ----------------------------------------------------------------


def test_a_signal_py_in_the_project_is_not_imported_by_the_worker(month: Path) -> None:
    project = month.parent.parent
    marker = project / "ran"
    write(project / "signal.py", f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n")
    write(project / "weasyprint.py", f"open({str(marker)!r}, 'w').close()\n")
    code, output = invoke("make", "-q")
    assert code == 0, output
    assert not marker.exists()


def _worker_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_the_worker_dies_with_a_build_killed_mid_render(tmp_path: Path) -> None:
    """SIGKILL of the build while the worker renders a long document: the worker
    notices its stdin closing and ends within a second, instead of rendering on."""
    script = f"""
import os, pickle, sys, time
from pathlib import Path
from bulletin.worker import Job, Renderer, _LENGTH
renderer = Renderer()
html = "<p>" + "Viện Khoa học Công nghệ Mỏ họp giao ban. " * 20 + "</p>"
job = Job(html * 4000, base=Path({str(tmp_path)!r}), allowed=(), language="vi")
data = pickle.dumps(job)
renderer._process.stdin.write(_LENGTH.pack(len(data)) + data)
renderer._process.stdin.flush()
print(renderer._process.pid, flush=True)
time.sleep(2)  # the worker is rendering now
os.kill(os.getpid(), 9)
"""
    parent = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert parent.returncode == -signal.SIGKILL, parent.stderr
    worker = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 3
    while _worker_alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _worker_alive(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive


def test_ctrl_c_while_photos_are_processed_stops_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin.model import Article, Figure

    def slow(photo, target, cache, budget=None):  # type: ignore[no-untyped-def]
        time.sleep(0.4)
        return cache / "x.jpg"

    monkeypatch.setattr(photos, "prepare", slow)
    figures = tuple(Figure("", photo=tmp_path / f"{n}.jpg") for n in range(40))
    article = Article(source=tmp_path / "a.txt", title="A", body=figures)
    target = photos.Target(100, 100, 300, 88)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        photos.prepare_all([article], target, tmp_path)
    assert time.monotonic() - started < 1.5  # 40 photos × 0.4 s would be 8 s on 2 cores


# --- paths a reader follows -----------------------------------------------------------


@pytest.mark.parametrize(
    "front_matter",
    [
        "image: ../../../outside/anh.jpg",
        "images: [../../../outside/anh.jpg]",
        "image: '%2e%2e/%2e%2e/%2e%2e/outside/anh.jpg'",
        "image: .git/anh.jpg",
    ],
)
def test_markdown_front_matter_photo_outside_the_month_is_refused(
    month: Path, opened: list[str], front_matter: str
) -> None:
    (month / ".git").mkdir()
    Image.new("RGB", (60, 40)).save(month / ".git" / "anh.jpg")
    write(month / "bai.md", f"---\ntitle: Bài\n{front_matter}\n---\nNgày 06/11/2023, thân bài.\n")
    before = digests(month)
    opened.clear()  # the setup above wrote files; the build starts now
    code, output = invoke("make", "-q")
    assert code == 1
    [line] = error_lines(output)
    assert line.startswith("Lỗi: articles/2023-11/bai.md:3: ảnh '")
    assert line.endswith("' nằm ngoài thư mục tháng hoặc bị ẩn: không dùng")
    never_opened(opened, month.parent.parent.parent / "outside")
    never_opened(opened, month / ".git")
    assert digests(month) == before


def test_markdown_body_image_outside_the_month_is_refused_with_its_line(
    month: Path, opened: list[str]
) -> None:
    write(
        month / "bai.md",
        "# Bài\n\nNgày 06/11/2023, thân bài.\n\n![Ảnh](%2e%2e/../../outside/anh.jpg)\n",
    )
    opened.clear()  # the setup above wrote files; the build starts now
    code, output = invoke("check")
    assert code == 1
    assert (
        "articles/2023-11/bai.md:5: lỗi: ảnh '../../../outside/anh.jpg' nằm ngoài thư mục "
        "tháng hoặc bị ẩn: không dùng"
    ) in output
    never_opened(opened, month.parent.parent.parent / "outside")


def test_image_name_over_255_bytes_is_one_line(month: Path) -> None:
    write(month / "bai.md", f"# Bài\n\nNgày 06/11/2023, thân bài.\n\n![Ảnh]({'ả' * 200}.jpg)\n")
    code, output = invoke("make", "-q")
    assert code == 1
    [line] = error_lines(output)
    assert line.startswith("Lỗi: articles/2023-11/bai.md:5: không mở được ảnh 'ảảả")
    assert "File name too long" in line


def test_a_txt_symlinked_outside_is_not_read(month: Path, opened: list[str]) -> None:
    outside = month.parent.parent.parent / "outside"
    (month / "bi-mat.txt").symlink_to(outside / "secret.txt")
    opened.clear()  # the setup above wrote files; the build starts now
    code, output = invoke("make", "-v")
    assert code == 0, output
    assert (
        "Cảnh báo: articles/2023-11/bi-mat.txt: liên kết tới tệp ngoài thư mục tháng: không đọc"
        in output
    )
    never_opened(opened, outside)
    assert "bí mật" not in " ".join(pdf_text(month.parent.parent / "out" / "ban-tin-2023-11.pdf"))


def test_symlinked_photos_and_photo_folders_are_left_out(month: Path, opened: list[str]) -> None:
    outside = month.parent.parent.parent / "outside"
    write(month / "giao-ban.txt", GOOD.replace("Bài tốt", "Giao ban"))
    (month / "giao-ban").symlink_to(outside)  # a whole photo folder elsewhere
    write(
        month / "hop.txt", GOOD.replace("Bài tốt", "Họp").replace("11.\n", "11.\n\nẢnh hội nghị\n")
    )
    (month / "hop").mkdir()
    (month / "hop" / "01.jpg").symlink_to(outside / "anh.jpg")
    Image.new("RGB", (30, 20)).save(month / "hop" / "._01.jpg", "JPEG")  # a Mac's shadow file
    opened.clear()  # the setup above wrote files; the build starts now
    code, output = invoke("make", "-v")
    assert code == 0, output
    assert (
        "articles/2023-11/giao-ban.txt: thư mục ảnh 'giao-ban' dẫn ra ngoài thư mục tháng" in output
    )
    assert "articles/2023-11/hop.txt: ảnh 'articles/2023-11/hop/01.jpg' nằm ngoài" in output
    assert "hop/._01.jpg' nằm ngoài thư mục tháng hoặc bị ẩn" in output
    never_opened([p for p in opened if p.endswith(".jpg")], outside)
    pdf = PdfReader(month.parent.parent / "out" / "ban-tin-2023-11.pdf")
    assert not any(page.images for page in pdf.pages)


def test_a_fifo_in_the_month_does_not_hang_the_build(month: Path) -> None:
    os.mkfifo(month / "treo.txt")
    (month / "tot").mkdir()
    os.mkfifo(month / "tot" / "01.jpg")
    code, output = invoke("make", "-q")
    assert code == 0, output


def test_archive_carries_no_symlink_target_hidden_file_or_odd_name_crash(
    month: Path,
) -> None:
    outside = month.parent.parent.parent / "outside"
    (month / ".git").mkdir()
    write(month / ".git" / "config", "[core]\n")
    write(month / ".ghi-chu.txt", "riêng\n")
    (month / "bi-mat.jpg").symlink_to(outside / "anh.jpg")
    (month / "thu-muc").symlink_to(outside)
    odd = month / os.fsdecode(b"tai-lieu-\xff.dat")
    odd.write_bytes(b"data")
    code, output = invoke("make", "-q", "--archive")
    assert code == 0, output
    pdf = PdfReader(month.parent.parent / "out" / "ban-tin-2023-11-archive.pdf")
    assert sorted(pdf.attachments) == ["tai-lieu-\\xff.dat", "tot.txt"]


def test_non_utf8_file_names_give_valid_json_and_escaped_lines(month: Path) -> None:
    name = os.fsdecode(b"h\xf4ng.txt")
    (month / name).write_bytes(b"")
    code, output = invoke("check", "--json")
    assert code == 1
    records = json.loads(output.encode("utf-8"))
    assert [r["file"] for r in records] == ["articles/2023-11/h\\xf4ng.txt"]


def test_a_file_name_with_a_line_break_cannot_forge_an_output_line(month: Path) -> None:
    write(month / "a\nLỗi: giả mạo.txt", "")
    code, output = invoke("check")
    assert code == 1
    assert "articles/2023-11/a\\nLỗi: giả mạo.txt: lỗi: tệp rỗng" in output
    assert not any(line.startswith("Lỗi: giả mạo") for line in output.splitlines())


# --- photos: formats, bombs, memory ---------------------------------------------------

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n{} loop\nshowpage\n"


def _png_header(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _photo_month(month: Path, data: bytes, name: str = "01.jpg") -> None:
    write(
        month / "giao-ban.txt",
        GOOD.replace("Bài tốt", "Giao ban").replace("11.\n", "11.\n\nẢnh hội nghị\n"),
    )
    (month / "giao-ban").mkdir()
    (month / "giao-ban" / name).write_bytes(data)


@pytest.mark.parametrize("command", ["check", "make"])
def test_an_eps_named_jpg_is_not_a_picture_and_starts_no_program(
    month: Path, opened: list[str], command: str
) -> None:
    _photo_month(month, EPS)
    started = time.monotonic()
    opened.clear()  # the setup above wrote files; the build starts now
    code, output = invoke(command)
    assert code == 1
    assert "articles/2023-11/giao-ban/01.jpg bị hỏng hoặc không phải là ảnh" in output
    assert [p for p in opened if p.startswith("EXEC")] in ([], [f"EXEC {sys.executable}"])
    assert time.monotonic() - started < 30


def test_an_ico_named_jpg_is_refused_without_decoding(month: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(buffer, "ICO")
    _photo_month(month, buffer.getvalue())
    code, output = invoke("check")
    assert code == 1
    assert "01.jpg bị hỏng hoặc không phải là ảnh" in output


@pytest.mark.parametrize("command", ["check", "make"])
def test_a_400_megapixel_png_is_refused_from_its_header(month: Path, command: str) -> None:
    _photo_month(month, _png_header(20_000, 20_000, zlib.compress(b"\x00" * 1000)), "01.png")
    started = time.monotonic()
    code, output = invoke(command)
    assert code == 1
    assert "01.png quá lớn (trên 100 megapixel)" in output
    assert time.monotonic() - started < 20


def test_the_bomb_guard_of_pillow_is_on() -> None:
    assert Image.MAX_IMAGE_PIXELS == photos.MAX_PIXELS
    assert "EPS" not in photos.FORMATS and "PDF" not in photos.FORMATS


def test_a_photo_file_over_the_size_limit_is_not_read(
    month: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(photos, "MAX_FILE_BYTES", 1000)
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buffer, "JPEG")
    _photo_month(month, buffer.getvalue())
    code, output = invoke("check")
    assert code == 1 and "01.jpg quá lớn" in output


def test_photos_decode_no_more_at_once_than_the_memory_budget_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin.model import Article, Figure

    for n in range(6):
        Image.new("RGB", (400, 300), (n * 40, 0, 0)).save(tmp_path / f"{n}.png")
    at_once, most = [0], [0]
    lock = threading.Lock()
    decode = photos._decode

    def counted(opened):  # type: ignore[no-untyped-def]
        with lock:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        time.sleep(0.1)
        try:
            return decode(opened)
        finally:
            with lock:
                at_once[0] -= 1

    monkeypatch.setattr(photos, "_decode", counted)
    monkeypatch.setattr(photos, "MEMORY_BUDGET", 400 * 300 * 8 + 1)  # room for one
    monkeypatch.setattr(photos.os, "cpu_count", lambda: 4)
    figures = tuple(Figure("", photo=tmp_path / f"{n}.png") for n in range(6))
    article = Article(source=tmp_path / "a.txt", title="A", body=figures)
    urls = photos.prepare_all([article], photos.Target(50, 50, 150, 80), tmp_path / "cache")
    assert len(urls) == 6 and most[0] == 1


def test_one_photo_written_by_two_threads_at_once_is_never_damaged(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "same.jpg"
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        barrier.wait()
        try:
            for _ in range(20):
                photos._write_atomically(target, bytes([n]) * 10_000)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [p.name for p in target.parent.iterdir()] == ["same.jpg"]
    assert len(set(target.read_bytes())) == 1


class _FullDisk(io.RawIOBase):
    """A file whose every write fails as on a full disk."""

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_cache_disk_is_named_and_the_photo_not_blamed(
    month: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Image.new("RGB", (80, 60), "grey").save(buffer := io.BytesIO(), "JPEG")
    _photo_month(month, buffer.getvalue())
    real_fdopen = os.fdopen

    def full(fd: int, *args, **kwargs):  # type: ignore[no-untyped-def]
        os.close(fd)
        return _FullDisk()

    monkeypatch.setattr(photos.os, "fdopen", full)
    code, output = invoke("make", "-q")
    monkeypatch.setattr(photos.os, "fdopen", real_fdopen)
    assert code == 1
    assert error_lines(output) == [
        "Lỗi: Không ghi được bộ nhớ đệm ảnh out/.cache/photos (No space left on device)"
    ]
    assert "bị hỏng" not in output
    assert not list((month.parent.parent / "out").rglob("*.part"))


def test_a_read_only_cache_folder_is_named_and_the_photo_not_blamed(
    month: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Image.new("RGB", (80, 60), "grey").save(buffer := io.BytesIO(), "JPEG")
    _photo_month(month, buffer.getvalue())

    def read_only(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(photos.tempfile, "mkstemp", read_only)
    code, output = invoke("make", "-q")
    monkeypatch.undo()
    assert code == 1
    assert error_lines(output) == [
        "Lỗi: Không ghi được bộ nhớ đệm ảnh out/.cache/photos (Read-only file system)"
    ]


def test_a_full_disk_when_writing_the_pdf_is_one_line_and_leaves_nothing(
    month: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if self.name.endswith(".part"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    code, output = invoke("make", "-q")
    assert code == 1
    [line] = error_lines(output)
    assert line.startswith("Lỗi: out/ban-tin-2023-11.pdf: không ghi được")
    assert [p.name for p in (month.parent.parent / "out").iterdir() if p.is_file()] == []


def _corrupt_png() -> bytes:
    raw = b"".join(b"\x00" + b"\x80" * 30 for _ in range(20))
    compressed = bytearray(zlib.compress(raw))
    compressed[10:20] = b"\xff" * 10  # the data is broken; every chunk's CRC is right
    return _png_header(10, 20, bytes(compressed))


def test_check_fails_on_damaged_png_data_as_make_does(month: Path) -> None:
    _photo_month(month, _corrupt_png(), "01.png")
    assert photos.inspect(month / "giao-ban" / "01.png") is None  # the header is sound
    code, output = invoke("check")
    assert code == 1
    assert (
        "articles/2023-11/giao-ban.txt:5: lỗi: ảnh articles/2023-11/giao-ban/01.png bị hỏng"
        in output
    )
    code, output = invoke("make", "-q")
    assert code == 1
    assert "01.png bị hỏng hoặc không phải là ảnh" in output


def test_skip_bad_leaves_out_an_article_whose_photo_fails_to_decode(month: Path) -> None:
    _photo_month(month, _corrupt_png(), "01.png")
    code, output = invoke("make", "--skip-bad")
    assert code == 0, output
    assert (
        "Cảnh báo: articles/2023-11/giao-ban.txt: đã bỏ qua: ảnh "
        "articles/2023-11/giao-ban/01.png bị hỏng" in output
    )
    text = " ".join(pdf_text(month.parent.parent / "out" / "ban-tin-2023-11.pdf"))
    assert "Bài tốt" in text and "Giao ban" not in text


def test_check_fails_on_a_month_with_no_article(month: Path) -> None:
    (month / "tot.txt").unlink()
    write(month / "ghi-chu.pdf", "không phải bài")
    code, output = invoke("check")
    assert code == 1
    assert "không có bài" in output.lower() or "no articles" in output.lower()


def test_html_nested_150_deep_is_flattened_so_make_and_check_agree(month: Path) -> None:
    deep = "<blockquote>" * 150 + "Lời sâu nhất" + "</blockquote>" * 150
    write(month / "sau.md", f"# Bài sâu\n\nNgày 06/11/2023, thân bài.\n\n{deep}\n")
    assert invoke("check")[0] == 0
    code, output = invoke("make", "-q")
    assert code == 0, output
    assert "Lời sâu nhất" in " ".join(pdf_text(month.parent.parent / "out" / "ban-tin-2023-11.pdf"))


# --- Word packages ----------------------------------------------------------------------


def _docx_with(path: Path, part: str, data: bytes, drop: str | None = None) -> Path:
    good = write_docx(
        path.with_suffix(".good.docx"), title="Tiêu đề", paragraphs=["Ngày 06/11/2023."]
    )
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename not in (part, drop):
                out.writestr(item, source.read(item))
        if part:
            out.writestr(part, data)
    good.unlink()
    return path


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


@pytest.mark.parametrize(
    ("part", "data", "drop", "reason"),
    [
        ("word/document.xml", b"\x00" * (80 * 1024 * 1024), None, "giải nén ra 80 MB"),
        ("", b"", "word/document.xml", "không có word/document.xml"),
        ("word/document.xml", b"this is { not xml", None, "word/document.xml không phải XML"),
        ("word/document.xml", LAUGHS, None, "word/document.xml khai báo thực thể XML"),
    ],
)
def test_hostile_word_packages_are_one_line(
    tmp_path: Path, part: str, data: bytes, drop: str | None, reason: str
) -> None:
    from bulletin.readers.docx import read

    path = _docx_with(tmp_path / "bai.docx", part, data, drop)
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        read(path, ReadContext(year=2023))
    assert (
        caught.value.problem.message == f"tệp Word bị hỏng ({reason}): mở bằng Word rồi lưu lại"
        or (reason in caught.value.problem.message)
    )
    assert time.monotonic() - started < 5


# --- front matter -----------------------------------------------------------------------

LAUGHING_YAML = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)}]\n"
    for n in range(8)
)


@pytest.mark.parametrize(
    ("front_matter", "line", "message"),
    [
        ("title: T\ndate: 2023-02-30", None, "'date' trong phần đầu không phải là ngày"),
        ("title: T\ndate: 2023-13-01", None, "'date' trong phần đầu không phải là ngày"),
        ("title: T\norder: !!int 'abc'", 3, "'abc' không phải giá trị hợp lệ"),
        (LAUGHING_YAML + "title: T", 3, "không được dùng bí danh (*tên)"),
        ("title: " + "[" * 500 + "]" * 500, 2, "lồng nhau quá sâu"),
        ("title: T\nkhông có dấu hai chấm\ndate: 2023-11-06", None, "dạng 'khóa: giá trị'"),
        ("title: 'chưa đóng", 2, "dấu nháy chưa đóng"),
        ("title: T\nsummary: " + "x" * 70_000, 2, "phần đầu dài quá 64 KB"),
    ],
)
def test_bad_front_matter_is_one_vietnamese_line(
    tmp_path: Path, front_matter: str, line: int | None, message: str
) -> None:
    from bulletin.readers.markdown import read

    path = write(tmp_path / "bai.md", f"---\n{front_matter}\n---\nNgày 06/11/2023, thân.\n")
    with pytest.raises(SourceError) as caught:
        read(path, ReadContext(year=2023))
    problem = caught.value.problem
    assert message in problem.message
    assert "could not" not in problem.message and "expected" not in problem.message
    if line is not None:
        assert problem.line == line


def test_title_yes_stays_yes_and_iso_dates_are_dates(tmp_path: Path) -> None:
    from datetime import date

    from bulletin.readers.markdown import read

    path = write(tmp_path / "bai.md", "---\ntitle: yes\ndate: 2023-11-06\norder: 2\n---\nThân.\n")
    article = read(path, ReadContext(year=2023))
    assert article.title == "yes" and article.date == date(2023, 11, 6) and article.order == 2


# --- text: size and VIQR ------------------------------------------------------------------


def test_an_article_over_2_mb_is_refused_at_once(month: Path) -> None:
    write(month / "lon.txt", "Tiêu đề\n\n" + "Một câu rất dài của bài viết. " * 100_000)
    started = time.monotonic()
    code, output = invoke("check")
    assert code == 1
    assert "articles/2023-11/lon.txt: lỗi: lớn hơn 2 MB: quá lớn đối với một bài viết" in output
    assert time.monotonic() - started < 10


def test_viqr_decoding_is_linear_and_english_is_not_viqr() -> None:
    from bulletin.encodings import decode_text

    english = b"We don't know. Isn't it? The meeting e.g. at 10 a.m. went well; they'd agree.\n"
    assert decode_text(english * 50).encoding == "UTF-8"
    small, large = b"a'b " * 25_000, b"a'b " * 250_000
    started = time.monotonic()
    decode_text(small)
    one = time.monotonic() - started
    started = time.monotonic()
    assert decode_text(large).encoding == "UTF-8"  # 1 MB of "a'b": not Vietnamese
    assert time.monotonic() - started < max(20 * one, 1.0)  # ten times the text
    viqr = b"Vie^.n Khoa ho.c Co^ng nghe^. Mo^? to^? chu+'c ho^.i nghi.\n"
    assert decode_text(viqr).encoding == "VIQR"


# --- fetcher, layouts, settings -----------------------------------------------------------


def test_file_urls_with_a_host_are_refused_without_a_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    render = _render_module()
    LockedFetcher, RefusedURL = render.LockedFetcher, render.RefusedURL

    def no_lookup(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("DNS lookup")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    monkeypatch.setattr(socket, "gethostbyname", no_lookup)
    allowed = write(tmp_path / "a.css", "p {}")
    fetcher = LockedFetcher([tmp_path])
    for host in ("evil-host.invalid", "127.0.0.2", "localhost"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(f"file://{host}{allowed}")
    fetcher.fetch(allowed.as_uri())  # the same file without a host is served


def test_a_user_contents_box_with_two_numbers_names_the_element(month: Path) -> None:
    """A layout edited by hand whose page number box holds more than the number
    ends in one line that quotes the element and what it held."""
    project = month.parent.parent
    toc = (ROOT / "layouts" / "classic" / "toc.html.j2").read_text(encoding="utf-8")
    edited = toc.replace("{{ page_number_placeholder }}", "tr. {{ page_number_placeholder }}/12")
    assert edited != toc
    write(project / "layouts" / "classic" / "toc.html.j2", edited)
    code, output = invoke("make", "-q")
    assert code == 1 and "Traceback" not in output
    [line] = error_lines(output)
    assert line == (
        'Lỗi: Phần tử data-page-of="bai-1" của mẫu trình bày chỉ được chứa một con số'
        ' (số trang), không phải "tr. 0/12"'
    )


def test_a_user_layout_cannot_reach_python_internals(month: Path) -> None:
    project = month.parent.parent
    marker = project / "pwned"
    write(
        project / "layouts" / "classic" / "masthead.html.j2",
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}",
    )
    code, output = invoke("make", "-q")
    assert code == 1
    assert not marker.exists()
    [line] = error_lines(output)
    assert line.startswith("Lỗi: Mẫu trình bày 'classic' tìm cách vượt ra ngoài dữ liệu")
    assert line.endswith("bị từ chối") and "Traceback" not in output


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[photos]\nprint_dpi = 0\n", "'photos.print_dpi' phải từ 72 đến 1200, không phải 0"),
        ("[bulletin]\nfirst_number = -5\n", "'bulletin.first_number' phải từ 1 đến 10000"),
        ('layout = "classic/../poster"\n', "'layout' phải là tên một kiểu trình bày"),
    ],
)
def test_settings_out_of_range_are_one_line_with_the_line(
    month: Path, config: str, message: str
) -> None:
    write(month.parent.parent / "bulletin.toml", config)
    code, output = invoke("make", "-q")
    assert code == 1
    [line] = error_lines(output)
    assert line.startswith("Lỗi: bulletin.toml:") and message in line


def test_layout_option_must_be_a_name(month: Path) -> None:
    code, output = invoke("make", "-q", "--layout", "classic/../poster")
    assert code == 1
    [line] = error_lines(output)
    assert "classic/../poster" in line


def test_a_website_too_long_for_the_qr_code_is_one_line(month: Path) -> None:
    write(
        month.parent.parent / "bulletin.toml",
        f'layout = "poster"\n[bulletin]\nwebsite = "http://intranet/{"a" * 3000}"\n',
    )
    code, output = invoke("make", "-q")
    assert code == 1
    assert error_lines(output) == [
        "Lỗi: bulletin.website: địa chỉ dài 3016 ký tự, quá dài cho mã QR"
    ]


def test_a_huge_source_date_epoch_is_one_line(month: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "9" * 40)
    code, output = invoke("make", "-q")
    assert code == 1
    [line] = error_lines(output)
    assert line.startswith("Lỗi: SOURCE_DATE_EPOCH=99999") and "không phải thời điểm" in line


def test_display_path_escapes_control_characters_and_odd_bytes() -> None:
    assert display_path(Path("/x/a\nb\tc\u2028.txt")) == "/x/a\\nb\\tc\\u2028.txt"
    assert display_path(Path(os.fsdecode(b"/x/\xff.txt"))) == "/x/\\xff.txt"


def test_a_private_folder_made_for_one_run_is_removed_at_its_end(tmp_path: Path) -> None:
    """Without a usable cache folder each run makes its own; it must not pile up."""
    cache_home = tmp_path / "cache"
    (cache_home / "bulletin").mkdir(parents=True, mode=0o755)
    (cache_home / "bulletin").chmod(0o755)  # open to others: not used
    root = str(Path(__file__).resolve().parent.parent)  # this checkout's code
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONPATH": root}
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bulletin import glyphs, private; glyphs.covered(); print(private.private_dir())",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    used = Path(ran.stdout.strip())
    assert used.name.startswith("bulletin-") and used.parent != cache_home
    assert not used.exists()
