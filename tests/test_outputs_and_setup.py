"""Where outputs may go (make --out), units checked when the config loads, bulletin init."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin.cli import main
from bulletin.errors import BulletinError
from bulletin.output import atomic_output
from bulletin.resources import LAYOUTS_DIR


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by content: sources must stay byte-identical."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def make(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["make", "-q", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a failure of its own
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "articles/2023-11/00-ngay-truyen-thong.md",
            "Lỗi: articles/2023-11/00-ngay-truyen-thong.md: nằm trong articles/2023-11, "
            "giữa các tệp nguồn: hãy ghi PDF ra chỗ khác (mặc định: out/)",
        ),
        (
            "articles/2023-11/ban-tin.pdf",
            "Lỗi: articles/2023-11/ban-tin.pdf: nằm trong articles/2023-11, "
            "giữa các tệp nguồn: hãy ghi PDF ra chỗ khác (mặc định: out/)",
        ),
        (
            "bulletin.toml",
            "Lỗi: bulletin.toml: đây là tệp cấu hình, không phải tệp kết quả: hãy chọn tên khác",
        ),
        (".", "Lỗi: .: là một thư mục: hãy ghi tên tệp có đuôi .pdf"),
        ("out/", "Lỗi: out/: là một thư mục: hãy ghi tên tệp có đuôi .pdf"),
        ("", "Lỗi: --out để trống: hãy ghi tên tệp có đuôi .pdf"),
        (
            "ketqua.docx",
            "Lỗi: ketqua.docx: tệp kết quả phải là tệp .pdf: hãy ghi tên có đuôi .pdf",
        ),
    ],
)
def test_make_refuses_an_output_that_is_not_a_new_pdf(
    project: Path, out: str, message: str
) -> None:
    before = fingerprint(project)
    code, output = make("--out", out)
    assert (code, output.strip()) == (1, message)
    assert fingerprint(project) == before


def test_make_refuses_layout_files(project: Path) -> None:
    (project / "layouts" / "classic").mkdir(parents=True)
    code, output = make("--out", "layouts/classic/print.pdf")
    assert code == 1 and "nằm trong layouts, giữa các tệp nguồn" in output
    built_in = LAYOUTS_DIR / "classic" / "ban-tin.pdf"
    code, output = make("--out", str(built_in))
    assert code == 1 and output.count("\n") == 1 and "giữa các tệp nguồn" in output
    assert not built_in.exists()


def test_make_never_replaces_a_device_or_pipe(project: Path) -> None:
    (project / "out").mkdir()
    pipe = project / "out" / "ban-tin-2023-11.pdf"
    os.mkfifo(pipe)
    for args in (["--out", str(pipe)], []):  # chosen, or the default name
        code, output = make(*args)
        assert code == 1, output
        assert output.strip() == (
            "Lỗi: out/ban-tin-2023-11.pdf: không phải tệp thường "
            "(thiết bị, ống dẫn hoặc liên kết): không ghi đè"
        )
        assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    code, output = make("--out", "/dev/null")
    assert (code, output.strip()) == (
        1,
        "Lỗi: /dev/null: không phải tệp thường (thiết bị, ống dẫn hoặc liên kết): không ghi đè",
    )
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_make_out_without_extension_adds_pdf_and_says_so(project: Path) -> None:
    result = CliRunner().invoke(main, ["make", "--out", "ketqua"])
    assert result.exit_code == 0, result.output
    assert "Tên tệp kết quả không có đuôi: ghi thành ketqua.pdf" in result.stderr
    assert (project / "ketqua.pdf").read_bytes()[:5] == b"%PDF-"
    assert not (project / "ketqua").exists()


def test_make_out_where_nothing_can_be_written(project: Path) -> None:
    code, output = make("--out", "/proc/x.pdf")
    assert (code, output.strip()) == (1, "Lỗi: /proc/x.pdf: không ghi được (thư mục không tồn tại)")
    folder = project / "chi-doc"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root writes anywhere: make the folder refuse as it would a user
            with pytest.MonkeyPatch.context() as patch:
                refusing = types.SimpleNamespace(mkstemp=_refuse(errno.EACCES))
                patch.setattr("bulletin.output.tempfile", refusing)
                code, output = make("--out", "chi-doc/ban-tin.pdf")
        else:
            code, output = make("--out", "chi-doc/ban-tin.pdf")
    finally:
        folder.chmod(0o755)
    assert (code, output.strip()) == (
        1,
        "Lỗi: chi-doc/ban-tin.pdf: không ghi được (không có quyền ghi vào đó)",
    )
    assert list(folder.iterdir()) == []


def _refuse(code: int):  # type: ignore[no-untyped-def]
    def mkstemp(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return mkstemp


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "ban-tin.pdf"
    target.write_bytes(b"old")
    with pytest.raises(BulletinError) as caught, atomic_output(target) as temporary:
        temporary.write_bytes(b"%PDF-")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert caught.value.format_message().endswith("không ghi được (ổ đĩa đã đầy)")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["ban-tin.pdf"]  # no .part left


UNITS = """
[email]
sender = "vanphong@vienmo.example.vn"

[[units]]
name = "Phòng A"
email = "a@vienmo.example.vn"

[[units]]
name = "Phong A"
email = "b@vienmo.example.vn"

[[units]]
name = "Phòng B"
email = ["tochuc example.vn", "c@vienmo.example.vn\\r\\nBcc: ke-la@example.com"]

[[units]]
name = "Phòng A"
email = []
"""


def test_units_are_checked_when_the_config_loads(project: Path) -> None:
    config = project / "bulletin.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + UNITS, encoding="utf-8")
    first = text.count("\n") + 1  # the line of UNITS' opening blank line
    result = CliRunner().invoke(main, ["send", "--dry-run"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Lỗi: bulletin.toml:{first + 9}: Hai đơn vị 'Phòng A' và 'Phong A' cho cùng tên tệp "
        "phong-a.eml: hãy đặt tên khác nhau không chỉ ở dấu",
        f"Lỗi: bulletin.toml:{first + 14}: Đơn vị 'Phòng B': địa chỉ 'tochuc example.vn': "
        "không phải địa chỉ thư điện tử (dạng ten@example.vn)",
        f"Lỗi: bulletin.toml:{first + 14}: Đơn vị 'Phòng B': địa chỉ "
        "'c@vienmo.example.vn\\r\\nBcc: ke-la@example.com': "
        "không được có dấu xuống dòng hay ký tự điều khiển",
        f"Lỗi: bulletin.toml:{first + 17}: Đơn vị 'Phòng A' đã có ở dòng {first + 5}: "
        "mỗi đơn vị phải có tên riêng",
        f"Lỗi: bulletin.toml:{first + 18}: Đơn vị 'Phòng A' chưa có địa chỉ thư: "
        "cần ít nhất một địa chỉ",
    ]
    assert not (project / "out").exists()  # nothing written, nothing sent


def test_a_bad_sender_or_security_is_refused_with_its_line(project: Path) -> None:
    config = project / "bulletin.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text + '\n[email]\nsender = "van phong"\nsecurity = "tls"\n', encoding="utf-8"
    )
    line = text.count("\n") + 3
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Lỗi: bulletin.toml:{line + 1}: 'email.security' phải là một trong auto, starttls, "
        "ssl, none",
        f"Lỗi: bulletin.toml:{line}: 'email.sender': không phải địa chỉ thư điện tử "
        "(dạng ten@example.vn)",
    ]


def test_init_writes_email_examples_and_the_next_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin.config import load_settings

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        "Bước tiếp theo: chép bài vào articles/2023-11/ rồi chạy bulletin check"
    )
    config = tmp_path / "bulletin.toml"
    text = config.read_text(encoding="utf-8")
    assert "\n# [email]\n" in text and "\n# [[units]]\n" in text
    assert load_settings(config).units == []  # commented: nothing is sent by accident
    # uncommented as the comment says, the examples are a valid config
    uncommented = "\n".join(
        line[2:]
        if line.startswith(("# [", "# host", "# port", "# sec", "# send", "# user"))
        or line.startswith(("# max", "# name", "# email"))
        else line
        for line in text.splitlines()
    )
    config.write_text(uncommented, encoding="utf-8")
    settings = load_settings(config)
    assert [u.name for u in settings.units] == ["Phòng Kinh tế Dự án", "Phòng Công nghệ Khai thác"]
    assert settings.email.username == "vanphong" and settings.email.security == "auto"
    other = CliRunner().invoke(main, ["init", "moi"])
    assert other.exit_code == 0, other.output
    assert other.stderr.splitlines()[-1] == (
        "Bước tiếp theo: cd moi, chép bài vào articles/2023-11/ rồi chạy bulletin check"
    )
