"""Comparison tooling (tests and benchmarks/bench_search.py): the same built site searched by Pagefind.

Measuring, not product: the site's own index (dangjian.search_index) is what readers use.
Pagefind indexes built HTML marked with its own attributes; :func:`mark_for_pagefind` adds
them to a copy of a built site from the same facets the site's index uses (栏目, 系统, 类别,
年份, 专题, 单位; titles and brand/unit names ranked first), and :func:`build_index` runs the
Pagefind binary of the ``pagefind_bin_extended`` wheel (requirements-dev.txt) over it.
Material's search (lunr + jieba) is the other comparison: :func:`jieba_user_dict` gives its
segmenter the same domain words.
"""

from __future__ import annotations

import html
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from dangjian.generate import load_config, plan_site
from dangjian.postpass import page_title
from dangjian.render import page_url
from dangjian.search import INDEXED, page_facets
from dangjian.settings import Settings

INDEX_DIR = "pagefind"
FIX_INSTALL = "运行 ./dev.sh test（会按 requirements-dev.txt 安装 pagefind[extended]）。"

DOMAIN_TERMS = ["三会一课", "四强党支部", "第一议题", "一机关一品牌", "一支部一特色", "主题党日", "模范机关",
                "党员先锋岗", "先锋杯", "党建品牌", "党建业务融合", "为民办实事", "青年理论学习", "廉洁文化",
                "清廉机关", "组织生活会", "民主评议党员", "支部书记", "党小组", "学习强国"]


def mark_for_pagefind(site_dir: Path, project: Path) -> int:
    """Mark every indexed page of the built ``site_dir`` (made from ``project``) for Pagefind; returns the count."""
    config, problems = load_config(project / "mkdocs.yml")
    assert config is not None, problems
    settings = Settings.from_mapping(config.settings_mapping)[0]
    plan = plan_site(config, settings)
    marked = 0
    for uri in plan.page_uris():
        path = site_dir / page_url(uri) / "index.html"
        if not path.is_file():
            continue
        page = path.read_text(encoding="utf-8")
        facets = page_facets(plan.site, uri, page_title(page, config.site_name), settings.search_guides)
        if facets is None or INDEXED not in page:
            continue
        esc = lambda s: html.escape(s, quote=True)  # noqa: E731
        marks = [f'<span data-pagefind-meta="栏目" hidden>{esc(facets.section)}</span>',
                 f'<span data-pagefind-meta="title" hidden>{esc(facets.title)}</span>']
        for name, values in facets.filters.items():
            marks += [f'<span data-pagefind-filter="{esc(name)}" hidden>{esc(v)}</span>' for v in values]
        names = " ".join(dict.fromkeys(n for n in facets.names if n))
        if names:  # indexed with a high weight, invisible
            marks.append(f'<p data-pagefind-weight="8" hidden>{esc(names)}</p>')
        page = page.replace(INDEXED, "data-pagefind-body", 1)
        page = re.sub(r"(<article [^>]*data-pagefind-body[^>]*>)", lambda m: m.group(1) + "".join(marks), page, count=1)
        path.write_text(page, encoding="utf-8")
        marked += 1
    return marked


def find_indexer() -> Path | None:
    """The Pagefind binary shipped in the ``pagefind_bin_extended`` wheel, if installed."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-not-found]
        return Path(get_executable())
    except Exception:  # not installed, or no binary for this platform
        return None


@dataclass
class IndexResult:
    """Outcome of one Pagefind run."""

    error: str | None
    seconds: float = 0.0
    pages: int = 0
    bytes: int = 0
    files: int = 0


def build_index(site_dir: Path, indexer: Path | None = None) -> IndexResult:
    """Run Pagefind over a site marked by :func:`mark_for_pagefind`."""
    indexer = indexer or find_indexer()
    if indexer is None or not Path(indexer).exists():
        return IndexResult("未安装 Pagefind（扩展版）。" + FIX_INSTALL)
    started = time.perf_counter()
    proc = subprocess.run([str(indexer), "--site", str(site_dir), "--output-subdir", INDEX_DIR],
                          capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        return IndexResult("Pagefind 失败：" + " / ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:]), seconds)
    match = re.search(r"Indexed (\d+) page", proc.stdout)
    sizes = [p.stat().st_size for p in (site_dir / INDEX_DIR).rglob("*") if p.is_file()]
    return IndexResult(None, seconds, int(match.group(1)) if match else 0, sum(sizes), len(sizes))


def domain_dictionary(site) -> list[str]:
    """Words a segmenter must keep whole: the domain terms plus every unit, brand and category name."""
    words = list(DOMAIN_TERMS)
    for unit in site.units:
        words += [unit.name, unit.short]
    words += [c.name for c in site.categories]
    for brand in site.brands:
        words += [part for part in re.split(r"[·・\s]+", brand.meta.title) if part] + [brand.meta.title]
    return [w for w in dict.fromkeys(words) if len(w) > 1]


def jieba_user_dict(site) -> str:
    """The domain dictionary in jieba's user-dictionary format (word, frequency, tag)."""
    return "".join(f"{w} 100000 n\n" for w in domain_dictionary(site) if " " not in w)
