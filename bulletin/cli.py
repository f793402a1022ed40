"""The ``bulletin`` command: thin Click commands over the pipeline.

Each command parses options, loads settings and calls one function. Options
default to None so that only what the user typed overrides ``bulletin.toml``
(as in MkDocs). Heavy modules (WeasyPrint) are imported inside the commands,
never at import time, so ``bulletin --help`` answers at once.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from bulletin import __version__
from bulletin.errors import Problem, display_path
from bulletin.i18n import LANGUAGES, N_, _, localise_click, ngettext, set_language

localise_click()


@contextlib.contextmanager
def _translated(pieces: list[Any]) -> Iterator[None]:
    """Translate help texts when they are shown, not at import: ``--lang`` is
    parsed after the decorators ran."""
    originals = [getattr(piece, "help", None) for piece in pieces]
    for piece, original in zip(pieces, originals, strict=True):
        if original:
            piece.help = _(original)
    try:
        yield
    finally:
        for piece, original in zip(pieces, originals, strict=True):
            if original:
                piece.help = original


class Option(click.Option):
    """An option whose metavar (``TEXT``, ``PATH``…) follows the language."""

    def get_help_extra(self, ctx: click.Context) -> Any:
        extra = super().get_help_extra(ctx)
        extra.pop("range", None)  # "[x>=1]" tells office staff nothing: the help says it in words
        return extra

    def make_metavar(self, ctx: click.Context) -> str:
        if self.metavar is None and self.type.get_metavar(param=self, ctx=ctx) is not None:
            return super().make_metavar(ctx)  # the choices, e.g. [vi|en]
        # Click names a type "path"/"file"/"directory" through its own _() when the type
        # is made: those words must stay out of the catalog so that these msgids match.
        own = self.metavar or self.type.name.upper()
        return _(own) + ("..." if self.nargs != 1 else "")


class Argument(click.Argument):
    """An argument whose shown name (``[DIRECTORY]``) follows the language."""

    @property
    def human_readable_name(self) -> str:
        return _(super().human_readable_name)

    def make_metavar(self, ctx: click.Context) -> str:
        name = self.metavar or self.name.upper()  # type: ignore[union-attr]
        return super().make_metavar(ctx).replace(name, _(name), 1)


def _lang_option() -> click.Option:
    return Option(
        ["--lang"],
        type=click.Choice(LANGUAGES),
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_set_lang,
        help=N_("Language of messages (default: Vietnamese)."),
    )


def _own_parameters(params: list[click.Parameter]) -> None:
    """Every command takes ``--lang`` (``bulletin make --lang en`` as well as
    ``bulletin --lang en make``), and its options and arguments show their
    metavars in the chosen language. Done here rather than on each decorator so
    that an option added later cannot be forgotten."""
    if not any(p.name == "lang" for p in params):
        params.append(_lang_option())
    for param in params:
        if type(param) is click.Option:
            param.__class__ = Option
        elif type(param) is click.Argument:
            param.__class__ = Argument


def _lang_in(args: list[str]) -> str | None:
    """The language asked for anywhere on the command line (the last ``--lang``)."""
    found = None
    for at, arg in enumerate(args):
        if arg == "--":
            break
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and at + 1 < len(args):
            value = args[at + 1]
        if value in LANGUAGES:
            found = value
    return found


class Command(click.Command):
    """A command whose every word (usage, help, metavars) follows ``--lang``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _own_parameters(self.params)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated([self, *self.get_params(ctx)]):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The command's whole first sentence, wrapped by the list rather than cut
        with "…": Vietnamese runs longer than the English Click measures for."""
        with _translated([self]):
            return super().get_short_help_str(max(limit, 300))

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        fresh = self._help_option is None  # Click makes it once, its help in that moment's language
        option = super().get_help_option(ctx)
        if fresh and option is not None:
            option.help = N_("Show this message and exit.")
        return option

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [_(piece) for piece in super().collect_usage_pieces(ctx)]


class Group(Command, click.Group):
    command_class = Command

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:  # type: ignore[override]
        """Choose the language before Click parses anything, so that its own
        errors ("No such option") come out in it too, wherever ``--lang`` stands."""
        set_language(_lang_in(list(sys.argv[1:] if args is None else args)))
        # The command line itself (not a caller's main([...]), not CliRunner):
        # the process may end without teardown once its work is safely written.
        self.from_command_line = args is None and options.get("standalone_mode", True)
        return super().main(args, *rest, **options)


class CliReporter:
    """Stage lines and warnings on stderr; ``-q`` silences, ``-v`` adds detail."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self._bar: Any = None
        self._last_line = -math.inf

    def stage(self, message: str) -> None:
        if self.verbosity >= 1:
            click.echo(message + "…", err=True)

    def progress(self, label: str, done: int, total: int) -> None:
        """Long work counted (``Ảnh 5/24``): a bar when stderr is a terminal, else a
        line every few seconds and the last one (every one with ``-v``)."""
        if self.verbosity < 1 or total < 1:
            return
        if sys.stderr.isatty():
            if self._bar is None:
                self._bar = click.progressbar(
                    length=total, label=label, show_pos=True, file=sys.stderr
                ).__enter__()
            self._bar.update(done - self._bar.pos)
            if done >= total:
                self._bar.__exit__(None, None, None)
                self._bar = None
        elif self.verbosity >= 2 or done >= total or time.monotonic() - self._last_line >= 2:
            self._last_line = time.monotonic()
            click.echo(f"{label} {done}/{total}", err=True)

    def detail(self, message: str) -> None:
        if self.verbosity >= 2:
            click.echo(message, err=True)

    def warning(self, problem: Problem) -> None:
        if problem.level == "note":
            self.detail(str(problem))
        elif self.verbosity >= 1:
            click.echo(_("Warning: {message}").format(message=problem), err=True)


def _verbosity_option(detail: str = N_("Print more detail (each article read).")):  # type: ignore[no-untyped-def]
    """``-q`` and ``-v``; ``detail`` says what ``-v`` adds for this command."""

    def decorate(func):  # type: ignore[no-untyped-def]
        func = click.option(
            "-q",
            "--quiet",
            "quiet",
            is_flag=True,
            default=None,
            help=N_("Print nothing but errors."),
        )(func)
        return click.option("-v", "--verbose", "verbose", count=True, help=detail)(func)

    return decorate


def _load(config: Path | None):  # type: ignore[no-untyped-def]
    from bulletin.config import find_config, load_settings

    path = config or find_config()
    ctx = click.get_current_context(silent=True)
    if path is not None and ctx is not None and ctx.params.get("verbose"):
        click.echo(_("Project settings: {path}").format(path=display_path(path)), err=True)
    return load_settings(path)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        set_language(value)


# Options shared by several commands (each use makes its own click.Option).
MONTH = click.option(
    "--month",
    metavar="YYYY-MM",
    default=None,
    help=N_("The bulletin's month (default: the newest month folder)."),
)
ARTICLES = click.option(
    "--articles",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("A folder holding one month's articles."),
)
CONFIG = click.option(
    "--config",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("Config file (default: bulletin.toml here or in a folder above)."),
)
LAYOUT = click.option(
    "--layout",
    default=None,
    metavar=N_("NAME"),
    help=N_(
        "Layout: classic (the default), report (one column) or poster (A3), "
        "or your own folder in layouts/."
    ),
)
STRICT = click.option(
    "--strict",
    is_flag=True,
    default=None,
    help=N_("Treat characters missing from the fonts as errors."),
)


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_("Make the institute's monthly bulletin from a folder of articles."),
)
@click.version_option(
    __version__,
    "--version",
    prog_name="bulletin",
    message="%(prog)s %(version)s",
    help=N_("Show the version and exit."),
)
def main() -> None:
    pass


@main.command(help=N_("Build the month's bulletin as a print-ready PDF."))
@MONTH
@ARTICLES
@CONFIG
@click.option(
    "--out",
    type=click.Path(),  # a str: Path("") would silently become "."
    default=None,
    help=N_("Output PDF (default: out/ban-tin-YYYY-MM.pdf)."),
)
@LAYOUT
@click.option(
    "--keep-html",
    is_flag=True,
    default=None,
    help=N_("Also write the HTML given to the renderer, beside the PDF."),
)
@click.option(
    "--for",
    "variant",
    type=click.Choice(["print", "email"]),
    default=None,
    help=N_("print: photos at 300 dpi (default); email: a light PDF to attach."),
)
@STRICT
@click.option(
    "--booklet",
    is_flag=True,
    default=None,
    help=N_("A5 pages imposed two-up on A4 landscape, for duplex printing and folding."),
)
@click.option(
    "--archive",
    is_flag=True,
    default=None,
    help=N_("A PDF/A-3b archive copy carrying the month's source files."),
)
@click.option(
    "--pick",
    type=click.IntRange(min=1),
    default=None,
    metavar=N_("INTEGER"),
    help=N_("Poster: how many articles to print (1 or more), the lead story first."),
)
@click.option(
    "--skip-bad",
    is_flag=True,
    default=None,
    help=N_("Build without the articles that have errors, and list them."),
)
@_verbosity_option()
def make(
    month: str | None,
    articles: Path | None,
    config: Path | None,
    out: str | None,
    layout: str | None,
    keep_html: bool | None,
    variant: str | None,
    strict: bool | None,
    skip_bad: bool | None,
    booklet: bool | None,
    archive: bool | None,
    pick: int | None,
    quiet: bool | None,
    verbose: int,
) -> None:
    from bulletin.serve import ServerLost, forward, renderer_for

    settings = _load(config).override(layout=layout)
    if _from_command_line():
        # The project's warm server, when one answers, runs this very command line
        # on this terminal, its modules and WeasyPrint already loaded.
        try:
            code = forward(settings.root, sys.argv[1:])
        except ServerLost:
            message = _("The render server stopped during the build: building here instead")
            click.echo(_("Warning: {message}").format(message=message), err=True)
            code = None
        if code is not None:
            _end_now(code)
    # The render worker first: it loads WeasyPrint on the other core while this
    # process imports the build's own modules and reads the month.
    with renderer_for(settings.root) as renderer:
        from bulletin.build import build
        from bulletin.collect import parse_month_option

        reporter = CliReporter(0 if quiet else 1 + verbose)
        target = _out_target(out, settings, config, month, articles, reporter)
        result = build(
            settings,
            month=parse_month_option(month),
            articles=articles,
            out=target,
            variant=variant or "print",
            keep_html=bool(keep_html),
            strict=bool(strict),
            skip_bad=bool(skip_bad),
            booklet=bool(booklet),
            archive=bool(archive),
            pick=pick,
            reporter=reporter,
            renderer=renderer,
        )
    if not quiet:
        wrote = (
            _("Wrote {path} ({pages} A4 sides: a booklet of {a5} A5 pages, {seconds:.1f} s)")
            if booklet
            else _("Wrote {path} ({pages} pages, {seconds:.1f} s)")
        )
        click.echo(
            wrote.format(
                path=display_path(result.pdf),
                pages=result.pages,
                a5=2 * result.pages,
                seconds=result.seconds,
            ),
            err=True,
        )
    _end_now()


def _from_command_line() -> bool:
    """Run as ``bulletin …`` itself, not by a caller of ``main([...])`` or CliRunner."""
    root = click.get_current_context().find_root().command
    return bool(getattr(root, "from_command_line", False))


def _end_now(code: int = 0) -> None:
    """The PDF is written, closed and renamed into place (here or by the server,
    whose exit status is ``code``): end the process without the interpreter's
    teardown (freeing a build's objects one by one, ~0.1 s). Only from the command
    line itself; a caller of ``main([...])`` gets control back."""
    import os

    if _from_command_line():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _out_target(
    out: str | None,
    settings: Any,
    config: Path | None,
    month: str | None,
    articles: Path | None,
    reporter: CliReporter,
) -> Path | None:
    """``--out`` checked before any work: a .pdf name, not a folder, a device, the
    config, a layout file or a source of the month (an output never destroys a source)."""
    if out is None:
        return None
    from bulletin.check import locate
    from bulletin.collect import parse_month_option
    from bulletin.config import find_config
    from bulletin.layout import layout_dirs
    from bulletin.output import check_pdf_target, pdf_target

    folder, _month = locate(settings, parse_month_option(month), articles)
    folders = [folder, settings.root / "layouts", *layout_dirs(settings, settings.layout)]
    if not settings.out_path.resolve().is_relative_to(settings.articles_path.resolve()):
        folders.append(settings.articles_path)
    files = [p for p in (config or find_config(),) if p]
    if out.strip():  # what was typed first: `--out bulletin.toml` is the config, not a name
        check_pdf_target(Path(out), files, folders)
    target, added = pdf_target(out)
    if added:
        reporter.stage(_("The output name has no extension: writing {path}").format(path=target))
    check_pdf_target(target, files, folders)
    return target


@main.command(help=N_("Build the month's PDF and show its pages as images (out/preview-YYYY-MM/)."))
@MONTH
@ARTICLES
@CONFIG
@LAYOUT
@click.option(
    "--watch",
    is_flag=True,
    default=None,
    help=N_("Rebuild the preview whenever an article, layout or the config changes."),
)
@_verbosity_option()
def preview(
    month: str | None,
    articles: Path | None,
    config: Path | None,
    layout: str | None,
    watch: bool | None,
    quiet: bool | None,
    verbose: int,
) -> None:
    from bulletin import preview as previews
    from bulletin.config import find_config
    from bulletin.serve import renderer_for

    config_file = config or find_config()
    reporter = _Collecting(0 if quiet else 1 + verbose)
    ready: list[Any] = []  # watching: a worker that has loaded WeasyPrint, or the server

    def once() -> Path:
        """One build and its pages; the settings are read again each time, so
        that an edit to bulletin.toml shows in the next rebuild."""
        settings = _load(config).override(layout=layout)
        reporter.problems.clear()
        renderer = ready.pop() if ready else None
        try:
            index, folder = _preview_once(settings, month, articles, reporter, renderer, watch)
        finally:
            if renderer:
                renderer.close()  # done with (a build closes it too), or the build never ran
        if watch:  # a worker loads WeasyPrint now, so the next rebuild starts at once
            ready.append(renderer_for(settings.root, ahead=True))
        click.echo(display_path(index))
        return folder

    folder = once()
    if not watch:
        return

    def again() -> None:
        try:
            once()
        except click.ClickException as error:
            error.show()
        except Exception as error:  # a watcher outlives a bug in one rebuild: report, go on
            click.echo(
                _("Unexpected error ({kind}: {error}); still watching").format(
                    kind=type(error).__name__, error=error
                ),
                err=True,
            )

    settings = _load(config)
    watched = [folder, *(p for p in (settings.root / "layouts", config_file) if p and p.exists())]
    reporter.stage(
        _("Watching {paths} (Ctrl+C to stop)").format(
            paths=", ".join(display_path(p) for p in watched)
        )
    )
    try:
        previews.watch(watched, again)
    finally:
        for renderer in ready:
            renderer.close()


class _Collecting(CliReporter):
    """A reporter that also keeps the warnings, for the preview's contact sheet."""

    def __init__(self, verbosity: int) -> None:
        super().__init__(verbosity)
        self.problems: list[Problem] = []

    def warning(self, problem: Problem) -> None:
        if problem.level != "note":
            self.problems.append(problem)
        super().warning(problem)


def _preview_once(
    settings: Any,
    month: str | None,
    articles: Path | None,
    reporter: _Collecting,
    renderer: Any,
    watching: bool | None,
) -> tuple[Path, Path]:
    """Build into the preview folder (never over the print PDF), then the pages."""
    import os
    import time

    from bulletin import preview as previews
    from bulletin.build import build
    from bulletin.check import locate
    from bulletin.collect import parse_month_option
    from bulletin.dates import month_label

    known = locate(settings, parse_month_option(month), articles)[1]
    folder = previews.preview_folder(settings.out_path, str(known)) if known else None
    out = (folder or settings.out_path) / (previews.PDF_NAME if folder else f".{previews.PDF_NAME}")
    result = build(
        settings,
        month=parse_month_option(month),
        articles=articles,
        out=out,
        reporter=reporter,
        renderer=renderer,
    )
    if folder is None:  # the month came from the articles' dates
        folder = previews.preview_folder(settings.out_path, result.month)
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(result.pdf, folder / previews.PDF_NAME)
    year, number = (int(part) for part in result.month.split("-"))
    sheet = previews.write_preview(
        folder / previews.PDF_NAME,
        folder,
        title=_("Preview of the bulletin for {month}").format(month=month_label(year, number)),
        warnings=[str(p) for p in reporter.problems],
        version=time.time_ns() // 1_000_000 if watching else None,
    )
    reporter.detail(
        _("Pages drawn anew: {drawn} of {pages}").format(drawn=sheet.drawn, pages=sheet.pages)
    )
    return sheet.index, result.folder


@main.command(help=N_("Keep WeasyPrint loaded for this project's builds (a warm render server)."))
@CONFIG
@click.option(
    "--idle",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    metavar=N_("MINUTES"),
    help=N_("Stop after this many minutes without a build."),
)
@click.option("--stop", is_flag=True, default=None, help=N_("Stop the project's render server."))
def serve(config: Path | None, idle: float, stop: bool | None) -> None:
    from bulletin import serve as server
    from bulletin.errors import BulletinError

    root = _load(config).root
    if stop:
        stopped = server.stop(root)
        message = _("Render server stopped") if stopped else _("No render server answers here")
        click.echo(message, err=True)
        return
    if not server.supported():
        raise BulletinError(_("This system cannot run a render server: builds work without it"))
    if server.socket_path(root) is None:
        from bulletin.private import lasting_dir_name

        message = _(
            "No private folder of yours at {folder} (your own, closed to others) "
            "for the render server's socket: builds work without it"
        )
        raise BulletinError(message.format(folder=lasting_dir_name()))

    def log(pages: int, seconds: float, reused: bool = False, kept: int = 0) -> str:
        if reused:
            line = _("Unchanged: the {pages} pages made before, in {seconds:.1f} s")
        elif kept:
            line = _("Rendered {pages} pages in {seconds:.1f} s ({kept} as laid out last time)")
        else:
            line = _("Rendered {pages} pages in {seconds:.1f} s")
        return line.format(pages=pages, seconds=seconds, kept=kept)

    ready = _(
        "Render server for {root}: ends after {minutes:g} idle minutes or 'bulletin serve --stop'"
    )
    click.echo(ready.format(root=display_path(root), minutes=idle), err=True)
    try:
        server.Server(root, idle * 60, log).run()
    except FileExistsError:
        raise BulletinError(_("A render server already answers for this project")) from None
    except OSError as error:
        message = _("Cannot start the render server: {error}")
        raise BulletinError(message.format(error=error)) from None
    except KeyboardInterrupt:
        pass
    click.echo(_("Render server ended"), err=True)


@main.command(help=N_("Email the month's light PDF to every unit in bulletin.toml, once."))
@MONTH
@CONFIG
@click.option(
    "--pdf",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("The PDF to send (default: out/ban-tin-YYYY-MM-email.pdf)."),
)
@click.option("--smtp-host", default=None, help=N_("Mail server (default: [email] host)."))
@click.option("--smtp-port", type=int, default=None, help=N_("Mail server port."))
@click.option("--sender", default=None, help=N_("Sender address (default: [email] sender)."))
@click.option(
    "--dry-run",
    is_flag=True,
    default=None,
    help=N_("Write one .eml per unit to out/mail-YYYY-MM/ and send nothing."),
)
@click.option(
    "--only", multiple=True, metavar=N_("UNIT"), help=N_("Send only to this unit (repeatable).")
)
@click.option(
    "--resend",
    is_flag=True,
    default=None,
    help=N_("Send again to units already served this month."),
)
@click.option(
    "--to",
    "test_to",
    default=None,
    metavar=N_("ADDRESS"),
    help=N_("Send one test message to this address only (not recorded as sent)."),
)
@_verbosity_option(N_("Print each unit's line under the progress bar too."))
def send(
    month: str | None,
    config: Path | None,
    pdf: Path | None,
    smtp_host: str | None,
    smtp_port: int | None,
    sender: str | None,
    dry_run: bool | None,
    only: tuple[str, ...],
    resend: bool | None,
    test_to: str | None,
    quiet: bool | None,
    verbose: int,
) -> None:
    import dataclasses
    import os

    from bulletin import send as mail
    from bulletin.build import issue_number
    from bulletin.collect import Month, find_month_folder, parse_month_option
    from bulletin.config import address_problem
    from bulletin.errors import BulletinError, ProblemsError

    settings = _load(config)
    email = dataclasses.replace(
        settings.email,
        **{
            k: v
            for k, v in (("host", smtp_host), ("port", smtp_port), ("sender", sender))
            if v is not None
        },
    )
    settings = dataclasses.replace(settings, email=email)
    reason = address_problem(email.sender) if sender is not None else None
    if reason:
        message = _("--sender {address!r}: {reason}")
        raise BulletinError(message.format(address=sender, reason=reason))
    chosen = parse_month_option(month) or Month.parse(
        find_month_folder(settings.articles_path, None).name
    )
    assert chosen is not None
    number = issue_number(settings, chosen)
    mailing = mail.plan(settings, str(chosen), number, pdf, only, by_default=month is None)
    if dry_run:
        for path in mail.dry_run(settings, mailing):
            click.echo(_("Wrote {path}").format(path=display_path(path)), err=True)
        return
    password = os.environ.get("BULLETIN_SMTP_PASSWORD")
    if password is None and email.username:
        password = click.prompt(
            _("Password for {user}").format(user=email.username), hide_input=True, err=True
        )
    if test_to is not None:
        unit = mail.send_test(settings, mailing, password, test_to)
        click.echo(
            _("Test message (as sent to {unit}) sent to {address}; nothing recorded").format(
                unit=unit, address=test_to
            ),
            err=True,
        )
        return
    with _send_progress(len(mailing.units), quiet, verbose) as (report, progress):
        outcome = mail.send(settings, mailing, password, bool(resend), report, progress)
    if not outcome.complete:
        click.echo(mail.summary(outcome), err=True)
        raise ProblemsError(mail.problems(outcome))
    if not quiet:
        click.echo(mail.summary(outcome), err=True)


@contextlib.contextmanager
def _send_progress(total: int, quiet: bool | None, verbose: int) -> Iterator[tuple[Any, Any]]:
    """``send``'s progress on stderr: a bar on a terminal (unit lines too with
    ``-v``), stage lines ("Đơn vị 3/14: …") otherwise, nothing with ``-q``."""
    import sys

    bar_shown = sys.stderr.isatty()

    def report(line: str) -> None:
        if not quiet and (verbose or not bar_shown):
            click.echo(line, err=True)

    if quiet:
        yield report, None
        return
    if not bar_shown:

        def line(index: int, count: int, unit: Any) -> None:
            click.echo(
                _("Unit {index}/{count}: {unit}…").format(index=index, count=count, unit=unit.name),
                err=True,
            )

        yield report, line
        return
    with click.progressbar(length=total, label=_("Sending"), file=sys.stderr) as bar:

        def advance(index: int, count: int, unit: Any) -> None:
            bar.label = _("Unit {index}/{count}: {unit}").format(
                index=index, count=count, unit=unit.name
            )
            bar.length = count  # the units still waiting, known once sending starts
            bar.update(1)

        yield report, advance


@main.command(
    "read", help=N_("Show how each file is read: title, date, byline, blocks, dropped lines.")
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, default=None, help=N_("Print the reading as JSON.")
)
def read_command(files: tuple[Path, ...], as_json: bool | None) -> None:
    import json

    from bulletin.build import today
    from bulletin.reading import as_record, as_text, read_files

    readings = read_files(files, today().year)
    if as_json:
        records = [as_record(r) for r in readings]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    else:
        click.echo("\n\n".join("\n".join(as_text(r)) for r in readings))
    if any(p.level == "error" for r in readings for p in r.problems):
        raise SystemExit(1)


@main.command(
    help=N_(
        "Fetch the month's posts from the website (or the pages given) into the month's folder."
    )
)
@click.argument("urls", nargs=-1)
@click.option("--site", default=None, help=N_("The WordPress site (default: [site] url)."))
@click.option(
    "--month",
    metavar="YYYY-MM",
    default=None,
    help=N_("The month to fetch (default: the current month)."),
)
@click.option(
    "--articles",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("The folder to write into (default: articles/YYYY-MM)."),
)
@CONFIG
@click.option("--category", metavar="SLUG", default=None, help=N_("Only this category's posts."))
@click.option(
    "--site-lang",
    metavar="LANG",
    default=None,
    help=N_("Only posts in this language of a bilingual site (vi, en)."),
)
@click.option(
    "--force",
    is_flag=True,
    default=None,
    help=N_("Overwrite articles edited by hand with the site's version."),
)
@click.option(
    "--timeout",
    type=float,
    default=None,
    help=N_("Seconds to wait for the site to answer (default: 30)."),
)
@_verbosity_option(N_("Print more detail (the settings file used)."))
def collect(
    urls: tuple[str, ...],
    site: str | None,
    month: str | None,
    articles: Path | None,
    config: Path | None,
    category: str | None,
    site_lang: str | None,
    force: bool | None,
    timeout: float | None,
    quiet: bool | None,
    verbose: int,
) -> None:
    from bulletin.build import today
    from bulletin.collect import Month, parse_month_option
    from bulletin.errors import BulletinError

    try:
        from bulletin.web.collector import Options, Voice, collect_pages, collect_site
    except ImportError as error:  # a broken install: name the missing piece, not a traceback
        raise BulletinError(
            _(
                "Cannot start bulletin collect: a library it needs is missing or broken "
                "({error}). Reinstall bulletin: pip install --force-reinstall ."
            ).format(error=error)
        ) from error

    settings = _load(config)
    chosen = parse_month_option(month) or Month(today().year, today().month)
    options = Options(
        folder=articles or settings.articles_path / str(chosen),
        photo_hosts=settings.site.photo_hosts,
        timeout=timeout or 30.0,
        force=bool(force),
    )
    say = lambda line: click.echo(line, err=True)  # noqa: E731
    voice = Voice(progress=(lambda line: None) if quiet else say, notice=say)
    if urls:
        outcome = collect_pages(list(urls), options, voice)
    else:
        url = site or settings.site.url
        if not url:
            raise BulletinError(_("No site to collect from: give --site URL or set [site] url"))
        outcome = collect_site(
            url,
            chosen,
            options,
            voice,
            timezone=settings.site.timezone,
            category=category,
            lang=site_lang,
        )
    say(
        _(
            "{folder}: {new} new, {updated} updated, {unchanged} unchanged, "
            "{kept} edited by hand, {failed} failed"
        ).format(
            folder=display_path(options.folder),
            new=outcome.new,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
            kept=outcome.kept,
            failed=len(outcome.failures),
        )
    )
    if outcome.failures:
        raise SystemExit(1)


@main.command(help=N_("List every problem of the month's articles, without building."))
@MONTH
@ARTICLES
@CONFIG
@click.option(
    "--json", "as_json", is_flag=True, default=None, help=N_("Print the problems as a JSON list.")
)
@STRICT
@_verbosity_option(N_("Also print the notes: every guess the reader made, every dropped line."))
def check(
    month: str | None,
    articles: Path | None,
    config: Path | None,
    as_json: bool | None,
    strict: bool | None,
    quiet: bool | None,
    verbose: int,
) -> None:
    import json

    from bulletin.build import today
    from bulletin.check import check_month
    from bulletin.collect import parse_month_option

    checked = check_month(
        _load(config), parse_month_option(month), articles, today().year, bool(strict)
    )
    if as_json:
        click.echo(
            json.dumps([problem_record(p) for p in checked.problems], ensure_ascii=False, indent=2)
        )
    else:
        # Notes are the reader's guesses (dropped lines, an assumed year): with -v.
        shown = {"error": True, "warning": not quiet, "note": verbose > 0}
        for problem in checked.problems:
            if shown[problem.level]:
                click.echo(problem_line(problem))
        warnings = sum(p.level == "warning" for p in checked.problems)
        counts = [
            ngettext("{n} article", "{n} articles", len(checked.articles)),
            ngettext("{n} error", "{n} errors", len(checked.errors)),
            ngettext("{n} warning", "{n} warnings", warnings),
        ]
        numbers = (len(checked.articles), len(checked.errors), warnings)
        click.echo(", ".join(c.format(n=n) for c, n in zip(counts, numbers, strict=True)), err=True)
    if checked.errors:
        raise SystemExit(1)


def problem_level(problem: Problem) -> str:
    return {"error": _("error"), "warning": _("warning"), "note": _("note")}[problem.level]


def problem_line(problem: Problem) -> str:
    """``file:line: level: message``."""
    return f"{problem.location()}: {problem_level(problem)}: {problem.message}"


def problem_record(problem: Problem) -> dict[str, object]:
    return {
        "file": problem.location().rsplit(":", 1)[0] if problem.line else problem.location(),
        "line": problem.line,
        "level": problem.level,  # error, warning, or note (shown in text with -v)
        "message": problem.message,
    }


@main.command(help=N_("Create bulletin.toml and an articles folder with one example article."))
@click.argument("directory", type=click.Path(path_type=Path), default=Path("."))
def init(directory: Path) -> None:
    from bulletin.scaffold import create_project

    created = create_project(directory)
    for path in created:
        click.echo(_("Created {path}").format(path=display_path(path)), err=True)
    folder = display_path(created[-1].parent) + "/"
    if directory.resolve() == Path.cwd().resolve():
        step = _("Next: copy the articles into {folder} then run 'bulletin check'")
    else:
        step = _("Next: cd {directory}, copy the articles into {folder} then run 'bulletin check'")
        folder = created[-1].parent.relative_to(directory).as_posix() + "/"
    click.echo(step.format(folder=folder, directory=display_path(directory)), err=True)
