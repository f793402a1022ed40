"""bulletin send against a real local SMTP server; bulletin preview."""

from __future__ import annotations

import contextlib
import email
import json
import socket
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
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

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse = refuse or set()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
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
    assert "không gửi được cho Phòng Công nghệ Khai thác: " in output and "550" in output
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
    code, output = send()
    assert code == 1
    assert "không kết nối được máy chủ thư 127.0.0.1" in output


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


def test_preview_writes_pages_and_contact_sheet(project: Path) -> None:
    result = CliRunner().invoke(main, ["preview", "-q"])
    assert result.exit_code == 0, result.output
    folder = project / "out" / "preview-2023-11"
    assert result.output.strip() == "out/preview-2023-11/index.html"
    pages = sorted(folder.glob("trang-*.png"))
    from pypdf import PdfReader

    assert len(pages) == len(PdfReader(project / "out" / "ban-tin-2023-11.pdf").pages)
    with Image.open(pages[0]) as first:
        width, height = first.size
    assert abs(width - 909) <= 2 and abs(height - 1286) <= 2  # A4 at 110 dpi
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count("<img") == len(pages)


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
