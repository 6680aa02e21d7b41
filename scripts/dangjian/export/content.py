"""The compilation's content, independent of the output format.

Each selected page becomes a :class:`Case`: title, facts, slogan, honours and
its body converted from Markdown (with the site's extensions) to a small,
sanitised element tree.  Only a fixed set of tags survives (writers' HTML is
untrusted: no scripts, styles, frames or links to the outside reach a
document), and every ``<img>`` is resolved to the processed rendition of its
photo, sized for print.  The Word and PDF writers both walk this tree, so the
two files carry the same text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import markdown
from lxml import html as lxml_html
from lxml.etree import _Element

from ..images import ImageJob, ImagePipeline
from ..loader import read_front_matter, rel
from ..model import Brand, ModelExample
from ..problems import Problem, Severity
from ..render import cover_in_body, format_date
from .selection import SECTIONS, Item, section_of

#: Markdown extensions of the site (mkdocs.yml), without the heading permalinks that only make sense on screen.
MARKDOWN_EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
                       "pymdownx.details", "pymdownx.superfences", "pymdownx.tilde"]

#: Tags kept in a body; any other element is replaced by its children (its text is kept, the tag is not).
KEEP_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "del", "s", "code", "pre", "br",
             "hr", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "blockquote", "img", "sup", "sub",
             "dl", "dt", "dd", "div", "span"}
#: Elements dropped with everything inside them.
DROP_TAGS = {"script", "style", "iframe", "object", "embed", "frame", "frameset", "applet", "form", "input", "button",
             "select", "textarea", "template", "svg", "math", "video", "audio", "source", "track", "canvas",
             "noscript", "meta", "link", "base", "head", "title"}
KEEP_ATTRS = {"img": {"src", "alt"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
              "div": {"class"}, "p": {"class"}}

#: Print size of photos: the text block of an A4 page with 公文 margins is 210 - 28 - 26 = 156 mm wide.
TEXT_WIDTH_MM = 156.0
#: A photo is never taller than this, so it and its caption fit on a page with some text.
MAX_PHOTO_HEIGHT_MM = 110.0
#: Printed size of a brand's logo (a square), above the title.
LOGO_MM = 25.0
#: A cover photo under the title leaves room for the facts table on the same page.
MAX_COVER_HEIGHT_MM = 90.0
#: Resolution photos are chosen for: the smallest rendition at least this sharp at full text width.
PRINT_DPI = 150


@dataclass(frozen=True)
class Photo:
    """A processed rendition chosen for print."""

    path: Path
    width_px: int
    height_px: int
    width_mm: float
    height_mm: float


@dataclass
class Case:
    """One page of the compilation (a brand, a model institution or a study material)."""

    section: str
    slug: str
    source: str
    title: str
    kind: str
    facts: list[tuple[str, str]]
    description: str
    slogan: str | None
    honors: list[str]
    body: _Element
    photos: dict[str, Photo] = field(default_factory=dict)
    """``src`` of each body ``<img>`` → the rendition that prints it."""
    logo: Photo | None = None
    """The brand's logo (square rendition), printed above the title."""
    cover: Photo | None = None
    """The brand's cover photo, printed under the title unless the body shows it already."""


def facts_of(item: Item) -> list[tuple[str, str]]:
    """The label/value rows shown in a case's facts table (the same facts as the site's pages)."""
    if isinstance(item, Brand):
        m = item.meta
        facts = [("所属单位", item.unit.name)]
        if m.branch:
            facts.append(("党支部", m.branch))
        facts += [("品牌类别", item.category.name), ("所属系统", item.unit.group)]
        if m.year:
            facts.append(("创建年份", f"{m.year}年"))
        if m.featured:
            facts.append(("选树典型", "是"))
        facts.append(("发布日期", format_date(m.date)))
        return facts
    if isinstance(item, ModelExample):
        m = item.meta
        facts = [("单位", item.unit.name), ("所属系统", item.unit.group)]
        if m.level:
            facts.append(("级别", m.level))
        return facts + [("年份", f"{m.year}年"), ("发布日期", format_date(m.date))]
    m = item.meta
    facts = []
    if m.issuer:
        facts.append(("发文机关", m.issuer))
    if m.doc_no:
        facts.append(("文号", m.doc_no))
    return facts + [("栏目", item.topic.title), ("发布日期", format_date(m.date))]


def source_of(item: Item, root: Path, docs_dir: Path) -> tuple[Path, str]:
    """The Markdown file of an item and its project-relative path."""
    path = item.folder / "index.md" if isinstance(item, Brand) else docs_dir / item.src_uri
    return path, rel(path, root)


def markdown_to_tree(text: str) -> _Element:
    """Markdown → sanitised ``<div>`` element (see KEEP_TAGS)."""
    converter = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    body = converter.convert(text)
    root = lxml_html.fragment_fromstring(body or "<p></p>", create_parent="div")
    _sanitise(root)
    return root


def _sanitise(root: _Element) -> None:
    for link in list(root.iter("a")):
        if "footnote-backref" in link.get("class", ""):  # the "↩" back to the text means nothing on paper
            link.drop_tree()
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            if element is not root and element.getparent() is not None:  # comments, processing instructions
                element.drop_tree()
            continue
        tag = element.tag.lower()
        if tag in DROP_TAGS:
            element.drop_tree()
        elif tag not in KEEP_TAGS:
            element.drop_tag()
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        allowed = KEEP_ATTRS.get(element.tag, set())
        for name in list(element.attrib):
            if name not in allowed:
                del element.attrib[name]


def choose_variant(rendition) -> tuple[str, int, int]:
    """The smallest JPEG/PNG variant sharp enough at full text width (or the largest there is)."""
    fallback = sorted(rendition.of(rendition.fallback_format), key=lambda v: v.width)
    need = TEXT_WIDTH_MM / 25.4 * PRINT_DPI
    chosen = next((v for v in fallback if v.width >= need), fallback[-1])
    return chosen.name, chosen.width, chosen.height


def print_size(width_px: int, height_px: int, max_height_mm: float = MAX_PHOTO_HEIGHT_MM) -> tuple[float, float]:
    """Millimetres on paper: at most the text width and ``max_height_mm``, never above PRINT_DPI's natural size."""
    width = min(TEXT_WIDTH_MM, width_px / PRINT_DPI * 25.4)
    height = width * height_px / width_px
    if height > max_height_mm:
        width, height = width * max_height_mm / height, max_height_mm
    return round(width, 1), round(height, 1)


def _logo(pipeline: ImagePipeline, source: Path) -> Photo | None:
    """The largest square logo rendition (256 px: sharp at LOGO_MM and 250 dpi)."""
    rendition = pipeline.rendition(source, ("logo",))
    if rendition is None:
        return None
    chosen = max(rendition.of(rendition.fallback_format), key=lambda v: v.width)
    return Photo(pipeline.cache_dir / rendition.key / chosen.name, chosen.width, chosen.height, LOGO_MM, LOGO_MM)


def _cover(pipeline: ImagePipeline, source: Path) -> Photo | None:
    rendition = pipeline.rendition(source, ("photo",))
    if rendition is None:
        return None
    name, width, height = choose_variant(rendition)
    return Photo(pipeline.cache_dir / rendition.key / name, width, height, *print_size(width, height, MAX_COVER_HEIGHT_MM))


def build_cases(items: list[Item], root: Path, docs_dir: Path, pipeline: ImagePipeline) -> tuple[list[Case], list[Problem]]:
    """Read every item's body and process its photos; problems name the file and line."""
    cases: list[Case] = []
    problems: list[Problem] = []
    jobs: list[ImageJob] = []
    wanted: list[tuple[Case, str, Path]] = []
    emblems: list[tuple[Case, str, Path]] = []  # (case, "logo" or "cover", original)
    for item in items:
        path, rel_path = source_of(item, root, docs_dir)
        if isinstance(item, Brand):
            body_md = item.body
        else:
            fm, _draft, errs = read_front_matter(path, rel_path)
            if fm is None:
                problems += errs or [Problem(rel_path, "无法读取该文件。", "运行 ./dev.sh check 查看原因。", code="export-read")]
                continue
            body_md = fm.body
        m = item.meta
        case = Case(section_of(item), item.slug, rel_path, m.title, SECTIONS[section_of(item)], facts_of(item),
                    m.description, getattr(m, "slogan", None), list(getattr(m, "honors", [])), markdown_to_tree(body_md))
        if isinstance(item, Brand):
            for key, kind in (("logo", "logo"), ("cover", "photo")):
                name = getattr(m, key)
                if not name or (key == "cover" and cover_in_body(item)):
                    continue  # a cover the body shows is printed there, not twice
                source = (item.folder / name.strip()).resolve()
                if source.suffix.lower() == ".svg":
                    what = "品牌标识" if key == "logo" else "封面照片"
                    problems.append(Problem(rel_path, f"{what}“{name}”是矢量图，未收入汇编（Word 文档不支持 SVG）。",
                                            f"如需收入，请另存为 PNG，并把 {key}: 改为 PNG 文件名。",
                                            severity=Severity.WARNING, field=key, code="export-svg"))
                    continue
                jobs.append(ImageJob(source, kind, rel_path, field=key))
                emblems.append((case, key, source))
        for img in list(case.body.iter("img")):
            src = img.get("src", "")
            if not src or "://" in src or src.startswith(("/", "data:")):
                img.drop_tree()  # nothing from outside the bundle (the review gate reports such images)
                continue
            source = (path.parent / unquote(src.split("#")[0].split("?")[0])).resolve()
            if source.suffix.lower() == ".svg":  # drawings are passed through on the site; Word cannot take them
                problems.append(Problem(rel_path, f"矢量图“{src}”未收入汇编（Word 文档不支持 SVG）。",
                                        "如需收入，请另存为 PNG 并在正文中改为引用 PNG 文件。",
                                        severity=Severity.WARNING, code="export-svg"))
                img.drop_tree()
                continue
            jobs.append(ImageJob(source, "photo", rel_path))
            wanted.append((case, src, source))
        cases.append(case)
    problems += [p for p in pipeline.run(jobs) if p.severity is Severity.ERROR]
    for case, src, source in wanted:
        rendition = pipeline.rendition(source, ("photo",))
        if rendition is None:
            continue  # reported above
        name, width, height = choose_variant(rendition)
        case.photos[src] = Photo(pipeline.cache_dir / rendition.key / name, width, height, *print_size(width, height))
    for case, key, source in emblems:
        setattr(case, key, _logo(pipeline, source) if key == "logo" else _cover(pipeline, source))
    return cases, problems


def today() -> dt.date:
    """The date printed on the cover."""
    return dt.date.today()


def cover_organizer(config: dict) -> str:
    """Who the cover names: ``extra.organizer`` of mkdocs.yml, else its ``copyright``, else its ``site_name``."""
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    return str(extra.get("organizer") or config.get("copyright") or config.get("site_name") or "")
