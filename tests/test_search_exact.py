"""Search v2 in real Chromium on an index written by the core: exact results on long pages,
snippets at the match, exact counts, the 文号 carrier first, guides last, normalisation parity.

The page is the real header partial (overrides/partials/search-dj.html) rendered with Jinja and
the real search-dj.js; the index is written by dangjian.search_index from real article markup.
"""

from __future__ import annotations

import importlib
import shutil

import jinja2
import pytest

from browser_support import DESKTOP, RequestLog, browser, new_page, serve
from conftest import REPO

ARTICLE = '<html><body><article class="md-content__inner md-typeset" data-dj-indexed>{}</article></body></html>'
FILLER = "各级党组织要把党的政治建设摆在首位，扎实推进机关党建工作高质量发展。"


def _write_site(root, big_bytes=None):
    search_index = importlib.import_module("dangjian.search_index")
    if big_bytes is not None:  # long posting lists get files of their own (b/<n>.json)
        search_index.BIG_LIST_BYTES, saved = big_bytes, search_index.BIG_LIST_BYTES
    search = importlib.import_module("dangjian.search")
    index = search_index.SearchIndex(background=False, synonyms=[["主题党日", "党员活动日"]])

    def add(url, title, body, section="学习资料", fields=(), names=()):
        facets = search.PageFacets(section, title, {"栏目": [section]}, list(names), list(fields))
        index.add(url, ARTICLE.format(body), facets)

    long = FILLER * 400  # about 14,000 characters
    add("a/", "家庭美德读本", f"<p>{long}</p><p>坚决反对违反家庭美德的行为。</p><p>{long}</p>")
    add("b/", "妇女权益保障汇编", f"<p>{long}</p><p>认真贯彻《中华人民共和国反家庭暴力法》。</p><p>{long}</p>")
    for i in range(17):
        add(f"m/{i}/", f"材料{i}", f"<p>{FILLER * (i % 3)}周五民声直播室第{i}期。</p>")
    add("doc/", "关于加强机关作风建设的通知", "<p>各单位：现将有关事项通知如下。</p>", fields=["明直党〔2026〕3号"])
    add("cite/", "作风建设学习心得", "<p>学习明直党〔2026〕3号文件后，大家深受教育。</p>")
    add("guide/", "民声栏目写作指南", "<p>民声民声民声。</p>", section="使用指南")
    add("trad/", "稅務紅管家", "<p>檢察藍·初心紅，黨建引領。</p>")
    add("day/", "支部工作安排", "<p>每月开展党员活动日。</p>")
    index.write(root)
    if big_bytes is not None:
        search_index.BIG_LIST_BYTES = saved
    shutil.copy(REPO / "docs" / "assets" / "javascripts" / "search-dj.js", root / "search-dj.js")
    partial = (REPO / "overrides" / "partials" / "search-dj.html").read_text(encoding="utf-8")
    box = jinja2.Environment(autoescape=True).from_string(partial).render(base_url=".")
    (root / "index.html").write_text(f'<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><body>{box}<script src="search-dj.js"></script>',
                                     encoding="utf-8")


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-exact")
    _write_site(root)
    log = RequestLog()
    with serve(root) as base, browser() as instance:
        page = new_page(instance, DESKTOP, log)
        page.goto(base)
        yield page
    assert log.console_errors == []
    assert log.outside(base) == []


def _query(page, q):
    page.evaluate("document.querySelector('[data-dj-search]').removeAttribute('data-state')")
    page.fill("#dj-search-input", q)
    page.wait_for_selector("[data-dj-search][data-state=done]", timeout=15000)
    items = page.locator(".dj-search__item").evaluate_all(
        "ls => ls.map(l => [l.querySelector('.dj-search__title').textContent, l.querySelector('.dj-search__excerpt').innerHTML])")
    return page.locator(".dj-search__status").inner_text(), items


def test_long_pages_show_only_true_matches_with_the_match_highlighted(mini):
    status, items = _query(mini, "反家庭暴力")
    assert [title for title, _ in items] == ["妇女权益保障汇编"], items  # not the page with 违反家庭美德
    assert "<mark>反家庭暴力</mark>" in items[0][1]  # cut where the match is, deep in the page
    assert status == "找到 1 个结果"


def test_counts_are_exact_and_guides_rank_last(mini):
    status, items = _query(mini, "民声")
    assert status == "找到 18 个结果（按相关程度显示前 10 个）", status
    assert len(items) == 10 and all("<mark>民声</mark>" in excerpt for _, excerpt in items)
    assert "民声栏目写作指南" not in [title for title, _ in items]  # the guide matches, but ranks after all 17


def test_the_page_carrying_a_doc_number_ranks_above_one_citing_it(mini):
    _, items = _query(mini, "明直党〔2026〕3号")
    assert [title for title, _ in items] == ["关于加强机关作风建设的通知", "作风建设学习心得"]


def test_punctuation_width_and_traditional_are_folded_on_both_sides(mini):
    assert [t for t, _ in _query(mini, "检察蓝初心红")[1]] == ["稅務紅管家"]
    assert [t for t, _ in _query(mini, "税务红管家")[1]] == ["稅務紅管家"]
    assert [t for t, _ in _query(mini, "黨建引领")[1]] == ["稅務紅管家"]
    assert [t for t, _ in _query(mini, "ｓｗｈｇｊ")[1]] == ["稅務紅管家"]  # full-width initials


def test_synonyms_find_the_other_form_and_say_nothing_false(mini):
    status, items = _query(mini, "主题党日")
    assert [t for t, _ in items] == ["支部工作安排"] and "<mark>党员活动日</mark>" in items[0][1]


def test_no_contiguous_match_falls_back_with_a_clear_note(mini):
    status, items = _query(mini, "周五直播室")
    assert status.startswith("没有页面连续出现“周五直播室”"), status
    assert items and all("<mark>" in excerpt for _, excerpt in items)
    assert mini.locator(".dj-search__note").count() == 1


def test_normalisation_is_identical_in_python_and_javascript(mini):
    normalize = importlib.import_module("dangjian.normalize")
    trad, _ = normalize.t2s_table()
    sample = "黨建·稅心為民「檢察藍」２０２６ＡＢｃ，乾坤著名 " + trad[::7]
    mini.evaluate("djSearch.search('黨', {})")  # loads the table (only fetched for rare characters)
    mini.wait_for_function("djSearch.normalize('黨') === '党'")
    assert mini.evaluate("s => djSearch.normalize(s)", sample) == normalize.normalize(sample)

