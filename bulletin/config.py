"""Settings from ``bulletin.toml``: the base that command-line options override.

Every table is a frozen dataclass; an unknown key or a wrong type is a user
error naming the key and its line (a typo must not be silently ignored).
Paths are relative to the folder holding ``bulletin.toml``, or to the working
folder when there is none — the tool works without any config file.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import tomllib
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.errors import BulletinError, Problem, ProblemsError, SourceError
from bulletin.i18n import _
from bulletin.resources import available_layouts, layout_folders

CONFIG_NAME = "bulletin.toml"
PAGE_SIZES = ("a4", "a5", "19x27cm")  # 19 × 27 cm: the largest a bản tin may be (2016 Press Law)


@dataclass(frozen=True)
class Masthead:
    """[bulletin]: who publishes what — page 1 and the PDF metadata."""

    name: str = "Thông tin Khoa học Công nghệ Mỏ"
    institute: str = "Viện Khoa học Công nghệ Mỏ – Vinacomin"
    parent: str = "Tập đoàn Công nghiệp Than – Khoáng sản Việt Nam"
    place: str = "Hà Nội"
    first_month: str | None = None
    first_number: int = 1
    website: str | None = None
    issued: datetime.date | None = None  # date of issue; default: the build date, capped
    logo: str | None = None  # an image file beside bulletin.toml, shown in the masthead


@dataclass(frozen=True)
class Editorial:
    """[editorial]: the box on the last page the 2016 Press Law asks for."""

    board: list[str] = field(default_factory=list)
    responsible: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    licence: str | None = None
    printer: str | None = None
    print_run: int | None = None
    interval: str = "Hằng tháng"


@dataclass(frozen=True)
class Photos:
    """[photos]: resolution and JPEG quality of photos, per variant."""

    print_dpi: int = 300
    print_quality: int = 88
    email_dpi: int = 150
    email_quality: int = 68


@dataclass(frozen=True)
class Email:
    """[email]: how ``bulletin send`` reaches the mail server. The password is
    never stored here: it comes from BULLETIN_SMTP_PASSWORD or a prompt."""

    host: str = "localhost"
    port: int = 25
    security: str = "auto"  # auto (STARTTLS when offered) | starttls | ssl | none
    sender: str = "ban-tin@localhost"
    username: str | None = None
    max_attachment_mb: int = 10


@dataclass(frozen=True)
class Site:
    """[site]: the website ``bulletin collect`` reads the month's posts from."""

    url: str | None = None
    photo_hosts: list[str] = field(default_factory=list)  # other hosts photos may come from
    timezone: str = "Asia/Ho_Chi_Minh"  # the site's clock: where a month begins and ends


@dataclass(frozen=True)
class Unit:
    """[[units]]: a unit of the institute that receives the bulletin."""

    name: str
    email: str | list[str]

    @property
    def addresses(self) -> list[str]:
        return [self.email] if isinstance(self.email, str) else list(self.email)

    @property
    def file_stem(self) -> str:
        """The name as a file name (``phong-kinh-te``): ASCII, because the .eml
        files and the send log must read the same on every system."""
        plain = unicodedata.normalize("NFKD", self.name.replace("đ", "d").replace("Đ", "D"))
        plain = plain.encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "don-vi"


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know besides the articles themselves."""

    root: Path = field(default_factory=Path.cwd)
    config_file: Path | None = None  # where these came from: later errors name its lines
    articles_dir: str = "articles"
    out_dir: str = "out"
    layout: str = "classic"
    page_size: str = "a4"
    bulletin: Masthead = field(default_factory=Masthead)
    editorial: Editorial = field(default_factory=Editorial)
    photos: Photos = field(default_factory=Photos)
    email: Email = field(default_factory=Email)
    units: list[Unit] = field(default_factory=list)
    site: Site = field(default_factory=Site)
    # [categories]: a category for .txt/.docx articles, by file-name prefix or folder
    categories: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # file names (or stems) printed first

    @property
    def articles_path(self) -> Path:
        return self.root / self.articles_dir

    @property
    def out_path(self) -> Path:
        return self.root / self.out_dir

    def override(self, **options: Any) -> Settings:
        """A copy with the options the user actually gave (None means not given)."""
        return dataclasses.replace(self, **{k: v for k, v in options.items() if v is not None})


def find_config(start: Path | None = None) -> Path | None:
    """``bulletin.toml`` in the working folder or the nearest folder above it, as
    git finds its repository: ``bulletin make`` run from ``articles/2023-11/``
    uses its project instead of starting a second one in the wrong place."""
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def project_root(start: Path | None = None) -> Path:
    """The project folder of a project without ``bulletin.toml``: the working
    folder, or the one holding ``articles/`` when run from inside it."""
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        if folder.name == Settings.articles_dir and folder.parent != folder:
            return folder.parent
    return here


def load_settings(path: Path | None) -> Settings:
    """Read ``path`` (or nothing: defaults) into validated Settings."""
    if path is None:
        return Settings(root=project_root())
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise BulletinError(_("{path}: config file not found").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(
            Problem(path, _("cannot read the config file ({reason})").format(reason=exc))
        ) from None
    except tomllib.TOMLDecodeError as exc:
        from bulletin.config_syntax import syntax_problem

        raise SourceError(syntax_problem(path, text, exc)) from None
    values = _build(Settings, data, "", path, text)
    if values.page_size not in PAGE_SIZES:
        raise SourceError(
            Problem(
                path,
                _("page_size must be one of {sizes}").format(sizes=", ".join(PAGE_SIZES)),
                _line_of(text, "page_size"),
            )
        )
    _check_mail(values, path, text)
    _check_first_month(values.bulletin.first_month, path, text)
    _check_numbers(values, path, text)
    values = dataclasses.replace(values, root=path.parent.resolve(), config_file=path)
    if values.bulletin.logo:
        try:
            read_logo(values.root, values.bulletin.logo)
        except LogoError as error:
            raise SourceError(Problem(path, error.message, _line_of(text, "logo"))) from None
    return values


MAX_LOGO_BYTES = 5 * 1024 * 1024
_SVG = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg\b", re.DOTALL)


class LogoError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_logo(root: Path, name: str, decode: bool = True) -> tuple[str, bytes]:
    """``[bulletin] logo``'s type and bytes, judged by its content (a renamed
    Word file is no PNG): checked when the config loads, so that ``check``
    names a missing or damaged logo and ``make`` never drops it silently.
    ``decode=False``: the image was decoded whole when the config loaded."""
    path = root / name
    if not path.resolve().is_relative_to(root.resolve()):  # no ../, no link out
        raise LogoError(
            _("bulletin.logo: {path} must be a file inside the project folder").format(path=name)
        )
    try:
        if path.stat().st_size > MAX_LOGO_BYTES:
            raise LogoError(
                _("bulletin.logo: {path} is over 5 MB: use a smaller image").format(path=name)
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise LogoError(
            _("bulletin.logo: {path} not found beside bulletin.toml").format(path=name)
        ) from None
    except OSError as exc:
        raise LogoError(
            _("bulletin.logo: cannot read {path} ({reason})").format(
                path=name, reason=exc.strerror or exc
            )
        ) from None
    if _SVG.match(data.removeprefix(b"\xef\xbb\xbf")[:4096]):
        return "image/svg+xml", data
    kind = "image/png" if data.startswith(b"\x89PNG\r\n\x1a\n") else None
    kind = "image/jpeg" if data.startswith(b"\xff\xd8\xff") else kind
    if kind is None:
        raise LogoError(
            _("bulletin.logo: {path} must be a PNG, JPEG or SVG image").format(path=name)
        )
    if decode:
        _decode(data, name)
    return kind, data


def _decode(data: bytes, name: str) -> None:
    """Decode the whole image once: a truncated PNG fails here, not in the PDF."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise LogoError(
            _("bulletin.logo: {path} is a damaged image: save it again").format(path=name)
        ) from None


_NOT_KEYS = ("root", "config_file")  # Settings fields that no bulletin.toml key sets


def _check_first_month(first_month: str | None, path: Path, text: str) -> None:
    from bulletin.collect import Month

    if first_month is not None and Month.parse(first_month) is None:
        message = _("bulletin.first_month must look like 2023-01")
        raise SourceError(Problem(path, message, _line_of(text, "first_month")))


def config_problem(settings: Settings, key: str, message: str) -> Problem:
    """A setting found wrong only later (``first_month`` after the month built),
    named with the file and line it came from, as a load error would be."""
    path = settings.config_file
    if path is None:
        return Problem(None, message)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return Problem(path, message)
    return Problem(path, message, _line_of(text, key))


def _build(cls: type, data: dict[str, Any], prefix: str, path: Path, text: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.name not in _NOT_KEYS}
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in known:
            raise SourceError(
                Problem(path, _("unknown key '{key}'").format(key=name), _line_of(text, key))
            )
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise _type_error(path, text, name, key, _("a table"))
            values[key] = _build(hint, value, f"{name}.", path, text)  # type: ignore[arg-type]
        else:
            values[key] = _check_type(value, hint, path, text, name, key)
    for required in dataclasses.fields(cls):
        no_default = required.default is dataclasses.MISSING
        if (
            no_default
            and required.default_factory is dataclasses.MISSING
            and required.name not in values
        ):
            message = _("'{key}' is missing").format(key=f"{prefix}{required.name}")
            raise SourceError(Problem(path, message, _line_of(text, prefix.split(".")[0])))
    return cls(**values)


def _check_type(value: Any, hint: Any, path: Path, text: str, name: str, key: str) -> Any:
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for kind in allowed:
        if kind is type(None):
            continue
        origin = typing.get_origin(kind) or kind
        if origin is dict and isinstance(value, dict):
            if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
                return value
            continue
        if kind is datetime.date and type(value) is datetime.date:
            return value
        if origin is list and isinstance(value, list):
            (item,) = typing.get_args(kind)
            if dataclasses.is_dataclass(item) and all(isinstance(v, dict) for v in value):
                return [_build(item, v, f"{name}.", path, text) for v in value]  # type: ignore[arg-type]
            if all(isinstance(v, item) for v in value):
                return value
        elif (origin is int and isinstance(value, int) and not isinstance(value, bool)) or (
            origin is str and isinstance(value, str)
        ):
            return value
    expected = {
        str: _("text"),
        int: _("a whole number"),
        datetime.date: _("a date (2023-11-30)"),
        dict[str, str]: _("a table of texts"),
    }.get(allowed[0], _("a list of texts"))
    raise _type_error(path, text, name, key, expected)


def _type_error(path: Path, text: str, name: str, key: str, expected: str) -> SourceError:
    message = _("'{key}' must be {expected}").format(key=name, expected=expected)
    return SourceError(Problem(path, message, _line_of(text, key)))


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\])", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


SECURITY = ("auto", "starttls", "ssl", "none")
_UNITS_HEADER = re.compile(r"^\s*\[\[\s*[\"']?units[\"']?\s*\]\]", re.MULTILINE)


def address_problem(text: str) -> str | None:
    """Why ``text`` is not one usable email address, or None. Parsed with the
    standard library's header parser, so what passes here is what smtplib sends;
    CR/LF is refused first: it would let a value write its own mail headers."""
    from email import policy

    if any(c in text for c in "\r\n") or not text.isprintable():
        return _("line breaks or control characters are not allowed")
    try:
        header = policy.default.header_factory("To", text)
        addresses = header.addresses  # type: ignore[attr-defined]
    except (IndexError, ValueError, TypeError):
        addresses, header = (), None
    if header is None or header.defects or len(addresses) != 1:
        return _("not an email address (like name@example.vn)")
    if not addresses[0].username or not addresses[0].domain:
        return _("not an email address (like name@example.vn)")
    return None


def _check_mail(settings: Settings, path: Path, text: str) -> None:
    """[email] and [[units]] checked when the config loads, not halfway through a
    send: every problem at once, each with its line in ``bulletin.toml``."""
    problems: list[Problem] = []
    email = settings.email
    if email.security not in SECURITY:
        message = _("'email.security' must be one of {values}").format(values=", ".join(SECURITY))
        problems.append(Problem(path, message, _line_of(text, "security")))
    for key in ("sender", "host", "username"):
        value = getattr(email, key) or ""
        reason = address_problem(value) if key == "sender" else None
        if reason is None and any(c in value for c in "\r\n"):
            reason = _("line breaks or control characters are not allowed")
        if reason:
            problems.append(Problem(path, f"'email.{key}': {reason}", _line_of(text, key)))
    headers = [m.start() for m in _UNITS_HEADER.finditer(text)]
    names: dict[str, int | None] = {}
    stems: dict[str, str] = {}
    for index, unit in enumerate(settings.units):
        start = headers[index] if index < len(headers) else None
        end = headers[index + 1] if index + 1 < len(headers) else len(text)

        def line(key: str, start: int | None = start, end: int = end) -> int | None:
            if start is None:
                return _line_of(text, "units")
            found = _line_of(text[start:end], key)
            first = text.count("\n", 0, start) + 1
            return first + found - 1 if found else first

        problems += _unit_problems(unit, path, line, names, stems)
    if problems:
        raise ProblemsError(problems)


def _unit_problems(
    unit: Unit,
    path: Path,
    line: typing.Callable[[str], int | None],
    names: dict[str, int | None],
    stems: dict[str, str],
) -> list[Problem]:
    """One unit's problems; ``names`` and ``stems`` carry the units seen before."""
    found = []
    name = unicodedata.normalize("NFC", unit.name.strip())
    if not name or any(c in name for c in "\r\n"):
        found.append(Problem(path, _("A unit needs a name on one line"), line("name")))
    elif name.casefold() in names:
        message = _("Unit '{name}' is already listed on line {line}: give each unit its own name")
        first = names[name.casefold()]
        found.append(Problem(path, message.format(name=name, line=first), line("name")))
    elif unit.file_stem in stems:
        message = _(
            "Units '{first}' and '{name}' give the same file name {file}.eml: "
            "make the names differ in more than accents"
        )
        found.append(
            Problem(
                path,
                message.format(first=stems[unit.file_stem], name=name, file=unit.file_stem),
                line("name"),
            )
        )
    names.setdefault(name.casefold(), line("name"))
    stems.setdefault(unit.file_stem, name)
    if not unit.addresses:
        message = _("Unit '{name}' has no email address: give at least one")
        found.append(Problem(path, message.format(name=name), line("email")))
    for address in unit.addresses:
        reason = address_problem(address)
        if reason:
            message = _("Unit '{name}': address {address!r}: {reason}")
            found.append(
                Problem(
                    path, message.format(name=name, address=address, reason=reason), line("email")
                )
            )
    return found


# (section, key, lowest, highest): numbers outside these print nonsense or crash
# ("Số -5"; a 0 dpi photo has no pixels; JPEG quality stops at 95 in Pillow).
_RANGES = (
    ("bulletin", "first_number", 1, 10_000),
    ("photos", "print_dpi", 72, 1200),
    ("photos", "email_dpi", 36, 600),
    ("photos", "print_quality", 1, 95),
    ("photos", "email_quality", 1, 95),
)
_LAYOUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _check_numbers(settings: Settings, path: Path, text: str) -> None:
    """Numbers in their useful range and a layout given by name, each error with its line."""
    problems = []
    for section, key, lowest, highest in _RANGES:
        value = getattr(getattr(settings, section), key)
        if not lowest <= value <= highest:
            message = _("'{key}' must be between {lowest} and {highest}, not {value}").format(
                key=f"{section}.{key}", lowest=lowest, highest=highest, value=value
            )
            problems.append(Problem(path, message, _line_of(text, key)))
    if not _LAYOUT_NAME.match(settings.layout):
        message = _("'layout' must be the name of a layout, such as classic, not a path")
        problems.append(Problem(path, message, _line_of(text, "layout")))
    elif not layout_folders(path.parent, settings.layout):  # a typo: said by check too
        message = _("Unknown layout '{name}' (built-in: {names})").format(
            name=settings.layout, names=", ".join(available_layouts())
        )
        problems.append(Problem(path, message, _line_of(text, "layout")))
    if problems:
        raise ProblemsError(problems)
