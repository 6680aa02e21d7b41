#!/usr/bin/env python3
"""Start a new case from a commented skeleton (Hugo's archetypes):

    python scripts/new.py brand --title 红心理财 --unit 市财政局 --category 党建业务融合
    python scripts/new.py model --title "市财政局：……" --unit 市财政局
    python scripts/new.py study --title 学习清单 --topic theory
    python scripts/new.py brand            # asks for what is missing

Unit, category and topic are checked against the registries (close matches are
suggested), the slug comes from the title's pinyin, the file is written with
``draft: true`` and never overwrites an existing one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from pathlib import Path
from typing import Callable, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from dangjian.checks import Project  # noqa: E402
from dangjian.loader import SLUG, closest, load_categories, load_topics, load_units, resolve_unit, slugify  # noqa: E402
from dangjian.schema import PLACEHOLDER_DESCRIPTIONS, PLACEHOLDER_TEXT  # noqa: E402

T = TypeVar("T")

SECTIONS = {
    "brand": ("品牌内涵", "主要做法", "工作成效", "经验启示"),
    "model": ("基本情况", "创建做法", "创建成效", "经验启示"),
    "study": ("主要内容", "学习要点"),
}
HINTS = {
    "品牌内涵": "品牌名称的由来、含义和口号的意思，两三段即可。",
    "主要做法": "分条写具体做法，每条先用一句加粗的话概括，再写怎么做、做了多少。",
    "工作成效": "用数字和事例说明效果，可以用表格对比前后变化。",
    "经验启示": "可推广的经验，两三条。",
    "基本情况": "单位党组织和党员的基本情况、创建过程。",
    "创建做法": "分条写具体做法。",
    "创建成效": "用数字和事例说明效果。",
    "主要内容": "资料的主要内容或原文。",
    "学习要点": "需要重点把握的要点。",
}


class Refused(Exception):
    """A Chinese message for the writer; the script exits with status 1."""


def ask(label: str, value: str | None, interactive: bool) -> str:
    if value:
        return value.strip()
    if not interactive:
        raise Refused(f"缺少{label}：请用选项给出，或在终端中直接运行以逐项回答。")
    while True:
        answer = input(f"{label}：").strip()
        if answer:
            return answer


def unknown(label: str, value: str, names: list[str], registry: str) -> str:
    """The Chinese message for a unit, category or topic that is not registered, with close matches."""
    near = closest(value, names)
    hint = f"是不是：{'、'.join(near)}？" if near else f"可选：{'、'.join(names[:8])}{'等' if len(names) > 8 else ''}。"
    return f"{label}“{value}”未在 {registry} 中登记。{hint}"


def choose(label: str, prompt: str, value: str | None, names: list[str], registry: str,
           resolve: Callable[[str], T | None], interactive: bool) -> T:
    """Resolve an answer against a registry; in a terminal a wrong answer is asked again."""
    while True:
        value = ask(prompt, value, interactive)
        found = resolve(value)
        if found is not None:
            return found
        message = unknown(label, value, names, registry)
        if not interactive:
            raise Refused(message)
        print(f"{message}请重新输入（按 Ctrl+C 取消）。", file=sys.stderr)
        value = None


#: Folder and file names stay readable (and far below Windows' 260-character path limit).
MAX_SLUG = 60


def make_slug(title: str) -> str:
    """The pinyin slug of ``title``, cut at a word to at most :data:`MAX_SLUG` characters.

    A cut slug ends with 5 characters of the full title's hash, so two long titles that start
    alike get different folders, and the same title always gets the same slug (no duplicates).
    """
    slug = slugify(title, limit=None)
    if len(slug) <= MAX_SLUG:
        return slug
    suffix = hashlib.sha1(title.encode("utf-8")).hexdigest()[:5]
    head = slug[: MAX_SLUG - len(suffix) - 1]
    head = head.rsplit("-", 1)[0] if "-" in head else head
    return f"{head}-{suffix}"


def yaml_text(value: str) -> str:
    """Quote a value only when YAML needs it."""
    if any(c in value for c in ":#[]{},&*!|>'\"%@`") or value.strip() != value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def skeleton(kind: str, title: str, fields: dict[str, str]) -> str:
    today = dt.date.today().isoformat()
    lines = ["---", f"title: {yaml_text(title)}"]
    if kind == "brand":
        lines += [
            f"unit: {yaml_text(fields['unit'])}                # 所属单位：brands/units.yml 中的全称或简称",
            "branch:                 # 党支部名称，如 预算科党支部（可删除）",
            f"category: {yaml_text(fields['category'])}          # 品牌类别：brands/categories.yml 中的名称",
            f"description: {PLACEHOLDER_DESCRIPTIONS['brand']}",
            "slogan:                 # 品牌口号（可删除）",
            f"year: {dt.date.today().year}              # 品牌创建年份",
            f"date: {today}        # 发布日期",
            "honors: []              # 所获荣誉，每项一行：\n#  - 2025年度市直机关“先锋杯”工作创新大赛一等奖",
            "tags: []                # 标签，如 [三会一课, 主题党日]",
            "featured: false         # 是否选树典型（由审核人员决定）",
            "# logo: logo.png        # 品牌标识：把图片放进本文件夹后去掉行首的 #",
            "# cover: photo-1.jpg    # 封面照片：同上",
        ]
    elif kind == "model":
        lines += [
            f"unit: {yaml_text(fields['unit'])}                # 所属单位：brands/units.yml 中的全称或简称",
            f"year: {dt.date.today().year}              # 命名年份",
            "level: 市级模范机关     # 级别（可删除）",
            f"description: {PLACEHOLDER_DESCRIPTIONS['model']}",
            f"date: {today}        # 发布日期",
            "tags: []",
        ]
    else:
        lines += [
            "issuer:                 # 发文机关或来源（可删除）",
            "doc_no:                 # 文号，年份用六角括号：明直党〔2026〕3号（可删除）",
            f"date: {today}        # 发布日期",
            f"description: {PLACEHOLDER_DESCRIPTIONS['study']}",
            "tags: []",
            "attachments: []         # 附件：把文件放进本文件夹，每项一行写文件名",
        ]
    lines += ["draft: true             # 草稿：写完并检查无误后改为 false 或删除本行", "---", ""]
    lines.append("<!-- 写作提示：每个小标题下写 2～4 段；照片放进同一文件夹，插入照片的写法见网站“投稿指南”。"
                 "写完后运行 python scripts/check.py 检查。 -->")
    for section in SECTIONS[kind]:
        lines += ["", f"## {section}", "", f"<!-- {HINTS[section]} -->", "", PLACEHOLDER_TEXT]
    return "\n".join(lines) + "\n"


def create(kind: str, root: Path, title: str | None = None, unit: str | None = None, category: str | None = None,
           topic: str | None = None, slug: str | None = None, interactive: bool = False) -> Path:
    """Validate the answers and write the skeleton; returns the new file's path."""
    project = Project.open(root)
    brands_dir = project.root / project.settings.brands_dir
    title = ask("标题", title, interactive)
    fields: dict[str, str] = {}
    if kind in ("brand", "model"):
        units, _ = load_units(brands_dir, project.root)
        found = choose("单位", "所属单位（全称或简称）", unit, [u.name for u in units] + [u.short for u in units],
                       "brands/units.yml", lambda value: resolve_unit(value, units), interactive)
        fields["unit"] = found.short
    if kind == "brand":
        categories, _ = load_categories(brands_dir, project.root)
        fields["category"] = choose("类别", "品牌类别", category, [c.name for c in categories], "brands/categories.yml",
                                    lambda value: value if value in [c.name for c in categories] else None, interactive)
    if kind == "study":
        topics, _ = load_topics(project.docs_dir / project.settings.study_dir, project.root)
        match = choose("栏目", "栏目（文件夹名或栏目名称）", topic, [t.title for t in topics] + [t.slug for t in topics],
                       "docs/study/", lambda value: next((t for t in topics if value in (t.slug, t.title)), None), interactive)
        fields["topic"] = match.slug
    slug = slug or make_slug(title)
    if not SLUG.match(slug):
        raise Refused(f"网址名“{slug}”不合规：只用小写字母、数字和连字符。")
    if len(slug) > MAX_SLUG:
        raise Refused(f"网址名有 {len(slug)} 个字符，超过 {MAX_SLUG} 个：请用 --slug 给一个更短的网址名。")
    if kind == "brand":
        target = brands_dir / slug / "index.md"
        exists = target.parent.exists()
    elif kind == "model":
        target = project.docs_dir / project.settings.models_dir / f"{slug}.md"
        exists = target.exists()
    else:
        target = project.docs_dir / project.settings.study_dir / fields["topic"] / f"{slug}.md"
        exists = target.exists()
    if exists:
        raise Refused(f"{target.relative_to(project.root).as_posix()} 已存在，未覆盖。请用 --slug 指定另一个网址名。")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(skeleton(kind, title, fields), encoding="utf-8")
    except OSError as exc:
        raise Refused(f"无法写入 {target.relative_to(project.root).as_posix()}（{exc.strerror}）。"
                      "请检查文件夹权限，或用 --slug 给一个更短的网址名。") from exc
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/new.py", description="新建党建品牌、模范机关案例或学习资料（草稿）。")
    parser.add_argument("kind", choices=["brand", "model", "study"], help="brand：党建品牌；model：模范机关；study：学习资料")
    parser.add_argument("--title", help="标题")
    parser.add_argument("--unit", help="所属单位（brand、model）")
    parser.add_argument("--category", help="品牌类别（brand）")
    parser.add_argument("--topic", help="学习资料栏目（study）")
    parser.add_argument("--slug", help="网址名（默认由标题的拼音生成）")
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        path = create(args.kind, root, args.title, args.unit, args.category, args.topic, args.slug,
                      interactive=sys.stdin.isatty())
    except Refused as exc:
        print(f"未创建：{exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\n已取消。", file=sys.stderr)
        return 1
    rel_path = path.resolve().relative_to(root.resolve()).as_posix()
    print(f"已创建 {rel_path}（草稿）。填写内容后把 draft: true 改为 false，再运行 python scripts/check.py 检查。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
