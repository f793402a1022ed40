"""Read the month exactly as ``make`` does and list every problem, rendering nothing.

``bulletin check`` prints this list; ``bulletin make`` runs it first and
refuses to build on an error (or, with ``--skip-bad``, leaves the bad articles
out). Errors make an article unusable; warnings are worth a look.
"""

from __future__ import annotations

import dataclasses
import operator
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bulletin.collect import (
    Month,
    check_folder,
    find_month_folder,
    links_out,
    month_folders,
    source_files,
)
from bulletin.config import Settings
from bulletin.errors import BulletinError, Problem, clip, display_folder, display_path
from bulletin.glyphs import check_glyphs
from bulletin.i18n import _, ngettext
from bulletin.model import Article, Block, Figure
from bulletin.readers import read_articles, reader_for
from bulletin.readers.base import within
from bulletin.strays import stray_photos

MAX_TITLE = 200


@dataclass(frozen=True)
class MonthCheck:
    """The month's folder, its readable articles, and every problem found."""

    month: Month
    folder: Path
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level != "error"]

    def without_bad_articles(self) -> MonthCheck:
        """The articles with no error (``make --skip-bad``)."""
        bad = {p.path for p in self.errors}
        good = tuple(a for a in self.articles if a.source not in bad)
        return MonthCheck(self.month, self.folder, good, tuple(self.warnings))


def locate(
    settings: Settings, month: Month | None, articles: Path | None
) -> tuple[Path, Month | None]:
    """The month's folder and, when its name or ``--month`` tells, its month."""
    if articles is not None:
        folder = check_folder(articles)
    else:
        folder = find_month_folder(settings.articles_path, month)
    return folder, month or Month.parse(folder.name)


def check_month(
    settings: Settings,
    month: Month | None,
    articles: Path | None,
    year_today: int,
    strict: bool = False,
    decode_photos: bool = True,
) -> MonthCheck:
    """Every problem of the month, articles that could be read, and the month itself.

    ``decode_photos``: decode every photo whole, so that ``check`` fails on what
    ``make`` would (a PNG with damaged data has a sound header). ``make`` reads
    only the headers here: it decodes each photo once, when preparing it."""
    by_default = month is None and articles is None  # the newest month folder
    folder, month = locate(settings, month, articles)
    found, problems = read_articles(source_files(folder), month.year if month else year_today)
    problems += [
        _warning_at(link, _("a link to a file outside the month folder: not read"))
        for link in links_out(folder)
    ]
    drafts = [article for article in found if article.draft]
    found = [article for article in found if not article.draft]
    if not found and not any(p.level == "error" for p in problems):
        message = (
            _("{folder}: every article is a draft (draft: true): nothing to print")
            if drafts
            else _("{folder}: no articles (.txt, .md, .docx) in this folder")
        )
        hint = _other_month(settings, folder) if by_default else ""
        raise BulletinError(message.format(folder=display_folder(folder)) + hint)
    found = [_confined(article, folder, problems) for article in found]
    month = month or _month_of_newest(found, folder)
    problems += check_glyphs(found, strict)
    for article in found:
        problems += _article_warnings(article, month)
        problems += _photo_problems(article, decode_photos)
    problems += _duplicates(found)
    unreadable = {p.path for p in problems if p.level == "error" and p.path and reader_for(p.path)}
    problems += stray_photos(folder, found, unreadable)
    problems.sort(key=lambda p: (str(p.path), p.line or 0))  # by file, then line; stable
    return MonthCheck(month, folder, tuple(found), tuple(problems))


def _other_month(settings: Settings, chosen: Path) -> str:
    """The newest other month folder holding articles, as a hint: the month made
    by default is the newest folder, and ``bulletin init`` makes this month's,
    with only its draft sample, while the office finishes last month's issue."""
    for folder in reversed(month_folders(settings.articles_path)):
        if folder != chosen and any(reader_for(p) for p in source_files(folder)):
            return _(" (articles are in {month}: give --month {month})").format(month=folder.name)
    return ""


def _month_of_newest(articles: list[Article], folder: Path) -> Month:
    dated = [a.date for a in articles if a.date]
    if not dated:
        raise BulletinError(
            _(
                "{folder}: cannot tell the month: name the folder like 2023-11 or give --month"
            ).format(folder=display_folder(folder))
        )
    newest = max(dated)
    return Month(newest.year, newest.month)


def _warning(article: Article, message: str) -> Problem:
    return Problem(article.source, message, None, "warning")


def _warning_at(path: Path, message: str) -> Problem:
    return Problem(path, message, None, "warning")


def _confined(article: Article, folder: Path, problems: list[Problem]) -> Article:
    """The article without photos from outside the month folder or hidden in it
    (a photo folder symlinked elsewhere, ``._IMG.jpg`` left by a Mac): such a file
    is never read. Each one left out is named in a warning."""
    body: list[Block] = []
    for block in article.body:
        photo = block.photo if isinstance(block, Figure) else None
        if (
            isinstance(block, Figure)
            and isinstance(photo, Path)
            and not _allowed_photo(folder, photo)
        ):
            message = _("photo '{name}' is outside the month folder or hidden: not used")
            problems.append(_warning(article, message.format(name=display_path(photo))))
            if block.caption:
                body.append(Figure(caption=block.caption, line=block.line))
            continue
        body.append(block)
    if len(body) == len(article.body) and all(map(operator.is_, body, article.body)):
        return article
    return dataclasses.replace(article, body=tuple(body))


def _allowed_photo(folder: Path, photo: Path) -> bool:
    try:
        relative = photo.absolute().relative_to(folder.absolute())
    except ValueError:
        return False
    hidden = any(part.startswith(".") for part in relative.parts)
    return not hidden and within(folder, photo)


def _article_warnings(article: Article, month: Month) -> list[Problem]:
    found = []
    if article.date is None:
        found.append(_warning(article, _("no date found in the first paragraph")))
    elif (article.date.year, article.date.month) != (month.year, month.month):
        found.append(
            _warning(
                article,
                _("dated {date}, outside the month {month}").format(
                    date=article.date.strftime("%d/%m/%Y"), month=month
                ),
            )
        )
    if len(article.title) > MAX_TITLE:
        found.append(
            _warning(
                article,
                _("title of {n} characters: over {max}").format(
                    n=len(article.title), max=MAX_TITLE
                ),
            )
        )
    letters = [c for c in article.title if c.isalpha()]
    if len(letters) >= 12 and all(c.isupper() for c in letters):
        message = _("title in capitals: write it as a sentence, the layout sets it in bold")
        found.append(_warning(article, message))
    return found + _lost_photos(article) + _dropped_lines(article)


def _lost_photos(article: Article) -> list[Problem]:
    """Captions whose photo was lost in the copy are not printed: say which,
    and where the photos should go (a web copy's folder, or Word itself)."""
    lost = [f for f in article.figures if f.photo is None and f.caption]
    found = []
    if lost:
        lines = ", ".join(str(f.line) for f in lost if f.line)
        if article.source.suffix.lower() == ".txt":
            folder = article.source.with_suffix("").name
            places = [n for n, f in enumerate(article.figures, 1) if f.photo is None and f.caption]
            names = " ".join(f"{folder}/{n:02d}.jpg" for n in places)  # the ones still missing
            message = ngettext(
                "{n} caption has no photo (line {lines}) and is not printed: "
                "put the photos in the order of the captions as {names}",
                "{n} captions have no photo (lines {lines}) and are not printed: "
                "put the photos in the order of the captions as {names}",
                len(lost),
            ).format(n=len(lost), lines=lines, names=_shorten(names))
        else:
            message = ngettext(
                "{n} caption has no photo (paragraph {lines}) and is not printed: "
                "paste the photo above its caption",
                "{n} captions have no photo (paragraphs {lines}) and are not printed: "
                "paste each photo above its caption",
                len(lost),
            ).format(n=len(lost), lines=lines)
        found.append(Problem(article.source, message, lost[0].line, "warning"))
    bare = [f for f in article.figures if f.photo is not None and not f.caption]
    if bare and article.source.suffix.lower() == ".txt":
        found.append(
            _warning(
                article,
                ngettext(
                    "{n} photo has no caption line in the text: printed without a caption",
                    "{n} photos have no caption line in the text: printed without a caption",
                    len(bare),
                ).format(n=len(bare)),
            )
        )
    return found


def _shorten(names: str, limit: int = 3) -> str:
    parts = names.split()
    return " ".join(parts) if len(parts) <= limit else " ".join(parts[:limit]) + " …"


def _dropped_lines(article: Article) -> list[Problem]:
    """Every line the reader left out, with its reason (shown by ``check -v``)."""
    return [
        Problem(
            article.source,
            _("dropped “{text}”: {why}").format(text=clip(d.text, 60), why=d.why),
            d.line,
            "note",
        )
        for d in article.dropped
    ]


def _photo_problems(article: Article, decode: bool) -> list[Problem]:
    from bulletin.photos import inspect

    found = []
    for figure in article.figures:
        if figure.photo is not None and (message := inspect(figure.photo, decode)):
            found.append(Problem(article.source, message, figure.line))
    return found


def _duplicates(articles: list[Article]) -> list[Problem]:
    seen: dict[str, Article] = {}
    found = []
    for article in articles:
        key = unicodedata.normalize("NFC", " ".join(article.title.split())).casefold()
        if key in seen:
            found.append(
                _warning(
                    article, _("same title as {other}").format(other=display_path(seen[key].source))
                )
            )
        else:
            seen[key] = article
    return found
