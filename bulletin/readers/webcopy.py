"""Reading a web page pasted as text: what each line is, and why.

The staff copy news pages from websites into Notepad or Word. What arrives is
a sequence of lines: the title, perhaps a dateline, paragraphs, the captions of
photos that did not survive the paste, the author's line, and the page's
leftovers (menus, share buttons, lists of other articles, a footer). This
module walks those lines once and says of each what it became: a title, the
date, a block of the body, the byline, or a dropped line with its reason.

Place matters more than words: a dateline is only right under the title, the
page's leftovers only where the page puts them (``readers/chrome.py``), and a
paragraph that merely begins like a leftover is body. Every non-blank line
ends up printed or dropped with a reason; ``bulletin read`` shows the record.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from bulletin.dates import FoundDate, event_date, find_dates
from bulletin.errors import clip
from bulletin.i18n import _
from bulletin.model import Article, Block, Dropped, Figure, Html, Photo
from bulletin.readers.base import ReadContext, fail
from bulletin.readers.chrome import INLINE_SHORTCODE, leftover, list_heading
from bulletin.vietnamese import TITLE, plausibility

Kind = Literal["paragraph", "heading", "list", "caption", "photo", "block"]
Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Line:
    """One non-blank line of the source (or one paragraph of a Word file)."""

    number: int
    text: str  # white space folded, NFC
    raw: str = ""  # as written, for two captions set apart by spaces
    gap_before: bool = True  # a blank line stood before it
    markup: str | None = None  # Word: the paragraph as safe HTML, bold and italics kept
    block: str | None = None  # Word: a heading, list, table or quote, as safe HTML
    photos: tuple[Photo, ...] = ()  # Word: the pictures of this paragraph


@dataclass
class Part:
    """One block of the body in the making."""

    kind: Kind
    lines: list[int]
    texts: list[str]
    markup: str | None = None
    photo: Photo | None = None
    weak: bool = False  # a caption only if the photos say so

    @property
    def text(self) -> str:
        return " ".join(self.texts)


@dataclass
class Reading:
    """What the walk found: the article's parts and the record of every line."""

    title: str
    title_line: int
    parts: list[Part] = field(default_factory=list)
    date: FoundDate | None = None
    date_from: str | None = None
    date_line: int | None = None
    byline: str | None = None
    byline_line: int | None = None
    dropped: list[Dropped] = field(default_factory=list)
    problems: list[tuple[int | None, Level, str]] = field(default_factory=list)
    head_author: Line | None = None  # an author's line under the title

    def drop(self, line: Line, why: str) -> None:
        self.dropped.append(Dropped(line.number, line.text, why))

    def problem(self, line: int | None, level: Level, message: str) -> None:
        self.problems.append((line, level, message))


_SENTENCE_END = re.compile(r"(?:[.!?…;:]|\.{3})[\"”’»)\]]*$")
_INNER_SENTENCE = re.compile(r"[.!?…][\"”’»)]*\s+[A-ZĐÀ-Ỹ]")
_TITLE = re.compile(TITLE)
_LIST_ITEM = re.compile(r"^[-–—+•*·●▪►]\s*(?=\S)")
_NUMBERED = re.compile(r"^(?:[IVXLC]{1,6}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]\s+\S")
_MAX_CAPTION = 160
_MAX_WEAK_CAPTION = 120
_STRONG_CAPTION = re.compile(
    r"^(?:toàn cảnh|quang cảnh|cảnh|các đại biểu|đại biểu|hình ảnh|ảnh|một số hình ảnh|"
    r"lãnh đạo|ban lãnh đạo|đồng chí|các đồng chí|tập thể|đoàn công tác|đoàn)\b",
    re.IGNORECASE,
)
_CAPTION_VERB = re.compile(
    r"\b(?:phát biểu|trao|tặng|chụp ảnh|chúc mừng|thăm|kiểm tra|chủ trì|báo cáo|chỉ đạo|"
    r"tham quan|nhận|khai mạc|bế mạc|cắt băng|ký kết|tại buổi|tại hội nghị|tại lễ)\b",
    re.IGNORECASE,
)
# A sentence with a subordinate clause or reported speech is prose, whatever its length.
_PROSE = re.compile(
    r"[:“\"]|\b(?:trong đó|khi|vì|nên|để|nhằm|tuy nhiên|theo đó|bởi|nếu|mặc dù|"
    r"đã được|sẽ|cho biết|khẳng định|nhấn mạnh)\b",
    re.IGNORECASE,
)
_CONNECTOR_END = re.compile(r"(?:[,–-]|\b(?:và|của|tại|với|cho|trong|các|những))$", re.IGNORECASE)
_WIDE_GAP = re.compile(r"\S(?:[ \u00a0]{4,}|\t+)\S")


def inner_sentence(text: str) -> bool:
    """Whether a sentence ends inside the line: a stop, then a capital. The stop
    of a title before a name ("TS. Nguyễn Văn An") ends nothing."""
    return bool(_INNER_SENTENCE.search(_TITLE.sub(lambda m: m[0][:-1], text)))


def words(text: str) -> int:
    return len(text.split())


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def paragraph_shaped(text: str) -> bool:
    """Unmistakably prose: a long line, or a full sentence of twelve words or more."""
    return len(text) > 200 or (words(text) >= 12 and ends_sentence(text))


def read_lines(lines: list[Line], year: int, photos_available: int = 0) -> Reading:
    """Walk the lines of one copied page; ``photos_available`` is how many photos
    wait in the article's folder (a hint for how many lines are captions)."""
    reading = Reading(title="", title_line=lines[0].number)
    lines = _without_chrome(lines, reading)
    if not lines:
        return reading
    lines = _without_page_list(lines, reading)
    start = _take_title(lines, reading)
    start = _take_dateline(lines, start, reading)
    body = _take_byline(lines[start:], reading)
    _head_author_or_byline(reading)
    _classify(body, reading, photos_available)
    _take_date(reading, year)
    reading.dropped.sort(key=lambda d: d.line)
    return reading


def _without_chrome(lines: list[Line], reading: Reading) -> list[Line]:
    """Drop the lines that are leftovers wherever they stand; strip shortcodes."""
    kept = []
    for line in lines:
        if line.block is not None or line.photos:
            kept.append(line)
            continue
        row = leftover(line.text, "anywhere")
        if row is not None:
            reading.drop(line, _(row.why))
            continue
        if INLINE_SHORTCODE.search(line.text):
            text = _SPACES.sub(" ", INLINE_SHORTCODE.sub(" ", line.text)).strip()
            if not text:
                reading.drop(line, _("website shortcode that was not turned into a picture"))
                continue
            reading.problem(line.number, "note", _("website shortcode removed from the line"))
            line = replace(line, text=text, markup=None)
        kept.append(line)
    return kept


def _without_page_list(lines: list[Line], reading: Reading) -> list[Line]:
    """The page's list of other articles ("Các mục khác", "Tin khác") and all
    after it are the tail of the page — but only once the article has begun."""
    seen_prose = False
    for index, line in enumerate(lines):
        if index > 0 and seen_prose and line.block is None and (row := list_heading(line.text)):
            reading.drop(line, _(row.why))
            for after in lines[index + 1 :]:
                why = _("after “{heading}”: the web page's list of other articles")
                reading.drop(after, why.format(heading=clip(line.text, 30)))
                if paragraph_shaped(after.text) and words(after.text) >= 25:
                    reading.problem(
                        after.number,
                        "warning",
                        _(
                            "a long paragraph after “{heading}” was left out with the page's "
                            "list of other articles: if it belongs to the article, delete "
                            "that line"
                        ).format(heading=clip(line.text, 30)),
                    )
            return lines[:index]
        seen_prose = seen_prose or line.block is not None or paragraph_shaped(line.text)
    return lines


def _take_title(lines: list[Line], reading: Reading) -> int:
    """The first line is the title, unless the copy begins with the site's menu
    or breadcrumb: then the title is the line just above the article's dateline
    or first paragraph, and what came before is dropped (with a warning)."""
    first_prose = next(
        (i for i, line in enumerate(lines) if line.block or paragraph_shaped(line.text)),
        len(lines),
    )
    head = lines[:first_prose]
    menu_like = [line for line in head if leftover(line.text, "head")]
    short_run = (  # a menu: several one-to-four-word links before the article's prose
        first_prose < len(lines)
        and len(head) >= 4
        and all(words(line.text) <= 4 and not ends_sentence(line.text) for line in head[:3])
    )
    index = 0
    if menu_like or short_run:
        anchor = next(
            (i for i, line in enumerate(head) if _dateline(line.text) is not None),
            first_prose,
        )
        candidates = [
            i for i in range(anchor) if not leftover(lines[i].text, "head") and not lines[i].photos
        ]
        index = candidates[-1] if candidates else 0
        for line in lines[:index]:
            row = leftover(line.text, "head")
            reading.drop(line, _(row.why) if row else _("website text before the title"))
        if index:
            reading.problem(
                lines[index].number,
                "warning",
                _(
                    "the copy begins with text from the web page (menu, breadcrumb): "
                    "the title was taken from line {line}"
                ).format(line=lines[index].number),
            )
    title = lines[index]
    reading.title, reading.title_line = title.text, title.number
    return index + 1


def _take_dateline(lines: list[Line], start: int, reading: Reading) -> int:
    """Under the title: a repeat of the title (dropped), then perhaps the page's
    dateline ("Thứ Sáu, ngày 03/11/2023", "Thu Hà 14:05, 08/11/2023"): the date."""
    for _round in range(3):
        if start >= len(lines) or lines[start].block or lines[start].photos:
            break
        line = lines[start]
        if line.text.casefold() == reading.title.casefold():
            reading.drop(line, _("repeats the title"))
        elif reading.date is None and (found := _dateline(line.text)) is not None:
            date, author = found
            reading.date, reading.date_from, reading.date_line = date, "dateline", line.number
            reading.drop(line, _("the article's dateline: read as its date"))
            if author:
                reading.byline, reading.byline_line = author, line.number
        elif reading.byline is None and _author_line(line.text) and start + 1 < len(lines):
            reading.head_author = line
            reading.byline, reading.byline_line = _AUTHOR_LABEL.sub("", line.text), line.number
        else:
            break
        start += 1
    return start


_AUTHOR_LABEL = re.compile(r"^(?:tác giả|người viết|bài viết)\s*:\s*", re.IGNORECASE)


def _author_line(text: str) -> bool:
    """An author's line as some sites set it under the title: "Tác giả: Thu Hà", "Đ.L"."""
    return bool(_AUTHOR_LABEL.match(text)) or is_byline(text)


def _head_author_or_byline(reading: Reading) -> None:
    """The author's line under the title is the byline, unless the article ends
    with one: then the line under the title is dropped, with that reason."""
    head = reading.head_author
    if head is not None and reading.byline_line != head.number:
        reading.drop(head, _("the author's line under the title: the byline at the end is printed"))


_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cn|t[2-7])"
_DATELINE_NOISE = re.compile(
    rf"{_WEEKDAY}|\b\d{{1,2}}\s*[:hg]\s*\d{{2}}(?:\s*(?:am|pm|sa|ch))?\b|\bgmt\s*[+-]\s*\d+|"
    r"\b(?:ngày|cập nhật|đăng|ngày đăng|lúc|giờ|đăng lúc|thời gian)\b|[|,:()\-–—/]",
    re.IGNORECASE,
)


def _dateline(text: str) -> tuple[FoundDate, str | None] | None:
    """A line that is a date and little else: the date, and an author's name
    where the page puts one before the time."""
    if len(text) > 90:
        return None
    # Any year will do for the search: a dateline names its own year, so a date
    # without one is not a dateline.
    dates = [d for d in find_dates(text, 2000) if not d.year_assumed]
    if len(dates) != 1:
        return None
    rest = re.sub(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}", " ", text)
    rest = re.sub(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}", " ", rest, flags=re.I)
    rest = " ".join(_DATELINE_NOISE.sub(" ", rest).split())
    if not rest:
        return dates[0], None
    names = rest.split()
    if (
        len(names) <= 5
        and all(w[:1].isupper() for w in names)
        and not any(c.isdigit() for c in rest)
    ):
        return dates[0], rest
    return None


def _take_byline(body: list[Line], reading: Reading) -> list[Line]:
    """After the last paragraph: the author's line, then the site's footer and
    other leftovers, all dropped with their reason. Returns the body without them."""
    last_prose = max(
        (i for i, line in enumerate(body) if line.block or paragraph_shaped(line.text)),
        default=-1,
    )
    if last_prose < 0:
        last_prose = max(len(body) - 2, -1)  # only short lines: the last may be the byline
    trailing = body[last_prose + 1 :]
    footer = next(
        (i for i, line in enumerate(trailing) if leftover(line.text, "tail")), len(trailing)
    )
    for line in trailing[footer:]:
        row = leftover(line.text, "tail")
        reading.drop(line, _(row.why) if row else _("after the site's footer"))
    trailing = trailing[:footer]
    byline_at = next(
        (
            i
            for i in range(len(trailing) - 1, -1, -1)
            if is_byline(trailing[i].text) and all(_tail_like(t.text) for t in trailing[i + 1 :])
        ),
        None,
    )
    if byline_at is None:
        return body[: last_prose + 1] + trailing
    line = trailing[byline_at]
    reading.byline, reading.byline_line = line.text, line.number
    for after in trailing[byline_at + 1 :]:
        reading.drop(after, _("after the author's line: text of the web page"))
    return body[: last_prose + 1] + trailing[:byline_at]


def _tail_like(text: str) -> bool:
    """Short and not a sentence: a site name, a slogan, a stray word."""
    return words(text) <= 10 and not ends_sentence(text)


_INITIALS = re.compile(r"^(?:[^\W\d_]{1,3}\s?\.\s?){1,4}[^\W\d_]{0,3}\.?$")
_BYLINE_PREFIX = re.compile(
    r"^(?:tin|ảnh|bài|tin và ảnh|tin, ảnh|tin ảnh|tin & ảnh|bài và ảnh|bài, ảnh|bài & ảnh|"
    r"nguồn|thực hiện|nhóm phóng viên|phóng viên|pv|ctv)\s*[:–-]\s*(?P<who>\S.*)$",
    re.IGNORECASE,
)
_BYLINE_BARE = re.compile(r"^(?:tin|ảnh|bài|tin và ảnh|tin ảnh)\s+(?P<who>\S.*)$", re.IGNORECASE)
_THEO = re.compile(r"^theo\s+(?P<who>\S.*?)\.?$", re.IGNORECASE)
# The site's owner ("Viện Khoa học Công nghệ Mỏ") is the page's chrome, not its author;
# a unit inside it ("Phòng Quản lý Khoa học", "Công đoàn Viện") often is the author.
_ORGANISATION = re.compile(
    r"^(?:viện|công ty|tập đoàn|tổng công ty|trung tâm|trường|bộ|sở|hội|website|trang)\b",
    re.IGNORECASE,
)
_UNIT = re.compile(
    r"^(?:phòng|văn phòng|ban|công đoàn|đoàn thanh niên|chi đoàn|chi bộ|đảng ủy|đảng uỷ|"
    r"tổ|xưởng|bộ phận|nhóm)\s+\S",
    re.IGNORECASE,
)


def is_byline(text: str) -> bool:
    """The author's line: initials ("Đ.L"), "Tin, ảnh: Thu Hà", "Theo Báo Công
    Thương", or a person's name — never a sentence, a site's name or a caption."""
    core = re.sub(r"\s*\([^()]*\)$", "", text).strip()  # "Đ.L (Phòng TH)"
    if not core or len(core) > 60:
        return False
    if _INITIALS.match(core):
        return core.replace(".", "").replace(" ", "").isupper()
    if match := _BYLINE_PREFIX.match(core):
        who = match["who"]
        source = core.casefold().startswith(("nguồn", "theo"))
        return _who(who) or (source and _source(who))
    if match := _BYLINE_BARE.match(core):  # "Tin Văn phòng", "Ảnh Thu Hà"
        return _source(match["who"]) and words(core) <= 6
    if match := _THEO.match(core):
        who = match["who"]
        return "," not in core and words(core) <= 8 and (_who(who) or bool(_DOMAIN.match(who)))
    if _UNIT.match(core):
        return core[0].isupper() and words(core) <= 8 and not ends_sentence(core)
    return _person(core)


_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)


def _source(text: str) -> bool:
    """A unit or paper as a source ("Văn phòng Đảng ủy"): capitalised, short, no sentence."""
    return text[:1].isupper() and words(text) <= 6 and not ends_sentence(text) and "," not in text


def _who(text: str) -> bool:
    """Who wrote or photographed: initials, a name, or a capitalised source
    ("Báo Công Thương") — not a caption ("Toàn cảnh hội nghị")."""
    text = re.split(r"\s+[–-]\s+", text.strip().rstrip("."))[0]
    if _INITIALS.match(text):
        return True
    parts = text.split()
    return 1 <= len(parts) <= 6 and all(p[0].isupper() or p[0].isdigit() for p in parts)


def _person(text: str) -> bool:
    """Two to five capitalised words, as Vietnamese names are: "Nguyễn Thu Hà"."""
    name = re.split(r"\s+[–-]\s+", text)[0]
    parts = name.split()
    return (
        2 <= len(parts) <= 5
        and all(p[0].isupper() and p.isalpha() for p in parts)
        and not _ORGANISATION.match(name)
        and not _CAPTION_VERB.search(name)
    )


def _classify(body: list[Line], reading: Reading, photos_available: int) -> None:
    """Each body line becomes a paragraph, heading, list item or caption; Word's
    own headings, lists and tables stay what they are; pictures take the caption
    under them; a caption wrapped over two lines is one caption."""
    uses_gaps = sum(not line.gap_before for line in body) < len(body) / 2
    pending: list[Photo] = []
    for position, line in enumerate(body):
        if line.photos:
            reading.parts += [Part("photo", [line.number], [""], photo=p) for p in pending]
            pending = list(line.photos)
            if not line.text:
                continue
        if line.block is not None:
            _flush(pending, reading)
            pending = []
            reading.parts.append(Part("block", [line.number], [line.text], markup=line.block))
            continue
        kind, weak = _kind(line.text, first=position == 0)
        if pending and kind in ("caption", "paragraph") and (kind == "caption" or weak):
            reading.parts.append(Part("photo", [line.number], [line.text], photo=pending.pop(0)))
            _flush(pending, reading)
            pending = []
            continue
        _flush(pending, reading)
        pending = []
        _add(reading, line, kind, weak, uses_gaps)
    _flush(pending, reading)
    _promote_weak_captions(reading, photos_available)
    if not any(p.kind in ("paragraph", "block", "heading", "list") for p in reading.parts):
        for part in reading.parts:  # only short lines: they are the text
            if part.kind == "caption":
                part.kind = "paragraph"


def _flush(pending: list[Photo], reading: Reading) -> None:
    line = reading.parts[-1].lines[-1] if reading.parts else reading.title_line
    reading.parts += [Part("photo", [line], [""], photo=p) for p in pending]


def _kind(text: str, first: bool) -> tuple[Kind, bool]:
    """What one line of body text is, and whether that is only a guess that
    the photos must confirm (a short sentence that reads like a caption)."""
    if _LIST_ITEM.match(text):
        return "list", False
    if _heading(text):
        return "heading", False
    if ends_sentence(text):
        if _caption_shaped(text):
            return ("caption", False) if _STRONG_CAPTION.match(text) else ("paragraph", True)
        return "paragraph", False
    if len(text) > _MAX_CAPTION or inner_sentence(text) or words(text) > 30:
        return "paragraph", False
    if first and words(text) >= 12 and find_dates(text, 2000):
        return "paragraph", False  # a lead paragraph that lost its full stop
    return "caption", False


def _heading(text: str) -> bool:
    """A numbered subhead ("II. NHIỆM VỤ TRỌNG TÂM", "1. Về sản xuất", "a) Kết quả")
    or a short line in capitals."""
    if len(text) > 120 or ends_sentence(text.rstrip(":")):
        return False
    if _NUMBERED.match(text):
        return True
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and words(text) >= 2 and all(c.isupper() for c in letters)


def _caption_shaped(text: str) -> bool:
    """A caption that ends with a full stop: short, one sentence, a noun phrase
    ("Quang cảnh buổi sinh hoạt.") or a "who does what" line ("Đồng chí A phát
    biểu tại Hội nghị."), never reported speech or a subordinate clause."""
    body = text.rstrip(".…")
    return (
        len(text) <= _MAX_WEAK_CAPTION
        and not inner_sentence(body)
        and not _PROSE.search(body)
        and not ends_sentence(body)
        and bool(_STRONG_CAPTION.match(text) or _CAPTION_VERB.search(text))
    )


def _add(reading: Reading, line: Line, kind: Kind, weak: bool, uses_gaps: bool) -> None:
    previous = reading.parts[-1] if reading.parts else None
    if kind == "list" and previous is not None and previous.kind == "list":
        previous.lines.append(line.number)
        previous.texts.append(_LIST_ITEM.sub("", line.text))
        return
    if kind == "list":
        reading.parts.append(Part("list", [line.number], [_LIST_ITEM.sub("", line.text)]))
        return
    if kind == "caption" and _wrapped(previous, line, uses_gaps):
        assert previous is not None
        previous.lines.append(line.number)
        previous.texts.append(line.text)
        reading.problem(
            line.number, "note", _("joined to the caption above: one caption over two lines")
        )
        return
    if kind == "caption" and _WIDE_GAP.search(line.raw):
        pieces = [p.strip() for p in re.split(r"[ \u00a0]{4,}|\t+", line.raw.strip()) if p.strip()]
        reading.problem(
            line.number,
            "warning",
            _("{n} captions on one line, split apart: check them").format(n=len(pieces)),
        )
        reading.parts += [Part("caption", [line.number], [" ".join(p.split())]) for p in pieces]
        return
    if kind == "caption":
        _check_spelling(reading, line)
    reading.parts.append(Part(kind, [line.number], [line.text], markup=line.markup, weak=weak))


def _wrapped(previous: Part | None, line: Line, uses_gaps: bool) -> bool:
    """A caption the copy broke over two lines: no blank line between, in a
    copy that sets blank lines between paragraphs, and the break falls mid-phrase."""
    return (
        previous is not None
        and previous.kind == "caption"
        and previous.photo is None
        and uses_gaps
        and not line.gap_before
        and (line.text[:1].islower() or bool(_CONNECTOR_END.search(previous.texts[-1])))
    )


def _check_spelling(reading: Reading, line: Line) -> None:
    """A caption typed without its diacritics, or with Telex keys left in it."""
    if words(line.text) < 3:
        return
    plausible = plausibility(line.text)
    if plausible.score < 0.6 or plausible.diacritics < 0.15:
        reading.problem(
            line.number,
            "warning",
            _("this caption looks garbled (missing diacritics or Telex keys): check it"),
        )


def _promote_weak_captions(reading: Reading, photos_available: int) -> None:
    """Short "who does what" sentences are captions only when the article's
    folder holds more photos than the sure captions, and only where a photo
    stands on a page: between two longer paragraphs. Then, in order, as many
    as there are photos left."""
    sure = sum(1 for p in reading.parts if p.kind == "caption")
    spare = photos_available - sure
    parts = reading.parts
    for index, part in enumerate(parts):
        if not part.weak or spare <= 0 or not _between_paragraphs(parts, index):
            continue
        part.kind, part.weak, spare = "caption", False, spare - 1
        reading.problem(
            part.lines[0],
            "note",
            _("read as a caption: the article's folder has photos for it"),
        )


def _between_paragraphs(parts: list[Part], index: int) -> bool:
    """Where a photo stands: between two longer paragraphs, or after another
    photo's sure caption (two photos in a row) and before a longer paragraph."""
    if index == 0 or index + 1 >= len(parts):
        return False
    length = len(parts[index].text)

    def longer(part: Part) -> bool:
        return part.kind == "paragraph" and len(part.text) > 2 * length

    before, after = parts[index - 1], parts[index + 1]
    return (longer(before) or (before.kind == "caption" and not before.weak)) and longer(after)


def _take_date(reading: Reading, year: int) -> None:
    """The dateline's date; else the event date of the first paragraph (not a
    document's reference); else a date in the title. An assumed year is said."""
    if reading.date is None:
        first = next((p for p in reading.parts if p.kind == "paragraph"), None)
        found = event_date(first.text, year) if first else None
        if found is not None and first is not None:
            reading.date, reading.date_from, reading.date_line = (
                found,
                "first-paragraph",
                first.lines[0],
            )
        elif (found := event_date(reading.title, year)) is not None:
            reading.date, reading.date_from, reading.date_line = (
                found,
                "title",
                reading.title_line,
            )
    found = reading.date
    if found is None:
        return
    if found.year_assumed:
        reading.problem(
            reading.date_line,
            "note",
            _("the date has no year: {year} assumed from the month's folder").format(year=year),
        )
    if found.reference:
        reading.problem(
            reading.date_line,
            "warning",
            _("the only date found is a document's date ({date}): check the article's date").format(
                date=found.date.strftime("%d/%m/%Y")
            ),
        )


def lines_of(text: str) -> list[Line]:
    """The non-blank lines of a text file, numbered as an editor numbers them,
    white space folded (a no-break space beside a space is one space)."""
    lines: list[Line] = []
    gap = True
    for number, raw in enumerate(text.split("\n"), 1):
        folded = _SPACES.sub(" ", raw.replace("\u200b", "").replace("\ufeff", "")).strip()
        if not folded:
            gap = True
            continue
        lines.append(Line(number, folded, raw=raw, gap_before=gap))
        gap = False
    return lines


_SPACES = re.compile(r"\s{2,}|[^\S\u00a0]")


def article_from(
    path: Path, reading: Reading, photos: list[Photo], context: ReadContext
) -> Article:
    """The Article a reading makes (caption lines take ``photos`` in order); the
    reading's guesses go to the context, to be shown by ``read`` and ``check``."""
    for line, level, message in reading.problems:
        context.report(path, message, line, level)
    body = blocks_of(reading, photos)
    if not any(block.text or getattr(block, "photo", None) for block in body):
        raise fail(path, _("only a title, no article text"), reading.title_line)
    return Article(
        source=path,
        title=reading.title,
        body=tuple(body),
        date=reading.date.date if reading.date else None,
        author=reading.byline,
        dropped=tuple(reading.dropped),
        date_from=reading.date_from,
    )


def blocks_of(reading: Reading, photos: list[Photo]) -> list[Block]:
    """The article's body: parts become safe HTML blocks and figures; caption
    lines take the folder's photos in order; photos left over come last."""
    waiting = list(photos)
    blocks: list[Block] = []
    for part in reading.parts:
        line = part.lines[0]
        if part.kind == "caption":
            photo = waiting.pop(0) if waiting else None
            blocks.append(Figure(caption=part.text, photo=photo, line=line))
        elif part.kind == "photo":
            blocks.append(Figure(caption=part.text, photo=part.photo, line=line))
        elif part.kind == "block":
            blocks.append(Html(part.markup or "", line=line))
        elif part.kind == "list":
            items = "".join(f"<li>{_escape(t)}</li>" for t in part.texts)
            blocks.append(Html(f"<ul>{items}</ul>", line=line))
        elif part.kind == "heading":
            blocks.append(Html(f"<h3>{_escape(part.text)}</h3>", line=line))
        else:
            blocks.append(Html(part.markup or f"<p>{_escape(part.text)}</p>", line=line))
    blocks += [Figure(caption="", photo=photo) for photo in waiting]
    return blocks


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
