"""Hostile input: what writers' machines and careless copies really produce.

One project holds every kind of bad input next to good content; it is built
once for real (``mkdocs build``).  Each case must end in a clear Chinese
message naming the file (and line) and the fix, or be handled correctly; the
build never shows a traceback, the good content is still published, and no
source file is changed by the build.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, brand_text, doc_text, make_project, run_build
from PIL import Image

from dangjian.loader import load_site

STUDY = {"title": "学习资料", "date": "2026-03-01", "description": "一篇学习资料。"}
TOPICS = "lilun:\n  title: 理论学习\n"
BIG_BYTES = 20 * 1024 * 1024


def jpeg(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def snapshot(project: Path) -> dict[str, str]:
    """Digest of every source file (the build output and caches excluded)."""
    result = {}
    for path in sorted(project.rglob("*")):
        rel_path = path.relative_to(project).as_posix()
        if rel_path.startswith(("site/", ".cache/")) or path.is_dir():
            continue
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        result[rel_path] = hashlib.sha256(data).hexdigest()
    return result


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Write the hostile project, build it once, return (project, build, sources before, after)."""
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("机密：不应出现在网站上", encoding="utf-8")
    (outside / "photo.jpg").write_bytes(jpeg())
    (outside / "stolen").mkdir()
    (outside / "stolen" / "index.md").write_text(brand_text(title="外部品牌"), encoding="utf-8")

    good = brand_text(title="红心理财")
    gbk = brand_text(title="记事本品牌").replace("\n", "\r\n").encode("gbk")
    bom_crlf = b"\xef\xbb\xbf" + brand_text(title="带BOM品牌").replace("\n", "\r\n").encode("utf-8")
    tabs = brand_text(title="Tab品牌").replace("honors:\n- ", "honors:\n\t- ")
    anchors = brand_text(title="锚点品牌").replace("slogan: 红心向党 理财为民", "slogan: &s 红心向党\nbranch2: *s")
    tagged = brand_text(title="标签品牌").replace("slogan: 红心向党 理财为民", "slogan: !!python/object/apply:os.system ['touch /tmp/pwned']")
    big = brand_text(title="超大品牌") + ("党建引领，服务群众。" * 10 + "\n") * (BIG_BYTES // 300)
    project = make_project(base / "project", brands={
        "hong-xin": {"index.md": good, "photo-1.jpg": jpeg()},
        "ji-shi-ben": {"index.md": gbk},
        "bom-crlf": {"index.md": bom_crlf},
        "tab-yaml": tabs,
        "mao-dian": anchors,
        "biao-qian": tagged,
        "kong-wen-jian": {"index.md": b""},
        "chao-da": big,
        "Hong-Xin": brand_text(title="大小写重复"),
        "hong xin 2": brand_text(title="带空格"),
        "红心理财": brand_text(title="中文文件夹"),
        "tu-pian-wai-lian": {"index.md": brand_text(title="外链图片") + "\n![照片](photo.jpg)\n"},
        "kong-ge-tu-pian": {"index.md": brand_text(title="空格图片") + "\n![党员活动](<党员活动 照片.jpg>)\n",
                            "党员活动 照片.jpg": jpeg((30, 30, 200))},
        "mi-mi": {"index.md": brand_text(title="带外链文件")},
    }, docs={
        "study/topics.yml": TOPICS,
        "study/lilun/hao-wen-zhang.md": doc_text(STUDY),
        "study/lilun/kong.md": "",
        "study/lilun/da-wen-jian.md": doc_text(STUDY) + ("学习贯彻党的二十大精神。" * 20 + "\n") * (BIG_BYTES // 600),
        "study/lilun/学习 笔记.md": doc_text(STUDY),
        "study/lilun/Hao-Wen-Zhang.md": doc_text(STUDY),
    })
    brands = project / "brands"
    (brands / "tu-pian-wai-lian" / "photo.jpg").symlink_to(outside / "photo.jpg")
    (brands / "mi-mi" / "secret.txt").symlink_to(outside / "secret.txt")
    (brands / "wai-bu").symlink_to(outside / "stolen", target_is_directory=True)
    before = snapshot(project)
    start = time.monotonic()
    result = run_build(project)
    seconds = time.monotonic() - start
    return project, result, before, snapshot(project), seconds


def problems_for(hostile, path: str) -> list[str]:
    """Log lines of the build that name ``path``."""
    _, result, *_ = hostile
    return [line for line in result.output.splitlines() if path in line]


def test_build_survives_without_traceback_and_changes_no_source(hostile):
    project, result, before, after, seconds = hostile
    assert "Traceback" not in result.output, result.output[-3000:]
    assert result.returncode == 0, result.output[-3000:]
    assert before == after
    assert result.exists("brands/hong-xin/") and result.exists("study/lilun/hao-wen-zhang/")
    assert not Path("/tmp/pwned").exists()
    assert seconds < 120  # the two 20 MB files are refused, not rendered


def test_gbk_markdown_names_encoding_and_one_command_fix(hostile):
    lines = problems_for(hostile, "brands/ji-shi-ben/index.md")
    assert len(lines) == 1 and "GBK" in lines[0] and "UTF-8" in lines[0]
    assert 'python scripts/fix_encoding.py "brands/ji-shi-ben/index.md"' in lines[0]
    assert not hostile[1].exists("brands/ji-shi-ben/")


@pytest.mark.skipif(not (REPO / "scripts" / "fix_encoding.py").exists(), reason="scripts/fix_encoding.py not written yet")
def test_fix_encoding_command_converts_gbk_to_utf8(tmp_path):
    text = brand_text(title="记事本品牌").replace("\n", "\r\n")
    path = tmp_path / "brands" / "ji-shi-ben" / "index.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("gbk"))
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "fix_encoding.py"), str(path)],
                          capture_output=True, text=True, encoding="utf-8", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert path.read_bytes().decode("utf-8").replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_bom_and_crlf_are_accepted(hostile):
    _, result, *_ = hostile
    assert problems_for(hostile, "brands/bom-crlf/") == []
    assert "带BOM品牌" in result.html("brands/bom-crlf/")


@pytest.mark.parametrize("slug, words", [
    ("tab-yaml", ["Tab", "两个空格"]),
    ("mao-dian", ["锚点（&）"]),
    ("biao-qian", ["标签（!）"]),
])
def test_yaml_tabs_anchors_and_tags_are_refused_with_line(hostile, slug, words):
    lines = problems_for(hostile, f"brands/{slug}/index.md:")
    assert lines, f"no message for {slug}"
    assert all(word in lines[0] for word in words), lines
    assert not hostile[1].exists(f"brands/{slug}/")


def test_empty_files_are_reported(hostile):
    assert any("缺少 front matter" in line for line in problems_for(hostile, "brands/kong-wen-jian/index.md"))
    assert any("缺少 front matter" in line for line in problems_for(hostile, "docs/study/lilun/kong.md"))
    assert not hostile[1].exists("study/lilun/kong/")


def test_20mb_markdown_is_refused_quickly(hostile):
    for path in ("brands/chao-da/index.md", "docs/study/lilun/da-wen-jian.md"):
        lines = problems_for(hostile, path)
        assert lines and "文件过大" in lines[0] and "拆分" in lines[0], lines
    assert not hostile[1].exists("brands/chao-da/") and not hostile[1].exists("study/lilun/da-wen-jian/")


def test_slugs_differing_only_in_case(hostile):
    lines = problems_for(hostile, "brands/Hong-Xin/")
    assert lines and "仅大小写不同" in lines[0] and "brands/hong-xin" in lines[0], lines
    lines = problems_for(hostile, "docs/study/lilun/Hao-Wen-Zhang.md")
    assert lines and "仅大小写不同" in lines[0], lines
    assert "红心理财" in hostile[1].html("brands/hong-xin/")


def test_names_with_spaces_or_chinese(hostile):
    for path, suggestion in (("brands/hong xin 2/", "hong-xin-2"), ("brands/红心理财/", "hong-xin-li-cai"),
                             ("docs/study/lilun/学习 笔记.md", "xue-xi-bi-ji.md")):
        lines = problems_for(hostile, path)
        assert lines and "不能用作网址" in lines[0] and suggestion in lines[0], (path, lines)
    # An image whose file name has spaces and Chinese is published and shown.
    html = hostile[1].html("brands/kong-ge-tu-pian/")
    assert problems_for(hostile, "brands/kong-ge-tu-pian/") == []
    assert "党员活动" in html and "<img" in html


def test_symlinks_out_of_the_repository_are_refused(hostile):
    project, result, *_ = hostile
    lines = problems_for(hostile, "brands/tu-pian-wai-lian/index.md")
    assert lines and "不在本文件夹内" in lines[0]
    lines = problems_for(hostile, "brands/wai-bu")
    assert lines and "项目文件夹之外" in lines[0], lines
    assert not result.exists("brands/wai-bu/")
    lines = problems_for(hostile, "brands/mi-mi/secret.txt")
    assert lines and "项目文件夹之外" in lines[0], lines
    published = [p for p in result.site.rglob("*") if p.is_file()]
    assert not any("机密" in p.read_text(encoding="utf-8", errors="ignore") for p in published if p.suffix in {".txt", ".html", ".json"})
    assert not result.exists("brands/mi-mi/secret.txt")


def test_core_loads_hostile_project_without_exception(hostile):
    project = hostile[0]
    site = load_site(project, project / "docs")
    assert {b.slug for b in site.brands} >= {"hong-xin", "bom-crlf", "kong-ge-tu-pian"}
    assert all(p.message for p in site.problems)
