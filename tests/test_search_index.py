"""The search index built in a background process equals the in-process one, and survives its worker.

These tests drive :class:`dangjian.search_index.SearchIndex` directly with real
page HTML (the article markup MkDocs + Material write); the full-site search is
tested in tests/test_search.py and tests/test_build.py.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

import conftest  # noqa: F401  (puts scripts/ on sys.path)

ARTICLE = '<html><body><article class="md-content__inner md-typeset" data-dj-indexed>{}</article></body></html>'
WORDS = ["三会一课", "周五民声直播室", "四强党支部", "党课开讲啦", "先锋杯", "模范机关创建", "廉政电影周", "第一议题"]


def _modules():
    # tests/test_core.py reloads the dangjian package: always use the current modules.
    return importlib.import_module("dangjian.search_index"), importlib.import_module("dangjian.search")


def _fill(index, pages: int = 150) -> None:
    _, search = _modules()
    for i in range(pages):
        words = "，".join(WORDS[(i + k) % len(WORDS)] for k in range(3))
        facets = search.PageFacets("品牌" if i % 2 else "学习资料", f"第{i}号页面{WORDS[i % len(WORDS)]}",
                                   {"栏目": ["品牌" if i % 2 else "学习资料"], "年份": [str(2020 + i % 6)]},
                                   [f"市第{i % 7}局"])
        index.add(f"p/{i}/", ARTICLE.format(f"<h1>标题{i}</h1><p>{words}。第{i}段正文。</p>"), facets)


def _files(root: Path) -> dict[str, str]:
    out = root / "search" / "dj"
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.json"))}


def test_background_index_equals_in_process_index(tmp_path):
    search_index, _ = _modules()
    background = search_index.SearchIndex()
    _fill(background)
    assert background._pool is not None, "150 pages should have started the worker"
    stats = background.write(tmp_path / "bg")
    assert background.fallback_reason is None
    in_process = search_index.SearchIndex(background=False)
    _fill(in_process)
    in_process.write(tmp_path / "fg")
    assert stats.pages == 150
    assert _files(tmp_path / "bg") == _files(tmp_path / "fg")
    meta = json.loads((tmp_path / "bg" / "search" / "dj" / "meta.json").read_text(encoding="utf-8"))
    assert meta["pages"] == 150 and meta["values"]["年份"][0] == "2025"
    assert not list((tmp_path / "bg" / "search").glob("dj.*")), "no staging folder is left behind"


def test_dead_worker_falls_back_to_an_in_process_index(tmp_path):
    search_index, _ = _modules()
    index = search_index.SearchIndex()
    _fill(index, 100)
    for process in list(index._pool._processes.values()):  # the worker dies mid-build (OOM killer, kill -9)
        process.kill()
        process.join(10)
    _fill(index, 50)  # later pages still arrive
    stats = index.write(tmp_path / "site")
    assert index.fallback_reason, "the build should say why it indexed in-process"
    assert stats.pages == 150
    expected = search_index.SearchIndex(background=False)
    _fill(expected, 100)
    _fill(expected, 50)
    expected.write(tmp_path / "expected")
    assert _files(tmp_path / "site") == _files(tmp_path / "expected")


def test_closed_index_leaves_the_existing_index_alone(tmp_path):
    search_index, _ = _modules()
    first = search_index.SearchIndex()
    _fill(first, 80)
    first.write(tmp_path)
    before = _files(tmp_path)
    partial = search_index.SearchIndex()  # a `serve --dirty` rebuild of a few pages
    _fill(partial, 70)
    partial.close()
    assert partial._pool is None
    assert _files(tmp_path) == before


def test_substring_and_title_weight_in_postings(tmp_path):
    search_index, _ = _modules()
    index = search_index.SearchIndex(background=False)
    _fill(index, 16)
    stats = index.write(tmp_path)
    out = tmp_path / "search" / "dj"
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    shard = json.loads((out / f"s{search_index.shard_of('民声', meta['shards'])}.json").read_text(encoding="utf-8"))
    entries = _decode(shard["民声"])  # the middle of 周五民声直播室
    pids = [pid for pid, _, _ in entries]
    titles = [json.loads((out / "d" / f"{pid}.json").read_text(encoding="utf-8"))["t"] for pid in pids]
    assert stats.pages == 16 and pids == sorted(pids) and len(pids) >= 6
    heavy = [t for t, (_, w, _) in zip(titles, entries) if w & search_index.F_TITLE]
    assert heavy and all("周五民声直播室" in t for t in heavy)
    assert all(mask == 1 for _, _, mask in entries)  # short pages: one chunk each


def _decode(flat: list[int]) -> list[tuple[int, int, int]]:
    """(page, weight, chunk mask) entries of a posting list, as search-dj.js reads them."""
    out, pid, i = [], 0, 0
    while i < len(flat):
        pid += flat[i]
        if flat[i + 1] < 0:
            out.append((pid, -flat[i + 1], flat[i + 2]))
            i += 3
        else:
            out.append((pid, flat[i + 1], 1 if flat[i + 1] & 63 else 0))
            i += 2
    return out


def test_long_page_is_chunked_and_masks_name_the_chunks(tmp_path):
    search_index, search = _modules()
    index = search_index.SearchIndex(background=False)
    filler = "机关党建工作要扎实推进。" * 400
    body = f"<p>{filler}</p><p>违反家庭美德的行为。</p><p>{filler}</p><p>反家庭暴力法宣传。</p>"
    index.add("long/", ARTICLE.format(body), search.PageFacets("学习资料", "长文", {"栏目": ["学习资料"]}))
    stats = index.write(tmp_path)
    out = tmp_path / "search" / "dj"
    head = json.loads((out / "d" / "0.json").read_text(encoding="utf-8"))
    chunks = [head["x"]] + [json.loads((out / "d" / f"0-{k}.json").read_text(encoding="utf-8"))["x"] for k in range(1, head["k"])]
    assert head["k"] == stats.chunks > 5
    assert "".join(c[:search_index.CHUNK_CHARS] for c in chunks).count("反家庭暴力") == 1
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    shard = json.loads((out / f"s{search_index.shard_of('暴力', meta['shards'])}.json").read_text(encoding="utf-8"))
    [(_, _, mask)] = _decode(shard["暴力"])
    [k] = [k for k in range(head["k"]) if mask >> k & 1]
    assert "暴力" in chunks[k] and all("暴力" not in c for i, c in enumerate(chunks) if i != k)


def test_dirty_rebuild_replaces_edited_pages_in_the_last_full_index(tmp_path):
    search_index, search = _modules()
    full = search_index.SearchIndex(background=False)
    _fill(full, 20)
    full.write(tmp_path)
    partial = search_index.SearchIndex(background=False, previous=full)  # the next `serve --dirty` build
    facets = search.PageFacets("品牌", "第3号页面改过的标题", {"栏目": ["品牌"]}, [])
    partial.add("p/3/", ARTICLE.format("<p>新写的段落：检察蓝初心红。</p>"), facets)
    stats, problems = search_index.write_index(partial, tmp_path, expected=20)
    assert problems == [] and stats.pages == 20
    out = tmp_path / "search" / "dj"
    head = json.loads((out / "d" / "3.json").read_text(encoding="utf-8"))
    assert head["u"] == "p/3/" and head["t"] == "第3号页面改过的标题" and "检察蓝初心红" in head["x"]
    assert json.loads((out / "d" / "4.json").read_text(encoding="utf-8"))["u"] == "p/4/"


# --- The index files are a format the browser reads: a faster builder must write the same bytes. ---

GOLDEN = Path(__file__).with_name("data") / "search_index_golden.json"
PHRASES = ["三会一课", "周五民声直播室", "四强党支部", "党课开讲啦", "先锋杯", "模范机关创建", "廉政电影周", "第一议题",
           "检察蓝·初心红", "“三会一课”工作规范", "黨建引領", "稅心為民", "ＡＢＣ２０２６", "Party 建设 2026", "かな混じり",
           "反家庭暴力法", "违反家庭美德", "明直党〔2026〕3号", "&lt;主题党日&gt;", "😀表情", "乾坤著名瞭望"]


def _golden_pages() -> list[tuple[str, str, object]]:
    """A fixed set of pages that exercises every part of the format: one-chunk and many-chunk pages (more
    text than MAX_CHUNKS chunks hold), counts past COUNT_MAX, titles, names, fields and pinyin, traditional
    and full-width characters, markup that is dropped, guides, more years than are shown one by one."""
    import random

    _, search = _modules()
    rng = random.Random(20261130)
    pages = []
    for i in range(90):
        n = rng.choice([3, 8, 20, 200, 900, 2500]) if i % 9 else 6000
        words = "，".join(rng.choice(PHRASES) for _ in range(n))
        body = (f"<h2 id='s{i}'>第{i}节<a class=\"headerlink\" href=\"#s{i}\">¶</a></h2><p>{words}。</p>"
                f"<dl><dt>文号</dt><dd>明直党〔{2000 + i}〕{i}号</dd></dl><script>var x = '不计入';</script>"
                f"<table><tr><th>项目</th><td>{rng.choice(PHRASES)}</td></tr></table>")
        if i % 13 == 0:
            body += "<p>" + "党" * 200 + "建" * 100 + "</p>"  # counts past COUNT_MAX
        section = ["品牌", "学习资料", "模范机关", "参建单位", "使用指南"][i % 5]
        year = str(1990 + i % 23)
        facets = search.PageFacets(section, f"{rng.choice(PHRASES)}第{i}号", {"栏目": [section], "年份": [year],
                                   "系统": [f"第{i % 4}系统"], "专题": ["刑法" if i % 2 else "理论学习"]},
                                   [f"市第{i % 7}局", rng.choice(PHRASES), ""], [f"明直党〔{2000 + i}〕{i}号", ""],
                                   [rng.choice(PHRASES)])
        pages.append((f"p/{i}/", ARTICLE.format(body), facets))
    return pages


def _golden_index(root: Path, background: bool = False) -> tuple[object, dict[str, str]]:
    """The index of the golden pages (small shard and long-list sizes, so that all kinds of files occur)
    and the SHA-256 of every file in it."""
    import hashlib

    search_index, _ = _modules()
    saved = search_index.SHARD_TARGET_BYTES, search_index.BIG_LIST_BYTES, search_index.ENCODE_PAGES
    # (and postings encoded as text every 16 pages: in many pieces)
    search_index.SHARD_TARGET_BYTES, search_index.BIG_LIST_BYTES, search_index.ENCODE_PAGES = 2_000, 600, 16
    try:
        index = search_index.SearchIndex(background=background, synonyms=[["主题党日", "党员活动日"], ["发改委", "发展改革委"]])
        for url, page_html, facets in _golden_pages():
            index.add(url, page_html, facets)
        stats = index.write(root)
    finally:
        search_index.SHARD_TARGET_BYTES, search_index.BIG_LIST_BYTES, search_index.ENCODE_PAGES = saved
    return stats, _digests(root)


def _digests(root: Path) -> dict[str, str]:
    """The SHA-256 of every file of the index in ``root``'s site (a page's files under one name)."""
    import hashlib

    out = root / "search" / "dj"
    digests: dict[str, object] = {}
    for path in sorted(out.rglob("*"), key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", str(p))]):
        if path.is_file():  # a page's files (d/<id>.json, d/<id>-<k>.json) under one name: d/<id>
            name = str(path.relative_to(out))
            key = re.sub(r"(-\d+)?\.json$", "", name) if name.startswith("d/") else name
            digests.setdefault(key, hashlib.sha256()).update(name.encode() + b"\0" + path.read_bytes())
    return {key: h.hexdigest()[:32] for key, h in digests.items()}


def test_index_files_are_the_golden_bytes(tmp_path):
    """Every file of the golden pages' index has the bytes the reference builder wrote (the code before
    the builder was made faster, 2026-11-30).  A deliberate format change regenerates the digests:
    ``.venv/bin/python tests/test_search_index.py --update-golden`` (and the browser reader changes with it)."""
    stats, digests = _golden_index(tmp_path)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(digests) == sorted(expected), "the index has other files than the reference"
    differing = [name for name in expected if digests[name] != expected[name]]
    assert not differing, f"{len(differing)} files (d/<id>: a page's files) differ from the reference, e.g. {differing[:8]}"
    kinds = {name.split("/")[0] if "/" in name else name[0] for name in digests}
    assert {"b", "d", "s", "m", "p", "t", "w"} <= kinds and stats.shards > 3 and stats.chunks > 2 * stats.pages
    assert stats.bytes == sum(p.stat().st_size for p in (tmp_path / "search" / "dj").rglob("*.json"))


def test_background_index_is_the_golden_bytes_too(tmp_path):
    """The worker process (page files spooled while pages arrive) writes the same page files.  (It imports
    the module afresh, with the usual shard sizes: the postings and meta.json differ from the golden ones.)"""
    stats, digests = _golden_index(tmp_path, background=True)
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    same = [name for name in expected if name.startswith("d/") or name in ("pages.json", "t2s.json", "words.json")]
    assert len(same) == stats.pages + 3 and {name: digests.get(name) for name in same} == {name: expected[name] for name in same}
    assert stats.bytes == sum(p.stat().st_size for p in (tmp_path / "search" / "dj").rglob("*.json"))


GUESSES = {
    "all right": lambda pages: pages,
    "one wrong in the middle": lambda pages: [(u, h.replace("</article>", "<p>猜错的段落：四会二课</p></article>") if n == 40 else h, f)
                                              for n, (u, h, f) in enumerate(pages)],
    "other facets": lambda pages: [(u, h, f if n != 7 else _modules()[1].PageFacets("品牌", "另一个标题", {}, []))
                                   for n, (u, h, f) in enumerate(pages)],
    "one missing": lambda pages: pages[:30] + pages[31:],
    "one more than built": lambda pages: pages + [("extra/", pages[0][1], pages[0][2])],
    "two swapped": lambda pages: [pages[1], pages[0], *pages[2:]],
    "none": lambda pages: [],
}


@pytest.mark.parametrize("guesses", list(GUESSES))
def test_index_built_ahead_is_the_index_of_the_built_pages(tmp_path, guesses):
    """MkDocs converts every page before it renders any: meanwhile the worker indexes guesses of the
    pages (``SearchIndex.foresee``).  Whether every page is then built as guessed (that index is used)
    or not (a wrong, missing, extra or misplaced guess: the pages are indexed as built), the index has
    the same bytes as one built without guesses."""
    search_index, _ = _modules()
    pages = _golden_pages()
    synonyms = [["主题党日", "党员活动日"], ["发改委", "发展改革委"]]

    def build(root: Path, guessed: list):
        index = search_index.SearchIndex(background=True, synonyms=synonyms)
        for url, page_html, facets in guessed:
            index.foresee(url, page_html, facets)
        for url, page_html, facets in pages:
            index.add(url, page_html, facets)
        stats = index.write(root)
        assert index.fallback_reason is None
        return stats, _digests(root)

    plain_stats, plain = build(tmp_path / "plain", [])
    ahead_stats, ahead = build(tmp_path / "ahead", GUESSES[guesses](pages))
    assert plain_stats.foreseen == 0 and ahead_stats.foreseen == (len(pages) if guesses == "all right" else 0)
    assert len(ahead) > len(pages) and ahead == plain
    assert ahead_stats.bytes == plain_stats.bytes == sum(p.stat().st_size for p in (tmp_path / "ahead" / "search" / "dj").rglob("*.json"))


def test_guesses_after_the_build_started_rendering_are_ignored(tmp_path):
    """A guess that arrives once pages are being added (a preview rebuild, a late call) is not sent."""
    search_index, search = _modules()
    index = search_index.SearchIndex(background=True)
    facets = search.PageFacets("学习资料", "标题", {"栏目": ["学习资料"]}, [])
    index.add("a/", ARTICLE.format("<p>三会一课</p>"), facets)
    index.foresee("b/", ARTICLE.format("<p>先锋杯</p>"), facets)
    index.add("b/", ARTICLE.format("<p>先锋杯</p>"), facets)
    stats = index.write(tmp_path)
    assert stats.pages == 2 and stats.foreseen == 0


if __name__ == "__main__":  # .venv/bin/python tests/test_search_index.py --update-golden
    import sys
    import tempfile

    if sys.argv[1:] == ["--update-golden"]:
        with tempfile.TemporaryDirectory() as tmp:
            GOLDEN.parent.mkdir(exist_ok=True)
            GOLDEN.write_text(json.dumps(_golden_index(Path(tmp))[1], indent=0) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN}")
