"""Every word the command line shows is in one language: Vietnamese by default,
English under ``--lang en`` — Click's own words (usage, metavars, errors) too."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from bulletin.cli import Command, Group, main

# Common English words that must never appear under Vietnamese. Option names
# (--month), quoted values ('make') and the literal choices are removed first.
ENGLISH = re.compile(
    r"\b(Usage|Options?|Commands?|Show|this|message|and|exit|the|of|is|not|one|a|an|to|for"
    r"|with|requires|argument|arguments|Did|you|mean|No|such|Missing|Invalid|value|Error|Try"
    r"|help|Got|unexpected|extra|does|exist|Language|default|Print|Build|List|Create|Email"
    r"|TEXT|PATH|INTEGER|FILE|DIRECTORY|OPTIONS|COMMAND|ARGS|UNIT|valid|integer)\b"
)
VIETNAMESE = re.compile(r"[À-ỹđĐ]")
QUOTED_OR_OPTION = re.compile(r"'[^']*'|(?<![\w-])--?[a-z][\w-]*|\[[a-z|]+\]")


def output(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), prog_name="bulletin")
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    return result.output


def english_words(text: str) -> list[str]:
    return ENGLISH.findall(QUOTED_OR_OPTION.sub(" ", text))


COMMANDS = sorted(main.commands)
HELP_PAGES = [[], *([name] for name in COMMANDS)]
MISTAKES = [
    ["make", "--month"],  # an option without its value
    ["make", "--for", "fax"],  # a value not among the choices
    ["--lang", "fr"],
    ["make", "--bogus"],  # no such option (with a suggestion)
    ["mak"],  # no such command (with a suggestion)
    ["send", "--smtp-port", "x"],  # not a number
    ["init", "a", "b"],  # an argument too many
    ["make", "--config", "khong-co.toml"],  # our own error: the file is missing
]


def test_the_commands_are_all_covered() -> None:
    assert COMMANDS == ["check", "init", "make", "preview", "send"] or len(COMMANDS) >= 5


@pytest.mark.parametrize("command", HELP_PAGES, ids=lambda c: " ".join(c) or "bulletin")
def test_help_is_wholly_vietnamese_by_default(command: list[str]) -> None:
    text = output(*command, "--help")
    assert text.startswith("Cách dùng: bulletin")
    assert "Tùy chọn:" in text and "[TÙY_CHỌN]" in text
    assert english_words(text) == [], text


@pytest.mark.parametrize("command", HELP_PAGES, ids=lambda c: " ".join(c) or "bulletin")
@pytest.mark.parametrize("where", ["before", "after"])
def test_help_is_wholly_english_under_lang_en(command: list[str], where: str) -> None:
    args = ["--lang", "en", *command] if where == "before" else [*command, "--lang", "en"]
    text = output(*args, "-h")
    assert text.startswith("Usage: bulletin") and "Options:" in text
    assert "-h, --help      " in text or "Show this message and exit." in text
    assert VIETNAMESE.findall(text) == [], text


def test_version_and_help_lines_follow_the_language() -> None:
    english = output("--lang", "en", "--help")
    assert "Show the version and exit." in english
    assert "Show this message and exit." in english
    vietnamese = output("--help")
    assert "Hiện phiên bản rồi thoát." in vietnamese
    assert "Hiện hướng dẫn này rồi thoát." in vietnamese


def test_metavars_and_usage_are_translated() -> None:
    text = output("make", "--help")
    assert "--articles ĐƯỜNG_DẪN" in text and "--layout TÊN" in text
    assert "--lang [vi|en]" in text
    assert "bulletin init [TÙY_CHỌN] [THƯ_MỤC]" in output("init", "--help")
    assert "bulletin [TÙY_CHỌN] LỆNH [THAM_SỐ]..." in output("--help")
    assert "--smtp-port SỐ" in output("send", "--help")
    english = output("send", "--lang", "en", "--help")
    assert "--smtp-port INTEGER" in english and "--only UNIT" in english


@pytest.mark.parametrize("mistake", MISTAKES, ids=" ".join)
def test_click_errors_in_vietnamese(mistake: list[str], project: object) -> None:
    text = output(*mistake)
    assert "Lỗi: " in text
    assert english_words(text) == [], text


IN_ENGLISH = [["--lang", "en", *m] for m in MISTAKES] + [
    [*m, "--lang", "en"] for m in MISTAKES if m[0] in COMMANDS and m != ["make", "--month"]
]


@pytest.mark.parametrize("args", IN_ENGLISH, ids=" ".join)
def test_click_errors_in_english(args: list[str], project: object) -> None:
    text = output(*args)
    assert "Error: " in text
    assert VIETNAMESE.findall(text) == [], text


def test_the_errors_say_what_is_wrong() -> None:
    assert "Tùy chọn '--month' cần có giá trị đi kèm." in output("make", "--month")
    assert "'fr' không phải là một trong các giá trị 'vi', 'en'" in output("--lang", "fr")
    assert "Không có lệnh 'mak'. Có phải ý bạn là 'make'?" in output("mak")
    assert "'x' không phải là một số hợp lệ." in output("send", "--smtp-port", "x")
    assert "Option '--month' requires an argument." in output("--lang", "en", "make", "--month")
    assert "Did you mean 'make'?" in output("mak", "--lang=en")


def test_lang_after_the_command(project: object) -> None:
    text = output("make", "--month", "2024-01", "--lang", "en")
    assert text.startswith("Error: ") and "no folder for month 2024-01" in text
    text = output("make", "--month", "2024-01")
    assert text.startswith("Lỗi: ")  # the next run is back to the default


def _tiny_group() -> Group:
    """Click's file-path and missing-argument errors (no bulletin command has a
    required argument or a path that must exist)."""

    @click.group(cls=Group)
    def tiny() -> None:
        pass

    @tiny.command(cls=Command)
    @click.argument("file", type=click.Path(exists=True))
    def read(file: str) -> None:
        pass

    return tiny


@pytest.mark.parametrize(
    ("args", "vietnamese", "english"),
    [
        (["read"], "Thiếu tham số 'TỆP'.", "Missing argument 'FILE'."),
        (["read", "khong-co.txt"], "Không tìm thấy 'khong-co.txt'.", "'khong-co.txt' does not"),
    ],
)
def test_missing_argument_and_path(args: list[str], vietnamese: str, english: str) -> None:
    tiny = _tiny_group()
    text = CliRunner().invoke(tiny, args).output
    assert vietnamese in text and english_words(text) == [], text
    text = CliRunner().invoke(tiny, [*args, "--lang", "en"]).output
    assert english in text and VIETNAMESE.findall(text) == [], text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_help_pages_say_everything_plainly(lang: str) -> None:
    """No command description cut with "…", no "[x>=1]", every built-in layout
    named, and -v described for what it does in each command."""
    from bulletin.resources import available_layouts

    listing = output("--lang", lang, "--help")
    commands = listing.split("\n\n")[-1]
    assert "…" not in commands and "..." not in commands, commands
    make = " ".join(output("--lang", lang, "make", "--help").split())
    assert "x>=" not in make
    layout = make.split("--layout")[1].split("--keep-html")[0]
    assert all(name in layout for name in available_layouts()), layout
    verbose = {
        name: " ".join(output("--lang", lang, name, "--help").split()).split("--verbose")[1]
        for name in ("make", "check", "send", "collect")
    }
    assert len({text.split("-q,")[0] for text in verbose.values()}) == 4, verbose


def test_counts_agree_with_their_numbers_in_english(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "articles" / "2023-11"
    folder.mkdir(parents=True)
    (folder / "hop.txt").write_text(
        "Viện họp giao ban tháng 11\n\n"
        "Ngày 06/11/2023, Viện Khoa học Công nghệ Mỏ đã tổ chức họp giao ban tháng 11 "
        "với sự tham gia của lãnh đạo các phòng, ban và đơn vị trực thuộc.\n\n"
        "Toàn cảnh buổi họp\n\n"
        "Hội nghị đã nghe báo cáo kết quả thực hiện nhiệm vụ tháng 10 và thống nhất "
        "kế hoạch công tác tháng 11 của toàn Viện.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--lang", "en", "check"])
    assert "1 caption has no photo (line 5) and is not printed" in result.output
    assert result.output.strip().splitlines()[-1] == "1 article, 0 errors, 1 warning"
