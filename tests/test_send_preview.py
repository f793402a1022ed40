"""bulletin send against a real local SMTP server; bulletin preview."""

from __future__ import annotations

import asyncio
import contextlib
import email
import errno
import json
import os
import socket
import subprocess
import sys
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from PIL import Image

from bulletin.cli import main

UNITS = """
[email]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "vanphong@vienmo.example.vn"

[[units]]
name = "Phòng Kinh tế Dự án"
email = "kinhte@vienmo.example.vn"

[[units]]
name = "Phòng Công nghệ Khai thác"
email = ["khaithac@vienmo.example.vn", "truongphong@vienmo.example.vn"]

[[units]]
name = "Trung tâm Tư vấn"
email = "tuvan@vienmo.example.vn"
"""


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and can refuse addresses."""

    def __init__(self, refuse: set[str] | None = None, temporary: set[str] | None = None) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse = refuse or set()
        self.temporary = temporary or set()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if address in self.temporary:
            return "451 4.3.2 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    started: list[Controller] = []

    def start(mailbox: Mailbox, port: int) -> Controller:
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        with contextlib.suppress(AssertionError):  # already stopped by the test
            controller.stop()


@pytest.fixture
def mailing(project: Path) -> tuple[Path, int]:
    port = free_port()
    config = project / "bulletin.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + UNITS.format(port=port), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["make", "-q", "--for", "email"])
    assert result.exit_code == 0, result.output
    return project, port


def send(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["send", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_each_unit_gets_one_message_with_the_pdf(mailing, server) -> None:  # type: ignore[no-untyped-def]
    project, port = mailing
    mailbox = Mailbox()
    server(mailbox, port)
    code, output = send()
    assert code == 0, output
    pdf = (project / "out" / "ban-tin-2023-11-email.pdf").read_bytes()
    assert [sorted(r) for r, _ in mailbox.messages] == [
        ["kinhte@vienmo.example.vn"],
        ["khaithac@vienmo.example.vn", "truongphong@vienmo.example.vn"],
        ["tuvan@vienmo.example.vn"],
    ]
    for (_recipients, content), unit in zip(
        mailbox.messages,
        ("Phòng Kinh tế Dự án", "Phòng Công nghệ Khai thác", "Trung tâm Tư vấn"),
        strict=True,
    ):
        message = email.message_from_bytes(content, policy=policy.default)
        assert message["Subject"] == "Bản tin Thông tin Khoa học Công nghệ Mỏ số 11 tháng 11/2023"
        assert f"Kính gửi: {unit}," in message.get_body(("plain",)).get_content()
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == "ban-tin-2023-11-email.pdf"
        assert attachment.get_content() == pdf
    log = json.loads((project / "out" / "sent-2023-11.json").read_text(encoding="utf-8"))
    assert set(log) == {"Phòng Kinh tế Dự án", "Phòng Công nghệ Khai thác", "Trung tâm Tư vấn"}
    assert send() == (0, send()[1])  # a rerun sends nothing more
    assert len(mailbox.messages) == 3


def test_a_failed_run_is_completed_by_the_rerun(mailing, server) -> None:  # type: ignore[no-untyped-def]
    _project, port = mailing
    failing = Mailbox(refuse={"khaithac@vienmo.example.vn", "truongphong@vienmo.example.vn"})
    controller = server(failing, port)
    code, output = send()
    assert code == 1
    assert "Không gửi được cho Phòng Công nghệ Khai thác: " in output and "550" in output
    assert "Đã gửi 2/3 đơn vị; 1 lỗi: Phòng Công nghệ Khai thác" in output
    assert len(failing.messages) == 2  # the first and third units were served
    controller.stop()
    healthy = Mailbox()
    server(healthy, port)
    code, output = send()
    assert code == 0, output
    assert [sorted(r) for r, _ in healthy.messages] == [
        ["khaithac@vienmo.example.vn", "truongphong@vienmo.example.vn"]
    ]
    everything = [r for r, _ in failing.messages + healthy.messages]
    assert len(everything) == 3  # exactly once per unit across both runs
    assert send("--resend", "--only", "Trung tâm Tư vấn")[0] == 0
    assert [r for r, _ in healthy.messages][-1] == ["tuvan@vienmo.example.vn"]


def test_server_down_names_the_problem(mailing) -> None:  # type: ignore[no-untyped-def]
    _project, port = mailing
    code, output = send()
    assert code == 1
    assert output.strip() == (
        f"Lỗi: Không kết nối được máy chủ thư 127.0.0.1:{port}: máy chủ từ chối kết nối: "
        "sai cổng, hoặc máy đó không chạy dịch vụ thư"
    )  # the system's "[Errno 111] Connection refused" is English


def test_dry_run_writes_eml_files(mailing) -> None:  # type: ignore[no-untyped-def]
    project, _port = mailing
    code, _output = send("--dry-run")
    assert code == 0
    files = sorted((project / "out" / "mail-2023-11").glob("*.eml"))
    assert [f.name for f in files] == [
        "phong-cong-nghe-khai-thac.eml",
        "phong-kinh-te-du-an.eml",
        "trung-tam-tu-van.eml",
    ]
    assert not (project / "out" / "sent-2023-11.json").exists()


def test_refuses_an_email_pdf_older_than_an_article(mailing, server) -> None:  # type: ignore[no-untyped-def]
    """A mail cannot be taken back: last week's copy is refused, naming the change."""
    import os

    project, port = mailing
    mailbox = Mailbox()
    server(mailbox, port)
    pdf = project / "out" / "ban-tin-2023-11-email.pdf"
    article = next((project / "articles" / "2023-11").glob("*.md"))
    later = pdf.stat().st_mtime + 60
    os.utime(article, (later, later))
    code, output = send()
    assert code == 1
    assert article.name in output and "bulletin make --for email" in output
    assert "Traceback" not in output and mailbox.messages == []
    code, output = send("--pdf", str(pdf))  # chosen knowingly
    assert code == 0, output
    assert len(mailbox.messages) == 3


def test_a_fresh_email_pdf_is_sent_after_the_units_were_fixed(mailing, server) -> None:  # type: ignore[no-untyped-def]
    """bulletin.toml's units and mail server change nothing printed."""
    import os

    project, port = mailing
    mailbox = Mailbox()
    server(mailbox, port)
    later = (project / "out" / "ban-tin-2023-11-email.pdf").stat().st_mtime + 60
    os.utime(project / "bulletin.toml", (later, later))
    code, output = send()
    assert code == 0, output
    assert len(mailbox.messages) == 3


def test_refuses_a_pdf_too_large(mailing) -> None:  # type: ignore[no-untyped-def]
    project, _port = mailing
    code, output = send("--pdf", str(_big(project / "out" / "to.pdf")))
    assert code == 1 and "bulletin make --for email" in output


def _big(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(11_000_000))
    return path


def test_unknown_unit(mailing) -> None:  # type: ignore[no-untyped-def]
    code, output = send("--only", "Phòng Không Có")
    assert code == 1 and "Phòng Không Có" in output


class SlowMailbox(Mailbox):
    """Takes a while over each message, so that two sends overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.4)
        return await super().handle_DATA(server, session, envelope)


def test_two_sends_at_once_mail_each_unit_once(mailing, server) -> None:  # type: ignore[no-untyped-def]
    project, port = mailing
    mailbox = SlowMailbox()
    server(mailbox, port)
    command = [sys.executable, "-m", "bulletin", "send"]
    runs = [
        subprocess.Popen(command, cwd=project, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    results = []
    for run in runs:
        with run:
            _out, errors = run.communicate(timeout=60)
        results.append((run.returncode, errors))
    assert len(mailbox.messages) == 3, results  # not 6
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 1]), results
    if codes == [0, 1]:
        refused = next(text for code, text in results if code == 1)
        assert "Lỗi: Một lệnh 'bulletin send' khác đang gửi bản tin tháng này" in refused
    assert send()[0] == 0 and len(mailbox.messages) == 3


def test_a_temporary_refusal_is_retried_for_that_address_only(mailing, server) -> None:  # type: ignore[no-untyped-def]
    project, port = mailing
    busy = Mailbox(temporary={"truongphong@vienmo.example.vn"})
    controller = server(busy, port)
    code, output = send()
    assert code == 1
    assert (
        "Không gửi được cho Phòng Công nghệ Khai thác: truongphong@vienmo.example.vn: "
        "451 4.3.2 try again later (từ chối tạm thời: lần chạy sau sẽ gửi lại)"
    ) in output
    assert "Đã gửi 2/3 đơn vị; 1 lỗi: Phòng Công nghệ Khai thác" in output
    assert "Đã gửi cho Phòng Công nghệ Khai thác" not in output
    assert [sorted(r) for r, _ in busy.messages][1] == ["khaithac@vienmo.example.vn"]
    log = json.loads((project / "out" / "sent-2023-11.json").read_text(encoding="utf-8"))
    unit = log["Phòng Công nghệ Khai thác"]
    assert unit["khaithac@vienmo.example.vn"]["state"] == "sent"
    assert unit["truongphong@vienmo.example.vn"]["state"] == "failed"
    controller.stop()
    later = Mailbox()
    server(later, port)
    code, output = send()
    assert code == 0, output
    assert [r for r, _ in later.messages] == [["truongphong@vienmo.example.vn"]]
    message = email.message_from_bytes(later.messages[0][1], policy=policy.default)
    assert "khaithac@vienmo.example.vn" in message["To"]  # the same message, to the one left
    assert "Đã gửi 3/3 đơn vị (2 đơn vị từ lần chạy trước)" in output


def test_a_send_log_that_cannot_be_written_leaves_the_unit_unknown_not_resent(  # type: ignore[no-untyped-def]
    mailing, server, monkeypatch
) -> None:
    from bulletin import send as mail

    _project, port = mailing
    mailbox = Mailbox()
    server(mailbox, port)
    real_write = mail._write_log
    writes = []

    def failing_second_write(path: Path, log: object) -> None:
        writes.append(path)
        if len(writes) == 2:  # after unit 1 was mailed: the disk filled up
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, log)  # type: ignore[arg-type]

    monkeypatch.setattr(mail, "_write_log", failing_second_write)
    code, output = send()
    assert code == 1
    assert len(mailbox.messages) == 1
    assert "Lỗi: Không ghi được nhật ký gửi out/sent-2023-11.json" in output
    assert "không rõ Phòng Kinh tế Dự án đã nhận được chưa" in output
    monkeypatch.setattr(mail, "_write_log", real_write)
    code, output = send()
    assert code == 1
    assert len(mailbox.messages) == 3  # units 2 and 3; unit 1 is not mailed twice
    assert "Đã gửi 2/3 đơn vị; 1 chưa rõ: Phòng Kinh tế Dự án" in output
    assert "Không rõ Phòng Kinh tế Dự án đã nhận được chưa (kinhte@vienmo.example.vn)" in output
    code, output = send("--resend", "--only", "Phòng Kinh tế Dự án")
    assert code == 0, output
    assert len(mailbox.messages) == 4
    assert send() == (0, send()[1]) and len(mailbox.messages) == 4


def test_no_login_in_clear_when_the_server_offers_no_starttls(  # type: ignore[no-untyped-def]
    mailing, server, monkeypatch
) -> None:
    project, port = mailing
    config = project / "bulletin.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('security = "none"', 'security = "auto"\nusername = "vanphong"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("BULLETIN_SMTP_PASSWORD", "mat-khau")
    logins: list[str] = []
    mailbox = Mailbox()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=lambda server, session, envelope, mechanism, auth: (
            logins.append(auth.login.decode()) or AuthResult(success=True)
        ),
        auth_require_tls=False,
    )
    controller.start()
    try:
        code, output = send()
        assert code == 1
        assert "Máy chủ thư 127.0.0.1:" in output and "không hỗ trợ STARTTLS" in output
        assert 'ghi security = "none" trong [email]' in output
        assert logins == [] and mailbox.messages == []
        # written out explicitly, plaintext login is the user's choice
        config.write_text(
            text.replace('security = "none"', 'security = "none"\nusername = "vanphong"'),
            encoding="utf-8",
        )
        code, output = send()
        assert code == 0, output
        assert logins == ["vanphong"] and len(mailbox.messages) == 3
    finally:
        controller.stop()


def test_test_send_to_oneself_is_not_recorded(mailing, server) -> None:  # type: ignore[no-untyped-def]
    project, port = mailing
    mailbox = Mailbox()
    server(mailbox, port)
    code, output = send("--to", "toi@vienmo.example.vn")
    assert code == 0, output
    assert "Đã gửi thư thử (như thư gửi Phòng Kinh tế Dự án) tới toi@vienmo.example.vn" in output
    assert [r for r, _ in mailbox.messages] == [["toi@vienmo.example.vn"]]
    message = email.message_from_bytes(mailbox.messages[0][1], policy=policy.default)
    assert message["To"] == "toi@vienmo.example.vn"
    assert not (project / "out" / "sent-2023-11.json").exists()
    code, output = send()
    assert code == 0 and len(mailbox.messages) == 4  # the real send serves all three
    code, output = send("--to", "toi vienmo.example.vn")
    assert code == 1 and "--to 'toi vienmo.example.vn': không phải địa chỉ thư điện tử" in output


def test_progress_and_summary_on_stderr(mailing, server) -> None:  # type: ignore[no-untyped-def]
    _project, port = mailing
    server(Mailbox(), port)
    result = CliRunner().invoke(main, ["send"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "Đơn vị 1/3: Phòng Kinh tế Dự án…"
    assert "Đơn vị 3/3: Trung tâm Tư vấn…" in lines
    assert lines[-1] == "Đã gửi 3/3 đơn vị"
    assert result.stdout == ""
    quiet = CliRunner().invoke(main, ["send", "-q", "--resend"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_preview_writes_pages_and_contact_sheet(project: Path) -> None:
    printed = CliRunner().invoke(main, ["make", "-q"])
    assert printed.exit_code == 0, printed.output
    print_pdf = project / "out" / "ban-tin-2023-11.pdf"
    before = print_pdf.read_bytes()
    (project / "articles" / "2023-11" / "khong-ngay.txt").write_text(
        "Tin không có ngày\n\nViện tổ chức buổi họp giao ban thường kỳ của các phòng.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["preview", "-q"])
    assert result.exit_code == 0, result.output
    folder = project / "out" / "preview-2023-11"
    assert result.output.strip() == "out/preview-2023-11/index.html"
    pages = sorted(folder.glob("trang-*.png"))
    from pypdf import PdfReader

    count = len(PdfReader(folder / "ban-tin-xem-truoc.pdf").pages)
    assert len(pages) == count >= 4
    assert print_pdf.read_bytes() == before  # the print PDF is make's alone
    with Image.open(pages[0]) as first:
        width, height = first.size
    assert abs(width - 909) <= 2 and abs(height - 1286) <= 2  # A4 at 110 dpi
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count("<img") == len(pages)
    assert '<html lang="vi">' in index and "<title>Xem trước bản tin tháng 11/2023</title>" in index
    assert f'alt="Trang 1/{count} của bản tin"' in index and f"<span>Trang {count}</span>" in index
    # the month's warnings beside the pages
    assert (
        "<aside><h1>Xem trước bản tin tháng 11/2023</h1><h2>Cảnh báo (1)</h2><ul><li>"
        "articles/2023-11/khong-ngay.txt: không tìm thấy ngày tháng trong đoạn đầu"
        "</li></ul></aside>"
    ) in index
    assert "version.js" not in index and not (folder / "version.js").exists()  # not watching


def _src(sheet: str, page: Path) -> str:
    """The address the contact sheet gives a page's image."""
    start = sheet.index(f'src="{page.name}?') + len('src="')
    return sheet[start : sheet.index('"', start)]


def test_preview_draws_again_only_the_pages_that_changed(project: Path) -> None:
    """A preview run again re-encodes no page that looks the same; a page that
    changed is drawn anew; an image that is not one of ours is replaced."""
    from pypdf import PdfReader, PdfWriter

    from bulletin.preview import PIXELS_KEY, write_preview

    result = CliRunner().invoke(main, ["preview", "-v"])
    assert result.exit_code == 0, result.output
    folder = project / "out" / "preview-2023-11"
    pages = sorted(folder.glob("trang-*.png"))
    assert f"Số trang vẽ lại: {len(pages)} trong {len(pages)} trang" in result.output
    with Image.open(pages[0]) as image:
        assert image.format == "PNG" and len(image.info[PIXELS_KEY].split()) == 3
    written = {page.name: page.stat().st_ino for page in pages}

    again = CliRunner().invoke(main, ["preview", "-v"])
    assert again.exit_code == 0, again.output
    assert f"Số trang vẽ lại: 0 trong {len(pages)} trang" in again.output
    assert {page.name: page.stat().st_ino for page in pages} == written  # not rewritten

    # The last page turned, and the first replaced by a PNG without our digest.
    changed = PdfWriter(clone_from=PdfReader(folder / "ban-tin-xem-truoc.pdf"))
    changed.pages[-1].rotate(90)
    turned = project / "turned.pdf"
    changed.write(turned)
    Image.new("RGB", (10, 10), "white").save(pages[0])
    shown = (folder / "index.html").read_text(encoding="utf-8")
    sheet = write_preview(turned, folder)
    assert (sheet.pages, sheet.drawn) == (len(pages), 2)
    now = (folder / "index.html").read_text(encoding="utf-8")
    moved = [p.name for p in pages if f'src="{p.name}?' in shown and _src(shown, p) != _src(now, p)]
    assert moved == [pages[-1].name]  # a new address for the turned page alone
    with Image.open(pages[-1]) as last, Image.open(pages[0]) as first:
        assert last.width > last.height  # the turned page, drawn anew
        assert abs(first.width - 909) <= 2  # ours again, drawn anew


def test_preview_folder_taken_by_a_file(project: Path) -> None:
    (project / "out").mkdir()
    (project / "out" / "preview-2023-11").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["preview", "-q"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Lỗi: out/preview-2023-11: có một tệp trùng tên với thư mục xem trước: "
        "hãy chuyển đi hoặc đổi tên tệp đó"
    )
    assert (project / "out" / "preview-2023-11").read_text(encoding="utf-8") == "not a folder"


def test_watch_reloads_config_survives_errors_and_reloads_the_page(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch loop itself, with the file watcher replaced by three events: an
    edit to bulletin.toml, a rebuild that hits a bug, then a good rebuild."""
    from bulletin import build as building
    from bulletin import preview as previews
    from tests.conftest import pdf_text

    folder = project / "out" / "preview-2023-11"
    seen: dict[str, object] = {}
    real_build = building.build

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("boom")

    def fake_watch(paths: list[Path], rebuild) -> None:  # type: ignore[no-untyped-def]
        seen["paths"] = paths
        seen["first"] = (folder / "version.js").read_text(encoding="utf-8")
        config = project / "bulletin.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace('name = "Thông tin Khoa học Công nghệ Mỏ"', 'name = "Bản tin Đổi Tên"'),
            encoding="utf-8",
        )
        rebuild()
        seen["renamed"] = " ".join(pdf_text(folder / "ban-tin-xem-truoc.pdf"))
        seen["second"] = (folder / "version.js").read_text(encoding="utf-8")
        monkeypatch.setattr(building, "build", broken)
        rebuild()  # must report and return, not end the watch
        monkeypatch.setattr(building, "build", real_build)
        rebuild()

    monkeypatch.setattr(previews, "watch", fake_watch)
    result = CliRunner().invoke(main, ["preview", "--watch", "-q"])
    assert result.exit_code == 0, result.output
    assert project / "bulletin.toml" in seen["paths"]  # type: ignore[operator]
    assert "Bản tin Đổi Tên" in str(seen["renamed"])  # the config was read again
    assert "Lỗi ngoài dự kiến (RuntimeError: boom); vẫn tiếp tục theo dõi" in result.output
    assert result.output.count("out/preview-2023-11/index.html") == 3  # and it went on
    assert seen["first"] != seen["second"]
    assert str(seen["second"]).startswith("window.previewVersion = ")
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'tag.src = "version.js?" + Date.now();' in index  # the open page reloads itself
    assert not (project / "out" / "ban-tin-2023-11.pdf").exists()


def test_watch_rebuilds_on_change(project: Path) -> None:
    from bulletin.preview import watch

    calls: list[float] = []
    stop = threading.Event()
    folder = project / "articles" / "2023-11"
    thread = threading.Thread(
        target=watch, args=([folder], lambda: calls.append(time.time()), stop)
    )
    thread.start()
    try:
        time.sleep(0.5)
        (folder / "moi.txt").write_text("Bài mới\n\nNgày 20/11/2023, Viện họp.\n", encoding="utf-8")
        deadline = time.time() + 10
        while not calls and time.time() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert calls


def test_an_email_template_error_is_one_line_and_sends_nothing(mailing, server) -> None:  # type: ignore[no-untyped-def]
    project, port = mailing
    mailbox = Mailbox()
    server(mailbox, port)
    templates = project / "layouts" / "email"
    templates.mkdir(parents=True)
    body = templates / "body.txt.j2"
    body.write_text("Kính gửi {{ unit.name }},\n{% if %}\n", encoding="utf-8")
    code, output = send()  # a message template written after the PDF changes nothing printed
    assert code == 1
    assert output.splitlines()[-1].startswith("Lỗi: layouts/email/body.txt.j2:2: lỗi khuôn mẫu: ")
    assert output.count("Lỗi") == 1
    assert mailbox.messages == []
    assert not (project / "out" / "sent-2023-11.json").exists()  # nothing marked "sending"


def test_a_progress_bar_when_stderr_is_a_terminal(mailing, server) -> None:  # type: ignore[no-untyped-def]
    import pty

    project, port = mailing
    server(Mailbox(), port)
    controller, terminal = pty.openpty()
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "bulletin", "send"], cwd=project, stderr=terminal
        ) as run:
            assert run.wait(timeout=60) == 0
        os.close(terminal)
        screen = b""
        with contextlib.suppress(OSError):  # EIO once the terminal is closed and read out
            while chunk := os.read(controller, 4096):
                screen += chunk
    finally:
        os.close(controller)
    text = screen.decode()
    assert "Đơn vị 3/3: Trung tâm Tư vấn" in text and "100%" in text and "[####" in text
    assert "Đơn vị 3/3: Trung tâm Tư vấn…\n" not in text  # a bar, not stage lines
    assert "Đã gửi 3/3 đơn vị" in text


def test_preview_of_a_folder_not_named_by_month(project: Path) -> None:
    """The month then comes from the articles' dates, known only after the build."""
    import shutil

    shutil.copytree(project / "articles" / "2023-11", project / "thang-nay")
    result = CliRunner().invoke(main, ["preview", "-q", "--articles", "thang-nay"])
    assert result.exit_code == 0, result.output
    folder = project / "out" / "preview-2023-11"
    assert (folder / "ban-tin-xem-truoc.pdf").read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in (project / "out").iterdir()) == [".cache", "preview-2023-11"]
