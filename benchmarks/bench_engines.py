"""Engine benchmark: prints figures (it asserts nothing; targets are read by people).

    python benchmarks/bench_engines.py                 # 4,000 synthetic pages, every engine, preview edit loop
    python benchmarks/bench_engines.py --pages 500 --no-serve

On one synthetic project (benchmarks/synth_site.py) it times, in the same run:

- today's hook build: ``mkdocs build`` with scripts/hooks.py (the first run also fills the
  photo cache; every later build is warm, like CI with its cache restored);
- the generator path for each engine: ``scripts/generate.py build --engine E`` (pre-pass →
  engine → post-pass), with the generator's own share (pre-pass + post-pass seconds from its log);
- the preview edit loop: ``mkdocs serve --dirty`` with the hook (what ``./dev.sh serve`` runs
  for MkDocs and ProperDocs), seconds from saving a brand until the served page shows the edit.

Targets (issue #13): the generator path with MkDocs no slower than the hook build; edit loop < 3 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "scripts")]

from bench_scale import build as hook_build
from bench_scale import measure, serve_loop
from dangjian.generate import ENGINES, QUIET_ENV
from synth_site import write_project

GENERATOR = Path(__file__).resolve().parents[1] / "scripts" / "generate.py"


def generator_build(project: Path, site: Path, engine: str) -> dict:
    result = measure([sys.executable, str(GENERATOR), "build", "--engine", engine, "-d", str(site)], project)
    pre = re.search(r"预处理 ([\d.]+) 秒", result["log"])
    post = re.search(r"后处理 ([\d.]+) 秒", result["log"])
    beside = re.search(r"另有 ([\d.]+) 秒与构建引擎同时进行", result["log"])
    # Own share: what the build waits for (pre-pass, and the post-pass left when the engine has finished);
    # the post-pass work done while the engine was still running is printed apart.
    result["generator_s"] = (float(pre.group(1)) if pre else 0.0) + (float(post.group(1)) if post else 0.0)
    result["beside_s"] = float(beside.group(1)) if beside else 0.0
    return result


def loaded(result: dict) -> dict:
    """``result`` with the machine's load average over the last minute (figures under load are inflated)."""
    result["load"] = os.getloadavg()[0]
    return result


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="比较各构建引擎的构建时间与预览编辑循环。")
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--no-serve", action="store_true", help="不测量预览编辑循环")
    parser.add_argument("--rounds", type=int, default=1, help="钩子构建和各引擎轮流构建的轮数（默认 1）")
    parser.add_argument("--keep", type=Path, help="把合成项目保留在此目录（默认用完删除）")
    args = parser.parse_args(argv)
    os.environ.update(QUIET_ENV)
    work = Path(tempfile.mkdtemp(prefix="dj-bench-engines-"))
    project = args.keep or work / "project"
    try:
        if not (project / "mkdocs.yml").is_file():
            counts = write_project(project, args.pages)
            print(f"合成项目：{counts}", flush=True)
        rows = []
        cold = loaded(hook_build(project, work / "site-cold"))
        rows.append(("hook (mkdocs build, first run)", cold, None))
        for _ in range(args.rounds):  # alternated, so that a change in the machine's load hits both alike
            warm = loaded(hook_build(project, work / "site-hook"))
            rows.append(("hook (mkdocs build)", warm, None))
            for engine in args.engines:
                result = loaded(generator_build(project, work / f"site-{engine}", engine))
                rows.append((f"generator + {engine}", result, result["generator_s"]))
        pages = sum(1 for _ in (work / "site-hook").rglob("index.html"))
        print(f"\n== {args.pages} 合成页面（网站共 {pages} 个页面），{os.cpu_count()} 核 ==")
        print(f"{'构建方式':<40}{'秒':>8}{'峰值内存 MB':>14}{'生成程序自身 秒':>18}{'与引擎同时 秒':>16}  退出码  负载")
        for name, r, own in rows:
            own_text = f"{own:.1f} ({own / r['seconds']:.0%})" if own is not None else "-"
            beside = f"{r['beside_s']:.1f}" if "beside_s" in r else "-"
            print(f"{name:<40}{r['seconds']:>8.1f}{r['maxrss_kb'] / 1024:>14.0f}{own_text:>18}{beside:>16}  {r['rc']:>4}  {r['load']:.1f}")
            if r["rc"] != 0:
                print("    " + r["log"][-1500:].replace("\n", "\n    "))
        if not args.no_serve:
            r = serve_loop(project, dirty=True)
            times = ", ".join(f"{t:.1f}" for t in r["edit_s"])
            print(f"\n预览（mkdocs serve --dirty，经 hooks.py）：启动 {r['startup_s']:.1f} 秒；每次编辑到页面更新 {times} 秒")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
