"""Render the generated pages as Markdown (with small HTML blocks).

Every function takes the loaded :class:`~dangjian.model.Site` and returns
Markdown text; links between generated pages are relative directory URLs so
that the site works under any sub-path.  Output is deterministic.

This module holds no HTML: every HTML block comes from a template in
``dangjian/templates/`` (see :mod:`dangjian.templating`), which escapes each value
for HTML and Markdown unless it is markup another template rendered.  What is
put together here is front matter, Markdown headings (:func:`dangjian.escape.heading`),
fixed sentences with numbers, and those rendered blocks.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import math
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .escape import heading
from .loader import assign_tag_slugs
from .model import Brand, Category, ModelExample, Site, StudyItem, Topic, Unit
from .refs import find_image_refs
from .settings import Settings
from .templating import ENV, macro


@dataclass(frozen=True)
class GeneratedPage:
    """A virtual page: where it lives in the docs tree and its Markdown."""

    src_uri: str
    markdown: str


# ---------------------------------------------------------------- helpers


def page_url(src_uri: str) -> str:
    """Site-relative directory URL of a docs page: ``a/b.md`` → ``a/b/``, ``a/index.md`` → ``a/``."""
    path = src_uri.removesuffix(".md")
    if path == "index" or path.endswith("/index"):
        path = path.removesuffix("index")
    else:
        path += "/"
    return path


@functools.lru_cache(maxsize=65536)
def relurl(target: str, base: str) -> str:
    """URL of ``target`` relative to the page at ``base`` (both site-relative)."""
    if target.startswith(("http://", "https://", "#")):
        return target
    base_dir = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
    rel = posixpath.relpath("/" + target, "/" + base_dir)
    if rel == ".":
        return "./"
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel


def format_date(value: dt.date) -> str:
    """``2026-03-05`` → ``2026年3月5日``."""
    return f"{value.year}年{value.month}月{value.day}日"


#: Listing pages repeat the titles and descriptions of the pages they list; indexing them
#: would double the search index and make every query return the listing before the page.
NOT_INDEXED = {"exclude": True}
#: Listing pages use the whole width: no navigation column (it would hold one link), no table of
#: contents, no “上一页/下一页” footer (the order of the tabs means nothing to a reader).
LISTING_HIDE = ["navigation", "toc", "footer"]
#: The /study/ overview shows the newest titles of each topic (the topic page lists all, with
#: descriptions), so its size does not grow with the archive (14 topics: about 40 KB).
STUDY_INDEX_PER_TOPIC = 5

# Listing pages are split into pages of a fixed number of items, so that no page's HTML grows with
# the archive.  Material's chrome is about 20 KB; a brand card (with its <picture>) is about 1.0 KB
# and, with a 40-character title and a 120-character description, at most about 1.6 KB; a document
# row 0.4–0.9 KB.  So even with such long texts everywhere a full page stays under about 56 KB.
#: Brand cards per page (showcase, category and unit pages).
BRANDS_PER_PAGE = 20
#: Rows per page in lists of documents (模范机关, 学习资料 topics, tag pages).
DOCS_PER_PAGE = 40
#: Model-institution rows per page of a unit's page (shown below up to BRANDS_PER_PAGE cards).
UNIT_MODELS_PER_PAGE = 6
#: Tags per page of the tag index.
TAGS_PER_PAGE = 150
#: Brand names shown per unit on /coverage/ (more are counted and linked to the unit's page).
COVERAGE_NAMES = 3
#: A card's or row's description is cut to this many characters (the page shows it whole).
LIST_DESC_MAX = 120
#: The compact list of every published brand that the showcase filter loads (brands/showcase.json).
SHOWCASE_JSON = "brands/showcase.json"


def front_matter(data: dict) -> str:
    """A YAML front-matter block for a generated page."""
    clean = {k: v for k, v in data.items() if v not in (None, [], "")}
    # JSON is YAML (flow style), and json.dumps is some fifty times faster than yaml.safe_dump.
    return "---\n" + json.dumps(clean, ensure_ascii=False, default=str) + "\n---\n\n"


def clip(text: str, limit: int = LIST_DESC_MAX) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (for cards and list rows)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Every HTML fragment comes from a template in dangjian/templates/ (see dangjian.templating): each
# ``{{ value }}`` there is escaped for HTML and Markdown unless it is ``Markup`` rendered by a template.


def _html(template: str, name: str, *args: object) -> str:
    """What macro ``name`` of ``template`` renders for ``args`` (a compiled, autoescaping template).

    A plain ``str``, not ``Markup``: the pages are put together from it with ``+``, which on
    ``Markup`` would escape the other operand (the front matter, the writer's Markdown body).
    """
    return str(macro(template, name)(*args))


def _link(label: str, target: str, base: str, cls: str = "") -> str:
    return _html("macros.html", "link", label, target, base, cls)


def _paragraph(content: str, cls: str = "") -> str:
    return _html("macros.html", "paragraph", content, cls)


def _empty(message: str) -> str:
    return _html("macros.html", "empty", message)


def _back_link(label: str, target: str, base: str) -> str:
    """A paragraph with a link back to the index of a listing, and its line break."""
    return _html("macros.html", "back_link", label, target, base) + "\n"


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: The tail kept on one line by :func:`keep_last_pair` is at most this long (a longer tail could overflow).
KEEP_TAIL_MAX = 6
#: Names this short fit one line of a card at every width and text size; they are left as they are.
KEEP_MIN_LENGTH = 8


def split_last_pair(text: str) -> tuple[str, str]:
    """``text`` cut before its last two CJK characters, or ``(text, "")`` where nothing needs to be kept together.

    Headings and card titles must not end on a line holding one character (“…创/建”).  ``text-wrap:
    balance`` does this in new browsers; a ``white-space: nowrap`` span (class ``dj-keep``) around the
    tail is the fallback for the intranet's older Chromium, used in cards (which the search index does
    not read: a span there would split the name into two words).  It changes no text, so copying is unaffected.
    """
    positions = [m.start() for m in _CJK.finditer(text)]
    if len(text) <= KEEP_MIN_LENGTH or len(positions) < 3 or len(text) - positions[-2] > KEEP_TAIL_MAX:
        return text, ""
    cut = positions[-2]
    return text[:cut], text[cut:]


def keep_last_pair(text: str) -> str:
    """Escaped ``text`` whose last two CJK characters (and what follows them) never part at a line end."""
    return _html("macros.html", "keep", text)


def emblem_char(brand: Brand) -> str:
    """The character a brand's generated emblem shows: the first Chinese character of its name."""
    found = _CJK.search(brand.meta.title)
    return found.group(0) if found else brand.meta.title[:1]


def placeholder_hue(brand: Brand) -> int:
    """Which of the four emblem colourings a brand without a logo gets (stable; as showcase.json's ``p``)."""
    return sum(map(ord, brand.unit.short)) % 4


def cover_in_body(brand: Brand) -> bool:
    """True when the brand's body shows its cover photo itself (the hero then leaves it out)."""
    cover = brand.meta.cover
    return bool(cover) and any(ref.target.removeprefix("./") == cover for ref in find_image_refs(brand.body))


#: What the templates may call besides their values (registered once, on the shared environment).
ENV.filters.update(rel=relurl, clip=clip, date_zh=format_date)
ENV.globals.update(split_last_pair=split_last_pair, emblem_char=emblem_char, placeholder_hue=placeholder_hue)


# ---------------------------------------------------------------- cards


def brand_cards(brands: list[Brand], base: str, heading: str = "h3", variant: str = "", filtered: bool = False) -> str:
    """A grid of showcase cards, each with the data attributes the filter uses.

    ``variant`` adds ``dj-cards--<variant>`` (e.g. ``featured``); ``filtered`` marks the grid the
    showcase filter drives.  With a cover photo a card shows it; without one it shows a compact emblem
    band (logo or the first character of the name, the slogan, the unit) instead of an empty picture area.
    """
    return _html("cards.html", "cards", brands, base, heading, variant, filtered)


def showcase_order(brands: list[Brand]) -> list[Brand]:
    """Featured first, then newest first (stable)."""
    return sorted(brands, key=lambda b: (not b.meta.featured, -b.date.toordinal(), b.slug))


# ---------------------------------------------------------------- pagination


def paginate(items: list, per_page: int) -> list[list]:
    """``items`` in chunks of ``per_page``; always at least one (possibly empty) chunk."""
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


@dataclass(frozen=True)
class Pager:
    """Page ``number`` of ``count`` of a listing whose first page is ``first_src`` (URL ``listing``).

    Further pages are virtual pages ``<listing>page/<n>.md``, i.e. at ``<listing>page/<n>/``.
    """

    listing: str
    first_src: str
    number: int
    count: int

    def url(self, number: int) -> str:
        """Site-relative URL of page ``number``."""
        return self.listing if number == 1 else f"{self.listing}page/{number}/"

    @property
    def base(self) -> str:
        """Site-relative URL of this page (links on it are made relative to this)."""
        return self.url(self.number)

    @property
    def src_uri(self) -> str:
        """Path of this page in the docs tree."""
        return self.first_src if self.number == 1 else f"{self.listing}page/{self.number}.md"

    def title(self, title: str) -> str:
        """``title`` with “（第 n 页）” on every page but the first."""
        return title if self.number == 1 else f"{title}（第 {self.number} 页）"

    def meta(self, meta: dict) -> dict:
        """Front matter of this page: further pages get the page title and stay out of the search index."""
        meta = dict(meta, title=self.title(meta["title"]))
        meta.setdefault("hide", LISTING_HIDE)
        if self.number > 1:
            meta["search"] = NOT_INDEXED
        if self.count > 1:
            meta["pager"] = {"page": self.number, "pages": self.count}  # read by overrides/sitemap.xml
        return meta

    def numbers(self) -> list[int | None]:
        """Page numbers to link: first, last and two either side of this one; ``None`` is a gap."""
        keep = {1, self.count, *range(self.number - 2, self.number + 3)}
        result: list[int | None] = []
        for n in range(1, self.count + 1):
            if n in keep:
                result.append(n)
            elif result and result[-1] is not None:
                result.append(None)
        return result

    def html(self, label: str = "分页") -> str:
        """The pager (empty when there is one page): 上一页 / 第 x 页，共 n 页 / 下一页 and page numbers."""
        if self.count <= 1:
            return ""
        return _html("pager.html", "pager", self, label)


def pagers(listing: str, first_src: str, count: int) -> Iterator[Pager]:
    """The pagers of a listing of ``count`` pages, first page first."""
    for number in range(1, max(count, 1) + 1):
        yield Pager(listing, first_src, number, max(count, 1))


def page_count(*lists: tuple[list, int]) -> int:
    """Pages needed for several lists shown side by side, each ``(items, per_page)``."""
    return max([1, *(math.ceil(len(items) / per_page) for items, per_page in lists)])


# ---------------------------------------------------------------- tags


def tag_slugs(site: Site) -> dict[str, str]:
    """Tag name → slug: the loader's assignment, or (for a hand-made site) computed here."""
    if site.tag_slugs:
        return site.tag_slugs
    names = [t for items in (site.brands, site.models, site.studies) for x in items for t in x.meta.tags]
    return assign_tag_slugs(names)


def tag_url(name: str, slugs: dict[str, str]) -> str | None:
    """Site-relative URL of a tag's page."""
    slug = slugs.get(name)
    return f"tags/{slug}/" if slug else None


def tag_links(names: list[str], site: Site) -> tuple[list[str], dict[str, str | None]]:
    """A page's tags, each once, and the URL of each one's page (for the ``tag_chips`` macro)."""
    slugs = tag_slugs(site)
    names = list(dict.fromkeys(names))
    return names, {name: tag_url(name, slugs) for name in names}


def tag_chips(names: list[str], base: str, site: Site) -> str:
    """A page's tags as links to the tag pages (empty when it has none)."""
    return _html("macros.html", "tag_chips", *tag_links(names, site), base)


# ---------------------------------------------------------------- brand page


def render_brand_page(brand: Brand, site: Site) -> GeneratedPage:
    """The page of one brand: the name, slogan and facts first, then the cover, honours, body, related brands."""
    m, base = brand.meta, brand.url
    # A cover the body shows itself is not shown twice.
    hero = _html("brand.html", "hero", brand, base, *tag_links(m.tags, site), bool(m.cover) and not cover_in_body(brand))
    honors = "\n" + _html("brand.html", "honors", m.honors) + "\n" if m.honors else ""
    related: list[Brand] = []  # same unit first, then same category; three are shown
    for candidate in itertools.chain(site.brands_of(brand.unit), site.brands_in(brand.category)):
        if candidate is not brand and candidate not in related:
            related.append(candidate)
            if len(related) == 3:
                break
    more = "\n\n" + _html("brand.html", "related", related, base) + "\n" if related else ""
    # Brand pages are not in the navigation: the left column would only repeat the tab.
    meta = {"title": m.title, "description": m.description, "tags": list(m.tags), "hide": ["navigation"]}
    body = brand.body.strip("\n")
    return GeneratedPage(brand.src_uri, front_matter(meta) + hero + "\n" + honors + "\n" + body + "\n" + more)


# ---------------------------------------------------------------- showcase


def render_showcase_pages(site: Site) -> list[GeneratedPage]:
    """``/brands/`` and ``/brands/page/<n>/``: published brands as cards, BRANDS_PER_PAGE a page.

    The filter form (shown by showcase.js) filters over every brand: with several pages it
    loads :data:`SHOWCASE_JSON` (see :mod:`dangjian.showcase`); on a single page it filters the cards.
    """
    brands = showcase_order(site.brands)
    chunks = paginate(brands, BRANDS_PER_PAGE)
    years = sorted({b.year for b in brands}, reverse=True)
    groups = [g for g in site.groups() if any(b.unit.group == g for b in brands)]
    categories = [c.name for c in site.categories if site.brands_in(c)]
    pages = []
    for pager, chunk in zip(pagers("brands/", "brands/index.md", len(chunks)), chunks, strict=True):
        base = pager.base
        json_url = relurl(SHOWCASE_JSON, base) if pager.count > 1 else None
        meta = pager.meta({"title": "品牌展示", "description": "市直机关党建品牌展示：一机关一品牌，一支部一特色。",
                           "search": NOT_INDEXED})
        pages.append(GeneratedPage(pager.src_uri, "".join([
            front_matter(meta), f"# {pager.title('品牌展示')}\n\n",
            _html("showcase.html", "intro", len(brands), len({b.unit for b in brands}), base), "\n\n",
            _html("showcase.html", "filters", len(brands), BRANDS_PER_PAGE, json_url, groups, categories, years), "\n\n",
            _html("showcase.html", "browse", site.categories, base), "\n\n",
            brand_cards(chunk, base, filtered=True), "\n\n",
            _html("showcase.html", "no_match"), "\n\n",
            _html("showcase.html", "more"), "\n\n",
            _pager_block(pager, "品牌展示分页"),
        ])))
    return pages


def _pager_block(pager: Pager, label: str = "分页") -> str:
    html = pager.html(label)
    return html + "\n" if html else ""


# ---------------------------------------------------------------- units and categories


def render_unit_pages(unit: Unit, site: Site) -> list[GeneratedPage]:
    """A unit's page(s): its brands (BRANDS_PER_PAGE a page) and model-institution examples."""
    brands = site.brands_of(unit)
    models = site.models_of(unit)
    count = page_count((brands, BRANDS_PER_PAGE), (models, UNIT_MODELS_PER_PAGE))
    pages = []
    for pager in pagers(unit.url, f"units/{unit.slug}.md", count):
        base, n = pager.base, pager.number
        brand_chunk = brands[(n - 1) * BRANDS_PER_PAGE: n * BRANDS_PER_PAGE]
        model_chunk = models[(n - 1) * UNIT_MODELS_PER_PAGE: n * UNIT_MODELS_PER_PAGE]
        parts = [front_matter(pager.meta({"title": unit.name, "description": f"{unit.name}的党建品牌与模范机关创建情况。"})),
                 heading(1, pager.title(unit.name)),
                 _html("listings.html", "unit_lead", unit, base), "\n\n"]
        if brand_chunk or n == 1:
            parts.append("## 党建品牌" + _range_note(n, BRANDS_PER_PAGE, len(brand_chunk), len(brands), "个") + "\n\n")
            if brand_chunk:
                parts.append(brand_cards(brand_chunk, base) + "\n\n")
            else:
                parts.append(_empty("本单位尚未发布党建品牌。") + "\n\n")
        if model_chunk or n == 1:
            parts.append("## 模范机关创建" + _range_note(n, UNIT_MODELS_PER_PAGE, len(model_chunk), len(models), "篇") + "\n\n")
            if model_chunk:
                parts.append(model_list(model_chunk, base) + "\n\n")
            else:
                parts.append(_empty("暂无模范机关创建案例。") + "\n\n")
        parts.append(_pager_block(pager, f"{unit.short}分页"))
        pages.append(GeneratedPage(pager.src_uri, "".join(parts)))
    return pages


def _range_note(number: int, per_page: int, shown: int, total: int, measure: str) -> str:
    """“（第 25–48 个，共 100 个）” after a section heading when the section spans several pages."""
    if total <= per_page or not shown:
        return ""
    first = (number - 1) * per_page + 1
    return f"（第 {first}–{first + shown - 1} {measure}，共 {total} {measure}）"


def render_units_index(site: Site) -> GeneratedPage:
    """``/units/``: all registered units by 系统, with their brand counts."""
    base = "units/"
    meta = {"title": "参建单位", "description": "市直机关各单位党建品牌一览。", "hide": LISTING_HIDE}
    parts = [front_matter(meta), "# 参建单位\n\n"]
    counts = {unit: len(site.brands_of(unit)) for unit in site.units}
    for group in site.groups():
        units = [u for u in site.units if u.group == group]
        parts += [heading(2, group), _html("listings.html", "unit_list", units, counts, base), "\n\n"]
    return GeneratedPage("units/index.md", "".join(parts))


def render_category_pages(category: Category, site: Site) -> list[GeneratedPage]:
    """A category's page(s): its description and brands, BRANDS_PER_PAGE a page."""
    brands = showcase_order(site.brands_in(category))
    chunks = paginate(brands, BRANDS_PER_PAGE)
    pages = []
    for pager, chunk in zip(pagers(category.url, f"categories/{category.slug}.md", len(chunks)), chunks, strict=True):
        base = pager.base
        meta = pager.meta({"title": category.name, "description": category.description, "search": NOT_INDEXED})
        count = _paragraph(f"本类别共 {len(brands)} 个品牌。", "dj-muted") + "\n\n" if pager.count > 1 else ""
        text = (front_matter(meta)
                + heading(1, pager.title(category.name)) + _paragraph(category.description, "dj-lead") + "\n\n" + count
                + brand_cards(chunk, base) + "\n\n"
                + _pager_block(pager, f"{category.name}分页") + "\n"
                + _back_link("← 全部品牌类别", "categories/", base))
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


def render_categories_index(site: Site) -> GeneratedPage:
    """``/categories/``: every category with its count."""
    counts = {c: len(site.brands_in(c)) for c in site.categories}
    text = (front_matter({"title": "品牌类别", "description": "党建品牌按类别浏览。", "hide": LISTING_HIDE})
            + "# 品牌类别\n\n" + _html("listings.html", "category_list", site.categories, counts, "categories/") + "\n")
    return GeneratedPage("categories/index.md", text)


# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class GroupCoverage:
    """Coverage of one 系统: which units have a published brand."""

    group: str
    covered: list[Unit]
    missing: list[Unit]

    @property
    def total(self) -> int:
        """Number of registered units."""
        return len(self.covered) + len(self.missing)

    @property
    def share(self) -> float:
        """Covered share in percent (0–100, not rounded)."""
        return 100 * len(self.covered) / self.total if self.total else 0.0

    @property
    def percent(self) -> str:
        """Covered share as shown to readers: ``66.7%``, ``100%``."""
        return format_percent(len(self.covered), self.total)


def format_percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent to one decimal, without a trailing ``.0``: 2/3 → ``66.7%``, 3/3 → ``100%``."""
    if not whole:
        return "0%"
    return f"{round(100 * part / whole, 1):g}%"


def compute_coverage(site: Site) -> list[GroupCoverage]:
    """Per 系统, the units with and without a published brand (registry order)."""
    with_brand = {b.unit for b in site.brands}
    result = []
    for group in site.groups():
        units = [u for u in site.units if u.group == group]
        result.append(GroupCoverage(group, [u for u in units if u in with_brand], [u for u in units if u not in with_brand]))
    return result


def render_coverage(site: Site) -> GeneratedPage:
    """``/coverage/``: 一机关一品牌创建进度 — who is still missing first, then counts and names per 系统."""
    base = "coverage/"
    coverage = compute_coverage(site)
    covered = sum(len(c.covered) for c in coverage)
    total = sum(c.total for c in coverage)
    parts = [
        front_matter({"title": "一机关一品牌创建进度", "description": "各系统市直机关党建品牌创建覆盖情况。",
                      "hide": LISTING_HIDE}),
        "# 一机关一品牌创建进度\n\n",
        _html("coverage.html", "lead", covered, total, format_percent(covered, total)), "\n\n",
        _html("coverage.html", "missing", coverage, total - covered, base), "\n\n",
        _html("coverage.html", "table", coverage), "\n\n",
    ]
    for c in coverage:
        parts += [heading(2, c.group), _html("coverage.html", "group_summary", c), "\n\n",
                  _html("coverage.html", "group_list", c, site.brands_of, COVERAGE_NAMES, base), "\n\n"]
    return GeneratedPage("coverage.md", "".join(parts))


# ---------------------------------------------------------------- models and study


def model_list(models: list[ModelExample], base: str) -> str:
    """A list of model-institution examples."""
    return _html("documents.html", "model_list", models, base)


def render_models_pages(site: Site, settings: Settings) -> list[GeneratedPage]:
    """``/models/`` (and ``/models/page/<n>/``): model-institution examples, newest first."""
    listing = f"{settings.models_dir}/"
    chunks = paginate(site.models, DOCS_PER_PAGE)
    pages = []
    for pager, chunk in zip(pagers(listing, f"{settings.models_dir}/index.md", len(chunks)), chunks, strict=True):
        body = model_list(chunk, pager.base) if chunk else _empty("暂无模范机关案例。")
        meta = pager.meta({"title": "模范机关", "description": "市直机关模范机关创建典型案例。", "search": NOT_INDEXED})
        text = (front_matter(meta) + f"# {pager.title('模范机关')}\n\n"
                + f"模范机关创建典型案例 {len(site.models)} 篇，按发布时间从新到旧排列。\n\n" + body + "\n\n"
                + _pager_block(pager, "模范机关分页"))
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


def study_list(items: list[StudyItem], base: str) -> str:
    """A list of study materials with 发文机关、文号 and date."""
    return _html("documents.html", "study_list", items, base)


def render_study_index(site: Site, settings: Settings) -> GeneratedPage:
    """``/study/``: every topic as a panel with its newest titles (the topic page lists all, with descriptions).

    The overview shows titles and dates only, STUDY_INDEX_PER_TOPIC a topic, so that even fourteen
    topics of 40-character titles stay far under 60 KB.
    """
    base = f"{settings.study_dir}/"
    topics = [(topic, items) for topic in site.topics if (items := site.studies_in(topic))]
    text = (front_matter({"title": "学习资料", "description": "市直机关党建学习资料：政策文件、理论学习与党课讲稿。",
                          "search": NOT_INDEXED, "hide": LISTING_HIDE})
            + "# 学习资料\n\n"
            + _paragraph(f"共 {len(site.studies)} 篇学习资料，按栏目分类、从新到旧排列，"
                         f"每个栏目显示最新 {STUDY_INDEX_PER_TOPIC} 篇。", "dj-lead") + "\n\n"
            + _html("listings.html", "study_topics", topics, STUDY_INDEX_PER_TOPIC, base) + "\n")
    return GeneratedPage(f"{settings.study_dir}/index.md", text)


def render_topic_pages(topic: Topic, site: Site, settings: Settings) -> list[GeneratedPage]:
    """``/study/<topic>/`` (and ``page/<n>/``): the topic's materials, newest first, DOCS_PER_PAGE a page."""
    items = site.studies_in(topic)
    chunks = paginate(items, DOCS_PER_PAGE)
    pages = []
    for pager, chunk in zip(pagers(topic.url, f"{settings.study_dir}/{topic.slug}/index.md", len(chunks)), chunks, strict=True):
        base = pager.base
        meta = pager.meta({"title": topic.title, "description": topic.description or f"学习资料：{topic.title}",
                           "search": NOT_INDEXED})
        count = _paragraph(f"本栏目共 {len(items)} 篇，从新到旧排列。", "dj-muted") + "\n\n" if pager.count > 1 else ""
        text = (front_matter(meta) + heading(1, pager.title(topic.title))
                + (_paragraph(topic.description, "dj-lead") + "\n\n" if topic.description else "") + count
                + (study_list(chunk, base) if chunk else _empty("本栏目暂无资料。")) + "\n\n"
                + _pager_block(pager, f"{topic.title}分页") + "\n"
                + _back_link("← 全部学习资料", f"{settings.study_dir}/", base))
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


def render_model_header(model: ModelExample, site: Site | None = None) -> str:
    """The tags and facts box put above a model-institution page's body."""
    chips = tag_chips(model.meta.tags, model.url, site) if site is not None else ""
    return (chips + "\n\n" if chips else "") + _html("documents.html", "model_facts", model) + "\n\n"


def render_study_header(item: StudyItem, site: Site | None = None) -> str:
    """The tags and facts box put above a study material's body."""
    chips = tag_chips(item.meta.tags, item.url, site) if site is not None else ""
    return (chips + "\n\n" if chips else "") + _html("documents.html", "study_facts", item) + "\n\n"


def render_attachments(item: StudyItem) -> str:
    """The attachment list put below a study material's body."""
    if not item.meta.attachments:
        return ""
    return "\n\n" + _html("documents.html", "attachments", item.meta.attachments) + "\n"


# ---------------------------------------------------------------- tag pages


@dataclass(frozen=True)
class TaggedItem:
    """One page listed on a tag's page."""

    kind: str  # 品牌 / 模范机关 / 学习资料
    title: str
    url: str
    meta: str
    description: str
    date: dt.date


@dataclass(frozen=True)
class Tag:
    """A tag with its slug and the published pages that carry it, newest first."""

    name: str
    slug: str
    items: tuple[TaggedItem, ...]

    @property
    def url(self) -> str:
        """Site-relative URL of the tag's page."""
        return f"tags/{self.slug}/"


TAGS_INDEX = "tags.md"
KIND_NAMES = {"品牌": "党建品牌", "模范机关": "模范机关案例", "学习资料": "学习资料"}


def collect_tags(site: Site) -> list[Tag]:
    """Every tag of a published brand, model example or study material; most used first, then by name."""
    found: dict[str, list[TaggedItem]] = {}

    def add(names: list[str], item: TaggedItem) -> None:
        for name in dict.fromkeys(names):
            found.setdefault(name, []).append(item)

    for b in site.brands:
        add(b.meta.tags, TaggedItem("品牌", b.meta.title, b.url, f"{b.unit.short} · {b.category.name} · {b.year}年",
                                    b.meta.description, b.date))
    for m in site.models:
        level = f" · {m.meta.level}" if m.meta.level else ""
        add(m.meta.tags, TaggedItem("模范机关", m.meta.title, m.url, f"{m.unit.short}{level} · {m.meta.year}年",
                                    m.meta.description, m.meta.date))
    for s in site.studies:
        source = f" · {s.meta.issuer}" if s.meta.issuer else ""
        add(s.meta.tags, TaggedItem("学习资料", s.meta.title, s.url, f"{s.topic.title}{source} · {format_date(s.meta.date)}",
                                    s.meta.description, s.meta.date))
    slugs = tag_slugs(site)
    slugs = slugs if all(name in slugs for name in found) else assign_tag_slugs(list(found))
    tags = [Tag(name, slugs[name], tuple(sorted(items, key=lambda i: (-i.date.toordinal(), i.url))))
            for name, items in found.items()]
    return sorted(tags, key=lambda t: (-len(t.items), t.name))


def tagged_list(items: tuple[TaggedItem, ...] | list[TaggedItem], base: str) -> str:
    """Rows of tagged pages: kind, title, facts, description."""
    return _html("documents.html", "tagged_list", items, base)


def render_tags_index_pages(tags: list[Tag]) -> list[GeneratedPage]:
    """``/tags/``: every tag with how many pages carry it, most used first (TAGS_PER_PAGE a page)."""
    chunks = paginate(tags, TAGS_PER_PAGE)
    total = sum(len(t.items) for t in tags)
    pages = []
    for pager, chunk in zip(pagers("tags/", TAGS_INDEX, len(chunks)), chunks, strict=True):
        meta = pager.meta({"title": "标签", "description": "按标签浏览全部品牌、模范机关案例与学习资料。", "search": NOT_INDEXED})
        if chunk:
            body = _html("listings.html", "tag_cloud", chunk, pager.base)
        else:
            body = _empty("暂无标签。在品牌、模范机关案例或学习资料的 tags 字段中填写标签后，这里会列出。")
        text = (front_matter(meta) + f"# {pager.title('标签')}\n\n"
                + f"按标签浏览党建品牌、模范机关案例与学习资料：共 {len(tags)} 个标签，标注 {total} 次，"
                  "按使用次数从多到少排列，数字为带有该标签的品牌、案例和资料数。\n\n"
                + body + "\n\n" + _pager_block(pager, "标签分页"))
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


def render_tag_pages(tag: Tag) -> list[GeneratedPage]:
    """``/tags/<slug>/`` (and ``page/<n>/``): the pages carrying one tag, newest first, DOCS_PER_PAGE a page."""
    chunks = paginate(list(tag.items), DOCS_PER_PAGE)
    kinds = {k: sum(1 for i in tag.items if i.kind == k) for k in ("品牌", "模范机关", "学习资料")}
    counts = "、".join(f"{KIND_NAMES[k]} {n} {'个' if k == '品牌' else '篇'}" for k, n in kinds.items() if n)
    pages = []
    for pager, chunk in zip(pagers(tag.url, f"tags/{tag.slug}.md", len(chunks)), chunks, strict=True):
        base = pager.base
        meta = pager.meta({"title": f"标签：{tag.name}", "description": f"带有“{tag.name}”标签的品牌、模范机关案例与学习资料。",
                           "search": NOT_INDEXED})
        text = (front_matter(meta) + heading(1, pager.title(f"标签：{tag.name}"))
                + _paragraph(f"共 {len(tag.items)} 项（{counts}），从新到旧排列。", "dj-lead") + "\n\n"
                + tagged_list(chunk, base) + "\n\n" + _pager_block(pager, f"标签“{tag.name}”分页") + "\n"
                + _back_link("← 全部标签", "tags/", base))
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


# ---------------------------------------------------------------- markers in writers' pages

MARKER = re.compile(r"<!--\s*dangjian:(?P<name>[a-z-]+)\s*-->")


def expand_markers(markdown: str, src_uri: str, site: Site, settings: Settings) -> str:
    """Replace ``<!-- dangjian:NAME -->`` markers in a writer's page with generated HTML.

    Known markers: ``featured``, ``latest-brands``, ``latest-study``, ``entries``, ``stats``.
    Unknown markers are left as they are (HTML comments render as nothing).
    """
    base = page_url(src_uri)

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name == "featured":
            featured = [b for b in site.brands if b.meta.featured][: settings.home_featured_count]
            return brand_cards(featured, base, variant="featured")
        if name == "latest-brands":
            return brand_cards(site.brands[: settings.home_latest_count], base)
        if name == "latest-study":
            return study_list(site.studies[: settings.home_latest_count], base)
        if name == "entries":
            return render_entries(site, base)
        if name == "stats":
            coverage = compute_coverage(site)
            covered = sum(len(c.covered) for c in coverage)
            total = sum(c.total for c in coverage)
            stats = [(len(site.brands), "党建品牌"), (f"{covered}/{total}", "单位已创建"),
                     (len(site.models), "模范机关案例"), (len(site.studies), "学习资料")]
            return _html("home.html", "stats", stats)
        return match.group(0)

    return MARKER.sub(replace, markdown)


def render_entries(site: Site, base: str) -> str:
    """Entry tiles to the four main sections."""
    tiles = [
        ("品牌展示", "brands/", f"{len(site.brands)} 个党建品牌，可按系统、类别、年份筛选"),
        ("模范机关", "models/", f"{len(site.models)} 个模范机关创建案例"),
        ("学习资料", "study/", f"{len(site.studies)} 篇政策文件、理论文章与党课讲稿"),
        ("创建进度", "coverage/", "各系统一机关一品牌覆盖情况"),
    ]
    return _html("home.html", "entries", tiles, base)


# ---------------------------------------------------------------- everything


def generate_pages(site: Site, settings: Settings) -> list[GeneratedPage]:
    """Every virtual page of the site, in a stable order."""
    pages = [render_brand_page(b, site) for b in site.brands]
    pages += render_showcase_pages(site)
    for unit in site.units:
        pages += render_unit_pages(unit, site)
    pages.append(render_units_index(site))
    for category in site.categories:
        pages += render_category_pages(category, site)
    pages.append(render_categories_index(site))
    pages.append(render_coverage(site))
    pages += render_models_pages(site, settings)
    pages.append(render_study_index(site, settings))
    for topic in site.topics:
        pages += render_topic_pages(topic, site, settings)
    tags = collect_tags(site)
    pages += render_tags_index_pages(tags)
    for tag in tags:
        pages += render_tag_pages(tag)
    return pages
