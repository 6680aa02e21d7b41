"""Render the generated pages as Markdown (with small HTML blocks).

Every function takes the loaded :class:`~dangjian.model.Site` and returns
Markdown text; links between generated pages are relative directory URLs so
that the site works under any sub-path.  Output is deterministic.
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

from markupsafe import Markup

from .escape import Html, heading
from .escape import text as escape_text
from .loader import assign_tag_slugs
from .model import Brand, Category, ModelExample, Site, StudyItem, Topic, Unit
from .refs import find_image_refs
from .settings import Settings


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


#: Every value that reaches a generated page goes through this (HTML- and Markdown-inert, see dangjian.escape).
_e = escape_text


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


# Fragments that carry writers' values are ``Html`` templates: ``format`` escapes every argument
# (see dangjian.escape) unless it is ``Markup`` the code built itself, such as a class name constant.


def _link(text: str, target: str, base: str, cls: str = "") -> Html:
    if cls:
        return Html('<a class="{}" href="{}">{}</a>').format(Markup(cls), relurl(target, base), text)
    return Html('<a href="{}">{}</a>').format(relurl(target, base), text)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: The tail kept on one line by :func:`keep_last_pair` is at most this long (a longer tail could overflow).
KEEP_TAIL_MAX = 6
#: Names this short fit one line of a card at every width and text size; they are left as they are.
KEEP_MIN_LENGTH = 8


def keep_last_pair(text: str) -> str:
    """Escaped ``text`` whose last two CJK characters (and what follows them) never part at a line end.

    Headings and card titles must not end on a line holding one character (“…创/建”).  ``text-wrap:
    balance`` does this in new browsers; this ``white-space: nowrap`` span (class ``dj-keep``) is the
    fallback for the intranet's older Chromium, used in cards (which the search index does not read: a
    span there would split the name into two words).  It changes no text, so copying is unaffected.
    """
    positions = [m.start() for m in _CJK.finditer(text)]
    if len(text) <= KEEP_MIN_LENGTH or len(positions) < 3 or len(text) - positions[-2] > KEEP_TAIL_MAX:
        return Markup(_e(text))
    cut = positions[-2]
    return Markup(f'{_e(text[:cut])}<span class="dj-keep">{_e(text[cut:])}</span>')


def emblem_char(brand: Brand) -> str:
    """The character a brand's generated emblem shows: the first Chinese character of its name."""
    found = _CJK.search(brand.meta.title)
    return found.group(0) if found else brand.meta.title[:1]


def placeholder_hue(brand: Brand) -> int:
    """Which of the four emblem colourings a brand without a logo gets (stable; as showcase.json's ``p``)."""
    return sum(map(ord, brand.unit.short)) % 4


def logo_html(brand: Brand, base: str, cls: str = "dj-logo", alt: str | None = None) -> str:
    """The brand's logo, or a generated round emblem with the first character of its name.

    ``alt`` overrides the logo's text alternative (``""`` where the name is written next to it).
    """
    if brand.meta.logo:
        src = relurl(brand.url + brand.meta.logo, base)
        text = f"{brand.meta.title}标识" if alt is None else alt
        return f'<img class="{cls}" src="{_e(src)}" alt="{_e(text)}">'
    return (f'<span class="{cls} dj-placeholder dj-placeholder--{placeholder_hue(brand)}" aria-hidden="true">'
            f'<span>{_e(emblem_char(brand))}</span></span>')


def cover_html(brand: Brand, base: str) -> str:
    """A card's cover photo (the caller shows an emblem band when the brand has none)."""
    src = relurl(brand.url + brand.meta.cover, base)
    return f'<img class="dj-card__cover" src="{_e(src)}" alt="{_e(brand.meta.title)}">'


def cover_in_body(brand: Brand) -> bool:
    """True when the brand's body shows its cover photo itself (the hero then leaves it out)."""
    cover = brand.meta.cover
    return bool(cover) and any(ref.target.removeprefix("./") == cover for ref in find_image_refs(brand.body))


# ---------------------------------------------------------------- cards


def brand_card(brand: Brand, base: str, heading: str = "h3") -> str:
    """One showcase card (a list item) with the data attributes the filter uses.

    With a cover photo the card shows it; without one it shows a compact emblem band (logo or the
    first character of the name, the slogan, the unit) instead of an empty picture area.
    """
    m = brand.meta
    featured = ' data-featured="true"' if m.featured else ""
    badge = '<span class="dj-card__badge">选树典型</span>' if m.featured else ""
    if m.cover:
        kind, media = "photo", cover_html(brand, base)
    else:
        slogan = f'<span class="dj-card__slogan">{_e(m.slogan)}</span>' if m.slogan else ""
        kind = "emblem"
        media = (logo_html(brand, base, "dj-logo dj-card__emblem", alt="")
                 + f'<span class="dj-card__band">{slogan}<span class="dj-card__unit">{_e(brand.unit.name)}</span></span>')
    return (
        f'<li class="dj-card dj-card--{kind}" data-group="{_e(brand.unit.group)}" data-category="{_e(brand.category.name)}" '
        f'data-year="{brand.year}" data-unit="{_e(brand.unit.name)}"{featured}>'
        f'<a class="dj-card__link" href="{_e(relurl(brand.url, base))}">'
        f'<span class="dj-card__media">{media}{badge}</span><span class="dj-card__body">'
        f'<{heading} class="dj-card__title">{keep_last_pair(m.title)}</{heading}>'
        f'<span class="dj-card__meta">{_e(brand.unit.short)} · {_e(brand.category.name)} · {brand.year}年</span>'
        f'<span class="dj-card__desc">{_e(clip(m.description))}</span>'
        "</span></a></li>"
    )


def brand_cards(brands: list[Brand], base: str, heading: str = "h3", variant: str = "") -> str:
    """A grid of brand cards (``variant`` adds ``dj-cards--<variant>``, e.g. ``featured``)."""
    if not brands:
        return '<p class="dj-empty">暂无品牌。</p>'
    cls = f"dj-cards dj-cards--{variant}" if variant else "dj-cards"
    return f'<ul class="{cls}">' + "".join(brand_card(b, base, heading) for b in brands) + "</ul>"


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
        base = self.base
        parts = [f'<nav class="dj-pager" aria-label="{_e(label)}" data-dj-pager>']
        if self.number > 1:
            parts.append(f'<a class="dj-pager__step dj-pager__prev" href="{_e(relurl(self.url(self.number - 1), base))}" '
                         'rel="prev">← 上一页</a>')
        parts.append(f'<span class="dj-pager__status">第 {self.number} 页，共 {self.count} 页</span>')
        if self.number < self.count:
            parts.append(f'<a class="dj-pager__step dj-pager__next" href="{_e(relurl(self.url(self.number + 1), base))}" '
                         'rel="next">下一页 →</a>')
        items = []
        for n in self.numbers():
            if n is None:
                items.append('<li class="dj-pager__gap" aria-hidden="true">…</li>')
            elif n == self.number:
                items.append(f'<li><a class="dj-pager__num" href="./" aria-current="page" aria-label="第 {n} 页">{n}</a></li>')
            else:
                items.append(f'<li><a class="dj-pager__num" href="{_e(relurl(self.url(n), base))}" aria-label="第 {n} 页">{n}</a></li>')
        parts.append('<ol class="dj-pager__pages">' + "".join(items) + "</ol></nav>")
        return "".join(parts)


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


def tag_chips(names: list[str], base: str, site: Site) -> str:
    """A page's tags as links to the tag pages (empty when it has none)."""
    if not names:
        return ""
    slugs = tag_slugs(site)
    chips = []
    for name in dict.fromkeys(names):
        url = tag_url(name, slugs)
        chips.append(_link(name, url, base, "dj-tag") if url else Html('<span class="dj-tag">{}</span>').format(name))
    return str(Html('<nav class="dj-tags" aria-label="标签">{}</nav>').format(Html("").join(chips)))


# ---------------------------------------------------------------- brand page


def render_brand_page(brand: Brand, site: Site) -> GeneratedPage:
    """The page of one brand: the name, slogan and facts first, then the cover, honours, body, related brands."""
    m, base = brand.meta, brand.url
    facts = [("所属单位", _link(brand.unit.name, brand.unit.url, base))]
    if m.branch:
        facts.append(("党支部", _e(m.branch)))
    facts.append(("品牌类别", _link(brand.category.name, brand.category.url, base)))
    facts.append(("所属系统", _e(brand.unit.group)))
    if m.year:
        facts.append(("创建年份", f"{m.year}年"))
    facts.append(("发布日期", f'<time datetime="{m.date.isoformat()}">{format_date(m.date)}</time>'))
    facts_html = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    badge = '<p class="dj-hero__badge">★ 选树典型</p>' if m.featured else ""
    slogan = f'<p class="dj-hero__slogan">{_e(m.slogan)}</p>' if m.slogan else ""
    unit = _e(brand.unit.name) + (f" · {_e(m.branch)}" if m.branch else "")
    cover = ""
    if m.cover and not cover_in_body(brand):  # a cover the body shows itself is not shown twice
        cover = (f'<figure class="dj-hero__cover"><img class="dj-hero__img" src="{_e(m.cover)}" alt="{_e(m.title)}封面" '
                 'loading="eager" fetchpriority="high"></figure>')
    chips = tag_chips(m.tags, base, site)
    hero = (
        f'<div class="dj-hero"><div class="dj-hero__head">'
        f'<div class="dj-hero__logo">{logo_html(brand, base)}</div>'
        f'<div class="dj-hero__text">{badge}<h1 class="dj-hero__title">{_e(m.title)}</h1>{slogan}'
        f'<p class="dj-hero__unit">{unit}</p></div></div>'
        f'<div class="dj-hero__body"><p class="dj-hero__desc">{_e(m.description)}</p>'
        f'<dl class="dj-facts">{facts_html}</dl>{chips}</div>{cover}</div>'
    )
    honors = ""
    if m.honors:
        items = "".join(f"<li>{_e(h)}</li>" for h in m.honors)
        honors = f'\n<section class="dj-honors" aria-label="所获荣誉"><h2 class="dj-honors__title">所获荣誉</h2><ul>{items}</ul></section>\n'
    related: list[Brand] = []  # same unit first, then same category; three are shown
    for candidate in itertools.chain(site.brands_of(brand.unit), site.brands_in(brand.category)):
        if candidate is not brand and candidate not in related:
            related.append(candidate)
            if len(related) == 3:
                break
    more = ""
    if related:
        more = ('\n\n<section class="dj-related"><h2>相关品牌</h2>'
                + brand_cards(related[:3], base, "h3", "related") + "</section>\n")
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

    def select(name: str, label: str, values: list) -> str:
        options = "".join(f'<option value="{_e(v)}">{_e(v)}{"年" if name == "year" else ""}</option>' for v in values)
        return (f'<label class="dj-filter"><span>{label}</span><select name="{name}" data-filter="{name}">'
                f'<option value="">全部</option>{options}</select></label>')

    pages = []
    for pager, chunk in zip(pagers("brands/", "brands/index.md", len(chunks)), chunks, strict=True):
        base = pager.base
        data = f' data-dj-total="{len(brands)}" data-dj-per-page="{BRANDS_PER_PAGE}"'
        if pager.count > 1:
            data += f' data-dj-json="{_e(relurl(SHOWCASE_JSON, base))}"'
        filters = (
            f'<form class="dj-filters" data-dj-filters{data} hidden role="search" aria-label="筛选品牌">'
            + select("group", "系统", groups)
            + select("category", "类别", categories)
            + select("year", "创建年份", years)
            + '<button type="reset" class="md-button dj-filters__reset">重置</button>'
            + f'<p class="dj-filters__count" aria-live="polite" data-dj-count>共 {len(brands)} 个品牌</p></form>'
        )
        intro = (f"市直机关“一机关一品牌，一支部一特色”创建成果展示，共 **{len(brands)}** 个党建品牌，"
                 f"覆盖 **{len({b.unit for b in brands})}** 个单位。可按系统、类别和创建年份筛选，"
                 f"也可查看{_link('创建进度', 'coverage/', base)}与{_link('全部单位', 'units/', base)}。\n\n")
        browse = ('<noscript><p>按类别浏览：' + "、".join(_link(c.name, c.url, base) for c in site.categories) + "</p></noscript>\n")
        empty = '<p class="dj-empty" data-dj-empty hidden>没有符合条件的品牌，请调整筛选条件。</p>'
        more = '<p class="dj-more"><button type="button" class="md-button" data-dj-more hidden>显示更多</button></p>'
        meta = pager.meta({"title": "品牌展示", "description": "市直机关党建品牌展示：一机关一品牌，一支部一特色。",
                           "search": NOT_INDEXED})
        cards = brand_cards(chunk, base).replace('<ul class="dj-cards">', '<ul class="dj-cards" data-dj-cards>', 1)
        pages.append(GeneratedPage(pager.src_uri, front_matter(meta) + f"# {pager.title('品牌展示')}\n\n" + intro + filters
                                   + "\n\n" + browse + "\n" + cards + "\n\n" + empty + "\n\n" + more + "\n\n"
                                   + _pager_block(pager, "品牌展示分页")))
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
                 f'<p class="dj-lead">简称：{_e(unit.short)} · 所属系统：{_e(unit.group)} · '
                 f'{_link("查看创建进度", "coverage/", base)}</p>\n\n']
        if brand_chunk or n == 1:
            parts.append("## 党建品牌" + _range_note(n, BRANDS_PER_PAGE, len(brand_chunk), len(brands), "个") + "\n\n")
            if brand_chunk:
                parts.append(brand_cards(brand_chunk, base) + "\n\n")
            else:
                parts.append('<p class="dj-empty">本单位尚未发布党建品牌。</p>\n\n')
        if model_chunk or n == 1:
            parts.append("## 模范机关创建" + _range_note(n, UNIT_MODELS_PER_PAGE, len(model_chunk), len(models), "篇") + "\n\n")
            if model_chunk:
                parts.append(model_list(model_chunk, base) + "\n\n")
            else:
                parts.append('<p class="dj-empty">暂无模范机关创建案例。</p>\n\n')
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
    for group in site.groups():
        parts.append(heading(2, group) + '<ul class="dj-unit-list">')
        for unit in (u for u in site.units if u.group == group):
            count = len(site.brands_of(unit))
            label = f"{count} 个品牌" if count else "尚未创建"
            parts.append(f'<li>{_link(unit.name, unit.url, base)} <span class="dj-muted">{label}</span></li>')
        parts.append("</ul>\n\n")
    return GeneratedPage("units/index.md", "".join(parts))


def render_category_pages(category: Category, site: Site) -> list[GeneratedPage]:
    """A category's page(s): its description and brands, BRANDS_PER_PAGE a page."""
    brands = showcase_order(site.brands_in(category))
    chunks = paginate(brands, BRANDS_PER_PAGE)
    pages = []
    for pager, chunk in zip(pagers(category.url, f"categories/{category.slug}.md", len(chunks)), chunks, strict=True):
        base = pager.base
        meta = pager.meta({"title": category.name, "description": category.description, "search": NOT_INDEXED})
        count = f'<p class="dj-muted">本类别共 {len(brands)} 个品牌。</p>\n\n' if pager.count > 1 else ""
        text = (front_matter(meta)
                + heading(1, pager.title(category.name)) + f'<p class="dj-lead">{_e(category.description)}</p>\n\n' + count
                + brand_cards(chunk, base) + "\n\n"
                + _pager_block(pager, f"{category.name}分页") + "\n"
                + f'<p>{_link("← 全部品牌类别", "categories/", base)}</p>\n')
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


def render_categories_index(site: Site) -> GeneratedPage:
    """``/categories/``: every category with its count."""
    base = "categories/"
    items = "".join(
        f'<li>{_link(c.name, c.url, base)} <span class="dj-muted">{len(site.brands_in(c))} 个品牌</span>'
        f'<br><span class="dj-muted">{_e(c.description)}</span></li>'
        for c in site.categories
    )
    text = (front_matter({"title": "品牌类别", "description": "党建品牌按类别浏览。", "hide": LISTING_HIDE})
            + f'# 品牌类别\n\n<ul class="dj-unit-list dj-unit-list--wide">{items}</ul>\n')
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
    rows = "".join(
        f'<tr class="{"dj-row--gap" if c.missing else "dj-row--full"}"><th scope="row">{_e(c.group)}</th><td>{c.total}</td>'
        f'<td>{len(c.covered)}</td><td>{len(c.missing)}</td>'
        f'<td><span class="dj-bar" style="--dj-pct:{c.share:.1f}%" aria-hidden="true"><span></span></span> {c.percent}</td></tr>'
        for c in coverage
    )
    missing_total = total - covered
    if missing_total:
        groups = "".join(
            f'<div class="dj-missing__group"><h3 class="dj-missing__name">{_e(c.group)}'
            f'<span class="dj-missing__count">{len(c.missing)} 个</span></h3><ul class="dj-missing__units">'
            + "".join(f"<li>{_link(u.name, u.url, base)}</li>" for u in c.missing) + "</ul></div>"
            for c in coverage if c.missing
        )
        missing = ('<section class="dj-missing" aria-labelledby="dj-missing-title">'
                   f'<h2 id="dj-missing-title" class="dj-missing__title">尚未创建品牌的单位（{missing_total} 个）</h2>'
                   f"{groups}</section>\n\n")
    else:
        missing = '<p class="dj-complete">全部登记单位都已发布党建品牌。</p>\n\n'
    parts = [
        front_matter({"title": "一机关一品牌创建进度", "description": "各系统市直机关党建品牌创建覆盖情况。",
                      "hide": LISTING_HIDE}),
        "# 一机关一品牌创建进度\n\n",
        f'<p class="dj-lead dj-coverage-total" data-covered="{covered}" data-total="{total}">'
        f"已登记单位 <strong>{total}</strong> 个，已发布品牌的单位 <strong>{covered}</strong> 个，"
        f"尚未创建 <strong>{missing_total}</strong> 个，覆盖率 <strong>{format_percent(covered, total)}</strong>。</p>\n\n",
        missing,
        '<div class="dj-scroll" tabindex="0" role="region" aria-label="各系统创建进度表"><table class="dj-coverage">'
        '<thead><tr><th scope="col">系统</th><th scope="col">单位数</th>'
        '<th scope="col">已创建</th><th scope="col">未创建</th><th scope="col">覆盖率</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>\n\n",
    ]
    for c in coverage:
        parts.append(f"## {_e(c.group)}\n\n")
        parts.append(f'<p class="dj-muted">共 {c.total} 个单位，已创建 {len(c.covered)} 个，未创建 {len(c.missing)} 个。</p>\n\n')
        items = []
        for unit in c.missing:  # who is missing comes first: showing them is the page's purpose
            items.append(f'<li class="dj-no-brand"><span class="dj-status">未创建</span> {_link(unit.name, unit.url, base)}</li>')
        for unit in c.covered:
            brands = site.brands_of(unit)
            names = "、".join(_link(b.meta.title, b.url, base) for b in brands[:COVERAGE_NAMES])
            if len(brands) > COVERAGE_NAMES:  # the unit's page lists them all; this page stays small
                names += "等 " + _link(f"{len(brands)} 个品牌", unit.url, base)
            items.append(f'<li class="dj-has-brand"><span class="dj-status">已创建</span> '
                         f"{_link(unit.name, unit.url, base)}：{names}</li>")
        parts.append('<ul class="dj-coverage-list">' + "".join(items) + "</ul>\n\n")
    return GeneratedPage("coverage.md", "".join(parts))


# ---------------------------------------------------------------- models and study


def model_list(models: list[ModelExample], base: str) -> str:
    """A list of model-institution examples."""
    row = Html('<li class="dj-doc">{}<span class="dj-doc__meta">{}</span><span class="dj-doc__desc">{}</span></li>')
    items = [row.format(_link(m.meta.title, m.url, base, "dj-doc__title"),
                        " · ".join(x for x in (m.unit.name, m.meta.level, f"{m.meta.year}年") if x),
                        clip(m.meta.description)) for m in models]
    return str(Html('<ul class="dj-docs">{}</ul>').format(Html("").join(items)))


def render_models_pages(site: Site, settings: Settings) -> list[GeneratedPage]:
    """``/models/`` (and ``/models/page/<n>/``): model-institution examples, newest first."""
    listing = f"{settings.models_dir}/"
    chunks = paginate(site.models, DOCS_PER_PAGE)
    pages = []
    for pager, chunk in zip(pagers(listing, f"{settings.models_dir}/index.md", len(chunks)), chunks, strict=True):
        body = model_list(chunk, pager.base) if chunk else '<p class="dj-empty">暂无模范机关案例。</p>'
        meta = pager.meta({"title": "模范机关", "description": "市直机关模范机关创建典型案例。", "search": NOT_INDEXED})
        text = (front_matter(meta) + f"# {pager.title('模范机关')}\n\n"
                + f"模范机关创建典型案例 {len(site.models)} 篇，按发布时间从新到旧排列。\n\n" + body + "\n\n"
                + _pager_block(pager, "模范机关分页"))
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


def study_list(items: list[StudyItem], base: str) -> str:
    """A list of study materials with 发文机关、文号 and date."""
    row = Html('<li class="dj-doc">{}<span class="dj-doc__meta">{}</span><span class="dj-doc__desc">{}</span></li>')
    rows = []
    for s in items:
        meta = [x for x in (s.meta.issuer, s.meta.doc_no) if x] + [_time(s.meta.date)]
        rows.append(row.format(_link(s.meta.title, s.url, base, "dj-doc__title"), Html(" · ").join(meta),
                               clip(s.meta.description)))
    return str(Html('<ul class="dj-docs">{}</ul>').format(Html("").join(rows)))


def _time(day: dt.date) -> Html:
    return Html('<time datetime="{}">{}</time>').format(day.isoformat(), format_date(day))


def render_study_index(site: Site, settings: Settings) -> GeneratedPage:
    """``/study/``: every topic as a panel with its newest titles (the topic page lists all, with descriptions).

    The overview shows titles and dates only, STUDY_INDEX_PER_TOPIC a topic, so that even fourteen
    topics of 40-character titles stay far under 60 KB.
    """
    base = f"{settings.study_dir}/"
    parts = [front_matter({"title": "学习资料", "description": "市直机关党建学习资料：政策文件、理论学习与党课讲稿。",
                           "search": NOT_INDEXED, "hide": LISTING_HIDE}),
             "# 学习资料\n\n", f'<p class="dj-lead">共 {len(site.studies)} 篇学习资料，按栏目分类、从新到旧排列，'
             f"每个栏目显示最新 {STUDY_INDEX_PER_TOPIC} 篇。</p>\n\n", '<div class="dj-topics">']
    for topic in site.topics:
        items = site.studies_in(topic)
        if not items:
            continue
        rows = "".join(
            f'<li>{_link(s.meta.title, s.url, base)} <time class="dj-topic__date" datetime="{s.meta.date.isoformat()}">'
            f"{format_date(s.meta.date)}</time></li>"
            for s in items[:STUDY_INDEX_PER_TOPIC]
        )
        desc = f'<p class="dj-topic__desc">{_e(topic.description)}</p>' if topic.description else ""
        parts.append(f'<section class="dj-topic" aria-labelledby="topic-{_e(topic.slug)}">'
                     f'<h2 class="dj-topic__title" id="topic-{_e(topic.slug)}">{_e(topic.title)}</h2>{desc}'
                     f'<ul class="dj-topic__list">{rows}</ul>'
                     f'<p class="dj-topic__more">{_link(f"进入“{topic.title}”栏目（{len(items)} 篇）→", topic.url, base)}</p>'
                     "</section>")
    parts.append("</div>\n")
    return GeneratedPage(f"{settings.study_dir}/index.md", "".join(parts))


def render_topic_pages(topic: Topic, site: Site, settings: Settings) -> list[GeneratedPage]:
    """``/study/<topic>/`` (and ``page/<n>/``): the topic's materials, newest first, DOCS_PER_PAGE a page."""
    items = site.studies_in(topic)
    chunks = paginate(items, DOCS_PER_PAGE)
    pages = []
    for pager, chunk in zip(pagers(topic.url, f"{settings.study_dir}/{topic.slug}/index.md", len(chunks)), chunks, strict=True):
        base = pager.base
        meta = pager.meta({"title": topic.title, "description": topic.description or f"学习资料：{topic.title}",
                           "search": NOT_INDEXED})
        count = f'<p class="dj-muted">本栏目共 {len(items)} 篇，从新到旧排列。</p>\n\n' if pager.count > 1 else ""
        text = (front_matter(meta) + heading(1, pager.title(topic.title))
                + (f'<p class="dj-lead">{_e(topic.description)}</p>\n\n' if topic.description else "") + count
                + (study_list(chunk, base) if chunk else '<p class="dj-empty">本栏目暂无资料。</p>') + "\n\n"
                + _pager_block(pager, f"{topic.title}分页") + "\n"
                + f'<p>{_link("← 全部学习资料", f"{settings.study_dir}/", base)}</p>\n')
        pages.append(GeneratedPage(pager.src_uri, text))
    return pages


def render_model_header(model: ModelExample, site: Site | None = None) -> str:
    """The tags and facts box put above a model-institution page's body."""
    base = model.url
    facts: list[tuple[str, object]] = [("单位", _link(model.unit.name, model.unit.url, base)), ("所属系统", model.unit.group)]
    if model.meta.level:
        facts.append(("级别", model.meta.level))
    facts += [("年份", f"{model.meta.year}年"), ("发布日期", _time(model.meta.date))]
    chips = tag_chips(model.meta.tags, base, site) if site is not None else ""
    return (chips + "\n\n" if chips else "") + _facts_box(facts, model.meta.description)


def render_study_header(item: StudyItem, site: Site | None = None) -> str:
    """The tags and facts box put above a study material's body."""
    facts: list[tuple[str, object]] = []
    if item.meta.issuer:
        facts.append(("发文机关", item.meta.issuer))
    if item.meta.doc_no:
        facts.append(("文号", item.meta.doc_no))
    facts.append(("发布日期", _time(item.meta.date)))
    facts.append(("栏目", _link(item.topic.title, item.topic.url, item.url)))
    chips = tag_chips(item.meta.tags, item.url, site) if site is not None else ""
    return (chips + "\n\n" if chips else "") + _facts_box(facts, item.meta.description)


def render_attachments(item: StudyItem) -> str:
    """The attachment list put below a study material's body."""
    if not item.meta.attachments:
        return ""
    links = Html("").join(Html('<li><a href="../{}" download>{}</a></li>').format(name, name) for name in item.meta.attachments)
    return "\n\n" + str(Html('<section class="dj-attachments"><h2>附件</h2><ul>{}</ul></section>').format(links)) + "\n"


def _facts(facts: list[tuple[str, object]]) -> Html:
    """``<dt>``/``<dd>`` pairs; a value is escaped unless it is ``Markup`` (a link, a date)."""
    return Html("").join(Html("<div><dt>{}</dt><dd>{}</dd></div>").format(k, v) for k, v in facts)


def _facts_box(facts: list[tuple[str, object]], description: str) -> str:
    return str(Html('<div class="dj-docinfo"><dl class="dj-facts">{}</dl><p class="dj-docinfo__desc">{}</p></div>').format(
        _facts(facts), description)) + "\n\n"


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
    row = Html('<li class="dj-doc"><span class="dj-doc__head"><span class="dj-kind">{}</span>{}</span>'
               '<span class="dj-doc__meta">{}</span><span class="dj-doc__desc">{}</span></li>')
    rows = Html("").join(row.format(i.kind, _link(i.title, i.url, base, "dj-doc__title"), i.meta, clip(i.description))
                         for i in items)
    return str(Html('<ul class="dj-docs">{}</ul>').format(rows))


def render_tags_index_pages(tags: list[Tag]) -> list[GeneratedPage]:
    """``/tags/``: every tag with how many pages carry it, most used first (TAGS_PER_PAGE a page)."""
    chunks = paginate(tags, TAGS_PER_PAGE)
    total = sum(len(t.items) for t in tags)
    pages = []
    for pager, chunk in zip(pagers("tags/", TAGS_INDEX, len(chunks)), chunks, strict=True):
        base = pager.base
        meta = pager.meta({"title": "标签", "description": "按标签浏览全部品牌、模范机关案例与学习资料。", "search": NOT_INDEXED})
        if chunk:
            items = "".join(
                f'<li><a class="dj-tag" href="{_e(relurl(t.url, base))}">{_e(t.name)}'
                f'<span class="dj-tag__count">{len(t.items)}<span class="dj-sr-only"> 项</span></span></a></li>'
                for t in chunk
            )
            body = f'<ul class="dj-tag-cloud">{items}</ul>'
        else:
            body = '<p class="dj-empty">暂无标签。在品牌、模范机关案例或学习资料的 tags 字段中填写标签后，这里会列出。</p>'
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
                + f'<p class="dj-lead">共 {len(tag.items)} 项（{counts}），从新到旧排列。</p>\n\n'
                + tagged_list(chunk, base) + "\n\n" + _pager_block(pager, f"标签“{tag.name}”分页") + "\n"
                + f'<p>{_link("← 全部标签", "tags/", base)}</p>\n')
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
            return '<ul class="dj-stats">' + "".join(f"<li><strong>{v}</strong><span>{k}</span></li>" for v, k in stats) + "</ul>"
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
    items = "".join(
        f'<li><a class="dj-entry" href="{_e(relurl(url, base))}"><strong>{title}</strong><span>{_e(desc)}</span></a></li>'
        for title, url, desc in tiles
    )
    return f'<ul class="dj-entries">{items}</ul>'


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
