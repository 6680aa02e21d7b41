"""The site's own Chinese search index: character n-grams, sharded, verified in the browser.

Why: Pagefind (extended) and Material's lunr+jieba both match whole segmenter
words (or their starts), so 一课 misses 三会一课 and 青马 misses 青马学堂
(measured in tests/test_search.py, docs/guide/search.md).  Here every
character and every pair of adjacent characters is a token, so any substring
of two or more characters is found: the browser looks up the pairs of the
query, intersects the pages, then checks the exact string in the few best
pages' text and builds the highlighted snippet from it.

Files written under ``<site>/search/dj/`` (all same-origin, fetched on demand):

* ``pages.json`` – one row per page: 栏目, 系统, 类别, 年份 (facet value ids)
  and the facet value lists;
* ``s<N>.json`` – shard N of the postings: token → [page delta, weight, …],
  tokens spread over shards by a hash the browser computes identically;
* ``d/<id>.json`` – one page's URL, title, 栏目, names and text (capped).
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .search import PageFacets

OUT_DIR = "search/dj"
SHARD_TARGET_BYTES = 24_000     # raw JSON per shard; a query touches one shard per token
TEXT_CAP = 4000                 # characters of body text kept per page for checks and snippets
TITLE_WEIGHT, NAME_WEIGHT = 1000, 200
FACETS = ("栏目", "系统", "类别", "年份")

_TAGS = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|svg|nav|button)\b.*?</\1>|<section class=\"dj-related\".*?</section>|<a class=\"headerlink\".*?</a>|<p class=\"dj-search-names\".*?</p>|<span data-pagefind[^>]*>.*?</span>", re.S)
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"[^>]*>(.*?)</article>', re.S)
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_RUN = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]+")


def normalize(text: str) -> str:
    """Lower case, full-width ASCII folded, whitespace collapsed."""
    return re.sub(r"\s+", " ", text.translate(_FULLWIDTH).lower()).strip()


def tokens(text: str) -> dict[str, int]:
    """Characters and adjacent character pairs of the text's word runs, with counts."""
    runs = _RUN.findall(normalize(text))
    joined = "".join(runs)
    return Counter([*joined, *(r[i:i + 2] for r in runs for i in range(len(r) - 1))])


def shard_of(token: str, shards: int) -> int:
    """FNV-1a over UTF-16 code units (the browser computes the same)."""
    h = 0x811C9DC5
    for unit in token.encode("utf-16-le"):
        h ^= unit
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


def page_text(page_html: str) -> str | None:
    """Readable text of a page's article, or None when the page is not marked for search."""
    match = _ARTICLE.search(page_html)
    if match is None or "data-pagefind-body" not in page_html[match.start():match.start() + 120]:
        return None
    body = _DROP.sub(" ", match.group(1))
    body = re.sub(r"</(dt|th)>", "：", body)
    body = re.sub(r"</(p|li|h\d|tr|td|div|dd)>", "。 ", body)
    text = re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", body))).replace(" 。", "。").replace("： ", "：").strip()
    return re.sub(r"[。：]\s*(?=[。：])", "", text)


@dataclass
class _Doc:
    url: str
    facets: PageFacets
    text: str


@dataclass
class IndexStats:
    pages: int = 0
    tokens: int = 0
    shards: int = 0
    bytes: int = 0
    seconds: float = 0.0


@dataclass
class SearchIndex:
    """Collects built pages during the build; :meth:`write` writes the index after it."""

    docs: list[_Doc] = field(default_factory=list)

    def add(self, url: str, page_html: str, facets: PageFacets | None) -> None:
        if facets is None:
            return
        text = page_text(page_html)
        if text is not None:
            self.docs.append(_Doc(url, facets, text))

    def write(self, site_dir: Path) -> IndexStats:
        started = time.perf_counter()
        out = site_dir / OUT_DIR
        if out.exists():
            shutil.rmtree(out)
        (out / "d").mkdir(parents=True)
        docs = sorted(self.docs, key=lambda d: d.url)
        values: dict[str, list[str]] = {f: sorted({v for d in docs for v in d.facets.filters.get(f, [])}) for f in FACETS}
        values["年份"].sort(reverse=True)
        rows = [[values[f].index(d.facets.filters[f][0]) if d.facets.filters.get(f) else -1 for f in FACETS] for d in docs]
        postings: dict[str, list[tuple[int, int]]] = {}
        for pid, doc in enumerate(docs):
            weights = {tok: min(n, 99) for tok, n in tokens(doc.text).items()}
            for tok in tokens(" ".join(doc.facets.names)):
                weights[tok] = weights.get(tok, 0) + NAME_WEIGHT
            for tok in tokens(doc.facets.title):
                weights[tok] = weights.get(tok, 0) + TITLE_WEIGHT
            for tok, weight in weights.items():
                postings.setdefault(tok, []).append((pid, weight))
            record = {"u": doc.url, "t": doc.facets.title, "s": doc.facets.section,
                      "n": " ".join(doc.facets.names), "x": doc.text[:TEXT_CAP], "c": len(doc.text) > TEXT_CAP}
            (out / "d" / f"{pid}.json").write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        encoded: dict[str, list[int]] = {}
        total = 0
        for tok, plist in postings.items():
            flat, last = [], 0
            for pid, weight in plist:
                flat += [pid - last, weight]
                last = pid
            encoded[tok] = flat
            total += len(tok) * 3 + 6 + 3 * len(flat)  # about 3 bytes per number in JSON
        shards = max(1, math.ceil(total / SHARD_TARGET_BYTES))
        parts: list[dict[str, list[int]]] = [{} for _ in range(shards)]
        for tok, flat in encoded.items():
            parts[shard_of(tok, shards)][tok] = flat
        for i, part in enumerate(parts):
            (out / f"s{i}.json").write_text(json.dumps(part, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        meta = {"v": 1, "shards": shards, "facets": list(FACETS), "values": values, "pages": rows}
        (out / "pages.json").write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        files = [p for p in out.rglob("*.json")]
        raw = sum(p.stat().st_size for p in files)
        return IndexStats(len(docs), len(postings), shards, raw, time.perf_counter() - started)


def write_index(index: SearchIndex, site_dir: Path) -> tuple[IndexStats | None, list]:
    """Write the index; a failure (disk full, permissions) is a Chinese problem, not a traceback."""
    from .problems import Problem
    try:
        return index.write(site_dir), []
    except OSError as exc:
        return None, [Problem(str(site_dir / OUT_DIR), f"写入站内搜索索引失败：{exc.strerror or exc}",
                              "检查输出目录是否可写、磁盘是否已满，然后重新构建。", field="search")]
