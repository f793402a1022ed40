"""A post read from the web, whichever way it was found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bulletin.web.markup import Content


@dataclass(frozen=True)
class Post:
    """One article as the site has it. ``key`` is stable across reruns and
    across the ways of listing (the WordPress id, else the URL)."""

    key: str
    url: str
    title: str
    date: dt.date | None
    content: Content
    slug: str
    category: str | None = None
    author: str | None = None
    modified: str | None = None
