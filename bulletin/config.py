"""Settings from ``bulletin.toml``: the base that command-line options override.

Every table is a frozen dataclass; an unknown key or a wrong type is a user
error naming the key and its line (a typo must not be silently ignored).
Paths are relative to the folder holding ``bulletin.toml``, or to the working
folder when there is none — the tool works without any config file.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.errors import BulletinError, Problem, SourceError
from bulletin.i18n import _

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



def load_settings(path: Path | None) -> Settings:
    """Read ``path`` (or nothing: defaults) into validated Settings."""
    if path is None:
        return Settings()
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
    _check_first_month(values.bulletin.first_month, path, text)
    return dataclasses.replace(values, root=path.parent.resolve(), config_file=path)


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
    expected = {str: _("text"), int: _("a whole number")}.get(allowed[0], _("a list of texts"))
    raise _type_error(path, text, name, key, expected)


def _type_error(path: Path, text: str, name: str, key: str, expected: str) -> SourceError:
    message = _("'{key}' must be {expected}").format(key=name, expected=expected)
    return SourceError(Problem(path, message, _line_of(text, key)))


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(\[+\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\])", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None
