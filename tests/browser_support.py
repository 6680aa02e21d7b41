"""Serving a built site on 127.0.0.1 and driving Debian's Chromium with Playwright.

Every request the browser makes is recorded so tests can prove that no page
reaches outside its own origin (the intranet has no internet).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


@contextmanager
def serve(directory: Path, prefix: str = ""):
    """Serve ``directory`` on 127.0.0.1 (a free port); yield the base URL."""
    root = directory
    if prefix:
        # Serve the site under a sub-path, e.g. http://127.0.0.1:PORT/dangjian/
        root = directory.parent / f"{directory.name}-mount"
        target = root / prefix.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(directory, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{prefix.strip('/') + '/' if prefix else ''}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class RequestLog:
    """Every URL the browser requested, and console errors."""

    urls: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def outside(self, origin: str) -> list[str]:
        """Requests that did not go to ``origin`` (data: and blob: URLs are local)."""
        return [u for u in self.urls if not u.startswith(origin) and not u.startswith(("data:", "blob:", "about:"))]


@contextmanager
def browser():
    """A headless Debian Chromium driven by Playwright."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("找不到 Debian chromium（/usr/bin/chromium）；请用 ./dev.sh test 运行测试，它会自动安装。")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def new_page(instance, viewport: dict, log: RequestLog):
    """A fresh page (own context) whose requests and console errors go to ``log``."""
    context = instance.new_context(viewport=viewport, locale="zh-CN", service_workers="block")
    page = context.new_page()
    page.on("request", lambda request: log.urls.append(request.url))
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: log.console_errors.append(str(exc)))
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
