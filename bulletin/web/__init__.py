"""``bulletin collect``: the month's articles read straight from the website.

The only part of bulletin that touches the network. ``client`` is the guarded
HTTP client every request goes through; ``wordpress`` lists a WordPress
site's posts of a month (REST API, RSS when the API is closed); ``page`` reads
one page of any news site; ``markup`` turns a post's HTML into Markdown blocks
with the photos and their captions; ``manifest`` remembers what was written so
a rerun adds and updates without touching what the staff edited; ``collector``
runs the whole and writes the articles.
"""
