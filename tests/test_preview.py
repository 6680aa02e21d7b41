"""Fast preview: a `--dirty` rebuild (what `./dev.sh serve` runs) shows every effect of an edit.

MkDocs' dirty build rebuilds a page only when its own source is newer than its
HTML.  Pages the build writes or completes (brand pages, listings, the home
page's latest brands, a model page's facts box) must still follow the files
they are made from, and pages nothing touched must be left alone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import brand_text, doc_text, make_project, run_build

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _indexed(base: str, url: str, title: str) -> bool:
    """True when the site's search index holds ``url`` with ``title`` (and only once)."""
    import json
    try:
        pages = json.loads(_fetch(base + "search/dj/meta.json") or "{}").get("pages", 0)
        heads = [json.loads(_fetch(f"{base}search/dj/d/{pid}.json") or "{}") for pid in range(pages)]
    except ValueError:
        return False
    return [h.get("t") for h in heads if h.get("u") == url] == [title]


@pytest.mark.parametrize("polling", [False, True], ids=["native-notifications", "DJ_PREVIEW_POLLING"])
def test_serve_shows_a_saved_brand_once_rebuilt(tmp_path, polling):
    project = make_project(tmp_path / "p", brands={"hongxin": brand_text()})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("watch: []", "watch: [brands]"), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "DJ_PREVIEW_POLLING": "1" if polling else ""}
    log_path = tmp_path / "serve.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                                cwd=project, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/brands/hongxin/"
    try:
        deadline = time.monotonic() + 120
        while "红心理财" not in _fetch(url):
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
            time.sleep(0.2)
        (project / "brands" / "hongxin" / "index.md").write_text(brand_text(title="红心理财新篇"), encoding="utf-8")
        deadline = time.monotonic() + 60
        while "红心理财新篇" not in _fetch(url):
            assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
            time.sleep(0.1)
        # The search index follows the edit too (the edited page replaces its old record).
        while not _indexed(f"http://127.0.0.1:{port}/", "brands/hongxin/", "红心理财新篇"):
            assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
            time.sleep(0.2)
        time.sleep(2.5)  # long enough for a rebuild the build's own file reads would trigger
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    text = log_path.read_text(encoding="utf-8")
    assert "Traceback" not in text
    assert text.count("Documentation built in") == 2, text  # the first build and one for the save, no echo rebuilds
    assert ("每 0.5 秒检查一次文件改动" in text) == polling
    assert ("预览使用系统的文件改动通知" in text) == (not polling)
