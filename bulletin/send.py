"""``bulletin send``: the email PDF to every unit, exactly once.

One message per unit (subject and body from ``layouts/email/``, the PDF
attached), sent with the standard library's smtplib. A send log,
``out/sent-YYYY-MM.json``, records each unit as soon as the server has
accepted its message, so a rerun after a failure — the server down halfway,
one bad address — serves only the units still waiting. ``--dry-run`` writes
the messages as .eml files instead.
"""

from __future__ import annotations

import contextlib
import json
import re
import smtplib
import ssl
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import jinja2

from bulletin import dates
from bulletin.config import Email, Settings, Unit
from bulletin.errors import BulletinError, Problem, ProblemsError, display_path
from bulletin.i18n import _
from bulletin.output import atomic_output
from bulletin.resources import LAYOUTS_DIR


@dataclass(frozen=True)
class Mailing:
    """What is sent this month, to whom, and how."""

    pdf: Path
    month: str  # YYYY-MM
    number: int
    units: list[Unit]
    email: Email
    log: Path


def plan(
    settings: Settings, month: str, number: int, pdf: Path | None, only: tuple[str, ...] = ()
) -> Mailing:
    """Check the PDF and the units before anything is sent."""
    pdf = pdf or settings.out_path / f"ban-tin-{month}-email.pdf"
    if not pdf.is_file():
        raise BulletinError(
            _("{path}: not found: make it first with 'bulletin make --for email'").format(
                path=display_path(pdf)
            )
        )
    limit = settings.email.max_attachment_mb
    if pdf.stat().st_size > limit * 1_000_000:
        raise BulletinError(
            _(
                "{path}: {size:.1f} MB, over the {limit} MB limit for attachments: "
                "make the light copy with 'bulletin make --for email'"
            ).format(path=display_path(pdf), size=pdf.stat().st_size / 1e6, limit=limit)
        )
    units = settings.units
    if not units:
        raise BulletinError(_("no [[units]] in bulletin.toml: nobody to send to"))
    if only:
        names = {u.name for u in units}
        unknown = [name for name in only if name not in names]
        if unknown:
            raise BulletinError(
                _("no unit named {names} in bulletin.toml").format(
                    names=", ".join(repr(n) for n in unknown)
                )
            )
        units = [u for u in units if u.name in only]
    return Mailing(
        pdf, month, number, units, settings.email, settings.out_path / f"sent-{month}.json"
    )


def _templates(settings: Settings) -> jinja2.Environment:
    """Plain-text templates (no HTML escaping), the user's layouts/email/ first."""
    folders = [
        f for f in (settings.root / "layouts" / "email", LAYOUTS_DIR / "email") if f.is_dir()
    ]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def message(settings: Settings, mailing: Mailing, unit: Unit) -> EmailMessage:
    env = _templates(settings)
    year, month = (int(part) for part in mailing.month.split("-"))
    values = {
        "unit": unit,
        "number": mailing.number,
        "masthead": settings.bulletin,
        "editorial": settings.editorial,
        "month_label": dates.month_label(year, month),
    }
    mail = EmailMessage()
    mail["Subject"] = " ".join(env.get_template("subject.txt.j2").render(values).split())
    mail["From"] = mailing.email.sender
    mail["To"] = ", ".join(unit.addresses)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=mailing.email.sender.rpartition("@")[2] or None)
    mail.set_content(env.get_template("body.txt.j2").render(values))
    mail.add_attachment(
        mailing.pdf.read_bytes(), maintype="application", subtype="pdf", filename=mailing.pdf.name
    )
    return mail


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "don-vi"


def dry_run(settings: Settings, mailing: Mailing) -> list[Path]:
    """One .eml per unit in ``out/mail-YYYY-MM/``; nothing is sent."""
    folder = settings.out_path / f"mail-{mailing.month}"
    written = []
    for unit in mailing.units:
        path = folder / f"{slug(unit.name)}.eml"
        with atomic_output(path) as temporary:
            temporary.write_bytes(bytes(message(settings, mailing, unit)))
        written.append(path)
    return written


def read_log(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BulletinError(
            _("{path}: send log unreadable ({reason}): move it away to start again").format(
                path=display_path(path), reason=exc
            )
        ) from None
    return data if isinstance(data, dict) else {}


def _record(path: Path, log: dict[str, dict[str, object]]) -> None:
    with atomic_output(path) as temporary:
        temporary.write_text(json.dumps(log, ensure_ascii=False, indent=2), encoding="utf-8")


def connect(email: Email, password: str | None) -> smtplib.SMTP:
    """SSL from the start, or STARTTLS when configured or offered; login only with a password."""
    context = ssl.create_default_context()
    try:
        if email.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                email.host, email.port, timeout=30, context=context
            )
        else:
            server = smtplib.SMTP(email.host, email.port, timeout=30)
            server.ehlo()
            if email.security == "starttls" or (
                email.security == "auto" and server.has_extn("starttls")
            ):
                server.starttls(context=context)
                server.ehlo()
        if password is not None:
            server.login(email.username or email.sender, password)
    except (OSError, smtplib.SMTPException) as exc:
        raise BulletinError(
            _("cannot reach the mail server {host}:{port} ({reason})").format(
                host=email.host, port=email.port, reason=exc
            )
        ) from None
    return server


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def send(
    settings: Settings,
    mailing: Mailing,
    password: str | None,
    resend: bool,
    report: Callable[[str], None],
) -> None:
    """Send to every unit not yet served; raise naming the units left unserved."""
    log = {} if resend else read_log(mailing.log)
    waiting = [u for u in mailing.units if u.name not in log]
    for unit in mailing.units:
        if unit.name in log:
            report(
                _("already sent to {unit}: skipped (--resend to send again)").format(unit=unit.name)
            )
    if not waiting:
        return
    failed: dict[str, str] = {}
    server = connect(mailing.email, password)
    try:
        for index, unit in enumerate(waiting):
            try:
                refused = server.send_message(message(settings, mailing, unit))
            except smtplib.SMTPRecipientsRefused as exc:
                failed[unit.name] = "; ".join(
                    f"{a}: {c} {_text(m)}" for a, (c, m) in exc.recipients.items()
                )
                continue
            except smtplib.SMTPResponseException as exc:
                failed[unit.name] = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                continue
            except (OSError, smtplib.SMTPException) as exc:
                for rest in waiting[index:]:
                    failed[rest.name] = str(exc) or type(exc).__name__
                break
            log[unit.name] = {
                "to": unit.addresses,
                "refused": sorted(refused),
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            _record(mailing.log, log)
            report(
                _("sent to {unit} ({addresses})").format(
                    unit=unit.name, addresses=", ".join(unit.addresses)
                )
            )
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()
    if failed:
        problems = [
            Problem(None, _("not sent to {unit}: {reason}").format(unit=n, reason=r))
            for n, r in failed.items()
        ]
        problems.append(Problem(None, _("run 'bulletin send' again to send to them")))
        raise ProblemsError(problems)
