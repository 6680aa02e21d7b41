"""The reader features in a real build (no browser): RSS feed, 数据总览 charts, lang, head links, header controls."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from conftest import brand_text, doc_text, make_project, run_build

from dangjian.charts import Bar, render_bar_chart


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader") / "p"
    project = make_project(root, brands={
        "hongxin": brand_text(date="2026-03-15", year=2021),
        "jingwei": brand_text(title="警徽先锋", unit="江城市公安局", category="为民服务", year=2019, date="2025-06-01"),
        "shuiyun": brand_text(title="税韵红帆", unit="市税务局", category="为民服务", year=2021, date="2026-01-10"),
        "caogao": brand_text(title="秘密草稿品牌", unit="市教育局", draft=True),
    }, docs={
        "study/zhengce/yaodian.md": doc_text({"title": "2026年工作要点", "date": "2026-02-01", "description": "要点 <重要> & 必读。"}),
        "study/zhengce/caogao.md": doc_text({"title": "草稿学习资料", "date": "2026-05-01", "description": "d", "draft": True}),
        "study/topics.yml": "zhengce:\n  title: 政策文件\n",
    }, extra_config={"site_url": "http://intranet.example/dangjian/"})
    result = run_build(project, strict=True)
    assert result.returncode == 0, result.output
    return result


def test_feed_lists_new_brands_and_study_without_drafts(built):
    xml = (built.site / "feed.xml").read_text(encoding="utf-8")
    channel = ET.fromstring(xml).find("channel")
    items = channel.findall("item")
    titles = [i.findtext("title") for i in items]
    assert titles == ["党建品牌：红心理财", "学习资料：2026年工作要点", "党建品牌：税韵红帆", "党建品牌：警徽先锋"]
    assert "草稿" not in xml
    links = [i.findtext("link") for i in items]
    assert links[0] == "http://intranet.example/dangjian/brands/hongxin/"
    assert links[1] == "http://intranet.example/dangjian/study/zhengce/yaodian/"
    assert items[1].findtext("description") == "要点 <重要> & 必读。"  # escaped in the XML, intact when parsed
    assert items[0].findtext("pubDate") == "Sun, 15 Mar 2026 08:00:00 +0800"
    assert channel.findtext("language") == "zh-CN"


def test_every_page_links_the_feed_and_has_the_reader_chrome(built):
    for url in ("", "brands/hongxin/", "study/zhengce/yaodian/", "stats/"):
        html = built.html(url)
        assert '<html lang="zh-CN"' in html, url
        feed = re.search(r'<link rel="alternate" type="application/rss\+xml"[^>]*href="([^"]+)"', html)
        assert feed and feed.group(1).endswith("feed.xml"), url
        assert 'class="dj-feed-link"' in html, url
        assert re.search(r'<link rel="stylesheet" media="print" href="[^"]*print\.css"', html), url
        assert 'data-dj-size="xlarge"' in html and 'class="dj-a11y__btn dj-a11y__contrast"' in html, url
        # The saved text size is applied by an inline script in <head>, before <body> exists.
        head = html.split("<body", 1)[0]
        assert 'localStorage.getItem("dangjian.a11y")' in head, url
        assert 'class="dj-print-url"' in html or url == "", url
    assert (built.site / "assets/stylesheets/print.css").exists()


def test_stats_page_charts_count_published_brands(built):
    html = built.html("stats/")
    assert "<h1" in html and "数据总览" in html
    for chart in ("dj-chart-group", "dj-chart-category", "dj-chart-year", "dj-chart-coverage"):
        assert f'<figure class="dj-chart" id="{chart}">' in html
    group = html.split('id="dj-chart-group"', 1)[1].split("</figure>", 1)[0]
    values = dict(re.findall(r'data-label="([^"]+)" data-value="(\d+)"', group))
    assert values == {"经济系统": "2", "政法系统": "1", "社会事业系统": "0"}  # the draft of 市教育局 is not counted
    year = html.split('id="dj-chart-year"', 1)[1].split("</figure>", 1)[0]
    assert dict(re.findall(r'data-label="([^"]+)" data-value="(\d+)"', year)) == {"2019年": "1", "2021年": "2"}
    coverage = html.split('id="dj-chart-coverage"', 1)[1].split("</figure>", 1)[0]
    assert "2/2（100%）" in coverage and "0/1（0%）" in coverage
    assert "<script" not in html.split('<div class="md-content"', 1)[1].split("</article>", 1)[0]  # static charts
    assert "数据总览" in built.html("").split('class="md-tabs"', 1)[1].split("</nav>", 1)[0]


def test_bar_chart_is_accessible_and_scaled():
    svg = render_bar_chart("c", "标题", [Bar("甲", 4), Bar("乙<>", 1), Bar("丙", 0)])
    assert 'role="img" aria-labelledby="c-t"' in svg
    assert '<title id="c-t">标题：甲 4个；乙&lt;&gt; 1个；丙 0个</title>' in svg
    widths = [float(w) for w in re.findall(r'class="dj-chart__bar" x="0" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths == [300.0, 75.0, 0.0]
    assert "<table>" in svg and '<th scope="row">乙&lt;&gt;</th><td>1</td>' in svg
    assert "暂无数据" in render_bar_chart("e", "空", [])


def test_coverage_bars_are_drawn_by_share_and_percentages_are_not_truncated():
    from dangjian.render import format_percent

    svg = render_bar_chart("c", "覆盖率", [Bar("甲", 3, 3), Bar("乙", 4, 4), Bar("丙", 3, 4), Bar("丁", 0, 2)])
    widths = [float(w) for w in re.findall(r'class="dj-chart__bar" x="0" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths == [300.0, 300.0, 225.0, 0.0]  # 3/3 as long as 4/4, not shorter
    assert [format_percent(*x) for x in ((2, 3), (1, 3), (3, 3), (0, 4), (1, 8), (0, 0))] == \
        ["66.7%", "33.3%", "100%", "0%", "12.5%", "0%"]
