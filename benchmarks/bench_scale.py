"""Scale benchmark: prints figures (it asserts nothing; targets are read by people).

    python benchmarks/bench_scale.py                      # 500, 2000 and 4000 pages
    python benchmarks/bench_scale.py --sizes 500 --profile --serve

For every size it generates a synthetic project (benchmarks/synth_site.py: half
brands with photos, half study materials) and reports, for this project's build
and for the same Markdown built by plain Material (collection pages kept out
of the nav) in the same run:

- full build seconds (cold: empty image cache; warm: second build),
- peak memory (max RSS of the largest build process, from getrusage of the child),
- output size and average / largest page HTML size.

``--profile`` runs one cold build of the smallest size under cProfile and prints
where the time goes.  ``--serve`` measures the edit loop: ``mkdocs serve`` on a
free port (with and without ``--dirty``), edit one brand, poll the served page
until the edit shows, and print the seconds and the serve log's build time.

Targets (issue #7, 4,000 pages, 2 cores): build ≤ 45 s and ≤ 1.2× plain Material,
page HTML ≤ 60 KB at any size, an edited brand visible in ``mkdocs serve`` ≤ 3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "scripts")]

from synth_site import write_plain, write_project  # noqa: E402

# Runs a command and reports the child's peak RSS (ru_maxrss of the largest waited process, in KB).
_MEASURE = (
    "import json,resource,subprocess,sys,time;t=time.monotonic();"
    "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE,text=True);"
    "r=resource.getrusage(resource.RUSAGE_CHILDREN);"
    "print(json.dumps({'rc':p.returncode,'seconds':time.monotonic()-t,'maxrss_kb':r.ru_maxrss,"
    "'log':p.stderr[-4000:]}))"
)


def measure(cmd: list[str], cwd: Path) -> dict:
    """Run ``cmd`` in a fresh measuring process; return rc, seconds, peak RSS and the log tail."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], cwd=cwd, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def site_figures(site: Path) -> dict:
    """Output size and page HTML sizes of a built site."""
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    pages = [(p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")]
    sizes = [s for s, _ in pages]
    largest = max(pages)
    return {"output_mb": total / 1048576, "pages": len(pages), "avg_kb": statistics.mean(sizes) / 1024,
            "median_kb": statistics.median(sizes) / 1024, "max_kb": largest[0] / 1024, "max_page": largest[1],
            "over_60kb": sum(1 for s in sizes if s > 60 * 1024)}


def build(project: Path, site: Path) -> dict:
    return measure([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], project)


def bench_size(pages: int, workdir: Path) -> dict:
    """Generate, build (cold, warm) and build the plain comparison for one size."""
    project, plain = workdir / f"p{pages}", workdir / f"plain{pages}"
    t = time.monotonic()
    counts = write_project(project, pages)
    write_plain(project, plain)
    gen_seconds = time.monotonic() - t
    cold = build(project, project / "site")
    if cold["rc"] != 0:
        print(cold["log"], file=sys.stderr)
        raise SystemExit(f"构建失败：{project}")
    figures = site_figures(project / "site")
    warm = build(project, project / "site-warm")
    plain_run = build(plain, plain / "site")
    plain_fig = site_figures(plain / "site")
    return {"pages": pages, **counts, "gen_s": gen_seconds, "cold": cold, "warm": warm, "plain": plain_run,
            "fig": figures, "plain_fig": plain_fig}


def print_table(rows: list[dict]) -> None:
    print("\n== 构建规模（本站 vs. 纯 Material 对照，同一次运行）==")
    head = ("页数", "冷构建s", "热构建s", "对照s", "冷/对照", "热/对照", "峰值内存MB", "对照内存MB",
            "输出MB", "对照输出MB", "平均页KB", "最大页KB", ">60KB页数")
    print(" | ".join(head))
    for r in rows:
        c, w, p, f, pf = r["cold"], r["warm"], r["plain"], r["fig"], r["plain_fig"]
        print(" | ".join(str(x) for x in (
            r["pages"], f"{c['seconds']:.1f}", f"{w['seconds']:.1f}", f"{p['seconds']:.1f}",
            f"{c['seconds'] / p['seconds']:.2f}", f"{w['seconds'] / p['seconds']:.2f}",
            f"{c['maxrss_kb'] / 1024:.0f}", f"{p['maxrss_kb'] / 1024:.0f}",
            f"{f['output_mb']:.1f}", f"{pf['output_mb']:.1f}", f"{f['avg_kb']:.1f}", f"{f['max_kb']:.1f}", f["over_60kb"])))
    for r in rows:
        print(f"  {r['pages']} 页：品牌 {r['brands']}（照片 {r['photos']}），学习资料 {r['studies']}；"
              f"生成 {r['gen_s']:.1f}s；HTML 页 {r['fig']['pages']}（对照 {r['plain_fig']['pages']}），"
              f"最大页 {r['fig']['max_page']}，对照平均页 {r['plain_fig']['avg_kb']:.1f}KB")


def profile(project: Path, top: int = 30) -> None:
    """A cold build under cProfile; print the functions where the time goes."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    out = project / "build.prof"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "-q", "-d",
                    str(project / "site-prof")], cwd=project, check=True, capture_output=True)
    stats = pstats.Stats(str(out))
    print(f"\n== cProfile（{project.name} 冷构建）：累计时间前 {top} 项 ==")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n== cProfile：自身时间前 {top} 项 ==")
    stats.sort_stats("tottime").print_stats(top)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except OSError:
        return None


def serve_loop(project: Path, dirty: bool, edits: int = 2) -> dict:
    """Start ``mkdocs serve``, edit one brand ``edits`` times, time until each edit is served."""
    port = free_port()
    cmd = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    if dirty:
        cmd.append("--dirty")
    log_path = project / f"serve-{'dirty' if dirty else 'full'}.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=project, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/brands/pinpai-00001/"
    brand = project / "brands" / "pinpai-00001" / "index.md"
    original = brand.read_text(encoding="utf-8")
    t0 = time.monotonic()
    try:
        while fetch(url) is None:
            if proc.poll() is not None or time.monotonic() - t0 > 900:
                raise SystemExit(f"mkdocs serve 未能启动，见 {log_path}")
            time.sleep(0.5)
        startup = time.monotonic() - t0
        times = []
        for n in range(edits):
            marker = f"编辑标记{n}{int(time.time() * 1000)}"
            time.sleep(1.5)  # let the watcher settle after the previous rebuild
            brand.write_text(original.replace("## 品牌内涵\n", f"## 品牌内涵\n\n{marker}\n", 1), encoding="utf-8")
            t = time.monotonic()
            while marker not in (fetch(url) or ""):
                if time.monotonic() - t > 600:
                    raise SystemExit("等待超时：编辑没有出现在预览中")
                time.sleep(0.05)
            times.append(time.monotonic() - t)
    finally:
        brand.write_text(original, encoding="utf-8")
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    built = [float(x) for x in re.findall(r"Documentation built in ([\d.]+) seconds", text)]
    return {"dirty": dirty, "startup_s": startup, "edit_s": times, "log_build_s": built[1:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="规模基准：生成合成网站，测量构建时间、内存、输出大小和预览刷新时间。")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 4000])
    parser.add_argument("--profile", action="store_true", help="用 cProfile 剖析最小规模的冷构建")
    parser.add_argument("--serve", action="store_true", help="测量 mkdocs serve 中编辑一个品牌到页面更新的秒数")
    parser.add_argument("--serve-size", type=int, default=None, help="serve 测量用的页数（默认为最大规模）")
    parser.add_argument("--no-build", action="store_true", help="只做 --profile / --serve")
    parser.add_argument("--keep", type=Path, help="把合成项目保留在该目录（默认用临时目录并删除）")
    args = parser.parse_args(argv)
    print(f"机器：{os.cpu_count()} 核；Python {sys.version.split()[0]}")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="dj-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rows = []
        if not args.no_build:
            for pages in args.sizes:
                rows.append(bench_size(pages, workdir))
                print_table(rows[-1:])
            print_table(rows)
        if args.profile:
            project = workdir / f"p{min(args.sizes)}"
            if not project.exists():
                write_project(project, min(args.sizes))
            profile(project)
        if args.serve:
            size = args.serve_size or max(args.sizes)
            project = workdir / f"p{size}"
            if not project.exists():
                write_project(project, size)
            print(f"\n== mkdocs serve：编辑 brands/pinpai-00001/index.md 到预览页面更新（{size} 页）==")
            for dirty in (True, False):
                r = serve_loop(project, dirty)
                print(f"  {'--dirty' if dirty else '完整重建'}：启动 {r['startup_s']:.1f}s；每次编辑到页面更新 "
                      + "、".join(f"{s:.1f}s" for s in r["edit_s"])
                      + "；日志中的重建用时 " + "、".join(f"{s:.1f}s" for s in r["log_build_s"]))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
