"""Errors in the browser while previewing (`mkdocs serve --dirty`, what ./dev.sh serve runs), never when publishing."""

from __future__ import annotations

import time

from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot
from conftest import brand_text, doc_text, make_project, run_build, watching_brands

DATE_ERROR = "字段“date”：应为日期（年-月-日），这里写的是 “明天”。"
PHONE_ERROR = "发现未打码的手机号（138****5678），属于个人信息，不能公开发布。"


def _goto(page, url: str) -> None:
    """Open ``url``; retried when a rebuild's live reload interrupts the navigation."""
    for attempt in range(5):
        try:
            page.goto(url)
            page.wait_for_load_state("load")
            return
        except Exception:
            if attempt == 4:
                raise
            time.sleep(1)


def _project(tmp_path):
    return watching_brands(make_project(tmp_path / "p", brands={"hongxin": brand_text(), "cuowu": brand_text(title="错误品牌", date="明天")},
                                        docs={"guide/lianxi.md": doc_text({"title": "联系方式"}, "联系 13812345678\n")}))


def test_serve_shows_errors_on_the_pages_until_fixed(tmp_path, preview):
    project = _project(tmp_path)
    run = preview(project)
    base = run.base
    run.wait("brands/", lambda t: "红心理财" in t)
    with browser() as instance:
        page = new_page(instance, DESKTOP, RequestLog())
        # the brand left out for its error: its own address says why
        _goto(page, base + "brands/cuowu/")
        box = page.locator("[data-dj-preview-error]")
        assert "预览提示：这篇稿件有 1 处错误，改正前不会显示（发布时会被拒绝）：" in box.inner_text()
        assert "brands/cuowu/index.md 第 9 行 错误：" + DATE_ERROR in box.inner_text()
        assert "修改方法：写成四位年-两位月-两位日，例如：date: 2026-03-15" in box.inner_text()
        screenshot(page, "preview-error-brand-desktop")
        # listing pages: the count, linking to the error list
        for listing in ("brands/", "", "units/"):
            _goto(page, base + listing)
            notice = page.locator("[data-dj-preview-hidden]")
            assert notice.inner_text().strip() == "预览提示：1 篇稿件因错误未显示，改正后会自动出现。", listing
        _goto(page, base + "brands/")
        page.click("text=1 篇稿件因错误未显示")
        page.wait_for_url("**/preview-errors/")
        listed = page.locator("article").inner_text()
        assert "brands/cuowu/index.md" in listed and DATE_ERROR in listed and PHONE_ERROR in listed
        # a page that is published but has an error in its source shows it at the top
        _goto(page, base + "guide/lianxi/")
        assert PHONE_ERROR in page.locator("[data-dj-preview-error]").inner_text()
        assert page.locator("h1").first.inner_text().strip().startswith("联系方式")
        phone = new_page(instance, PHONE, RequestLog())
        _goto(phone, base + "brands/cuowu/")
        screenshot(phone, "preview-error-brand-phone")
        phone.context.close()
        # fixed: the brand shows, every notice is gone
        (project / "brands" / "cuowu" / "index.md").write_text(brand_text(title="错误品牌"), encoding="utf-8")
        (project / "docs" / "guide" / "lianxi.md").write_text(doc_text({"title": "联系方式"}, "联系 办公室\n"), encoding="utf-8")
        run.wait("brands/cuowu/", lambda t: "错误品牌" in t and "dj-preview-error" not in t)
        for url in ("brands/", "", "units/", "guide/lianxi/"):
            html = run.wait(url, lambda t: bool(t) and "dj-preview-error" not in t, 30)
            assert "因错误未显示" not in html
        _goto(page, base + "brands/")
        assert page.locator("[data-dj-preview-hidden]").count() == 0 and "错误品牌" in page.locator("article").inner_text()
        page.context.close()
    assert "Traceback" not in run.stop()


def test_a_published_build_never_shows_preview_errors(tmp_path):
    project = _project(tmp_path)
    built = run_build(project)  # not strict: it completes despite the errors
    assert built.returncode == 0, built.output
    assert DATE_ERROR in built.output and PHONE_ERROR in built.output  # reported in the terminal
    for path in built.site.rglob("*.html"):
        assert "dj-preview-error" not in path.read_text(encoding="utf-8"), path
    assert not built.exists("preview-errors/") and not built.exists("brands/cuowu/")
