"""Site search with Pagefind (extended build, which segments Chinese).

MkDocs-free: the adapter calls :func:`page_facets` + :func:`annotate` for every
built page and :func:`build_index` once after the build.  Pages are marked with
Pagefind's data attributes (``data-pagefind-body``, ``-filter``, ``-meta``,
``-weight``) so that only content pages are indexed, facets (栏目, 系统, 类别,
年份) come from the content model, and titles and brand/unit names rank first.

Drafts never reach the index: they are not built, and Pagefind indexes only
the built HTML.
"""

from __future__ import annotations

import html
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .model import Site
from .problems import Problem, Severity

SECTION_BRAND = "品牌"
SECTION_MODEL = "模范机关"
SECTION_STUDY = "学习资料"
SECTION_UNIT = "参建单位"
SECTION_GUIDE = "使用指南"
GUIDE_PREFIX = "guide/"  # writers' and readers' guides (docs/guide/): searchable only with ``search_guides``

INDEX_DIR = "pagefind"

FIX_INSTALL = ("在项目目录运行 ./dev.sh test（会按 requirements.txt 和 requirements-dev.txt 安装），"
               "或运行 .venv/bin/pip install --require-hashes -r requirements-dev.txt 安装 pagefind[extended]；"
               "临时不要站内搜索时，可在 mkdocs.yml 的 plugins 中恢复 search 插件。")


@dataclass
class PageFacets:
    """What the index knows about one page besides its text."""

    section: str
    title: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)   # brand/unit names, boosted
    fields: list[str] = field(default_factory=list)  # structured fields (文号, 发文机关, 类别), boosted below names
    spell: list[str] = field(default_factory=list)   # further names searchable by pinyin (title and names always are)


def page_facets(site: Site, src_uri: str, title: str | None = None, guides: bool = False) -> PageFacets | None:
    """Facets of the page built from ``src_uri``; ``None`` for pages kept out of the index.

    The writers' guides are indexed only with ``guides`` (setting ``search_guides``): they
    quote the sample content and would crowd readers' results (ranked last when indexed).
    """
    brand = site.brand_by_uri(src_uri)
    if brand is not None:
            names = [brand.meta.title, brand.unit.name, brand.unit.short]
            if brand.meta.branch:
                names.append(brand.meta.branch)
            return PageFacets(SECTION_BRAND, brand.meta.title, {
                "栏目": [SECTION_BRAND], "系统": [brand.unit.group], "类别": [brand.category.name],
                "年份": [str(brand.year)], "单位": [brand.unit.short]}, names,
                [brand.category.name, *brand.meta.tags], [brand.category.name])
    model = site.model_by_uri(src_uri)
    if model is not None:
        return PageFacets(SECTION_MODEL, model.meta.title, {
            "栏目": [SECTION_MODEL], "系统": [model.unit.group], "年份": [str(model.meta.year)],
            "单位": [model.unit.short]}, [model.unit.name, model.unit.short], list(model.meta.tags))
    study = site.study_by_uri(src_uri)
    if study is not None:
        return PageFacets(SECTION_STUDY, study.meta.title, {
            "栏目": [SECTION_STUDY], "专题": [study.topic.title], "年份": [str(study.meta.date.year)]},
            [], [study.meta.doc_no or "", study.meta.issuer or "", *study.meta.tags], [study.meta.issuer or ""])
    unit = site.unit_by_uri(src_uri)
    if unit is not None:
            return PageFacets(SECTION_UNIT, unit.name, {"栏目": [SECTION_UNIT], "系统": [unit.group]},
                              [unit.name, unit.short])
    if guides and src_uri.startswith(GUIDE_PREFIX) and title:
        return PageFacets(SECTION_GUIDE, title, {"栏目": [SECTION_GUIDE]}, [])
    return None


_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">')


def annotate(page_html: str, facets: PageFacets | None) -> str:
    """Mark the page's article for Pagefind; pages without facets stay out of the index."""
    if facets is None:
        return page_html
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    marks = [f'<span data-pagefind-meta="栏目" hidden>{esc(facets.section)}</span>',
             f'<span data-pagefind-meta="title" hidden>{esc(facets.title)}</span>']
    for name, values in facets.filters.items():
        marks += [f'<span data-pagefind-filter="{esc(name)}" hidden>{esc(v)}</span>' for v in values]
    if facets.names:
        # Names are indexed (not hidden from Pagefind) with a high weight, invisible to readers.
        names = " ".join(dict.fromkeys(n for n in facets.names if n))
        marks.append(f'<p class="dj-search-names" data-pagefind-weight="8" hidden>{esc(names)}</p>')
    return _ARTICLE.sub(lambda m: '<article class="md-content__inner md-typeset" data-pagefind-body>'
                        + "".join(marks), page_html, count=1)


def find_indexer() -> Path | None:
    """The Pagefind binary shipped in the ``pagefind_bin_extended`` wheel, if installed."""
    try:
        from pagefind_bin_extended import get_executable  # type: ignore[import-not-found]
        return Path(get_executable())
    except Exception:  # not installed, or no binary for this platform
        return None


@dataclass
class IndexResult:
    """Outcome of one index build."""

    problems: list[Problem]
    seconds: float = 0.0
    pages: int = 0
    bytes: int = 0
    files: int = 0


def build_index(site_dir: Path, indexer: Path | None = None) -> IndexResult:
    """Run Pagefind over the built site; every failure is a Chinese problem, not a traceback."""
    indexer = indexer or find_indexer()
    if indexer is None or not Path(indexer).exists():
        return IndexResult([Problem("mkdocs.yml", "未安装站内搜索的索引工具 Pagefind（扩展版，支持中文分词），本次构建的网站没有搜索功能。",
                                    FIX_INSTALL, field="plugins", severity=Severity.ERROR)])
    started = time.perf_counter()
    try:
        proc = subprocess.run([str(indexer), "--site", str(site_dir), "--output-subdir", INDEX_DIR],
                              capture_output=True, text=True, timeout=1800)
    except OSError as exc:
        return IndexResult([Problem("mkdocs.yml", f"无法运行搜索索引工具 Pagefind：{exc}", FIX_INSTALL,
                                    field="plugins", severity=Severity.ERROR)])
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return IndexResult([Problem("mkdocs.yml", "生成站内搜索索引失败：" + " / ".join(detail), FIX_INSTALL,
                                    field="plugins", severity=Severity.ERROR)], seconds)
    match = re.search(r"Indexed (\d+) page", proc.stdout)
    out = site_dir / INDEX_DIR
    sizes = [p.stat().st_size for p in out.rglob("*") if p.is_file()]
    return IndexResult([], seconds, int(match.group(1)) if match else 0, sum(sizes), len(sizes))


DOMAIN_TERMS = ["三会一课", "四强党支部", "第一议题", "一机关一品牌", "一支部一特色", "主题党日", "模范机关",
                "党员先锋岗", "先锋杯", "党建品牌", "党建业务融合", "为民办实事", "青年理论学习", "廉洁文化",
                "清廉机关", "组织生活会", "民主评议党员", "支部书记", "党小组", "学习强国"]


def domain_dictionary(site: Site) -> list[str]:
    """Words a segmenter must keep whole: the domain terms plus every unit, brand and category name."""
    words = list(DOMAIN_TERMS)
    for unit in site.units:
        words += [unit.name, unit.short]
    words += [c.name for c in site.categories]
    for brand in site.brands:
        words += [part for part in re.split(r"[·・\s]+", brand.meta.title) if part] + [brand.meta.title]
    return [w for w in dict.fromkeys(words) if len(w) > 1]


def jieba_user_dict(site: Site) -> str:
    """The domain dictionary in jieba's user-dictionary format (word, frequency, tag)."""
    return "".join(f"{w} 100000 n\n" for w in domain_dictionary(site) if " " not in w)
