"""Site search (issue #4): the judged query set, facets, drafts, the missing indexer.

The judged query set (tests/search_queries.yml) runs in real headless Chromium
against the repository's sample content with three engines: the shipped
search (the site's own character n-gram index, through the header search box
and its JavaScript), Pagefind extended (indexed over the same built pages,
queried with its own pagefind.js) and Material's built-in search (lunr +
jieba, with the domain dictionary as jieba user dictionary, through Material's
own search box).  It prints recall@5 and MRR for all three and fails if the
shipped engine's recall@5 drops below 0.97 on the ordinary kinds or below 0.80
on any of the forgiving kinds (pinyin, initials, traditional, synonym, punct,
loose), or if any shown result lacks a query term (after normalisation and
synonyms; for the non-contiguous fallback, a word of the split query).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot, serve
from conftest import REPO, brand_text, make_project, run_build
from search_judge import lacking_terms

sys.path.insert(0, str(REPO / "scripts"))
from dangjian.loader import load_site  # noqa: E402
from search_compare import build_index, find_indexer, jieba_user_dict, mark_for_pagefind  # noqa: E402
from dangjian.settings import Settings  # noqa: E402

QUERIES = yaml.safe_load((Path(__file__).with_name("search_queries.yml")).read_text(encoding="utf-8"))
ORDINARY = {"name", "partial", "unit", "multi", "term"}
FORGIVING = {"pinyin", "initials", "traditional", "synonym", "punct", "loose"}
MIN_RECALL = 0.97           # ordinary kinds together
MIN_RECALL_FORGIVING = 0.80  # each forgiving kind


@pytest.fixture(scope="module")
def material_site(tmp_path_factory):
    """The same sample content built with Material's search plugin (lunr + jieba + domain dictionary)."""
    root = tmp_path_factory.mktemp("material-search")
    shutil.copytree(REPO / "brands", root / "brands")
    shutil.copytree(REPO / "docs", root / "docs")
    settings, _ = Settings.from_mapping(None)
    site = load_site(REPO, REPO / "docs", settings)
    (root / "jieba-user.txt").write_text(jieba_user_dict(site), encoding="utf-8")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = [str(REPO / "scripts" / "hooks.py")]
    config["theme"]["custom_dir"] = str(REPO / "overrides")
    config["watch"] = []
    config["plugins"] = [{"search": {"lang": "zh", "jieba_dict_user": str(root / "jieba-user.txt"),
                                     "separator": '[\\s\\u200b\\-_,:!=\\[\\]()"`/，。、；：！？（）《》“”]+'}},
                         *[p for p in config["plugins"] if p != "search"]]
    config["extra_javascript"] = [j for j in config["extra_javascript"] if "search-dj" not in j]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.output
    assert (result.site / "search" / "search_index.json").exists()
    assert not (result.site / "search" / "dj").exists()
    return result


@pytest.fixture(scope="module")
def pagefind_site(sample_site, tmp_path_factory):
    """The shipped build of the sample content, indexed by Pagefind (extended) as well."""
    site = tmp_path_factory.mktemp("pagefind") / "site"
    shutil.copytree(sample_site.site, site)
    assert mark_for_pagefind(site, REPO) > 30
    result = build_index(site)
    assert result.error is None and result.pages > 30, result.error
    return site


def _path(href: str, base: str) -> str:
    """Site-relative page path of a result link (``brands/x/``)."""
    path = urlparse(href).path
    return path.removeprefix(urlparse(base).path).lstrip("/")


def _ranked(page, base: str, query: str, engine: str) -> list[str]:
    """Result pages (deduplicated, in order) that the engine's search box shows for ``query``."""
    if engine == "pagefind":
        return [_path(u, base) for u in page.evaluate(
            """async q => { const pf = await import(new URL('pagefind/pagefind.js', document.baseURI).href);
                const r = await pf.search(q); const d = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
                return d.map(x => new URL(x.url, location.href).href); }""", query)]
    if engine == "dj":
        box = page.locator("[data-dj-search]")
        page.evaluate("document.querySelector('[data-dj-search]').removeAttribute('data-state')")
        page.fill("#dj-search-input", query)
        page.wait_for_selector("[data-dj-search][data-state=done]", timeout=15000)
        hrefs = box.locator(".dj-search__item a").evaluate_all("as => as.map(a => a.href)")
    else:
        page.fill("input.md-search__input", "")
        page.fill("input.md-search__input", query)
        page.press("input.md-search__input", "End")  # Material reads the box on keyup
        page.wait_for_function(
            "q => { const m = document.querySelector('.md-search-result__meta');"
            " return m && !/初始化|Initializing/.test(m.textContent) && document.querySelector('input.md-search__input').value === q; }",
            arg=query, timeout=15000)
        page.wait_for_timeout(250)
        hrefs = page.locator(".md-search-result__item > a").evaluate_all("as => as.map(a => a.href)")
    ranked: list[str] = []
    for href in hrefs:
        path = _path(href, base).split("#")[0]
        if path not in ranked:
            ranked.append(path)
    return ranked


def _judge(site: Path, engine: str, screenshot_name: str, queries: list[dict] = QUERIES):
    """recall@5, MRR, misses, request log and hits per kind of one engine over ``queries``."""
    hits, rr, misses, kinds = 0, 0.0, [], {}
    log = RequestLog()
    with serve(site) as base, browser() as instance:
        page = new_page(instance, DESKTOP, log)
        page.goto(base)
        if engine == "material":
            page.keyboard.press("/")
        for item in queries:
            ranked = _ranked(page, base, item["q"], engine)[:5]
            rank = next((i + 1 for i, p in enumerate(ranked) if p in item["expect"]), None)
            kinds.setdefault(item["kind"], []).append(bool(rank))
            if rank:
                hits += 1
                rr += 1 / rank
            else:
                misses.append(f"{item['kind']} {item['q']} → {ranked}")
        screenshot(page, screenshot_name)
        assert log.outside(base) == []
    n = len(queries)
    return hits / n, rr / n, misses, log, kinds


def test_judged_queries_against_pagefind_and_material(sample_site, pagefind_site, material_site):
    assert len(QUERIES) >= 100
    counts = {kind: sum(q["kind"] == kind for q in QUERIES) for kind in ORDINARY | FORGIVING}
    assert all(counts[kind] >= 10 for kind in FORGIVING), counts
    runs = {"本站字串索引（采用）": _judge(sample_site.site, "dj", "search-judged-dj"),
            "Pagefind 扩展版": _judge(pagefind_site, "pagefind", "search-judged-pagefind"),
            "Material 默认（lunr+jieba+领域词典）": _judge(material_site.site, "material", "search-judged-material")}
    print(f"\n评测查询 {len(QUERIES)} 条")
    for name, (recall, mrr, misses, _, kinds) in runs.items():
        by_kind = "  ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(kinds.items()))
        print(f"{name}: recall@5 = {recall:.3f}  MRR = {mrr:.3f}  未命中 {len(misses)}\n    {by_kind}")
        for miss in misses:
            print("   ", miss)
    recall, _, misses, log, kinds = runs["本站字串索引（采用）"]
    assert log.console_errors == []
    ordinary = [hit for kind in ORDINARY for hit in kinds[kind]]
    assert sum(ordinary) / len(ordinary) >= MIN_RECALL, misses
    for kind in FORGIVING:
        assert sum(kinds[kind]) / len(kinds[kind]) >= MIN_RECALL_FORGIVING, (kind, misses)
    assert lacking_terms(sample_site.site, [q["q"] for q in QUERIES]) == []


def _facets_of(index, url: str) -> dict[str, str]:
    """The facet values the index holds for the page at ``url``."""
    meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    rows = json.loads((index / "pages.json").read_text(encoding="utf-8"))["pages"]
    for pid in range(meta["pages"]):
        if json.loads((index / "d" / f"{pid}.json").read_text(encoding="utf-8"))["u"] == url:
            return {f: meta["values"][f][v] for f, v in zip(meta["facets"], rows[pid]) if v >= 0}
    raise AssertionError(f"{url} is not in the index")


def test_pages_carry_facets_and_drafts_stay_out(sample_site):
    index = sample_site.site / "search" / "dj"
    assert "data-dj-indexed" in sample_site.html("brands/hong-xin-li-cai/")
    brand = _facets_of(index, "brands/hong-xin-li-cai/")
    assert brand["栏目"] == "品牌" and brand["系统"] == "经济系统" and brand["类别"] and brand["年份"]
    assert _facets_of(index, "study/rules/san-hui-yi-ke-gui-fan/")["栏目"] == "学习资料"
    assert _facets_of(index, "models/shi-cai-zheng-ju/")["栏目"] == "模范机关"
    for page in ("brands/hong-xin-li-cai/", "study/rules/san-hui-yi-ke-gui-fan/", ""):
        assert "pagefind" not in sample_site.html(page), "Pagefind's marks belong to the comparison, not the site"
    assert "data-dj-indexed" not in sample_site.html("")  # the home page only repeats other pages
    assert "data-dj-indexed" not in sample_site.html("brands/")
    assert 'id="dj-search-input"' in sample_site.html("")
    assert not (sample_site.site / "search" / "search_index.json").exists()  # Material's search is off
    # Drafts are not built, so no index ever sees them.
    assert not sample_site.exists("brands/lu-tong-xin-lian/")
    assert not sample_site.exists("models/shi-ji-guan-shi-wu-ju/")
    meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    built = sum(1 for p in sample_site.site.rglob("index.html") if "data-dj-indexed" in p.read_text(encoding="utf-8"))
    assert meta["pages"] == built == len([p for p in (index / "d").glob("*.json") if "-" not in p.name]) > 30
    assert "data-dj-indexed" not in sample_site.html("guide/search/")  # writers' guides stay out by default
    texts = "".join(p.read_text(encoding="utf-8") for p in index.rglob("*.json"))
    assert "路通心连" not in texts and "节约型机关建设" not in texts
    assert "红心理财" in texts


def test_facets_drafts_and_keyboard_in_browser(sample_site):
    log = RequestLog()
    with serve(sample_site.site, "/dangjian/") as base, browser() as instance:
        for viewport, tag in ((DESKTOP, "desktop"), (PHONE, "phone")):
            page = new_page(instance, viewport, log)
            page.goto(base + "study/")
            page.keyboard.press("s")
            assert page.evaluate("document.activeElement.id") == "dj-search-input"
            assert _ranked(page, base, "民声", "dj")[:1] == ["brands/zhou-wu-min-sheng/"]
            page.evaluate("document.querySelector('[data-dj-search]').removeAttribute('data-state')")
            page.select_option("select[data-filter=栏目]", "学习资料")
            page.wait_for_selector("[data-dj-search][data-state=done]")
            sections = page.locator(".dj-search__section").all_inner_texts()
            assert sections and set(sections) == {"学习资料"}
            excerpts = page.locator(".dj-search__excerpt").evaluate_all("es => es.map(e => [e.textContent, e.querySelectorAll('mark').length])")
            assert excerpts and all(marks >= text.count("民声") >= 1 for text, marks in excerpts), excerpts
            screenshot(page, f"search-facets-{tag}")
            page.select_option("select[data-filter=栏目]", "")
            assert page.locator("select[data-filter=系统] option").count() >= 4  # 全部 + the 系统 of indexed pages
            for draft, url in (("路通心连", "brands/lu-tong-xin-lian/"), ("节约型机关建设", "models/shi-ji-guan-shi-wu-ju/")):
                ranked = _ranked(page, base, draft, "dj")
                assert url not in ranked, draft
                # no page has the draft's title; at most pages holding its words apart (the marked fallback)
                assert page.locator(".dj-search__item:not(.dj-search__item--loose)").count() == 0, draft
            years = page.locator("select[data-filter=年份] option").all_inner_texts()
            assert "全部" in years and any(y.startswith("20") for y in years)
    assert log.outside(base) == []
    assert log.console_errors == []


def test_comparison_pagefind_is_installed_and_a_missing_one_is_named(tmp_path):
    # The comparison engine (tests/search_compare.py) comes from requirements-dev.txt (pagefind[extended]).
    assert find_indexer() is not None
    result = build_index(tmp_path, indexer=tmp_path / "no-such-pagefind")
    assert result.error is not None and "未安装 Pagefind" in result.error and "requirements-dev.txt" in result.error


def test_unwritable_index_is_a_chinese_message_not_a_traceback(tmp_path):
    project = make_project(tmp_path / "p", brands={"hong-xin-li-cai": brand_text()})
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / "search" / "dj").write_text("a file where the index directory should be")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--dirty", "-d", str(site)],
                          cwd=project, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "写入站内搜索索引失败" in output
    assert "Traceback" not in output
