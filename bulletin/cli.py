"""The ``bulletin`` command: thin Click commands over the pipeline.

Each command parses options, loads settings and calls one function. Options
default to None so that only what the user typed overrides ``bulletin.toml``
(as in MkDocs). Heavy modules (WeasyPrint) are imported inside the commands,
never at import time, so ``bulletin --help`` answers at once.
"""

from __future__ import annotations

from pathlib import Path

import click

from bulletin import __version__
from bulletin.errors import Problem, display_path
from bulletin.i18n import _, set_language

_verbosity = 1


class CliReporter:
    """Stage lines and warnings on stderr; ``-q`` silences, ``-v`` adds detail."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    def stage(self, message: str) -> None:
        if self.verbosity >= 1:
            click.echo(message + "…", err=True)

    def detail(self, message: str) -> None:
        if self.verbosity >= 2:
            click.echo(message, err=True)

    def warning(self, problem: Problem) -> None:
        if self.verbosity >= 1:
            click.echo(_("Warning: {message}").format(message=problem), err=True)


def _verbosity_option(func):  # type: ignore[no-untyped-def]
    func = click.option(
        "-q", "--quiet", "quiet", is_flag=True, default=None, help=_("Print nothing but errors.")
    )(func)
    return click.option(
        "-v", "--verbose", "verbose", count=True, help=_("Print more detail (each article read).")
    )(func)


def _load(config: Path | None):  # type: ignore[no-untyped-def]
    from bulletin.config import find_config, load_settings

    return load_settings(config or find_config())


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        set_language(value)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    help=_("Make the institute's monthly bulletin from a folder of articles."),
)
@click.version_option(
    __version__, "--version", prog_name="bulletin", message="%(prog)s %(version)s"
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_set_lang,
    help=_("Language of messages (default: Vietnamese)."),
)
def main() -> None:
    pass


@main.command(help=_("Build the month's bulletin as a print-ready PDF."))
@click.option(
    "--month",
    metavar="YYYY-MM",
    default=None,
    help=_("The bulletin's month (default: the newest month folder)."),
)
@click.option(
    "--articles",
    type=click.Path(path_type=Path),
    default=None,
    help=_("A folder holding one month's articles."),
)
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    default=None,
    help=_("Config file (default: ./bulletin.toml if present)."),
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help=_("Output PDF (default: out/ban-tin-YYYY-MM.pdf)."),
)
@click.option("--layout", default=None, help=_("Layout name (default: classic)."))
@click.option(
    "--keep-html",
    is_flag=True,
    default=None,
    help=_("Also write the HTML given to the renderer, beside the PDF."),
)
@_verbosity_option
def make(
    month: str | None,
    articles: Path | None,
    config: Path | None,
    out: Path | None,
    layout: str | None,
    keep_html: bool | None,
    quiet: bool | None,
    verbose: int,
) -> None:
    from bulletin.build import build
    from bulletin.collect import parse_month_option

    settings = _load(config).override(layout=layout)
    reporter = CliReporter(0 if quiet else 1 + verbose)
    result = build(
        settings,
        month=parse_month_option(month),
        articles=articles,
        out=out,
        keep_html=bool(keep_html),
        reporter=reporter,
    )
    if not quiet:
        click.echo(
            _("Wrote {path} ({pages} pages, {seconds:.1f} s)").format(
                path=display_path(result.pdf), pages=result.pages, seconds=result.seconds
            ),
            err=True,
        )


@main.command(help=_("Create bulletin.toml and an articles folder with one example article."))
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."))
def init(directory: Path) -> None:
    from bulletin.scaffold import create_project

    for path in create_project(directory):
        click.echo(_("Created {path}").format(path=display_path(path)), err=True)
