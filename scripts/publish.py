"""Publish the site safely: a new release folder, then an atomic switch of ``current``.

    python scripts/publish.py                    build and publish into releases/
    python scripts/publish.py --keep 10          keep the last 10 releases
    python scripts/publish.py --list             list releases
    python scripts/publish.py --rollback         go back to the previous release
    python scripts/publish.py --rollback 20260315T080000Z
    python scripts/publish.py --verify           check every release against its manifest
    python scripts/publish.py --csp site/        the CSP header line for deploy/nginx.conf

nginx serves ``<releases>/current`` (see deploy/nginx.conf and docs/guide/publish.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dangjian.publish import (  # noqa: E402
    LOCK_WAIT_SECONDS,
    PublishError,
    compute_csp,
    current_release,
    list_releases,
    os_error_message,
    publish,
    rollback,
    verify_release,
)

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="构建并安全发布网站（新版本目录 + 原子切换 current 符号链接）。")
    parser.add_argument("--project", type=Path, default=ROOT, help="项目目录（含 mkdocs.yml），默认为本仓库")
    parser.add_argument("--releases", type=Path, default=None, help="版本目录，默认为 <项目>/releases")
    parser.add_argument("--keep", type=int, default=5, help="保留最近几个版本（默认 5）")
    parser.add_argument("--no-gzip", action="store_true", help="不生成 .gz 预压缩文件")
    parser.add_argument("--rollback", nargs="?", const="", metavar="版本", help="回滚到上一版本或指定版本")
    parser.add_argument("--list", action="store_true", help="列出已有版本")
    parser.add_argument("--verify", action="store_true", help="按文件清单（SHA-256）检查每个版本是否完整、未被改动")
    parser.add_argument("--wait", type=float, default=LOCK_WAIT_SECONDS, metavar="秒",
                        help=f"另一个发布正在进行时最多等待的秒数（默认 {LOCK_WAIT_SECONDS:g}）")
    parser.add_argument("--csp", nargs="?", const="", metavar="网站目录",
                        help="输出已构建网站（默认为 current 版本）需要的 Content-Security-Policy，用于 deploy/nginx.conf")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    releases_dir = (args.releases or project / "releases").resolve()
    try:
        if args.list:
            current = current_release(releases_dir)
            for path in list_releases(releases_dir):
                print(("* " if current and path.resolve() == current else "  ") + path.name)
            return 0
        if args.verify:
            bad = 0
            for path in list_releases(releases_dir):
                problems = verify_release(path)
                bad += bool(problems)
                print(f"{path.name}：" + ("与文件清单一致" if not problems else "与文件清单不符：" + "；".join(problems[:10])))
            return 1 if bad else 0
        if args.csp is not None:
            site = Path(args.csp) if args.csp else current_release(releases_dir)
            if site is None or not (site / "index.html").is_file():
                print(f"错误：{site or releases_dir / 'current'} 不是已构建的网站。请先发布，或指定 mkdocs build 的输出目录。", file=sys.stderr)
                return 2
            print(compute_csp(site))
            return 0
        if args.rollback is not None:
            old, new = rollback(releases_dir, args.rollback or None, wait=args.wait)
            print(f"已回滚：current 由 {old.name} 切换到 {new.name}。")
            return 0
        if not (project / "mkdocs.yml").is_file():
            print(f"错误：{project} 中没有 mkdocs.yml。请用 --project 指定项目目录。", file=sys.stderr)
            return 2
        result = publish(project, releases_dir, keep=args.keep, gzip_files=not args.no_gzip,
                         log=lambda line: print(line, flush=True), wait=args.wait)
    except PublishError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # outside a publish step (e.g. the releases folder cannot be created)
        print(f"错误：{os_error_message(exc, switched=False)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。正在发布的网站没有任何改动（如果 current 已切换，上面会显示“切换 current”）。", file=sys.stderr)
        return 130
    print(f"已发布 {result.release.name}（用时 {result.seconds:.1f} 秒，预压缩 {result.gzipped} 个文件，"
          f"文件清单 {result.files} 个文件、{result.manifest_seconds:.2f} 秒）。")
    print(f"current -> {result.release.name}" + (f"（上一版本 {result.previous.name}）" if result.previous else ""))
    if result.csp_missing:
        print(f"注意：网站的内联脚本有变化，deploy/nginx.conf 的 Content-Security-Policy 缺少 {len(result.csp_missing)} 个哈希，"
              f"浏览器会拦截这些脚本。请运行 python scripts/publish.py --csp 生成新的一行，更新服务器的 nginx 配置后 reload。")
    for path in result.pruned:
        print(f"已删除旧版本 {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
