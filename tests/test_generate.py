"""The engine-neutral generator's pieces (scripts/dangjian/generate.py) without running an engine."""

from __future__ import annotations

import io
import subprocess
import sys

import yaml
from conftest import REPO, brand_text, doc_text, make_project
from PIL import Image

from dangjian.generate import (
    image_pipeline,
    load_config,
    plan_site,
    resolve_engine,
    restage_links,
    staged_uri,
    write_stage,
)
from dangjian.postpass import fix_edit_link
from dangjian.settings import Settings

MOVED = {"tags.md": "tags/index.md", "models/x.md": "models/x/index.md", "models/y.md": "models/y/index.md",
         "index.md": "index.md", "guide/a.md": "guide/a/index.md"}


def test_staged_uri_puts_every_page_in_its_url_folder():
    assert staged_uri("units/x.md") == "units/x/index.md"
    assert staged_uri("brands/x/index.md") == "brands/x/index.md"
    assert staged_uri("index.md") == "index.md"


def test_restage_links_keeps_targets_and_leaves_code_alone():
    text = ("见 [标签](../tags.md#a)、![照片](photo.jpg \"说明\")、[另一篇](y.md)、[首页](../index.md)、[外网](http://x/a.md)\n"
            "`[代码](y.md)` 不变\n```\n[围栏](y.md)\n```\n[r]: ../guide/a.md\n")
    out = restage_links(text, "models/x.md", "models/x/index.md", MOVED)
    assert "[标签](../../tags/index.md#a)" in out
    assert '![照片](../photo.jpg "说明")' in out
    assert "[另一篇](../y/index.md)" in out and "[首页](../../index.md)" in out
    assert "[外网](http://x/a.md)" in out
    assert "`[代码](y.md)` 不变" in out and "\n[围栏](y.md)\n" in out
    assert "[r]: ../../guide/a/index.md" in out
    assert restage_links("[t](tags.md)", "index.md", "index.md", MOVED) == "[t](tags/index.md)"


def test_engine_setting_environment_first():
    config, _ = load_config(REPO / "mkdocs.yml")
    assert resolve_engine(config, {}) == ("mkdocs", [])
    assert resolve_engine(config, {"DJ_ENGINE": "Zensical"}) == ("zensical", [])
    engine, problems = resolve_engine(config, {"DJ_ENGINE": "hugo"})
    assert engine == "mkdocs" and "不认识的构建引擎“hugo”" in problems[0].format()
    assert "mkdocs、properdocs、zensical" in problems[0].format()


def test_edit_link_rewritten_or_removed():
    page = '<a href="http://git/x/_edit/main/docs/brands/a/index.md" title="编辑此页" class="md-content__button md-icon" rel="edit">E</a><h1>'
    assert fix_edit_link(page, None) == "<h1>"
    fixed = fix_edit_link(page, "http://git/x/_edit/main/brands/a/index.md")
    assert 'href="http://git/x/_edit/main/brands/a/index.md"' in fixed and 'rel="edit">E</a><h1>' in fixed


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


def test_stage_is_complete_and_sources_untouched(tmp_path):
    project = make_project(tmp_path / "p", brands={
        "hongxin": {"index.md": brand_text(cover="photo-1.jpg") + "\n![现场](photo-1.jpg)\n", "photo-1.jpg": _jpeg(), "清单.txt": "一"},
        "caogao": brand_text(title="草稿", draft=True),
    }, docs={"models/shuiwu.md": doc_text({"title": "税务局模范机关创建", "unit": "市税务局", "year": 2025, "description": "d",
                                            "date": "2025-11-01"}, "见[标签](../tags.md)。\n")})
    before = sorted((p, p.read_bytes()) for p in project.rglob("*") if p.is_file())
    config, _ = load_config(project / "mkdocs.yml")
    settings = Settings.from_mapping(config.settings_mapping)[0]
    images = image_pipeline(project, settings)
    images.workers = 1  # in this process: other tests may have re-imported the core, which worker pickling dislikes
    plan = plan_site(config, settings, images=images)
    stage = write_stage(plan, project / ".cache" / "stage" / "zensical", "zensical")
    docs = stage.docs_dir
    assert (docs / "brands/hongxin/index.md").is_file() and not (docs / "brands/caogao").exists()
    assert (docs / "units/shi-shui-wu-ju/index.md").is_file() and (docs / "tags/index.md").is_file()
    assert (docs / "brands/hongxin/photo-1.jpg").read_bytes() == b""  # a placeholder, never the photo
    assert (docs / "brands/hongxin/清单.txt").read_text(encoding="utf-8") == "一"
    model = (docs / "models/shuiwu/index.md").read_text(encoding="utf-8")
    assert model.startswith("---\n") and "dj-facts" in model and "[标签](../../tags/index.md)" in model
    assert (docs / "feed.xml").is_file() and (docs / "brands/showcase.json").is_file()
    config_data = yaml.safe_load(stage.config_file.read_text(encoding="utf-8"))
    assert "hooks" not in config_data and config_data["docs_dir"] == "docs"
    assert config_data["theme"]["variant"] == "classic" and "tags.md" not in str(config_data["nav"])
    # a brand turned draft disappears from the next stage
    (project / "brands/hongxin/index.md").write_text(brand_text(draft=True), encoding="utf-8")
    plan = plan_site(config, settings, images=images)
    write_stage(plan, project / ".cache" / "stage" / "zensical", "zensical")
    assert not (docs / "brands/hongxin").exists()
    (project / "brands/hongxin/index.md").write_text(brand_text(cover="photo-1.jpg") + "\n![现场](photo-1.jpg)\n", encoding="utf-8")
    assert sorted((p, p.read_bytes()) for p in project.rglob("*") if p.is_file() and ".cache" not in p.parts) == \
        [(p, b) for p, b in before if ".cache" not in p.parts]


def test_unknown_engine_is_a_chinese_error(tmp_path):
    project = make_project(tmp_path / "p", brands={"hongxin": brand_text()})
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "generate.py"), "build", "--strict"], cwd=project,
                          capture_output=True, text=True, encoding="utf-8", env={"DJ_ENGINE": "hugo", "PATH": "/usr/bin"})
    assert proc.returncode == 1
    assert "不认识的构建引擎“hugo”" in proc.stderr and "构建已停止" in proc.stderr and "Traceback" not in proc.stderr
