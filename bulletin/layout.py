"""Lay out an Issue as one HTML document through a layout's Jinja2 templates.

A layout is a folder of templates and CSS (``layouts/<name>/``). A
``layouts/<name>/`` folder beside ``bulletin.toml`` is searched first, file by
file, so a user can override one template (or the CSS) of a built-in layout
without copying the rest — as rendercv's and MkDocs' theme loaders do.
"""

from __future__ import annotations

import base64
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bulletin import dates, pagerefs, typography
from bulletin.config import LogoError, Settings, config_problem, read_logo
from bulletin.errors import BulletinError, SourceError
from bulletin.i18n import _
from bulletin.model import Article, Figure, Html, Issue, Photo
from bulletin.private import private_subdir
from bulletin.resources import ENTRY_TEMPLATE, available_layouts, layout_folders

_LAYOUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def layout_dirs(settings: Settings, name: str) -> list[Path]:
    """The folders searched for a layout's files, the user's first."""
    if not _LAYOUT_NAME.match(name):  # "classic/../poster", "/etc": a name, not a path
        raise BulletinError(
            _("Unknown layout '{name}' (built-in: {names})").format(
                name=name, names=", ".join(available_layouts())
            )
        )
    found = layout_folders(settings.root, name)
    if not found:
        raise BulletinError(
            _("Unknown layout '{name}' (built-in: {names})").format(
                name=name, names=", ".join(available_layouts())
            )
        )
    return found


@dataclass(frozen=True)
class LayoutOptions:
    """What a layout tells the pipeline (``layout.toml``): the box its photos
    are printed in, so that they are processed to exactly what it needs."""

    photo_width_mm: float = 140
    photo_height_mm: float = 120

    @property
    def photo_box(self) -> tuple[float, float]:
        return (self.photo_width_mm, self.photo_height_mm)


def layout_options(folders: list[Path]) -> LayoutOptions:
    for folder in folders:
        file = folder / "layout.toml"
        if file.is_file():
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
                photos = data.get("photos", {})
                default = LayoutOptions()
                return LayoutOptions(
                    float(photos.get("width_mm", default.photo_width_mm)),
                    float(photos.get("height_mm", default.photo_height_mm)),
                )
            except (tomllib.TOMLDecodeError, TypeError, ValueError, AttributeError) as exc:
                raise BulletinError(
                    _("{path}: not valid TOML: {reason}").format(path=file, reason=exc)
                ) from None
    return LayoutOptions()


def environment(folders: list[Path]) -> jinja2.Environment:
    """Autoescaping environment: article text is data, never markup. Sandboxed:
    a layout from a user's ``layouts/`` folder (or one a colleague sent) may call
    the functions and read the data it is given, never reach Python's internals
    (``cycler.__init__.__globals__.os.popen``) nor change what it is given."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders),
        # Compiled templates are kept in the user's private cache folder, keyed by
        # each template's source: no recompiling on every build. Their own file
        # names: code compiled outside the sandbox is never loaded.
        bytecode_cache=jinja2.FileSystemBytecodeCache(
            str(private_subdir("templates")), pattern="__bulletin_sandboxed_%s.cache"
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dates.FILTERS)
    env.tests["figure"] = lambda block: isinstance(block, Figure)
    env.tests["figures"] = lambda block: isinstance(block, tuple)
    env.filters["first_sentences"] = first_sentences
    env.filters["printed_blocks"] = printed_blocks
    env.filters["sapo"] = sapo
    env.filters["contents_split"] = contents_split
    # The text of an element showing an anchor's page (``data-page-of``): a
    # placeholder that bulletin corrects during layout, or nothing for the CSS's
    # ``target-counter()`` to fill (bulletin/pagerefs.py).
    env.globals["page_number_placeholder"] = pagerefs.PLACEHOLDER if pagerefs.active() else ""
    return env


def sapo(article: Article) -> str | None:
    """The lead story's sapo: its ``summary``, else its opening paragraph (a web
    copy's first paragraph is the news in brief), set in bold under the headline."""
    if article.summary:
        return article.summary
    first = next((b for b in article.body if not isinstance(b, Figure)), None)
    return first.text if first is not None and first.html.startswith("<p") else None


def printed_blocks(
    article: Article, with_lead: bool = True, sapo_taken: bool = False, lead_late: bool = False
) -> list[Html | tuple[Figure, ...]]:
    """The body as the page shows it: text blocks, and runs of photos (two side by
    side where they follow each other). A caption whose photo was lost in the web
    copy is not printed — alone between paragraphs it reads as a mistake; the
    reader keeps it so that ``check`` and ``read`` can report it. ``lead_late``
    sets the lead photo after the first paragraph (the booklet's cover, when the
    photo did not fit under the sapo and left the cover's foot empty)."""
    groups: list[Html | tuple[Figure, ...]] = []
    run: list[Figure] = []
    blocks = list(article.body if with_lead else article.rest)
    if sapo_taken and not article.summary and sapo(article):  # the opening is the sapo
        blocks.remove(next(b for b in blocks if not isinstance(b, Figure)))
    if lead_late and article.lead in blocks:
        blocks.remove(article.lead)
        first = next((i for i, b in enumerate(blocks) if not isinstance(b, Figure)), -1)
        blocks.insert(first + 1, article.lead)
    for block in blocks:
        if isinstance(block, Figure):
            if block.photo is not None:
                run.append(block)
            continue
        groups += [tuple(run[i : i + 2]) for i in range(0, len(run), 2)]
        run = []
        groups.append(block)
    groups += [tuple(run[i : i + 2]) for i in range(0, len(run), 2)]
    return groups


def logo_url(settings: Settings) -> str | None:
    """``[bulletin] logo`` as a data URL: the file sits beside bulletin.toml, outside
    the folders the renderer may read, so it travels inside the HTML instead."""
    if not settings.bulletin.logo:
        return None
    try:
        kind, data = read_logo(settings.root, settings.bulletin.logo, decode=False)
    except LogoError as error:  # changed since the config was loaded
        raise SourceError(config_problem(settings, "logo", error.message)) from None
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def contents_split(articles: Sequence[Article], line_chars: int = 48) -> int:
    """How many contents entries go in the left of its two lists: the split that
    evens the lists' lines, each entry's lines guessed from its title's length
    (about 48 characters a line in the classic box), so that two-line titles on
    the left do not leave the right list short."""
    lines = [max(1, -(-len(article.title) // line_chars)) for article in articles]
    total = sum(lines)

    def taller(left: int) -> tuple[int, int, int]:
        above = sum(lines[:left])
        return max(above, total - above), abs(2 * above - total), -left

    return min(range(1, len(lines) + 1), key=taller, default=1)


def first_sentences(article: Article, limit: int) -> str:
    """The article's opening, cut at a sentence end near ``limit`` characters (a poster
    shows two or three lines of each article)."""
    text = next((b.text for b in article.body if not isinstance(b, Figure)), "")
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in (". ", "; ", ", "))
    return text[: cut + 1] + " …" if cut > limit // 2 else text[:limit].rsplit(" ", 1)[0] + " …"


def qr_code(url: str | None) -> str | None:
    """The bulletin's intranet address as a QR code (an SVG data URL), for the poster."""
    if not url:
        return None
    import segno

    try:
        return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))
    except segno.DataOverflowError:
        raise BulletinError(
            _("bulletin.website: an address of {n} characters is too long for a QR code").format(
                n=len(url)
            )
        ) from None


def render_html(
    issue: Issue,
    settings: Settings,
    layout: str,
    photo_url: dict[Photo, str] | None = None,
    *,
    booklet: bool = False,
    pad_pages: int = 0,
    spread: int = 0,
    tight: bool = False,
    lead_late: bool = False,
) -> str:
    """The whole bulletin as an HTML string, ready for the renderer.

    ``booklet``: the editorial box goes on the back cover, after ``pad_pages``
    blank pages that make the booklet a multiple of four pages. ``spread``
    (0–2) lays a booklet out roomier, to fill those pages instead; ``tight``
    a little tighter, to save a sparse last page; ``lead_late`` sets the lead
    photo after the lead story's first paragraph (``bulletin/build.py``)."""
    env = environment(layout_dirs(settings, layout))
    names = [settings.bulletin.institute, settings.bulletin.name]
    env.filters["typeset"] = partial(typography.typeset, names=names)
    env.filters["typeset_html"] = partial(typography.typeset_html, names=names)
    env.filters["headline"] = partial(typography.headline, names=names)
    urls = photo_url or {}

    def figure_src(figure: Figure) -> str | None:
        if figure.photo is None:
            return None
        return urls[figure.photo]

    try:
        template = env.get_template(ENTRY_TEMPLATE)
        return template.render(
            issue=issue,
            settings=settings,
            masthead=settings.bulletin,
            editorial=settings.editorial,
            month_label=dates.month_label(issue.year, issue.month),
            figure_src=figure_src,
            qr_code=qr_code,
            logo=logo_url(settings),
            booklet=booklet,
            pad_pages=pad_pages,
            spread=spread,
            tight=tight,
            lead_late=lead_late,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise BulletinError(
            _("{path}:{line}: template error: {reason}").format(
                path=exc.filename or exc.name, line=exc.lineno, reason=exc.message
            )
        ) from None
    except SecurityError as exc:  # the sandbox refused: a layout is not trusted code
        raise BulletinError(
            _("Layout '{name}' tries to reach past its data ({reason}): refused").format(
                name=layout, reason=exc
            )
        ) from None
    except jinja2.TemplateError as exc:
        raise BulletinError(
            _("Layout '{name}': template error: {reason}").format(name=layout, reason=exc)
        ) from None
