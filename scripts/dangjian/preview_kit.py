"""The one-click local viewer shipped inside the site-preview artifact of CI.

Reviewers download the built site as an archive.  Opened by double-clicking
``index.html`` (``file://``), the browser shows folder listings for directory
links and cannot load the search index.  :func:`write_preview_launchers` adds
``本地预览.bat`` (Windows) and ``本地预览.sh`` (Linux), which run
``serve_preview.py``: Python's ``http.server`` on 127.0.0.1 (standard library
only, first free port from 8765) and the browser opened at the site.  Published
sites do not get these files: CI adds them to the preview artifact only
(``python3 scripts/preview_kit.py site``).
"""

from __future__ import annotations

from pathlib import Path

SERVER_NAME = "serve_preview.py"
WINDOWS_LAUNCHER = "本地预览.bat"
LINUX_LAUNCHER = "本地预览.sh"
FIRST_PORT = 8765

SERVER = '''#!/usr/bin/env python3
"""Serve this folder (the site preview) on 127.0.0.1 and open it in the browser.

Standard library only: started by 本地预览.bat (Windows) or 本地预览.sh (Linux).
"""
import functools
import http.server
import os
import sys
import webbrowser

HERE = os.path.dirname(os.path.abspath(__file__))


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".webp": "image/webp", ".json": "application/json", ".js": "text/javascript",
                      ".svg": "image/svg+xml", ".xml": "application/xml"}

    def log_message(self, *args):
        pass  # a quiet window: only the address and how to stop


def main():
    handler = functools.partial(Handler, directory=HERE)
    server = None
    for port in range({first}, {first} + 40):
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
            break
        except OSError:
            continue
    if server is None:
        print("无法启动预览：端口 {first}-{last} 都被占用。请关闭其它预览窗口后重试。")
        return 1
    url = "http://127.0.0.1:%d/" % server.server_address[1]
    print("网站预览已启动：" + url, flush=True)
    print("请用浏览器打开上面的地址；关闭本窗口（或按 Ctrl+C）即停止预览。", flush=True)
    if "--no-browser" not in sys.argv:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''.replace("{first}", str(FIRST_PORT)).replace("{last}", str(FIRST_PORT + 39))

WINDOWS = "\r\n".join([
    "@echo off",
    "chcp 65001 >nul",
    "rem Site preview: serves this folder on 127.0.0.1 with Python's http.server and opens the browser.",
    'cd /d "%~dp0"',
    "where py >nul 2>nul",
    f"if %errorlevel%==0 (py -3 {SERVER_NAME} %* & goto done)",
    "where python >nul 2>nul",
    f"if %errorlevel%==0 (python {SERVER_NAME} %* & goto done)",
    "echo 没有找到 Python 3：请先安装 Python（https://www.python.org 或单位软件中心），安装时勾选 Add Python to PATH，再双击本文件。",
    ":done",
    "pause",
    "",
])

LINUX = "\n".join([
    "#!/bin/sh",
    "# Site preview: serves this folder on 127.0.0.1 with Python's http.server and opens the browser.",
    'cd "$(dirname "$0")" || exit 1',
    'for python in python3 python; do',
    f'  if command -v "$python" >/dev/null 2>&1; then exec "$python" {SERVER_NAME} "$@"; fi',
    "done",
    'echo "没有找到 Python 3：请先安装（Debian/统信/麒麟：sudo apt install python3），再运行 sh 本地预览.sh。"',
    "exit 1",
    "",
])


def write_preview_launchers(site_dir: Path) -> list[Path]:
    """Add the local viewer to a built site folder; returns the files written."""
    files = {SERVER_NAME: SERVER, WINDOWS_LAUNCHER: WINDOWS, LINUX_LAUNCHER: LINUX}
    written = []
    for name, text in files.items():
        path = site_dir / name
        path.write_bytes(text.encode("utf-8"))
        if name.endswith((".sh", ".py")):
            path.chmod(0o755)
        written.append(path)
    return written
