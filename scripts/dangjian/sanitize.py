"""Sanitise the article of a built page: writers' raw HTML and attr_list attributes are untrusted.

Markdown lets a writer put raw HTML (``<script>``, ``<img onerror>``, ``<iframe>``) and, with
attr_list, any attribute (``{: onclick=... }``) into a page.  The review gate reports such
code, but the site must be safe even when a change slips through review.  So every built
page's article (``<article class="md-content__inner md-typeset">`` … its ``</article>``) is
parsed and re-serialised by an allow-list sanitiser: only the elements, attributes, URL
schemes and CSS properties listed here survive.  The rest of the page is the theme's
templates, which escape every value themselves (``overrides/``).

The sanitiser is nh3, the Python binding of Ammonia (Rust, html5ever's spec-compliant
parser).  Bleach, the usual Python choice, is deprecated by its maintainers (2023) and built
on the unmaintained html5lib; nh3 is maintained, fast (a page in well under a millisecond)
and its parser is the same HTML5 algorithm browsers use, which is what prevents mutation XSS.

The allow-list keeps everything the site's own pages use (cards and their ``<picture>``,
``data-*`` read by showcase.js and search, the filter form, tables, footnotes, admonitions,
details, the inline SVG charts, heading permalinks, the coverage bars' ``--dj-pct``); a
test sanitises a clean build and finds nothing changed.  No MkDocs import here: the MkDocs
adapter calls :func:`sanitize_page` in ``on_post_page`` and an engine-neutral post-pass can
call it over the built HTML files.
"""

from __future__ import annotations

import re

import nh3

#: Elements kept (others are removed, their text kept); Ammonia's defaults plus what the site uses.
TAGS = frozenset(nh3.ALLOWED_TAGS) | {
    "section", "nav", "picture", "source", "noscript", "figure", "figcaption",
    "form", "label", "select", "option", "button",  # the showcase filter (no action/method: nothing is sent anywhere)
    "svg", "g", "rect", "text", "title", "path", "line", "circle", "polyline",  # the /stats/ charts and theme icons
}
#: Elements removed together with their content.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "textarea", "xmp",
                                  "noembed", "noframes", "plaintext", "math"})
#: Attributes kept on every element (plus ``data-*`` and ``aria-*``).
_COMMON = {"class", "id", "title", "lang", "dir", "hidden", "role", "tabindex"}
#: Attributes kept per element.
ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON,
    "a": {"href", "rel", "download", "hreflang", "type"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "fetchpriority", "srcset", "sizes"},
    "source": {"srcset", "sizes", "type", "media", "width", "height"},
    "time": {"datetime"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "style", "align"},
    "th": {"colspan", "rowspan", "scope", "style", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    "abbr": {"title"},
    "span": {"style"},
    "select": {"name", "multiple"},
    "option": {"value", "selected"},
    "button": {"type", "disabled"},
    "label": {"for"},
    "svg": {"viewbox", "viewBox", "xmlns", "width", "height", "fill", "font-size", "preserveaspectratio",
            "preserveAspectRatio"},
    "g": {"fill", "transform"},
    "rect": {"x", "y", "width", "height", "rx", "ry", "fill"},
    "text": {"x", "y", "dx", "dy", "fill", "text-anchor", "font-size", "font-weight"},
    "path": {"d", "fill", "stroke", "stroke-width"},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width"},
    "circle": {"cx", "cy", "r", "fill", "stroke"},
    "polyline": {"points", "fill", "stroke", "stroke-width"},
}
#: URL schemes kept in href/src (relative URLs are kept; javascript:, data:, vbscript:… are removed).
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: CSS properties kept in ``style`` (tables' column alignment, the coverage bars' width).
STYLE_PROPERTIES = frozenset({"text-align", "--dj-pct"})

_ARTICLE_START = re.compile(r'<article class="md-content__inner md-typeset"[^>]*>')
_ARTICLE_END = "</article>"


def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
        link_rel=None,  # keep the site's rel="prev"/"next"; writers' links open in the same tab (no target kept)
        strip_comments=True,
    )


#: Built once: the allow-list is compiled into Ammonia's builder, not rebuilt for every page.
_CLEANER = _cleaner()


def sanitize_html(fragment: str) -> str:
    """``fragment`` with everything outside the allow-list removed."""
    return _CLEANER.clean(fragment)


def sanitize_page(page_html: str) -> str:
    """A built page with its article sanitised; pages without an article are returned unchanged.

    The article starts at the theme's first ``<article class="md-content__inner md-typeset">``
    and ends at the page's last ``</article>``: everything a writer wrote lies between them (the
    templates outside escape their values), so a ``</article>`` in a writer's HTML cannot end the
    region early.
    """
    start = _ARTICLE_START.search(page_html)
    if start is None:
        return page_html
    end = page_html.rfind(_ARTICLE_END)
    if end < start.end():
        return page_html
    inner = page_html[start.end():end]
    return page_html[:start.end()] + sanitize_html(inner) + page_html[end:]
