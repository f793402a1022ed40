"""The ``make`` pipeline: collect → read → issue → layout → render → write.

Each stage lives in its own module; this one only walks the data through
them, reports progress, and turns gathered problems into one user error.
The render stage runs in a worker process (``bulletin/worker.py``), started
first so that it loads WeasyPrint while this one reads the month.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Protocol

from bulletin import pagerefs
from bulletin.archive import project_files
from bulletin.check import MonthCheck, check_month, locate
from bulletin.collect import Month, month_folders
from bulletin.config import Settings, config_problem
from bulletin.errors import (
    BulletinError,
    Problem,
    ProblemsError,
    SourceError,
    display_folder,
    display_path,
)
from bulletin.i18n import _, ngettext
from bulletin.model import Article, Issue, Photo
from bulletin.output import atomic_output
from bulletin.serve import ServedRenderer, ServerRenderer, renderer_for
from bulletin.worker import Job, Renderer, Result


class Reporter(Protocol):
    """Where the pipeline tells the user what it does."""

    def stage(self, message: str) -> None: ...

    def detail(self, message: str) -> None: ...

    def warning(self, problem: Problem) -> None: ...

    def progress(self, label: str, done: int, total: int) -> None: ...


class Silent:
    """The reporter of library use: says nothing."""

    def stage(self, message: str) -> None:
        pass

    def detail(self, message: str) -> None:
        pass

    def warning(self, problem: Problem) -> None:
        pass

    def progress(self, label: str, done: int, total: int) -> None:
        pass


def today() -> date:
    """The build date; ``SOURCE_DATE_EPOCH`` fixes it for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (OverflowError, OSError, ValueError):  # beyond the year 9999
            raise BulletinError(
                _("SOURCE_DATE_EPOCH={value} is not a time this tool can print").format(
                    value=epoch[:30]
                )
            ) from None
    return date.today()


def issue_number(settings: Settings, month: Month) -> int:
    """From ``first_month``/``first_number`` in the config, else counted from the
    oldest month folder present."""
    config = settings.bulletin
    if config.first_month:
        first = Month.parse(config.first_month)
        if first is None:
            message = _("bulletin.first_month must look like 2023-01")
            raise SourceError(config_problem(settings, "first_month", message))
        number = config.first_number + month.months_since(first)
        if number < 1:
            message = _("month {month} is before bulletin.first_month {first}").format(
                month=month, first=first
            )
            raise SourceError(config_problem(settings, "first_month", message))
        return number
    folders = [Month.parse(p.name) for p in month_folders(settings.articles_path)]
    earliest = min((m for m in folders if m is not None and m <= month), default=month)
    return config.first_number + month.months_since(earliest)


def make_issue(settings: Settings, source: MonthCheck) -> Issue:
    """The issue as printed: the lead story first, categories filled in, dated."""
    from bulletin.edition import arrange, issue_date

    year, month = source.month.year, source.month.month
    return Issue(
        year=year,
        month=month,
        number=issue_number(settings, source.month),
        articles=tuple(arrange(source.articles, settings, source.folder)),
        issued=issue_date(settings, year, month, today()),
    )


def refuse_incompatible(layout: str, booklet: bool, archive: bool, pick: int | None) -> None:
    """Option pairs that cannot make one sensible PDF are refused before any work:
    a booklet is the A5 issue folded (not a poster, and not the archive copy,
    which is the A4 issue as published); ``--pick`` chooses a poster's articles."""
    if booklet and layout == "poster":
        raise BulletinError(
            _("--booklet and --layout poster cannot be combined: make them one by one")
        )
    if archive and (booklet or layout == "poster"):
        raise BulletinError(
            _("--archive keeps the issue as published: it cannot be a booklet or a poster")
        )
    if pick is not None and layout != "poster":
        raise BulletinError(_("--pick chooses the poster's articles: use it with --layout poster"))


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    pages: int
    seconds: float
    month: str
    folder: Path


VARIANTS = ("print", "email")


def output_name(settings: Settings, issue: Issue, variant: str, kind: str = "") -> Path:
    """``out/ban-tin-YYYY-MM[-a3|-booklet|-archive][-email].pdf``."""
    suffix = (f"-{kind}" if kind else "") + ("-email" if variant == "email" else "")
    return settings.out_path / f"ban-tin-{issue.key}{suffix}.pdf"


def output_kind(settings: Settings, booklet: bool, archive: bool) -> str:
    if booklet:
        return "booklet"
    if archive:
        return "archive"
    return "a3" if settings.layout == "poster" else ""


def build(
    settings: Settings,
    *,
    month: Month | None = None,
    articles: Path | None = None,
    out: Path | None = None,
    variant: str = "print",
    keep_html: bool = False,
    strict: bool = False,
    skip_bad: bool = False,
    booklet: bool = False,
    archive: bool = False,
    pick: int | None = None,
    reporter: Reporter | None = None,
    renderer: Renderer | ServerRenderer | ServedRenderer | None = None,
) -> BuildResult:
    """Make the month's bulletin PDF; raise a BulletinError on any user error.

    ``renderer``: a worker started earlier (``preview --watch`` keeps one ready);
    by default the project's render server (``bulletin serve``) when it answers,
    else a worker started now, which loads WeasyPrint while the month is read.
    """
    from bulletin.i18n import current_language
    from bulletin.layout import layout_dirs, render_html

    started = time.perf_counter()
    reporter = reporter or Silent()
    refuse_incompatible(settings.layout, booklet, archive, pick)
    folders = layout_dirs(settings, settings.layout)  # a mistyped name, before any work
    if booklet:
        settings = settings.override(page_size="a5")
    with renderer or renderer_for(settings.root) as worker:
        source = read_month(settings, month, articles, strict, skip_bad, reporter)
        issue = make_issue(settings, source)
        cache = settings.out_path / ".cache" / "photos"
        issue, urls = prepare_photos_or_skip(
            settings, issue, folders, variant, cache, reporter, skip_bad
        )
        fit_poster, month_total = False, len(issue.articles)
        if settings.layout == "poster":
            from bulletin.edition import poster_choice

            chosen, by_user = poster_choice(issue.articles, pick)
            issue, fit_poster = dataclasses.replace(issue, articles=tuple(chosen)), not by_user
        count = len(issue.articles)
        reporter.stage(
            ngettext("Laying out {n} article", "Laying out {n} articles", count).format(n=count)
        )
        html = render_html(issue, settings, settings.layout, urls, booklet=booklet)
        kind = output_kind(settings, booklet, archive)
        target = out or output_name(settings, issue, variant, kind)
        memo = str(target.resolve())  # the contents' page numbers are remembered per output
        if keep_html:
            _keep(html, target)
        job = Job(
            html,
            base=folders[0],
            allowed=(source.folder, cache, *folders),
            language=current_language(),
            booklet=booklet,
            archive_of=source.folder if kind == "archive" else None,
            archive_project=tuple(
                project_files(settings.root, settings.config_file, settings.bulletin.logo)
                if kind == "archive"
                else ()
            ),
            page_guesses=pagerefs.remembered(memo),
        )
        result = _checked(worker.run(job))
        lead_late = False
        if booklet and result.cover_blank is not None and result.cover_blank > COVER_GAP:
            reporter.detail(_("Filling the foot of the booklet's cover"))
            late = render_html(issue, settings, settings.layout, urls, booklet=True, lead_late=True)
            moved = _rerun(job, late, settings.root)
            fuller = (moved.cover_blank or 0.0) < result.cover_blank / 2
            if fuller and moved.pages <= result.pages:
                html, result, lead_late = late, moved, True
        if booklet and result.pages % 4:
            reporter.detail(_("Filling the booklet's last pages"))
            html_for = partial(
                render_html,
                issue,
                settings,
                settings.layout,
                urls,
                booklet=True,
                lead_late=lead_late,
            )
            result = _fill_booklet(result.pages, job, settings.root, html_for)
        if not booklet and result.last_fill is not None and result.last_fill < SPARSE:
            reporter.detail(_("Laying the issue out tighter to save its sparse last page"))
            tight = render_html(issue, settings, settings.layout, urls, tight=True)
            tighter = _rerun(job, tight, settings.root)
            html, result = (tight, tighter) if tighter.pages < result.pages else (html, result)
        if fit_poster and result.pages > 1:
            issue = dataclasses.replace(issue, articles=_on_first_page(issue, result.pdf))
            html = render_html(issue, settings, settings.layout, urls)
            result = _rerun(job, html, settings.root)
        if settings.layout == "poster" and len(issue.articles) < month_total:
            message = _(
                "The poster shows {shown} of the month's {total} articles: "
                "--pick N, or 'poster: true' in an article, chooses them"
            ).format(shown=len(issue.articles), total=month_total)
            reporter.warning(Problem(None, message, None, "warning"))
    if keep_html and html != job.html:  # laid out again: the page the PDF was made from
        _keep(html, target)
    if result.page_numbers and result.page_numbers != job.page_guesses:
        pagerefs.remember(memo, result.page_numbers)
    pages = result.pages // 2 if booklet else result.pages  # the PDF's pages: sheet sides
    reporter.stage(_("Writing {path}").format(path=display_path(target)))
    with atomic_output(target) as temporary:
        temporary.write_bytes(result.pdf)
    seconds = time.perf_counter() - started
    return BuildResult(target, pages, seconds, issue.key, source.folder)


def _keep(html: str, target: Path) -> None:
    """``--keep-html``: the page beside the PDF (written before the render too, so
    that a render that fails leaves it to look at)."""
    with atomic_output(target.with_suffix(".html")) as temporary:
        temporary.write_text(html, encoding="utf-8")


SPREADS = (2, 1)  # the booklet's roomier layouts, tried in this order (size-a5.css)
# A booklet cover whose foot is blank over this share of the page (its lead photo did
# not fit under the sapo) is laid out again with the photo after the first paragraph.
COVER_GAP = 0.08  # about four lines of the A5 page
# A last page whose columns are used less than this (the end of an article and the
# editorial box) is worth one more layout, a little tighter, that may save it.
SPARSE = 0.25


def _fill_booklet(pages: int, job: Job, root: Path, html_for: Callable[..., str]) -> Result:
    """The booklet of ``pages`` on the next multiple of four pages. Blank pages
    before the back cover are what an editor avoids: the booklet is laid out
    roomier (more open text, larger photos), the roomiest way that fits and
    needs fewer blank pages; what that leaves is padded with blank pages. One
    blank page (the inside back cover) is left as it is."""
    sheets = pages + -pages % 4
    for spread in SPREADS if sheets - pages > 1 else ():
        result = _rerun(job, html_for(spread=spread), root)
        pad = sheets - result.pages
        if 0 <= pad < sheets - pages:  # it fits, with fewer blank pages
            return result if pad == 0 else _rerun(job, html_for(spread=spread, pad_pages=pad), root)
    return _rerun(job, html_for(pad_pages=sheets - pages), root)


def _rerun(job: Job, html: str, root: Path) -> Result:
    """A second render (booklet padding, poster fitting), by the server or a fresh
    worker: the first one served its one job."""
    with renderer_for(root) as worker:
        return _checked(worker.run(dataclasses.replace(job, html=html)))


def _checked(result: Result) -> Result:
    if result.error:
        raise BulletinError(result.error)
    if result.crash:
        raise RuntimeError(f"the render worker failed:\n{result.crash}")
    return result


def _on_first_page(issue: Issue, pdf: bytes) -> tuple[Article, ...]:
    """The poster's articles whose card (one bookmark each) landed on page 1: those
    that fit on the one A3 page, the lead story at least."""
    import io

    from pypdf import PdfReader
    from pypdf.generic import Destination

    reader = PdfReader(io.BytesIO(pdf))
    first = sum(
        1
        for item in reader.outline
        if isinstance(item, Destination) and reader.get_destination_page_number(item) == 0
    )
    return issue.articles[: max(first, 1)]


def prepare_photos(
    settings: Settings,
    issue: Issue,
    folders: list[Path],
    variant: str,
    cache: Path,
    reporter: Reporter,
) -> dict[Photo, str]:
    """Every photo processed for the variant (in threads), as file URLs for the layout."""
    from bulletin import photos
    from bulletin.layout import layout_options

    if any(a.lead for a in issue.articles):
        reporter.stage(_("Preparing photos"))
    box = layout_options(folders).photo_box
    target = photos.target_for(settings.photos, variant, *box)
    label = _("Photos")
    return photos.prepare_all(
        issue.articles, target, cache, lambda done, total: reporter.progress(label, done, total)
    )


def prepare_photos_or_skip(
    settings: Settings,
    issue: Issue,
    folders: list[Path],
    variant: str,
    cache: Path,
    reporter: Reporter,
    skip_bad: bool,
) -> tuple[Issue, dict[Photo, str]]:
    """The photos prepared; with ``skip_bad``, an article whose photo turns out damaged
    only when decoded is left out, as a bad article found while reading would be."""
    try:
        return issue, prepare_photos(settings, issue, folders, variant, cache, reporter)
    except ProblemsError as error:
        if not skip_bad:
            raise
        bad = {problem.path for problem in error.problems}
        for problem in error.problems:
            reporter.warning(_left_out(problem))
    kept = tuple(a for a in issue.articles if a.source not in bad)
    if not kept:
        folder = display_path(issue.articles[0].source.parent)
        raise BulletinError(_("{folder}: no usable article").format(folder=folder))
    issue = dataclasses.replace(issue, articles=kept)
    return issue, prepare_photos(settings, issue, folders, variant, cache, reporter)


def _left_out(problem: Problem) -> Problem:
    return Problem(
        problem.path,
        _("left out: {message}").format(message=problem.message),
        problem.line,
        "warning",
    )


def read_month(
    settings: Settings,
    month: Month | None,
    articles: Path | None,
    strict: bool,
    skip_bad: bool,
    reporter: Reporter,
) -> MonthCheck:
    """The checked month; stop on any error unless ``skip_bad`` leaves those articles out."""
    folder, _month = locate(settings, month, articles)
    reporter.stage(_("Reading {folder}").format(folder=display_folder(folder)))
    checked = check_month(settings, month, articles, today().year, strict, decode_photos=False)
    if checked.errors and not skip_bad:
        raise ProblemsError(checked.errors)
    for problem in checked.errors:
        reporter.warning(_left_out(problem))
    checked = checked.without_bad_articles()
    if not checked.articles:
        raise BulletinError(
            _("{folder}: no usable article").format(folder=display_folder(checked.folder))
        )
    for article in checked.articles:
        reporter.detail(f"  {display_path(article.source)}: {article.title}")
    for problem in checked.warnings:
        reporter.warning(problem)
    return checked
