"""The classic layout as a newsletter, checked on real PDFs: filled pages, page 1
(masthead, lead story, contents), two columns of a readable measure, the
editorial box never alone, captions only with their photos; and the editor's
choices behind it (date of issue, lead story, categories, logo)."""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import shutil
import statistics
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from pypdf import PdfReader

from bulletin.build import build
from bulletin.config import Settings, find_config, load_settings
from bulletin.edition import arrange, category_of, issue_date
from bulletin.errors import BulletinError
from bulletin.model import Article, Html

from .conftest import ROOT, pdf_text
from .pagefill import column_blanks, foot_blanks, printed_text

SENTENCES = [
    "Viện Khoa học Công nghệ Mỏ đã tổ chức hội nghị sơ kết công tác nghiên cứu khoa học",
    "các đơn vị trong Viện đã hoàn thành 42 hợp đồng tư vấn, thiết kế và chuyển giao công nghệ",
    "Viện trưởng yêu cầu các phòng tập trung hoàn thiện hồ sơ nghiệm thu trước ngày 15/12/2023",
    "công tác an toàn lao động trong mùa mưa bão được đặc biệt chú trọng tại các mỏ hầm lò",
    "đoàn công tác đã khảo sát điều kiện địa chất tại các mỏ vùng Cẩm Phả và Uông Bí",
    "kết quả thử nghiệm cho thấy tốc độ đào lò tăng 27 % so với phương pháp truyền thống",
    "hội đồng đánh giá cao tính thực tiễn của đề tài và đề nghị nhân rộng trong Tập đoàn",
    "Công đoàn Viện phát động phong trào thi đua lao động sáng tạo chào mừng năm mới",
    "các đại biểu đã thảo luận về giải pháp nâng cao hiệu quả khai thác than hầm lò",
    "Ban Chấp hành Đảng bộ Viện đã kiểm điểm việc thực hiện nghị quyết sáu tháng cuối năm",
    "TS. Hoàng Văn Khởi trình bày báo cáo tổng kết với nhiều số liệu được cập nhật đầy đủ",
    "phòng Kinh tế Dự án đã phối hợp với các mỏ lập kế hoạch sản xuất năm 2024",
    "các kỹ sư trẻ được giao chủ trì những nhiệm vụ khoa học cấp cơ sở có tính ứng dụng cao",
    "hệ thống quan trắc khí mỏ tự động đã vận hành ổn định trong suốt 6 tháng thử nghiệm",
]


def text_month(folder: Path, count: int = 21, seed: int = 14) -> None:
    """``count`` web copies of varied length (2–9 paragraphs), text only."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        title = f"Tin số {number}: " + rng.choice(SENTENCES)[:60].rsplit(" ", 1)[0].capitalize()
        paragraphs = []
        for index in range(rng.randint(2, 9)):
            sentences = [rng.choice(SENTENCES) for _ in range(rng.randint(2, 5))]
            text = ". ".join(s[0].upper() + s[1:] for s in sentences) + "."
            if index == 0:
                text = f"Ngày {1 + number % 28:02d}/11/2023, {text[0].lower()}{text[1:]}"
            paragraphs.append(text)
        body = "\n\n".join([title, *paragraphs, "Tin Văn phòng"])
        (folder / f"{number:02d}-tin.txt").write_text(body + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def example_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "ban-tin.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700611200")
        build(load_settings(find_config(ROOT)), out=out)
    return out


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("text-month")
    text_month(root / "articles" / "2023-11")
    (root / "bulletin.toml").write_text(
        (ROOT / "bulletin.toml")
        .read_text(encoding="utf-8")
        .replace('articles_dir = "examples/articles"', 'articles_dir = "articles"'),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700611200")
        return build(load_settings(root / "bulletin.toml"), out=root / "out" / "b.pdf").pdf


@pytest.mark.parametrize("month", ["example_pdf", "text_pdf"])
def test_pages_are_filled(month: str, request: pytest.FixtureRequest) -> None:
    """The blank at the foot of every page but the last, in the emptier of its two
    columns: at most 20 % of the text area, 8 % on average (python -m tests.pagefill
    FILE prints the figures)."""
    blanks = foot_blanks(request.getfixturevalue(month), columns=2)[:-1]
    assert blanks, "more than one page"
    assert max(blanks) <= 0.20, [f"{b:.0%}" for b in blanks]
    assert statistics.mean(blanks) <= 0.08, [f"{b:.0%}" for b in blanks]


def _four_article_month(root: Path) -> Path:
    """The example month without two articles: its end, with the editorial box,
    fills most of a column of the last page, and the other column stays empty
    unless the page is balanced."""
    shutil.copytree(
        ROOT / "examples" / "articles" / "2023-11",
        root / "articles" / "2023-11",
        ignore=shutil.ignore_patterns("03-*", "nghiem-thu.jpg", "05-*"),
    )
    (root / "bulletin.toml").write_text(
        (ROOT / "bulletin.toml")
        .read_text(encoding="utf-8")
        .replace('articles_dir = "examples/articles"', 'articles_dir = "articles"'),
        encoding="utf-8",
    )
    return root


def _make_in_a_process(root: Path, out: str, **env: str) -> Path:
    """``bulletin make`` in its own process: the layout hooks are installed when
    WeasyPrint is imported, so an environment switch needs a fresh one."""
    import os
    import subprocess
    import sys

    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700611200"}
    environment.pop("BULLETIN_UNBALANCED", None)
    keep = ["--keep-html"] if env.pop("KEEP", None) else []
    subprocess.run(
        [sys.executable, "-m", "bulletin", "make", "-q", "--out", out, *keep],
        cwd=root,
        env={**environment, **env},
        check=True,
    )
    return root / out


def test_the_last_page_is_balanced_in_two_columns(tmp_path: Path) -> None:
    """Not the end of the issue in the first column and nothing in the second:
    both columns of the last page carry text, ending within a tenth of the page
    of each other; the pages before and the words are those of the unbalanced
    layout (BULLETIN_UNBALANCED=1 gives it, for comparing)."""
    root = _four_article_month(tmp_path)
    balanced = _make_in_a_process(root, "out/balanced.pdf")
    plain = _make_in_a_process(root, "out/plain.pdf", BULLETIN_UNBALANCED="1")
    first, second = column_blanks(plain)[-1]
    assert second == 1.0 and first < 0.5  # the hole this is about
    first, second = column_blanks(balanced)[-1]
    assert first < 0.9 and second < 0.9, (first, second)
    assert abs(first - second) <= 0.10, (first, second)
    assert len(PdfReader(balanced).pages) == len(PdfReader(plain).pages)
    assert column_blanks(balanced)[:-1] == column_blanks(plain)[:-1]
    words = [" ".join(pdf_text(pdf)).split() for pdf in (balanced, plain)]
    assert sorted(words[0]) == sorted(words[1])


def test_a_balancing_that_does_not_help_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the page laid out again is no better (here: judged so), the break is
    taken back and the page laid out as it was: the PDF is the unbalanced one."""
    from bulletin import lastpage, render
    from bulletin.resources import LAYOUTS_DIR

    root = _four_article_month(tmp_path)
    plain = _make_in_a_process(root, "out/plain.pdf", BULLETIN_UNBALANCED="1", KEEP="1")
    html = plain.with_suffix(".html")
    judged = []
    monkeypatch.setattr(lastpage, "_kept", lambda *args: judged.append(args) or False)
    layout = LAYOUTS_DIR / "classic"
    document = render.render(html.read_text(encoding="utf-8"), base=layout, allowed=[root, layout])
    undone = tmp_path / "undone.pdf"
    document.write_pdf(undone)
    assert len(judged) == 1  # balanced once, judged once, undone
    assert column_blanks(undone) == column_blanks(plain)


def _text_project(root: Path, count: int, seed: int) -> Settings:
    text_month(root / "articles" / "2023-11", count=count, seed=seed)
    (root / "bulletin.toml").write_text(
        (ROOT / "bulletin.toml")
        .read_text(encoding="utf-8")
        .replace('articles_dir = "examples/articles"', 'articles_dir = "articles"'),
        encoding="utf-8",
    )
    return load_settings(root / "bulletin.toml")


def test_a_sparse_last_page_is_saved_by_a_tighter_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three articles whose end and editorial box would make a third page of two
    short columns: laid out a little tighter (leading, the box in run-in lines)
    the issue holds on two full pages, every word kept."""
    from bulletin import build as building

    settings = _text_project(tmp_path, count=3, seed=3)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700611200")
    tight = build(settings, out=tmp_path / "out" / "tight.pdf").pdf
    sparse = building.SPARSE
    monkeypatch.setattr(building, "SPARSE", 0.0)  # never tighter
    plain = build(settings, out=tmp_path / "out" / "plain.pdf").pdf
    assert len(PdfReader(plain).pages) == 3
    assert sum(column_blanks(plain)[-1]) / 2 > 1 - sparse  # the sparse page
    assert len(PdfReader(tight).pages) == 2
    assert max(foot_blanks(tight, columns=2)[:-1]) <= 0.20
    words = [
        {
            w.rstrip(":")
            for w in " ".join(pdf_text(pdf)).split()
            if not re.fullmatch(r"\d+/\d+", w) and "http" not in w
        }
        for pdf in (tight, plain)
    ]
    # Page numbers ("Trang 1/3"), the box's run-in colons and its web address
    # (wrapped elsewhere in a narrower line) aside, the same words.
    assert words[0] == words[1]
    assert "Chịu trách nhiệm xuất bản:" in pdf_text(tight)[-1]  # the box, in run-in lines


def test_a_tighter_layout_that_saves_no_page_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bulletin import build as building

    settings = _text_project(tmp_path, count=4, seed=2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700611200")
    tried = build(settings, out=tmp_path / "out" / "tried.pdf").pdf
    sparse = building.SPARSE
    monkeypatch.setattr(building, "SPARSE", 0.0)
    plain = build(settings, out=tmp_path / "out" / "plain.pdf").pdf
    assert sum(column_blanks(plain)[-1]) / 2 > 1 - sparse  # tried, then
    assert tried.read_bytes() == plain.read_bytes()


def test_two_photos_side_by_side_leave_no_white_under_them(tmp_path: Path) -> None:
    """A portrait beside a landscape: the byline follows the taller photo at the
    usual distance (a flex row once left 4-7 cm of white there)."""
    from PIL import Image

    month = tmp_path / "articles" / "2023-11"
    month.mkdir(parents=True)
    Image.new("RGB", (800, 1200), (40, 90, 140)).save(month / "doc.jpg")
    Image.new("RGB", (1400, 900), (140, 90, 40)).save(month / "ngang.jpg")
    Image.new("RGB", (1200, 800), (90, 140, 40)).save(month / "dau.jpg")  # the lead photo
    (month / "dao-tao.md").write_text(
        "---\ntitle: Khai giảng lớp bồi dưỡng kỹ năng số\ndate: 2023-11-25\n"
        "author: Phòng Tổ chức Lao động\nimage: dau.jpg\n"
        "images: [doc.jpg, {src: ngang.jpg, caption: Thực hành}]\n"
        "---\n\n" + "Viện tổ chức khai giảng lớp bồi dưỡng kỹ năng số cho cán bộ trẻ. " * 12 + "\n",
        encoding="utf-8",
    )
    (tmp_path / "bulletin.toml").write_text('articles_dir = "articles"\n', encoding="utf-8")
    pdf = build(load_settings(tmp_path / "bulletin.toml"), out=tmp_path / "b.pdf").pdf
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            images = [
                o.get_bounds() for o in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
            ]
            textpage = page.get_textpage()
            found = textpage.search("Phòng Tổ chức Lao động").get_next()
            pair = [b for b in images if b[2] - b[0] < 150]  # half a column wide
            if len(pair) == 2 and found:
                byline_top = textpage.get_charbox(found[0])[3]
                photos_bottom = min(bottom for _left, bottom, _right, _top in pair)
                gap_mm = (photos_bottom - byline_top) / 72 * 25.4
                assert 0 < gap_mm <= 8, gap_mm
                assert abs(pair[0][3] - pair[1][3]) < 1  # tops aligned
                return
        raise AssertionError("no page with the pair and the byline")
    finally:
        document.close()


def column_lines(pdf: Path, page_index: int) -> list[tuple[float, float, str]]:
    """Each text line of a page: its left edge, its width (points) and its text."""
    document = pypdfium2.PdfDocument(pdf)
    textpage = document[page_index].get_textpage()
    lines = []
    for index in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(index)
        text = textpage.get_text_bounded(left, bottom, right, top).strip()
        lines.append((left, right - left, text))
    document.close()
    return lines


@pytest.mark.parametrize("month", ["example_pdf", "text_pdf"])
def test_inside_pages_are_two_columns_of_a_readable_measure(
    month: str, request: pytest.FixtureRequest
) -> None:
    pdf = request.getfixturevalue(month)
    mm = 72 / 25.4
    for page in (1, 2):
        lines = [line for line in column_lines(pdf, page) if line[1] > 75 * mm]  # full lines
        lefts = sorted({round(left / mm) for left, _, _ in lines})
        assert len(lines) > 20
        assert lefts[0] < 25 and lefts[-1] > 100, lefts  # a left and a right column
        assert all(width < 90 * mm for _, width, _ in lines)  # no line spans the page
        median = statistics.median(len(text) for _, _, text in lines)
        assert 45 <= median <= 75, median


def photos_on_page_one(pdf: Path) -> int:
    document = pypdfium2.PdfDocument(pdf)
    count = len(list(document[0].get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4)))
    document.close()
    return count


def test_page_one_has_masthead_lead_story_and_contents(example_pdf: Path) -> None:
    first = pdf_text(example_pdf)[0]
    for expected in (
        "B Ả N T I N",
        "Thông tin Khoa học Công nghệ Mỏ",
        "Hà Nội, ngày 22 tháng 11 năm 2023",
        "TRONG SỐ NÀY",
        "Nghiệm thu đề tài cấp Tập đoàn",  # the lead story (lead: true)
        "Hội đồng nghiệm thu cấp Tập đoàn đánh giá đề tài đạt loại Xuất sắc",  # its sapo
        "Hội đồng nghiệm thu làm việc tại Viện",  # its photo's caption
    ):
        assert expected in first, expected
    assert photos_on_page_one(example_pdf) == 1  # the lead photo
    pieces = printed_text(example_pdf)[0]

    def size_of(words: str) -> tuple[float, str]:
        return [(size, font) for size, font, text in pieces if words in text][-1]  # not the TOC

    assert size_of("Nghiệm thu đề tài")[0] >= 20  # a larger headline for the lead story
    assert size_of("Hội đồng Khoa học và Công nghệ")[0] <= 10.5  # body text
    assert "Bold" in size_of("Hội đồng nghiệm thu cấp")[1]  # the sapo in bold
    reader = PdfReader(example_pdf)
    assert reader.get_destination_page_number(reader.outline[0]) == 0


def test_a_full_month_keeps_the_lead_story_on_page_one(text_pdf: Path) -> None:
    first = pdf_text(text_pdf)[0]
    assert "TRONG SỐ NÀY" in first and "Tin số 1:" in first
    reader = PdfReader(text_pdf)
    assert len(reader.outline) == 21
    assert reader.get_destination_page_number(reader.outline[0]) == 0


@pytest.mark.parametrize("month", ["example_pdf", "text_pdf"])
def test_the_editorial_box_shares_the_last_page(month: str, request: pytest.FixtureRequest) -> None:
    pages = pdf_text(request.getfixturevalue(month))
    last = pages[-1]
    assert "Chịu trách nhiệm xuất bản" in last
    before_box = last.split("Thông tin Khoa học Công nghệ Mỏ Bản tin của")[0]
    words = re.sub(r"Thông tin Khoa học Công nghệ Mỏ Số 11 · Tháng 11/2023", "", before_box)
    assert len(words.split()) > 5  # article text above the box, not the box alone


def test_a_caption_is_printed_only_with_its_photo(project: Path) -> None:
    month = project / "articles" / "2023-11"
    (month / "09-ky-ket.txt").write_text(
        "Lễ ký kết hợp tác với Trường Đại học Mỏ – Địa chất\n\n"
        "Ngày 20/11/2023, Viện đã ký kết thỏa thuận hợp tác đào tạo và nghiên cứu.\n\n"
        "Quang cảnh buổi lễ ký kết\n\n"
        "Hai bên thống nhất trao đổi chuyên gia và cùng thực hiện các đề tài khoa học.\n\n"
        "Tin Văn phòng\n",
        encoding="utf-8",
    )
    settings = load_settings(find_config(project))
    from bulletin.check import check_month
    from bulletin.collect import Month

    checked = check_month(settings, Month(2023, 11), month, 2023, False)
    article = next(a for a in checked.articles if a.source.name == "09-ky-ket.txt")
    assert any(f.caption == "Quang cảnh buổi lễ ký kết" for f in article.figures)  # kept
    text = " ".join(pdf_text(build(settings, out=project / "out" / "c.pdf").pdf))
    assert "Hai bên thống nhất" in text
    assert "Quang cảnh buổi lễ ký kết" not in text  # ... but not printed


def test_date_of_issue() -> None:
    settings = Settings()
    assert issue_date(settings, 2023, 11, dt.date(2023, 11, 22)) == dt.date(2023, 11, 22)
    assert issue_date(settings, 2023, 11, dt.date(2023, 12, 31)) == dt.date(2023, 12, 31)
    assert issue_date(settings, 2023, 11, dt.date(2026, 3, 1)) == dt.date(2023, 11, 30)
    assert issue_date(settings, 2024, 2, dt.date(2024, 6, 1)) == dt.date(2024, 2, 29)
    chosen = load_settings_text("[bulletin]\nissued = 2023-12-02\n")
    assert issue_date(chosen, 2023, 11, dt.date(2026, 1, 1)) == dt.date(2023, 12, 2)


def load_settings_text(text: str) -> Settings:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bulletin.toml"
        path.write_text(text, encoding="utf-8")
        return load_settings(path)


def test_issued_and_categories_are_checked_in_the_config() -> None:
    with pytest.raises(BulletinError, match=r"bulletin.toml:2: 'bulletin.issued' phải là một ngày"):
        load_settings_text('[bulletin]\nissued = "30/11/2023"\n')
    with pytest.raises(BulletinError, match=r"'categories' phải là một bảng"):
        load_settings_text("[categories]\ndang- = 3\n")
    settings = load_settings_text(
        'order = ["giao-ban"]\n[categories]\ndang- = "Công tác Đảng"\n"cong-doan" = "Công đoàn"\n'
    )
    assert settings.categories == {"dang-": "Công tác Đảng", "cong-doan": "Công đoàn"}
    assert settings.order == ["giao-ban"]


def article(name: str, category: str | None = None, featured: bool = False) -> Article:
    return Article(
        Path("/m/2023-11") / name, name, (Html("<p>x</p>"),), category=category, featured=featured
    )


def test_categories_by_file_name_prefix_or_folder() -> None:
    month = Path("/m/2023-11")
    table = {"dang-": "Công tác Đảng", "cong-doan": "Công đoàn", "cong-doan-tn": "Đoàn Thanh niên"}
    assert category_of(article("dang-ket-nap.txt"), month, table) == "Công tác Đảng"
    assert category_of(article("cong-doan-tn-hoi-thao.docx"), month, table) == "Đoàn Thanh niên"
    assert category_of(article("cong-doan/giai.txt"), month, table) == "Công đoàn"
    assert category_of(article("giao-ban.txt"), month, table) is None
    assert category_of(article("dang-x.md", category="Sự kiện"), month, table) == "Sự kiện"


def test_the_lead_story_comes_first() -> None:
    month = Path("/m/2023-11")
    a, b, c = article("a.txt"), article("b.txt"), article("c.md")
    assert [x.title for x in arrange([a, b, c], Settings(), month)] == ["a.txt", "b.txt", "c.md"]
    marked = article("c.md", featured=True)
    assert arrange([a, b, marked], Settings(), month)[0].title == "c.md"
    ordered = Settings(order=["b", "c.md"])
    assert [x.title for x in arrange([a, b, c], ordered, month)] == ["b.txt", "c.md", "a.txt"]


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _with_logo(project: Path, name: str) -> Path:
    """The project's bulletin.toml, now naming ``name`` as the logo."""
    config = project / "bulletin.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[bulletin]\n", f'[bulletin]\nlogo = "{name}"\n'), "utf-8")
    return config


def test_logo_in_the_masthead(project: Path) -> None:
    (project / "logo.png").write_bytes(PNG)
    config = _with_logo(project, "logo.png")
    pdf = build(load_settings(config), out=project / "out" / "logo.pdf").pdf
    assert photos_on_page_one(pdf) == 2  # the logo and the lead photo
    config.write_text(
        config.read_text(encoding="utf-8").replace("logo.png", "bulletin.toml"), encoding="utf-8"
    )
    with pytest.raises(BulletinError, match=r"bulletin\.logo"):
        build(load_settings(config), out=project / "out" / "logo.pdf")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "bulletin.logo: không thấy logo.png bên cạnh bulletin.toml"),
        (
            b"PK\x03\x04 a Word file renamed",
            "bulletin.logo: logo.png phải là ảnh PNG, JPEG hoặc SVG",
        ),
        (PNG[:40], "bulletin.logo: logo.png là ảnh bị hỏng, không đọc được: hãy lưu lại ảnh"),
    ],
)
def test_check_names_a_missing_or_broken_logo_with_its_line(
    project: Path, content: bytes | None, message: str
) -> None:
    """A logo the PDF would silently drop, or a missing one that failed late with
    the system's English text, is named by check and make, with its line."""
    from click.testing import CliRunner

    from bulletin.cli import main

    if content is not None:
        (project / "logo.png").write_bytes(content)
    config = _with_logo(project, "logo.png")
    line = config.read_text(encoding="utf-8").splitlines().index('logo = "logo.png"') + 1
    for command in ("check", "make"):
        result = CliRunner().invoke(main, [command, "-q"])
        assert result.exit_code == 1, result.output
        assert result.output.strip() == f"Lỗi: bulletin.toml:{line}: {message}"
    assert not list(project.glob("out/*.pdf"))


def test_an_svg_logo_is_taken_by_its_content_and_drawn(project: Path) -> None:
    import pypdfium2

    (project / "logo.svg").write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
        '<rect width="20" height="10" fill="#00c000"/></svg>',
        encoding="utf-8",
    )
    config = _with_logo(project, "logo.svg")
    pdf = build(load_settings(config), out=project / "out" / "logo.pdf").pdf
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=0.5).to_pil().convert("RGB")
    pixels = page.tobytes()
    green = sum(
        1
        for i in range(0, len(pixels), 3)
        if pixels[i + 1] > 150 and pixels[i] < 60 and pixels[i + 2] < 60
    )
    assert green > 100  # 13 mm high in the masthead: hundreds of pixels at 36 dpi


def test_a_logo_outside_the_project_is_refused(project: Path) -> None:
    from click.testing import CliRunner

    from bulletin.cli import main

    outside = project.parent / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    config = project / "bulletin.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[bulletin]\n", '[bulletin]\nlogo = "../secret.png"\n', 1
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["make"])
    assert result.exit_code == 1
    assert "secret.png" in result.output and "Traceback" not in result.output


def test_numbers_in_a_word_table_are_right_aligned(tmp_path: Path) -> None:
    """Word puts a paragraph in each cell; the paragraph's own alignment once won
    over the cell's, and the numbers stood on the left. Its first row, all text
    and in <td> cells, is the header over them."""
    from docx import Document

    month = tmp_path / "articles" / "2023-11"
    month.mkdir(parents=True)
    document = Document()
    document.add_heading("Kết quả sản xuất tháng 11", level=1)
    document.add_paragraph(
        "Ngày 06/11/2023, Viện tổng kết kết quả sản xuất của các đơn vị trong tháng."
    )
    table = document.add_table(rows=3, cols=2)
    for row, (unit, amount) in zip(
        table.rows, [("Đơn vị", "Sản lượng"), ("Mỏ A", "1.200"), ("Mỏ B", "950")], strict=True
    ):
        row.cells[0].text, row.cells[1].text = unit, amount
    document.save(month / "san-luong.docx")
    (tmp_path / "bulletin.toml").write_text('articles_dir = "articles"\n', encoding="utf-8")
    pdf = build(load_settings(tmp_path / "bulletin.toml"), out=tmp_path / "b.pdf").pdf
    page = pypdfium2.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    right_edges = []
    for text in ("1.200", "950", "Sản lượng"):  # the numbers, and the header over them
        index, count = textpage.search(text).get_next()
        right_edges.append(textpage.get_charbox(index + count - 1)[2])
    assert max(right_edges) - min(right_edges) < 1, right_edges


def test_the_contents_lists_start_level_and_end_near_each_other(tmp_path: Path) -> None:
    """Two-line titles on the left once pushed the right list a line down and left
    it short: both lists now start on the same line and the split evens their
    lines (``contents_split``)."""
    from bulletin.layout import contents_split

    rest = "thu đề tài cấp Tập đoàn về khai thác than bằng cơ giới hóa đồng bộ"
    titles = [f"{word} {rest}" for word in ("Một", "Hai", "Ba", "Bốn", "Năm")]
    titles += [f"Tin ngắn {word}" for word in ("sáu", "bảy", "tám", "chín")]
    articles = [Article(source=Path(f"{n}.md"), title=t, body=()) for n, t in enumerate(titles)]
    assert contents_split(articles) == 4  # 8 lines beside 2 + 4, not 10 beside 4
    month = tmp_path / "articles" / "2023-11"
    month.mkdir(parents=True)
    for number, title in enumerate(titles, 1):
        (month / f"{number:02d}.md").write_text(
            f"---\ntitle: {title}\ndate: 2023-11-{number:02d}\n---\n\n"
            + "Viện tổ chức hội nghị tổng kết công tác tháng. " * 20,
            encoding="utf-8",
        )
    (tmp_path / "bulletin.toml").write_text('articles_dir = "articles"\n', encoding="utf-8")
    pdf = build(load_settings(tmp_path / "bulletin.toml"), out=tmp_path / "b.pdf").pdf
    textpage = pypdfium2.PdfDocument(pdf)[0].get_textpage()
    boxes = []
    for first in ("Một thu đề tài", "Năm thu đề tài"):  # the first entry of each list
        index, _count = textpage.search(first).get_next()
        boxes.append(textpage.get_charbox(index))
    assert boxes[0][3] == pytest.approx(boxes[1][3], abs=1), boxes  # the same line
    assert boxes[0][0] < boxes[1][0]  # side by side


def test_a_table_gives_its_row_labels_the_room_short_numbers_leave(tmp_path: Path) -> None:
    """A fixed third for the labels wrapped 'Năng suất (tấn/công)' beside columns of
    short numbers (a new user's trial); the table is now laid out by its content."""
    month = tmp_path / "articles" / "2023-11"
    month.mkdir(parents=True)
    (month / "nghiem-thu.md").write_text(
        "---\ntitle: Nghiệm thu đề tài\ndate: 2023-11-06\n---\n\n"
        "Hội đồng nghiệm thu đề tài cấp Tập đoàn đã họp tại Viện.\n\n"
        "| Chỉ tiêu | Trước | Sau |\n|---|---|---|\n"
        "| Sản lượng (tấn/năm) | 250.000 | 350.000 |\n| Năng suất (tấn/công) | 7,8 | 12,5 |\n",
        encoding="utf-8",
    )
    (tmp_path / "bulletin.toml").write_text('articles_dir = "articles"\n', encoding="utf-8")
    pdf = build(load_settings(tmp_path / "bulletin.toml"), out=tmp_path / "b.pdf").pdf
    textpage = pypdfium2.PdfDocument(pdf)[0].get_textpage()
    for label in ("Sản lượng (tấn/năm)", "Năng suất (tấn/công)"):
        start, _count = textpage.search(label.split(" (")[0]).get_next()
        end = textpage.search(label.split(" (")[1]).get_next()[0]
        first, last = textpage.get_charbox(start), textpage.get_charbox(end)
        assert abs(first[1] - last[1]) < 1, label  # one line


def test_a_contents_entry_keeps_even_word_spaces(tmp_path: Path) -> None:
    """The entry's tinted title span once padded every span inside it too: in the
    booklet's one-column contents "truyền thống công  nhân vùng mỏ" stood 1 mm
    apart where the kept-together tail begins."""
    from bulletin.config import find_config

    pdf = build(load_settings(find_config(ROOT)), out=tmp_path / "b.pdf", booklet=True).pdf
    textpage = pypdfium2.PdfDocument(pdf)[0].get_textpage()  # the cover: right half
    start, _count = textpage.search("truyền thống công nhân vùng").get_next()
    words = "truyền thống công nhân vùng"

    def gap(at: int) -> float:  # from the letter before the space to the letter after it
        return textpage.get_charbox(start + at + 1)[0] - textpage.get_charbox(start + at - 1)[2]

    inside, boundary = gap(words.index(" công")), gap(words.index(" nhân"))
    assert abs(boundary - inside) < 1, (inside, boundary)
