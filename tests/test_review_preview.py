"""The CI site-preview artifact: a one-click local viewer inside it, and a notice when opened from disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest
from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot
from conftest import REPO, brand_text, make_project, run_build


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("artifact") / "p", brands={"hong-xin": brand_text()})
    built = run_build(root, strict=True)
    assert built.returncode == 0, built.output
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "preview_kit.py"), str(built.site)],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return built.site


def test_the_artifact_ships_launchers_for_windows_and_linux(artifact):
    bat = (artifact / "本地预览.bat").read_bytes()
    assert b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")  # cmd.exe wants CRLF
    text = bat.decode("utf-8")
    assert "chcp 65001" in text and "py -3 serve_preview.py" in text and "python serve_preview.py" in text
    sh = (artifact / "本地预览.sh")
    assert os.access(sh, os.X_OK) and sh.read_text(encoding="utf-8").startswith("#!/bin/sh")
    # not part of a published build
    published = run_build(artifact.parent, strict=True, site_dir=artifact.parent / "published")
    assert not (published.site / "本地预览.bat").exists() and not (published.site / "serve_preview.py").exists()


def test_the_linux_launcher_serves_the_folder_on_127_0_0_1(artifact):
    proc = subprocess.Popen(["sh", str(artifact / "本地预览.sh"), "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", start_new_session=True)
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("网站预览已启动：http://127.0.0.1:"), first + proc.stderr.read() if proc.poll() else first
        url = first.removeprefix("网站预览已启动：")
        with urllib.request.urlopen(url + "brands/hong-xin/", timeout=10) as response:  # a directory URL, not a listing
            assert "红心理财" in response.read().decode("utf-8")
        with urllib.request.urlopen(url + "search/dj/pages.json", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("application/json")
            json.loads(response.read())
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_opened_from_disk_the_page_says_how_to_view_it(artifact):
    log = RequestLog()
    with browser() as instance:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = new_page(instance, viewport, log)
            page.goto((artifact / "index.html").as_uri())
            notice = page.locator("#dj-file-notice")
            notice.wait_for(state="visible", timeout=10000)
            assert "您是直接打开的网页文件，搜索和部分链接无法正常使用。" in notice.inner_text()
            assert "本地预览.bat" in notice.inner_text()
            screenshot(page, f"file-notice-{name}")
            if name == "desktop":
                page.fill("#dj-search-input", "红心")
                status = page.locator("[data-dj-search] [role=status], [data-dj-search] .dj-search__status").first
                page.wait_for_function("() => document.querySelector('[data-dj-search]').getAttribute('data-state') === 'error'",
                                       timeout=10000)
                assert "直接打开网页文件时无法搜索" in page.locator("[data-dj-search]").inner_text()
                assert "搜索暂时不可用" not in page.locator("[data-dj-search]").inner_text()
                del status
            page.context.close()
        # served over http the notice never shows
        from browser_support import serve

        with serve(artifact) as base:
            page = new_page(instance, DESKTOP, log)
            page.goto(base)
            page.wait_for_load_state("load")
            assert page.locator("#dj-file-notice").count() == 0
            page.context.close()
