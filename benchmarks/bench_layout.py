"""Page heights of the sample site in Chromium: the figures of the reader design pass (issue #15).

    python benchmarks/bench_layout.py [SITE_DIR]

Builds the repository's sample site (or measures an already built SITE_DIR) and
prints, for the home page, the showcase, a brand page without photos and the
coverage page, the full page height and the main column's width at 1280 and
390 px in the standard, 特大 and 特大 + 高对比 modes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

PAGES = {"home": "", "showcase": "brands/", "brand-no-photo": "brands/an-ju-xian-feng/", "coverage": "coverage/"}
MODES = {"standard": {}, "xlarge": {"size": "xlarge"}, "xlarge-contrast": {"size": "xlarge", "contrast": "high"}}
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def measure(site: Path) -> list[tuple[str, str, str, int, int]]:
    """(page, width, mode, page height px, main column width px) for every page, width and mode."""
    import json

    from browser_support import RequestLog, browser, new_page, serve

    rows = []
    with serve(site) as base, browser() as chromium:
        for width_name, viewport in WIDTHS.items():
            for mode_name, state in MODES.items():
                page = new_page(chromium, viewport, RequestLog())
                page.add_init_script(f"localStorage.setItem('dangjian.a11y', {json.dumps(json.dumps(state))})")
                for name, url in PAGES.items():
                    page.goto(base + url)
                    height = page.evaluate("document.documentElement.scrollHeight")
                    main = page.evaluate("Math.round(document.querySelector('.md-content').getBoundingClientRect().width)")
                    rows.append((name, width_name, mode_name, height, main))
                page.context.close()
    return rows


def main(argv: list[str]) -> int:
    if argv:
        site = Path(argv[0])
    else:
        site = Path(tempfile.mkdtemp()) / "site"
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=REPO, check=True)
    print(f"{'page':<16}{'width':<9}{'mode':<17}{'height px':>10}{'main px':>9}")
    for name, width, mode, height, main_width in measure(site):
        print(f"{name:<16}{width:<9}{mode:<17}{height:>10}{main_width:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
