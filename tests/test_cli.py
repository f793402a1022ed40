"""The command-line contract, through Click's CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bulletin import __version__
from bulletin.cli import main

from .conftest import EXAMPLE_MONTH, pdf_text, write


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_version() -> None:
    assert run("--version") == (0, f"bulletin {__version__}\n")


def test_make_default_output(project: Path) -> None:
    code, output = run("make")
    assert code == 0, output
    pdf = project / "out" / "ban-tin-2023-11.pdf"
    assert pdf.is_file()
    assert "Đã ghi out/ban-tin-2023-11.pdf" in output
    assert not list((project / "out").glob("*.part"))


def test_make_quiet_prints_nothing(project: Path) -> None:
    assert run("make", "-q") == (0, "")


def test_make_verbose_lists_articles(project: Path) -> None:
    code, output = run("make", "-v", "--keep-html")
    assert code == 0
    assert "00-ngay-truyen-thong.md: Kỷ niệm 87 năm" in output
    assert (project / "out" / "ban-tin-2023-11.html").is_file()


def test_articles_folder_is_the_month(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every article of the folder is in, whatever its own date; the month comes
    from --month, the folder name or the newest article date."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "thang-nay"
    write(folder / "a.txt", "Bài tháng trước\n\nNgày 28/10/2023, Viện họp.\n")
    write(folder / "b.txt", "Bài tháng này\n\nNgày 06/11/2023, Viện họp tiếp.\n")
    code, output = run("make", "--articles", str(folder), "--out", "X.pdf")
    assert code == 0, output
    text = " ".join(pdf_text(tmp_path / "X.pdf"))
    assert "Bài tháng trước" in text and "Bài tháng này" in text
    assert "Tháng 11/2023" in text
    code, _ = run("make", "--articles", str(folder), "--month", "2023-12", "-q")
    assert code == 0
    assert (tmp_path / "out" / "ban-tin-2023-12.pdf").is_file()


def test_month_option_picks_the_folder(project: Path) -> None:
    shutil.copytree(EXAMPLE_MONTH, project / "articles" / "2023-12")
    assert run("make", "-q", "--month", "2023-11")[0] == 0
    assert (project / "out" / "ban-tin-2023-11.pdf").is_file()
    assert not (project / "out" / "ban-tin-2023-12.pdf").exists()
    assert run("make", "-q")[0] == 0  # newest month by default
    reader = PdfReader(project / "out" / "ban-tin-2023-12.pdf")
    assert "Số 12 · Tháng 12/2023" in reader.pages[0].extract_text()


def test_without_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXAMPLE_MONTH, tmp_path / "articles" / "2023-11")
    code, output = run("make")
    assert code == 0, output
    first = PdfReader(tmp_path / "out" / "ban-tin-2023-11.pdf").pages[0].extract_text()
    assert "Số 1 · Tháng 11/2023" in first


def test_init_then_make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("init", "moi")
    assert "Đã tạo moi/bulletin.toml" in output
    assert code == 0
    config = (tmp_path / "moi" / "bulletin.toml").read_text(encoding="utf-8")
    assert "# " in config and "[editorial]" in config
    assert (tmp_path / "moi" / "articles" / "2023-11" / "bai-mau.md").is_file()
    monkeypatch.chdir(tmp_path / "moi")
    # the sample is a draft: checked, never printed by accident
    code, output = run("make", "-q")
    assert code == 1
    assert (
        output
        == "Lỗi: articles/2023-11: mọi bài đều là bài nháp (draft: true): không có gì để in\n"
    )
    month = tmp_path / "moi" / "articles" / "2023-11"
    (month / "hop.md").write_text(
        "---\ntitle: Họp giao ban tháng 11\ndate: 2023-11-06\n---\n\nViện họp giao ban.\n",
        encoding="utf-8",
    )
    code, output = run("check")
    assert code == 0
    assert "bai-mau.md:6: cảnh báo: bài nháp (draft: true): không được in" in output
    assert run("make", "-q") == (0, "")
    text = " ".join(pdf_text(tmp_path / "moi" / "out" / "ban-tin-2023-11.pdf"))
    assert "Họp giao ban tháng 11" in text and "Bài viết mẫu" not in text
    sample = month / "bai-mau.md"
    sample.write_text(
        "\n".join(line for line in sample.read_text("utf-8").splitlines() if "draft" not in line),
        encoding="utf-8",
    )
    assert run("make", "-q") == (0, "")
    assert "Bài viết mẫu" in " ".join(pdf_text(tmp_path / "moi" / "out" / "ban-tin-2023-11.pdf"))
    assert run("init", ".")[0] == 1  # never overwrites


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["make", "-q", "--articles", "khong-co"], "khong-co: không tìm thấy thư mục"),
        (["make", "-q", "--month", "11-2023"], "--month phải có dạng 2023-11"),
        (["make", "-q", "--month", "2024-01"], "không có thư mục cho tháng 2024-01"),
        (["make", "-q", "--layout", "khong-co"], "Không có mẫu trình bày 'khong-co'"),
        (["make", "-q", "--config", "khong-co.toml"], "khong-co.toml: không tìm thấy tệp cấu hình"),
    ],
)
def test_user_errors_are_one_line(project: Path, args: list[str], message: str) -> None:
    code, output = run(*args)
    assert code == 1
    assert output.startswith("Lỗi: ") and message in output
    assert output.count("\n") == 1 and "Traceback" not in output


def test_a_mistyped_layout_is_named_before_the_month_is_read(project: Path) -> None:
    write(project / "articles" / "2023-11" / "rong.txt", "")  # an error, if it were read
    code, output = run("make", "-v", "--layout", "clasic")
    assert code == 1
    assert output.splitlines() == [
        "Cấu hình của dự án: bulletin.toml",  # -v says which config it uses
        "Lỗi: Không có mẫu trình bày 'clasic' (có sẵn: classic, poster, report)",
    ]


def test_no_articles_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("make")
    assert code == 1
    assert "articles: không tìm thấy thư mục bài viết" in output


def test_every_bad_article_is_reported_and_no_pdf(project: Path) -> None:
    month = project / "articles" / "2023-11"
    write(month / "rong.txt", "")
    write(month / "hong.md", "---\ntitle: [\n---\nThân.\n")
    code, output = run("make", "-q")
    assert code == 1
    lines = output.strip().split("\n")
    assert len(lines) == 2
    assert lines[0].startswith("Lỗi: articles/2023-11/hong.md:2: phần đầu (front matter) bị hỏng")
    assert lines[1] == "Lỗi: articles/2023-11/rong.txt: tệp rỗng"
    assert not (project / "out" / "ban-tin-2023-11.pdf").exists()


def test_config_typo_names_key_and_line(project: Path) -> None:
    config = project / "bulletin.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("print_run", "print_runs"), encoding="utf-8"
    )
    code, output = run("make")
    assert code == 1
    line = next(
        n
        for n, text in enumerate(config.read_text().split("\n"), 1)
        if text.startswith("print_runs")
    )
    assert f"bulletin.toml:{line}: khóa không hợp lệ 'editorial.print_runs'" in output


def test_english_messages(project: Path) -> None:
    code, output = run("--lang", "en", "make", "--month", "2024-01")
    assert code == 1
    assert output.startswith("Error: ") and "no folder for month 2024-01" in output
    run("--lang", "vi", "--version")  # back to Vietnamese for the other tests


def test_python_dash_m(project: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "bulletin", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"bulletin {__version__}\n"


def test_a_default_month_with_nothing_to_print_names_the_month_that_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``init`` in December makes 2023-12 with its draft sample while the office
    finishes November's issue: the newest month is the default, so say where
    the articles are."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bulletin.toml").write_text(
        'articles_dir = "articles"\n\n[email]\nhost = "localhost"\nsender = "vp@vien.vn"\n\n'
        '[[units]]\nname = "Phòng A"\nemail = "a@vien.vn"\n',
        encoding="utf-8",
    )
    write(
        tmp_path / "articles" / "2023-11" / "hop.md",
        "---\ntitle: Họp giao ban\ndate: 2023-11-06\n---\n\nViện họp giao ban tháng 11.\n",
    )
    write(
        tmp_path / "articles" / "2023-12" / "bai-mau.md",
        "---\ntitle: Bài mẫu\ndraft: true\n---\n\nBài mẫu.\n",
    )
    hint = " (có bài ở tháng 2023-11: dùng --month 2023-11)\n"
    for command in ("check", "make"):
        code, output = run(command, "-q")
        assert code == 1 and output.startswith("Lỗi: articles/2023-12: mọi bài đều là bài nháp")
        assert output.endswith(hint)
    (tmp_path / "articles" / "2023-12" / "bai-mau.md").unlink()
    assert run("make", "-q")[1].endswith(hint)
    assert run("make", "-q", "--month", "2023-11", "--for", "email") == (0, "")
    code, output = run("send", "--dry-run")
    assert code == 1
    assert output.endswith(" (đã có out/ban-tin-2023-11-email.pdf: dùng --month 2023-11)\n"), output
    code, output = run("make", "-q", "--month", "2023-12")  # asked for: no hint
    assert code == 1 and "--month 2023-11" not in output
