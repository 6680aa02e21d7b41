"""Safe publishing (scripts/publish.py) and the sample nginx configuration.

Real builds of a small project into releases/: the symlink swap, keeping the
last N releases, rollback, a failing build and a build killed with SIGKILL
midway (both leave the published site untouched).  The Content-Security-Policy
of deploy/nginx.conf is served with the sample site to real Chromium, which
must report no violation.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import REPO, brand_text, make_project

from dangjian.publish import compute_csp, current_release, list_releases, script_hashes

PUBLISH = [sys.executable, str(REPO / "scripts" / "publish.py")]
NGINX = REPO / "deploy" / "nginx.conf"


def run_publish(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(PUBLISH + list(args), capture_output=True, text=True, encoding="utf-8", timeout=600)


def tree_digest(folder: Path) -> str:
    """A digest of every file's path and content under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A small project published twice with --keep 2, then a third time (prunes the first)."""
    root = tmp_path_factory.mktemp("publish")
    project = make_project(root / "project", brands={"hong-xin": brand_text()})
    releases = root / "releases"
    outputs = []
    for n in range(3):
        if n == 2:  # an nginx.conf whose CSP lacks the inline-script hashes: publish warns
            (project / "deploy").mkdir()
            (project / "deploy" / "nginx.conf").write_text(
                'add_header Content-Security-Policy "default-src \'self\'; script-src \'self\'" always;\n', encoding="utf-8")
        proc = run_publish("--project", str(project), "--releases", str(releases), "--keep", "2")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outputs.append(proc.stdout)
    return project, releases, outputs


def test_publish_swaps_current_keeps_last_n_and_precompresses(published):
    project, releases, outputs = published
    names = [p.name for p in list_releases(releases)]
    assert len(names) == 2
    assert os.readlink(releases / "current") == names[-1]  # relative link to the newest
    assert (releases / "current" / "brands" / "hong-xin" / "index.html").is_file()
    assert "已删除旧版本" in outputs[2] and "已发布" in outputs[0]
    assert "注意" not in outputs[0] and "Content-Security-Policy 缺少" in outputs[2] and "--csp" in outputs[2]
    gz = releases / "current" / "index.html.gz"
    assert gz.is_file() and gz.stat().st_size < (releases / "current" / "index.html").stat().st_size
    assert not list(releases.glob("*.partial")) and not list(releases.glob(".current*"))
    # The project's sources are untouched: nothing written into docs/ or brands/.
    assert not (project / "site").exists()


def test_rollback_and_roll_forward(published):
    _, releases, _ = published
    older, newer = list_releases(releases)
    proc = run_publish("--releases", str(releases), "--rollback")
    assert proc.returncode == 0, proc.stderr
    assert f"由 {newer.name} 切换到 {older.name}" in proc.stdout
    assert current_release(releases) == older.resolve()
    proc = run_publish("--releases", str(releases), "--rollback")
    assert proc.returncode == 1 and "没有可回滚的上一版本" in proc.stderr
    proc = run_publish("--releases", str(releases), "--rollback", "20000101T000000Z")
    assert proc.returncode == 1 and "找不到版本" in proc.stderr and newer.name in proc.stderr
    proc = run_publish("--releases", str(releases), "--rollback", newer.name)
    assert proc.returncode == 0 and current_release(releases) == newer.resolve()


def test_failed_build_leaves_published_site_untouched(published, tmp_path):
    _, releases, _ = published
    before_link, before = os.readlink(releases / "current"), tree_digest(releases / "current")
    broken = make_project(tmp_path / "broken", brands={"hong-xin": brand_text(unit="不存在的单位")})
    proc = run_publish("--project", str(broken), "--releases", str(releases), "--keep", "2")
    assert proc.returncode == 1
    assert "构建失败" in proc.stderr and "正在发布的网站没有任何改动" in proc.stderr
    assert "不存在的单位" in proc.stderr and "Traceback" not in proc.stderr
    assert os.readlink(releases / "current") == before_link
    assert tree_digest(releases / "current") == before
    assert not list(releases.glob("*.partial"))


def test_killed_build_leaves_published_site_untouched(published, tmp_path):
    project, releases, _ = published
    before_link, before = os.readlink(releases / "current"), tree_digest(releases / "current")
    # Enough pages that the build is still writing when it is killed.
    big = make_project(tmp_path / "big", brands={f"b-{i}": brand_text(title=f"品牌{i}") for i in range(150)})
    proc = subprocess.Popen(PUBLISH + ["--project", str(big), "--releases", str(releases), "--keep", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        # Wait until the build has started writing the new release, then kill it and its children.
        while time.monotonic() < deadline:
            partial = next(releases.glob("*.partial"), None)
            if partial is not None and (partial / "brands").is_dir():
                break
            assert proc.poll() is None, "the build finished before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the build never started writing")
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert list(releases.glob("*.partial")), "the killed build left no partial folder (was it killed midway?)"
    assert list(releases.glob(".*.partial.dj-post-*")), "the post-pass keeps its pages beside the partial folder"
    assert os.readlink(releases / "current") == before_link
    assert tree_digest(releases / "current") == before
    assert len(list_releases(releases)) == 2
    # The next publish cleans up the half-written folder.
    proc = run_publish("--project", str(project), "--releases", str(releases), "--keep", "2")
    assert proc.returncode == 0 and "清理上次未完成的构建" in proc.stdout
    assert not list(releases.glob("*.partial")) and not list(releases.glob(".*.dj-*"))


def test_publish_without_releases_explains(tmp_path):
    proc = run_publish("--releases", str(tmp_path / "none"), "--rollback")
    assert proc.returncode == 1 and "还没有已发布的版本" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_publish("--project", str(tmp_path))
    assert proc.returncode == 2 and "没有 mkdocs.yml" in proc.stderr


# ---------------------------------------------------------------- nginx + CSP


def nginx_header(name: str) -> str:
    match = re.search(rf'add_header {re.escape(name)} "([^"]*)" always;', NGINX.read_text(encoding="utf-8"))
    assert match, f"{name} is missing from deploy/nginx.conf"
    return match.group(1)


def test_nginx_sample_declares_cache_gzip_and_headers():
    text = NGINX.read_text(encoding="utf-8")
    assert "gzip_static on;" in text and "root /srv/dangjian/releases/current;" in text
    # Quoted: nginx reads an unquoted { as the start of the block (tests/test_nginx.py runs nginx -t).
    assert re.search(r'location ~\* "\^/assets/javascripts/\.\+\\\.\[0-9a-f\]\{8,\}\\\.min\\\.js\$" \{\s*expires 1y;', text)
    assert re.search(r'location ~\* "\\\.m\?js\$" \{\s*return 404;', text)  # no script outside the assets folder
    assert re.search(r"location / \{\s*expires 5m;", text)
    for header in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        nginx_header(header)
    assert "'unsafe-inline'" not in nginx_header("Content-Security-Policy").split("script-src")[1].split(";")[0]


def test_nginx_csp_covers_every_inline_script(sample_site):
    csp = nginx_header("Content-Security-Policy")
    missing = [h for h in script_hashes(sample_site.site) if h not in csp]
    assert not missing, ("deploy/nginx.conf 的 Content-Security-Policy 缺少内联脚本的哈希；"
                         f"请用 python scripts/publish.py --csp <网站目录> 重新生成：{missing}")
    # The sample also lists Zensical's inline-script hashes (switching engines needs no nginx change).
    strip = lambda policy: re.sub(r" 'sha256-[^']+'", "", policy)  # noqa: E731
    assert strip(csp) == strip(compute_csp(sample_site.site))


class _CSPHandler(http.server.SimpleHTTPRequestHandler):
    csp = ""

    def end_headers(self):
        self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002
        pass


@contextmanager
def serve_with_csp(directory: Path, csp: str):
    handler = type("Handler", (_CSPHandler,), {"csp": csp})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_site_passes_nginx_csp_in_chromium(sample_site):
    from browser_support import DESKTOP, RequestLog, browser, new_page, screenshot

    csp = nginx_header("Content-Security-Policy")
    log = RequestLog()
    with serve_with_csp(sample_site.site, csp) as base, browser() as chromium:
        page = new_page(chromium, DESKTOP, log)
        page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                             " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));")
        violations = []
        for path in ["", "brands/", "coverage/", "study/", "stats/"]:
            response = page.goto(base + path)
            assert response.status == 200 and response.headers["content-security-policy"] == csp
            page.wait_for_load_state("networkidle")
            violations += page.evaluate("window.__csp")
        # Search (its script, worker and index) must run under the policy too.
        page.evaluate("() => document.getElementById('__search')?.click()")
        box = page.locator("input.md-search__input, input[type=search]").first
        box.focus()
        page.keyboard.type("党建", delay=50)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
        violations += page.evaluate("window.__csp")
        screenshot(page, "publish-csp-desktop")
    assert violations == []
    assert any("search" in u or "pagefind" in u for u in log.urls), "the search did not load"
    assert [e for e in log.console_errors if "Content Security Policy" in e] == []
    assert log.console_errors == []
