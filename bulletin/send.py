"""``bulletin send``: the email PDF to every unit, exactly once.

One message per unit (subject and body from ``layouts/email/``, the PDF
attached), sent with the standard library's smtplib. A send log,
``out/sent-YYYY-MM.json``, records each address as soon as the server has
accepted it, so a rerun after a failure — the server down halfway, one bad
address, a temporary 451 — serves only the addresses still waiting.

Exactly once, even when things go wrong:
- one run at a time: an exclusive lock (``out/sent-YYYY-MM.lock``) is held for
  the whole run, so two sends started together cannot both mail a unit;
- write ahead: an address is marked "sending" (written and fsynced) before the
  message goes, and "sent" after the server took it. If that second write
  fails, the rerun finds "sending" and reports the address as unknown — check
  before resending — instead of mailing it again.
``--dry-run`` writes the messages as .eml files instead; ``--to`` sends one
test message to another address and records nothing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import jinja2

from bulletin import dates
from bulletin.config import Email, Settings, Unit, address_problem
from bulletin.errors import BulletinError, Problem, display_path
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
    settings: Settings,
    month: str,
    number: int,
    pdf: Path | None,
    only: tuple[str, ...] = (),
    by_default: bool = False,
) -> Mailing:
    """Check the PDF and the units before anything is sent. The default PDF
    must be newer than every source it was made from: a mail cannot be taken
    back, so last week's copy is refused (``--pdf`` sends a chosen file as is).
    ``by_default``: the month was not asked for (the newest folder's)."""
    chosen = pdf is not None
    pdf = pdf or settings.out_path / f"ban-tin-{month}-email.pdf"
    if not pdf.is_file():
        message = _("{path}: not found: make it first with 'bulletin make --for email'")
        others = sorted(settings.out_path.glob("ban-tin-????-??-email.pdf"))
        hint = (
            _(" (there is {path}: give --month {month})").format(
                path=display_path(others[-1]), month=others[-1].name[8:15]
            )
            if by_default and others and not chosen
            else ""
        )
        raise BulletinError(message.format(path=display_path(pdf)) + hint)
    changed = None if chosen else changed_since(pdf, settings, month)
    if changed is not None:
        raise BulletinError(
            _(
                "{path} is older than {changed}, changed after it was made: make it again "
                "with 'bulletin make --for email' (or send it as it is with --pdf {path})"
            ).format(path=display_path(pdf), changed=display_path(changed))
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
        raise BulletinError(_("No [[units]] in bulletin.toml: nobody to send to"))
    if only:
        names = {u.name for u in units}
        unknown = [name for name in only if name not in names]
        if unknown:
            raise BulletinError(
                _("No unit named {names} in bulletin.toml").format(
                    names=", ".join(repr(n) for n in unknown)
                )
            )
        units = [u for u in units if u.name in only]
    return Mailing(
        pdf, month, number, units, settings.email, settings.out_path / f"sent-{month}.json"
    )


def changed_since(pdf: Path, settings: Settings, month: str) -> Path | None:
    """The newest source changed after ``pdf`` was written: an article or photo
    of the month, or one of the project's own layout files. (Not bulletin.toml
    nor layouts/email/: units, mail server and message text are often fixed
    after the PDF is made, and change nothing printed.)"""
    made = pdf.stat().st_mtime
    mail = settings.root / "layouts" / "email"
    newest: tuple[float, Path] | None = None
    for folder in (settings.articles_path / month, settings.root / "layouts"):
        for path in folder.rglob("*") if folder.is_dir() else ():
            parts = path.relative_to(folder).parts
            if any(part.startswith(".") for part in parts) or path.is_relative_to(mail):
                continue
            with contextlib.suppress(OSError):  # gone since the listing: not a source
                changed = path.stat().st_mtime
                if path.is_file() and changed > made:
                    newest = max(newest or (changed, path), (changed, path))
    return newest[1] if newest else None


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


def message(
    settings: Settings, mailing: Mailing, unit: Unit, to: str | None = None
) -> EmailMessage:
    """The unit's message; ``to`` puts a test address in its To: header instead."""
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
    mail["Subject"] = " ".join(_render(env, "subject.txt.j2", values).split())
    mail["From"] = mailing.email.sender
    mail["To"] = to or ", ".join(unit.addresses)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=mailing.email.sender.rpartition("@")[2] or None)
    mail.set_content(_render(env, "body.txt.j2", values))
    mail.add_attachment(
        mailing.pdf.read_bytes(), maintype="application", subtype="pdf", filename=mailing.pdf.name
    )
    return mail


def _render(env: jinja2.Environment, name: str, values: dict[str, object]) -> str:
    """A template of the message; its mistakes are the user's, named with the line."""
    try:
        return env.get_template(name).render(values)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or f"layouts/email/{name}"
        line = getattr(exc, "lineno", None) or 1
        raise BulletinError(
            _("{path}:{line}: template error: {reason}").format(
                path=display_path(Path(where)), line=line, reason=exc.message or type(exc).__name__
            )
        ) from None


def dry_run(settings: Settings, mailing: Mailing) -> list[Path]:
    """One .eml per unit in ``out/mail-YYYY-MM/``; nothing is sent."""
    folder = settings.out_path / f"mail-{mailing.month}"
    written = []
    for unit in mailing.units:
        path = folder / f"{unit.file_stem}.eml"
        with atomic_output(path) as temporary:
            temporary.write_bytes(bytes(message(settings, mailing, unit)))
        written.append(path)
    return written


# The send log: {unit name: {address: {"state": "sending" | "sent" | "failed", "at", "reply"}}}
Log = dict[str, dict[str, dict[str, str]]]
SENT, SENDING, FAILED = "sent", "sending", "failed"


def read_log(path: Path) -> Log:
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
    if not isinstance(data, dict):
        return {}
    return {name: _addresses(entry) for name, entry in data.items() if isinstance(entry, dict)}


def _addresses(entry: dict[str, object]) -> dict[str, dict[str, str]]:
    """One unit's record; a log of the first version (``{"to": [...], "refused": [...]}``,
    one record per unit) reads as "sent" for every address the server accepted."""
    to, refused = entry.get("to"), entry.get("refused")
    if isinstance(to, list):
        gone = refused if isinstance(refused, list) else []
        at = str(entry.get("at", ""))
        return {str(a): {"state": SENT, "at": at} for a in to if a not in gone}
    return {str(a): dict(v) for a, v in entry.items() if isinstance(v, dict)}


def _write_log(path: Path, log: Log) -> None:
    with atomic_output(path, durable=True) as temporary:
        temporary.write_text(json.dumps(log, ensure_ascii=False, indent=2), encoding="utf-8")


@contextlib.contextmanager
def _locked(log: Path) -> Iterator[None]:
    """Hold ``sent-YYYY-MM.lock`` for the whole run; refuse a second run at once.

    A separate lock file, because the log itself is replaced by each write and
    a lock on a replaced file protects nothing. The OS drops the lock when the
    process ends, even killed, so a crash never leaves the month locked."""
    lock = log.with_suffix(".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BulletinError(
            _("{path}: cannot write ({reason})").format(path=display_path(lock), reason=exc)
        ) from None
    try:
        try:
            _lock(descriptor)
        except OSError:
            raise BulletinError(
                _(
                    "Another 'bulletin send' is sending this month right now ({path} is locked): "
                    "wait for it to finish"
                ).format(path=display_path(lock))
            ) from None
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _lock(descriptor: int) -> None:
    """An exclusive lock that fails at once if held (flock, or msvcrt on Windows)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


def network_reason(exc: BaseException) -> str:
    """What went wrong talking to the mail server, in the user's language: the
    system's own words ("[Errno 111] Connection refused") are English."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _("the server refused the user name or password")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _("the server answered {code} {text}").format(
            code=exc.smtp_code, text=_text(exc.smtp_error)
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionResetError | BrokenPipeError):
        return _("the server closed the connection")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("the server's TLS certificate is not trusted")
    if isinstance(exc, ssl.SSLError):
        return _("the encrypted connection (TLS) failed")
    if isinstance(exc, socket.gaierror):
        return _("no server of that name (check host in [email])")
    if isinstance(exc, TimeoutError):
        return _("no answer from the server in time")
    if isinstance(exc, ConnectionRefusedError):
        return _("the connection was refused: wrong port, or no mail service running there")
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return _("the network cannot reach the server")
    if isinstance(exc, OSError) and exc.errno:
        return _("network error {code}").format(code=errno.errorcode.get(exc.errno, exc.errno))
    return _("the mail exchange failed ({kind})").format(kind=type(exc).__name__)


def connect(email: Email, password: str | None) -> smtplib.SMTP:
    """SSL from the start, or STARTTLS when configured or offered; login only
    with a password, and then never in clear unless ``security = "none"``."""
    context = ssl.create_default_context()
    try:
        if email.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                email.host, email.port, timeout=30, context=context
            )
        else:
            server = smtplib.SMTP(email.host, email.port, timeout=30)
            server.ehlo()
            offered = server.has_extn("starttls")
            if email.security == "auto" and password is not None and not offered:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    server.quit()
                raise BulletinError(
                    _(
                        "The mail server {host}:{port} does not offer STARTTLS: the password "
                        'would travel unencrypted. Write security = "none" in [email] to allow '
                        "that on a trusted network"
                    ).format(host=email.host, port=email.port)
                )
            if email.security == "starttls" or (email.security == "auto" and offered):
                server.starttls(context=context)
                server.ehlo()
        if password is not None:
            server.login(email.username or email.sender, password)
    except (OSError, smtplib.SMTPException) as exc:
        raise BulletinError(
            _("Cannot reach the mail server {host}:{port}: {reason}").format(
                host=email.host, port=email.port, reason=network_reason(exc)
            )
        ) from None
    return server


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


@dataclass
class Outcome:
    """What a run did, for the closing summary."""

    total: int
    sent: list[str] = field(default_factory=list)  # units served in full, now or before
    before: list[str] = field(default_factory=list)  # of which served by an earlier run
    failed: dict[str, str] = field(default_factory=dict)  # unit: why not (yet)
    unknown: dict[str, list[str]] = field(default_factory=dict)  # unit: addresses

    @property
    def complete(self) -> bool:
        return not self.failed and not self.unknown


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def send(
    settings: Settings,
    mailing: Mailing,
    password: str | None,
    resend: bool,
    report: Callable[[str], None],
    progress: Callable[[int, int, Unit], None] | None = None,
) -> Outcome:
    """Send to every address not yet served, holding the month's lock throughout."""
    with _locked(mailing.log):
        log = read_log(mailing.log)
        outcome = Outcome(len(mailing.units))
        waiting: list[tuple[Unit, list[str]]] = []
        for unit in mailing.units:
            states = {a: log.get(unit.name, {}).get(a, {}).get("state") for a in unit.addresses}
            unsure = [a for a, state in states.items() if state == SENDING]
            if unsure and not resend:
                outcome.unknown[unit.name] = unsure
            done = (SENT, SENDING) if not resend else ()
            pending = [a for a, state in states.items() if state not in done]
            if pending:
                waiting.append((unit, pending))
            elif not unsure:
                outcome.sent.append(unit.name)
                outcome.before.append(unit.name)
                report(
                    _("Already sent to {unit}: skipped (--resend to send again)").format(
                        unit=unit.name
                    )
                )
        if waiting:
            _send_waiting(settings, mailing, password, log, waiting, outcome, report, progress)
    return outcome


def _send_waiting(
    settings: Settings,
    mailing: Mailing,
    password: str | None,
    log: Log,
    waiting: list[tuple[Unit, list[str]]],
    outcome: Outcome,
    report: Callable[[str], None],
    progress: Callable[[int, int, Unit], None] | None,
) -> None:
    server = connect(mailing.email, password)
    try:
        for index, (unit, pending) in enumerate(waiting):
            if progress:
                progress(index + 1, len(waiting), unit)
            mail = message(settings, mailing, unit)  # first: a template error sends nothing
            records = log.setdefault(unit.name, {})
            for address in pending:
                records[address] = {"state": SENDING, "at": _now()}
            _commit(mailing.log, log, unit, _("nothing was sent to {unit}"))
            lost = _send_one(server, mail, pending, records)
            _commit(
                mailing.log,
                log,
                unit,
                _("whether {unit} received it is unknown: check before resending"),
            )
            _tally(unit, records, outcome, report)
            if lost is not None:
                reason = _("not tried: {reason}").format(reason=network_reason(lost))
                for rest, _addresses in waiting[index + 1 :]:
                    outcome.failed[rest.name] = reason
                break
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()


def _send_one(
    server: smtplib.SMTP,
    mail: EmailMessage,
    pending: list[str],
    records: dict[str, dict[str, str]],
) -> BaseException | None:
    """Send the unit's message to ``pending`` and note each address's fate in
    ``records``; return the error if the connection is lost (the rest can't go)."""
    refused: dict[str, tuple[int, bytes]] = {}
    lost: BaseException | None = None
    try:
        refused = server.send_message(mail, to_addrs=pending)
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error
        refused = {
            a: (exc.smtp_code, error if isinstance(error, bytes) else error.encode())
            for a in pending
        }
    except (OSError, smtplib.SMTPException) as exc:
        lost = exc
        refused = {a: (0, b"") for a in pending}
    for address in pending:
        if address in refused:
            code, text = refused[address]
            reply = f"{code} {_text(text)}".strip() if code else network_reason(lost or OSError())
            records[address] = {"state": FAILED, "at": _now(), "reply": reply}
        else:
            records[address] = {"state": SENT, "at": _now()}
    return lost


def _commit(path: Path, log: Log, unit: Unit, consequence: str) -> None:
    """Write the log durably, or stop the run saying what the failure means."""
    try:
        _write_log(path, log)
    except (OSError, BulletinError) as exc:
        reason = exc.format_message() if isinstance(exc, BulletinError) else str(exc)
        raise BulletinError(
            _("Cannot write the send log {path} ({reason}): stopped; {consequence}").format(
                path=display_path(path),
                reason=reason,
                consequence=consequence.format(unit=unit.name),
            )
        ) from None


def _tally(
    unit: Unit, records: dict[str, dict[str, str]], outcome: Outcome, report: Callable[[str], None]
) -> None:
    """Count the unit as served only when every address was accepted."""
    states = {a: records.get(a, {}).get("state") for a in unit.addresses}
    failed = [a for a, state in states.items() if state == FAILED]
    if failed:
        outcome.failed[unit.name] = "; ".join(
            _("{address}: {reply}").format(address=a, reply=_refusal(records[a].get("reply", "")))
            for a in failed
        )
    elif all(state == SENT for state in states.values()):
        outcome.sent.append(unit.name)
        report(
            _("Sent to {unit} ({addresses})").format(
                unit=unit.name, addresses=", ".join(unit.addresses)
            )
        )


def _refusal(reply: str) -> str:
    """The server's reply, with what a 4xx means: try again later, not a bad address."""
    if reply[:1] == "4":
        return _("{reply} (a temporary refusal: the next run tries again)").format(reply=reply)
    return reply


def send_test(settings: Settings, mailing: Mailing, password: str | None, address: str) -> str:
    """The first unit's message to ``address`` only, recorded nowhere: for trying
    the settings and the look of the message before the real send."""
    reason = address_problem(address)
    if reason:
        raise BulletinError(_("--to {address!r}: {reason}").format(address=address, reason=reason))
    unit = mailing.units[0]
    server = connect(mailing.email, password)
    try:
        server.send_message(message(settings, mailing, unit, to=address), to_addrs=[address])
    except smtplib.SMTPRecipientsRefused as exc:
        ((code, reply),) = exc.recipients.values()
        raise BulletinError(
            _("Test message to {address} not sent: {reason}").format(
                address=address, reason=f"{code} {_text(reply)}"
            )
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise BulletinError(
            _("Test message to {address} not sent: {reason}").format(
                address=address, reason=network_reason(exc)
            )
        ) from None
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()
    return unit.name


def summary(outcome: Outcome) -> str:
    """``Đã gửi 12/14 đơn vị; 2 lỗi: …`` — the line a run ends with."""
    line = _("Sent to {sent}/{total} units").format(sent=len(outcome.sent), total=outcome.total)
    if outcome.before:
        line += _(" ({n} in an earlier run)").format(n=len(outcome.before))
    if outcome.failed:
        line += _("; {n} failed: {units}").format(
            n=len(outcome.failed), units=", ".join(outcome.failed)
        )
    if outcome.unknown:
        line += _("; {n} unknown: {units}").format(
            n=len(outcome.unknown), units=", ".join(outcome.unknown)
        )
    return line


def problems(outcome: Outcome) -> list[Problem]:
    """One line per unit left unserved, and what to do."""
    found = [
        Problem(None, _("Not sent to {unit}: {reason}").format(unit=name, reason=reason))
        for name, reason in outcome.failed.items()
    ]
    found += [
        Problem(
            None,
            _(
                "Unknown whether {unit} received it ({addresses}): the send log could not be "
                "written after sending; check with them, then use "
                "'bulletin send --resend --only \"{unit}\"' if it did not arrive"
            ).format(unit=name, addresses=", ".join(addresses)),
        )
        for name, addresses in outcome.unknown.items()
    ]
    if outcome.failed:
        found.append(Problem(None, _("Run 'bulletin send' again to send to them")))
    return found
