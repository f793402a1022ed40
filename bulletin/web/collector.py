"""Write the posts found on the web into a month folder, safely and again.

Each post becomes ``<slug>.md`` (front matter and Markdown, what the Markdown
reader reads) with its photos in ``<slug>/01.jpg``, ``02.jpg``… in the order
they appear. The manifest decides, per post, whether to write: a new post is
written, a post changed on the site is rewritten, an unchanged one is left,
and a file the staff edited or removed is never overwritten without
``--force``. A photo or post that fails is named; the rest are still written.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml
from PIL import Image

from bulletin.collect import Month
from bulletin.errors import BulletinError
from bulletin.i18n import _
from bulletin.output import atomic_output
from bulletin.web import page, wordpress
from bulletin.web.client import PARALLEL, Fetcher, FetchError
from bulletin.web.manifest import Entry, Manifest, file_hash
from bulletin.web.markup import Photo, Text
from bulletin.web.post import Post

MAX_PHOTO_BYTES = 30 * 1024 * 1024
MAX_PHOTO_PIXELS = 100_000_000
_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "TIFF": ".tif"}

Say = Callable[[str], None]


@dataclass
class Outcome:
    """What a run did, for the closing line and the exit code."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited or removed by hand, left alone
    gone: int = 0  # on record, no longer on the site
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    folder: Path
    photo_hosts: list[str]
    timeout: float
    force: bool = False


@dataclass(frozen=True)
class Voice:
    """Where lines go: ``progress`` may be silenced (-q), ``notice`` may not."""

    progress: Say
    notice: Say


def collect_site(
    site: str,
    month: Month,
    options: Options,
    voice: Voice,
    *,
    timezone: str,
    category: str | None = None,
    lang: str | None = None,
) -> Outcome:
    """The month's posts of a WordPress site into ``options.folder``."""
    outcome = Outcome()
    with Fetcher([site], options.photo_hosts, options.timeout) as fetcher:
        try:
            posts, complete = wordpress.month_posts(fetcher, site, month, timezone, category, lang)
        except wordpress.ListingError as error:
            raise BulletinError(
                _("Cannot list the site's posts: {reason}").format(reason=error)
            ) from None
        voice.progress(
            _("{count} posts on {site} in {month}").format(count=len(posts), site=site, month=month)
        )
        manifest = _store_all(fetcher, posts, options, voice, outcome)
    if complete and not category:
        _report_gone(manifest, {p.key for p in posts}, voice, outcome)
    return outcome


def collect_pages(urls: list[str], options: Options, voice: Voice) -> Outcome:
    """Single pages of any news site into ``options.folder``."""
    outcome = Outcome()
    with Fetcher(urls, options.photo_hosts, options.timeout) as fetcher:
        posts = []
        for url in urls:
            try:
                posts.append(page.read_page(fetcher, url))
            except FetchError as error:
                _failed(error, voice, outcome)
        _store_all(fetcher, posts, options, voice, outcome, listed=False)
    return outcome


def _store_all(
    fetcher: Fetcher,
    posts: list[Post],
    options: Options,
    voice: Voice,
    outcome: Outcome,
    listed: bool = True,
) -> Manifest:
    options.folder.mkdir(parents=True, exist_ok=True)
    manifest = Manifest.load(options.folder)
    for number, post in enumerate(posts, 1):
        photos = sum(isinstance(block, Photo) for block in post.content.blocks)
        line = (
            _("post {number}/{total}: {title}")
            if not photos
            else _("post {number}/{total}: {title} ({photos} photos)")
        )
        voice.progress(
            line.format(number=number, total=len(posts), title=post.title, photos=photos)
        )
        if not any(isinstance(block, Text) for block in post.content.blocks):
            _failed(FetchError(post.url, _("no article text found on the page")), voice, outcome)
            continue
        _store(fetcher, post, options, manifest, voice, outcome, listed)
    return manifest


def _store(
    fetcher: Fetcher,
    post: Post,
    options: Options,
    manifest: Manifest,
    voice: Voice,
    outcome: Outcome,
    listed: bool,
) -> None:
    fingerprint = _fingerprint(post)
    entry = manifest.posts.get(post.key)
    if entry is not None:
        now = file_hash(options.folder / entry.file)
        if now != entry.sha256 and not options.force:
            message = (
                _("{file}: removed by hand, not written again (--force writes it)")
                if now is None
                else _("{file}: edited by hand, left as it is (--force overwrites it)")
            )
            voice.notice(message.format(file=entry.file))
            outcome.kept += 1
            return
        if now == entry.sha256 and entry.fingerprint == fingerprint and entry.complete:
            outcome.unchanged += 1
            return
    name = entry.file if entry else _free_name(options.folder, manifest, post)
    stem = name.removesuffix(".md")
    photos = _download(fetcher, post, options.folder, stem, voice, outcome)
    article = options.folder / name
    with atomic_output(article) as temporary:
        temporary.write_text(_markdown(post, photos), encoding="utf-8")
    written = sorted(p for p in photos.values() if p)
    for stale in set(entry.photos if entry else []) - set(written):
        (options.folder / stale).unlink(missing_ok=True)
    manifest.posts[post.key] = Entry(
        url=post.url,
        file=name,
        sha256=file_hash(article) or "",
        fingerprint=fingerprint,
        modified=post.modified,
        photos=written,
        complete=all(photos.values()),
        listed=listed,
    )
    manifest.save()
    if entry is None:
        outcome.new += 1
    else:
        outcome.updated += 1


def _download(
    fetcher: Fetcher, post: Post, folder: Path, stem: str, voice: Voice, outcome: Outcome
) -> dict[int, str | None]:
    """Every photo of the post, at most PARALLEL at a time: block index → its
    path relative to the month folder, or None when it failed."""
    wanted = [(i, b) for i, b in enumerate(post.content.blocks) if isinstance(b, Photo)]

    def one(item: tuple[int, int, Photo]) -> tuple[int, str | None]:
        index, number, photo = item
        try:
            data, suffix = _photo(fetcher, photo.url)
        except FetchError as error:
            _failed(error, voice, outcome)
            return index, None
        relative = f"{stem}/{number:02d}{suffix}"
        with atomic_output(folder / relative) as temporary:
            temporary.write_bytes(data)
        return index, relative

    jobs = [(index, number, photo) for number, (index, photo) in enumerate(wanted, 1)]
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return dict(pool.map(one, jobs))


def _photo(fetcher: Fetcher, url: str) -> tuple[bytes, str]:
    """The photo's bytes and file suffix, refused when too large or not a photo."""
    answer = fetcher.get(url, max_bytes=MAX_PHOTO_BYTES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(answer.content)) as image:
                kind, (width, height) = image.format, image.size
        except Image.DecompressionBombError:
            kind, width, height = "", MAX_PHOTO_PIXELS, 2
        except (OSError, SyntaxError, ValueError):
            raise FetchError(url, _("not a photo")) from None
    if width * height > MAX_PHOTO_PIXELS:
        raise FetchError(
            url,
            _("larger than {megapixels} megapixels: refused").format(
                megapixels=MAX_PHOTO_PIXELS // 1_000_000
            ),
        )
    suffix = _SUFFIXES.get(kind or "")
    if suffix is None:
        raise FetchError(url, _("not a photo"))
    return answer.content, suffix


def _markdown(post: Post, photos: dict[int, str | None]) -> str:
    meta: dict[str, object] = {"title": post.title}
    if post.date:
        meta["date"] = post.date
    for key, value in (("author", post.author), ("category", post.category)):
        if value:
            meta[key] = value
    meta["source"] = post.url
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10**6)
    blocks = []
    for index, block in enumerate(post.content.blocks):
        if isinstance(block, Text):
            blocks.append(block.markdown)
        elif photos.get(index):
            caption = " ".join(block.caption.split()).replace("[", "(").replace("]", ")")
            blocks.append(f"![{caption}]({photos[index]})")
    return f"---\n{front}---\n\n" + "\n\n".join(blocks) + "\n"


def _fingerprint(post: Post) -> str:
    """What the site has for the post: a change here means the site edited it."""
    blocks = [
        [b.markdown] if isinstance(b, Text) else [b.url, b.caption] for b in post.content.blocks
    ]
    facts = [post.title, str(post.date), post.author, post.category, post.url, blocks]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


def _free_name(folder: Path, manifest: Manifest, post: Post) -> str:
    """``<slug>.md`` unless that name (or its photo folder) is taken."""
    slug = slugify(post.slug) if post.slug and not post.slug.isdigit() else slugify(post.title)
    for attempt in range(1, 1000):
        stem = slug if attempt == 1 else f"{slug}-{attempt}"
        name = f"{stem}.md"
        taken = (folder / name).exists() or (folder / stem).exists()
        if not taken and manifest.owner_of(name) is None:
            return name
    raise BulletinError(_("No free file name for {slug}").format(slug=slug))


def slugify(text: str) -> str:
    """ASCII file name from a title or slug: "Hội nghị" → "hoi-nghi"."""
    text = unquote(text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].rstrip("-") or "bai"


def _report_gone(manifest: Manifest, present: set[str], voice: Voice, outcome: Outcome) -> None:
    for key, entry in manifest.posts.items():
        if entry.listed and key not in present:
            voice.notice(
                _("{url}: no longer on the site; {file} is kept").format(
                    url=entry.url, file=entry.file
                )
            )
            outcome.gone += 1


def _failed(error: FetchError, voice: Voice, outcome: Outcome) -> None:
    line = _("failed: {url}: {reason}").format(url=error.url, reason=error.reason)
    voice.notice(line)
    outcome.failures.append(line)
