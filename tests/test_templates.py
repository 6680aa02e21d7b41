"""The templates that write the generated pages' HTML (dangjian/templates/, issue #12).

Every template is rendered with hostile values through the real code path: a project whose every
field the templates show holds HTML, attribute-breaking quotes, Markdown (emphasis, links with
``javascript:``, code, strike, attr_list braces, headings) and line breaks is loaded, and every
generated page, header and marker is rendered and then converted by Python-Markdown with the
site's extensions, as the engine would.  Nothing executable may come out, and each value must come
out as the literal text the writer typed.  A spy checks that every macro of every template ran.
"""

from __future__ import annotations

import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from conftest import CATEGORIES, REPO, UNITS, brand_text, doc_text, make_project
from PIL import Image

from dangjian import charts, preview_errors, render, templating
from dangjian.loader import load_site
from dangjian.problems import Problem, Severity
from dangjian.settings import Settings

TEMPLATES = REPO / "scripts" / "dangjian" / "templates"
#: The site's Markdown extensions (mkdocs.yml) that can give a character meaning.
EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc",
              "pymdownx.details", "pymdownx.superfences", "pymdownx.tilde"]


def hostile(key: str) -> str:
    """A value that is script, attribute break-out, Markdown and a line break at once; ``key`` names the field."""
    return (f'{key}<script>alert("{key}")</script>"\'><img src=x onerror=alert(1)> **粗{key}** _斜_ `码` ~~删~~ '
            f'[链接](javascript:alert("{key}")) ![图](x.png) {{: onclick="alert(1)" }} | a | #\n\n# 标题{key}\n\n'
            f"<div onmouseover=alert(1)>块</div> [^1] *[HTML]: x")


def short(key: str) -> str:
    """The same classes within a description's 120 characters (cards cut longer ones)."""
    return f'{key}<script>x()</script>"\'><b onclick=y()>**粗**</b>[a](javascript:z()) `c` ~~d~~ {{: #i }}\n\n# h'


#: File names are values too (they reach src and href attributes).
LOGO = "logo'\"><svg onload=alert(1)>.png"
PHOTO = "photo [x](javascript:alert(1)) '\"><svg onload=alert(1)>.png"
ATTACHMENT = "a'\"><svg onload=alert(1)>.pdf"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()

FIELDS = {
    "unit": {"name": hostile("unit-name"), "short": hostile("unit-short"), "group": hostile("unit-group")},
    "category": {"name": hostile("cat-name"), "description": hostile("cat-desc")},
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every generated page, header, attachment list and marker of the hostile project, as Markdown."""
    calls: set[tuple[str, str]] = set()

    def spy(template: str, name: str):
        calls.add((template, name))
        return templating.macro(template, name)

    root = make_project(
        tmp_path_factory.mktemp("templates") / "p",
        units=[*UNITS, FIELDS["unit"]],
        categories=[*CATEGORIES, FIELDS["category"]],
        brands={
            "e-yi": {"index.md": brand_text(title=hostile("brand-title"), unit=FIELDS["unit"]["name"],
                                            category=FIELDS["category"]["name"], description=short("brand-desc"),
                                            slogan=hostile("brand-slogan"), branch=hostile("brand-branch"),
                                            honors=[hostile("brand-honor")], tags=[hostile("brand-tag"), "普通"], featured=True,
                                            logo=LOGO),
                     LOGO: PNG},
            "er": {"index.md": brand_text(title="第二个品牌名称很长很长", unit=FIELDS["unit"]["short"], tags=["普通"],
                                          cover=PHOTO),
                   PHOTO: PNG},
            **{f"san-{n}": brand_text(title=f"普通品牌{n}") for n in range(render.BRANDS_PER_PAGE + 2)},
        },
        docs={
            "study/topics.yml": yaml.safe_dump({"lilun": {"title": hostile("topic-title"), "description": hostile("topic-desc")}},
                                               allow_unicode=True),
            "study/lilun/e-yi.md": doc_text({"title": hostile("study-title"), "issuer": hostile("study-issuer"),
                                             "doc_no": hostile("study-docno"), "date": "2026-03-01",
                                             "description": short("study-desc"), "tags": [hostile("study-tag")],
                                             "attachments": [ATTACHMENT]}),
            f"study/lilun/{ATTACHMENT}": b"%PDF-1.4\n",
            "models/e-yi.md": doc_text({"title": hostile("model-title"), "unit": FIELDS["unit"]["short"], "year": 2025,
                                        "level": hostile("model-level"), "date": "2026-02-01",
                                        "description": short("model-desc"), "tags": [hostile("model-tag")]}),
        },
    )
    settings = Settings()
    site = load_site(root, root / "docs", settings)
    assert not site.problems, [p.format() for p in site.problems]
    render.macro = charts.macro = spy  # their one way to a template
    try:
        pages = {p.src_uri: p.markdown for p in render.generate_pages(site, settings)}
        pages["stats.md"] = charts.render_stats_page(site).markdown
        study, model = site.studies[0], site.models[0]
        pages["study-header"] = render.render_study_header(study, site) + render.render_attachments(study)
        pages["model-header"] = render.render_model_header(model, site)
        markers = "".join(f"<!-- dangjian:{name} -->\n\n" for name in ("featured", "latest-brands", "latest-study",
                                                                       "entries", "stats"))
        pages["index.md"] = render.expand_markers(markers, "index.md", site, settings)
        # The preview's error boxes (serve only), with a writer's value in every part of a problem.
        preview_errors.macro = spy
        preview_errors.start("serve")
        preview_errors.reset(root, root / "docs", "brands")
        preview_errors.note([Problem("brands/e-yi/index.md", hostile("problem-message"), hostile("problem-fix"),
                                     line=3, field=hostile("problem-field")),
                             Problem(hostile("problem-path"), "值不对。", "", severity=Severity.WARNING),
                             Problem("brands/gone/index.md", "日期不对。", "改正。")])
        pages["preview-box"] = preview_errors.annotate("brands/e-yi/index.md", "正文\n", site)
        pages["preview-notice"] = preview_errors.annotate("brands/index.md", "正文\n", site, listing=True)
        for page in preview_errors.pages(site, set(pages)):
            pages[f"preview:{page.src_uri}"] = page.markdown
    finally:
        render.macro = charts.macro = preview_errors.macro = templating.macro
        preview_errors.start("build")
    return site, pages, calls


class _Scan(HTMLParser):
    """Elements, attributes and text of an HTML fragment (character references decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            compact = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if (name.startswith("on") or name in {"action", "formaction"}
                    or compact.startswith(("javascript:", "data:", "vbscript:"))):
                self.bad.append(f"<{tag} {name}={value!r}>")
        ours = tag == "svg" and ("class", "dj-chart__svg") in attrs  # charts.py's charts
        if tag in {"script", "iframe", "object", "embed", "style", "svg", "math", "base", "meta"} and not ours:
            self.bad.append(f"<{tag}>")

    def handle_data(self, data):
        self.text.append(data)


def _to_html(page: str, inline: bool = False) -> str:
    """``page`` converted as the engine would; ``inline`` makes every line part of a paragraph first.

    Python-Markdown leaves the inside of a raw HTML block alone, so a value there is inert even
    unescaped.  As inline HTML in a paragraph (where a fragment may also be put) only the escaping
    keeps the value's Markdown from being applied: the inline pass tests that.
    """
    body = page.split("\n---\n", 1)[1] if page.startswith("---\n") else page
    if inline:
        body = "\n".join(f"段落 {line}" if line.strip() else line for line in body.splitlines())
    return markdown.Markdown(extensions=EXTENSIONS).convert(body)


@pytest.mark.parametrize("inline", [False, True], ids=["blocks", "inline"])
def test_no_value_becomes_markup_in_any_generated_page(rendered, inline):
    _, pages, _ = rendered
    for uri, page in pages.items():
        html = _to_html(page, inline)
        scan = _Scan()
        scan.feed(html)
        assert not scan.bad, (uri, scan.bad)
        # The templates write no emphasis, code, strike, abbreviation or footnote: any here came from a value
        # (a value's <div>, <b> or <img> would carry its on… attribute, caught above), nor a second page title.
        for tag in ("em", "code", "del", "s", "abbr", "sup"):
            assert tag not in scan.tags, (uri, tag, html[:2000])
        assert scan.tags.count("h1") <= 1, (uri, html[:2000])


def test_every_value_comes_out_as_the_literal_text_typed(rendered):
    _, pages, _ = rendered
    texts = {}
    for uri, page in pages.items():
        scan = _Scan()
        scan.feed(_to_html(page))
        texts[uri] = "".join(scan.text)
    everything = "\n".join(texts.values())
    keys = ["unit-name", "unit-short", "unit-group", "cat-name", "cat-desc", "brand-title", "brand-slogan", "brand-branch",
            "brand-honor", "brand-tag", "topic-title", "study-title", "study-issuer", "study-docno", "study-tag",
            "model-title", "model-level", "model-tag"]
    for key in keys:
        assert hostile(key) in everything, key
    for key in ("brand-desc", "study-desc", "model-desc"):
        assert short(key) in everything, key
    brand = texts["brands/e-yi/index.md"]
    assert hostile("brand-title") in brand and hostile("brand-honor") in brand and hostile("brand-branch") in brand


def test_every_macro_of_every_template_runs(rendered):
    """Each macro is called from Python (seen by the spy) or by another template: none is left untested."""
    *_, calls = rendered
    sources = {path.name: path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html")}
    defined = {(name, m) for name, text in sources.items() for m in re.findall(r"{%\s*macro\s+(\w+)\(", text)}
    called_inside = {m for text in sources.values() for m in re.findall(r"(?:{{|{%\s*call)\s*(\w+)\(", text)}
    missing = {(t, m) for t, m in defined if (t, m) not in calls and m not in called_inside}
    assert not missing, missing
    assert len(defined) > 30


@pytest.mark.parametrize("value", [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' onclick='alert(1)", "**粗** _斜_",
    "[点我](javascript:alert(1))", "\n\n# 标题\n\n<div onclick=alert(1)>x</div>", "`x` ~~y~~ {: onclick=z }",
])
def test_macro_values_are_html_and_markdown_inert(value):
    """The shared macros directly, in every attribute and text position they have."""
    link = templating.macro("macros.html", "link")
    paragraph = templating.macro("macros.html", "paragraph")
    for fragment in (link(value, "a/", "b/"), link(value, value, "", "dj-doc__title"), paragraph(value, "dj-lead"),
                     templating.macro("macros.html", "empty")(value), templating.macro("macros.html", "keep")(value),
                     templating.macro("home.html", "entries")([(value, value, value)], "")):
        html = markdown.Markdown(extensions=EXTENSIONS).convert(f"段落 {fragment}\n\n{fragment}")
        scan = _Scan()
        scan.feed(html)
        assert not scan.bad and not {"em", "code", "del", "h1", "div", "img", "script"} & set(scan.tags), (value, html)
        assert "\n" not in fragment  # a line break in a value can never end the HTML block


def test_templates_cannot_mark_values_safe_or_escape_differently():
    env = templating.ENV
    assert "safe" not in env.filters and "forceescape" not in env.filters
    assert env.from_string("{{ v }}|{{ v|e }}|{{ [v, v]|join(v) }}").render(v="*<a>*") == "|".join(
        ["&#42;&lt;a&gt;&#42;"] * 2 + ["&#42;&lt;a&gt;&#42;" * 3])
    with pytest.raises(ValueError):
        env.from_string('<p class="{{ c|class_names }}">').render(c='x" onclick="y')
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()


@pytest.mark.parametrize("module", [render, charts], ids=["render", "charts"])
def test_render_module_writes_no_html_itself(module):
    """HTML comes from the templates only: no string in render.py or charts.py (docstrings aside) holds a tag."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    tags = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and re.search(r"<[a-zA-Z/]", node.value)]
    allowed = [r"<!--\s*dangjian:(?P<name>[a-z-]+)\s*-->"] if module is render else []  # the marker pattern
    assert tags == allowed, tags


def test_coverage_links_every_brand_of_a_unit_with_many(tmp_path):
    """A unit with more brands than /coverage/ names: its names stay links (main wrote them as escaped text,
    because ``str + Markup`` escapes the ``str``), followed by a link to the unit's page."""
    brands = {f"b{n}": brand_text(title=f"品牌{n}<甲>") for n in range(render.COVERAGE_NAMES + 2)}
    root = make_project(tmp_path / "p", brands=brands)
    page = render.render_coverage(load_site(root, root / "docs")).markdown
    item = page.split('<li class="dj-has-brand">', 1)[1].split("</li>", 1)[0]
    assert item.count('<a href="../brands/') == render.COVERAGE_NAMES, item
    assert "&lt;a href" not in page and "&lt;甲&gt;</a>" in item  # the links are links, the titles text
    assert f'等 <a href="../units/shi-cai-zheng-ju/">{render.COVERAGE_NAMES + 2} 个品牌</a>' in item
