"""What the site's own search index knows of each page (MkDocs-free).

The post-pass calls :func:`page_facets` and :func:`annotate` for every built page:
content pages (brands, models, study materials, units; guides only with the
``search_guides`` setting) get their facets (栏目, 系统, 类别, 年份, 专题, 单位), the
names that rank first and the fields that rank next, and their article is marked
(:data:`INDEXED`) for :mod:`.search_index`.  Drafts never reach the index: they are
not built.  (Comparing this index with Pagefind and Material's search is measuring
tooling: ``tests/search_compare.py``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Site

SECTION_BRAND = "品牌"
SECTION_MODEL = "模范机关"
SECTION_STUDY = "学习资料"
SECTION_UNIT = "参建单位"
SECTION_GUIDE = "使用指南"
GUIDE_PREFIX = "guide/"  # writers' and readers' guides (docs/guide/): searchable only with ``search_guides``

#: The attribute that marks a page's article for the index (pages without it stay out).
INDEXED = "data-dj-indexed"


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
    """Mark the page's article for the index; pages without facets stay out of it."""
    if facets is None:
        return page_html
    return _ARTICLE.sub(f'<article class="md-content__inner md-typeset" {INDEXED}>', page_html, count=1)
