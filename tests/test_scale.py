"""Scale safeguards checked on a synthetic archive, without a build (fast).

The figures themselves (build seconds, memory, sizes) come from
benchmarks/bench_scale.py; here only what must hold at any size is asserted.
"""

from __future__ import annotations

import json
import posixpath
import re
import sys
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from conftest import REPO

from dangjian.loader import load_site
from dangjian.render import BRANDS_PER_PAGE, STUDY_INDEX_PER_TOPIC, collect_tags, generate_pages, showcase_order
from dangjian.settings import Settings

sys.path.insert(0, str(REPO / "benchmarks"))
from synth_site import write_project  # noqa: E402


def test_synthetic_archive_loads_cleanly_and_listings_stay_bounded(tmp_path):
    counts = write_project(tmp_path / "p", 120)
    site = load_site(tmp_path / "p", tmp_path / "p" / "docs")
    assert site.problems == [] and len(site.brands) == counts["brands"] == 60 and len(site.studies) == 60
    pages = {p.src_uri: p.markdown for p in generate_pages(site, Settings())}
    study_index = pages["study/index.md"]
    for topic in site.topics:
        listed = sum(study_index.count(f'href="{s.url.removeprefix("study/")}"') for s in site.studies_in(topic))
        assert listed == min(STUDY_INDEX_PER_TOPIC, len(site.studies_in(topic)))
    # Listing pages repeat other pages' text: they stay out of the search index.
    for uri in ("brands/index.md", "study/index.md", "models/index.md", f"study/{site.topics[0].slug}/index.md",
                f"categories/{site.categories[0].slug}.md"):
        meta = yaml.safe_load(pages[uri].split("---\n")[1])
        assert meta["search"] == {"exclude": True}, uri
    assert "search" not in yaml.safe_load(pages[site.brands[0].src_uri].split("---\n")[1])


def test_dirty_build_rebuilds_only_changed_generated_pages(tmp_path):
    from conftest import brand_text, make_project

    project = make_project(tmp_path / "p", brands={"hong-xin": brand_text(), "an-quan": brand_text(title="平安先锋", unit="市公安局")})
    site = project / "site"
    first = run(project, "build")
    assert first.returncode == 0, first.stderr
    pages = {p: p.stat().st_mtime_ns for p in site.rglob("index.html")}
    brand = project / "brands" / "an-quan" / "index.md"
    brand.write_text(brand.read_text(encoding="utf-8").replace("## 品牌内涵\n", "## 品牌内涵\n\n新增的一句话。\n", 1), encoding="utf-8")
    second = run(project, "build", "--dirty")
    assert second.returncode == 0, second.stderr
    rebuilt = {p.relative_to(site).as_posix() for p, t in pages.items() if p.stat().st_mtime_ns != t}
    assert "新增的一句话" in (site / "brands" / "an-quan" / "index.html").read_text(encoding="utf-8")
    assert "brands/an-quan/index.html" in rebuilt
    assert "brands/hong-xin/index.html" not in rebuilt  # unchanged generated page kept
    assert len(rebuilt) < len(pages) / 2, sorted(rebuilt)


def run(project, *args):
    import subprocess

    return subprocess.run([sys.executable, "-m", "mkdocs", *args, "-d", str(project / "site")], cwd=project,
                          capture_output=True, text=True, encoding="utf-8")


# ---------------------------------------------------------------- pagination on a real build (issue #7)

PAGE_LIMIT = 60 * 1024
HREF = re.compile(r'href="([^"]*)"')


@pytest.fixture(scope="module")
def paged(tmp_path_factory):
    """A synthetic archive where one unit, category, topic and tag hold hundreds of items, built for real."""
    from conftest import brand_text, run_build

    root = tmp_path_factory.mktemp("paged") / "p"
    write_project(root, 300, skew=True, models=60)
    draft = root / "brands" / "cao-gao-pin-pai"
    draft.mkdir()
    (draft / "index.md").write_text(brand_text(title="未发布的草稿品牌", draft=True, tags=["三会一课"]), encoding="utf-8")
    result = run_build(root, strict=True)
    assert result.returncode == 0, result.output
    # Hundreds of pages: the search index is tokenized in the background process, not in the build's.
    assert re.search(r"搜索索引 3\d\d 页", result.output) and "改在主进程" not in result.output, result.output
    return load_site(root, root / "docs"), result.site


def listing_pages(site_dir, first_url: str) -> list[str]:
    """The site-relative URLs of a listing's pages, first page first (``x/``, ``x/page/2/``, …)."""
    urls = [first_url]
    while (site_dir / first_url / "page" / str(len(urls) + 1) / "index.html").exists():
        urls.append(f"{first_url}page/{len(urls) + 1}/")
    return urls


def block(html: str, start: str) -> str:
    """The HTML element that begins with ``start`` (up to its matching ``</ul>``/``</nav>``; no nesting inside)."""
    begin = html.index(start)
    tag = start[1:].split()[0]
    return html[begin: html.index(f"</{tag}>", begin)]


def linked(site_dir, page_url: str, html: str) -> list[str]:
    """Site-relative directory URLs of the links in ``html`` found on the page at ``page_url``."""
    return [posixpath.normpath(posixpath.join(page_url, h)) + "/" for h in HREF.findall(html)]


def test_every_page_stays_under_60_kb_and_listings_are_paged(paged):
    site, site_dir = paged
    sizes = {p.relative_to(site_dir).as_posix(): p.stat().st_size for p in site_dir.rglob("*.html")}
    assert {k: v for k, v in sizes.items() if v > PAGE_LIMIT} == {}
    unit = max(site.units, key=lambda u: len(site.brands_of(u)))
    category = max(site.categories, key=lambda c: len(site.brands_in(c)))
    topic = max(site.topics, key=lambda t: len(site.studies_in(t)))
    tag = next(t for t in collect_tags(site) if t.name == "三会一课")
    # The skewed archive really has hundreds of items in one place, spread over several pages.
    held = [len(site.brands_of(unit)), len(site.brands_in(category)), len(site.studies_in(topic))]
    assert min(held) > 100, held
    assert len(tag.items) == len(site.brands) + len(site.models) + len(site.studies) > 300
    expected = {
        "brands/": ([b.url for b in site.brands], '<ul class="dj-cards"'),
        unit.url: ([b.url for b in site.brands_of(unit)] + [m.url for m in site.models_of(unit)], None),
        category.url: ([b.url for b in site.brands_in(category)], '<ul class="dj-cards"'),
        topic.url: ([s.url for s in site.studies_in(topic)], '<ul class="dj-docs"'),
        "models/": ([m.url for m in site.models], '<ul class="dj-docs"'),
        tag.url: ([i.url for i in tag.items], '<ul class="dj-docs"'),
    }
    for first, (items, list_start) in expected.items():
        urls = listing_pages(site_dir, first)
        assert len(urls) > 1, first
        seen: list[str] = []
        for number, url in enumerate(urls, 1):
            html = (site_dir / url / "index.html").read_text(encoding="utf-8")
            assert f"（第 {number} 页）" in html.split("<title>")[1].split("</title>")[0] or number == 1, url
            pager = block(html, '<nav class="dj-pager"')
            assert f"第 {number} 页，共 {len(urls)} 页" in pager
            assert 'aria-current="page"' in pager
            for target in linked(site_dir, url, pager):  # every pager link resolves to a built page
                assert (site_dir / target / "index.html").is_file(), (url, target)
            if number > 1:
                assert 'rel="prev"' in pager
            if number < len(urls):
                assert 'rel="next"' in pager
            if list_start:
                seen += linked(site_dir, url, block(html, list_start))
            else:  # a unit page: its brand cards and its model rows
                seen += linked(site_dir, url, block(html, '<ul class="dj-cards"')) if 'class="dj-cards"' in html else []
                seen += linked(site_dir, url, block(html, '<ul class="dj-docs"')) if 'class="dj-docs"' in html else []
        assert sorted(seen) == sorted(items), first  # every item exactly once, nothing else
    # Further pages stay out of the sitemap and the search index, like their first pages.
    assert "/page/" not in (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    index = [p for p in (site_dir / "search").rglob("*") if p.is_file()]
    assert index and not [p for p in index if "page/2/" in p.read_text(encoding="utf-8", errors="replace")]


def test_showcase_json_lists_every_published_brand_and_no_draft(paged):
    site, site_dir = paged
    data = json.loads((site_dir / "brands" / "showcase.json").read_text(encoding="utf-8"))
    assert data["count"] == len(data["brands"]) == len(site.brands)
    assert sorted("brands/" + b["u"] for b in data["brands"]) == sorted(b.url for b in site.brands)
    assert "未发布的草稿品牌" not in json.dumps(data, ensure_ascii=False)
    assert not (site_dir / "brands" / "cao-gao-pin-pai").exists()
    by_url = {b.url: b for b in site.brands}
    for record in data["brands"]:
        brand = by_url["brands/" + record["u"]]
        short, name, group = data["units"][record["n"]]
        assert (group, data["categories"][record["c"]], record["y"], short, name) == (
            brand.unit.group, brand.category.name, brand.year, brand.unit.short, brand.unit.name)
        assert ("f" in record) == brand.meta.featured
        if "i" in record:  # the thumbnails the static cards use, already published
            key, shape = record["i"][0], data["shapes"][record["i"][1]]
            for name, _width in shape["fb"] + shape["webp"]:
                assert (site_dir / "brands" / data["images"] / key / name).resolve().is_file()
    # The first showcase page's cards show the same image files.
    first = (site_dir / "brands" / "index.html").read_text(encoding="utf-8")
    keys = [b["i"][0] for b in data["brands"][:BRANDS_PER_PAGE] if "i" in b]
    assert keys and all(f"assets/images/{key}/" in first for key in keys)


@pytest.mark.browser
def test_showcase_filter_finds_brands_beyond_the_first_page(paged):
    from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot, serve

    site, site_dir = paged
    first_page = {b.url for b in showcase_order(site.brands)[:BRANDS_PER_PAGE]}
    # A category of which many brands are not on page 1, more than one screenful of results.
    category = max(site.categories, key=lambda c: sum(1 for b in site.brands_in(c) if b.url not in first_page))
    expected = [b for b in showcase_order(site.brands) if b.category == category]
    beyond = [b for b in expected if b.url not in first_page]
    assert len(expected) > BRANDS_PER_PAGE and beyond
    log = RequestLog()
    with browser() as chromium, serve(site_dir, prefix="dangjian/") as base:
        page = new_page(chromium, DESKTOP, log)
        page.goto(base + "brands/")
        page.wait_for_load_state("networkidle")
        assert not any(u.endswith("showcase.json") for u in log.urls)  # loaded only when a filter is used
        page.select_option("select[name=category]", category.name)
        count = page.locator("[data-dj-count]")
        page.wait_for_function("document.querySelector('[data-dj-count]').textContent.startsWith('筛选出')")
        assert count.inner_text() == f"筛选出 {len(expected)} 个品牌（共 {len(site.brands)} 个）"
        assert page.locator("[data-dj-pager]").is_hidden()
        cards = page.locator("[data-dj-cards] .dj-card:visible")
        assert cards.count() == BRANDS_PER_PAGE
        more = page.locator("[data-dj-more]")
        while more.is_visible():
            more.click()
        assert cards.count() == len(expected)
        titles = page.locator("[data-dj-cards] .dj-card:visible .dj-card__title").all_inner_texts()
        assert titles == [b.meta.title for b in expected]
        assert {b.meta.title for b in beyond} <= set(titles)
        assert parse_qs(urlparse(page.url).query) == {"category": [category.name]}
        screenshot(page, "paged-showcase-filter-desktop")
        # A card drawn from the JSON links to the brand, under the sub-path.
        href = page.locator("[data-dj-cards] .dj-card__link").last.get_attribute("href")
        assert href == base + expected[-1].url
        assert page.locator("[data-dj-cards] .dj-card img").first.evaluate("i => i.complete && i.naturalWidth > 0")
        # Reload (and open a later page) with the filter in the URL: the same brands, the filter restored.
        page.goto(base + f"brands/page/3/?category={category.name}")
        page.wait_for_function("document.querySelector('[data-dj-count]').textContent.startsWith('筛选出')")
        assert page.locator("select[name=category]").input_value() == category.name
        assert count.inner_text() == f"筛选出 {len(expected)} 个品牌（共 {len(site.brands)} 个）"
        assert page.locator("[data-dj-cards] .dj-card__title").first.inner_text() == expected[0].meta.title
        # Nothing matches: the empty state; reset: this page's own cards and the pager come back.
        empty = next((b.unit.group, b.year) for b in site.brands
                     if not any(e.unit.group == b.unit.group and e.year == b.year for e in expected))
        page.select_option("select[name=group]", empty[0])
        page.select_option("select[name=year]", str(empty[1]))
        assert page.locator("[data-dj-empty]").is_visible() and cards.count() == 0
        assert count.inner_text() == f"筛选出 0 个品牌（共 {len(site.brands)} 个）"
        page.click("button[type=reset]")
        page.wait_for_function("document.querySelector('[data-dj-count]').textContent.startsWith('共')")
        assert page.locator("[data-dj-pager]").is_visible()
        assert cards.count() == BRANDS_PER_PAGE
        assert "category=" not in page.url
        page.context.close()
        # Further pages and their pager: no axe violations, no sideways scrolling on a phone.
        from test_reader_pages import run_axe

        page = new_page(chromium, PHONE, log)
        for url in ("brands/page/2/", "tags/san-hui-yi-ke/page/2/"):
            page.goto(base + url)
            page.wait_for_load_state("networkidle")
            assert run_axe(page) == [], url
            assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, url
            assert page.locator(".dj-pager [aria-current=page]").inner_text() == "2"
            screenshot(page, "paged-" + url.split("/")[0] + "-page-2-phone")
        page.context.close()
    assert log.outside(base) == []
    assert log.console_errors == []
