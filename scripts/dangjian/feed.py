"""RSS 2.0 feed of the newest brands and study materials (drafts are never in ``Site``).

Links are absolute (feed readers need them) and built from the site's public
address (``site_url``).  Every value goes through :func:`~dangjian.escape.xml_text`, so the
feed is well-formed XML whatever a title holds.  Output is deterministic for the same content.
"""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

from .escape import xml_text as escape
from .model import Site

FEED_PATH = "feed.xml"


def _rfc822(day: dt.date) -> str:
    return format_datetime(dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))


def render_feed(site: Site, site_url: str, title: str, description: str = "", limit: int = 30) -> str:
    """RSS 2.0 XML of up to ``limit`` newest published brands and study materials."""
    base = site_url.rstrip("/") + "/"
    entries: list[tuple[dt.date, str, str, str, str]] = []
    for brand in site.brands:
        entries.append((brand.date, f"党建品牌：{brand.meta.title}", brand.url, brand.meta.description, f"{brand.unit.name} · {brand.category.name}"))
    for item in site.studies:
        entries.append((item.meta.date, f"学习资料：{item.meta.title}", item.url, item.meta.description, item.topic.title))
    entries.sort(key=lambda e: (e[0], e[2]), reverse=True)
    entries = entries[:limit]
    items = []
    for day, item_title, url, desc, category in entries:
        link = escape(base + url)
        items.append(
            f"    <item>\n      <title>{escape(item_title)}</title>\n      <link>{link}</link>\n"
            f'      <guid isPermaLink="true">{link}</guid>\n      <category>{escape(category)}</category>\n'
            f"      <description>{escape(desc)}</description>\n      <pubDate>{_rfc822(day)}</pubDate>\n    </item>\n"
        )
    newest = _rfc822(entries[0][0]) if entries else _rfc822(dt.date(2000, 1, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n  <channel>\n'
        f"    <title>{escape(title)}</title>\n    <link>{escape(base)}</link>\n"
        f"    <description>{escape(description or title)}</description>\n    <language>zh-CN</language>\n"
        f"    <lastBuildDate>{newest}</lastBuildDate>\n"
        f'    <atom:link href="{escape(base + FEED_PATH)}" rel="self" type="application/rss+xml"/>\n'
        + "".join(items) + "  </channel>\n</rss>\n"
    )
