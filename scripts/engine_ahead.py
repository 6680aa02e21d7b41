"""A head start for the search index, added by the generator to the engine's staged configuration.

MkDocs and ProperDocs convert every page's Markdown before they render and write any page.  This
hook hands the generator (``scripts/generate.py``) each page's converted content as soon as it
exists, as a file in the folder named by ``DJ_AHEAD_DIR``, so that the search worker can index
the page on the other core while the engine converts the rest
(:meth:`dangjian.postpass.PostPass.foresee`).  It is only a head start: what is published and
indexed is always what the engine wrote.  Engines that run no hooks (Zensical, MkDocs 2.0) get no
head start and build the same site.  It imports nothing of the project, it never fails a build
and it writes nothing without ``DJ_AHEAD_DIR``; ``mkdocs.yml`` does not name it.
"""

from __future__ import annotations

import json
import os

AHEAD_DIR = os.environ.get("DJ_AHEAD_DIR")
_written = 0


def page_address(page) -> str:
    """The page's address as the theme prints it (overrides/main.html: ``page.canonical_url``, else
    ``page.url | url``); also used by ``scripts/hooks.py``."""
    if page.canonical_url:
        return page.canonical_url
    try:
        from mkdocs.utils import normalize_url
        return normalize_url(page.url, page)
    except Exception:  # noqa: BLE001 - another engine's API: the guess then simply misses
        return ""


def on_page_content(html, page, config, files):
    global _written
    if AHEAD_DIR:
        head = json.dumps({"u": page.url, "t": page.title, "a": page_address(page)}, ensure_ascii=False)
        temp = os.path.join(AHEAD_DIR, f"{_written}.tmp")
        try:
            with open(temp, "w", encoding="utf-8", newline="") as out:
                out.write(head + "\n" + html)
            os.replace(temp, os.path.join(AHEAD_DIR, f"{_written}.page"))  # never seen half-written
            _written += 1
        except OSError:
            pass  # the folder is gone (the build was stopped) or full: no head start
    return html
