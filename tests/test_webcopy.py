"""Web copies read right: one small original example per reading rule and per
defect seen in real copies, each asserted through ``bulletin read --json`` —
the same reading ``make`` uses. The texts are our own, written for these tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bulletin.cli import main
from bulletin.readers.chrome import LEFTOVERS, leftover, list_heading
from bulletin.readers.webcopy import is_byline, lines_of, read_lines
from tests.make_docx import write_docx

TITLE = "Công đoàn Viện tổ chức hội thao chào mừng ngày Nhà giáo Việt Nam"
LEAD = (
    "Ngày 18/11/2023, Công đoàn Viện Khoa học Công nghệ Mỏ đã tổ chức hội thao truyền thống "
    "với sự tham gia của hơn 200 đoàn viên đến từ các phòng, xí nghiệp trực thuộc."
)
BODY = (
    "Các nội dung thi đấu gồm bóng bàn, cầu lông, kéo co và cờ tướng, diễn ra sôi nổi trong "
    "suốt hai ngày tại nhà thi đấu của Viện, thu hút đông đảo cổ động viên."
)
END = (
    "Kết thúc hội thao, Ban tổ chức đã trao 12 giải nhất, 15 giải nhì và 20 giải ba cho các "
    "vận động viên có thành tích xuất sắc./."
)


def page(*lines: str) -> str:
    """A pasted page: one line per paragraph, blank lines between, as browsers copy."""
    return "\n\n".join(lines) + "\n"


def read_json(tmp_path: Path, text: str, name: str = "bai.txt", month: str = "2023-11") -> Any:
    path = tmp_path / "articles" / month / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return read_path(path)


def read_path(path: Path) -> Any:
    result = CliRunner().invoke(main, ["read", "--json", str(path)])
    assert result.exit_code in (0, 1), result.output
    (record,) = json.loads(result.output)
    return record


def texts(record: Any, kind: str) -> list[str]:
    return [b["text"] for b in record["blocks"] if b["kind"] == kind]


def dropped(record: Any) -> list[str]:
    return [d["text"] for d in record["dropped"]]


def messages(record: Any, level: str | None = None) -> list[str]:
    return [p["message"] for p in record["problems"] if level in (None, p["level"])]


# --- nothing lost silently ------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph",
    [
        "Chia sẻ với đoàn công tác, đồng chí Chủ tịch Công đoàn cho biết hội thao năm nay có "
        "số vận động viên đông nhất từ trước tới nay.",
        "Xem thêm kết quả từng môn, các đoàn viên có thể tra cứu trên bảng tin của Viện.",
        "Tin khác từ các xí nghiệp cho thấy phong trào thể thao đang được duy trì đều đặn.",
        "Quay lại thời điểm năm 2019, hội thao khi ấy chỉ có ba môn thi đấu.",
        "In ấn tài liệu, băng rôn và giấy chứng nhận do Văn phòng Viện đảm nhiệm.",
        "«Rèn luyện thân thể là việc của mỗi người» là khẩu hiệu của hội thao năm nay.",
    ],
)
def test_a_paragraph_that_starts_like_a_leftover_is_body(tmp_path: Path, paragraph: str) -> None:
    record = read_json(tmp_path, page(TITLE, LEAD, "Toàn cảnh lễ khai mạc", paragraph, END, "T.H"))
    assert texts(record, "paragraph") == [LEAD, paragraph, END]
    assert texts(record, "caption") == ["Toàn cảnh lễ khai mạc"]
    assert record["byline"] == "T.H"
    assert record["dropped"] == []


def test_the_page_list_after_the_byline_is_dropped_with_its_reason(tmp_path: Path) -> None:
    record = read_json(
        tmp_path,
        page(TITLE, LEAD, BODY, END, "T.H", "Tin khác", "Viện họp giao ban tháng 10", "Chi bộ ..."),
    )
    assert record["byline"] == "T.H"
    assert dropped(record) == ["Tin khác", "Viện họp giao ban tháng 10", "Chi bộ ..."]
    assert all(d["why"] for d in record["dropped"])
    assert [d["line"] for d in record["dropped"]] == [11, 13, 15]


def test_a_page_list_glued_to_its_first_title_is_dropped(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, LEAD, END, "Đ.L", "Các mục khácViện họp giao ban"))
    assert dropped(record) == ["Các mục khácViện họp giao ban"]
    assert record["byline"] == "Đ.L"


def test_a_long_paragraph_after_a_page_list_is_dropped_loudly(tmp_path: Path) -> None:
    long = BODY + " " + BODY
    record = read_json(tmp_path, page(TITLE, LEAD, END, "Tin liên quan", long))
    assert long in dropped(record)
    assert any("Tin liên quan" in m for m in messages(record, "warning"))


# --- dates -----------------------------------------------------------------------------


def test_a_weekday_dateline_under_the_title_is_the_date(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, "Thứ Sáu, ngày 03/11/2023", LEAD, END))
    assert record["date"] == "2023-11-03"
    assert record["date_from"] == "dateline"
    assert "Thứ Sáu, ngày 03/11/2023" in dropped(record)
    assert texts(record, "caption") == []


def test_an_author_and_time_dateline_gives_date_and_byline(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, "Thu Hà 14:05, 08/11/2023", BODY, END))
    assert record["date"] == "2023-11-08"
    assert record["byline"] == "Thu Hà"
    assert texts(record, "caption") == []


def test_a_document_reference_is_not_the_event_date(tmp_path: Path) -> None:
    lead = (
        "Căn cứ Quyết định số 1520/QĐ-VKHCNM ngày 02/10/2023 của Viện trưởng, chiều ngày "
        "21/11/2023, Viện đã tổ chức kiểm tra an toàn tại các công trường."
    )
    record = read_json(tmp_path, page(TITLE, lead, END))
    assert record["date"] == "2023-11-21"
    assert record["date_from"] == "first-paragraph"


def test_a_date_range_gives_its_first_day(tmp_path: Path) -> None:
    lead = "Từ 19 – 20/11/2023, Công đoàn Viện tổ chức hội thao cho hơn 200 đoàn viên tham gia."
    assert read_json(tmp_path, page(TITLE, lead, END))["date"] == "2023-11-19"


def test_a_date_without_a_year_says_the_year_is_assumed(tmp_path: Path) -> None:
    lead = "Ngày 25/11, Chi bộ Phòng Thiết kế đã tổ chức sinh hoạt chuyên đề cho các đảng viên."
    record = read_json(tmp_path, page(TITLE, lead, END), month="2023-11")
    assert record["date"] == "2023-11-25"
    assert any("2023" in m for m in messages(record, "note"))


def test_only_a_document_date_is_used_with_a_warning(tmp_path: Path) -> None:
    lead = "Thực hiện Kế hoạch số 45/KH-CĐ ngày 05/10/2023, các tổ công đoàn đã đăng ký thi đua."
    record = read_json(tmp_path, page(TITLE, lead, END))
    assert record["date"] == "2023-10-05"
    assert messages(record, "warning")


# --- structure -------------------------------------------------------------------------


def test_numbered_subheads_become_headings(tmp_path: Path) -> None:
    record = read_json(
        tmp_path,
        page(TITLE, LEAD, "II. NHIỆM VỤ TRỌNG TÂM QUÝ IV", BODY, "1. Về công tác sản xuất", END),
    )
    assert texts(record, "heading") == ["II. NHIỆM VỤ TRỌNG TÂM QUÝ IV", "1. Về công tác sản xuất"]
    assert texts(record, "caption") == []


def test_list_items_become_one_list(tmp_path: Path) -> None:
    items = "+ Sản lượng than nguyên khai đạt 1,2 triệu tấn\n- Doanh thu đạt 95 tỷ đồng"
    record = read_json(tmp_path, page(TITLE, LEAD, items, END))
    assert texts(record, "list") == [
        "Sản lượng than nguyên khai đạt 1,2 triệu tấn Doanh thu đạt 95 tỷ đồng"
    ]
    assert texts(record, "caption") == []


def test_a_paragraph_ending_in_a_closing_quote_is_body(tmp_path: Path) -> None:
    quote = "Phát biểu tại hội thao, đồng chí Viện trưởng khẳng định: “Sức khỏe là trên hết.”"
    record = read_json(tmp_path, page(TITLE, LEAD, quote, END))
    assert quote in texts(record, "paragraph")


def test_a_title_repeated_under_the_title_is_dropped(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, TITLE, LEAD, END))
    assert record["title"] == TITLE
    assert dropped(record) == [TITLE]
    assert texts(record, "caption") == []


def test_a_word_lead_paragraph_without_a_full_stop_keeps_its_date(tmp_path: Path) -> None:
    lead = "Ngày 09/11/2023 Viện tổ chức lễ kỷ niệm 70 năm ngày thành lập với nhiều hoạt động"
    path = write_docx(
        tmp_path / "articles" / "2023-11" / "ky-niem.docx",
        title=TITLE,
        paragraphs=[lead, BODY],
        byline="Phòng Tổng hợp",
    )
    record = read_path(path)
    assert texts(record, "paragraph")[0] == lead
    assert record["date"] == "2023-11-09"
    assert record["byline"] == "Phòng Tổng hợp"


def test_a_caption_may_end_with_a_full_stop(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, LEAD, "Quang cảnh buổi sinh hoạt chuyên đề.", END))
    assert texts(record, "caption") == ["Quang cảnh buổi sinh hoạt chuyên đề."]


@pytest.mark.parametrize(
    "caption",
    [
        "TS. Nguyễn Văn An phát biểu khai mạc hội thảo",
        "PGS.TS. Trần Thị Bình trình bày báo cáo tại hội thảo",
        "PGS. TS. Lê Văn Cường, Viện trưởng, tặng hoa các tác giả",
        "ThS. Phạm Thu Hà nhận giấy khen",
        "KS. Hoàng Minh Đức hướng dẫn đoàn tham quan xưởng",
    ],
)
def test_a_caption_may_begin_with_a_title_and_its_full_stop(tmp_path: Path, caption: str) -> None:
    """The stop after "TS." ends no sentence: the line is still a caption."""
    record = read_json(tmp_path, page(TITLE, LEAD, caption, END))
    assert texts(record, "caption") == [caption]


def test_a_who_does_what_sentence_after_another_caption_takes_the_next_photo(
    tmp_path: Path,
) -> None:
    """Two photos in a row: the second caption is a short sentence with a stop."""
    second = "ThS. Lê Văn Cường trao đổi tại hội thảo."
    folder = tmp_path / "articles" / "2023-11" / "bai"
    folder.mkdir(parents=True)
    for name in ("01.jpg", "02.jpg"):
        Image.new("RGB", (40, 30), "gray").save(folder / name)
    record = read_json(tmp_path, page(TITLE, LEAD, "Toàn cảnh hội thảo", second, BODY, END))
    assert [b["text"] for b in record["blocks"] if b["kind"] == "photo"] == [
        "Toàn cảnh hội thảo",
        second,
    ]
    assert any("chú thích" in m for m in messages(record, "note"))


def test_a_caption_wrapped_over_two_lines_is_one_caption(tmp_path: Path) -> None:
    caption = "Đồng chí Chủ tịch Công đoàn Viện trao cờ thi đua\ncho các đội đạt giải nhất"
    record = read_json(tmp_path, page(TITLE, LEAD, caption, END))
    assert texts(record, "caption") == [caption.replace("\n", " ")]


def test_two_captions_on_one_line_are_split_with_a_warning(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, LEAD, "Toàn cảnh hội thao        Lễ trao giải", END))
    assert texts(record, "caption") == ["Toàn cảnh hội thao", "Lễ trao giải"]
    assert messages(record, "warning")


def test_a_garbled_caption_is_named(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, LEAD, "Toan canh le khai mac hoi thao", END))
    assert messages(record, "warning")
    record = read_json(tmp_path, page(TITLE, LEAD, "Toafn cahnr lex khai macj", END))
    assert messages(record, "warning")


def test_a_short_sentence_is_a_caption_only_when_a_photo_waits_for_it(tmp_path: Path) -> None:
    line = "Ông Nguyễn Văn Bình nhận giấy khen của Công đoàn Viện."
    text = page(TITLE, LEAD, "Toàn cảnh hội thao", BODY, line, END)
    record = read_json(tmp_path, text)
    assert texts(record, "caption") == ["Toàn cảnh hội thao"]
    assert line in texts(record, "paragraph")
    folder = tmp_path / "articles" / "2023-11" / "bai"
    folder.mkdir()
    for name in ("01.jpg", "02.jpg"):
        Image.new("RGB", (40, 30), "gray").save(folder / name)
    record = read_json(tmp_path, text)
    assert [b["text"] for b in record["blocks"] if b["kind"] == "photo"] == [
        "Toàn cảnh hội thao",
        line,
    ]


def test_white_space_runs_fold_into_one_space(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, LEAD.replace("đã tổ", "đã \u00a0tổ"), END))
    assert texts(record, "paragraph")[0] == LEAD
    assert "\u00a0 " not in json.dumps(record, ensure_ascii=False)


# --- bylines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("Đ.L", True),
        ("Tin, ảnh: Thu Hà", True),
        ("Theo Báo Công Thương", True),
        ("Nguyễn Thị Thu Hà", True),
        ("Phòng Tổng hợp", True),
        ("Theo đánh giá, đây là kết quả cao nhất từ trước tới nay.", False),
        ("Share", False),
        ("Viện Khoa học Công nghệ Mỏ", False),
        ("Ảnh: Toàn cảnh hội nghị", False),
        ("Toàn cảnh hội thao", False),
    ],
)
def test_bylines(line: str, byline: bool) -> None:
    assert is_byline(line) is byline


def test_a_closing_sentence_is_not_a_byline(tmp_path: Path) -> None:
    last = "Theo đánh giá, đây là kết quả cao nhất từ trước tới nay."
    record = read_json(tmp_path, page(TITLE, LEAD, END, last))
    assert record["byline"] is None
    assert texts(record, "paragraph")[-1] == last


def test_share_and_the_site_name_after_the_byline_are_dropped(tmp_path: Path) -> None:
    site = "Viện Khoa học Công nghệ Mỏ"
    record = read_json(tmp_path, page(TITLE, LEAD, END, "Đ.L", "Share", site))
    assert record["byline"] == "Đ.L"
    assert dropped(record) == ["Share", site]


# --- leftovers and chrome --------------------------------------------------------------


@pytest.mark.parametrize("row", LEFTOVERS, ids=lambda row: row.name)
def test_each_leftover_pattern_drops_its_example_in_its_place(tmp_path: Path, row: Any) -> None:
    """Each row of the table, placed where the web page puts it, is dropped
    with its reason; nothing else is."""
    if row.where == "head":
        text = page(row.example, TITLE, LEAD, BODY, END)
    elif row.where in ("tail", "list"):
        text = page(TITLE, LEAD, BODY, END, "T.H", row.example)
    else:
        text = page(TITLE, row.example, LEAD, BODY, row.example, END)
    record = read_json(tmp_path, text)
    assert record["title"] == TITLE
    assert texts(record, "paragraph") == [LEAD, BODY, END]
    assert row.example in dropped(record)
    assert all(d["why"] for d in record["dropped"])


@pytest.mark.parametrize("row", LEFTOVERS, ids=lambda row: row.name)
def test_no_leftover_pattern_matches_a_paragraph_that_begins_with_its_words(row: Any) -> None:
    start = "Các mục khác" if row.where == "list" else row.example  # glued titles are chrome
    sentence = start + " được nhắc lại trong bài phát biểu của đồng chí Viện trưởng."
    assert leftover(sentence, row.where) is None
    assert list_heading(sentence) is None


@pytest.mark.parametrize(
    "line",
    [
        "87",
        "Lượt xem: 1.024",
        '[caption id="attachment_12" align="aligncenter" width="800"]',
        '[source url="http://vimluki.vn/bao-cao.pdf" button="Tải về"]',
        "IMG_20231106_093512.jpg",
        "Share",
        "Video",
        "In bài viết",
    ],
)
def test_website_leftovers_in_the_body_are_dropped_not_printed(tmp_path: Path, line: str) -> None:
    record = read_json(tmp_path, page(TITLE, line, LEAD, line, BODY, END))
    assert dropped(record) == [line, line]
    assert texts(record, "caption") == []


def test_a_shortcode_around_a_caption_leaves_the_caption(tmp_path: Path) -> None:
    line = '[caption id="attachment_7" align="aligncenter"]Toàn cảnh hội thao[/caption]'
    record = read_json(tmp_path, page(TITLE, LEAD, line, END))
    assert texts(record, "caption") == ["Toàn cảnh hội thao"]


def test_a_site_footer_after_the_byline_is_dropped(tmp_path: Path) -> None:
    record = read_json(
        tmp_path,
        page(TITLE, LEAD, END, "T.H", "Bản quyền © 2023 Viện KHCN Mỏ", "Địa chỉ: 3 Phan Đình Giót"),
    )
    assert record["byline"] == "T.H"
    assert dropped(record) == ["Bản quyền © 2023 Viện KHCN Mỏ", "Địa chỉ: 3 Phan Đình Giót"]


def test_a_select_all_copy_gets_its_real_title_and_a_warning(tmp_path: Path) -> None:
    menu = ["Trang chủ", "Giới thiệu", "Tin tức", "Liên hệ", "Loading...", "Trang chủ » Tin tức"]
    record = read_json(tmp_path, page(*menu, TITLE, "Thứ Bảy, ngày 18/11/2023", LEAD, END))
    assert record["title"] == TITLE
    assert record["date"] == "2023-11-18"
    assert dropped(record)[: len(menu)] == menu
    assert messages(record, "warning")


# --- nothing is ever lost ---------------------------------------------------------------

_LINE = st.one_of(
    st.sampled_from(
        [
            TITLE,
            LEAD,
            BODY,
            END,
            "",
            "Đ.L",
            "Share",
            "87",
            "Tin khác",
            "Toàn cảnh hội thao",
            "Thứ Sáu, ngày 03/11/2023",
            "+ Sản lượng đạt 1,2 triệu tấn",
            "II. KẾT QUẢ",
            "Trang chủ » Tin tức",
            "Chia sẻ với đoàn công tác, đồng chí A cho biết.",
        ]
    ),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=80),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=25))
def test_every_non_blank_line_is_printed_or_dropped_with_a_reason(source: list[str]) -> None:
    lines = lines_of("\n".join(source))
    if not lines:
        return
    reading = read_lines(lines, 2023)
    accounted = {reading.title_line}
    accounted |= {line for part in reading.parts for line in part.lines}
    accounted |= {d.line for d in reading.dropped if d.why}
    if reading.byline_line is not None:
        accounted.add(reading.byline_line)
    assert accounted >= {line.number for line in lines}


# --- check reports the guesses -----------------------------------------------------------


def test_check_reports_lost_photos_dropped_lines_and_assumed_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    month = tmp_path / "articles" / "2023-11"
    month.mkdir(parents=True)
    (tmp_path / "bulletin.toml").write_text('articles_dir = "articles"\n', "utf-8")
    lead = "Ngày 25/11, Chi bộ Phòng Thiết kế đã tổ chức sinh hoạt chuyên đề cho các đảng viên."
    (month / "sinh-hoat.txt").write_text(
        page(TITLE, lead, "Quang cảnh buổi sinh hoạt", END, "T.H", "Share"), "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    quiet = CliRunner().invoke(main, ["check", "--month", "2023-11"])
    assert quiet.exit_code == 0, quiet.output
    assert "sinh-hoat/01.jpg" in quiet.output
    assert "Share" not in quiet.output
    loud = CliRunner().invoke(main, ["check", "--month", "2023-11", "-v"])
    assert "Share" in loud.output
    assert "2023" in loud.output and "sinh-hoat.txt:3" in loud.output
    records = json.loads(CliRunner().invoke(main, ["check", "--json"]).stdout)
    dropped = next(r for r in records if "Share" in r["message"])
    assert dropped["level"] == "note"  # as in text, where only -v shows it
    warnings = sum(r["level"] == "warning" for r in records)
    assert quiet.stderr.splitlines()[-1].endswith(f", {warnings} cảnh báo")


# --- photos no article uses ---------------------------------------------------------------


def _month_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    month = tmp_path / "articles" / "2023-11"
    month.mkdir(parents=True)
    (tmp_path / "bulletin.toml").write_text('articles_dir = "articles"\n', "utf-8")
    (month / "giao-ban.txt").write_text(page(TITLE, LEAD, "Toàn cảnh hội thao", END), "utf-8")
    monkeypatch.chdir(tmp_path)
    return month


def _jpeg(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), "gray").save(path)


def test_check_names_a_photo_folder_named_unlike_its_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    month = _month_with(tmp_path, monkeypatch)
    _jpeg(month / "giao-ban-anh" / "01.jpg")
    result = CliRunner().invoke(main, ["check", "--month", "2023-11"])
    assert "giao-ban-anh" in result.output and "giao-ban/" in result.output


def test_check_names_phone_photos_and_photos_nothing_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    month = _month_with(tmp_path, monkeypatch)
    (month / "giao-ban").mkdir()
    (month / "giao-ban" / "IMG_0001.heic").write_bytes(b"\0\0\0\x18ftypheic")
    _jpeg(month / "thua.jpg")
    result = CliRunner().invoke(main, ["check", "--month", "2023-11"])
    assert "IMG_0001.heic" in result.output and ".jpg" in result.output
    assert "thua.jpg" in result.output


# --- make prints what the reading printed, and nothing it dropped --------------------------


def test_make_prints_captions_only_with_their_photos_and_no_dropped_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    from bulletin.build import build
    from bulletin.config import find_config, load_settings

    month = _month_with(tmp_path, monkeypatch)
    (month / "giao-ban.txt").write_text(
        page(
            TITLE,
            "Thứ Bảy, ngày 18/11/2023",
            "Lượt xem: 1.024",
            LEAD,
            "Toàn cảnh hội thao",
            BODY,
            "Lễ trao giải cho các đội thắng cuộc",
            END,
            "T.H",
            "Share",
            "Tin khác",
            "Viện họp giao ban tháng 10",
        ),
        "utf-8",
    )
    _jpeg(month / "giao-ban" / "01.jpg")
    pdf = build(load_settings(find_config(tmp_path)), out=tmp_path / "out" / "t.pdf").pdf
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "Toàn cảnh hội thao" in text  # with its photo
    assert "Lễ trao giải cho các đội thắng cuộc" not in text  # its photo was lost
    for gone in ("Lượt xem", "Share", "Tin khác", "Viện họp giao ban tháng 10", "Bảy, ngày 18/11"):
        assert gone not in text
    assert "T.H" in text and "kéo co" in text
    images = sum(len(p.images) for p in PdfReader(pdf).pages)
    assert images == 1


def test_an_author_line_under_the_title_is_the_byline(tmp_path: Path) -> None:
    record = read_json(tmp_path, page(TITLE, "Tác giả: Thu Hà", LEAD, END))
    assert record["byline"] == "Thu Hà"
    assert texts(record, "caption") == []
    record = read_json(tmp_path, page(TITLE, "Nguyễn Thu Hà", LEAD, END, "Đ.L"))
    assert record["byline"] == "Đ.L"
    assert dropped(record) == ["Nguyễn Thu Hà"]


def test_a_photo_folder_linked_out_of_the_month_is_not_listed(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    _jpeg(outside / "01.jpg")
    month = tmp_path / "articles" / "2023-11"
    month.mkdir(parents=True)
    (month / "bai").symlink_to(outside, target_is_directory=True)
    record = read_json(tmp_path, page(TITLE, LEAD, "Toàn cảnh hội thao", END))
    assert texts(record, "photo") == []
    assert texts(record, "caption") == ["Toàn cảnh hội thao"]


def test_read_names_a_missing_file_and_a_folder_in_one_line_each(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["read", str(tmp_path / "khong-co.txt"), str(tmp_path)])
    assert result.exit_code == 1
    assert "khong-co.txt" in result.output and "không có tệp này" in result.output
    assert "là một thư mục" in result.output and "Traceback" not in result.output


def test_the_photos_of_an_unreadable_article_are_not_called_unused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One broken article made check tell the staff to delete its good photos;
    a name in the wrong letter case gets the right one suggested."""
    month = _month_with(tmp_path, monkeypatch)
    for name in ("dao-tao-1.jpg", "dao-tao-2.jpg", "anh-toan-canh.jpg", "le-hoi/01.jpg"):
        _jpeg(month / name)
    (month / "dao-tao.md").write_text(
        "---\ntitle: Lớp đào tạo\ndate: 2023-11-05\nimages: [dao-tao-1.JPG, dao-tao-2.jpg]\n"
        "---\n\nThân bài.\n",
        "utf-8",
    )
    (month / "nghiem-thu.md").write_text(
        "---\ntitle: Nghiệm thu\ndate: 2023-11-31\nimage: anh-toan-canh.jpg\n---\n\nThân.\n",
        "utf-8",
    )
    (month / "le-hoi.txt").write_bytes(b"")  # empty: its photo folder waits for it
    result = CliRunner().invoke(main, ["check", "--month", "2023-11"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "articles/2023-11/dao-tao.md:4: lỗi: không tìm thấy ảnh: dao-tao-1.JPG " in lines[0] + " "
    )
    assert lines[0].endswith("(có phải là dao-tao-1.jpg?)")
    assert not [line for line in lines if "không thuộc bài nào" in line or "xóa" in line], lines
    assert len(lines) == 4, lines  # the three errors, and giao-ban.txt's own caption


def test_the_photo_names_asked_for_are_those_still_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three captions, the first photo in place: ask for 02.jpg and 03.jpg only."""
    month = _month_with(tmp_path, monkeypatch)
    (month / "giao-ban.txt").write_text(
        page(
            TITLE, LEAD, "Toàn cảnh hội thao", BODY, "Lễ trao giải", END, "Các đội thi kéo co", END
        ),
        "utf-8",
    )
    _jpeg(month / "giao-ban" / "01.jpg")
    result = CliRunner().invoke(main, ["check", "--month", "2023-11"])
    (line,) = [x for x in result.stdout.splitlines() if "chú thích không có ảnh" in x]
    assert line.endswith("đặt tên giao-ban/02.jpg giao-ban/03.jpg"), line


def test_a_title_in_capitals_is_named(tmp_path: Path) -> None:
    record = read_json(tmp_path, page("GIẢI BÓNG BÀN CÔNG ĐOÀN VIỆN NĂM 2023", LEAD, END))
    assert record["title"] == "GIẢI BÓNG BÀN CÔNG ĐOÀN VIỆN NĂM 2023"  # printed as written
    check = CliRunner().invoke(
        main, ["check", "--articles", str(tmp_path / "articles" / "2023-11")]
    )
    assert "tiêu đề viết toàn chữ in hoa" in check.stdout
    read_json(tmp_path, page("ĐẠI HỘI CHI BỘ", LEAD, END), name="ngan.txt")  # short: fine
    check = CliRunner().invoke(
        main, ["check", "--articles", str(tmp_path / "articles" / "2023-11")]
    )
    (line,) = [x for x in check.stdout.splitlines() if "in hoa" in x]
    assert line.startswith(str(tmp_path / "articles" / "2023-11" / "bai.txt")) or "bai.txt" in line
