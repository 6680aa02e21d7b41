"""Page weight and axe-core results of the home page, a brand page and a study page.

Builds the sample site (or takes a built one), serves it on 127.0.0.1 under
``/dangjian/`` and opens each page in a fresh Chromium profile (empty cache),
summing the bytes that crossed the network for the first view, as Chromium's
DevTools reports them (``encodedDataLength``; Python's test server sends no
gzip, so a gzip-compressing intranet server sends less: that figure is printed
too).  Then runs the vendored axe-core (WCAG 2.1 A/AA, 2.2 AA target size, best practices).

    .venv/bin/python benchmarks/bench_pages.py            # builds into a temp dir
    .venv/bin/python benchmarks/bench_pages.py --site site
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "scripts"), str(REPO / "tests")]

from browser_support import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

from dangjian.loader import load_site  # noqa: E402

AXE = REPO / "tests" / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
VIEWPORTS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def measure(browser, url: str, viewport: dict, site: Path, prefix: str) -> dict:
    """First-view bytes, request count and axe violations of one page."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", service_workers="block")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    transferred = sum(sizes.values())
    # What the same files weigh gzip-compressed (a typical intranet nginx setting).
    gz = 0
    for request_id in sizes:
        path = urlparse(urls.get(request_id, "")).path.removeprefix(prefix).lstrip("/")
        file = site / path
        if file.is_dir() or path == "":
            file = file / "index.html"
        if file.is_file():
            data = file.read_bytes()
            gz += len(gzip.compress(data, 6)) if file.suffix in (".html", ".css", ".js", ".json", ".svg", ".xml") else len(data)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    impacts = Counter(v["impact"] for v in result["violations"])
    context.close()
    largest = sorted(((n, urlparse(urls.get(r, "")).path.removeprefix(prefix)) for r, n in sizes.items()), reverse=True)[:4]
    return {"bytes": transferred, "gzip": gz, "requests": len(sizes), "impacts": impacts, "largest": largest,
            "ids": sorted(f"{v['id']}({v['impact']})" for v in result["violations"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site folder (default: build the sample site)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=REPO, check=True,
                           capture_output=True)
        content = load_site(REPO, REPO / "docs")
        brand = next((b for b in content.brands if b.meta.cover), content.brands[0])
        pages = {"首页": "", f"品牌页 {brand.url}": brand.url, f"学习资料 {content.studies[0].url}": content.studies[0].url}
        prefix = "/dangjian/"
        with serve(site.resolve(), prefix="dangjian/") as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            print(f"{'页面':<44}{'视口':>6}{'请求数':>8}{'传输字节':>12}{'gzip 后':>12}  axe 严重/关键/中等/轻微")
            for name, url in pages.items():
                for vp_name, viewport in VIEWPORTS.items():
                    m = measure(browser, base + url, viewport, site, prefix)
                    i = m["impacts"]
                    print(f"{name:<44}{vp_name:>6}{m['requests']:>8}{m['bytes']:>12,}{m['gzip']:>12,}  "
                          f"{i['serious']}/{i['critical']}/{i['moderate']}/{i['minor']}  {' '.join(m['ids'])}")
                    if vp_name == "1280":
                        print("      最大的文件：" + "，".join(f"{path or 'index.html'} {n:,}" for n, path in m["largest"]))
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
