"""Trust boundary (issue #12): no writer's value or markup can run script in a reader's browser.

One hostile project puts script payloads into every field and place that reaches a page
(front matter of brands, models and study materials, the unit, category and topic
registries, mkdocs.yml's site name, footer and repository name, photo file names, and raw
HTML / attr_list in Markdown bodies).  It is built once for real; every page kind is then
loaded in Chromium with a dialog handler (any alert/confirm/prompt fails the test) and a
DOM check for injected elements: no script that is not the site's own, no on* attribute,
no javascript:/data: URL, no iframe/object/embed/form action.  feed.xml and sitemap.xml are
parsed as XML.  The review gate is run on the same project and must report the decoded
values (YAML escapes such as ``\\u003cscript``), the registries and mkdocs.yml.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import quote

import markdown
import pytest
import yaml
from browser_support import DESKTOP, PHONE, RequestLog, browser, new_page, screenshot, serve
from conftest import CATEGORIES, REPO, UNITS, brand_text, doc_text, make_project, run_build
from PIL import Image

from dangjian.checks.values import check_values
from dangjian.escape import heading, text, xml_text
from dangjian.loader import load_categories, load_site
from dangjian.render import BRANDS_PER_PAGE
from dangjian.sanitize import sanitize_html, sanitize_page


def payload(key: str) -> str:
    """Every injection class at once, tagged with ``key`` so a dialog names the field that let it through."""
    return (f'红心<script>alert("{key}")</script><img src=x onerror=alert("{key}")>"><svg onload=alert("{key}")>'
            f'</title></textarea></noscript></style><img src=x onerror=alert("{key}")>'
            f"'><b onmouseover=alert(\"{key}\")>[链接](javascript:alert(\"{key}\")) *斜体* __粗__ "
            f'{{: onclick="alert(\'{key}\')" }} <a href="javascript:alert(\'{key}\')">a</a> #')


def short_payload(key: str) -> str:
    """The main injection classes within a description's 120-character limit (a longer one is an error,
    and its page would then be left out of the build instead of tested)."""
    value = (f'红<script>alert("{key}")</script>"><img src=x onerror=alert("{key}")></title>'
             f"'><b onmouseover=alert(1)>*斜*")
    assert len(value) <= 120
    return value


BODY = """
## 正文 {: onclick="alert('attr-heading')" }

<script>alert('body-script')</script>

<img src=x onerror="alert('body-img')" alt="x">

<div onmouseover="alert('body-div')">悬停</div>

<iframe src="javascript:alert('body-iframe')"></iframe>

<object data="javascript:alert('body-object')"></object><embed src="javascript:alert('body-embed')">

<form action="javascript:alert('body-form')"><button formaction="javascript:alert('body-formaction')">提交</button></form>

<style>body { display: none }</style>

<a href="javascript:alert('body-link')">链接</a> [点我](javascript:alert('md-link'))
[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)

<svg><script>alert('svg-script')</script><a xlink:href="javascript:alert('svg-xlink')"><text y="20">x</text></a>
<animate attributeName="href" to="javascript:alert('svg-animate')"/></svg>

段落 {: onclick="alert('attr-p')" style="position:fixed;inset:0" }

<details open ontoggle="alert('body-toggle')"><summary>摘要</summary>详情</details>

<noscript><p title="</noscript><img src=x onerror=alert('body-noscript')>"></p></noscript>

<a href="jav&#x09;ascript:alert('body-entity')">实体</a> <a href=" javascript:alert('body-space')">空格</a>

<math><mtext><table><mglyph><style><img src=x onerror=alert('body-mxss')></style></mglyph></table></mtext></math>

结尾段落。
"""

#: Page kinds visited in Chromium: name → site-relative URL (filled in by the fixture where slugs are derived).
PAGES = {
    "home": "",
    "showcase": "brands/",
    "brand": "brands/e-yi/",
    "coverage": "coverage/",
    "tags": "tags/",
    "stats": "stats/",
    "units": "units/",
    "categories": "categories/",
    "study": "study/",
    "topic": "study/lilun/",
    "study-page": "study/lilun/e-yi/",
    "models": "models/",
    "model": "models/e-yi/",
    "writer-page": "jie-shao/",
    "404": "404.html",
}

OUR_INLINE_SCRIPTS = ("__md_scope", "djA11y", "var target=document.getElementById(location.hash")

DOM_CHECK = """(known) => {
  const bad = [];
  const origin = location.origin;
  for (const s of document.querySelectorAll("script")) {
    if (s.src) {
      if (!s.src.startsWith(origin + "/") || !s.src.includes("/assets/javascripts/")) bad.push("script src=" + s.src);
    } else if (s.type !== "application/json" && !known.some((k) => s.textContent.includes(k))) {
      bad.push("inline script: " + s.textContent.slice(0, 80));
    }
  }
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(el.tagName + " " + a.name + "=" + a.value.slice(0, 40));
      if (/^(href|src|action|formaction|xlink:href|data|poster|background|srcset)$/i.test(a.name)
          && /^\\s*(javascript|vbscript|data)\\s*:/i.test(a.value.replace(/[\\u0000-\\u0020]/g, ""))) {
        bad.push(el.tagName + " " + a.name + "=" + a.value.slice(0, 40));
      }
    }
  }
  for (const el of document.querySelectorAll("iframe, object, embed, frame, base, form[action], meta[http-equiv]")) {
    bad.push("element " + el.tagName);
  }
  for (const el of document.querySelectorAll("style")) bad.push("style element " + el.textContent.slice(0, 40));
  for (const el of document.querySelectorAll("a[href]")) {
    if (el.protocol === "javascript:") bad.push("javascript link " + el.getAttribute("href"));
  }
  return bad;
}"""


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


UNIT = {"name": payload("unit.name"), "short": payload("unit.short"), "group": payload("unit.group")}
CATEGORY = {"name": payload("category.name"), "description": payload("category.description")}
PHOTO = "photo-'\"><svg onload=alert('file')>.jpg"
#: A writer's page whose file name is itself a payload (its URL, edit link and sitemap entry carry it).
HOSTILE_PAGE = "wen-jian-'\"><svg onload=alert('page-file')>.md"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The hostile project, built once: (project, build result)."""
    base = tmp_path_factory.mktemp("security")
    brand = brand_text(title=payload("brand.title"), unit=UNIT["name"], category=CATEGORY["name"],
                       description=short_payload("brand.desc"), slogan=payload("brand.slogan"),
                       branch=payload("brand.branch"), honors=[payload("brand.honors")],
                       tags=[payload("brand.tags"), "普通标签"], featured=True, cover=PHOTO)
    brand += BODY + f"\n![照片\"<img src=x onerror=alert('image.alt')>](<{PHOTO}>)\n"
    # A title written with YAML escapes: decoded, it is a script tag (the gate must see it).
    escaped = brand_text(title="X", unit="市财政局").replace(
        "title: X", 'title: "\\u003cscript\\u003ealert(\\"yaml-escape\\")\\u003c/script\\u003e"')
    control = brand_text(title="X", unit="市税务局").replace("title: X", 'title: "控制\\u0001字符"')
    home = doc_text({"title": payload("home.title"), "template": "home.html", "hero_kicker": payload("hero.kicker"),
                     "hero_title": payload("hero.title"), "hero_text": payload("hero.text")},
                    "<!-- dangjian:stats -->\n\n<!-- dangjian:featured -->\n\n<!-- dangjian:latest-study -->\n")
    study = doc_text({"title": payload("study.title"), "issuer": payload("study.issuer"), "doc_no": payload("study.doc_no"),
                      "date": "2026-03-01", "description": short_payload("study.desc"), "tags": [payload("study.tags")]},
                     BODY)
    model = doc_text({"title": payload("model.title"), "unit": UNIT["short"], "year": 2025, "level": payload("model.level"),
                      "date": "2026-02-01", "description": short_payload("model.desc"), "tags": [payload("model.tags")]},
                     BODY)
    extra = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]
    extra.update(organizer=payload("extra.organizer"), contact=payload("extra.contact"))
    project = make_project(
        base / "project",
        units=[*UNITS, UNIT],
        categories=[*CATEGORIES, CATEGORY],
        brands={"e-yi": {"index.md": brand, PHOTO: _jpeg()}, "yaml-escape": escaped, "kong-zhi": control,
                "pu-tong": brand_text(title="普通品牌", tags=["普通标签"]),
                # More brands than a showcase page holds: the filter then renders cards from brands/showcase.json.
                **{f"pu-tong-{n}": brand_text(title=f"普通品牌{n}") for n in range(BRANDS_PER_PAGE)}},
        docs={"index.md": home, "jie-shao.md": doc_text({"title": payload("page.title"),
                                                           "description": short_payload("page.desc")}, BODY),
              "study/topics.yml": yaml.safe_dump({"lilun": {"title": payload("topic.title"),
                                                            "description": payload("topic.description")}},
                                                 allow_unicode=True),
              "study/lilun/e-yi.md": study, "models/e-yi.md": model, HOSTILE_PAGE: doc_text({"title": "文件名"})},
        extra_config={"site_name": payload("site_name") + "\x01", "site_description": payload("site_description"),
                      "copyright": payload("copyright"), "repo_name": payload("repo_name"), "extra": extra},
    )
    result = run_build(project)
    assert result.returncode == 0, result.output[-3000:]
    assert "Traceback" not in result.output
    return project, result


def test_hostile_bodies_keep_the_search_index_head_start(hostile_site):
    """Every page, hostile bodies included, is built as the search worker guessed it while the engine
    converted pages (the sanitiser leaves their text as the guess has it): the index is built ahead
    (dangjian.search_index._Ahead) instead of after the engine."""
    _, result = hostile_site
    summary = re.search(r"搜索索引 (\d+) 页[^\n]*；(\d+) 页在转换阶段已预先分词", result.output)
    assert summary and summary.group(1) == summary.group(2), result.output[-3000:]


def test_yaml_escaped_and_control_character_values_are_handled(hostile_site):
    _, result = hostile_site
    # The control character is refused with file, line and field; that brand is not published.
    assert any("brands/kong-zhi/index.md:2" in line and "控制字符 U+0001" in line and "title" in line
               for line in result.output.splitlines()), result.output[-3000:]
    assert not result.exists("brands/kong-zhi/")
    # The YAML-escaped script is published as text.
    page = result.html("brands/yaml-escape/")
    assert "<script>alert" not in page and "&lt;script&gt;" in page.replace("&#60;", "&lt;").replace("&#62;", "&gt;")


def test_feed_and_sitemap_are_well_formed_xml_with_values_as_text(hostile_site):
    _, result = hostile_site
    feed = ET.fromstring((result.site / "feed.xml").read_bytes())
    titles = [item.findtext("title") for item in feed.iter("item")]
    assert f"党建品牌：{payload('brand.title')}" in titles
    assert feed.findtext("channel/title") == payload("site_name")  # the control character dropped, the rest text
    sitemap = ET.fromstring((result.site / "sitemap.xml").read_bytes())
    assert len(list(sitemap)) > 10


def test_showcase_json_keeps_values_as_data(hostile_site):
    _, result = hostile_site
    data = json.loads((result.site / "brands" / "showcase.json").read_text(encoding="utf-8"))
    assert any(b["t"] == payload("brand.title") for b in data["brands"])


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") or (value or "").replace(" ", "").lower().startswith(("javascript:", "data:")):
                self.found.append(f"{tag} {name}")
        if tag in {"iframe", "object", "embed", "style", "math"}:
            self.found.append(tag)


def test_no_built_page_carries_markup_from_values_or_bodies(hostile_site):
    """Every HTML file of the site, parsed: no event handler, script URL or injected element anywhere."""
    _, result = hostile_site
    pages = sorted(result.site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        html = path.read_text(encoding="utf-8")
        scan = _Tags()
        scan.feed(html)
        assert not scan.found, (path, scan.found)
        for script in _scripts(html):
            assert "alert" not in script, (path, script[:200])


def _scripts(html: str) -> list[str]:
    parts = html.split("<script")[1:]
    return [p.split("</script>")[0] for p in parts]


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def test_every_page_kind_in_chromium_runs_no_injected_script(hostile_site, chromium):
    project, result = hostile_site
    site = load_site(project, project / "docs")
    brand = next(b for b in site.brands if b.slug == "e-yi")
    tag_slug = site.tag_slugs[payload("brand.tags")]
    urls = dict(PAGES, unit=brand.unit.url, category=brand.category.url, tag=f"tags/{tag_slug}/",
                filter=f"brands/?group={quote(UNIT['group'])}&category={quote(CATEGORY['name'])}",
                file_name=quote(HOSTILE_PAGE.removesuffix(".md")) + "/")
    dialogs: list[str] = []
    log = RequestLog()
    with serve(result.site) as base:
        page = new_page(chromium, DESKTOP, log)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for name, url in urls.items():
            response = page.goto(base + url)
            assert response is not None and response.ok, (name, url)
            page.wait_for_load_state("load")
            page.mouse.move(400, 400)
            page.mouse.move(600, 500)
            bad = page.evaluate(DOM_CHECK, list(OUR_INLINE_SCRIPTS))
            assert not bad, (name, url, bad)
            assert not dialogs, (name, url, dialogs)
            if name == "filter":  # the filter matched the hostile brand by its hostile 系统 and 类别, from showcase.json
                page.wait_for_function("document.querySelector('[data-dj-filters]').getAttribute('aria-busy') !== 'true'")
                assert any(u.endswith("brands/showcase.json") for u in log.urls), "the filter did not load showcase.json"
                assert page.locator("[data-dj-cards] .dj-card:visible").count() == 1, name
                assert page.locator("[data-dj-cards] .dj-card__title").first.text_content() == payload("brand.title")
            if name == "brand":  # values are shown as the text the writer typed
                assert page.locator("h1.dj-hero__title").text_content() == payload("brand.title")
                assert page.title().startswith(payload("brand.title"))
                assert page.locator(".dj-footer").text_content().count(payload("extra.organizer")) == 1
                screenshot(page, "security-brand-desktop")
                page.set_viewport_size(PHONE)
                screenshot(page, "security-brand-phone")
                page.set_viewport_size(DESKTOP)
        # Search results are built by search-dj.js from the index: type a word of the hostile title.
        page.goto(base)
        page.locator("#dj-search-input").fill("红心")
        page.wait_for_selector(".dj-search__item", timeout=15000)
        bad = page.evaluate(DOM_CHECK, list(OUR_INLINE_SCRIPTS))
        assert not bad, ("search", bad)
        assert not dialogs, ("search", dialogs)
    assert not log.outside(base), log.outside(base)


def test_review_gate_reports_decoded_values_registries_and_config(hostile_site):
    project, _ = hostile_site
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "check.py"), "--root", str(project), "--format", "json"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 1
    problems = json.loads(done.stdout)["problems"]

    def found(path: str, code: str, field: str | None = None) -> bool:
        return any(p["path"] == path and p["code"] == code and (field is None or p["field"] == field) and p["line"]
                   for p in problems)

    assert found("brands/yaml-escape/index.md", "unsafe-html", "title")  # \u003cscript decoded
    assert found("brands/kong-zhi/index.md", "control-character", "title")
    assert found("brands/e-yi/index.md", "unsafe-html", "slogan")
    assert found("brands/units.yml", "unsafe-html", "group")
    assert found("brands/categories.yml", "unsafe-html", "description")
    assert found("docs/study/topics.yml", "unsafe-html", "lilun")
    assert found("docs/study/lilun/e-yi.md", "unsafe-html", "doc_no")
    assert found("docs/models/e-yi.md", "unsafe-html", "level")
    assert found("docs/index.md", "unsafe-html", "hero_text")
    assert found("mkdocs.yml", "unsafe-html", "extra")
    assert found("mkdocs.yml", "unsafe-html", "site_name")
    assert found("mkdocs.yml", "control-character", "site_name")
    assert found("brands/e-yi/index.md", "field-markup", "title")  # Markdown syntax shown literally: a warning


# ---------------------------------------------------------------- core, no build


def test_escaped_text_is_inert_in_markdown_headings_paragraphs_and_html_blocks():
    md = markdown.Markdown(extensions=["attr_list", "tables", "footnotes", "md_in_html", "abbr", "def_list",
                                       "pymdownx.tilde", "toc"])
    value = payload("k") + "\n\n[x](javascript:alert(1))\n# h"
    for source in (heading(1, value), f"段落 {text(value)} 结束", f'<p class="x">{text(value)}</p>',
                   f'<div title="{text(value)}">t</div>'):
        html = md.reset().convert(source)
        scan = _Tags()
        scan.feed(html)
        assert not scan.found, (source, html)
        for element in ("<script", "<svg", "<img", "<b>", "<em>", "<strong>", "<a ", "<h2", "<p onclick"):
            assert element not in html, (source, html)
        assert html.count("<h1") <= 1 and html.count("<p") <= 2 and html.count("<div") <= 1, html
    assert xml_text("a\x01b<c>&\"") == "ab&lt;c&gt;&amp;&quot;"


def test_sanitizer_strips_every_script_vector_and_keeps_the_site_markup():
    dirty = markdown.markdown(BODY, extensions=["attr_list", "md_in_html"])
    clean = sanitize_html(dirty)
    scan = _Tags()
    scan.feed(clean)
    assert not scan.found, clean
    for element in ("<script", "<iframe", "<object", "<embed", "<style", "<form action", "<math", "<animate"):
        assert element not in clean, (element, clean)
    assert "悬停" in clean and "摘要" in clean and "结尾段落" in clean  # the text around the code stays
    kept = ('<picture><source type="image/webp" srcset="a.webp 320w" sizes="50vw"><img src="a.jpg" alt="a" '
            'width="320" height="240" loading="lazy" decoding="async"></picture>'
            '<ul class="dj-cards"><li class="dj-card" data-group="g" data-year="2025"><a href="../x/" rel="next">x</a></li></ul>'
            '<span class="dj-bar" style="--dj-pct:50%"></span>'
            '<table><tbody><tr><th scope="row" style="text-align: center;">t</th></tr></tbody></table>'
            '<details class="note" open=""><summary>s</summary></details>'
            '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>')
    for fragment in ('<a class="headerlink" href="#x" title="Permanent link">¶</a>', '<time datetime="2026-01-01">t</time>'):
        assert sanitize_html(fragment) == fragment
    assert _canon(sanitize_html(kept)) == _canon(kept)
    page = '<html><body><article class="md-content__inner md-typeset"><p>a</p></article><script>ours()</script></body></html>'
    assert sanitize_page(page) == page
    sneaky = ('<article class="md-content__inner md-typeset"></article><script>alert(1)</script><p>x</p></article>'
              '<script>ours()</script>')
    assert "alert" not in sanitize_page(sneaky) and "<script>ours()</script>" in sanitize_page(sneaky)


class _Canon(HTMLParser):
    """A page as a token stream, so serialisation details (``<rect/>`` vs ``<rect></rect>``) do not count."""

    VOID: ClassVar[set[str]] = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                                "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        # The sanitiser rewrites CSS declarations in its own spelling ("text-align: center;" → "text-align:center").
        pairs = sorted((k, (v or "").replace(" ", "").rstrip(";") if k == "style" else v or "") for k, v in attrs)
        self.out.append(f"<{tag} {pairs}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if data.split():
            self.out.append(" ".join(data.split()))


def _canon(html: str) -> list[str]:
    parser = _Canon()
    parser.feed(html)
    return parser.out


def test_sanitizing_the_clean_sample_build_changes_nothing(sample_site):
    """Every page of the sample site as built (cards, <picture>, charts, filter form, footnotes…) survives."""
    pages = sorted(sample_site.site.rglob("*.html"))
    assert len(pages) > 50
    changed = [p.relative_to(sample_site.site).as_posix() for p in pages
               if _canon(sanitize_page(html := p.read_text(encoding="utf-8"))) != _canon(html)]
    assert not changed, changed


def test_category_slug_is_validated_like_brand_slugs(tmp_path):
    brands = tmp_path / "brands"
    brands.mkdir()
    (brands / "categories.yml").write_text(yaml.safe_dump([
        {"name": "好类别", "description": "d", "slug": "hao-lei-bie"},
        {"name": "坏类别", "description": "d", "slug": "Bad Slug/../x"},
        {"name": "重名", "description": "d", "slug": "hao-lei-bie"},
    ], allow_unicode=True), encoding="utf-8")
    categories, problems = load_categories(brands, tmp_path)
    assert [c.slug for c in categories] == ["hao-lei-bie", "hao-lei-bie-2"]
    assert len(problems) == 1 and problems[0].field == "slug" and "坏类别" in problems[0].message
    assert "bad-slug" in problems[0].fix


def test_control_characters_in_registries_name_file_line_and_field(tmp_path):
    project = make_project(tmp_path / "p", units="- name: 江城市财政局\n  short: 市财政局\n  group: \"经济\\u0007系统\"\n")
    site = load_site(project, project / "docs")
    problem = next(p for p in site.problems if p.code == "control-character")
    assert problem.path == "brands/units.yml" and problem.line == 1 and problem.field == "group"
    assert "U+0007" in problem.message


def test_gate_refuses_extra_keys_that_add_scripts_to_every_page(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: 站点\nextra:\n  polyfills: [https://cdn.example/p.js]\n"
                                         "  analytics:\n    provider: google\n  organizer: 机关党委\n", encoding="utf-8")
    problems = check_values(tmp_path, [], [])
    assert [(p.path, p.line, p.code) for p in problems] == [("mkdocs.yml", 3, "unsafe-html"), ("mkdocs.yml", 4, "unsafe-html")]
    assert "extra.polyfills" in problems[0].message and "extra.analytics" in problems[1].message
