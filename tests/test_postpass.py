"""The post-pass beside a running engine (scripts/dangjian/postpass.py, BuiltSite).

The engine's writes are replayed from a real MkDocs build of the staged tree: pages appear in a
shuffled order, one is caught half-written, one is written again after it was processed.  The
site must come out byte-identical (pages, sitemap, search index) to the post-pass run after the
engine has finished.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from conftest import brand_text, doc_text, make_project

from dangjian.generate import QUIET_ENV, load_config, plan_site, write_stage
from dangjian.postpass import MARKER, BuiltSite, clear_for_engine, finish_built_site
from dangjian.render import page_url
from dangjian.settings import Settings


@pytest.fixture(scope="module")
def engine_output(tmp_path_factory):
    """A small project, its plan, and what MkDocs writes for its staged tree (before any post-pass)."""
    root = tmp_path_factory.mktemp("postpass")
    long_body = "\n\n".join(f"## 第{i}部分\n\n" + "三会一课制度落实情况良好，主题党日活动按月开展。" * 40 for i in range(12))
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(photo, "JPEG")
    brands = {f"brand-{i}": brand_text(title=f"品牌{i}：检察蓝·初心红") for i in range(6)}
    brands["brand-0"] = {"index.md": brand_text(title="品牌0", cover="photo.jpg") + "\n![现场](photo.jpg)\n",
                         "photo.jpg": photo.getvalue()}
    project = make_project(root / "project", brands=brands,
                           docs={"study/topics.yml": "lilun:\n  title: 理论学习\n",
                                 "study/lilun/long.md": doc_text({"title": "长篇学习材料", "date": "2026-03-15", "description": "制度落实情况汇总。"}, long_body)})
    config, problems = load_config(project / "mkdocs.yml")
    settings, _ = Settings.from_mapping(config.settings_mapping)
    plan = plan_site(config, settings)
    assert not problems and not plan.problems, plan.problems
    assert len(plan.pages) > 10 and plan.images.renditions
    stage = write_stage(plan, project / ".cache" / "stage" / "mkdocs", "mkdocs")
    raw = root / "raw"
    env = {**__import__("os").environ, **QUIET_ENV}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(stage.config_file), "-d", str(raw)],
                          cwd=stage.root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return plan, raw


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def sequential(plan, raw: Path, site: Path, changed: dict[str, bytes] | None = None) -> dict[str, str]:
    """The post-pass after the engine has finished (with ``changed`` pages as the engine's final bytes)."""
    shutil.copytree(raw, site)
    for rel, data in (changed or {}).items():
        (site / rel).write_bytes(data)
    assert finish_built_site(plan, site) == []
    return digests(site)


def page_files(plan, raw: Path) -> list[str]:
    return [f"{page_url(uri)}index.html" for uri in plan.page_uris() if (raw / page_url(uri) / "index.html").is_file()]


def replay(raw: Path, site: Path, pages: list[str]) -> None:
    """What the engine writes before its pages: assets, 404, static files."""
    wanted = set(pages)
    for path in raw.rglob("*"):
        rel = path.relative_to(raw).as_posix()
        if path.is_file() and rel not in wanted:
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, site / rel)


def test_pages_processed_while_written_equal_the_sequential_post_pass(engine_output, tmp_path):
    plan, raw = engine_output
    expected = sequential(plan, raw, tmp_path / "sequential")
    site = tmp_path / "followed" / "site"
    site.mkdir(parents=True)
    pages = page_files(plan, raw)
    assert len(pages) > 20
    built = BuiltSite(plan, site, since_ns=time.time_ns() - 1)
    built.SETTLE_NS = 0
    replay(raw, site, pages)
    order = pages[:]
    random.Random(7).shuffle(order)  # not the engine's order: the index must still number pages alike
    processed_early = 0
    for start in range(0, len(order), 5):
        for rel in order[start:start + 5]:
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_bytes((raw / rel).read_bytes())
        built.follow()
        processed_early = len(built.digests)
    assert processed_early == len(pages), "every page written was processed before the engine finished"
    assert list(site.parent.glob(".site.dj-search-*")), "the search worker keeps its files beside the site"
    assert built.finish() == []
    assert digests(site) == expected
    assert not list(site.parent.glob(".site.dj-*")), "the processed pages' and the search worker's folders are removed"


def test_half_written_and_rewritten_pages_are_never_published(engine_output, tmp_path):
    plan, raw = engine_output
    pages = page_files(plan, raw)
    half, again = pages[3], pages[-2]
    rewritten = (raw / again).read_bytes().replace("</title>".encode(), " 改</title>".encode(), 1)
    assert rewritten != (raw / again).read_bytes()
    expected = sequential(plan, raw, tmp_path / "sequential", {again: rewritten})
    site = tmp_path / "followed" / "site"
    site.mkdir(parents=True)
    built = BuiltSite(plan, site, since_ns=time.time_ns() - 1)
    built.SETTLE_NS = 0
    replay(raw, site, pages)
    for rel in pages:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        data = (raw / rel).read_bytes()
        (site / rel).write_bytes(data[: len(data) // 2] if rel == half else data)
    built.follow()
    assert built.digests and all(f"{page_url(uri)}index.html" != half for uri in built.digests), \
        "a page cut off in the middle waits for the rest"
    (site / half).write_bytes((raw / half).read_bytes())
    (site / again).write_bytes(rewritten)  # written again after it was processed
    assert built.finish() == []
    assert digests(site) == expected


def test_a_page_the_engine_never_wrote_is_reported(engine_output, tmp_path):
    plan, raw = engine_output
    site = tmp_path / "site"
    built = BuiltSite(plan, site, since_ns=time.time_ns() - 1)
    shutil.copytree(raw, site, dirs_exist_ok=True)
    missing = page_files(plan, raw)[4]
    (site / missing).unlink()
    problems = built.finish()
    assert [p.code for p in problems] == ["build"]
    assert "构建引擎没有生成这个页面" in problems[0].format()
    assert (site / "search" / "dj" / "meta.json").is_file()


def test_site_folder_emptied_photos_published_early_and_discard_leaves_nothing(engine_output, tmp_path):
    plan, raw = engine_output
    site = tmp_path / "site"
    shutil.copytree(raw, site)  # an earlier build, and a hidden folder the engines keep
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/pages\n", encoding="utf-8")
    clear_for_engine(site)
    built = BuiltSite(plan, site, since_ns=time.time_ns() - 1)
    built.SETTLE_NS = 0
    assert sorted(p.name for p in site.iterdir()) == [".git", MARKER]
    assert built.follow() is False
    assert not (site / "assets" / "images").exists(), "no photo before the engine has emptied the folder"
    (site / MARKER).unlink()  # the engine empties the folder
    built.follow()
    photos = [p for p in (site / "assets" / "images").rglob("*") if p.is_file()]
    assert photos, "photos are published while the engine converts pages"
    pages = page_files(plan, raw)[:3]
    for rel in pages:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes((raw / rel).read_bytes())
    assert built.follow() is True
    built.discard()  # the engine failed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "the processed pages' folder is removed"
    assert all((site / rel).read_bytes() == (raw / rel).read_bytes() for rel in pages), "nothing processed was put in"
    assert (site / ".git" / "HEAD").is_file()


def test_content_rules_checked_while_the_engine_runs_stop_a_strict_build(tmp_path):
    from conftest import run_build

    project = make_project(tmp_path / "project", brands={"hongxin": brand_text()},
                           docs={"guide/page.md": doc_text({"title": "指南"}, "联系 13812345678\n")})
    site = tmp_path / "out" / "site"
    built = run_build(project, strict=True, site_dir=site)
    assert built.returncode == 1
    assert "发现未打码的手机号（138****5678）" in built.output and "构建已停止" in built.output
    assert "Traceback" not in built.output
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"], "nothing left beside the site"
    assert not (site / MARKER).exists()
    relaxed = run_build(project, strict=False, site_dir=site)  # without --strict the rest is built
    assert relaxed.returncode == 0 and "发现未打码的手机号" in relaxed.output
    assert (site / "guide" / "page" / "index.html").is_file()


def test_an_output_folder_holding_the_sources_is_refused_before_anything_is_emptied(tmp_path):
    from conftest import run_build

    project = make_project(tmp_path / "project", brands={"hongxin": brand_text()})
    before = digests(project)
    for site in (project, tmp_path, project / "docs" / "out", project / "brands"):
        built = run_build(project, site_dir=site)
        assert built.returncode == 1, site
        assert "输出目录不能是项目本身、包含项目的目录或稿件目录" in built.output and "Traceback" not in built.output
        assert digests(project) == before, f"{site}: the sources must be untouched"
    assert run_build(project, site_dir=project / "site").returncode == 0
