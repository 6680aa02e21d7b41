"""The engine matrix: MkDocs, ProperDocs and Zensical build the same site from the same content.

The reference is today's build: plain ``mkdocs build --strict`` with the hook
(scripts/hooks.py).  Each engine builds the sample through the generator
(scripts/generate.py: pre-pass → engine → post-pass) and must give the same pages,
the same search-index documents, byte-identical processed photos, no original
photo, the same article bodies once the theme's own chrome is removed, and a site
that works under a sub-path with no request leaving the origin.  An engine that
is not installed fails here (requirements.txt installs all three).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot, serve
from conftest import REPO, brand_text, make_project, run_build, run_hook_build

from dangjian.generate import ENGINES, QUIET_ENV

#: Lines of the English banners: Material's end-of-life box and ProperDocs' MkDocs 2.0 warning.
BANNERS = ("end of life", "Zensical is its maintained successor", "NO_MKDOCS_2_WARNING",
           "MkDocs may break support", "DISABLE_MKDOCS_2_WARNING", "ProperDocs")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Today's build: MkDocs with the hook."""
    result = run_hook_build(REPO, strict=True, site_dir=tmp_path_factory.mktemp("reference") / "site")
    assert result.returncode == 0, result.output
    return result


def test_hook_build_tokenizes_every_page_ahead(reference):
    """The theme's article is guessed right for every indexed page of the sample (PostPass.foresee):
    the search worker tokenized all of them while MkDocs was still converting pages.  When the theme
    changes what it puts around a page's content, this tells that postpass.article_guess must follow."""
    match = re.search(r"搜索索引 (\d+) 页.*；(\d+) 页在转换阶段已预先分词", reference.output)
    assert match, reference.output
    assert int(match.group(1)) > 40 and match.group(2) == match.group(1)


@pytest.fixture(scope="module", params=ENGINES)
def built(request, tmp_path_factory):
    """The sample built strictly by one engine through the generator."""
    engine = request.param
    spec = __import__("importlib.util").util.find_spec(engine)
    assert spec is not None, f"构建引擎 {engine} 没有安装：请运行 ./dev.sh test（按 requirements.txt 安装）"
    env_before = {k: os.environ.pop(k, None) for k in QUIET_ENV}  # the generator must silence the banners itself
    try:
        result = run_build(REPO, strict=True, engine=engine, site_dir=tmp_path_factory.mktemp(engine) / "site")
    finally:
        os.environ.update({k: v for k, v in env_before.items() if v is not None})
    result.engine = engine
    return result


def test_mkdocs_family_engines_give_the_index_a_head_start(built):
    """MkDocs and ProperDocs run the staged configuration's scripts/engine_ahead.py: every indexed page
    was tokenized while the engine was still converting pages (the folder it used is gone after).
    Zensical runs no hooks: the same index, built without a head start."""
    summary = re.search(r"搜索索引 (\d+) 页[^\n]*", built.output)
    assert summary, built.output
    ahead = re.search(r"；(\d+) 页在转换阶段已预先分词", summary.group(0))
    if built.engine == "zensical":
        assert ahead is None, summary.group(0)
    else:
        assert ahead and ahead.group(1) == summary.group(1), summary.group(0)
    assert not list(built.site.parent.glob(".*.dj-*")), "a work folder was left beside the site"


def pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def search_docs(site: Path) -> dict[str, dict]:
    """Every indexed page by URL: its head (``d/<id>.json``) with its further text chunks (``d/<id>-<k>.json``)."""
    folder = site / "search" / "dj" / "d"
    docs = {}
    for path in folder.glob("*.json"):
        if "-" in path.stem:
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["chunks"] = [json.loads(c.read_text(encoding="utf-8"))
                         for c in sorted(folder.glob(f"{path.stem}-*.json"), key=lambda c: int(c.stem.split("-")[1]))]
        docs[doc["u"]] = doc
    return docs


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"[^>]*>(.*?)</article>', re.S)
#: Theme chrome inside the article: Zensical's skip-link target, the edit button.
_CHROME = re.compile(r'<a id="__skip" tabindex="-1"></a>|<a href="[^"]*"[^>]*rel="edit"[^>]*>.*?</a>', re.S)


def article(html: str) -> str:
    match = _ARTICLE.search(html)
    assert match, "no article"
    return re.sub(r"\s+", " ", _CHROME.sub("", match.group(1))).strip()


def test_strict_build_without_english_banner(built):
    assert built.returncode == 0, built.output[-4000:]
    assert "Traceback" not in built.output
    for line in BANNERS:
        assert line not in built.output, (built.engine, line)


def test_same_pages_as_reference(built, reference):
    assert pages(built.site) == pages(reference.site)
    assert len(pages(built.site)) > 90


def test_required_files(built):
    for name in ("feed.xml", "brands/showcase.json", "search/dj/pages.json", "sitemap.xml", "404.html"):
        assert (built.site / name).is_file(), name
    assert json.loads((built.site / "brands/showcase.json").read_text(encoding="utf-8"))
    assert "<rss" in (built.site / "feed.xml").read_text(encoding="utf-8")
    sitemap = (built.site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/brands/hong-xin-li-cai/" in sitemap and "/page/" not in sitemap


def test_search_documents_equal_reference(built, reference):
    docs = search_docs(built.site)
    assert len(docs) > 50
    assert docs == search_docs(reference.site)


def test_generated_data_equal_reference(built, reference):
    for name in ("feed.xml", "brands/showcase.json"):
        assert (built.site / name).read_bytes() == (reference.site / name).read_bytes(), name


def test_processed_photos_byte_identical(built, reference):
    images = digests(built.site / "assets" / "images")
    assert images == digests(reference.site / "assets" / "images")
    assert sum(1 for name in images if name.endswith(".webp")) > 20


def test_no_original_photo_published(built):
    # Photos (camera JPEG/HEIC with EXIF); a small lossless logo may legitimately come out byte-identical.
    originals = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in (REPO / "brands").rglob("*")
                 if p.suffix.lower() in (".jpg", ".jpeg", ".heic")}
    assert originals
    # Photos live only under assets/images/<hash>/ (processed); nothing is left beside the pages.
    leftovers = [p for p in (built.site / "brands").rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".heic", ".webp")]
    assert leftovers == []
    published = digests(built.site)
    assert not set(published.values()) & set(originals), "an original photo was published"


def test_article_bodies_equal_reference(built, reference):
    differing = []
    for name in sorted(pages(reference.site) - {"404.html"}):  # 404.html is all theme (overrides/404.html), no content
        ours, theirs = (built.site / name).read_text(encoding="utf-8"), (reference.site / name).read_text(encoding="utf-8")
        if article(ours) != article(theirs):
            differing.append(name)
    assert differing == []


def test_edit_links_point_at_sources(built, reference):
    brand = (built.site / "brands/hong-xin-li-cai/index.html").read_text(encoding="utf-8")
    guide = (built.site / "guide/images/index.html").read_text(encoding="utf-8")
    unit = (built.site / "units/index.html").read_text(encoding="utf-8")
    assert 'rel="edit"' not in unit  # a generated listing has no source to edit
    if 'rel="edit"' in (reference.site / "guide/images/index.html").read_text(encoding="utf-8"):  # content.action.edit on
        assert "_edit/main/brands/hong-xin-li-cai/index.md" in brand
        assert "_edit/main/docs/guide/images.md" in guide
    else:  # the sample publishes for readers: no engine may add edit links of its own
        assert 'rel="edit"' not in brand and 'rel="edit"' not in guide


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_sub_path_in_the_browser(built, chromium, viewport):
    tag = f"engine-{built.engine}-{'desktop' if viewport is DESKTOP else 'phone'}"
    log = RequestLog()
    with serve(built.site, prefix="dangjian/") as base:
        page = new_page(chromium, viewport, log)
        page.goto(base)
        assert page.locator(".dj-home-hero__title").is_visible()
        screenshot(page, f"{tag}-home")
        page.goto(base + "brands/hong-xin-li-cai/")
        assert page.locator("h1.dj-hero__title").inner_text() == "红心理财"
        assert page.locator("picture img").first.evaluate("img => img.complete && img.naturalWidth > 0")
        assert page.locator(".md-tags").count() == 0  # only the site's own tag chips
        screenshot(page, f"{tag}-brand")
        page.goto(base + "brands/?category=党建业务融合")
        assert page.locator("[data-dj-cards] .dj-card:visible").count() >= 1
        page.goto(base + "units/")
        page.keyboard.press("/")
        box = page.locator("input.md-search__input, input[type=search]").first
        box.fill("红心理财")
        box.press("End")
        page.locator(".dj-search-result").filter(has_text="红心").first.wait_for(timeout=10000)
        links = [a.get_attribute("href") for a in page.locator(".dj-search-results a").all()]
        assert any("brands/hong-xin-li-cai/" in (href or "") for href in links), links
    assert log.urls
    assert log.outside(base.split("/dangjian/")[0]) == []
    assert all("/dangjian/" in u for u in log.urls if u.startswith("http")), [u for u in log.urls if "/dangjian/" not in u]
    assert log.console_errors == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_preview_has_no_english_banner(tmp_path):
    """``./dev.sh serve`` runs scripts/generate.py serve: the preview log has no banner either."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in QUIET_ENV}
    env.pop("DJ_ENGINE", None)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, str(REPO / "scripts" / "generate.py"), "serve", "-a", f"127.0.0.1:{port}"],
                                cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and "Serving on" not in log.read_text(encoding="utf-8", errors="replace"):
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, 15)  # the preview and anything it started
        proc.wait(timeout=30)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Serving on" in output, output[-3000:]
    for line in BANNERS:
        assert line not in output, line


def test_zensical_preview_rebuilds_and_reloads(tmp_path):
    """``generate.py serve --engine zensical`` serves the generator's output and follows a saved brand."""
    project = make_project(tmp_path / "p", brands={"hongxin": brand_text()})
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, str(REPO / "scripts" / "generate.py"), "serve", "--engine", "zensical",
                                 "-a", f"127.0.0.1:{port}"], cwd=project, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}/brands/hongxin/"

    def page() -> str:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 300
        while "红心理财" not in page():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")
            time.sleep(0.5)
        assert "/livereload/" in page(), "open pages reload after a rebuild"
        (project / "brands" / "hongxin" / "index.md").write_text(brand_text(title="红心理财新篇"), encoding="utf-8")
        while "红心理财新篇" not in page():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")
            time.sleep(0.5)
        while log.read_text(encoding="utf-8", errors="replace").count("完成（后处理") < 2:  # the rebuild's post-pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in output, output[-3000:]
