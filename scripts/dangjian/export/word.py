"""The compilation as an editable Word document (python-docx), laid out after GB/T 9704.

A4 with 公文 margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm);
titles in 方正小标宋简体, body in 仿宋_GB2312, headings in 黑体 and 楷体_GB2312,
each declared as the East-Asian font of its style (``w:eastAsia``) and listed
in the font table with the font Windows and WPS always have as ``w:altName``
(宋体, 仿宋, 楷体), so a PC without the 公文 fonts still shows 宋体/仿宋.
A cover, a table-of-contents field Word updates on opening (WPS: right click →
更新域), every case on a new page, page numbers "— 1 —" in the footer.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.parts.document import DocumentPart
from docx.parts.image import ImagePart
from docx.shared import Mm, Pt, RGBColor
from lxml import html as lxml_html
from lxml.etree import _Element

from .content import TEXT_WIDTH_MM, Case


def _cached_sha1(self) -> str:
    """python-docx compares a new picture with every picture already added by re-hashing each one
    (``ImageParts._get_by_sha1``): quadratic in the number of photos (600 photos: 180,000 hashes).
    A part's bytes never change once added, so its hash is computed once."""
    digest = self.__dict__.get("_dj_sha1")
    if digest is None:
        digest = self.__dict__["_dj_sha1"] = hashlib.sha1(self.blob).hexdigest()
    return digest


def _counted_next_id(self) -> int:
    """python-docx finds a free drawing id by scanning the whole document for ``@id`` on every picture
    (``StoryPart.next_id``): quadratic again.  The first call scans, later ones count on from it."""
    last = self.__dict__.get("_dj_last_id")
    if last is None:
        last = max((int(v) for v in self._element.xpath("//@id") if v.isdigit()), default=0)
    self.__dict__["_dj_last_id"] = last + 1
    return last + 1


ImagePart.sha1 = property(_cached_sha1)
DocumentPart.next_id = property(_counted_next_id)

#: Style → (East-Asian font, the font it falls back to, size in pt).  二号 = 22 pt, 三号 = 16 pt, 四号 = 14 pt.
TITLE_FONT, BODY_FONT, HEI_FONT, KAI_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", KAI_FONT: "楷体", HEI_FONT: "SimHei", "宋体": "SimSun"}
LATIN_FONT = "Times New Roman"
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_PT = 16
#: 公文 line pitch: 22 lines in the 225 mm text block.
LINE_PT = 28.9
TOC_INSTRUCTION = 'TOC \\o "1-1" \\h \\z \\u'
BLACK = RGBColor(0, 0, 0)


def _set_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Declare ``east_asia`` as the East-Asian font (and ``latin`` for Latin text) of a run or style."""
    fonts = rpr.get_or_add_rFonts()
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme_attr), None)  # theme fonts would override the named ones
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(doc, name: str, east_asia: str, size: float, *, bold: bool = False, align=None, indent: float | None = 0,
           before: float = 0, after: float = 0, exact: float | None = LINE_PT, base: str | None = None):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base:
        style.base_style = styles[base]
    font = style.font
    font.size, font.bold, font.italic = Pt(size), bold, False
    font.color.rgb = BLACK
    _set_fonts(style.element.get_or_add_rPr(), east_asia)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    if indent is not None:
        fmt.first_line_indent = Pt(indent)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if exact:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(exact)
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    return style


def _setup_styles(doc) -> None:
    styles = doc.element.styles_element if hasattr(doc.element, "styles_element") else doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:  # document-wide default: 仿宋 for Chinese, Chinese as the East-Asian language
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                rpr.insert(0, fonts)
            for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(theme_attr), None)
            for attr, value in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT), ("w:cs", LATIN_FONT), ("w:eastAsia", BODY_FONT)):
                fonts.set(qn(attr), value)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:eastAsia"), "zh-CN")
    indent2 = 2 * BODY_PT  # 首行缩进两字
    _style(doc, "Normal", BODY_FONT, BODY_PT, indent=indent2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    title = _style(doc, "Title", TITLE_FONT, 26, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, before=150, after=24)
    border = title.element.pPr.find(qn("w:pBdr"))
    if border is not None:  # the template's blue rule under the title: not in a 公文-style cover
        title.element.pPr.remove(border)
    _style(doc, "Subtitle", KAI_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, after=12)
    h1 = _style(doc, "Heading 1", TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, before=0, after=18)
    h1.paragraph_format.page_break_before = True
    _style(doc, "Heading 2", HEI_FONT, BODY_PT, indent=indent2, before=6, after=0)
    _style(doc, "Heading 3", KAI_FONT, BODY_PT, indent=indent2, before=0, after=0)
    _style(doc, "Heading 4", BODY_FONT, BODY_PT, bold=True, indent=indent2)
    _style(doc, "Caption", KAI_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, after=8)
    _style(doc, "toc 1", BODY_FONT, BODY_PT, exact=LINE_PT, base="Normal")
    _style(doc, "表格文字", BODY_FONT, 12, exact=None, base="Normal")
    _style(doc, "图片", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, base="Normal", before=6)
    _style(doc, "引文", KAI_FONT, BODY_PT, base="Normal", indent=indent2)
    _style(doc, "口号", KAI_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None, after=12, base="Normal")
    _style(doc, "代码", BODY_FONT, 10.5, exact=None, base="Normal", indent=0)
    doc.styles["代码"].font.name = "Consolas"
    _style(doc, "Footer", "宋体", 14, align=WD_ALIGN_PARAGRAPH.CENTER, exact=None)


def _declare_fonts(doc) -> None:
    """List the Chinese fonts in word/fontTable.xml with their GB2312 charset and fallback (``w:altName``)."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    entries = []
    for name in (TITLE_FONT, BODY_FONT, KAI_FONT, HEI_FONT, "宋体", "仿宋", "楷体"):
        alt = FALLBACKS.get(name)
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt and alt != name else ""
        entries.append(f'<w:font w:name="{name}">{alt_xml}<w:charset w:val="86"/><w:family w:val="auto"/>'
                       f'<w:pitch w:val="variable"/></w:font>')
    blob = part.blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", "".join(entries) + "</w:fonts>").encode("utf-8")


def _page_setup(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(25)  # 页码在版心下边缘之下一行
    section.different_first_page_header_footer = True  # no page number on the cover


def _add_field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (``PAGE``, ``TOC`` …) marked dirty so Word computes it when the file is opened."""
    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    if placeholder:
        paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _update_fields_on_open(doc) -> None:
    """``<w:updateFields w:val="true"/>`` in settings.xml: Word refreshes the TOC and page fields on opening."""
    settings = doc.settings.element
    flag = OxmlElement("w:updateFields")
    flag.set(qn("w:val"), "true")
    # Schema order: updateFields comes before these elements of CT_Settings.
    later = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
             "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
             "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
             "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")
    anchor = next((child for child in settings if child.tag in {qn(f"w:{n}") for n in later}), None)
    if anchor is not None:
        anchor.addprevious(flag)
    else:
        settings.append(flag)


# ---------------------------------------------------------------- body (sanitised HTML tree → Word)


_SPACE = re.compile(r"[ \t\r\n]+")


class _Styles:
    """Style name → id, looked up once: python-docx scans every style on each lookup (seconds per case)."""

    def __init__(self, doc):
        self.ids = {s.name: s.style_id for s in doc.styles}

    def paragraph(self, container, style: str | None = None, text: str = ""):
        """``container.add_paragraph`` with the style set by id."""
        paragraph = container.add_paragraph(text)
        if style and style != "Normal":
            paragraph._p.style = self.ids[style]
        return paragraph

    def restyle(self, paragraph, style: str) -> None:
        paragraph._p.style = self.ids[style]

    def table(self, container, rows: int, cols: int):
        """A bordered table ("Table Grid"), centred."""
        if hasattr(container, "_body"):  # the document: Document.add_table looks the page width up each time
            table = container._body.add_table(rows, cols, Mm(TEXT_WIDTH_MM))
        else:
            table = container.add_table(rows=rows, cols=cols)
        table._tbl.tblPr.style = self.ids["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        return table


class _BodyWriter:
    """Walks a case's sanitised element tree and writes paragraphs, lists, tables and photos."""

    def __init__(self, doc, case: Case, styles: _Styles):
        self.doc = doc
        self.case = case
        self.styles = styles

    # inline ------------------------------------------------------------
    def inline(self, paragraph, element: _Element, fmt: frozenset = frozenset()) -> None:
        """Text and inline children of ``element`` (not its tail) into ``paragraph``."""
        self.text(paragraph, element.text, fmt)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                paragraph.add_run().add_break()
            elif tag == "img":
                self.picture_run(paragraph, child)
            elif tag in ("ul", "ol", "table", "p", "div", "blockquote", "pre", "dl"):
                pass  # block content inside an inline context is written by the block walker
            else:
                extra = {"strong": "b", "b": "b", "em": "i", "i": "i", "del": "s", "s": "s", "code": "code",
                         "sup": "sup", "sub": "sub"}.get(tag)
                self.inline(paragraph, child, fmt | {extra} if extra else fmt)
            self.text(paragraph, child.tail, fmt)

    def fill(self, paragraph, element: _Element, fmt: frozenset = frozenset()) -> None:
        """``inline`` and then trim the white space Markdown leaves at the start and end of a block."""
        start = len(paragraph.runs)
        self.inline(paragraph, element, fmt)
        runs = [r for r in paragraph.runs[start:] if r.text]
        if runs and "pre" in fmt:
            runs[-1].text = runs[-1].text.rstrip("\n")
        elif runs:
            runs[0].text = runs[0].text.lstrip()
            runs[-1].text = runs[-1].text.rstrip()

    def text(self, paragraph, text: str | None, fmt: frozenset) -> None:
        if not text:
            return
        text = _SPACE.sub(" ", text) if "pre" not in fmt else text
        if not text.strip() and not paragraph.runs:
            return
        run = paragraph.add_run(text)
        run.bold = True if "b" in fmt else None
        run.italic = True if "i" in fmt else None
        if "s" in fmt:
            run.font.strike = True
        if "sup" in fmt:
            run.font.superscript = True
        if "sub" in fmt:
            run.font.subscript = True
        if "code" in fmt:
            run.font.name = "Consolas"

    def picture_run(self, paragraph, img: _Element) -> None:
        photo = self.case.photos.get(img.get("src", ""))
        if photo is not None:
            paragraph.add_run().add_picture(str(photo.path), width=Mm(photo.width_mm))

    # blocks ------------------------------------------------------------
    def blocks(self, container, element: _Element, level: int = 0, style: str | None = None) -> None:
        """Every child of ``element`` as block content of ``container`` (the document or a table cell)."""
        loose = self._paragraph_for_loose(container, element.text, style)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("p", "dt", "dd"):
                self.paragraph(container, child, style, bold=tag == "dt" or "admonition-title" in child.get("class", ""))
            elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                number = {"h1": 2, "h2": 2, "h3": 3}.get(tag, 4)
                heading = self.styles.paragraph(container, f"Heading {number}")
                self.fill(heading, child)
            elif tag in ("ul", "ol"):
                self.list(container, child, level)
            elif tag == "table":
                self.table(container, child)
            elif tag == "blockquote":
                self.blocks(container, child, level, style="引文")
            elif tag == "pre":
                paragraph = self.styles.paragraph(container, "代码")
                self.fill(paragraph, child, frozenset({"pre"}))
            elif tag == "img":
                self.photo(container, child)
            elif tag in ("div", "dl", "span"):
                self.blocks(container, child, level, style)
            elif tag == "hr":
                continue
            else:  # inline content at block level (e.g. text + <strong> directly in a <div>)
                loose = loose or self.styles.paragraph(container, style)
                self.fill(loose, _wrap(child))
            if child.tail and child.tail.strip():
                loose = self.styles.paragraph(container, style)
                self.text(loose, child.tail, frozenset())

    def _paragraph_for_loose(self, container, text: str | None, style: str | None):
        if text and text.strip():
            paragraph = self.styles.paragraph(container, style)
            self.text(paragraph, text, frozenset())
            return paragraph
        return None

    def paragraph(self, container, element: _Element, style: str | None, bold: bool = False) -> None:
        """A ``<p>``: photos inside it get their own centred paragraph with the caption below."""
        images = [c for c in element if c.tag == "img"]
        if not images:
            paragraph = self.styles.paragraph(container, style)
            self.fill(paragraph, element, frozenset({"b"}) if bold else frozenset())
            return
        # Split around the photos: text before, photo + caption, text after.
        segment = _clone_shell(element)
        segment.text = element.text
        for child in element:
            if child.tag == "img":
                self._flush(container, segment, style)
                self.photo(container, child)
                segment = _clone_shell(element)
                segment.text = child.tail
            else:
                segment.append(_copy(child))
        self._flush(container, segment, style)

    def _flush(self, container, segment: _Element, style: str | None) -> None:
        if (segment.text or "").strip() or len(segment):
            paragraph = self.styles.paragraph(container, style)
            self.fill(paragraph, segment)

    def photo(self, container, img: _Element) -> None:
        photo = self.case.photos.get(img.get("src", ""))
        if photo is None:
            return
        paragraph = self.styles.paragraph(container, "图片")
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(str(photo.path), width=Mm(photo.width_mm))
        alt = (img.get("alt") or "").strip()
        if alt:
            self.styles.paragraph(container, "Caption", alt)

    def list(self, container, element: _Element, level: int) -> None:
        ordered = element.tag == "ol"
        number = 0
        for li in element:
            if li.tag != "li":
                continue
            number += 1
            paragraph = self.styles.paragraph(container)
            fmt = paragraph.paragraph_format
            fmt.left_indent = Pt(2 * BODY_PT * level)
            paragraph.add_run(f"{number}．" if ordered else "● " if level == 0 else "○ ")
            first_block = True
            head = _clone_shell(li)
            head.text = li.text
            nested = []
            for child in li:
                if child.tag in ("ul", "ol", "table", "pre", "blockquote") or (child.tag == "p" and not first_block):
                    nested.append(child)
                elif child.tag == "p":
                    first_block = False
                    inner = _copy(child)
                    inner.tail = child.tail
                    head.append(inner)
                else:
                    head.append(_copy(child))
            self.fill(paragraph, _flatten_p(head))
            for child in nested:
                if child.tag in ("ul", "ol"):
                    self.list(container, child, level + 1)
                else:
                    wrapper = _clone_shell(li)
                    wrapper.append(_copy(child))
                    self.blocks(container, wrapper, level + 1)

    def table(self, container, element: _Element) -> None:
        rows = [tr for tr in element.iter("tr")]
        if not rows:
            return
        width = min(MAX_COLUMNS, max(sum(_span(c) for c in tr if c.tag in ("td", "th")) for tr in rows))
        if width == 0:
            return
        table = self.styles.table(container, len(rows), width)
        for r, tr in enumerate(rows):
            col = 0
            row_cells = table.rows[r].cells
            for cell_el in (c for c in tr if c.tag in ("td", "th")):
                if col >= width:
                    break
                span = min(_span(cell_el), width - col)
                cell = row_cells[col]
                if span > 1:
                    cell = cell.merge(row_cells[col + span - 1])
                paragraph = cell.paragraphs[0]
                self.styles.restyle(paragraph, "表格文字")
                self.fill(paragraph, _flatten_p(cell_el), frozenset({"b"}) if cell_el.tag == "th" else frozenset())
                col += span
        self.styles.paragraph(container, "表格文字")  # a table is followed by space, as on the site


#: A writer's table never needs more columns; a colspan of 100000 must not make a 100000-column table.
MAX_COLUMNS = 20


def _span(cell: _Element) -> int:
    """A cell's ``colspan`` as written, within 1..MAX_COLUMNS (anything unreadable counts as 1)."""
    value = (cell.get("colspan") or "1").strip()
    return max(1, min(int(value), MAX_COLUMNS)) if value.isdigit() else 1


def _clone_shell(element: _Element) -> _Element:
    return lxml_html.Element(element.tag)


def _copy(element: _Element) -> _Element:
    return copy.deepcopy(element)


def _wrap(child: _Element) -> _Element:
    shell = _clone_shell(child)
    shell.append(_copy(child))
    shell[0].tail = None
    return shell


def _flatten_p(element: _Element) -> _Element:
    """``<td><p>a</p><p>b</p></td>`` → inline content with line breaks between the paragraphs."""
    shell = _copy(element)
    for p in list(shell.iter("p")):
        if p is shell:
            continue
        if p.getprevious() is not None or (p.getparent().text or "").strip():
            p.addprevious(lxml_html.Element("br"))
        p.drop_tag()
    return shell


# ---------------------------------------------------------------- document


def _facts_table(doc, case: Case, styles: _Styles) -> None:
    rows = [*case.facts, ("简介", case.description)]
    table = styles.table(doc, len(rows), 2)
    table.autofit = False
    table.columns[0].width, table.columns[1].width = Mm(32), Mm(124)  # the grid: what WPS and LibreOffice lay out by
    for index, (label, value) in enumerate(rows):
        left, right = table.rows[index].cells
        left.width, right.width = Mm(32), Mm(124)
        for cell, text, bold in ((left, label, True), (right, value, False)):
            paragraph = cell.paragraphs[0]
            styles.restyle(paragraph, "表格文字")
            paragraph.add_run(text).bold = bold or None
    styles.paragraph(doc, "表格文字")


def write_docx(cases: list[Case], path: Path, *, title: str, subtitle: str, organizer: str, date_text: str) -> None:
    """Write the compilation to ``path`` (the caller renames it into place)."""
    doc = Document()
    _setup_styles(doc)
    _declare_fonts(doc)
    section = doc.sections[0]
    _page_setup(section)
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.add_run("— ")
    _add_field(footer, "PAGE", "1")
    footer.add_run(" —")
    props = doc.core_properties
    props.title, props.subject, props.author, props.comments = title, subtitle, organizer, "由党建宣传网站 ./dev.sh export 生成"
    props.last_modified_by = organizer

    # Cover
    doc.add_paragraph(title, style="Title")
    if subtitle:
        doc.add_paragraph(subtitle, style="Subtitle")
    organizer_p = doc.add_paragraph(organizer, style="Subtitle")
    organizer_p.paragraph_format.space_before = Pt(230 if not subtitle else 200)
    doc.add_paragraph(date_text, style="Subtitle")

    # Table of contents: a TOC field over the case titles (Heading 1).  Its cached result lists the
    # titles, so the page reads right even before the field is updated (WPS: right click → 更新域).
    toc_title = doc.add_paragraph("目  录", style="Title")
    toc_title.paragraph_format.space_before = Pt(0)
    toc_title.paragraph_format.page_break_before = True
    styles = _Styles(doc)
    toc = styles.paragraph(doc, "toc 1")
    _add_toc(toc, doc, styles, [c.title for c in cases])

    for case in cases:
        if case.logo is not None:  # above the title: the logo's paragraph starts the page, the title follows it
            logo = styles.paragraph(doc, "图片")
            logo.paragraph_format.page_break_before = True
            logo.paragraph_format.keep_with_next = True
            logo.paragraph_format.space_before = Pt(0)
            logo.add_run().add_picture(str(case.logo.path), width=Mm(case.logo.width_mm), height=Mm(case.logo.height_mm))
        heading = styles.paragraph(doc, "Heading 1", case.title)
        if case.logo is not None:
            heading.paragraph_format.page_break_before = False
        if case.slogan:
            styles.paragraph(doc, "口号", f"“{case.slogan}”")
        if case.cover is not None:
            cover = styles.paragraph(doc, "图片")
            cover.paragraph_format.space_before = Pt(0)
            cover.add_run().add_picture(str(case.cover.path), width=Mm(case.cover.width_mm))
        _facts_table(doc, case, styles)
        if case.honors:
            styles.paragraph(doc, "Heading 2", "所获荣誉")
            for honor in case.honors:
                styles.paragraph(doc, None, f"★ {honor}")
        _BodyWriter(doc, case, styles).blocks(doc, case.body)
    _update_fields_on_open(doc)
    doc.save(str(path))


def _add_toc(first, doc, styles: _Styles, titles: list[str]) -> None:
    """TOC field: begin/instruction/separate in the first paragraph, one cached entry per title, end in the last."""
    def fld(kind: str):
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            char.set(qn("w:dirty"), "true")
        run = OxmlElement("w:r")
        run.append(char)
        return run

    first._p.append(fld("begin"))
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {TOC_INSTRUCTION} "
    instr_run.append(instr)
    first._p.append(instr_run)
    first._p.append(fld("separate"))
    paragraph = first
    for index, title in enumerate(titles or ["（更新域后显示目录）"]):
        if index:
            paragraph = styles.paragraph(doc, "toc 1")
        paragraph.add_run(title)
    paragraph._p.append(fld("end"))
