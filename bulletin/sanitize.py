"""The one allow-list for HTML that comes from an article (Markdown, Word).

Article text is data: only these tags and attributes reach the layout; no
images, frames, styles, scripts or ``rel=attachment`` links, whatever the
source held. Photos enter the bulletin as ``Figure`` blocks, never as raw <img>.
"""

from __future__ import annotations

import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "small",
    "mark",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "code",
    "pre",
    "a",
}
ATTRIBUTES = {
    "a": {"href"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(fragment: str) -> str:
    """``fragment`` with everything outside the allow-list removed."""
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
