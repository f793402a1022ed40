"""Lay out an Issue as one HTML document through a layout's Jinja2 templates.

A layout is a folder of templates and CSS (``layouts/<name>/``). A
``layouts/<name>/`` folder beside ``bulletin.toml`` is searched first, file by
file, so a user can override one template (or the CSS) of a built-in layout
without copying the rest — as rendercv's and MkDocs' theme loaders do.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from bulletin import dates
from bulletin.config import Settings
from bulletin.errors import BulletinError
from bulletin.i18n import _
from bulletin.model import Article, Figure, Issue, Photo
from bulletin.resources import LAYOUTS_DIR

ENTRY_TEMPLATE = "bulletin.html.j2"


def layout_dirs(settings: Settings, name: str) -> list[Path]:
    """The folders searched for a layout's files, the user's first."""
    candidates = [settings.root / "layouts" / name, LAYOUTS_DIR / name]
    found = [folder for folder in candidates if folder.is_dir()]
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


def available_layouts() -> list[str]:
    return sorted(p.name for p in LAYOUTS_DIR.iterdir() if (p / ENTRY_TEMPLATE).is_file())


def environment(folders: list[Path]) -> jinja2.Environment:
    """Autoescaping environment: article text is data, never markup."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        # Compiled templates are kept in a private folder of the user's temp
        # directory, keyed by each template's source: no recompiling on every build.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dates.FILTERS)
    env.tests["figure"] = lambda block: isinstance(block, Figure)
    env.filters["first_sentences"] = first_sentences
    return env


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

    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def render_html(
    issue: Issue, settings: Settings, layout: str, photo_url: dict[Photo, str] | None = None
) -> str:
    """The whole bulletin as an HTML string, ready for the renderer."""
    env = environment(layout_dirs(settings, layout))
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
        )
    except jinja2.TemplateSyntaxError as exc:
        raise BulletinError(
            _("{path}:{line}: template error: {reason}").format(
                path=exc.filename or exc.name, line=exc.lineno, reason=exc.message
            )
        ) from None
    except jinja2.TemplateError as exc:
        raise BulletinError(
            _("Layout '{name}': template error: {reason}").format(name=layout, reason=exc)
        ) from None
