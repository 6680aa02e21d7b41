"""Real MkDocs builds of small projects in tmp_path, asserting on the generated HTML."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, brand_text, doc_text, make_project, run_build
from PIL import Image


def jpeg(color=(200, 30, 30), size=(320, 240)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def tree_digest(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for f in folders for p in sorted(f.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    root = tmp_path_factory.mktemp("good") / "p"
    project = make_project(root, brands={
        "hongxin": {"index.md": brand_text(featured=True, cover="photo-1.jpg") + "\n![预算评审会现场](photo-1.jpg)\n",
                    "photo-1.jpg": jpeg()},
        "jingwei": brand_text(title="警徽先锋", unit="江城市公安局", category="为民服务", year=2019, date="2025-06-01",
                              slogan=None, honors=None, branch=None, tags=["为民服务"]),
        "shuiyun": brand_text(title="税韵红帆", unit="市税务局", category="为民服务", year=2023, date="2026-01-10"),
        "caogao": brand_text(title="秘密草稿品牌", unit="市教育局", draft=True),
    }, docs={
        "models/shuiwu.md": doc_text({"title": "税务局模范机关创建", "unit": "市税务局", "year": 2025, "level": "市级模范机关",
                                      "description": "创建经验。", "date": "2025-11-01"}),
        "models/caogao.md": doc_text({"title": "草稿模范机关", "unit": "市税务局", "year": 2025, "description": "d",
                                      "date": "2025-11-01", "draft": True}),
        "study/zhengce/yaodian.md": doc_text({"title": "2026年工作要点", "issuer": "中共江城市直属机关工作委员会",
                                              "doc_no": "江直党〔2026〕3号", "date": "2026-02-01", "description": "要点。",
                                              "attachments": ["学习清单.txt"]}),
        "study/zhengce/学习清单.txt": "一、学习党章\n",
        "study/zhengce/jiude.md": doc_text({"title": "较早的通知", "issuer": "机关工委", "date": "2025-03-01", "description": "旧。"}),
        "study/zhengce/caogao.md": doc_text({"title": "草稿学习资料", "date": "2025-03-01", "description": "d", "draft": True}),
        "study/lilun/xuexi.md": doc_text({"title": "理论学习体会", "date": "2025-09-01", "description": "体会。"}),
        "study/topics.yml": "zhengce:\n  title: 政策文件\n  description: 上级和本级文件。\nlilun:\n  title: 理论学习\n",
    })
    before = tree_digest(project / "docs", project / "brands")
    result = run_build(project, strict=True)
    assert result.returncode == 0, result.output
    result.before = before
    result.project = project
    return result


def test_sources_untouched_and_no_traceback(good):
    assert tree_digest(good.project / "docs", good.project / "brands") == good.before
    assert "Traceback" not in good.output


def test_brand_page_hero_and_body(good):
    html = good.html("brands/hongxin/")
    hero = html[html.index('class="dj-hero"'):]
    for text in ("红心理财", "江城市财政局", "预算科党支部", "党建业务融合", "红心向党 理财为民", "2021年", "市直机关先锋杯一等奖", "选树典型"):
        assert text in hero, text
    assert 'href="../../units/shi-cai-zheng-ju/"' in html
    assert 'href="../../categories/dang-jian-ye-wu-rong-he/"' in html
    assert "坚持“三会一课”制度" in html
    assert html.count("<h1") == 1
    # the photo is published only as processed copies, never the original (EXIF, GPS)
    assert not good.exists("brands/hongxin/photo-1.jpg")
    # the body shows the cover photo itself, so the hero does not repeat it (issue #15); its processed copy is published
    assert 'class="dj-hero__img"' not in html
    srcs = re.findall(r'<img[^>]*src="([^"]+)"[^>]*>', html[html.index("坚持“三会一课”制度") - 2000:])
    assert srcs and all(not s.endswith("photo-1.jpg") for s in srcs)
    # a brand without logo gets a placeholder emblem; its unit is named in the hero
    assert 'dj-placeholder' in good.html("brands/jingwei/") and "市公安局" in good.html("brands/jingwei/")


def test_showcase_cards_featured_first_and_filters(good):
    html = good.html("brands/")
    cards = re.findall(r'<li class="dj-card[ "][^>]*>.*?</li>', html, re.S)
    titles = [re.search(r'dj-card__title">([^<]+)<', c).group(1) for c in cards]
    assert titles == ["红心理财", "税韵红帆", "警徽先锋"]
    assert 'data-group="政法系统"' in cards[2] and 'data-year="2019"' in cards[2]
    assert 'select name="group"' in html and 'select name="category"' in html and 'select name="year"' in html
    thumb = re.search(r'<img class="dj-card__cover" src="([^"]+)"', cards[0]).group(1)
    assert thumb.startswith("../assets/images/") and good.exists("brands/" + thumb)


def test_unit_category_and_coverage_pages(good):
    unit = good.html("units/shi-shui-wu-ju/")
    assert "税韵红帆" in unit and "税务局模范机关创建" in unit
    assert "尚未发布党建品牌" in good.html("units/shi-jiao-yu-ju/")
    assert "警徽先锋" in good.html("categories/wei-min-fu-wu/")
    coverage = good.html("coverage/")
    assert 'data-covered="3" data-total="4"' in coverage
    row = re.search(r"<tr[^>]*><th scope=\"row\">经济系统</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", coverage)
    assert row.groups() == ("2", "2", "0")
    assert re.search(r"dj-no-brand.*?江城市教育局", coverage, re.S)


def test_models_and_study_listings(good):
    models = good.html("models/")
    assert "税务局模范机关创建" in models and "市级模范机关" in models
    study = good.html("study/")
    assert study.index("2026年工作要点") < study.index("较早的通知")  # newest first
    assert "2026年2月1日" in study and "政策文件" in study and "理论学习" in study
    topic = good.html("study/zhengce/")  # the topic page lists issuer and document number; the overview only titles
    assert "江直党〔2026〕3号" in topic and "中共江城市直属机关工作委员会" in topic
    page = good.html("study/zhengce/yaodian/")
    assert "发文机关" in page and "江直党〔2026〕3号" in page and "学习清单.txt" in page
    assert good.exists("study/zhengce/学习清单.txt")
    assert "理论学习体会" in good.html("study/lilun/")
    assert not good.exists("study/topics.yml")  # the topic registry is not published


def test_drafts_absent_everywhere(good):
    assert not good.exists("brands/caogao/")
    assert not good.exists("models/caogao/") and not good.exists("study/zhengce/caogao/")
    everything = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in good.site.rglob("*")
                         if p.is_file() and p.suffix in {".html", ".xml", ".json"})
    for title in ("秘密草稿品牌", "草稿模范机关", "草稿学习资料"):
        assert title not in everything, title
    sitemap = (good.site / "sitemap.xml").read_text(encoding="utf-8")
    assert "brands/hongxin/" in sitemap and "caogao" not in sitemap
    docs = search_docs(good)
    assert docs and not [d for d in docs if "caogao" in d["u"]]
    assert 'data-covered="3"' in good.html("coverage/")  # the draft's unit is not counted


def search_docs(result) -> list[dict]:
    """The per-page records of the site's search index (search/dj/d/<id>.json)."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in (result.site / "search" / "dj" / "d").glob("*.json") if "-" not in p.name]


def test_search_index_has_brands(good):
    docs = search_docs(good)
    assert any(d["u"] == "brands/hongxin/" and d["t"] == "红心理财" for d in docs)
    jingwei = next(d for d in docs if d["u"] == "brands/jingwei/")
    assert "警徽先锋" in jingwei["x"] and "税韵红帆" not in jingwei["x"]  # related-brand cards are not its text
    assert not any(d["u"].startswith("guide/") for d in docs)  # guides stay out of readers' search by default


def test_page_size_does_not_grow_with_collection(tmp_path):
    def build(n):
        brands = {f"b{i:03d}": brand_text(title=f"品牌{i:03d}", date="2025-01-01") for i in range(n)}
        studies = {f"study/zhengce/s{i:03d}.md": doc_text({"title": f"资料{i:03d}", "date": "2025-01-01", "description": "d"})
                   for i in range(n)}
        result = run_build(make_project(tmp_path / f"n{n}", brands=brands, docs=studies))
        assert result.returncode == 0, result.output
        return result
    small, large = build(10), build(60)
    for url in ("brands/b001/", "study/zhengce/s001/", "", "units/shi-shui-wu-ju/"):
        a, b = len(small.html(url).encode()), len(large.html(url).encode())
        assert b < a * 1.05, (url, a, b)


BAD_BRANDS = {
    "ok": brand_text(),
    "missing": brand_text(category=None),
    "typo": brand_text(catagory="为民服务"),
    "wrongtype": brand_text(year="去年"),
    "unit": brand_text(unit="市财务局"),
    "cat": brand_text(category="党建融合"),
    "Bad_Slug": brand_text(),
    "yaml": "---\ntitle: 红心\nunit: 市财政局\ndescription: 一句话：冒号: 出错\n---\n正文\n",
    "image": brand_text(logo="logo.png"),
}


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    return make_project(tmp_path_factory.mktemp("bad") / "p", brands=BAD_BRANDS)


@pytest.fixture(scope="module")
def bad_strict(bad, tmp_path_factory):
    return run_build(bad, strict=True, site_dir=tmp_path_factory.mktemp("bad-site"))


@pytest.mark.parametrize("expected", [
    "brands/missing/index.md:1：错误：字段“category”：缺少必填字段“category”",
    "brands/typo/index.md:14：错误：字段“catagory”：未知字段“catagory”。 修改方法：是否想写“category”？",
    "brands/wrongtype/index.md:8：错误：字段“year”：应为整数，这里写的是 “去年”",
    "brands/unit/index.md:3：错误：字段“unit”：单位“市财务局”未在 brands/units.yml 中登记。 修改方法：改为已登记的名称，例如：",
    "brands/cat/index.md:5：错误：字段“category”：类别“党建融合”未在 brands/categories.yml 中登记",
    "brands/Bad_Slug/index.md：错误：字段“文件夹名”：文件夹名“Bad_Slug”不能用作网址。 修改方法：文件夹名只用小写字母、数字和连字符，例如改名为 bad-slug。",
    "brands/yaml/index.md:4:",
    "brands/image/index.md:14：错误：字段“logo”：找不到图片“logo.png”",
])
def test_bad_input_messages_in_strict_build(bad_strict, expected):
    result = bad_strict
    assert result.returncode != 0
    assert "构建已停止" in result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


def test_bad_input_non_strict_still_builds_the_rest(bad, tmp_path):
    result = run_build(bad, site_dir=tmp_path / "s")
    assert result.returncode == 0, result.output
    assert result.exists("brands/ok/")
    assert not result.exists("brands/typo/") and not result.exists("brands/missing/")
    assert "ERROR" in result.output and "Traceback" not in result.output


def test_malformed_registry_is_reported(tmp_path):
    project = make_project(tmp_path / "p", brands={"ok": brand_text()}, units="- name: 江城市财政局\n  short: 市财政局\n group: 经济\n")
    result = run_build(project, strict=True)
    assert result.returncode != 0 and "brands/units.yml:3" in result.output and "YAML 格式错误" in result.output
    assert "Traceback" not in result.output


def test_dirty_rebuild_keeps_the_full_search_index(good):
    before = len(search_docs(good))
    project = good.site.parent
    page = project / "docs" / "models" / "shuiwu.md"
    page.touch()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--dirty", "-d", str(good.site)], cwd=project,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert len(search_docs(good)) == before > 3


def test_search_guides_setting_indexes_guides_as_the_last_section(tmp_path):
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    extra = config.get("extra") or {}
    extra["dangjian"] = {**(extra.get("dangjian") or {}), "search_guides": True}
    project = make_project(tmp_path / "p", brands={"hongxin": brand_text()}, extra_config={"extra": extra})
    result = run_build(project)
    assert result.returncode == 0, result.output
    docs = search_docs(result)
    guides = [d for d in docs if d["u"].startswith("guide/")]
    assert guides and all(d["s"] == "使用指南" for d in guides)
    meta = json.loads((result.site / "search" / "dj" / "meta.json").read_text(encoding="utf-8"))
    order = {json.loads(p.read_text(encoding="utf-8"))["u"]: int(p.stem)
             for p in (result.site / "search" / "dj" / "d").glob("*.json") if "-" not in p.name}
    assert sorted(meta["last"]) == sorted(order[d["u"]] for d in guides)  # ranked after every other page
