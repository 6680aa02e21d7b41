#!/usr/bin/env python3
"""The review gate: ``python scripts/check.py [paths] [--format human|github|gitlab|json] [--changed-since REF]``.

Runs the build's front-matter validation plus the content rules (规范表述,
personal information, external resources, unsafe HTML, alt text, internal
links) and exits 1 when any error is found, 0 otherwise.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from dangjian.checks import FORMATS, GLOBAL_FILES, run_check  # noqa: E402
from dangjian.problems import has_errors  # noqa: E402


def changed_since(ref: str, root: Path) -> list[str] | None:
    """Project-relative paths changed since ``ref`` (committed, staged, unstaged and untracked)."""
    def git(*args: str) -> list[str]:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"无法比较 git 版本“{ref}”：{done.stderr.strip()}\n请确认该分支或提交存在（CI 中需要先 git fetch）。")
        return [line for line in done.stdout.splitlines() if line]
    base = git("merge-base", ref, "HEAD")[0] if git("rev-parse", "--verify", "--quiet", ref + "^{commit}") else ref
    names = git("-c", "core.quotepath=off", "diff", "--name-only", "--diff-filter=ACMR", base)
    names += git("-c", "core.quotepath=off", "ls-files", "--others", "--exclude-standard")
    return sorted(set(names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/check.py",
                                     description="检查党建宣传内容：字段、规范表述、个人信息、外部资源、不安全代码、图片说明、站内链接。")
    parser.add_argument("paths", nargs="*", help="只报告这些文件或文件夹（默认：全部内容）")
    parser.add_argument("--format", choices=sorted(FORMATS), default="human",
                        help="human：中文报告（默认）；github：GitHub/Gitea 注释；gitlab：Code Quality JSON；json")
    parser.add_argument("--report", metavar="FILE",
                        help="另把中文报告写入该文件（CI 用它在日志中输出并发表为拉取请求评论：scripts/post_review.py）")
    parser.add_argument("--changed-since", metavar="REF", help="只检查自该 git 分支/提交以来改动的文件，如 origin/main")
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()

    only: set[str] | None = None
    if args.paths:
        only = set()
        for name in args.paths:
            path = Path(name).resolve()
            try:
                only.add(path.relative_to(root).as_posix().rstrip("/") or ".")
            except ValueError:
                print(f"“{name}”不在项目文件夹 {root} 中，已忽略。", file=sys.stderr)
        if "." in only:
            only = None
    if args.changed_since:
        changed = changed_since(args.changed_since, root)
        if not any(name in GLOBAL_FILES or name.endswith(("units.yml", "categories.yml", "topics.yml")) for name in changed):
            only = set(changed) if only is None else {c for c in changed if any(c == o or c.startswith(o + "/") for o in only)}
    problems = run_check(root, only)
    sys.stdout.write(FORMATS[args.format](problems))
    if args.report:
        Path(args.report).write_text(FORMATS["human"](problems), encoding="utf-8")
    return 1 if has_errors(problems) else 0


if __name__ == "__main__":
    sys.exit(main())
