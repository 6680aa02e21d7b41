"""The post-pass over the HTML an engine built from the staged tree (see :mod:`dangjian.generate`).

Every page is sanitised (writers' HTML is untrusted), its photos become responsive
``<picture>`` elements, it gets its search facets and enters the site's own search index;
then the processed photos (never the originals), the sitemap and the index are published.
The MkDocs hook calls :meth:`PostPass.page` from ``on_post_page``; the generator
(``scripts/generate.py``) runs :class:`BuiltSite` beside the engine, processing each page
as soon as the engine has written it.  This module never imports an engine.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from .images import rewrite_images
from .paths import folder_beside
from .preview import PreviewDir
from .problems import Problem
from .render import page_url
from .sanitize import sanitize_page
from .search import INDEXED, PageFacets, annotate, page_facets
from .search_index import IndexStats, SearchIndex, new_search_index, write_index

if TYPE_CHECKING:
    from .generate import Plan

SITEMAP = "sitemap.xml"
#: left in the site folder by :func:`clear_for_engine`; the engine removes it when it empties the folder
MARKER = "dangjian-engine-starting.tmp"


@dataclass
class PostPass:
    """The post-pass over built HTML: one :meth:`page` call per page, then :meth:`site`."""

    plan: Plan
    own_search: bool = True
    #: the index of the previous build in this process (``serve --dirty`` merges edited pages into it)
    previous: SearchIndex | None = None
    search: SearchIndex = field(init=False)
    #: problems found while setting up (the synonyms table ``rules/synonyms.yml``)
    problems: list[Problem] = field(init=False, default_factory=list)

    #: the search pages the preview kept from its last run (when ``previous`` is not there yet)
    known: list | None = None
    #: the site being built (the search worker keeps its files beside it)
    site_dir: Path | None = None

    def __post_init__(self) -> None:
        self.search = new_search_index(self.plan.root, self.own_search, self.previous, self.problems, self.known,
                                       self.site_dir)

    def foresee(self, content_html: str, url: str, src_uri: str, title: str | None, address: str) -> None:
        """Before a page is built: hand the search index its article as the theme will most likely make
        it (:func:`article_guess`), so that it is indexed ahead while the engine converts other pages
        (:meth:`SearchIndex.foresee`; pages must come in the order they will be built)."""
        if self.own_search:
            facets = page_facets(self.plan.site, src_uri, title, self.plan.settings.search_guides)
            if facets is not None:
                self.search.foresee(url, article_guess(content_html, title, address), facets)

    def page(self, page_html: str, url: str, src_uri: str, title: str | None) -> str:
        """:meth:`process` the page and add it to the search index."""
        page_html, facets = self.process(page_html, url, src_uri, title)
        self.index(url, page_html, facets)
        return page_html

    def process(self, page_html: str, url: str, src_uri: str, title: str | None) -> tuple[str, PageFacets | None]:
        """Sanitise the article (writers' HTML is untrusted), responsive ``<picture>`` for every processed
        photo, search facets (content pages only, with 栏目/系统/类别/年份; scripts/dangjian/search*.py)."""
        plan = self.plan
        page_html = sanitize_page(page_html)
        page_html = rewrite_images(page_html, url, plan.originals.get, plan.images)
        facets = page_facets(plan.site, src_uri, title, plan.settings.search_guides)
        return annotate(page_html, facets), facets

    def index(self, url: str, page_html: str, facets: PageFacets | None) -> None:
        """Add a processed page to the search index (pages are numbered in the order they are added)."""
        if self.own_search:
            self.search.add(url, page_html, facets)

    def site(self, site_dir: Path, *, expected: int = 0, preview: PreviewDir | None = None,
             photos: bool = True) -> tuple[IndexStats | None, list[Problem]]:
        """Publish processed photos (never originals), the sitemap and the search index.

        ``expected``: how many pages a full build indexes; when fewer went through :meth:`page`
        (``serve --dirty``), the edited pages are merged into the index already in the site
        (by ``preview`` in the background, when the preview keeps its output between runs).
        ``photos=False``: the processed photos are already there.
        """
        plan = self.plan
        if photos:
            plan.images.publish(site_dir)
        for uri in plan.originals:  # the staged placeholders (engines copy them like any file)
            target = site_dir / uri
            if target.is_file() and not target.is_symlink():
                target.unlink()
        write_sitemap(plan, site_dir)
        if not self.own_search:
            self.search.close()
            return None, []
        if preview is not None:
            return preview.write_search(self.search, site_dir, expected, {page_url(uri) for uri in plan.page_uris()})
        return write_index(self.search, site_dir, expected)


def write_sitemap(plan: Plan, site_dir: Path) -> None:
    """``sitemap.xml`` (+ ``.gz``) of every page but further pages of paginated listings."""
    base = plan.config.site_url
    if base and not base.endswith("/"):
        base += "/"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for uri in plan.page_uris():
        if re.search(r"(^|/)page/\d+\.md$", uri) and uri in plan.pages:
            continue
        lines.append(f"    <url>\n         <loc>{html.escape(base + page_url(uri))}</loc>\n    </url>")
    lines.append("</urlset>\n")
    data = "\n".join(lines).encode("utf-8")
    site_dir.mkdir(parents=True, exist_ok=True)
    (site_dir / SITEMAP).write_bytes(data)
    (site_dir / (SITEMAP + ".gz")).write_bytes(gzip.compress(data, mtime=0))


def article_guess(content_html: str, title: str | None, address: str) -> str:
    """The article the theme makes of a page's content (overrides/partials/content.html and main.html):
    a heading when the content has none, the content, the page's address printed on paper.  Only a
    guess for the search index to work ahead on: what is indexed is always the built page's text."""
    heading = "" if "<h1" in content_html else f"<h1>{html.escape(Markup(title or '').striptags())}</h1>"
    return (f'<article class="md-content__inner md-typeset" {INDEXED}>{heading}{content_html}'
            f'<p class="dj-print-url" hidden>本页网址：<span data-dj-print-url>{html.escape(address)}</span></p></article>')


_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_EDIT_LINK = re.compile(r'<a href="(?P<href>[^"]*)"(?P<attrs>[^>]*\brel="edit"[^>]*)>(?P<body>.*?)</a>', re.S)


def page_title(page_html: str, site_name: str) -> str | None:
    """The page title from ``<title>页面 - 网站</title>`` (the theme's format)."""
    match = _TITLE.search(page_html)
    if not match:
        return None
    title = html.unescape(match.group(1)).strip()
    suffix = f" - {site_name}"
    return title.removesuffix(suffix) if title != site_name else title


def fix_edit_link(page_html: str, edit_url: str | None) -> str:
    """Point the theme's "编辑此页" button at the page's real source, or remove it for generated pages."""
    if edit_url is None:
        return _EDIT_LINK.sub("", page_html, count=1)
    href = html.escape(edit_url, quote=True)
    return _EDIT_LINK.sub(lambda m: f'<a href="{href}"{m.group("attrs")}>{m.group("body")}</a>', page_html, count=1)


def walk_order(src_uri: str) -> tuple[str, ...]:
    """Sort key of a page in the order MkDocs builds the staged tree (``<dir>/index.md`` pages, walked
    top-down with sorted folder names: a folder's page before its subfolders')."""
    return tuple(page_url(src_uri).split("/")[:-1])


class BuiltSite:
    """The post-pass over the pages an engine writes into ``site_dir``.

    :meth:`follow` may be called while the engine is still building: it processes the pages the
    engine has written since ``since_ns`` (MkDocs converts every page before it writes any, then
    writes them one after another, so the post-pass runs on the second core during that last
    phase instead of after it).  Processed pages are kept beside the site (a ``.dj-post-`` folder
    next to it, never inside) and moved into place by :meth:`finish`, once the engine has finished
    and its file still holds exactly what was processed; a page it wrote again is processed
    again (and the search index is then built anew from the final pages).  Pages enter the search
    index in the engine's file order whatever order they were written in, so the same content
    gives the same index.  Without :meth:`follow`, :meth:`finish` processes every page in turn.

    When the site folder was prepared by :func:`clear_for_engine`, the processed photos are
    published as soon as the engine has emptied it, while the engine is still converting pages.
    """

    #: a page written less than this long ago may still be being written: it waits for the next call
    SETTLE_NS = 50_000_000
    #: pages not there yet in a row after which a call stops looking (the engine writes in about this order)
    LOOKAHEAD = 256

    def __init__(self, plan: Plan, site_dir: Path, since_ns: int = 0, ahead: Path | None = None) -> None:
        self.plan = plan
        self.site_dir = site_dir
        self.since_ns = since_ns
        self.post = PostPass(plan, own_search=plan.config.own_search, site_dir=site_dir)
        self.problems: list[Problem] = list(self.post.problems)
        self.order = sorted(plan.page_uris(), key=walk_order)
        self.pending = list(self.order)          # not processed yet
        self.digests: dict[str, bytes] = {}      # processed: the digest of the engine's page
        self.facets: dict[str, PageFacets | None] = {}
        self.indexed = 0                         # self.order[:indexed] are in the search index
        self._paths = {uri: str(self.built(uri)) for uri in self.order}   # polled often: no Path objects
        self._number = {uri: n for n, uri in enumerate(self.order)}
        self.photos = False  # published
        self.side = folder_beside(site_dir, "post")
        #: where the engine leaves each page's converted content before it renders any (scripts/engine_ahead.py)
        self.ahead = ahead
        self._uri_of_url = {page_url(uri): uri for uri in self.order}

    def built(self, uri: str) -> Path:
        return self.site_dir / page_url(uri) / "index.html"

    def processed(self, uri: str) -> Path:
        return self.side / f"{self._number[uri]}.html"

    def follow(self) -> bool:
        """Process the pages the engine has finished writing since the last call; whether there were any."""
        if not self.photos and os.path.isdir(self.site_dir) and not os.path.exists(self.site_dir / MARKER):
            self.plan.images.publish(self.site_dir)
            self.photos = True
        if self.ahead is not None and not self.digests and self._read_ahead():
            return True
        now = time.time_ns()
        ready, missing = [], 0
        stat, paths = os.stat, self._paths
        for uri in self.pending:
            try:
                st = stat(paths[uri])
            except OSError:
                missing += 1
                if missing >= self.LOOKAHEAD:
                    break
                continue
            missing = 0
            if st.st_size and st.st_mtime_ns >= self.since_ns and now - st.st_mtime_ns >= self.SETTLE_NS:
                ready.append(uri)
        fresh = {}
        for uri in ready:
            page_html = self._process(uri, complete=False)
            if page_html is not None:
                fresh[uri] = page_html
        if fresh:
            self.pending = [uri for uri in self.pending if uri not in fresh]
            self._index(fresh)
        return bool(fresh)

    def finish(self, log: Callable[[str], None] = lambda _msg: None) -> list[Problem]:
        """Process the remaining pages, put every processed page in place, publish photos, sitemap and
        search index; returns the problems found."""
        try:
            fresh = {}
            for uri in self.pending:
                page_html = self._process(uri, complete=True)
                if page_html is not None:
                    fresh[uri] = page_html
            self.pending = []
            if self.since_ns and self._rewritten():
                self._reindex()
            else:
                self._index(fresh, final=True)
            place = os.replace if _same_disk(self.side, self.site_dir) else shutil.copyfile
            for uri in self.digests:
                place(self.processed(uri), self.built(uri))
            (self.site_dir / MARKER).unlink(missing_ok=True)  # an engine that does not empty its folder
            stats, errs = self.post.site(self.site_dir, photos=not self.photos)
        finally:
            self.discard()
        for line in search_summary(self.post, stats):
            log(line)
        return self.problems + errs

    def discard(self) -> None:
        """Stop without publishing anything more (the engine failed): the search worker and the kept pages go."""
        self.post.search.close()  # after finish(): already written, nothing left to stop
        (self.site_dir / MARKER).unlink(missing_ok=True)
        shutil.rmtree(self.side, ignore_errors=True)
        if self.ahead is not None:
            shutil.rmtree(self.ahead, ignore_errors=True)

    def _read_ahead(self) -> bool:
        """Hand the search index the pages the engine has converted (not yet rendered) since the last
        call (:meth:`PostPass.foresee`); whether there were any.  Read once, then removed."""
        try:
            names = [entry.name for entry in os.scandir(self.ahead) if entry.name.endswith(".page")]
        except OSError:
            return False
        for name in sorted(names, key=lambda n: int(n.removesuffix(".page"))):
            path = self.ahead / name
            try:
                head, _, content = path.read_text(encoding="utf-8").partition("\n")
                path.unlink()
                meta = json.loads(head)
                url = str(meta["u"])
            except (OSError, ValueError, KeyError, TypeError):
                continue  # only a head start: the page is indexed from what the engine writes
            uri = self._uri_of_url.get(url)
            if uri is not None:
                self.post.foresee(content, url, uri, meta.get("t"), str(meta.get("a") or ""))
        return bool(names)

    def _process(self, uri: str, complete: bool) -> str | None:
        """Process one built page into the side folder; ``None`` when it is not (fully) there."""
        path = self.built(uri)
        try:
            data = path.read_bytes()
            page_html = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            if complete:
                self.problems.append(Problem(f"docs/{uri}", "构建引擎没有生成这个页面。",
                                             "查看上面构建引擎的提示；修正后重新构建。", code="build"))
            return None
        if not complete and not page_html.rstrip().endswith("</html>"):
            return None  # still being written: the next call sees the rest
        plan, url = self.plan, page_url(uri)
        page_html, self.facets[uri] = self.post.process(page_html, url, uri, page_title(page_html, plan.config.site_name))
        page_html = fix_edit_link(page_html, plan.config.edit_url(plan.edit_path(uri)))
        self.processed(uri).write_text(page_html, encoding="utf-8")
        self.digests[uri] = _digest(data)
        return page_html

    def _index(self, fresh: dict[str, str], final: bool = False) -> None:
        """Add the processed pages that are next in the engine's order to the search index
        (``final``: every page is processed; those the engine did not build are left out)."""
        order = self.order
        while self.indexed < len(order):
            uri = order[self.indexed]
            if uri in self.digests:
                page_html = fresh.get(uri)
                if page_html is None:  # processed out of order earlier: read back from the side folder
                    page_html = self.processed(uri).read_text(encoding="utf-8")
                self.post.index(page_url(uri), page_html, self.facets[uri])
            elif not final:
                break
            self.indexed += 1

    def _rewritten(self) -> bool:
        """Process again every page the engine changed after it was processed; whether there was one."""
        again = [uri for uri in self.digests if _read_digest(self.built(uri)) != self.digests[uri]]
        for uri in again:
            del self.digests[uri]
            self._process(uri, complete=True)
        return bool(again)

    def _reindex(self) -> None:
        """A fresh search index from the final pages, in order (a page was rewritten after it was indexed)."""
        self.post.search.close()
        self.post.search = new_search_index(self.plan.root, self.post.own_search, None, [], site_dir=self.site_dir)
        self.indexed = 0
        self._index({}, final=True)


def clear_for_engine(site_dir: Path) -> None:
    """Empty ``site_dir`` as the engines do before a build (hidden entries kept, like MkDocs'
    ``clean_directory``), leaving only :data:`MARKER`: when the engine has emptied the folder in
    turn, the marker is gone and :class:`BuiltSite` may publish photos into it."""
    site_dir.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(site_dir):
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    (site_dir / MARKER).touch()


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _read_digest(path: Path) -> bytes | None:
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


def _same_disk(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def finish_built_site(plan: Plan, site_dir: Path, log: Callable[[str], None] = lambda _msg: None) -> list[Problem]:
    """Post-pass over a site an engine has finished building from the staged tree; returns problems."""
    return BuiltSite(plan, site_dir).finish(log)


def search_summary(post: PostPass, stats: IndexStats | None) -> list[str]:
    """The search index's figures for the build log."""
    lines = []
    if post.search.fallback_reason:
        lines.append(f"dangjian: 搜索索引改在主进程中生成（后台进程不可用：{post.search.fallback_reason}）")
    if stats:
        lines.append(f"dangjian: 搜索索引 {stats.pages} 页，{stats.shards} 个分片，{stats.seconds:.1f} 秒"
                     f"（写文件 {stats.writing:.1f} 秒），{stats.bytes // 1024} KB"
                     + (f"；{stats.foreseen} 页在转换阶段已预先分词" if stats.foreseen else ""))
    return lines
