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
import os
import re
import shutil
import sys
import time
import types
from collections import Counter
from dataclasses import dataclass
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


class _Builder:
    """Postings and page records, one page at a time (in the worker process or in-process).

    Page ids follow the order in which pages arrive (MkDocs' file order, which is stable).
    Postings are kept as flat ``[page delta, weight, …]`` lists, ready to be written.
    """

    def __init__(self) -> None:
        self.rows: list[list[str | None]] = []
        self.records: list[dict] = []
        self.postings: dict[str, list[int]] = {}
        self.last: dict[str, int] = {}

    def add(self, doc: _Doc) -> None:
        pid = len(self.records)
        facets = doc.facets
        self.rows.append([facets.filters[f][0] if facets.filters.get(f) else None for f in FACETS])
        weights = tokens(doc.text)
        for tok, n in weights.items():
            if n > 99:
                weights[tok] = 99
        for tok in tokens(" ".join(facets.names)):
            weights[tok] += NAME_WEIGHT
        for tok in tokens(facets.title):
            weights[tok] += TITLE_WEIGHT
        postings, last = self.postings, self.last
        for tok, weight in weights.items():
            plist = postings.get(tok)
            if plist is None:
                postings[tok] = [pid, weight]
            else:
                plist += (pid - last[tok], weight)
            last[tok] = pid
        self.records.append({"u": doc.url, "t": facets.title, "s": facets.section, "n": " ".join(facets.names),
                             "x": doc.text[:TEXT_CAP], "c": len(doc.text) > TEXT_CAP})

    def write(self, site_dir: Path, started: float) -> IndexStats:
        """Write into a staging folder, then swap it into place: a reader never sees half an index."""
        out = site_dir / OUT_DIR
        staging = out.with_name(out.name + ".new")
        if staging.exists():
            shutil.rmtree(staging)
        (staging / "d").mkdir(parents=True)
        dump = lambda data: json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
        for pid, record in enumerate(self.records):
            (staging / "d" / f"{pid}.json").write_text(dump(record), encoding="utf-8")
        values = {f: sorted({row[i] for row in self.rows if row[i] is not None}) for i, f in enumerate(FACETS)}
        values["年份"].sort(reverse=True)
        ids = {f: {v: n for n, v in enumerate(vals)} for f, vals in values.items()}
        rows = [[ids[f][row[i]] if row[i] is not None else -1 for i, f in enumerate(FACETS)] for row in self.rows]
        total = sum(len(tok) * 3 + 6 + 3 * len(flat) for tok, flat in self.postings.items())  # ~3 bytes a number
        shards = max(1, math.ceil(total / SHARD_TARGET_BYTES))
        parts: list[dict[str, list[int]]] = [{} for _ in range(shards)]
        for tok, flat in self.postings.items():
            parts[shard_of(tok, shards)][tok] = flat
        for i, part in enumerate(parts):
            (staging / f"s{i}.json").write_text(dump(part), encoding="utf-8")
        meta = {"v": 1, "shards": shards, "facets": list(FACETS), "values": values, "pages": rows}
        (staging / "pages.json").write_text(dump(meta), encoding="utf-8")
        raw = sum(p.stat().st_size for p in staging.rglob("*.json"))
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        staging.rename(out)
        if old.exists():
            shutil.rmtree(old)
        return IndexStats(len(self.records), len(self.postings), shards, raw, time.perf_counter() - started)


# The worker process keeps one builder; with a single worker, tasks run in the order submitted.
_WORKER: dict[str, _Builder] = {}


def _worker_add(key: str, docs: list[_Doc]) -> int:
    builder = _WORKER.get(key)
    if builder is None:
        _WORKER.clear()
        builder = _WORKER[key] = _Builder()
    for doc in docs:
        builder.add(doc)
    return len(builder.records)


def _worker_write(key: str, site_dir: str, started: float) -> IndexStats:
    builder = _WORKER.pop(key)
    return builder.write(Path(site_dir), started)


class SearchIndex:
    """Collects built pages during the build; :meth:`write` writes the index after it.

    With ``background`` (the default) pages are tokenized in a second process while the
    build goes on rendering, so on a two-core machine the index costs the build little.
    If that process cannot start, dies or hangs, the index is built in this process from
    the pages kept here: the result is the same, only slower.
    """

    BATCH = 64                  # pages sent to the worker at a time
    WORKER_TIMEOUT = 900.0      # seconds to wait for the worker before building in-process

    def __init__(self, background: bool = True) -> None:
        self.docs: list[_Doc] = []
        self.background = background
        self.fallback_reason: str | None = None   # why the worker was not used (for logs and tests)
        self._pending: list[_Doc] = []
        self._pool = None
        self._key = f"{os.getpid()}-{id(self)}-{time.monotonic_ns()}"

    def add(self, url: str, page_html: str, facets: PageFacets | None) -> None:
        if facets is None:
            return
        text = page_text(page_html)
        if text is None:
            return
        doc = _Doc(url, facets, text)
        self.docs.append(doc)
        if self.background:
            self._pending.append(doc)
            if len(self._pending) >= self.BATCH:
                self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            if self._pool is None:
                self._pool = _start_pool()
            self._pool.submit(_worker_add, self._key, batch)
        except Exception as exc:  # noqa: BLE001 - no worker: index in this process at the end
            self._give_up(f"{type(exc).__name__}: {exc}")

    def _give_up(self, reason: str) -> None:
        self.background = False
        self.fallback_reason = reason
        self.close()

    def close(self) -> None:
        """Stop the worker without writing (a partial ``--dirty`` build keeps the old index)."""
        pool, self._pool = self._pool, None
        self._pending = []
        if pool is not None:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.kill()

    def write(self, site_dir: Path) -> IndexStats:
        started = time.perf_counter()
        if self.background and self._pool is not None:
            self._flush()
            try:
                if self._pool is not None:
                    future = self._pool.submit(_worker_write, self._key, str(site_dir), started)
                    stats = future.result(timeout=self.WORKER_TIMEOUT)
                    self.close()
                    return stats
            except OSError:
                self.close()
                raise  # disk full or read-only: the same would happen here
            except Exception as exc:  # noqa: BLE001 - worker died or hung
                self._give_up(f"{type(exc).__name__}: {exc}")
        self.close()
        builder = _Builder()
        for doc in self.docs:
            builder.add(doc)
        return builder.write(site_dir, started)


def _start_pool():
    """One worker process, started fresh (``spawn``: safe beside ``mkdocs serve``'s threads).

    The worker imports this module by name, so the folder holding the ``dangjian`` package
    must be on ``sys.path`` while the process starts (MkDocs removes it after loading hooks).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    scripts_dir = str(Path(__file__).resolve().parent.parent)
    added = scripts_dir not in sys.path
    if added:
        sys.path.insert(0, scripts_dir)
    # A spawned child re-runs the parent's main script unless it is guarded by
    # `if __name__ == "__main__"`; a script that calls MkDocs' build directly may not be.
    # While the worker starts, __main__ is an empty module, so the child imports nothing of it.
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        pool.submit(len, ())  # starts the worker now, while the path is set (not waited for)
        return pool
    finally:
        if main is not None:
            sys.modules["__main__"] = main
        if added and scripts_dir in sys.path:
            sys.path.remove(scripts_dir)


def write_index(index: SearchIndex, site_dir: Path) -> tuple[IndexStats | None, list]:
    """Write the index; a failure (disk full, permissions) is a Chinese problem, not a traceback."""
    from .problems import Problem
    try:
        return index.write(site_dir), []
    except OSError as exc:
        return None, [Problem(str(site_dir / OUT_DIR), f"写入站内搜索索引失败：{exc.strerror or exc}",
                              "检查输出目录是否可写、磁盘是否已满，然后重新构建。", field="search")]
