"""Fast preview: a `--dirty` rebuild (what `./dev.sh serve` runs) shows every effect of an edit.

MkDocs' dirty build rebuilds a page only when its own source is newer than its
HTML.  Pages the build writes or completes (brand pages, listings, the home
page's latest brands, a model page's facts box) must still follow the files
they are made from, and pages nothing touched must be left alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest

from conftest import brand_text, doc_text, make_project, run_build, watching_brands

MODEL = doc_text({"title": "税务局模范机关创建", "unit": "市税务局", "year": 2025, "level": "市级模范机关",
                  "description": "创建经验。", "date": "2025-11-01"}, "## 做法\n\n坚持第一议题制度。\n")


def _dirty(project, site):
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty", "-d", str(site)], cwd=project,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_dirty_rebuild_follows_brand_and_registry_edits(tmp_path):
    project = make_project(tmp_path / "p", brands={"hongxin": brand_text(), "shuiyun": brand_text(
        title="税韵先锋", unit="市税务局", branch="征管科党支部")}, docs={"models/shuiwu.md": MODEL})
    site = tmp_path / "site"
    first = run_build(project, site_dir=site)
    assert first.returncode == 0, first.output
    guide = site / "guide" / "images" / "index.html"
    untouched = guide.stat().st_mtime_ns
    time.sleep(0.05)

    index = project / "brands" / "hongxin" / "index.md"
    index.write_text(brand_text(title="红心理财新篇"), encoding="utf-8")
    log = _dirty(project, site)
    assert "'dirty' build" not in log  # MkDocs' English warning is filtered; ./dev.sh serve explains it
    assert "红心理财新篇" in (site / "brands" / "hongxin" / "index.html").read_text(encoding="utf-8")
    assert "红心理财新篇" in (site / "index.html").read_text(encoding="utf-8"), "home page's latest brands"
    assert "红心理财新篇" in (site / "units" / "shi-cai-zheng-ju" / "index.html").read_text(encoding="utf-8") \
        or "红心理财新篇" in (site / "brands" / "index.html").read_text(encoding="utf-8")
    assert guide.stat().st_mtime_ns == untouched, "a page the edit does not reach is not rebuilt"

    units = project / "brands" / "units.yml"
    units.write_text(units.read_text(encoding="utf-8").replace("江城市税务局", "江城市税务局（新名称）"), encoding="utf-8")
    _dirty(project, site)
    model_html = (site / "models" / "shuiwu" / "index.html").read_text(encoding="utf-8")
    assert "江城市税务局（新名称）" in model_html, "a model page's facts box follows the unit registry"
    assert guide.stat().st_mtime_ns == untouched


def _indexed(run, url: str, title: str) -> bool:
    """True when the preview's search index holds ``url`` with ``title`` (and only once)."""
    import json
    try:
        pages = json.loads(run.fetch("search/dj/meta.json") or "{}").get("pages", 0)
        heads = [json.loads(run.fetch(f"search/dj/d/{pid}.json") or "{}") for pid in range(pages)]
    except ValueError:
        return False
    return [h.get("t") for h in heads if h.get("u") == url] == [title]


@pytest.mark.parametrize("polling", [False, True], ids=["native-notifications", "DJ_PREVIEW_POLLING"])
def test_serve_shows_a_saved_brand_once_rebuilt(tmp_path, preview, polling):
    project = watching_brands(make_project(tmp_path / "p", brands={"hongxin": brand_text()}))
    run = preview(project, env={"DJ_PREVIEW_POLLING": "1" if polling else ""})
    run.wait("brands/hongxin/", lambda t: "红心理财" in t)
    (project / "brands" / "hongxin" / "index.md").write_text(brand_text(title="红心理财新篇"), encoding="utf-8")
    run.wait("brands/hongxin/", lambda t: "红心理财新篇" in t, 60)
    # The search index follows the edit too (the edited page replaces its old record).
    run.wait_for(lambda: _indexed(run, "brands/hongxin/", "红心理财新篇"), 180)  # written in the background
    run.wait_for(lambda: run.log().count("Documentation built in") == 2, 120)
    time.sleep(2.5)  # long enough for a rebuild the build's own file reads would trigger
    text = run.stop()
    assert "Traceback" not in text
    assert text.count("Documentation built in") == 2, text  # the first build and one for the save, no echo rebuilds
    assert ("每 0.5 秒检查一次文件改动" in text) == polling
    assert ("预览使用系统的文件改动通知" in text) == (not polling)


def _html_times(site) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("index.html")}


def test_preview_starts_from_where_the_last_one_stopped(tmp_path, preview):
    """A second preview keeps the first one's output and rebuilds only what changed meanwhile."""
    project = watching_brands(make_project(tmp_path / "p", brands={"hongxin": brand_text(), "shuiyun": brand_text(
        title="税韵先锋", unit="市税务局", branch="征管科党支部")}, docs={"models/shuiwu.md": MODEL}))
    site = project / ".cache" / "preview" / "mkdocs" / "site"
    first = preview(project)
    first.wait("brands/hongxin/", lambda t: "红心理财" in t)
    first.wait_for(lambda: (project / ".cache/preview/mkdocs/search-docs.json").is_file(), 60)
    log = first.stop()
    assert "预览从上次的结果开始" not in log  # nothing kept yet: a full build
    before = _html_times(site)
    assert "brands/hongxin/index.html" in before and "guide/images/index.html" in before

    # While no preview runs, a writer edits a brand and deletes another.
    time.sleep(0.05)
    (project / "brands" / "shuiyun" / "index.md").write_text(brand_text(
        title="税韵先锋新篇", unit="市税务局", branch="征管科党支部"), encoding="utf-8")
    shutil.rmtree(project / "brands" / "hongxin")
    second = preview(project)
    second.wait("brands/shuiyun/", lambda t: "税韵先锋新篇" in t and "自动刷新" not in t)
    second.wait_for(lambda: "税韵先锋新篇" in (project / ".cache/preview/mkdocs/search-docs.json").read_text(encoding="utf-8"), 60)
    assert "税韵先锋新篇" in second.fetch("units/shi-shui-wu-ju/"), "listings follow the edit"
    log = second.stop()
    assert "预览从上次的结果开始" in log and "Traceback" not in log
    after = _html_times(site)
    assert "brands/hongxin/index.html" not in after, "a deleted brand's page is gone from the kept preview"
    assert after["guide/images/index.html"] == before["guide/images/index.html"], "an untouched page is not rebuilt"
    assert after["brands/shuiyun/index.html"] > before["brands/shuiyun/index.html"]

    # A changed configuration shapes every page: the kept output is dropped, everything is rebuilt.
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_name: ", "site_name: 新"), encoding="utf-8")
    third = preview(project)
    third.wait("guide/images/", lambda t: "新" in t and "自动刷新" not in t)
    log = third.stop()
    assert "预览从上次的结果开始" not in log
    assert _html_times(site)["guide/images/index.html"] > before["guide/images/index.html"]


def test_a_preview_stopped_midway_is_rendered_again(tmp_path, preview):
    """A preview closed in the middle of a build leaves an unfinished folder: the next one renders every
    page again, showing the old ones meanwhile."""
    from dangjian.preview import PreviewDir
    project = watching_brands(make_project(tmp_path / "p", brands={"hongxin": brand_text()}))
    first = preview(project)
    first.wait("brands/hongxin/", lambda t: "红心理财" in t)
    first.wait_for(lambda: (project / ".cache/preview/mkdocs/search-docs.json").is_file(), 60)
    first.stop()
    kept = PreviewDir(project / ".cache/preview/mkdocs", "x")
    kept.stamp = kept._state()["stamp"]
    assert kept.warm()
    kept.begin()  # as a build that never finished
    assert not kept.warm()
    second = preview(project)
    second.wait("brands/hongxin/", lambda t: "红心理财" in t and "自动刷新" not in t)
    log = second.stop()
    assert "预览从上次的结果开始" not in log and "这次重建全部页面" in log
    assert "更新期间先显示上次的预览" in log, "the old pages are shown while every page is rendered again"


def test_waiting_server_shows_the_last_preview_with_a_note(tmp_path):
    """While the first build of a preview runs, the last preview is served read-only, with a note."""
    import urllib.error
    import urllib.request

    from dangjian.preview import FolderServer
    site = tmp_path / "site"
    (site / "brands" / "hongxin").mkdir(parents=True)
    (site / "brands" / "hongxin" / "index.html").write_text("<html><body><h1>红心理财</h1></body></html>", encoding="utf-8")
    (site / "style.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("机密", encoding="utf-8")
    port = _port()
    server = FolderServer(site, "127.0.0.1", port, waiting=True)
    assert server.start()
    try:
        assert not FolderServer(site, "127.0.0.1", port).start(), "a taken address is refused, not raised"
        base = f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(base + "brands/hongxin/") as response:
            page = response.read().decode("utf-8")
        assert "红心理财" in page and "正在更新改动过的页面，完成后本页会自动刷新" in page
        assert page.index("自动刷新") < page.index("</body>")
        with urllib.request.urlopen(base + "style.css") as response:
            assert response.read() == b"body{}" and response.headers["Content-Type"].startswith("text/css")
        for path in ("livereload/0/0", "../secret.txt", "%2e%2e/secret.txt", "brands/nothing/"):
            try:
                with urllib.request.urlopen(base + path) as response:
                    body = response.read().decode("utf-8")
            except urllib.error.HTTPError as error:
                body = error.read().decode("utf-8")
                assert error.code in (404, 503), path
            assert "机密" not in body, path
    finally:
        server.stop()


def _port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_quick_source_renders_a_saved_brand_from_the_last_plan(tmp_path):
    """The page a saved file shows first: a published brand re-rendered alone, a docs page as is."""
    from dangjian.generate import load_config, plan_site, quick_source
    from dangjian.settings import Settings
    project = make_project(tmp_path / "p", brands={"hongxin": brand_text(), "caogao": brand_text(title="草稿", draft=True)},
                           docs={"models/shuiwu.md": MODEL})
    config, _ = load_config(project / "mkdocs.yml")
    plan = plan_site(config, Settings.from_mapping(config.settings_mapping)[0])
    brand = project / "brands" / "hongxin" / "index.md"
    brand.write_text(brand_text(title="红心理财新篇"), encoding="utf-8")
    uri, markdown = quick_source(plan, brand)
    assert uri == "brands/hongxin/index.md" and "红心理财新篇" in markdown
    brand.write_text(brand_text(title="红心理财新篇", date="明天"), encoding="utf-8")
    assert quick_source(plan, brand) is None, "a brand that no longer validates waits for the full rebuild"
    assert quick_source(plan, project / "brands" / "caogao" / "index.md") is None, "a draft has no page"
    assert quick_source(plan, project / "docs" / "models" / "shuiwu.md") == ("models/shuiwu.md", None)
    assert quick_source(plan, project / "brands" / "units.yml") is None
    assert quick_source(plan, tmp_path / "elsewhere.md") is None


def test_one_preview_at_a_time_keeps_the_folder(tmp_path):
    """A second preview of the same project (the launcher started twice) must not write the kept folder."""
    from dangjian.preview import PreviewDir
    first, second = PreviewDir(tmp_path / "kept", "s"), PreviewDir(tmp_path / "kept", "s")
    assert first.claim() and first.claim(), "claiming again in the same preview is fine"
    assert not second.claim()
    first._lock.close()  # the first preview ends (its process exits)
    assert second.claim()


def test_folder_server_reloads_open_pages_after_a_rebuild(tmp_path):
    """Zensical's preview (no hooks, no live reload of its own): pages reload after each rebuild."""
    import threading
    import urllib.request

    from dangjian.preview import FolderServer
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body>首页</body></html>", encoding="utf-8")
    server = FolderServer(site, "127.0.0.1", _port())
    assert server.start()
    base = f"http://127.0.0.1:{server.port}/"
    try:
        with urllib.request.urlopen(base) as response:
            page = response.read().decode("utf-8")
        assert "首页" in page and "var seen=1;" in page and "自动刷新" not in page  # no "last preview" note
        answers = []
        poll = threading.Thread(target=lambda: answers.append(urllib.request.urlopen(base + "livereload/1/0").read()))
        poll.start()
        time.sleep(0.5)
        assert not answers, "the poll waits for a rebuild"
        server.reload()
        poll.join(timeout=10)
        assert answers == [b"2"]
    finally:
        server.stop()


def test_stopping_during_an_index_write_keeps_the_pages_and_rewrites_the_index_next_time(tmp_path):
    """Ctrl+C while the search index is written in the background: the preview stops at once,
    keeps its pages, and the next preview writes the index again."""
    from dangjian.preview import PreviewDir, load_search_docs
    from dangjian.search import PageFacets
    from dangjian.search_index import _Doc

    docs = [_Doc(f"study/d{n}/", PageFacets("学习资料", f"文件{n}"), "党的建设" * 3000 + str(n)) for n in range(200)]
    kept = PreviewDir(tmp_path / "kept", "s")
    assert kept.claim() and not kept.prepare()
    kept.begin()
    kept._save(docs, kept.site_dir, [])  # a long index write in the second process
    kept.finish()
    assert kept.writer.busy()
    kept.close(docs)
    assert not kept.writer.busy()
    assert [d.url for d in load_search_docs(kept.search_docs)] == [d.url for d in docs]
    again = PreviewDir(tmp_path / "kept", "s")
    assert again.warm(), "the pages were kept: the next preview starts from them"
    again.begin()
    assert again.index_stale, "and writes the search index again"


def test_the_last_preview_reloads_itself_when_the_engine_takes_over(tmp_path, sample_site):
    """In Chromium: the last preview's page carries the note, and reloads without it once the
    engine's server (answering /livereload/…) has taken the address over."""
    from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot
    from dangjian.preview import FolderServer
    port = _port()
    waiting = FolderServer(sample_site.site, "127.0.0.1", port, waiting=True)
    assert waiting.start()
    engine = None
    try:
        with browser() as instance:
            for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
                log = RequestLog()
                page = new_page(instance, viewport, log)
                page.goto(f"http://127.0.0.1:{port}/brands/")
                note = page.get_by_role("status")
                assert "这是上次预览的页面" in note.inner_text()
                screenshot(page, f"preview-last-run-{name}")
                assert log.outside(f"http://127.0.0.1:{port}/") == []
                page.context.close()
            page = new_page(instance, DESKTOP, RequestLog())
            page.goto(f"http://127.0.0.1:{port}/brands/")
            waiting.stop()
            engine = FolderServer(sample_site.site, "127.0.0.1", port)  # answers /livereload/0/0 at once
            assert engine.start()
            page.wait_for_function("!document.body.innerText.includes('这是上次预览的页面')", timeout=15000)
            assert "品牌" in page.title()
            page.context.close()
    finally:
        waiting.stop()
        if engine is not None:
            engine.stop()
