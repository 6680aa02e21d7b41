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
