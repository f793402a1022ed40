"""A WordPress site's posts of one month: the REST API, else the RSS feed.

The REST API gives the whole month at once, with dates in the site's own time
(``after``/``before`` and ``date`` are local time in WordPress), so the month
boundary is the one the staff see on the site. Sites that close the API
(401/403/404) still publish ``/feed/``; its dates are GMT and are moved into
``[site] timezone`` before the month is judged.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from bulletin.collect import Month
from bulletin.i18n import _
from bulletin.web import markup
from bulletin.web.client import Fetcher, FetchError
from bulletin.web.post import Post

CLOSED = {401, 403, 404}
_CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}encoded"
_CREATOR_NS = "{http://purl.org/dc/elements/1.1/}creator"
_POST_ID = re.compile(r"[?&]p=(\d+)")
_MAX_PAGES = 50  # 5,000 posts a month: a listing that never ends is a broken site


class ListingError(Exception):
    """The site's posts cannot be listed at all."""


def month_posts(
    fetcher: Fetcher,
    site: str,
    month: Month,
    timezone: str,
    category: str | None = None,
    lang: str | None = None,
) -> tuple[list[Post], bool]:
    """The month's posts, oldest first, and whether the listing is complete
    (the REST API: yes; the feed may have cut older posts off)."""
    site = site.rstrip("/")
    try:
        return _from_api(fetcher, site, month, category, lang), True
    except FetchError as error:
        if error.status not in CLOSED:
            raise ListingError(str(error)) from None
    try:
        return _from_feed(fetcher, site, month, ZoneInfo(timezone), category, lang), False
    except FetchError as error:
        raise ListingError(str(error)) from None


def _from_api(
    fetcher: Fetcher, site: str, month: Month, category: str | None, lang: str | None
) -> list[Post]:
    start, end = _bounds(month)
    query: dict[str, str | int] = {
        "after": (start - dt.timedelta(seconds=1)).isoformat(),
        "before": end.isoformat(),
        "per_page": 100,
        "orderby": "date",
        "order": "asc",
        "_embed": "author,wp:featuredmedia,wp:term",
    }
    if category:
        query["categories"] = _category_id(fetcher, site, category)
    if lang:
        query["lang"] = lang
    posts, page, pages = [], 1, 1
    while page <= min(pages, _MAX_PAGES):
        answer = fetcher.get(f"{site}/wp-json/wp/v2/posts?{urlencode({**query, 'page': page})}")
        items = _json(answer.content, answer.url)
        pages = int(answer.headers.get("x-wp-totalpages", "1") or 1)
        posts += [
            p for p in map(_api_post, items) if p.date and start.date() <= p.date < end.date()
        ]
        page += 1
    return posts


def _category_id(fetcher: Fetcher, site: str, slug: str) -> int:
    answer = fetcher.get(f"{site}/wp-json/wp/v2/categories?{urlencode({'slug': slug})}")
    found = _json(answer.content, answer.url)
    if not found:
        raise ListingError(_("the site has no category '{slug}'").format(slug=slug))
    return int(found[0]["id"])


def _json(content: bytes, url: str) -> list[dict]:  # type: ignore[type-arg]
    try:
        value = json.loads(content)
    except ValueError:
        raise ListingError(_("{url}: not a WordPress answer (not JSON)").format(url=url)) from None
    if not isinstance(value, list):
        raise ListingError(_("{url}: not a WordPress answer (not a list)").format(url=url))
    return value


def _api_post(item: dict) -> Post:  # type: ignore[type-arg]
    embedded = item.get("_embedded") or {}
    url = str(item.get("link") or "")
    content = markup.from_html(_rendered(item, "content"), url)
    lead = _featured_photo(embedded, url)
    if lead and all(not isinstance(b, markup.Photo) or b.url != lead.url for b in content.blocks):
        content = markup.Content([lead, *content.blocks], content.byline)
    terms = [t for group in embedded.get("wp:term") or [] for t in group or []]
    category = next((t.get("name") for t in terms if t.get("taxonomy") == "category"), None)
    authors = embedded.get("author") or [{}]
    return Post(
        key=str(item.get("id")),
        url=url,
        title=_text_of(_rendered(item, "title")),
        date=_local_date(str(item.get("date") or "")),
        content=content,
        slug=str(item.get("slug") or item.get("id")),
        category=_text_of(category) if category else None,
        author=content.byline or _real_name(str(authors[0].get("name") or "")),
        modified=str(item.get("modified_gmt") or item.get("modified") or "") or None,
    )


def _real_name(name: str) -> str | None:
    """The account's display name, unless it is a login ("admin", "vienmo"):
    a byline in print names a person or a unit."""
    name = markup.plain(name)
    return name if " " in name or not name.isascii() else None


def _featured_photo(embedded: dict, base: str) -> markup.Photo | None:  # type: ignore[type-arg]
    media = (embedded.get("wp:featuredmedia") or [None])[0]
    if not isinstance(media, dict) or not media.get("source_url"):
        return None
    caption = _text_of(_rendered(media, "caption"))
    return markup.Photo(str(media["source_url"]), caption)


def _rendered(item: dict, key: str) -> str:  # type: ignore[type-arg]
    value = item.get(key)
    return str(value.get("rendered") or "") if isinstance(value, dict) else str(value or "")


def _text_of(html: str) -> str:
    """Plain text of a bit of HTML (titles carry entities like ``&#8211;``)."""
    if not html.strip():
        return ""
    return markup.plain(lxml.html.fragment_fromstring(html, create_parent="div").text_content())


def _local_date(value: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _from_feed(
    fetcher: Fetcher,
    site: str,
    month: Month,
    zone: ZoneInfo,
    category: str | None,
    lang: str | None,
) -> list[Post]:
    start, end = _bounds(month)
    feed = f"{site}/category/{category}/feed/" if category else f"{site}/feed/"
    posts = []
    for items in _feed_pages(fetcher, feed, lang):
        dated = [(item, _feed_date(item, zone)) for item in items]
        posts += [
            _feed_post(item, day) for item, day in dated if day and start.date() <= day < end.date()
        ]
        if all(day is None or day < start.date() for _item, day in dated):
            break  # the feed is newest first: the month is behind us
    return sorted(posts, key=lambda p: (p.date or dt.date.min, p.key))


def _feed_pages(fetcher: Fetcher, feed: str, lang: str | None) -> Iterator[list]:  # type: ignore[type-arg]
    for page in range(1, _MAX_PAGES + 1):
        query = {**({"lang": lang} if lang else {}), **({"paged": page} if page > 1 else {})}
        try:
            answer = fetcher.get(f"{feed}?{urlencode(query)}" if query else feed)
        except FetchError as error:
            if page > 1 and error.status == 404:
                return  # past the last page
            raise
        parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
        root = lxml.etree.fromstring(answer.content, parser)
        items = root.findall("./channel/item") if root is not None else []
        if not items:
            return
        yield items


def _feed_date(item: lxml.etree._Element, zone: ZoneInfo) -> dt.date | None:
    try:
        when = email.utils.parsedate_to_datetime(item.findtext("pubDate") or "")
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(zone).date()


def _feed_post(item: lxml.etree._Element, day: dt.date | None) -> Post:
    url = (item.findtext("link") or "").strip()
    guid = (item.findtext("guid") or url).strip()
    number = _POST_ID.search(guid)
    html = item.findtext(_CONTENT_NS) or item.findtext("description") or ""
    content = markup.from_html(html, url)
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or (number[1] if number else "bai")
    return Post(
        key=number[1] if number else url,
        url=url,
        title=markup.plain(item.findtext("title") or ""),
        date=day,
        content=content,
        slug=slug,
        category=markup.plain(item.findtext("category") or "") or None,
        author=content.byline or markup.plain(item.findtext(_CREATOR_NS) or "") or None,
    )


def _bounds(month: Month) -> tuple[dt.datetime, dt.datetime]:
    """The month as local wall-clock times: its first instant and the next month's."""
    start = dt.datetime(month.year, month.month, 1)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, following
