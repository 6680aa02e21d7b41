"""The reader's journey in real Chromium on the sample site, at 1280 px and 390 px.

Opens the home page, a brand page and the showcase, filters the showcase
(the filter is kept in the URL), searches a Chinese brand name and finds the
brand, and proves that no request leaves 127.0.0.1.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot, serve
from conftest import REPO

from dangjian.loader import load_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def content():
    site = load_site(REPO, REPO / "docs")
    assert site.brands, "sample content is missing"
    return site


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_reader_journey(sample_site, content, chromium, viewport):
    tag = "desktop" if viewport is DESKTOP else "phone"
    featured = next(b for b in content.brands if b.meta.featured)
    log = RequestLog()
    with serve(sample_site.site) as base:
        page = new_page(chromium, viewport, log)

        page.goto(base)
        assert page.locator(".dj-home-hero__title").is_visible()
        assert page.locator(".dj-card__title", has_text=featured.meta.title).first.is_visible()
        screenshot(page, f"foundation-home-{tag}")

        page.locator(".dj-card__link", has_text=featured.meta.title).first.click()
        page.wait_for_url(f"**/{featured.url}")
        assert page.locator("h1.dj-hero__title").inner_text() == featured.meta.title
        assert page.locator(".dj-hero__badge").is_visible()
        screenshot(page, f"foundation-brand-{tag}")

        # The showcase: filter by 系统, then by category; the URL keeps the filter.
        group = featured.unit.group
        page.goto(base + f"brands/?group={group}")
        cards = page.locator("[data-dj-cards] .dj-card")
        expected = [b for b in content.brands if b.unit.group == group]
        assert page.locator("[data-dj-cards] .dj-card:visible").count() == len(expected)
        assert page.locator("select[name=group]").input_value() == group
        page.select_option("select[name=group]", "")
        page.select_option("select[name=category]", featured.category.name)
        expected = [b for b in content.brands if b.category == featured.category]
        assert page.locator("[data-dj-cards] .dj-card:visible").count() == len(expected) < cards.count()
        query = parse_qs(urlparse(page.url).query)
        assert query == {"category": [featured.category.name]}
        assert f"筛选出 {len(expected)} 个品牌" in page.locator("[data-dj-count]").inner_text()
        screenshot(page, f"foundation-showcase-{tag}")
        page.reload()
        assert page.locator("[data-dj-cards] .dj-card:visible").count() == len(expected)

        # Search a Chinese brand name and find the brand.
        page.goto(base)
        page.keyboard.press("/")
        box = page.locator("input.md-search__input, input[type=search]").first
        box.fill(featured.meta.title)
        # Playwright inserts Chinese text without key events (an IME ends with a keyup);
        # Material's search reads the box on keyup, so release a key as a reader's IME would.
        box.press("End")
        result = page.locator(".md-search-result__item, .dj-search-result").filter(has_text=featured.meta.title[:2])
        result.first.wait_for(timeout=10000)
        links = [a.get_attribute("href") for a in page.locator(".md-search-result a, .dj-search-results a").all()]
        assert any(featured.url in (href or "") for href in links), links
        screenshot(page, f"foundation-search-{tag}")

    assert log.urls, "no request was recorded"
    assert log.outside(base) == []
    assert log.console_errors == []
