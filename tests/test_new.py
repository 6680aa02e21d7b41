"""The scaffold (scripts/new.py) and the encoding fixer (scripts/fix_encoding.py)."""

from __future__ import annotations

import subprocess
import sys

import yaml
from conftest import REPO, doc_text, make_project, run_build

from dangjian.checks import run_check

NEW = [sys.executable, str(REPO / "scripts" / "new.py")]


def new(root, *args):
    return subprocess.run([*NEW, *args, "--root", str(root)], capture_output=True, text=True, encoding="utf-8",
                          stdin=subprocess.DEVNULL)


def test_scaffolded_pages_are_drafts_then_build_once_draft_is_removed(tmp_path):
    # A writers' preview site: edit links are on (readers' sites leave content.action.edit out).
    theme = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]
    theme["features"] = [*theme["features"], "content.action.edit"]
    theme["custom_dir"] = str(REPO / "overrides")
    root = make_project(tmp_path / "p", docs={"study/theory/existing.md": doc_text(
        {"title": "已有资料", "date": "2026-01-01", "description": "说明。"})}, extra_config={"theme": theme})
    assert new(root, "brand", "--title", "红烛先锋", "--unit", "市财政局", "--category", "为民服务").returncode == 0
    assert new(root, "model", "--title", "财政局模范机关", "--unit", "江城市财政局").returncode == 0
    assert new(root, "study", "--title", "学习清单", "--topic", "theory").returncode == 0
    brand = root / "brands" / "hong-zhu-xian-feng" / "index.md"
    model = root / "docs" / "models" / "cai-zheng-ju-mo-fan-ji-guan.md"
    study = root / "docs" / "study" / "theory" / "xue-xi-qing-dan.md"
    texts = [p.read_text(encoding="utf-8") for p in (brand, model, study)]
    assert all("draft: true" in t for t in texts)
    for section in ("## 品牌内涵", "## 主要做法", "## 工作成效", "## 经验启示"):
        assert section in texts[0]
    assert "unit: 市财政局" in texts[0] and "category: 为民服务" in texts[0]
    # a fresh skeleton passes the review gate
    assert [p for p in run_check(root) if p.severity.value == "error"] == []
    draft = run_build(root, strict=True)
    assert draft.returncode == 0, draft.output
    assert not draft.exists("brands/hong-zhu-xian-feng/")
    # set to publish unfilled, the skeleton is refused by the check and the strict build alike
    for path, text in zip((brand, model, study), texts, strict=True):
        path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    placeholder = "第 {} 行还是模板里的“（待填写）”，这一节尚未写完。"
    brand_line = texts[0].split("\n").index("（待填写）") + 1
    messages = {(p.path, p.line, p.message) for p in run_check(root)}
    assert ("brands/hong-zhu-xian-feng/index.md", brand_line, placeholder.format(brand_line)) in messages
    description = "简介还是模板里的提示文字“请用一句话概括品牌（120 字以内）”，稿件尚未写完。"
    assert any(m[0] == "brands/hong-zhu-xian-feng/index.md" and m[2] == description for m in messages)
    assert {m[0] for m in messages} == {"brands/hong-zhu-xian-feng/index.md", "docs/models/cai-zheng-ju-mo-fan-ji-guan.md",
                                        "docs/study/theory/xue-xi-qing-dan.md"}
    unfilled = run_build(root, strict=True)
    assert unfilled.returncode == 1
    assert f"brands/hong-zhu-xian-feng/index.md:{brand_line}:1：错误：{placeholder.format(brand_line)}" in unfilled.output
    assert f"：错误：字段“description”：{description}" in unfilled.output
    # filled in, they publish
    for path, text in zip((brand, model, study), texts, strict=True):
        filled = text.replace("draft: true", "draft: false").replace("（待填写）", "已经填写的正文。")
        filled = "\n".join("description: 一句话简介。" if line.startswith("description:") else line for line in filled.split("\n"))
        path.write_text(filled, encoding="utf-8")
    built = run_build(root, strict=True)
    assert built.returncode == 0, built.output
    assert "红烛先锋" in built.html("brands/hong-zhu-xian-feng/")
    assert "财政局模范机关" in built.html("models/cai-zheng-ju-mo-fan-ji-guan/")
    assert "学习清单" in built.html("study/theory/xue-xi-qing-dan/")
    # "编辑此页" points at the real source file: brands/ for generated brand pages, docs/ otherwise
    repo = "http://git.minghu.intranet/jgdw/dangjian/_edit/main/"
    assert f'href="{repo}brands/hong-zhu-xian-feng/index.md"' in built.html("brands/hong-zhu-xian-feng/")
    assert f'href="{repo}docs/models/cai-zheng-ju-mo-fan-ji-guan.md"' in built.html("models/cai-zheng-ju-mo-fan-ji-guan/")
    assert "_edit/main" not in built.html("units/")  # listing pages have no source file


def test_scaffold_suggests_close_matches_and_refuses_to_overwrite(tmp_path):
    root = make_project(tmp_path / "p")
    bad_unit = new(root, "brand", "--title", "红烛", "--unit", "市财政", "--category", "为民服务")
    assert bad_unit.returncode == 1 and "市财政局" in bad_unit.stderr and "Traceback" not in bad_unit.stderr
    bad_cat = new(root, "brand", "--title", "红烛", "--unit", "市财政局", "--category", "为民")
    assert bad_cat.returncode == 1 and "为民服务" in bad_cat.stderr
    missing = new(root, "brand", "--title", "红烛")
    assert missing.returncode == 1 and "缺少所属单位" in missing.stderr
    assert not (root / "brands" / "hong-zhu").exists()
    assert new(root, "brand", "--title", "红烛", "--unit", "市财政局", "--category", "为民服务").returncode == 0
    index = root / "brands" / "hong-zhu" / "index.md"
    index.write_text("我的内容", encoding="utf-8")
    again = new(root, "brand", "--title", "红烛", "--unit", "市教育局", "--category", "为民服务")
    assert again.returncode == 1 and "已存在" in again.stderr
    assert index.read_text(encoding="utf-8") == "我的内容"


def test_fix_encoding_command_named_by_the_build_works(tmp_path):
    text = "---\ntitle: 红心理财\n---\n\n坚持“三会一课”。\n"
    root = make_project(tmp_path / "p", brands={"hong-xin": {"index.md": text.encode("gbk")}})
    problems = run_check(root)
    command = next(p.fix for p in problems if p.code == "encoding")
    assert 'python scripts/fix_encoding.py "brands/hong-xin/index.md"' in command
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "fix_encoding.py"), "brands/hong-xin/index.md"],
                          cwd=root, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    folder = root / "brands" / "hong-xin"
    assert (folder / "index.md").read_text(encoding="utf-8") == text
    assert (folder / ".index.md.bak").read_bytes() == text.encode("gbk")
    assert "encoding" not in [p.code for p in run_check(root)]
    again = subprocess.run([sys.executable, str(REPO / "scripts" / "fix_encoding.py"), "brands/hong-xin/index.md"],
                           cwd=root, capture_output=True, text=True, encoding="utf-8")
    assert again.returncode == 0 and "无需转换" in again.stdout
    (folder / "bin.md").write_bytes(b"\xff\xfe\x00\x81\x30")
    bad = subprocess.run([sys.executable, str(REPO / "scripts" / "fix_encoding.py"), str(folder / "bin.md")],
                         capture_output=True, text=True, encoding="utf-8")
    assert bad.returncode == 1 and "未修改" in bad.stderr


def test_scaffold_asks_for_what_is_missing(tmp_path, monkeypatch):
    import new as scaffold  # scripts/new.py

    root = make_project(tmp_path / "p")
    answers = iter(["", "学习强国", "市税务局"])  # an empty answer is asked again
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    path = scaffold.create("model", root, interactive=True)
    assert path == root / "docs" / "models" / "xue-xi-qiang-guo.md"
    assert "unit: 市税务局" in path.read_text(encoding="utf-8")


def test_a_120_character_title_gets_a_short_unique_slug(tmp_path):
    root = make_project(tmp_path / "p")
    title = ("最高人民法院最高人民检察院关于办理危害税收征管刑事案件适用法律若干问题的解释学习辅导"
             "与机关党支部结合业务工作开展专题学习研讨的具体安排和分工落实情况说明以及下一步工作打算和意见建议汇总材料"
             "（市直机关工委宣传科二〇二六年第三季度整理汇编供各党支部参考使用）")[:120]
    assert len(title) == 120
    first = new(root, "brand", "--title", title, "--unit", "市财政局", "--category", "为民服务")
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    folders = [p for p in (root / "brands").iterdir() if p.is_dir()]
    assert len(folders) == 1 and len(folders[0].name) <= 60 and folders[0].name.startswith("zui-gao-ren-min-fa-yuan")
    # a second long title sharing the first 60 characters of pinyin gets its own folder
    other = title[:100] + "第二稿" + title[103:]
    second = new(root, "brand", "--title", other, "--unit", "市财政局", "--category", "为民服务")
    assert second.returncode == 0, second.stderr
    names = sorted(p.name for p in (root / "brands").iterdir() if p.is_dir())
    assert len(names) == 2 and len(set(names)) == 2 and all(len(n) <= 60 for n in names)
    # the same title again is refused, not overwritten
    again = new(root, "brand", "--title", title, "--unit", "市财政局", "--category", "为民服务")
    assert again.returncode == 1 and "已存在" in again.stderr and "Traceback" not in again.stderr
    text = (folders[0] / "index.md").read_text(encoding="utf-8")
    assert f"title: {title}" in text


def test_interactive_scaffold_asks_again_after_a_wrong_unit_or_category(tmp_path, monkeypatch, capsys):
    import new as scaffold  # scripts/new.py

    root = make_project(tmp_path / "p")
    answers = iter(["红烛先锋", "市财政", "市财政局", "为民", "为民服务"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    path = scaffold.create("brand", root, interactive=True)
    text = path.read_text(encoding="utf-8")
    assert "unit: 市财政局" in text and "category: 为民服务" in text
    err = capsys.readouterr().err
    assert "单位“市财政”未在 brands/units.yml 中登记。是不是：" in err and "请重新输入" in err
    assert "类别“为民”未在 brands/categories.yml 中登记。是不是：为民服务？请重新输入" in err
