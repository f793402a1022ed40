"""Lay out an Issue as one HTML document through a layout's Jinja2 templates.

A layout is a folder of templates and CSS (``layouts/<name>/``). A
``layouts/<name>/`` folder beside ``bulletin.toml`` is searched first, file by
file, so a user can override one template (or the CSS) of a built-in layout
without copying the rest — as rendercv's and MkDocs' theme loaders do.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from bulletin import dates
from bulletin.config import Settings
from bulletin.errors import BulletinError
from bulletin.i18n import _
from bulletin.model import Figure, Issue
from bulletin.resources import LAYOUTS_DIR

ENTRY_TEMPLATE = "bulletin.html.j2"


def layout_dirs(settings: Settings, name: str) -> list[Path]:
    """The folders searched for a layout's files, the user's first."""
    candidates = [settings.root / "layouts" / name, LAYOUTS_DIR / name]
    found = [folder for folder in candidates if folder.is_dir()]
    if not found:
        raise BulletinError(
            _("unknown layout '{name}' (built-in: {names})").format(
                name=name, names=", ".join(available_layouts())
            )
        )
    return found


def available_layouts() -> list[str]:
    return sorted(p.name for p in LAYOUTS_DIR.iterdir() if (p / ENTRY_TEMPLATE).is_file())


def environment(folders: list[Path]) -> jinja2.Environment:
    """Autoescaping environment: article text is data, never markup."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(dates.FILTERS)
    env.tests["figure"] = lambda block: isinstance(block, Figure)
    return env


def render_html(
    issue: Issue, settings: Settings, layout: str, photo_url: dict[Path, str] | None = None
) -> str:
    """The whole bulletin as an HTML string, ready for the renderer."""
    env = environment(layout_dirs(settings, layout))
    urls = photo_url or {}

    def figure_src(figure: Figure) -> str | None:
        if figure.photo is None:
            return None
        return urls.get(figure.photo) or figure.photo.resolve().as_uri()

    try:
        template = env.get_template(ENTRY_TEMPLATE)
        return template.render(
            issue=issue,
            settings=settings,
            masthead=settings.bulletin,
            editorial=settings.editorial,
            month_label=dates.month_label(issue.year, issue.month),
            figure_src=figure_src,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise BulletinError(
            _("{path}:{line}: template error: {reason}").format(
                path=exc.filename or exc.name, line=exc.lineno, reason=exc.message
            )
        ) from None
    except jinja2.TemplateError as exc:
        raise BulletinError(
            _("layout '{name}': template error: {reason}").format(name=layout, reason=exc)
        ) from None
