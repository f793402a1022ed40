"""Vietnamese in every file the staff bring: encodings, glyphs, marks, dates."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageStat

from bulletin.cli import main
from bulletin.dates import find_date
from bulletin.encodings import DecodeError, decode_text
from bulletin.errors import BulletinError
from bulletin.readers.base import ReadContext
from bulletin.readers.text import read as read_text
from bulletin.vietnamese import is_syllable

from . import legacy
from .conftest import pdf_text, write

TITLE = "Hội nghị người lao động năm 2023 của Viện Khoa học Công nghệ Mỏ"
BODY = (
    "Ngày 06/11/2023, Viện đã tổ chức Hội nghị người lao động, tổng kết công tác "
    "năm và phát động thi đua; các đồng chí được khen thưởng xứng đáng.\n\n"
    "Toàn cảnh Hội nghị\n\n"
    "Kết luận Hội nghị, Viện trưởng yêu cầu giữ gìn kỷ luật, đoàn kết, nỗ lực "
    "hoàn thành nhiệm vụ được giao; khuyến khích sáng kiến cải tiến kỹ thuật.\n\n"
    "Tin Văn phòng\n"
)
ARTICLE = f"{TITLE}\n\n{BODY}"

ENCODINGS = {
    "utf8.txt": ARTICLE.encode("utf-8"),
    "utf8-bom-crlf.txt": b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8"),
    "utf16.txt": ARTICLE.encode("utf-16"),
    "nfd.txt": unicodedata.normalize("NFD", ARTICLE).encode("utf-8"),
    "cp1258.txt": legacy.cp1258(ARTICLE),
    "tcvn3.txt": legacy.tcvn3(ARTICLE),
    "vni.txt": legacy.vni(ARTICLE),
    "viqr.txt": legacy.viqr(ARTICLE),
}
LEGACY_NAMES = {
    "cp1258.txt": "Windows-1258",
    "tcvn3.txt": "TCVN3",
    "vni.txt": "VNI-Windows",
    "viqr.txt": "VIQR",
}


@pytest.mark.parametrize("name", ENCODINGS)
def test_every_encoding_gives_the_same_article(tmp_path: Path, name: str) -> None:
    context = ReadContext(year=2023)
    path = tmp_path / name
    path.write_bytes(ENCODINGS[name])
    article = read_text(path, context)
    reference = read_text(write(tmp_path / "ref.txt", ARTICLE), ReadContext(year=2023))
    # TCVN3 writes capitals with tones in lower case (.VnTimeH fonts): compare case-folded
    if name == "tcvn3.txt":
        assert article.text.lower() == reference.text.lower()
    else:
        assert article.text == reference.text
        assert article.title == TITLE
    assert article.date == date(2023, 11, 6)
    assert article.author == "Tin Văn phòng"
    notes = [p.message for p in context.problems if p.level == "note"]
    if name in LEGACY_NAMES:
        assert notes == [f"đọc theo bảng mã {LEGACY_NAMES[name]}"]
    else:
        assert notes == []


def test_every_encoding_prints_the_title_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    month = tmp_path / "articles" / "2023-11"
    for name, data in ENCODINGS.items():
        if name != "tcvn3.txt":
            (month / name).parent.mkdir(parents=True, exist_ok=True)
            (month / name).write_bytes(data)
    (month / "tcvn3.txt").write_bytes(legacy.tcvn3(TITLE.replace("Hội", "hội") + "\n\n" + BODY))
    result = CliRunner().invoke(main, ["make", "-v"])
    assert result.exit_code == 0, result.output
    assert "articles/2023-11/tcvn3.txt: đọc theo bảng mã TCVN3" in result.output
    text = " ".join(pdf_text(tmp_path / "out" / "ban-tin-2023-11.pdf"))
    assert text.count(TITLE) == 2 * 7  # TOC and heading, for all but TCVN3
    assert text.count(TITLE.replace("Hội", "hội")) == 2
    assert "Tin Văn phòng" in text
    assert "Toàn cảnh Hội nghị" not in text  # a caption whose photo was lost is not printed


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,
        "Привет, это русский текст в кодировке.".encode("cp1251"),
        "中文测试内容，代表团访问。".encode("gbk"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00",
    ],
)
def test_undecodable_files_are_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(BulletinError) as error:
        read_text(_bytes(tmp_path / "la.txt", data), ReadContext(year=2023))
    assert "la.txt: không đọc được thành chữ" in str(error.value)


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_decoder_raises_only_its_own_error(data: bytes) -> None:
    try:
        decoded = decode_text(data)
    except DecodeError:
        return
    assert unicodedata.is_normalized("NFC", decoded.text)
    assert "\r" not in decoded.text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=1, max_value=9999))
def test_date_parser_never_fails(text: str, year: int) -> None:
    found = find_date(text, year)
    assert found is None or isinstance(found, date)


def test_syllables() -> None:
    for word in ("nghiêng", "khuỷu", "người", "quyết", "Trường", "gì", "oẳn"):
        assert is_syllable(word), word
    for word in ("viöt", "b¶o", "hello", "strength", "ngườì"):
        assert not is_syllable(word), word


def test_missing_glyphs_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "articles" / "2023-11" / "doan-khach.txt",
        "Tiếp đoàn khách 中国煤炭 😀\n\nNgày 06/11/2023, Viện tiếp đoàn khách; Привет.\n",
    )
    result = CliRunner().invoke(main, ["make"])
    assert result.exit_code == 0
    assert (
        "Cảnh báo: articles/2023-11/doan-khach.txt: ký tự không có trong phông chữ đi kèm, "
        "sẽ in ra thành ô trống: '中' (U+4E2D), '国' (U+56FD), '煤' (U+7164), "
        "'炭' (U+70AD), '😀' (U+1F600)"
    ) in result.output
    strict = CliRunner().invoke(main, ["make", "--strict", "-q"])
    assert strict.exit_code == 1
    assert strict.output.startswith("Lỗi: articles/2023-11/doan-khach.txt: ký tự không có")


STACKED = "ẫ ề ệ ổ ợ ữ Ẫ Ề Ệ Ổ Ợ Ữ"
WEIGHTS = [
    ("Noto Serif", 400, "normal"),
    ("Noto Serif", 400, "italic"),
    ("Noto Serif", 700, "normal"),
    ("Noto Serif", 700, "italic"),
    ("Noto Sans", 400, "normal"),
    ("Noto Sans", 700, "normal"),
]
GOLDEN = Path(__file__).parent / "golden" / "stacked-diacritics.png"


def render_stacked_diacritics() -> Image.Image:
    import pypdfium2

    from bulletin import render

    lines = "".join(
        f"<p style=\"font: {style} {weight} 72pt/1.5 '{family}'; margin: 0\">{STACKED}</p>"
        for family, weight, style in WEIGHTS
    )
    html = f"<style>@page {{ size: 500mm 290mm; margin: 8mm }}</style>{lines}"
    document = render.render(html, base=Path(__file__).parent, allowed=[])
    pdf = pypdfium2.PdfDocument(io.BytesIO(document.write_pdf()))
    image = pdf[0].render(scale=0.5).to_pil().convert("L")
    pdf.close()
    return image


def test_stacked_diacritics_match_the_golden_page(request: pytest.FixtureRequest) -> None:
    """Marks stack (circumflex then tone, dot below under): compared with a page that
    was looked at. Regenerate with ``pytest --update-golden`` and look again."""
    image = render_stacked_diacritics()
    if request.config.getoption("--update-golden"):
        image.save(GOLDEN)
    golden = Image.open(GOLDEN)
    assert image.size == golden.size
    difference = ImageStat.Stat(ImageChops.difference(image, golden)).mean[0]
    assert difference < 2.0, f"mean pixel difference {difference:.2f}"


def test_tcvn3_puts_back_the_capitals_with_tones_at_a_sentence_start(tmp_path: Path) -> None:
    """TCVN3 has no capitals with tones: "Ứng viên" arrived as "ứng viên". At a
    sentence's start such a letter is put back in capitals, and the reader says so."""
    source = (
        "Viện tuyển dụng kỹ sư khai thác mỏ năm 2023\n\n"
        "Ngày 06/11/2023, Viện thông báo tuyển dụng kỹ sư khai thác mỏ. "
        "Ứng viên nộp hồ sơ tại Văn phòng Viện trước ngày 30/11/2023.\n\n"
        "Ủy ban kiểm tra sẽ xét hồ sơ theo quy định của Tập đoàn.\n\n"
        "Văn phòng\n"
    )
    path = tmp_path / "tuyen-dung.txt"
    path.write_bytes(legacy.tcvn3(source))
    context = ReadContext(year=2023)
    article = read_text(path, context)
    assert "mỏ. Ứng viên nộp hồ sơ" in article.text
    assert "Ủy ban kiểm tra" in article.text
    notes = [p.message for p in context.problems if p.level == "note"]
    assert any(n.startswith("2 chữ có dấu thanh ở đầu câu đã được viết hoa lại") for n in notes)
