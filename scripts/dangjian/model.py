"""The content model: registries, brands, model institutions, study materials.

Plain dataclasses built by :mod:`dangjian.loader`; renderers and checks read
them.  URLs are site-relative directory URLs (``brands/<slug>/``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .problems import Problem
from .schema import BrandMeta, ModelMeta, StudyMeta

if TYPE_CHECKING:
    from .content_files import ContentFiles


@dataclass(frozen=True)
class Unit:
    """A registered unit (机关/单位)."""

    name: str
    short: str
    group: str
    slug: str

    @property
    def url(self) -> str:
        """Site-relative URL of the unit's page."""
        return f"units/{self.slug}/"


@dataclass(frozen=True)
class Category:
    """A registered brand category."""

    name: str
    description: str
    slug: str

    @property
    def url(self) -> str:
        """Site-relative URL of the category's page."""
        return f"categories/{self.slug}/"


@dataclass(frozen=True)
class Topic:
    """A study-material topic (one folder of ``docs/study``)."""

    slug: str
    title: str
    description: str = ""
    order: int = 1000

    @property
    def url(self) -> str:
        """Site-relative URL of the topic's listing page."""
        return f"study/{self.slug}/"


@dataclass
class Brand:
    """A published brand bundle ``brands/<slug>/``."""

    slug: str
    rel_path: str
    folder: Path
    meta: BrandMeta
    body: str
    body_line: int
    unit: Unit
    category: Category

    @property
    def url(self) -> str:
        """Site-relative URL of the brand page."""
        return f"brands/{self.slug}/"

    @property
    def src_uri(self) -> str:
        """Path of the (virtual) page in the site's docs tree."""
        return f"brands/{self.slug}/index.md"

    @property
    def date(self) -> dt.date:
        """Publication date."""
        return self.meta.date

    @property
    def year(self) -> int:
        """创建年份, or the publication year when not given."""
        return self.meta.year or self.meta.date.year


@dataclass
class ModelExample:
    """A 模范机关 example page ``docs/models/<slug>.md``."""

    slug: str
    src_uri: str
    meta: ModelMeta
    unit: Unit

    @property
    def url(self) -> str:
        """Site-relative URL of the page."""
        return self.src_uri.removesuffix(".md").removesuffix("index").rstrip("/") + "/"


@dataclass
class StudyItem:
    """A 学习资料 page ``docs/study/<topic>/<slug>.md``."""

    slug: str
    src_uri: str
    meta: StudyMeta
    topic: Topic

    @property
    def url(self) -> str:
        """Site-relative URL of the page."""
        return self.src_uri.removesuffix(".md").removesuffix("index").rstrip("/") + "/"


@dataclass
class Site:
    """Everything loaded from the sources, plus the problems found on the way."""

    units: list[Unit] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    brands: list[Brand] = field(default_factory=list)
    models: list[ModelExample] = field(default_factory=list)
    studies: list[StudyItem] = field(default_factory=list)
    #: docs-relative paths of pages that must not be published (drafts, invalid pages).
    excluded_docs: set[str] = field(default_factory=set)
    #: brand bundle folders that are drafts (never published, not even their photos).
    draft_brands: set[str] = field(default_factory=set)
    #: tag name → URL slug (pinyin, unique), for every tag of a published brand, model or study material.
    tag_slugs: dict[str, str] = field(default_factory=dict)
    #: what may be published from docs/ and brands/ (:func:`dangjian.content_files.scan_content_files`).
    content: ContentFiles | None = None
    problems: list[Problem] = field(default_factory=list)

    def _grouped(self, name: str, items: list, key: Callable) -> dict:
        """``items`` grouped by ``key`` (order kept), rebuilt when the list's length changes.

        Listing pages and every page's facets look things up per page: without
        this index a 4,000-page archive spent seconds in linear scans.
        """
        cache = self.__dict__.setdefault("_groups", {})
        hit = cache.get(name)
        if hit is None or hit[0] != len(items):
            groups: dict = {}
            for item in items:
                groups.setdefault(key(item), []).append(item)
            hit = cache[name] = (len(items), groups)
        return hit[1]

    def brands_of(self, unit: Unit) -> list[Brand]:
        """Published brands of a unit, newest first."""
        return list(self._grouped("brands_of", self.brands, lambda b: b.unit).get(unit, ()))

    def models_of(self, unit: Unit) -> list[ModelExample]:
        """Model-institution examples of a unit, newest first."""
        return list(self._grouped("models_of", self.models, lambda m: m.unit).get(unit, ()))

    def brands_in(self, category: Category) -> list[Brand]:
        """Published brands of a category, newest first."""
        return list(self._grouped("brands_in", self.brands, lambda b: b.category).get(category, ()))

    def groups(self) -> list[str]:
        """系统 names in registry order."""
        return list(dict.fromkeys(u.group for u in self.units))

    def studies_in(self, topic: Topic) -> list[StudyItem]:
        """Study materials of a topic, newest first."""
        return list(self._grouped("studies_in", self.studies, lambda s: s.topic).get(topic, ()))

    def brand_by_uri(self, src_uri: str) -> Brand | None:
        """The published brand whose generated page is ``src_uri``."""
        return next(iter(self._grouped("brand_uri", self.brands, lambda b: b.src_uri).get(src_uri, ())), None)

    def unit_by_uri(self, src_uri: str) -> Unit | None:
        """The unit whose generated page is ``src_uri`` (``units/<slug>.md``)."""
        return next(iter(self._grouped("unit_uri", self.units, lambda u: f"units/{u.slug}.md").get(src_uri, ())), None)

    def study_by_uri(self, src_uri: str) -> StudyItem | None:
        """The study material whose docs-relative path is ``src_uri``."""
        return next(iter(self._grouped("study_uri", self.studies, lambda s: s.src_uri).get(src_uri, ())), None)

    def model_by_uri(self, src_uri: str) -> ModelExample | None:
        """The model-institution example whose docs-relative path is ``src_uri``."""
        return next(iter(self._grouped("model_uri", self.models, lambda m: m.src_uri).get(src_uri, ())), None)
