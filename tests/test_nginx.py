"""deploy/nginx.conf with the real nginx: it loads, serves a built site, and its headers hold in Chromium.

The sample server block is placed in a minimal main configuration under a
temporary prefix (pid, logs and temp folders there, a free port on 127.0.0.1,
run as the current user), then:

* ``nginx -t`` accepts it;
* nginx serves a copy of the sample site published like a release (precompressed,
  behind a ``current`` symlink), and every page kind is opened in Chromium: the
  security headers are present and the Content-Security-Policy reports no violation;
* an inline script and an inline event handler injected into a page are blocked,
  a ``.js`` file outside the assets folder and a symlink inside the release are not served.

``./dev.sh test`` installs Debian's nginx; run directly without it, these tests are skipped.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import REPO

from dangjian.publish import precompress

NGINX_CONF = REPO / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
                    "permissions-policy", "cross-origin-opener-policy")

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx 未安装：请用 ./dev.sh test 运行（会自动安装 Debian nginx）")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def adapted_config(prefix: Path, root: Path, port: int) -> Path:
    """The sample server block inside a main configuration that lives entirely under ``prefix``."""
    server = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in (("listen 80;", f"listen 127.0.0.1:{port};"),
                     ("root /srv/dangjian/releases/current;", f"root {root};")):
        assert old in server, f"deploy/nginx.conf no longer contains “{old}”"
        server = server.replace(old, new)
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.getuid() == 0 else ""  # workers as this user
    temp = "\n".join(f"    {name}_temp_path {prefix / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = prefix / "nginx.conf"
    conf.write_text(f"""{user}worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "access.log"};
{temp}
{server}
}}
""", encoding="utf-8")
    return conf


@contextmanager
def running_nginx(prefix: Path, conf: Path, port: int):
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off; master_process on;"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("nginx did not start: " + proc.stderr.read().decode(errors="replace")
                                         + (prefix / "error.log").read_text(errors="replace")) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def served(sample_site, tmp_path_factory):
    """nginx serving a release-like copy of the sample site; yields (base URL, release folder)."""
    base = tmp_path_factory.mktemp("nginx")
    prefix = base / "prefix"
    prefix.mkdir()
    release = base / "releases" / "20260101T000000Z"
    shutil.copytree(sample_site.site, release)
    # Hostile additions to the served copy (what an escaping slip or a writer's file would be).
    probe = release / "csp-probe"
    probe.mkdir()
    (probe / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>probe</title></head><body>"
        "<script>window.__inline = 1</script>"
        "<img src='data:,' onerror='window.__handler = 1' alt=''>"
        "<script src='/brands/evil.js'></script>"
        "<a id='js' href='javascript:window.__href = 1'>x</a>"
        "</body></html>", encoding="utf-8")
    (release / "brands" / "evil.js").write_text("window.__file = 1", encoding="utf-8")
    (release / "passwd.txt").symlink_to("/etc/passwd")
    precompress(release)
    (release.parent / "current").symlink_to(release.name)
    port = free_port()
    conf = adapted_config(prefix, release.parent / "current", port)
    test = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    with running_nginx(prefix, conf, port) as url:
        yield url, release


def test_sample_config_passes_nginx_t(tmp_path):
    conf = adapted_config(tmp_path, tmp_path / "site", free_port())
    proc = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert proc.returncode == 0 and "syntax is ok" in proc.stderr, proc.stderr


def fetch(url: str, gzip: bool = False):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_headers_cache_and_refusals_over_http(served):
    url, release = served
    csp = re.search(r'Content-Security-Policy "([^"]*)"', NGINX_CONF.read_text(encoding="utf-8")).group(1)
    bundle = next((release / "assets" / "javascripts").glob("bundle.*.min.js")).name
    cases = {"": 200, "brands/": 200, "assets/javascripts/showcase.js": 200, f"assets/javascripts/{bundle}": 200,
             "assets/stylesheets/dangjian.css": 200, "no-such-page/": 404,
             "brands/evil.js": 404, "passwd.txt": (403, 404)}  # a symlink: refused (try_files sees no file)
    for path, status in cases.items():
        code, headers, body = fetch(url + path)
        assert code in (status if isinstance(status, tuple) else (status,)), (path, code)
        for name in SECURITY_HEADERS:  # on every response, errors included
            assert name in headers, (path, name)
        assert headers["content-security-policy"] == csp
        assert b"root:x:0:0" not in body and b"window.__file" not in body
    assert "max-age=31536000" in fetch(url + f"assets/javascripts/{bundle}")[1]["cache-control"]
    assert "max-age=300" in fetch(url)[1]["cache-control"]
    code, headers, _ = fetch(url + "index.html", gzip=True)
    assert headers.get("content-encoding") == "gzip"  # gzip_static serves the precompressed file


PAGE_KINDS = ["", "brands/", "brands/?group=经济系统", "coverage/", "tags/", "stats/", "study/", "models/", "units/", "404.html"]


def page_urls(site: Path) -> list[str]:
    """One page of every kind the site has: listings plus a brand, unit, category, tag, topic, study and model page."""
    urls = list(PAGE_KINDS)
    for folder in ("brands", "units", "categories", "tags", "study", "models"):
        pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in (site / folder).glob("*/index.html")
                       if p.parent.name != "page")
        urls += pages[:1]
    topic = next(p for p in sorted((site / "study").glob("*/*/index.html")))
    urls.append(topic.parent.relative_to(site).as_posix() + "/")
    return urls


@pytest.mark.browser
def test_every_page_kind_has_no_csp_violation_and_injected_script_is_blocked(served):
    from browser_support import DESKTOP, RequestLog, browser, new_page, screenshot

    url, release = served
    log = RequestLog()
    seen: dict[str, list[str]] = {}
    with browser() as chromium:
        page = new_page(chromium, DESKTOP, log)
        page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                             " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in page_urls(release):
            response = page.goto(url + path)
            assert response.status in (200, 404), path
            for name in SECURITY_HEADERS:
                assert name in response.headers, (path, name)
            page.wait_for_load_state("networkidle")
            seen[path] = page.evaluate("window.__csp")
        # Search results, under the policy too (the site's own index: script, fetches, shards).
        page.goto(url)
        page.evaluate("document.querySelector('[data-dj-search]').removeAttribute('data-state')")
        page.fill("#dj-search-input", "党建")
        page.wait_for_selector("[data-dj-search][data-state=done]", timeout=15000)
        assert page.locator("[data-dj-search] .dj-search__item a").count() > 0, "no search results shown"
        seen["search"] = page.evaluate("window.__csp")
        screenshot(page, "nginx-search-desktop")
        # The probe page: every injected script is blocked and reported.
        page.goto(url + "csp-probe/")
        page.wait_for_load_state("networkidle")
        page.click("#js")
        page.wait_for_timeout(300)
        ran = page.evaluate("[window.__inline, window.__handler, window.__file, window.__href]")
        probe = page.evaluate("window.__csp")
    assert {path: v for path, v in seen.items() if v} == {}, "CSP violations on pages"
    assert len(seen) >= 16
    assert ran == [None, None, None, None]
    assert any(v.startswith("script-src-elem inline") for v in probe), probe
    assert any(v.startswith("script-src-attr inline") for v in probe), probe
    assert dialogs == []
