"""bulletin.toml: syntax errors with line, column and a hint; first_month named
with its line; the project found from any folder inside it, as git does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin.cli import main
from bulletin.collect import Month, find_month_folder
from bulletin.config import find_config, load_settings
from bulletin.errors import BulletinError
from bulletin.i18n import set_language

from .conftest import EXAMPLE_MONTH

VIETNAMESE = re.compile(r"[À-ỹđĐ]")


def config_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bulletin.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BulletinError) as caught:
        load_settings(path)
    return caught.value.format_message().replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(
    ("text", "vietnamese", "english"),
    [
        (
            "[bulletin]\nname = “Thông tin KHCN”\n",
            "bulletin.toml:2: Sai cú pháp TOML ở cột 8: giá trị không hợp lệ. "
            "Word đã đổi dấu ngoặc kép thành ngoặc cong",
            "bulletin.toml:2: TOML syntax error at column 8: the value is not valid. "
            "Word turned the quotes curly",
        ),
        (
            '[bulletin]\nplace "Hà Nội"\n',
            "bulletin.toml:2: Sai cú pháp TOML ở cột 7: thiếu dấu '=' sau tên khóa. "
            "Mỗi dòng cài đặt viết theo dạng khóa = giá trị",
            "'=' is missing after the key. Each setting is written key = value",
        ),
        (
            '[bulletin]\nplace = "Hà Nội\nname = "x"\n',
            "bulletin.toml:2: Sai cú pháp TOML ở cột 16: hết dòng mà chuỗi chữ trong ngoặc kép "
            'chưa đóng. Hãy đóng chuỗi chữ bằng dấu ngoặc kép thẳng "',
            "the line ends inside a quoted text. Close the text with a straight quote",
        ),
        (
            '[bulletin]\nname = "x"\nplace = "Hà Nội',
            "bulletin.toml:3: Sai cú pháp TOML ở cuối tệp: chuỗi chữ trong ngoặc kép không được "
            "đóng lại",
            "bulletin.toml:3: TOML syntax error at the end of the file: a quoted text is never",
        ),
        (
            'out_dir = "C:\\Ban tin"\n',
            "bulletin.toml:1: Sai cú pháp TOML ở cột 16: dấu '\\' mở đầu",
            "Write each backslash twice",
        ),
        (
            "[bulletin]\nplace = Hà Nội\n",
            "Chữ phải đặt giữa hai dấu ngoặc kép thẳng",
            "Text goes between straight quotes",
        ),
        (
            '[editorial]\nboard = ["Giám đốc",\n  "Phó giám đốc"\n\n[photos]\n',
            "bulletin.toml:2: Sai cú pháp TOML",
            "bulletin.toml:2: TOML syntax error",
        ),
    ],
)
def test_toml_syntax_errors(tmp_path: Path, text: str, vietnamese: str, english: str) -> None:
    message = config_error(tmp_path, text)
    assert vietnamese in message
    assert "Illegal" not in message and "Invalid" not in message and "(at " not in message
    set_language("en")
    message = config_error(tmp_path, text)
    assert english in message
    assert not VIETNAMESE.findall(message.replace("“Thông tin KHCN”", ""))


def test_first_month_is_named_with_its_line(tmp_path: Path) -> None:
    message = config_error(tmp_path, '[bulletin]\nname = "x"\nfirst_month = "11/2023"\n')
    assert message == "bulletin.toml:3: bulletin.first_month phải có dạng 2023-01"


def test_a_mistyped_layout_is_named_with_its_line(tmp_path: Path) -> None:
    """check said 0 errors; make then failed without naming bulletin.toml."""
    message = config_error(tmp_path, 'out_dir = "out"\nlayout = "clasic"\n')
    assert message == (
        "bulletin.toml:2: Không có mẫu trình bày 'clasic' (có sẵn: classic, poster, report)"
    )
    (tmp_path / "layouts" / "rieng").mkdir(parents=True)  # the project's own layout
    (tmp_path / "bulletin.toml").write_text('layout = "rieng"\n', encoding="utf-8")
    assert load_settings(tmp_path / "bulletin.toml").layout == "rieng"


def test_first_month_after_the_month_built(project: Path) -> None:
    config = project / "bulletin.toml"
    text = re.sub(
        r'^first_month = "2023-01"',
        'first_month = "2024-05"',
        config.read_text("utf-8"),
        flags=re.M,
    )
    config.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.split("\n"), 1) if t.startswith("first_month"))
    result = CliRunner().invoke(main, ["make", "-q"])
    assert result.exit_code == 1, result.output
    assert result.output == (
        f"Lỗi: bulletin.toml:{line}: tháng 2023-11 ở trước bulletin.first_month 2024-05\n"
    )


def test_config_found_above_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "bulletin.toml").write_text('articles_dir = "bai"\n', encoding="utf-8")
    inner = tmp_path / "bai" / "2023-11" / "anh"
    inner.mkdir(parents=True)
    assert find_config(inner) == tmp_path / "bulletin.toml"
    assert find_config(tmp_path) == tmp_path / "bulletin.toml"
    settings = load_settings(find_config(inner))
    assert settings.articles_path == tmp_path.resolve() / "bai"  # relative to the project
    assert find_config(tmp_path.parent) is None or find_config(tmp_path.parent) != tmp_path


def test_make_from_inside_the_month_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLE_MONTH, project / "articles" / "2023-12")
    monkeypatch.chdir(project / "articles" / "2023-11")
    result = CliRunner().invoke(main, ["make", "-v"])
    assert result.exit_code == 0, result.output
    assert f"Cấu hình của dự án: {project / 'bulletin.toml'}" in result.output
    assert (project / "out" / "ban-tin-2023-11.pdf").is_file()  # the month it was run in
    assert not (project / "out" / "ban-tin-2023-12.pdf").exists()
    assert not (project / "articles" / "2023-11" / "out").exists()
    assert "Đang đọc 2023-11…" in result.output  # the folder by its name, not "."


def test_the_month_folder_around_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for month in ("2023-10", "2023-11", "2023-12"):
        (tmp_path / "articles" / month / "anh").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "articles" / "2023-11" / "anh")
    assert find_month_folder(tmp_path / "articles", None).name == "2023-11"
    monkeypatch.chdir(tmp_path)
    assert find_month_folder(tmp_path / "articles", None).name == "2023-12"


def test_a_missing_month_lists_the_months_present(tmp_path: Path) -> None:
    for month in ("2023-10", "2023-11"):
        (tmp_path / "articles" / month).mkdir(parents=True)
    (tmp_path / "articles" / "anh-chung").mkdir()
    with pytest.raises(BulletinError) as caught:
        find_month_folder(tmp_path / "articles", Month(2024, 1))
    assert caught.value.format_message().endswith(
        "không có thư mục cho tháng 2024-01 (các tháng đang có: 2023-10, 2023-11)"
    )


def test_make_from_inside_the_month_folder_without_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(EXAMPLE_MONTH, tmp_path / "articles" / "2023-11")
    monkeypatch.chdir(tmp_path / "articles" / "2023-11")
    result = CliRunner().invoke(main, ["make", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "ban-tin-2023-11.pdf").is_file()
    assert not (tmp_path / "articles" / "2023-11" / "out").exists()
