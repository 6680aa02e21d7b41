#!/usr/bin/env python3
"""汇编: ``python scripts/export.py --title 标题 [selection] [--format docx|pdf] [--out PATH]``.

Writes ``exports/<标题>.docx`` (editable in WPS and Word) and ``exports/<标题>.pdf``
from published brands, models and study materials; see docs/guide/export.md.
Exits 1 (with Chinese messages, writing nothing) when the selection is empty or
wrong, or when the review gate finds an error in a selected page; 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from dangjian.checks import format_human  # noqa: E402
from dangjian.export import FORMATS, Criteria, export_compilation, list_selection  # noqa: E402
from dangjian.problems import Severity  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="./dev.sh export", description="把网站内容汇编成可编辑的 Word 文档和可打印的 PDF（草稿不收入）。",
        epilog="示例：./dev.sh export --title \"2026年党建品牌案例汇编\" --featured\n"
               "      ./dev.sh export --title \"学习资料汇编\" --section 学习资料 --topic 理论学习\n"
               "      ./dev.sh export --title \"交流材料\" --list 汇编清单.yml",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--title", required=True, help="封面标题，也是文件名")
    parser.add_argument("--subtitle", default="", help="封面副标题（可选）")
    pick = parser.add_argument_group("选哪些篇目（可组合；同一选项可写多次，满足其一即可）")
    pick.add_argument("--section", action="append", default=[], metavar="类型",
                      help="品牌（默认）、模范机关、学习资料，或 brands、models、study")
    pick.add_argument("--group", action="append", default=[], metavar="系统", help="所属系统，如 经济系统")
    pick.add_argument("--category", action="append", default=[], metavar="类别", help="品牌类别（只选品牌）")
    pick.add_argument("--year", action="append", default=[], type=int, metavar="年份", help="创建年份（学习资料按发布年份）")
    pick.add_argument("--unit", action="append", default=[], metavar="单位", help="单位全称或简称")
    pick.add_argument("--topic", action="append", default=[], metavar="栏目", help="学习资料栏目（名称或文件夹名）")
    pick.add_argument("--featured", action="store_true", help="只选“选树典型”的品牌")
    pick.add_argument("--list", type=Path, metavar="清单.yml", help="按清单文件中的顺序收入篇目（不能与筛选条件同用）")
    parser.add_argument("--format", choices=[*FORMATS, "both"], default="both", help="只生成 docx 或 pdf（默认两者都生成）")
    parser.add_argument("--out", type=Path, help="输出文件路径（不含扩展名），默认 exports/<标题>")
    parser.add_argument("--dry-run", action="store_true", help="只列出将收入的篇目，不生成文件")
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(args.root).resolve()
    criteria = Criteria(sections=args.section, groups=args.group, categories=args.category, years=args.year,
                        units=args.unit, topics=args.topic, featured=args.featured, list_file=args.list)
    if args.dry_run:
        rows, problems = list_selection(root, criteria)
        if problems:
            sys.stderr.write(format_human(problems))
            return 1
        for number, (title, source) in enumerate(rows, 1):
            print(f"{number:>3}. {title}  （{source}）")
        print(f"共 {len(rows)} 篇。")
        return 0
    formats = FORMATS if args.format == "both" else (args.format,)
    out = args.out.resolve() if args.out else None
    if out is not None and out.suffix.lower() in (".docx", ".pdf"):
        out = out.with_suffix("")
    try:
        result = export_compilation(root, criteria, title=args.title, subtitle=args.subtitle, out=out, formats=formats)
    except Exception as exc:  # a defect, not the writer's fault: say so in Chinese, leave no file behind
        sys.stderr.write(f"未生成汇编：程序内部错误（{type(exc).__name__}: {exc}）。\n"
                         "内容本身可能没有问题；请把这条信息和所用的命令发给网站维护人员。\n")
        return 3
    shown = [p for p in result.problems if p.severity is not Severity.INFO]
    if not result.ok:
        sys.stderr.write("未生成汇编：\n" + format_human(shown))
        return 1
    if shown:
        sys.stderr.write(format_human(shown))
    for path in result.files:
        size = path.stat().st_size / 1048576
        print(f"已生成 {path}（{size:.1f} MB）")
    print(f"共收入 {len(result.cases)} 篇。Word 文档打开时会提示更新目录，选“是”即可；WPS 中右键目录选“更新域”。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
