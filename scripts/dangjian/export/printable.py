"""The compilation as printable HTML, and its PDF (headless Chromium, merged with pypdf).

The HTML comes from a Jinja template with autoescape: every value a writer
typed is escaped; the only markup passed through is each case's body, which
:mod:`.content` has already reduced to a fixed set of tags without attributes
(photos, logos and cover photos point at their processed renditions as
``file:`` URLs).

Chromium's time per page grows with the length of the document it prints (one
print of 200 brands took 401–460 s for two passes, 20 brands 20–26 s), so the
cases are printed in batches of :data:`BATCH_CASES` by one browser, each batch
numbering its pages on from the one before (``@page :first { counter-increment:
page N }``), and pypdf merges the front (cover and contents) and the batches.
Each batch's outline (one top-level bookmark per case, its headings below) is
kept and points at the merged pages; the contents' page numbers come from those
outlines, and its entries link to the cases' pages.  The merged file is not a
tagged PDF any more (pypdf does not merge structure trees).  Measured with
benchmarks/bench_export.py (2026-11-30, 2 shared cores, load 5–6): 20 brands 12.4 s,
200 brands (1,274 pages) 54.4 s, where one print of everything took 401–460 s.  JavaScript is off
and every request that is not one of the compilation's own files is refused, so
nothing is fetched from anywhere.

Why Chromium and not WeasyPrint (benchmarks/bench_export.py printed the same HTML with
both; 2026-11-30, 2 shared cores under load): the Chinese text is equally faithful
(every expected character back from ``pdftotext``; pages look the same), one
bookmark per case in both.  WeasyPrint 70 embeds CID fonts where Skia writes the
CFF-flavoured Noto CJK as Type 3 fonts, and its files are smaller (20 brands:
2.8 MB vs 3.8 MB; 200 brands: 22.7 MB vs 33.9 MB); one pass of 200 brands took it
282 s.  Chromium is kept because it adds no system dependency (WeasyPrint needs
Pango, a separate GTK install on the writers' Windows PCs, where Chromium's place is
taken by Edge), and printed in batches its time is linear in the number of cases.
The stylesheet is plain CSS paged media, so WeasyPrint prints :func:`render_html`'s
single document as it is (the contents numbered by ``target-counter``).
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

from jinja2 import Environment, select_autoescape
from lxml import etree
from lxml.html import tostring
from markupsafe import Markup

from .content import Case
from .pdfinfo import outline_pages

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


#: Cases per Chromium print: its time per page grows with the length of the document, so a long
#: compilation is printed in batches of this many cases and merged (benchmarks/bench_export.py).
BATCH_CASES = 20

#: The contents link to ``dj-case:<n>`` (no request, no outside address); the merge turns each link
#: into a jump to the page case n starts on.
TOC_LINK = "dj-case:"

#: How long loading and printing may take before giving up (Playwright's default is 30 seconds).
PRINT_TIMEOUT_MS = 30 * 60 * 1000

#: Browsers Playwright can find by channel when Debian's Chromium is not there (a Windows PC has Edge).
_CHANNELS = ("msedge", "chrome")


class BrowserMissing(RuntimeError):
    """No Chromium-based browser to print with."""


def _launch(playwright):
    """Debian's Chromium when installed, else the Edge or Chrome a Windows PC already has."""
    if Path(CHROMIUM).exists():
        return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    for channel in _CHANNELS:
        try:
            return playwright.chromium.launch(channel=channel, args=LAUNCH_ARGS)
        except Exception:
            continue
    raise BrowserMissing(CHROMIUM)

#: Print stylesheet after GB/T 9704: A4, margins 37/26/35/28 mm, 仿宋 body (三号, 28.9 pt line pitch),
#: 方正小标宋 titles, 黑体/楷体 headings; Noto CJK when the 公文 fonts are not installed.
CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center { content: "— " counter(page) " —"; vertical-align: top; padding-top: 7mm;
                         font-family: "宋体", "SimSun", "Noto Serif CJK SC", serif; font-size: 14pt; } }
html { -webkit-print-color-adjust: exact; }
body { margin: 0; font-family: "仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong",
       "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 16pt; line-height: 28.9pt; color: #000;
       text-align: justify; }
.title-font, h1, .cover h1, .toc h2 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "宋体", "SimSun",
       "Noto Serif CJK SC", "Source Han Serif SC", serif; font-weight: normal; }
.kai, .subtitle, blockquote, figcaption, .slogan, h4 { font-family: "楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi",
       "STKaiti", "Noto Serif CJK SC", serif; }
.hei, h3 { font-family: "黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-weight: normal; }
.cover { height: 225mm; display: flex; flex-direction: column; text-align: center; break-after: page; }
.cover .cover-title { font-size: 26pt; line-height: 1.4; margin: 48mm 0 8mm; }
.cover .subtitle { font-size: 16pt; line-height: 1.6; margin: 0; }
.cover .bottom { margin-top: auto; font-size: 16pt; line-height: 1.8; }
.toc { break-after: page; }
.toc .toc-title { font-size: 22pt; text-align: center; margin: 0 0 12pt; }
.toc ol { list-style: none; margin: 0; padding: 0; }
.toc li { display: flex; align-items: baseline; }
.toc li a { color: inherit; text-decoration: none; }
.toc li a.num:empty::after { content: target-counter(attr(href), page); }  /* engines with CSS GCPM */
.toc li .dots { flex: 1; border-bottom: 1.5pt dotted #000; margin: 0 4pt; transform: translateY(-5pt); }
section.case { break-before: page; }
h1 { font-size: 22pt; line-height: 1.5; text-align: center; margin: 0 0 8pt; }
h2, h3, h4, h5, h6 { font-size: 16pt; line-height: 28.9pt; margin: 0; text-indent: 2em; break-after: avoid; }
h2 { font-family: "黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-weight: normal; }
h3 { font-family: "楷体_GB2312", "楷体", "KaiTi", "Noto Serif CJK SC", serif; font-weight: normal; }
h4, h5, h6 { font-weight: bold; }
p { margin: 0; text-indent: 2em; }
.slogan { text-align: center; text-indent: 0; margin-bottom: 8pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 12pt; font-size: 12pt; line-height: 1.5; break-inside: auto; }
th, td { border: 0.75pt solid #000; padding: 2pt 5pt; text-align: left; vertical-align: top; }
th { font-weight: bold; }
td p, th p, li p, blockquote p { text-indent: 0; }
table.facts th { width: 32mm; white-space: nowrap; }
img.logo { display: block; margin: 0 auto 6pt; object-fit: contain; }
figure.cover-photo { margin: 0 0 10pt; }
figure { margin: 6pt 0 8pt; text-align: center; break-inside: avoid; }
figure img { display: block; margin: 0 auto; }
figcaption { font-size: 14pt; line-height: 1.5; }
ul, ol { margin: 0; padding-left: 2em; }
blockquote { margin: 0 0 0 2em; }
pre { font-size: 10.5pt; line-height: 1.4; white-space: pre-wrap; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; }
"""

TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>{{ css }}
{%- if front %}
@page :first { @bottom-center { content: none; } }{% endif %}
{%- if first_page %}
@page :first { counter-increment: page {{ first_page }}; }{% endif %}</style></head>
<body>
{%- if front %}
<div class="cover">
  <p class="cover-title title-font">{{ title }}</p>
  {% if subtitle %}<p class="subtitle">{{ subtitle }}</p>{% endif %}
  <div class="bottom"><div>{{ organizer }}</div><div>{{ date_text }}</div></div>
</div>
<nav class="toc" aria-label="目录">
  <p class="toc-title title-font">目&emsp;录</p>
  <ol>{% for case in toc %}
    <li><a href="{{ link }}{{ loop.index }}">{{ case.title }}</a><span class="dots"></span><a class="num" href="{{ link }}{{ loop.index }}">{{ pages[loop.index0] }}</a></li>{% endfor %}
  </ol>
</nav>
{%- endif %}
{% for number, case, body in cases %}
<section class="case" id="case-{{ number }}">
  {% if case.logo %}<img class="logo" src="{{ case.logo.path.as_uri() }}" alt="{{ case.title }}标识"
       style="width:{{ case.logo.width_mm }}mm;height:{{ case.logo.height_mm }}mm">{% endif %}
  <h1>{{ case.title }}</h1>
  {% if case.slogan %}<p class="slogan">“{{ case.slogan }}”</p>{% endif %}
  {% if case.cover %}<figure class="cover-photo"><img src="{{ case.cover.path.as_uri() }}" alt="{{ case.title }}"
       style="width:{{ case.cover.width_mm }}mm;height:{{ case.cover.height_mm }}mm"></figure>{% endif %}
  <table class="facts">{% for label, value in case.facts %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>{% endfor %}
  <tr><th>简介</th><td>{{ case.description }}</td></tr></table>
  {% if case.honors %}<h2>所获荣誉</h2>{% for honor in case.honors %}<p>★ {{ honor }}</p>{% endfor %}{% endif %}
  {{ body }}
</section>{% endfor %}
</body></html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_TEMPLATE = _ENV.from_string(TEMPLATE)


def body_html(case: Case) -> Markup:
    """A case's sanitised body with photos as ``<figure>`` (rendition file, print size, caption from the alt text)."""
    tree = copy.deepcopy(case.body)  # a copy: the Word writer walks the same tree
    for img in list(tree.iter("img")):
        photo = case.photos.get(img.get("src", ""))
        parent = img.getparent()
        if photo is None:
            parent.remove(img)
            continue
        figure = etree.Element("figure")
        new = etree.SubElement(figure, "img", src=photo.path.as_uri(), alt=img.get("alt", ""),
                               style=f"width:{photo.width_mm}mm;height:{photo.height_mm}mm")
        del new  # attributes set above are ours, not the writer's
        if img.get("alt"):
            etree.SubElement(figure, "figcaption").text = img.get("alt")
        figure.tail = img.tail
        if parent.tag == "p":  # a block inside a paragraph: put it after the paragraph
            parent.addnext(figure)
            figure.tail = None
            if img.tail:
                after = etree.Element("p")
                after.text = img.tail
                figure.addnext(after)
            parent.remove(img)
        else:
            parent.replace(img, figure)
    for h1 in tree.iter("h1"):  # the case title is the only h1: one outline entry per case
        h1.tag = "h2"
    inner = (tree.text or "") + "".join(tostring(child, encoding="unicode") for child in tree)
    return Markup(inner)


def render_html(cases: list[Case], *, title: str, subtitle: str, organizer: str, date_text: str,
                pages: list[str] | None = None) -> str:
    """The whole compilation as one HTML document (how WeasyPrint would print it; Chromium prints in batches)."""
    return _TEMPLATE.render(css=Markup(CSS), front=True, toc=cases, link="#case-", pages=pages or ["" for _ in cases],
                            cases=[(n, c, body_html(c)) for n, c in enumerate(cases, 1)], first_page=None,
                            title=title, subtitle=subtitle, organizer=organizer, date_text=date_text)


def render_front(cases: list[Case], pages: list[str], *, title: str, subtitle: str, organizer: str, date_text: str) -> str:
    """Cover and contents; each contents entry links to ``dj-case:<n>``, which the merge points at the case's page."""
    return _TEMPLATE.render(css=Markup(CSS), front=True, toc=cases, link=TOC_LINK, pages=pages, cases=[], first_page=None,
                            title=title, subtitle=subtitle, organizer=organizer, date_text=date_text)


def render_batch(cases: list[Case], first: int, first_page: int, *, title: str) -> str:
    """The cases ``first`` (1-based) onwards as one document whose first page is numbered ``first_page``."""
    return _TEMPLATE.render(css=Markup(CSS), front=False, cases=[(n, c, body_html(c)) for n, c in enumerate(cases, first)],
                            first_page=first_page, title=title)


def write_pdf(cases: list[Case], path: Path, *, title: str, subtitle: str, organizer: str, date_text: str,
              allowed_dirs: list[Path], batch_cases: int | None = None) -> None:
    """Print the compilation to ``path`` with Chromium, ``batch_cases`` (BATCH_CASES) cases per print, merged with pypdf.

    Order of the prints: the front (cover and contents) with placeholder numbers, to learn how many
    pages it takes; the batches, each numbered on from the one before, their outlines telling where
    each case starts; the front again with those page numbers (and, should the real numbers change
    its length, the batches once more).  Chromium's time per page grows with the document's length,
    so printing in batches keeps the time per case constant.
    """
    from playwright.sync_api import sync_playwright

    fields = {"title": title, "subtitle": subtitle, "organizer": organizer, "date_text": date_text}
    size = max(1, batch_cases or BATCH_CASES)
    batches = [cases[i:i + size] for i in range(0, len(cases), size)]
    with tempfile.TemporaryDirectory(prefix="dj-export-") as tmp:
        work = Path(tmp)
        allowed = [str(d.resolve()) for d in [work, *allowed_dirs]]
        with sync_playwright() as p:
            browser = _launch(p)
            try:
                page = _new_page(browser, allowed)

                def print_to(name: str, html: str) -> Path:
                    out = work / f"{name}.pdf"
                    _print(page, work / f"{name}.html", html, out)
                    return out

                # Placeholder numbers as wide as the real ones can be (a case takes at most ~99 pages).
                placeholder = "8" * len(str(2 + 99 * len(cases)))
                front = print_to("front-0", render_front(cases, [placeholder] * len(cases), **fields))
                front_pages = _page_count(front)
                for attempt in range(1, 4):
                    parts, starts, next_page = [], [], front_pages + 1
                    for index, batch in enumerate(batches):
                        part = print_to(f"cases-{attempt}-{index}", render_batch(batch, len(starts) + 1, next_page, title=title))
                        offsets = outline_pages(part)
                        if len(offsets) != len(batch):  # one top-level bookmark per case (its only <h1>)
                            raise RuntimeError(f"PDF 书签数 {len(offsets)} 与篇目数 {len(batch)} 不符")
                        starts += [next_page + offset - 1 for offset in offsets]
                        next_page += _page_count(part)
                        parts.append(part)
                    front = print_to(f"front-{attempt}", render_front(cases, [str(n) for n in starts], **fields))
                    if _page_count(front) == front_pages:
                        break
                    front_pages = _page_count(front)
            finally:
                browser.close()
        merge_pdf(front, parts, starts, path, title=title, author=organizer)


def merge_pdf(front: Path, parts: list[Path], starts: list[int], path: Path, *, title: str, author: str) -> None:
    """Front and batches as one PDF: the batches' bookmarks kept, the contents' links to the cases' pages."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject, NullObject, TextStringObject

    writer = PdfWriter()
    writer.append(PdfReader(front), import_outline=False)
    front_pages = len(writer.pages)
    for part in parts:
        writer.append(PdfReader(part))  # its outline too, pointing at the appended pages
    for page in writer.pages[:front_pages]:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(TOC_LINK):
                continue
            target = writer.pages[starts[int(uri.removeprefix(TOC_LINK)) - 1] - 1]
            del annot["/A"]
            annot[NameObject("/Dest")] = ArrayObject([target.indirect_reference, NameObject("/XYZ"),
                                                      NullObject(), NullObject(), NullObject()])
    writer.add_metadata({"/Title": title, "/Author": author, "/Creator": "./dev.sh export"})
    writer.root_object[NameObject("/Lang")] = TextStringObject("zh-CN")
    writer.page_mode = "/UseOutlines"  # the bookmarks panel open, as the guide promises
    with open(path, "wb") as handle:
        writer.write(handle)


def _new_page(browser, allowed: list[str]):
    """A page with JavaScript off that loads nothing but the compilation's own files."""
    context = browser.new_context(java_script_enabled=False)

    def guard(route):
        url = route.request.url
        local = url.startswith("file://") and any(_file_path(url).startswith(a + "/") for a in allowed)
        route.continue_() if local else route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(PRINT_TIMEOUT_MS)  # a 1,000-page compilation takes minutes on an old PC
    return page


def _page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def _file_path(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path)


def _print(page, html_path: Path, html: str, out: Path) -> None:
    html_path.write_text(html, encoding="utf-8")
    page.goto(html_path.as_uri(), wait_until="load")
    page.pdf(path=str(out), prefer_css_page_size=True, print_background=True, outline=True, tagged=True)
