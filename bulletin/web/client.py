"""The guarded HTTP client: every request ``bulletin collect`` makes goes here.

Why guarded: the URLs come from a website's HTML, which anyone who can post on
that site controls. So only the hosts the user named (the site, the pages
given, ``[site] photo_hosts``) are fetched, redirects are followed by hand and
checked like any other URL, hosts other than the named ones must not be
private addresses (no probing the office network through a photo link), and
every answer is size-limited. The address checked is the address connected to:
the connection resolves such a host once, checks every address it got and
dials one of them, so a name that changes its answer between a check and the
connection (DNS rebinding) cannot lead into the office network. Retries are
few and back off, because the site is a small institute server, not a CDN.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from bulletin import __version__
from bulletin.i18n import _

USER_AGENT = (
    f"bulletin/{__version__} (collects a month's news for a printed internal bulletin; "
    f"python-httpx/{httpx.__version__})"
)
PARALLEL = 4  # downloads at once: polite to a small server
MAX_RETRIES = 2  # after the first try, on 429, 5xx, timeouts and dropped connections
BACKOFF_SECONDS = 1.0  # doubled at each retry, unless the server says Retry-After
MAX_WAIT_SECONDS = 30.0
MAX_REDIRECTS = 5
MAX_PAGE_BYTES = 10 * 1024 * 1024
# The timeout bounds each wait; a server dripping a byte at a time never trips it,
# so a whole answer must also arrive within this many timeouts.
WHOLE_ANSWER_TIMEOUTS = 10
RETRY_STATUSES = {429, 500, 502, 503, 504}


class PrivateAddress(Exception):
    """A host that is not the site's resolved, at connection time, to a private address."""


class FetchError(Exception):
    """A URL that could not be fetched, and why (a message for the user)."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Answer:
    url: str  # after redirects
    content: bytes
    content_type: str
    headers: httpx.Headers

    @property
    def charset(self) -> str | None:
        return httpx.Response(200, headers=self.headers).charset_encoding

    def text(self) -> str:
        """The body decoded as the server says, else UTF-8 (what every WordPress sends)."""
        try:
            return self.content.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _port_of(url: str) -> int | None:
    parts = urlsplit(url)
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


class Fetcher:
    """An httpx client that fetches only what the user allowed.

    ``named`` are the URLs the user typed (or set in ``[site] url``): their
    hosts are allowed, even on a private address (an intranet site is the
    normal case). ``photo_hosts`` are allowed too, but only on public addresses.
    """

    def __init__(self, named: list[str], photo_hosts: list[str], timeout: float) -> None:
        self.named_hosts = {host_of(url) for url in named}
        # a named host is fetched on its own port and the standard ones, not on any
        # port a post's HTML names (an intranet server's admin port)
        self.named_ports = {_port_of(url) for url in named} | {80, 443}
        self.allowed_hosts = self.named_hosts | {h.strip().lower() for h in photo_hosts}
        self.timeout = timeout
        limits = httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=PARALLEL)
        transport = httpx.HTTPTransport(limits=limits)
        _guard_connections(transport, {_connection_host(url) for url in named})
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, max_bytes: int = MAX_PAGE_BYTES) -> Answer:
        """GET ``url``, following only redirects that pass the same checks."""
        for _hop in range(MAX_REDIRECTS + 1):
            self.check(url)
            response, content = self._with_retries(url, max_bytes)
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                if host_of(target) not in self.allowed_hosts:
                    raise FetchError(
                        url,
                        _("redirected to another host ({target}): refused").format(target=target),
                    )
                url = target
                continue
            if response.status_code >= 400:
                raise FetchError(
                    url,
                    _("the server answered {status}").format(status=response.status_code),
                    response.status_code,
                )
            content_type = response.headers.get("content-type", "").split(";")[0].strip()
            return Answer(url, content, content_type.lower(), response.headers)
        raise FetchError(url, _("too many redirects"))

    def check(self, url: str) -> None:
        """Refuse what must never be fetched, before any connection is made."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, _("only http and https addresses are fetched"))
        host = (parts.hostname or "").lower()
        if host not in self.allowed_hosts:
            raise FetchError(
                url, _("not the site's host (add it to [site] photo_hosts to allow it)")
            )
        if host in self.named_hosts:
            if _port_of(url) not in self.named_ports:
                raise FetchError(url, _("not the site's port: refused"))
        elif _is_private(host, _port_of(url)):
            raise FetchError(url, _("a private network address: refused"))

    def _with_retries(self, url: str, max_bytes: int) -> tuple[httpx.Response, bytes]:
        for attempt in range(MAX_RETRIES + 1):
            last = attempt == MAX_RETRIES
            try:
                with self._client.stream("GET", url) as response:
                    if response.status_code in RETRY_STATUSES and not last:
                        wait = _retry_after(response) or BACKOFF_SECONDS * 2**attempt
                        time.sleep(min(wait, MAX_WAIT_SECONDS))
                        continue
                    deadline = time.monotonic() + self.timeout * WHOLE_ANSWER_TIMEOUTS
                    return response, _read(url, response, max_bytes, deadline)
            except PrivateAddress:
                raise FetchError(url, _("a private network address: refused")) from None
            except httpx.TimeoutException:
                if last:
                    raise FetchError(
                        url, _("no answer within {seconds:g} s").format(seconds=self.timeout)
                    ) from None
            except httpx.TransportError as exc:
                if last:
                    reason = str(exc) or type(exc).__name__
                    raise FetchError(
                        url, _("cannot connect ({reason})").format(reason=reason)
                    ) from None
            time.sleep(BACKOFF_SECONDS * 2**attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _read(url: str, response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    """The body, refused as soon as it is known to be too large."""
    if response.is_redirect or response.status_code >= 400:
        return b""
    too_large = FetchError(
        url, _("larger than {megabytes} MB: refused").format(megabytes=max_bytes // 1024**2)
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the answer takes too long", request=response.request)
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    return None


def _is_private(host: str, port: int | None) -> bool:
    """Whether ``host`` is, or resolves to, an address outside the public internet."""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
        except OSError:
            return False  # the connection will fail and say so
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    return any(not address.is_global for address in addresses)


def _public_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, refused if one of them is not public."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise httpcore.ConnectError(str(error)) from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if any(not ipaddress.ip_address(address).is_global for address in addresses):
        raise PrivateAddress(host)
    return addresses


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's own sockets, dialled only at addresses that were checked.

    The site's own hosts (``named``) connect as usual: an intranet site is the
    normal case. Any other host is resolved here, once; all its addresses must be
    public, and the socket connects to one of those very addresses. TLS still
    verifies the certificate against the host name, which httpcore passes apart."""

    def __init__(self, named: set[str]) -> None:
        self.named = named

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if host.lower() in self.named:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        last: Exception | None = None
        for address in _public_addresses(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:
                last = error
        raise last or httpcore.ConnectError(host)


def _connection_host(url: str) -> str:
    """The host name as the connection sees it (an IDN in its ASCII form)."""
    return httpx.URL(url).raw_host.decode("ascii").lower()


def _guard_connections(transport: httpx.HTTPTransport, named: set[str]) -> None:
    """Give the transport's connection pool the guarded backend. httpx has no
    parameter for it, so the backend is set on the pool it made; if a proxy is
    configured (the user's own, from the environment) the proxy dials instead."""
    pool = transport._pool
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = GuardedBackend(named)
