"""Time the rendering of the generated pages (dangjian.render) on a synthetic site, optionally against a git ref.

    .venv/bin/python benchmarks/bench_render.py                       # 1,000 pages, this checkout
    .venv/bin/python benchmarks/bench_render.py --against main        # the same, then main's render code, side by side
    .venv/bin/python benchmarks/bench_render.py --pages 2000 --repeat 9

The site is loaded once; then every generated page, the stats page, the headers of models and
study materials and the home page's markers are rendered ``--repeat`` times (the work the pre-pass
of ``scripts/generate.py build`` spends in rendering) and the best and median wall-clock and CPU
times are printed, with the load average (timings taken while other work runs are inflated; the
CPU time of the process is less so).  ``--against REF``
extracts REF's ``scripts/`` with ``git archive`` and runs the same measurement with it in a child
process, alternating the two so that a change in load hits both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def measure(scripts: Path, project: Path, repeat: int) -> dict:
    """Render times (seconds) with the ``dangjian`` package under ``scripts``, and what was rendered."""
    sys.path.insert(0, str(scripts))
    from dangjian.charts import render_stats_page
    from dangjian.loader import load_site
    from dangjian.render import expand_markers, generate_pages, render_model_header, render_study_header
    from dangjian.settings import Settings

    settings = Settings()
    site = load_site(project, project / "docs", settings)
    markers = "".join(f"<!-- dangjian:{name} -->\n\n" for name in ("featured", "latest-brands", "latest-study",
                                                                   "entries", "stats"))

    def render_all() -> int:
        pages = generate_pages(site, settings)
        pages.append(render_stats_page(site))
        size = sum(len(p.markdown) for p in pages)
        size += sum(len(render_model_header(m, site)) for m in site.models)
        size += sum(len(render_study_header(s, site)) for s in site.studies)
        return size + len(expand_markers(markers, "index.md", site, settings))

    size = render_all()  # warm-up: templates compiled, caches filled
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        render_all()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {"times": times, "cpu": cpu, "pages": len(generate_pages(site, settings)), "chars": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="渲染生成页面的耗时（合成网站），可与另一个 git 版本对比。")
    parser.add_argument("--pages", type=int, default=1000, help="合成网站的页数（一半品牌，一半学习资料）")
    parser.add_argument("--repeat", type=int, default=7, help="每个版本渲染的次数")
    parser.add_argument("--rounds", type=int, default=3, help="交替测量的轮数")
    parser.add_argument("--against", metavar="REF", help="同时测量该 git 版本（如 main）的渲染代码")
    parser.add_argument("--project", type=Path, help="已有的项目（默认生成合成网站）")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # scripts/ dir to measure, prints JSON
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.project, args.repeat)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project
        if project is None:
            sys.path[:0] = [str(REPO / "scripts"), str(REPO / "benchmarks")]
            from synth_site import write_project

            project = Path(tmp) / "site"
            write_project(project, args.pages)
        versions = {"当前": REPO / "scripts"}
        if args.against:
            archive = Path(tmp) / "ref.tar"
            subprocess.run(["git", "-C", str(REPO), "archive", "-o", str(archive), args.against, "scripts"], check=True)
            with tarfile.open(archive) as tar:
                tar.extractall(Path(tmp) / "ref", filter="data")
            versions[args.against] = Path(tmp) / "ref" / "scripts"
        results: dict[str, list[float]] = {name: [] for name in versions}
        cpu: dict[str, list[float]] = {name: [] for name in versions}
        info = {}
        for _ in range(args.rounds):  # alternating rounds, so that a change in load hits every version
            for name, scripts in versions.items():
                out = subprocess.run([sys.executable, __file__, "--child", str(scripts), "--project", str(project),
                                      "--repeat", str(args.repeat)], check=True, capture_output=True, text=True).stdout
                data = json.loads(out)
                results[name] += data["times"]
                cpu[name] += data["cpu"]
                info[name] = data
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"合成网站 {args.pages} 页（生成页面 {info['当前']['pages']} 个）；负载 {load}")
        for name, times in results.items():
            print(f"  {name}：用时 最快 {min(times):.3f} 秒，中位 {statistics.median(times):.3f} 秒；"
                  f"CPU 时间 最少 {min(cpu[name]):.3f} 秒，中位 {statistics.median(cpu[name]):.3f} 秒"
                  f"（{len(times)} 次），输出 {info[name]['chars']} 字符")
        if args.against:
            for label, values in (("用时", results), ("CPU 时间", cpu)):
                best = min(values["当前"]) / min(values[args.against])
                middle = statistics.median(values["当前"]) / statistics.median(values[args.against])
                print(f"  当前 / {args.against}，{label}：最快之比 {best:.2f}，中位之比 {middle:.2f}")
            if info["当前"]["chars"] != info[args.against]["chars"]:
                print("  注意：两个版本输出的字符数不同")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
