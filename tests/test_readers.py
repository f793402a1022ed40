"""Readers: plain-text web copies and Markdown become the expected Articles."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from bulletin.errors import SourceError
from bulletin.model import Figure, Html
from bulletin.readers import read_articles
from bulletin.readers.base import ReadContext
from bulletin.readers.markdown import read as read_markdown
from bulletin.readers.text import read as read_text

from .conftest import EXAMPLE_MONTH, write

WEB_COPY = (
    "Đảng bộ Viện tổ chức Hội nghị sơ kết công tác 6 tháng đầu năm 2023\n\n"
    "Sáng ngày 12/6/2023, Đảng bộ Viện đã tổ chức Hội nghị sơ kết nhiệm kỳ 2020 – 2025,"
    " triển khai nhiệm vụ Quý\u00a0III năm 2023.\n\n"
    "Toàn cảnh Hội nghị\n\n"
    "Hội nghị đã đánh giá kết quả thực hiện Nghị quyết; 97 % chi bộ hoàn thành tốt nhiệm vụ.\n\n"
    "Đồng chí Bí thư Đảng ủy phát biểu tại Hội nghị\n\n"
    "Hội nghị kết thúc trong không khí đoàn kết./.\n\n"
    "Đ.L\n\n\u00a0\n\n"
    "Các mục khác\n"
    "Viện tổ chức Hội nghị người lao động năm 2023\n"
    "« Bài trước"
)


def context() -> ReadContext:
    return ReadContext(year=2023)


def test_web_copy_in_the_seed_shape(tmp_path: Path) -> None:
    article = read_text(write(tmp_path / "hoi-nghi.txt", WEB_COPY), context())
    assert article.title == "Đảng bộ Viện tổ chức Hội nghị sơ kết công tác 6 tháng đầu năm 2023"
    assert article.date == date(2023, 6, 12)
    assert article.author == "Đ.L"
    assert [b.caption for b in article.figures] == [
        "Toàn cảnh Hội nghị",
        "Đồng chí Bí thư Đảng ủy phát biểu tại Hội nghị",
    ]
    assert all(f.photo is None for f in article.figures)
    paragraphs = [b.text for b in article.body if isinstance(b, Html)]
    assert len(paragraphs) == 3
    assert "2020 – 2025" in paragraphs[0] and "Quý\u00a0III" in paragraphs[0]
    assert paragraphs[-1] == "Hội nghị kết thúc trong không khí đoàn kết./."
    assert "Các mục khác" not in article.text and "Bài trước" not in article.text


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Tin Văn phòng", "Tin Văn phòng"),
        ("Nguồn: Văn phòng Đảng ủy", "Nguồn: Văn phòng Đảng ủy"),
        ("Nguyễn Thị Thu Hà", "Nguyễn Thị Thu Hà"),
        ("P.V.", "P.V."),
    ],
)
def test_bylines(tmp_path: Path, byline: str, expected: str) -> None:
    text = f"Tiêu đề\n\nNgày 25/8, Công đoàn Viện tổ chức giải cầu lông.\n\n{byline}\n"
    article = read_text(write(tmp_path / "a.txt", text), context())
    assert article.author == expected
    assert article.date == date(2023, 8, 25)


def test_text_is_escaped_never_markup(tmp_path: Path) -> None:
    text = "Tiêu đề <b>đậm</b>\n\nĐoạn có <script>alert(1)</script> và {{ 7*7 }}.\n"
    article = read_text(write(tmp_path / "a.txt", text), context())
    assert article.title == "Tiêu đề <b>đậm</b>"
    assert isinstance(article.body[0], Html)
    assert "<script>" not in article.body[0].html
    assert article.body[0].text == "Đoạn có <script>alert(1)</script> và {{ 7*7 }}."


def test_nfd_input_becomes_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Hội nghị người lao động\n\nNgày 06/11/2023, Viện họp.\n")
    article = read_text(write(tmp_path / "a.txt", nfd), context())
    assert article.title == "Hội nghị người lao động"
    assert unicodedata.is_normalized("NFC", article.text)


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "rỗng"), ("   \n\u00a0\n", "rỗng"), ("Chỉ có tiêu đề\n", "chỉ có tiêu đề")],
)
def test_text_errors(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError) as error:
        read_text(write(tmp_path / "bad.txt", content), context())
    assert "bad.txt" in str(error.value)
    assert message in str(error.value).lower()


MARKDOWN = """\
---
title: Nghiệm thu đề tài
date: 2023-11-14
author: Phòng Quản lý Khoa học
category: Khoa học
summary: Đề tài đạt loại Xuất sắc.
order: 2
---

Đoạn **đậm** và *nghiêng*.

# Mục con

- một
- hai

<script>alert('x')</script><iframe src="http://example.com"></iframe><p onclick="x()">Giữ chữ</p>
<img src="file:///etc/passwd"><a href="file:///etc/passwd" rel="attachment">liên kết</a>
"""


def test_markdown_front_matter_and_body(tmp_path: Path) -> None:
    article = read_markdown(write(tmp_path / "a.md", MARKDOWN), context())
    assert article.title == "Nghiệm thu đề tài"
    assert article.date == date(2023, 11, 14)
    assert (article.author, article.category, article.summary, article.order) == (
        "Phòng Quản lý Khoa học",
        "Khoa học",
        "Đề tài đạt loại Xuất sắc.",
        2,
    )
    html = "".join(b.html for b in article.body if isinstance(b, Html))
    assert "<strong>đậm</strong>" in html and "<em>nghiêng</em>" in html
    assert "<h3>Mục con</h3>" in html and "<li>một</li>" in html
    for banned in ("<script", "<iframe", "onclick", "<img", "file:", "attachment"):
        assert banned not in html
    assert "Giữ chữ" in html


def test_markdown_title_from_heading(tmp_path: Path) -> None:
    article = read_markdown(
        write(tmp_path / "a.md", "# Tiêu đề từ đầu mục\n\nThân bài.\n"), context()
    )
    assert article.title == "Tiêu đề từ đầu mục"
    assert [b.text for b in article.body] == ["Thân bài."]


def test_markdown_image_becomes_figure(tmp_path: Path) -> None:
    write(tmp_path / "anh.jpg", "not really a jpeg")
    article = read_markdown(write(tmp_path / "a.md", "# T\n\n![Toàn cảnh](anh.jpg)\n"), context())
    assert article.body == (Figure(caption="Toàn cảnh", photo=tmp_path / "anh.jpg", line=3),)


def test_a_photo_inside_a_sentence_is_set_after_its_paragraph_with_a_note(
    tmp_path: Path,
) -> None:
    """Inline images were once dropped silently, the README's own example among them."""
    write(tmp_path / "anh.jpg", "not really a jpeg")
    source = "# T\n\nTrước ![Ảnh ba](anh.jpg) sau.\n\n- một ![Ảnh bốn](anh.jpg)\n- hai\n"
    read = context()
    article = read_markdown(write(tmp_path / "a.md", source), read)
    assert [type(b).__name__ for b in article.body] == ["Html", "Figure", "Html", "Figure"]
    assert article.body[1] == Figure(caption="Ảnh ba", photo=tmp_path / "anh.jpg", line=3)
    assert article.body[3] == Figure(caption="Ảnh bốn", photo=tmp_path / "anh.jpg", line=5)
    assert "<img" not in article.body[0].html and "Trước" in article.body[0].html
    assert [(p.line, p.level) for p in read.problems] == [(3, "note"), (5, "note")]
    assert all("anh.jpg" in p.message for p in read.problems)


def test_a_missing_photo_inside_a_sentence_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "# T\n\nMột đoạn.\n\nTrước ![Ảnh](thieu.jpg) sau.\n")
    with pytest.raises(SourceError) as raised:
        read_markdown(path, context())
    assert raised.value.problem.line == 5 and "thieu.jpg" in raised.value.problem.message


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("---\ntitle: [oops\n---\nThân.\n", "front matter", 2),
        ("---\n- a\n- b\n---\nThân.\n", "front matter", 2),
        ("---\ntitle: T\ndate: ngày mai\n---\nThân.\n", "date", 3),
        ("---\ntitle: T\norder: đầu\n---\nThân.\n", "order", 3),
        ("---\ntitle: T\ndate: 2026-11-31\n---\nThân.\n", "2026-11-31", 3),
        ("---\ntitle: T\nlead: có\n---\nThân.\n", "lead", 3),
        ("---\ntitle: T\n'summary': [a, b]\n---\nThân.\n", "summary", 3),
        ("---\ntitle: T\nimage: thieu.jpg\n---\nThân.\n", "thieu.jpg", 3),
        (
            "---\ntitle: T\ndate: 2023-11-05\nauthor Văn phòng\ncategory: Tin\n---\nThân.\n",
            "':'",
            4,
        ),
        ("---\ntitle: T\n", "---", 1),
        ("---\nauthor: A\n---\nThân bài không có tiêu đề.\n", "tiêu đề", None),
        ("# T\n\n![Ảnh](khong-co.jpg)\n", "khong-co.jpg", 3),
        ("# T\n\n![Ảnh](http://example.com/a.jpg)\n", "example.com", 3),
    ],
)
def test_markdown_errors(tmp_path: Path, content: str, message: str, line: int | None) -> None:
    with pytest.raises(SourceError) as error:
        read_markdown(write(tmp_path / "bad.md", content), context())
    assert error.value.problem.path.name == "bad.md"
    assert message in str(error.value).lower()
    assert error.value.problem.line == line


def test_example_month_reads_in_order() -> None:
    articles, problems = read_articles(sorted(EXAMPLE_MONTH.iterdir()), 2023)
    assert [p for p in problems if p.level == "error"] == []
    # order: 1 first, then by date, then by file name
    assert [a.source.name for a in articles] == [
        "00-ngay-truyen-thong.md",
        "01-giao-ban-thang-11.txt",
        "03-nghiem-thu-de-tai.md",
        "02-ket-nap-dang-vien.txt",
        "04-giai-bong-ban.md",
        "05-hoi-thao-an-toan.docx",
    ]


def test_every_bad_file_is_reported(tmp_path: Path) -> None:
    files = [
        write(tmp_path / "a.txt", ""),
        write(tmp_path / "b.md", "---\n- x\n---\n"),
        write(tmp_path / "c.txt", "Tiêu đề\n\nNgày 06/11/2023, tốt.\n"),
        write(tmp_path / "ghi-chu.pdf", "x"),
    ]
    articles, problems = read_articles(files, 2023)
    assert [a.source.name for a in articles] == ["c.txt"]
    assert [(p.path.name, p.level) for p in problems] == [
        ("a.txt", "error"),
        ("b.md", "error"),
        ("ghi-chu.pdf", "warning"),
    ]
