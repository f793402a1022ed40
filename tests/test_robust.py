"""Bad input, handled; nothing leaks; nothing lost (issue: robust and safe)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from bulletin.cli import main
from bulletin.errors import BulletinError, SourceError
from bulletin.readers import READERS
from bulletin.readers.base import ReadContext

from .conftest import EXAMPLE_MONTH, pdf_text, write

GOOD = "Bài tốt\n\nNgày 06/11/2023, Viện họp giao ban điều hành tháng 11.\n"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


# Each bad file, dropped into a month beside a good article: (name, content, what
# `check` says about it, its level).
BAD_FILES = [
    ("rong.txt", b"", "tệp rỗng", "lỗi"),
    ("trang.txt", b"  \n\t\n\xc2\xa0\n", "tệp rỗng", "lỗi"),
    ("nhi-phan.txt", bytes(range(256)) * 4, "không đọc được thành chữ", "lỗi"),
    (
        "anh-doi-ten.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        "không đọc được",
        "lỗi",
    ),
    (
        "cat-do.txt",
        "Bài bị cắt\n\nNgày 06/11/2023, Viện họ".encode()[:-1],  # mid-letter
        "không đọc được thành chữ",
        "lỗi",
    ),
    ("chi-tieu-de.txt", "Chỉ có tiêu đề\n".encode(), "chỉ có tiêu đề", "lỗi"),
    ("dau-khong-phai-bang.md", b"---\n- a\n- b\n---\nBody.\n", "phần đầu", "lỗi"),
    ("ngay-sai.md", "---\ntitle: T\ndate: ngày mai\n---\nThân.\n".encode(), "'date'", "lỗi"),
    ("cu.doc", b"\xd0\xcf\x11\xe0" + bytes(100), ".docx", "lỗi"),
    (
        "chep-tu-web.docx",
        "Tiêu đề\n\nNgày 06/11/2023, Viện họp.\n".encode(),
        "tệp văn bản thường, không phải tài liệu Word: hãy đổi tên thành chep-tu-web.txt",
        "lỗi",
    ),
    ("luu-rtf.docx", b"{\\rtf1\\ansi Ti\\'eau \\'f0\\'ea}", "tệp Rich Text (RTF)", "lỗi"),
    (
        "tieu-de-dai.txt",
        ("Dài " * 100 + "\n\nNgày 06/11/2023, Viện họp.\n").encode(),
        "tiêu đề dài 399 ký tự",
        "cảnh báo",
    ),
    (
        "khong-ngay.txt",
        "Không ngày\n\nViện họp giao ban.\n".encode(),
        "không tìm thấy ngày tháng",
        "cảnh báo",
    ),
    (
        "ngoai-thang.txt",
        "Tháng trước\n\nNgày 20/10/2023, Viện họp.\n".encode(),
        "ngoài tháng 2023-11",
        "cảnh báo",
    ),
    ("trung.txt", GOOD.encode(), "trùng tiêu đề với", "cảnh báo"),
]


@pytest.fixture
def month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "articles" / "2023-11"
    write(folder / "a-tot.txt", GOOD)
    return folder


@pytest.mark.parametrize(
    ("name", "content", "message", "level"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_each_bad_file(month: Path, name: str, content: bytes, message: str, level: str) -> None:
    (month / name).write_bytes(content)
    code, output = invoke("check")
    lines = [line for line in output.splitlines() if f"2023-11/{name}" in line]
    assert len(lines) == 1, output
    assert f": {level}: " in lines[0] and message in lines[0]
    assert code == (1 if level == "lỗi" else 0)
    make_code, make_output = invoke("make", "-q")
    assert make_code == code, make_output
    assert "Traceback" not in make_output
    if level == "lỗi":
        assert f"Lỗi: articles/2023-11/{name}" in make_output
        assert not (month.parent.parent / "out" / "ban-tin-2023-11.pdf").exists()
        assert invoke("make", "-q", "--skip-bad")[0] == 0


def test_check_lists_every_problem_at_once(month: Path) -> None:
    for name, content, _message, _level in BAD_FILES:
        (month / name).write_bytes(content)
    code, output = invoke("check")
    assert code == 1
    named = {line.split(":", 1)[0] for line in output.splitlines() if line.startswith("articles/")}
    assert named == {f"articles/2023-11/{b[0]}" for b in BAD_FILES}
    code, output = invoke("check", "--json")
    records = json.loads(output)
    assert {r["file"] for r in records} >= named
    assert {"error", "warning"} <= {r["level"] for r in records} <= {"error", "warning", "note"}
    summary = CliRunner().invoke(main, ["check"]).stderr.splitlines()[-1]
    warnings = sum(r["level"] == "warning" for r in records)  # notes are not warnings
    assert summary.endswith(f", {warnings} cảnh báo"), summary


def test_skip_bad_builds_the_rest_and_lists_them(month: Path) -> None:
    write(month / "rong.txt", "")
    code, output = invoke("make", "--skip-bad")
    assert code == 0
    assert "Cảnh báo: articles/2023-11/rong.txt: đã bỏ qua: tệp rỗng" in output
    assert "Bài tốt" in " ".join(pdf_text(month.parent.parent / "out" / "ban-tin-2023-11.pdf"))


def test_long_word_wraps_inside_the_page(month: Path) -> None:
    word = "https://vienmo.example.vn/" + "a" * 400
    write(month / "lien-ket.txt", f"Liên kết dài\n\nNgày 06/11/2023, xem {word} nhé.\n")
    assert invoke("make", "-q")[0] == 0
    import pypdfium2

    pdf = pypdfium2.PdfDocument(month.parent.parent / "out" / "ban-tin-2023-11.pdf")
    for page in pdf:
        text = page.get_textpage()
        width = page.get_width()
        for index in range(text.count_chars()):
            left, _bottom, right, _top = text.get_charbox(index)
            assert left >= 0 and right <= width
    pdf.close()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root: None, "articles: không tìm thấy thư mục bài viết"),
        (
            lambda root: (root / "articles" / "2023-11").mkdir(parents=True),
            "thư mục không có bài viết nào",
        ),
        (
            lambda root: write(root / "bulletin.toml", "[bulletin]\nnmae = 'x'\n"),
            "bulletin.toml:2: khóa không hợp lệ 'bulletin.nmae'",
        ),
        (
            lambda root: write(root / "bulletin.toml", "[editorial]\nprint_run = 'sáu mươi'\n"),
            "bulletin.toml:2: 'editorial.print_run' phải là một số nguyên",
        ),
        (lambda root: write(root / "bulletin.toml", "layout = [\n"), "bulletin.toml"),
    ],
)
def test_folder_and_config_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup, message: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    if "thư mục không có" not in message and "không tìm thấy thư mục" not in message:
        write(tmp_path / "articles" / "2023-11" / "a.txt", GOOD)
    setup(tmp_path)
    for command in ("make", "check"):
        code, output = invoke(command)
        assert code == 1
        assert message in output and "Traceback" not in output


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600), suffix=st.sampled_from(sorted(READERS)))
def test_readers_on_arbitrary_bytes(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("h") / f"bai{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(SourceError):
        READERS[suffix](path, ReadContext(year=2023))


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=400), suffix=st.sampled_from([".txt", ".md"]))
def test_readers_on_arbitrary_text(
    tmp_path_factory: pytest.TempPathFactory, text: str, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("h") / f"bai{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(SourceError):
        READERS[suffix](path, ReadContext(year=2023))


HOSTILE = (
    "Bài có <b>thẻ</b> & mã\n\n"
    'Ngày 06/11/2023, <script>alert(1)</script> <img src="file:///etc/passwd"> '
    '<iframe src="http://example.com/"></iframe> {{ 7*7 }} {% raw %} $(rm -rf ~) `id`.\n'
)


def test_markup_in_text_is_printed_as_text(month: Path) -> None:
    write(month / "doc-hai.txt", HOSTILE)
    assert invoke("make", "-q")[0] == 0
    text = "".join(pdf_text(month.parent.parent / "out" / "ban-tin-2023-11.pdf")).replace(" ", "")
    text = text.replace("“", '"').replace("”", '"')  # straight quotes are printed curly
    for piece in (
        "<b>thẻ</b>",
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "$(rm -rf ~)",
        '<img src="file:///etc/passwd">',
        "{% raw %}",
    ):
        assert piece.replace(" ", "") in text  # printed, line breaks aside


def test_markdown_raw_html_is_sanitised(month: Path) -> None:
    write(
        month / "doc-hai.md",
        "---\ntitle: Doc hai\ndate: 2023-11-06\n---\n\nChữ.\n\n"
        '<img src="file:///etc/passwd"><iframe src="http://example.com/"></iframe>'
        '<a href="file:///etc/passwd" rel="attachment">tệp</a><script>x()</script>\n',
    )
    assert invoke("make", "-q", "--keep-html")[0] == 0
    html = (month.parent.parent / "out" / "ban-tin-2023-11.html").read_text(encoding="utf-8")
    for banned in ("/etc/passwd", "example.com", "<script", "<iframe", "attachment"):
        assert banned not in html
    reader = PdfReader(month.parent.parent / "out" / "ban-tin-2023-11.pdf")
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a.png",
        "https://example.com/a.css",
        "ftp://example.com/a",
        "file:///etc/passwd",
    ],
)
def test_fetcher_refuses_outside_urls(tmp_path: Path, url: str) -> None:
    from bulletin import render

    html = f'<link rel=stylesheet href="{url}"><p>x</p><img src="{url}">'
    with pytest.raises(BulletinError) as error:
        render.render(html, base=tmp_path, allowed=[tmp_path])
    assert url.split("://")[0] in str(error.value)


def test_fetcher_refuses_symlinks_leading_out(tmp_path: Path) -> None:
    from bulletin import render

    (tmp_path / "lien-ket.png").symlink_to("/etc/passwd")
    with pytest.raises(BulletinError) as error:
        render.render('<img src="lien-ket.png">', base=tmp_path, allowed=[tmp_path])
    assert "/etc/passwd" in str(error.value) or "lien-ket.png" in str(error.value)


def test_fetcher_serves_data_urls_and_allowed_files(tmp_path: Path) -> None:
    from bulletin import render

    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
        "nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
    )
    document = render.render(f'<img src="{pixel}">', base=tmp_path, allowed=[tmp_path])
    assert len(document.pages) == 1


GUARD = """
import pathlib, socket

def refuse(*args, **kwargs):
    pathlib.Path({marker!r}).write_text(repr(args))
    raise OSError("network refused by the test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
"""


def test_make_opens_no_network_connection(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guarded in this process and, through sitecustomize, in the render worker."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    guard = tmp_path_factory.mktemp("guard")
    marker = guard / "connected"
    (guard / "sitecustomize.py").write_text(GUARD.format(marker=str(marker)))
    monkeypatch.setenv("PYTHONPATH", str(guard))
    assert invoke("make", "-q")[0] == 0
    assert invoke("make", "-q", "--for", "email")[0] == 0
    assert not marker.exists(), marker.read_text()


def test_refused_url_from_a_user_layout_is_one_line_in_the_users_language(
    project: Path,
) -> None:
    """The render worker's answer reaches the user like any other mistake."""
    masthead = project / "layouts" / "classic" / "masthead.html.j2"
    write(masthead, '<img src="file:///etc/hostname"><h1 class="name">Bản tin</h1>')
    code, output = invoke("--lang", "en", "make", "-q")
    assert code == 1
    assert output.strip().splitlines() == [
        "Error: Refused to load file:///etc/hostname: only files of the project may be used"
    ]
    assert not list((project / "out").glob("*.pdf"))


def test_build_renders_in_process_when_no_worker_can_start(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin import worker

    monkeypatch.setattr(worker.sys, "executable", str(project / "no-such-python"))
    assert invoke("make", "-q")[0] == 0
    assert len(PdfReader(project / "out" / "ban-tin-2023-11.pdf").pages) > 3


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_sources_are_never_written(project: Path) -> None:
    before = tree_hashes(project / "articles")
    stamps = {p: p.stat().st_mtime_ns for p in (project / "articles").rglob("*")}
    for args in (
        ["make", "-q"],
        ["make", "-q", "--for", "email"],
        ["check"],
        ["check", "--json"],
        ["make", "-q", "--keep-html", "--skip-bad"],
    ):
        invoke(*args)
    assert tree_hashes(project / "articles") == before
    assert {p: p.stat().st_mtime_ns for p in (project / "articles").rglob("*")} == stamps
    assert not [p for p in (project / "articles").rglob("*") if p not in stamps]


def _make_process(project: Path, out: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700611200"}
    return subprocess.Popen(
        [sys.executable, "-m", "bulletin", "make", "-q", "--out", out],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_build_leaves_the_previous_pdf(project: Path) -> None:
    assert invoke("make", "-q")[0] == 0
    pdf = project / "out" / "ban-tin-2023-11.pdf"
    previous = pdf.read_bytes()
    for delay in (0.6, 1.0, 1.4):
        shutil.rmtree(project / "out" / ".cache", ignore_errors=True)
        process = _make_process(project, str(pdf))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert pdf.read_bytes() == previous or PdfReader(pdf).pages  # old, or a whole new one
        assert pdf.read_bytes()[-6:].strip().endswith(b"%%EOF")


def test_two_builds_at_once(project: Path) -> None:
    pdf = project / "out" / "ban-tin-2023-11.pdf"
    first, second = _make_process(project, str(pdf)), _make_process(project, str(pdf))
    assert first.wait() == 0 and second.wait() == 0
    assert len(PdfReader(pdf).pages) > 3
    assert not list((project / "out").glob("*.part"))


def test_example_month_is_untouched_by_tests() -> None:
    assert (EXAMPLE_MONTH / "01-giao-ban-thang-11.txt").is_file()


def test_office_leftovers_are_skipped_silently(month: Path) -> None:
    (month / "~$bai-dang-mo.docx").write_bytes(b"\x00" * 162)  # Word's lock file
    (month / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (month / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    code, output = invoke("check")
    assert code == 0 and "~$" not in output and "DS_Store" not in output


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        ("bom.png", "quá lớn (trên 100 megapixel)"),
        ("hong.jpg", "bị hỏng hoặc không phải là ảnh"),
    ],
)
def test_check_reports_bad_photos_with_the_line(month: Path, photo: str, message: str) -> None:
    from PIL import Image

    if photo == "bom.png":
        Image.new("1", (12_000, 10_000)).save(month / photo)
    else:
        (month / photo).write_bytes(b"\xff\xd8\xff\xe0 broken")
    write(month / "anh.md", f"---\ntitle: Ảnh\ndate: 2023-11-06\n---\n\nChữ.\n\n![Ảnh]({photo})\n")
    code, output = invoke("check")
    assert code == 1
    assert f"articles/2023-11/anh.md:8: lỗi: ảnh articles/2023-11/{photo} {message}" in output


def test_stale_temporary_files_are_removed(project: Path) -> None:
    out = project / "out"
    out.mkdir()
    stale, fresh = out / ".ban-tin-2023-11.pdf.old1.part", out / ".ban-tin-2023-11.pdf.new1.part"
    stale.write_bytes(b"%PDF half")
    fresh.write_bytes(b"%PDF being written by another build")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    assert invoke("make", "-q")[0] == 0
    assert not stale.exists() and fresh.exists()


def test_send_and_check_do_not_import_weasyprint() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from bulletin.cli import main; "
        "CliRunner().invoke(main, ['check', '--help']); "
        "import bulletin.send, bulletin.check, bulletin.preview; "
        "print('weasyprint' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_check_warns_when_photos_and_captions_do_not_pair(month: Path) -> None:
    from PIL import Image

    write(
        month / "giao-ban.txt",
        "Giao ban\n\nNgày 06/11/2023, Viện họp.\n\nToàn cảnh\n\nViện trưởng kết luận cuộc họp.\n",
    )
    (month / "giao-ban").mkdir()
    for name in ("01.jpg", "02.jpg"):
        Image.new("RGB", (40, 30), "grey").save(month / "giao-ban" / name)
    code, output = invoke("check")
    assert code == 0
    assert (
        "articles/2023-11/giao-ban.txt: cảnh báo: 1 ảnh không có dòng chú thích trong bài" in output
    )
    (month / "giao-ban" / "02.jpg").unlink()
    assert "chú thích trong bài" not in invoke("check")[1]


def test_worker_that_dies_is_replaced_by_rendering_in_process(tmp_path: Path) -> None:
    import io

    from bulletin.worker import Job, Renderer, serve

    renderer = Renderer()
    assert renderer._process is not None
    renderer._process.kill()
    job = Job("<p>Xin chào</p>", base=tmp_path, allowed=(tmp_path,), language="vi")
    result = renderer.run(job)
    assert result.error is None and result.crash is None
    assert result.pages == 1 and result.pdf.startswith(b"%PDF")
    answer = io.BytesIO()
    handler = signal.getsignal(signal.SIGINT)
    try:
        serve(io.BytesIO(b""), answer)  # a build that stopped before rendering: no answer
    finally:
        signal.signal(signal.SIGINT, handler)  # the worker ignores Ctrl+C: not pytest
    assert answer.getvalue() == b""


def test_the_worker_process_renders_and_answers(tmp_path: Path) -> None:
    """Not the in-process fallback: the answer comes from `python -m bulletin.worker`."""
    from bulletin.worker import Job, Renderer

    job = Job("<p>Xin chào</p>", base=tmp_path, allowed=(tmp_path,), language="vi")
    with Renderer() as renderer:
        answer = renderer._ask_worker(job)
    assert answer is not None and answer.pages == 1 and answer.pdf.startswith(b"%PDF")
