"""What sanitising the article of every page costs, and that it changes nothing on clean content.

Builds the sample site (or takes a built one), then runs :func:`dangjian.sanitize.sanitize_page`
over every HTML page as the build's ``on_post_page`` does, and prints pages, total and
per-page time, the slowest page, and how many pages changed beyond serialisation details
(there should be none: the build already sanitised them, and the allow-list keeps everything
the site's own pages use).

    .venv/bin/python benchmarks/bench_sanitize.py              # builds the sample into a temp dir
    .venv/bin/python benchmarks/bench_sanitize.py --site site  # an already built site
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from dangjian.sanitize import sanitize_page  # noqa: E402


class _Tokens(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.append(f"<{tag} {sorted((k, (v or '').replace(' ', '').rstrip(';')) for k, v in attrs)}>")

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if data.split():
            self.out.append(" ".join(data.split()))


def _tokens(html: str) -> list[str]:
    parser = _Tokens()
    parser.feed(html)
    return [t for t in parser.out if not t.startswith(("</img", "</source", "</br", "</path", "</rect", "</wbr"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the sample site)")
    args = parser.parse_args()
    site = args.site
    if site is None:
        site = Path(tempfile.mkdtemp(prefix="bench-sanitize-")) / "site"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=REPO, check=True,
                       capture_output=True)
        print(f"sample build: {time.perf_counter() - start:.1f} s")
    pages = sorted(site.rglob("*.html"))
    times, changed = [], []
    for path in pages:
        html = path.read_text(encoding="utf-8")
        start = time.perf_counter()
        clean = sanitize_page(html)
        times.append((time.perf_counter() - start) * 1000)
        if _tokens(clean) != _tokens(html):
            changed.append(path.relative_to(site).as_posix())
    slowest = max(range(len(pages)), key=times.__getitem__)
    print(f"pages: {len(pages)}, total {sum(times):.1f} ms, mean {statistics.mean(times):.2f} ms, "
          f"median {statistics.median(times):.2f} ms, max {times[slowest]:.2f} ms ({pages[slowest].relative_to(site)})")
    print(f"pages changed beyond serialisation: {len(changed)}" + (f" {changed[:10]}" if changed else ""))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
