"""The editor's choices the layout needs made for it: the date of issue, the lead
story, each article's category, and which articles a poster carries.

Pure functions of the articles and the settings, so that every layout (and
``bulletin preview``) shows the same issue; nothing here renders.
"""

from __future__ import annotations

import calendar
import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from bulletin.config import Settings
from bulletin.model import Article


def issue_date(settings: Settings, year: int, month: int, built: date) -> date:
    """``[bulletin] issued`` when set; else the build date — unless the issue is
    rebuilt long after (later than a month past the month's end): then the
    month's last day, so a 2023 issue rebuilt in 2026 does not say 2026."""
    if settings.bulletin.issued is not None:
        return settings.bulletin.issued
    last_day = date(year, month, calendar.monthrange(year, month)[1])
    return built if built <= last_day + timedelta(days=31) else last_day


def category_of(article: Article, month_folder: Path, categories: dict[str, str]) -> str | None:
    """The article's own category, else ``[categories]`` by the folder it sits in
    or by the start of its file name (``dang-`` → "Công tác Đảng"); the longest
    matching key wins, so ``cong-doan-thanh-nien`` can differ from ``cong-doan``."""
    if article.category or not categories:
        return article.category
    try:
        folders = article.source.parent.relative_to(month_folder).parts
    except ValueError:
        folders = ()
    name = article.source.name.lower()
    found = [
        key
        for key in categories
        if key.strip("/").lower() in (f.lower() for f in folders) or name.startswith(key.lower())
    ]
    return categories[max(found, key=len)] if found else None


def _rank(article: Article, names: Sequence[str]) -> int:
    """Where ``order = [...]`` lists the article's file (name or stem); -1: not listed."""
    for index, name in enumerate(names):
        if name in (article.source.name, article.source.stem):
            return index
    return -1


def arrange(articles: Sequence[Article], settings: Settings, month_folder: Path) -> list[Article]:
    """The articles in printed order, categories filled in, the lead story first.

    ``order = [...]`` in the config lists file names printed first, in that order;
    the lead story is the one marked ``lead: true``, else the first of that list,
    else the first in order."""
    ordered = [
        dataclasses.replace(a, category=category_of(a, month_folder, settings.categories))
        for a in articles
    ]
    names = settings.order
    listed = sorted((a for a in ordered if _rank(a, names) >= 0), key=lambda a: _rank(a, names))
    ordered = listed + [a for a in ordered if _rank(a, names) < 0]
    lead = next((a for a in ordered if a.featured), ordered[0] if ordered else None)
    return [lead, *(a for a in ordered if a is not lead)] if lead else ordered


def poster_choice(articles: Sequence[Article], pick: int | None) -> tuple[list[Article], bool]:
    """The articles a poster carries, and whether that choice is the user's.

    ``--pick N``: the first N (the lead story first); else those marked
    ``poster: true`` after the lead story; else all of them, and the build keeps
    those that fit on the one page."""
    if pick:
        return list(articles[:pick]), True
    marked = [a for a in articles[1:] if a.poster]
    if marked:
        return [articles[0], *marked], True
    return list(articles), False
