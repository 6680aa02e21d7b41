"""Every kind of page in real Chromium, served under a sub-path, at 1280 px and 390 px.

For each page: no request leaves the site (not even its own origin outside
``/dangjian/``), no console errors, no horizontal scroll on a phone, axe-core
reports no serious or critical violations, images carry alt text and the
document language is zh-CN.  Keyboard focus, the 适老化 controls, print
styles, the RSS link, search and the 404 page are tested on top.  One browser
for the module; one page per viewport, reused.  Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot, serve
from conftest import REPO

from dangjian.loader import load_site

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]  # wcag22aa: 24 px touch targets


@pytest.fixture(scope="module")
def content():
    site = load_site(REPO, REPO / "docs")
    assert site.brands and site.models and site.studies, "sample content is missing"
    return site


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def base(sample_site):
    with serve(sample_site.site, prefix="dangjian/") as url:
        yield url


def pages_under_test(content) -> dict[str, str]:
    """name → site-relative URL of one page of every kind."""
    brand = next((b for b in content.brands if b.meta.cover), content.brands[0])
    return {
        "home": "",
        "showcase": f"brands/?category={content.brands[0].category.name}",
        "brand": brand.url,
        "unit": brand.unit.url,
        "category": brand.category.url,
        "coverage": "coverage/",
        "models": "models/",
        "model": content.models[0].url,
        "study-list": "study/",
        "study-topic": content.studies[0].topic.url,
        "study": content.studies[0].url,
        "tags": "tags/",
        "tag": "tags/" + next(iter(content.tag_slugs.values())) + "/",
        "stats": "stats/",
    }


def run_axe(page, tags: list[str] = AXE_TAGS) -> list[dict]:
    """axe-core's serious and critical violations on the current page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", tags)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def load_all_images(page) -> list[str]:
    """Load lazy photos too (so full-page screenshots show them); return the alt of any broken image."""
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("[...document.images].every(i => i.complete)")
    page.evaluate("Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
    return page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.alt || i.src)")


def check_page(page, log: RequestLog, base: str, tag: str, name: str) -> list[str]:
    """The per-page requirements; returns a list of Chinese failure descriptions."""
    failures = []
    outside = [u for u in log.urls if not u.startswith(base) and not u.startswith(("data:", "blob:", "about:"))]
    if outside:
        failures.append(f"{name}: 请求了站点以外的地址 {outside}")
    if log.console_errors:
        failures.append(f"{name}: 控制台错误 {log.console_errors}")
    if page.evaluate("document.documentElement.lang") != "zh-CN":
        failures.append(f"{name}: <html lang> 不是 zh-CN")
    missing_alt = page.evaluate("[...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.src)")
    if missing_alt:
        failures.append(f"{name}: 图片缺少 alt {missing_alt}")
    if tag == "phone":
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            failures.append(f"{name}: 390px 下出现横向滚动（多出 {overflow}px）")
    violations = run_axe(page)
    if violations:
        failures.append(f"{name}: axe 严重问题 {violations}")
    return failures


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_kind_of_page(chromium, base, content, viewport):
    tag = "desktop" if viewport is DESKTOP else "phone"
    log = RequestLog()
    page = new_page(chromium, viewport, log)
    failures: list[str] = []
    for name, url in pages_under_test(content).items():
        log.urls.clear()
        log.console_errors.clear()
        response = page.goto(base + url)
        assert response is not None and response.ok, f"{name}: {base + url} → {response and response.status}"
        page.wait_for_load_state("networkidle")
        failures += check_page(page, log, base, tag, name)
        broken = load_all_images(page)
        if broken:
            failures.append(f"{name}: 图片无法显示 {broken}")
        screenshot(page, f"reader-{name}-{tag}")
    page.context.close()
    assert failures == [], "\n".join(failures)


def test_showcase_filter_state_in_url(chromium, base, content):
    log = RequestLog()
    page = new_page(chromium, PHONE, log)
    group = content.brands[0].unit.group
    page.goto(base + f"brands/?group={group}")
    expected = sum(1 for b in content.brands if b.unit.group == group)
    assert page.locator("[data-dj-cards] .dj-card:visible").count() == expected < len(content.brands)
    assert page.locator("select[name=group]").input_value() == group
    page.select_option("select[name=group]", "")
    assert page.locator("[data-dj-cards] .dj-card:visible").count() == len(content.brands)
    assert "group=" not in page.url
    page.context.close()


def test_keyboard_reaches_everything_with_visible_focus(chromium, base, content):
    """Tab walks the header controls, search, navigation and content; every stop shows a focus ring."""
    log = RequestLog()
    page = new_page(chromium, DESKTOP, log)
    brand = content.brands[0]
    page.goto(base + brand.url)
    seen: list[str] = []
    invisible: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const s = getComputedStyle(el);
            const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
            const r = el.getBoundingClientRect();
            return {desc: el.tagName + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '')
                          + ' ' + (el.getAttribute('href') || el.textContent.trim().slice(0, 12)),
                    ring, visible: r.width > 0 && r.height > 0};
        }""")
        if info is None:
            continue
        seen.append(info["desc"])
        if info["visible"] and not info["ring"]:
            invisible.append(info["desc"])
    joined = "\n".join(seen)
    assert "跳转至" in joined or "md-skip" in joined, joined  # skip link comes first
    assert "特大" in joined and "高对比" in joined, joined  # 适老化 controls
    assert "coverage/" in joined and "study/" in joined and "stats/" in joined, joined  # navigation tabs
    assert any(brand.unit.url in s or brand.unit.slug in s for s in seen), joined  # content links
    assert invisible == [], f"这些元素获得焦点时没有可见的焦点框：{invisible}"
    # The skip link actually moves focus to the content.
    page.goto(base + brand.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") != ""
    page.context.close()


def a11y_button(page, selector: str):
    """A 适老化 control; on a phone, first unfold the panel behind the “字号” button."""
    toggle = page.locator(".dj-a11y__toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return page.locator(f".dj-a11y {selector}")


FOCUSED = """() => { const el = document.activeElement; const r = el.getBoundingClientRect();
    return {desc: el.tagName + ' ' + (el.getAttribute('href') || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 12)),
            onScreen: r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight,
            menu: el.matches('label[for=__drawer]')}; }"""


def test_keyboard_on_an_office_pc_width_opens_the_menu(chromium, base, content):
    """At 1024 px the navigation is an off-canvas drawer: focus never goes to it while closed,
    the menu button works with Enter, Escape closes it and returns focus."""
    log = RequestLog()
    page = new_page(chromium, {"width": 1024, "height": 768}, log)
    page.goto(base + content.brands[0].url)
    off_screen, reached_menu = [], False
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUSED)
        if not info["onScreen"] and not info["desc"].startswith("A #"):  # in-page anchors scroll into view
            page.wait_for_timeout(50)
            info = page.evaluate(FOCUSED)
            if not info["onScreen"]:
                off_screen.append(info["desc"])
        if info["menu"]:
            reached_menu = True
            break
    assert reached_menu, "Tab 键到不了导航菜单按钮"
    assert off_screen == [], f"焦点落在看不见的位置：{off_screen}"
    assert page.locator(".md-header label[for=__drawer]").get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)  # the drawer slides in
    assert page.evaluate("document.getElementById('__drawer').checked")
    for _ in range(3):
        info = page.evaluate(FOCUSED)
        assert info["onScreen"] and info["desc"].startswith("A "), info
        page.keyboard.press("Tab")
    screenshot(page, "reader-keyboard-menu-1024")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__drawer').checked")
    assert page.evaluate(FOCUSED)["menu"]
    assert log.console_errors == []
    page.context.close()


def test_text_size_and_contrast_are_remembered_and_readable(chromium, base, content):
    log = RequestLog()
    page = new_page(chromium, PHONE, log)
    # Records the <html> state the moment <body> first exists, i.e. before anything is painted.
    page.add_init_script("""
        new MutationObserver((_, obs) => {
            if (document.body && !('djAtBody' in window)) {
                window.djAtBody = (document.documentElement.getAttribute('data-dj-size') || 'normal') + '/' +
                                  (document.documentElement.getAttribute('data-dj-contrast') || 'normal');
                obs.disconnect();
            }
        }).observe(document, {childList: true, subtree: true});
    """)
    study = content.studies[0]
    page.goto(base + study.url)
    paragraph = page.locator(".md-content .md-typeset p").first

    def metrics():
        return page.evaluate("""p => { const s = getComputedStyle(p);
            return {size: parseFloat(s.fontSize), ratio: parseFloat(s.lineHeight) / parseFloat(s.fontSize)}; }""",
                             paragraph.element_handle())

    normal = metrics()
    assert normal["ratio"] >= 1.5, normal
    assert page.locator(".dj-a11y [data-dj-size=normal]").get_attribute("aria-pressed") == "true"
    a11y_button(page, "[data-dj-size=large]").click()
    large = metrics()
    a11y_button(page, "[data-dj-size=xlarge]").click()
    xlarge = metrics()
    assert normal["size"] < large["size"] < xlarge["size"], (normal, large, xlarge)
    assert xlarge["size"] >= 1.35 * normal["size"]
    assert xlarge["ratio"] >= 1.5
    a11y_button(page, ".dj-a11y__contrast").click()
    assert page.locator(".dj-a11y__contrast").get_attribute("aria-pressed") == "true"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"特大字号下 390px 出现横向滚动 {overflow}px"
    screenshot(page, "reader-a11y-xlarge-contrast-phone")

    # Another page: the choice is remembered and applied before first paint.
    brand = content.brands[0]
    page.goto(base + brand.url)
    assert page.evaluate("window.djAtBody") == "xlarge/high"
    assert page.locator(".dj-a11y [data-dj-size=xlarge]").get_attribute("aria-pressed") == "true"
    header_bg = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
    assert header_bg == "rgb(0, 0, 0)", header_bg
    assert run_axe(page) == []  # contrast (and everything else) holds in high-contrast mode
    screenshot(page, "reader-a11y-brand-xlarge-contrast-phone")

    # Every kind of page at 特大 + 高对比 on a phone: no horizontal scroll; axe (incl. contrast) on a few.
    problems = []
    for name, url in pages_under_test(content).items():
        page.goto(base + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{name}: 特大字号下横向滚动 {overflow}px")
        if name in ("home", "showcase", "coverage", "stats", "study"):
            # High contrast meets even the AAA contrast ratio (7:1, wcag2aaa).
            problems += [f"{name}: 高对比模式 axe {v}" for v in run_axe(page, AXE_TAGS + ["wcag2aaa"])]
        if name == "home":
            screenshot(page, "reader-a11y-home-xlarge-contrast-phone")
    assert problems == [], "\n".join(problems)

    # Back to standard.
    a11y_button(page, "[data-dj-size=normal]").click()
    a11y_button(page, ".dj-a11y__contrast").click()
    page.reload()
    assert page.evaluate("window.djAtBody") == "normal/normal"
    assert page.evaluate("document.documentElement.hasAttribute('data-dj-size')") is False
    assert log.console_errors == []
    page.context.close()


def test_print_shows_content_only_with_the_address(chromium, base, content):
    log = RequestLog()
    page = new_page(chromium, DESKTOP, log)
    brand = next((b for b in content.brands if b.meta.cover), content.brands[0])
    for name, url in (("brand", brand.url), ("study", content.studies[0].url)):
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.emulate_media(media="print")
        page.wait_for_function("[...document.querySelectorAll('.md-content img')].every(i => i.complete)")
        blank = page.evaluate("[...document.querySelectorAll('.md-content img')].filter(i => !i.naturalWidth).map(i => i.alt)")
        assert blank == [], f"打印时这些照片是空白：{blank}"
        hidden = page.evaluate("""() => ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-footer', '.dj-a11y']
            .filter(s => document.querySelector(s)).filter(s => getComputedStyle(document.querySelector(s)).display !== 'none')""")
        assert hidden == [], f"打印时仍显示：{hidden}"
        address = page.locator(".dj-print-url")
        assert address.is_visible()
        assert base + url.split("?")[0] in address.inner_text()
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-content .md-typeset p')).fontSize)")
        assert size >= 15, size  # 12pt = 16px
        too_wide = page.evaluate("""() => { const w = document.querySelector('.md-content').clientWidth;
            return [...document.querySelectorAll('.md-content img')].filter(i => i.getBoundingClientRect().width > w + 1).map(i => i.src); }""")
        assert too_wide == []
        page.evaluate("Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
        screenshot(page, f"reader-print-{name}")
        page.pdf(path=str(Path(screenshot.__globals__["ARTIFACTS"]) / f"reader-print-{name}.pdf"), format="A4")
        page.emulate_media(media="screen")
    page.context.close()


def test_feed_is_linked_and_lists_new_content(chromium, base, content):
    log = RequestLog()
    page = new_page(chromium, DESKTOP, log)
    page.goto(base + "study/")
    href = page.locator("link[rel=alternate][type='application/rss+xml']").get_attribute("href")
    visible = page.locator("a.dj-feed-link")
    assert visible.is_visible() and visible.inner_text().startswith("RSS")
    response = page.request.get(page.evaluate("h => new URL(h, location.href).href", href))
    assert response.ok and response.url == base + "feed.xml"
    xml = response.text()
    newest = max(content.brands, key=lambda b: (b.date, b.url))
    assert f"<title>党建品牌：{newest.meta.title}</title>" in xml
    assert f"学习资料：{content.studies[0].meta.title}" in xml or len(re.findall("<item>", xml)) == 30
    page.context.close()


def test_search_finds_a_study_material_under_the_sub_path(chromium, base, content):
    log = RequestLog()
    page = new_page(chromium, PHONE, log)
    item = content.studies[0]
    page.goto(base)
    page.wait_for_load_state("networkidle")
    query = item.meta.title[:4]
    field = page.locator(".md-header input[type=search], .md-header input.md-search__input, .md-search input").first
    if not field.is_visible():  # Material's search opens from a button in the header
        page.locator("label[for=__search], .md-header button[aria-label*=搜索]").first.click()
    field.press_sequentially(query, delay=60)
    # Wait for the result itself: a link to the page elsewhere (a listing card) is already there before the search ran.
    result = page.locator(f".md-search-result a[href*='{item.url}'], [class*=search] a[href*='{item.url}']")
    result.first.wait_for(timeout=20000)
    assert result.count() >= 1
    page.screenshot(path=str(screenshot.__globals__["ARTIFACTS"] / "reader-search-phone.png"))  # viewport: the overlay is wider
    outside = [u for u in log.urls if not u.startswith(base)]
    assert outside == [] and log.console_errors == []
    page.context.close()


def test_404_page(chromium, sample_site):
    """The 404 page (served at the site root, as web servers do with ``error_page``)."""
    with serve(sample_site.site) as root:
        for viewport, tag in ((DESKTOP, "desktop"), (PHONE, "phone")):
            log = RequestLog()
            page = new_page(chromium, viewport, log)
            page.goto(root + "404.html")
            page.wait_for_load_state("networkidle")
            assert "404" in page.locator(".md-content").inner_text()
            assert check_page(page, log, root, tag, "404") == []
            screenshot(page, f"reader-404-{tag}")
            page.context.close()
