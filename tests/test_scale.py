"""Scale safeguards checked on a synthetic archive, without a build (fast).

The figures themselves (build seconds, memory, sizes) come from
scripts/bench_scale.py; here only what must hold at any size is asserted.
"""

from __future__ import annotations

import sys

import yaml
from conftest import REPO

from dangjian.loader import load_site
from dangjian.render import STUDY_INDEX_PER_TOPIC, generate_pages
from dangjian.settings import Settings

sys.path.insert(0, str(REPO / "scripts"))
from synth_site import write_project  # noqa: E402


def test_synthetic_archive_loads_cleanly_and_listings_stay_bounded(tmp_path):
    counts = write_project(tmp_path / "p", 120)
    site = load_site(tmp_path / "p", tmp_path / "p" / "docs")
    assert site.problems == [] and len(site.brands) == counts["brands"] == 60 and len(site.studies) == 60
    pages = {p.src_uri: p.markdown for p in generate_pages(site, Settings())}
    study_index = pages["study/index.md"]
    for topic in site.topics:
        listed = sum(study_index.count(f'href="{s.url.removeprefix("study/")}"') for s in site.studies_in(topic))
        assert listed == min(STUDY_INDEX_PER_TOPIC, len(site.studies_in(topic)))
    # Listing pages repeat other pages' text: they stay out of the search index.
    for uri in ("brands/index.md", "study/index.md", "models/index.md", f"study/{site.topics[0].slug}/index.md",
                f"categories/{site.categories[0].slug}.md"):
        meta = yaml.safe_load(pages[uri].split("---\n")[1])
        assert meta["search"] == {"exclude": True}, uri
    assert "search" not in yaml.safe_load(pages[site.brands[0].src_uri].split("---\n")[1])


def test_dirty_build_rebuilds_only_changed_generated_pages(tmp_path):
    from conftest import brand_text, make_project

    project = make_project(tmp_path / "p", brands={"hong-xin": brand_text(), "an-quan": brand_text(title="平安先锋", unit="市公安局")})
    site = project / "site"
    first = run(project, "build")
    assert first.returncode == 0, first.stderr
    pages = {p: p.stat().st_mtime_ns for p in site.rglob("index.html")}
    brand = project / "brands" / "an-quan" / "index.md"
    brand.write_text(brand.read_text(encoding="utf-8").replace("## 品牌内涵\n", "## 品牌内涵\n\n新增的一句话。\n", 1), encoding="utf-8")
    second = run(project, "build", "--dirty")
    assert second.returncode == 0, second.stderr
    rebuilt = {p.relative_to(site).as_posix() for p, t in pages.items() if p.stat().st_mtime_ns != t}
    assert "新增的一句话" in (site / "brands" / "an-quan" / "index.html").read_text(encoding="utf-8")
    assert "brands/an-quan/index.html" in rebuilt
    assert "brands/hong-xin/index.html" not in rebuilt  # unchanged generated page kept
    assert len(rebuilt) < len(pages) / 2, sorted(rebuilt)


def run(project, *args):
    import subprocess

    return subprocess.run([sys.executable, "-m", "mkdocs", *args, "-d", str(project / "site")], cwd=project,
                          capture_output=True, text=True, encoding="utf-8")
