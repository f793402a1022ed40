"""The ``make`` pipeline: collect → read → issue → layout → render → write.

Each stage lives in its own module; this one only walks the data through
them, reports progress, and turns gathered problems into one user error.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from bulletin.check import MonthCheck, check_month, locate
from bulletin.collect import Month, month_folders
from bulletin.config import Settings
from bulletin.errors import BulletinError, Problem, ProblemsError, display_path
from bulletin.i18n import _, ngettext
from bulletin.model import Issue
from bulletin.output import atomic_output


class Reporter(Protocol):
    """Where the pipeline tells the user what it does."""

    def stage(self, message: str) -> None: ...

    def detail(self, message: str) -> None: ...

    def warning(self, problem: Problem) -> None: ...


class Silent:
    """The reporter of library use: says nothing."""

    def stage(self, message: str) -> None:
        pass

    def detail(self, message: str) -> None:
        pass

    def warning(self, problem: Problem) -> None:
        pass


def today() -> date:
    """The build date; ``SOURCE_DATE_EPOCH`` fixes it for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def issue_number(settings: Settings, month: Month) -> int:
    """From ``first_month``/``first_number`` in the config, else counted from the
    oldest month folder present."""
    config = settings.bulletin
    if config.first_month:
        first = Month.parse(config.first_month)
        if first is None:
            raise BulletinError(_("bulletin.first_month must look like 2023-01"))
        number = config.first_number + month.months_since(first)
        if number < 1:
            raise BulletinError(
                _("month {month} is before bulletin.first_month {first}").format(
                    month=month, first=first
                )
            )
        return number
    folders = [Month.parse(p.name) for p in month_folders(settings.articles_path)]
    earliest = min((m for m in folders if m is not None and m <= month), default=month)
    return config.first_number + month.months_since(earliest)


def make_issue(settings: Settings, source: MonthCheck) -> Issue:
    return Issue(
        year=source.month.year,
        month=source.month.month,
        number=issue_number(settings, source.month),
        articles=source.articles,
        issued=today(),
    )


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


@contextmanager
def rare_collections() -> Iterator[None]:
    """Run Python's cyclic garbage collector rarely while a bulletin is built.

    Laying out a month creates millions of small objects that all live until the
    PDF is written. At the default rhythm (every 700 allocations) the collector
    scans them over a hundred times: about 5 % of a 20-article build, for nothing
    to free. Reference counting still frees everything else at once, and peak
    memory does not move (benchmarks/README.md). The old rhythm comes back after.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


@rare_collections()
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
    reporter: Reporter | None = None,
) -> BuildResult:
    """Make the month's bulletin PDF; raise a BulletinError on any user error."""
    from bulletin import photos
    from bulletin.layout import layout_dirs, layout_options, render_html

    started = time.perf_counter()
    reporter = reporter or Silent()
    if booklet:
        settings = settings.override(page_size="a5")
    source = read_month(settings, month, articles, strict, skip_bad, reporter)
    issue = make_issue(settings, source)
    folders = layout_dirs(settings, settings.layout)
    box = layout_options(folders).photo_box
    cache = settings.out_path / ".cache" / "photos"
    if any(a.lead for a in issue.articles):
        reporter.stage(_("Preparing photos"))
    jobs = photos.PhotoJobs(
        issue.articles, photos.target_for(settings.photos, variant, *box), cache
    )
    try:
        from bulletin import render  # imports WeasyPrint (0.4 s) while photos are processed

        urls = jobs.urls()
    finally:
        jobs.cancel()
    reporter.stage(
        ngettext("Laying out {n} article", "Laying out {n} articles", len(issue.articles)).format(
            n=len(issue.articles)
        )
    )
    html = render_html(issue, settings, settings.layout, urls)
    target = out or output_name(settings, issue, variant, output_kind(settings, booklet, archive))
    if keep_html:
        with atomic_output(target.with_suffix(".html")) as temporary:
            temporary.write_text(html, encoding="utf-8")
    document = render.render(html, base=folders[0], allowed=[source.folder, cache, *folders])
    reporter.stage(_("Writing {path}").format(path=display_path(target)))
    _write(render, document, target, booklet=booklet, archive=archive, folder=source.folder)
    seconds = time.perf_counter() - started
    return BuildResult(target, len(document.pages), seconds, issue.key, source.folder)


def _write(
    render: Any, document: Any, target: Path, *, booklet: bool, archive: bool, folder: Path
) -> None:
    """The PDF as asked: imposed as a booklet, PDF/A-3b with its sources, or as laid out."""
    if booklet:
        from bulletin.impose import impose

        with atomic_output(target) as temporary:
            temporary.write_bytes(impose(document.write_pdf()))
    elif archive:
        render.write_pdf(
            document, target, pdf_variant="pdf/a-3b", attachments=render.source_attachments(folder)
        )
    else:
        render.write_pdf(document, target)


def read_month(
    settings: Settings,
    month: Month | None,
    articles: Path | None,
    strict: bool,
    skip_bad: bool,
    reporter: Reporter,
) -> MonthCheck:
    """The checked month; stop on any error unless ``skip_bad`` leaves those articles out."""
    folder, month = locate(settings, month, articles)
    reporter.stage(_("Reading {folder}").format(folder=display_path(folder)))
    checked = check_month(settings, month, folder, today().year, strict)
    if checked.errors and not skip_bad:
        raise ProblemsError(checked.errors)
    for problem in checked.errors:
        reporter.warning(
            Problem(
                problem.path,
                _("left out: {message}").format(message=problem.message),
                problem.line,
                "warning",
            )
        )
    checked = checked.without_bad_articles()
    if not checked.articles:
        raise BulletinError(
            _("{folder}: no usable article").format(folder=display_path(checked.folder))
        )
    for article in checked.articles:
        reporter.detail(f"  {display_path(article.source)}: {article.title}")
    for problem in checked.warnings:
        reporter.warning(problem)
    return checked
