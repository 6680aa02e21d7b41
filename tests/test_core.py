"""Fast tests of the MkDocs-free core: loading, validation messages, rendering."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import brand_text, doc_text, make_project

from dangjian.loader import load_site, slugify
from dangjian.problems import Severity
from dangjian.render import compute_coverage, relurl, render_showcase_pages
from dangjian.sources import decode_source, parse_front_matter


def load(tmp_path: Path, **kwargs):
    root = make_project(tmp_path / "p", **kwargs)
    return load_site(root, root / "docs")


def messages(site) -> str:
    return "\n".join(p.format() for p in site.problems)


def test_core_does_not_import_mkdocs():
    import importlib

    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.startswith("dangjian")}
    try:
        before = {m for m in sys.modules if m.startswith("mkdocs")}
        for module in ("dangjian.loader", "dangjian.render", "dangjian.generate", "dangjian.postpass"):
            importlib.import_module(module)
        assert {m for m in sys.modules if m.startswith("mkdocs")} == before
    finally:  # later tests hold the first imports: functions sent to worker processes must match them
        for name in [m for m in sys.modules if m.startswith("dangjian")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_valid_brand_loads_with_unit_by_short_name(tmp_path):
    site = load(tmp_path, brands={"hongxin": brand_text()})
    assert site.problems == []
    [brand] = site.brands
    assert brand.unit.name == "江城市财政局"
    assert brand.category.name == "党建业务融合"
    assert brand.url == "brands/hongxin/"


def test_missing_required_field_names_file_line_and_fix(tmp_path):
    site = load(tmp_path, brands={"a": brand_text(description=None)})
    [p] = site.problems
    assert p.path == "brands/a/index.md" and p.field == "description" and p.line == 1
    assert "缺少必填字段“description”" in p.message and "description:" in p.fix
    assert site.brands == []


def test_unknown_key_suggests_the_right_one(tmp_path):
    site = load(tmp_path, brands={"a": brand_text(catagory="为民服务")})
    [p] = site.problems
    assert p.field == "catagory" and "未知字段" in p.message and "category" in p.fix
    assert p.line == 14  # the line of `catagory:` in the file (front matter starts on line 2)


def test_wrong_types(tmp_path):
    site = load(tmp_path, brands={"a": brand_text(year="二〇二一", featured="是", tags="党建", date="2026/3/5")})
    by_field = {p.field: p for p in site.problems}
    assert "应为整数" in by_field["year"].message
    assert "true 或 false" in by_field["featured"].message
    assert "应为列表" in by_field["tags"].message
    assert "日期" in by_field["date"].message and "2026-03-15" in by_field["date"].fix


def test_unregistered_unit_and_category_name_closest(tmp_path):
    site = load(tmp_path, brands={"a": brand_text(unit="江城市财政", category="党建融合")})
    text = messages(site)
    assert "单位“江城市财政”未在 brands/units.yml 中登记" in text and "江城市财政局" in text
    assert "类别“党建融合”未在 brands/categories.yml 中登记" in text and "党建业务融合" in text


def test_bad_slug_and_missing_images(tmp_path):
    site = load(tmp_path, brands={
        "Hong_Xin": brand_text(),
        "b": brand_text(logo="logo.png") + "\n![合影](photo-1.JPG)\n",
    })
    text = messages(site)
    assert "文件夹名“Hong_Xin”不能用作网址" in text and "hong-xin" in text
    assert "找不到图片“logo.png”" in text
    missing = next(p for p in site.problems if "photo-1.JPG" in p.message)
    assert missing.line == 21 and missing.column == 1


def test_reserved_brand_folder_name_is_refused(tmp_path):
    site = load(tmp_path, brands={"page": brand_text(), "hongxin": brand_text(title="红心")})
    assert [b.slug for b in site.brands] == ["hongxin"]
    problem = next(p for p in site.problems if p.path == "brands/page/index.md")
    assert "保留的网址" in problem.message and "page-pinpai" in problem.fix


def test_image_escaping_bundle_is_refused(tmp_path):
    site = load(tmp_path, brands={"a": brand_text() + "\n![x](../b/photo.jpg)\n![y](/etc/passwd)\n"})
    text = messages(site)
    assert "不在本文件夹内" in text and "绝对路径" in text


def test_malformed_yaml_reports_line(tmp_path):
    text = "---\ntitle: 红心理财\nunit: 市财政局\n\tcategory: 党建业务融合\n---\n正文\n"
    site = load(tmp_path, brands={"a": text})
    [p] = site.problems
    assert p.line == 4 and "Tab" in p.message + p.fix


def test_yaml_anchors_and_tags_refused(tmp_path):
    text = "---\ntitle: &t 红心\nunit: *t\ncategory: !!python/object:os.system x\n---\n"
    site = load(tmp_path, brands={"a": text})
    assert any("锚点" in p.message for p in site.problems)
    assert any("标签" in p.message for p in site.problems)


def test_duplicate_key_reported():
    fm, problems = parse_front_matter("---\ntitle: a\ntitle: b\n---\nx", "f.md")
    assert fm is None and "重复出现" in problems[0].message and problems[0].line == 3


def test_invalid_date_value_does_not_crash(tmp_path):
    site = load(tmp_path, brands={"a": brand_text().replace("'2026-03-15'", "2026-13-45")})
    assert site.brands == [] and any("日期" in p.fix for p in site.problems)


def test_gbk_bom_and_crlf():
    gbk = "---\ntitle: 红心\n---\n".encode("gbk")
    result = decode_source(gbk, "brands/a/index.md")
    assert result.text is None and "GBK" in result.problems[0].message
    assert "scripts/fix_encoding.py" in result.problems[0].fix
    ok = decode_source("\ufeff---\r\ntitle: 红心\r\n---\r\n正文".encode(), "x.md")
    assert ok.text == "---\ntitle: 红心\n---\n正文"


def test_drafts_are_excluded_everywhere(tmp_path):
    site = load(tmp_path, brands={"a": brand_text(), "d": brand_text(title="草稿品牌", draft=True)},
                docs={"models/m.md": doc_text({"title": "草稿", "unit": "市税务局", "year": 2025, "description": "d",
                                               "date": "2025-01-01", "draft": True})})
    assert [b.slug for b in site.brands] == ["a"]
    assert site.draft_brands == {"brands/d"}
    assert "models/m.md" in site.excluded_docs and site.models == []


def test_unregistered_unit_in_model(tmp_path):
    site = load(tmp_path, docs={"models/m.md": doc_text({"title": "t", "unit": "市财政", "year": 2025, "description": "d",
                                                           "date": "2025-01-01"})})
    assert "未在 brands/units.yml 中登记" in messages(site) and "models/m.md" in site.excluded_docs


def test_registry_errors(tmp_path):
    site = load(tmp_path, units=[
        {"name": "江城市财政局", "short": "市财政局", "group": "经济"},
        {"name": "江城市财政局", "short": "财政", "group": "经济"},
        {"name": "江城市税务局", "short": "市税务局"},
    ])
    text = messages(site)
    assert "缺少必填字段“group”" in text and "重复登记" in text


def test_coverage_counts(tmp_path):
    site = load(tmp_path, brands={"a": brand_text(), "b": brand_text(title="二", unit="市公安局")})
    cov = {c.group: (len(c.covered), c.total) for c in compute_coverage(site)}
    assert cov == {"经济系统": (1, 2), "政法系统": (1, 1), "社会事业系统": (0, 1)}


def test_showcase_featured_first_with_filter_data(tmp_path):
    site = load(tmp_path, brands={
        "new": brand_text(title="新品牌", date="2026-05-01"),
        "star": brand_text(title="典型品牌", date="2024-01-01", featured=True, unit="市教育局", category="为民服务"),
    })
    html = render_showcase_pages(site)[0].markdown
    assert html.index("典型品牌") < html.index("新品牌")
    assert 'data-group="社会事业系统"' in html and 'data-category="为民服务"' in html and 'data-year="2021"' in html


def test_slugify_and_relurl():
    assert slugify("市财政局") == "shi-cai-zheng-ju"
    assert relurl("brands/x/", "units/y/") == "../../brands/x/"
    assert relurl("coverage/", "") == "coverage/"


def test_reader_design_markup(tmp_path):
    """Issue #15: emblem cards without photos, a hero that leads with the name, no repeated cover,
    listing pages without side columns, the missing units first on /coverage/."""
    import json

    from dangjian.render import keep_last_pair, render_brand_page, render_coverage

    body = "## 品牌内涵\n\n![现场](photo.jpg)\n"
    site = load(tmp_path, brands={
        "plain": brand_text(title="没有照片的品牌<甲>", slogan="口号<乙>"),
        "photo": {"index.md": brand_text(title="有照片", unit="市税务局", cover="photo.jpg").replace("## 品牌内涵\n", body),
                  "photo.jpg": b"\xff\xd8\xff"},
    })
    plain = next(b for b in site.brands if b.slug == "plain")
    photo = next(b for b in site.brands if b.slug == "photo")
    showcase = render_showcase_pages(site)[0].markdown
    card = showcase.split('<li class="dj-card dj-card--emblem"', 1)[1].split("</li>", 1)[0]
    assert "没有照片的品" in card and "牌&lt;甲&gt;</span>" in card and "<甲>" not in card  # escaped
    assert "口号&lt;乙&gt;" in card and "江城市财政局" in card
    assert 'dj-card__emblem dj-placeholder' in card and ">没<" in card  # the name's first character
    assert '<li class="dj-card dj-card--photo"' in showcase
    meta = json.loads(showcase.split("---\n")[1])
    assert meta["hide"] == ["navigation", "toc", "footer"]
    page = render_brand_page(plain, site).markdown
    assert page.index("dj-hero__title") < page.index("dj-facts") < page.index("品牌内涵")
    assert "dj-hero__img" not in render_brand_page(photo, site).markdown  # the body shows the cover already
    coverage = render_coverage(site).markdown
    missing = coverage.split('<section class="dj-missing"', 1)[1].split("</section>", 1)[0]
    assert "尚未创建品牌的单位（2 个）" in missing and "江城市公安局" in missing and "江城市教育局" in missing
    assert coverage.index("dj-missing") < coverage.index("<table")
    assert "覆盖率 <strong>50%</strong>" in coverage
    # long card titles keep their last two characters together; short ones are left alone
    assert keep_last_pair("市直机关党建品牌创建示范") == '市直机关党建品牌创建<span class="dj-keep">示范</span>'
    assert keep_last_pair("红心理财") == "红心理财"
    assert keep_last_pair("<红心>理财工作示范点") == '&lt;红心&gt;理财工作示<span class="dj-keep">范点</span>'
