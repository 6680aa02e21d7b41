"""Preview benchmark: prints figures (it asserts nothing; targets are read by people).

    python benchmarks/bench_preview.py                       # 4,000 synthetic pages
    python benchmarks/bench_preview.py --project DIR         # an existing project (its photo cache warm)

Runs what ``./dev.sh serve`` runs (``scripts/generate.py serve``, MkDocs engine) on a
synthetic project (benchmarks/synth_site.py) and times, from the writer's side:

- start-up with no kept preview (first run, or after ``mkdocs.yml`` changed): seconds until
  a brand page is served;
- start-up with the kept preview (every later run, the case of issue #16): seconds until a
  page is served (the last preview, with a note) and until the engine's server has taken over
  after rebuilding what changed while the preview was closed (a brand and a study page edited);
- each edit: seconds from saving a brand until its page shows the edit, until the whole site
  is rebuilt (the listings follow), and until the search index holds the edit.

Targets (issues #13, #16): first page ≤ 10 s at 4,000 pages with a warm cache; edit→visible
≤ 1.5 s (#16) and < 3 s (#13).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "scripts")]

from bench_scale import fetch, free_port  # noqa: E402
from dangjian.generate import QUIET_ENV  # noqa: E402
from synth_site import write_project  # noqa: E402

GENERATOR = Path(__file__).resolve().parents[1] / "scripts" / "generate.py"
BRAND = "brands/pinpai-00001/index.md"
STUDY_GLOB = "study/*/*.md"


class Preview:
    """One ``generate.py serve`` process on a free port, its log in the project folder."""

    def __init__(self, project: Path, name: str):
        self.project, self.port = project, free_port()
        self.log_path = project / f"preview-{name}.log"
        log = open(self.log_path, "w", encoding="utf-8")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, str(GENERATOR), "serve", "-a", f"127.0.0.1:{self.port}"],
                                     cwd=project, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, **QUIET_ENV})

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, condition, limit: float = 1200.0, step: float = 0.05) -> float:
        """Seconds from start until ``condition()`` holds."""
        while not condition():
            if self.proc.poll() is not None:
                raise SystemExit(f"预览进程已退出，见 {self.log_path}")
            if time.monotonic() - self.started > limit:
                raise SystemExit(f"等待超时，见 {self.log_path}")
            time.sleep(step)
        return time.monotonic() - self.started

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)  # as Ctrl+C in the writer's window
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def served(preview: Preview, path: str, needle: str = "") -> bool:
    body = fetch(preview.url(path))
    return body is not None and needle in body


def engine_up(preview: Preview) -> bool:
    return "Serving on" in preview.log()


def searchable(project: Path, marker: str) -> bool:
    """The preview's kept search pages (saved with each index write) hold ``marker``."""
    try:
        return marker in (project / ".cache/preview/mkdocs/search-docs.json").read_text(encoding="utf-8")
    except OSError:
        return False


def edit(path: Path, original: str, marker: str) -> None:
    path.write_text(original.replace("## ", f"{marker}\n\n## ", 1), encoding="utf-8")


def where_the_time_goes(log: str) -> str:
    """The first build in ``log``: the generator's pre-pass and the rest (engine rendering, post-pass)."""
    pre = re.search(r"读入、检查、生成页面和处理图片用了 ([\d.]+) 秒", log)
    total = re.search(r"Documentation built in ([\d.]+) seconds", log)
    if not (pre and total):
        return "（日志中没有用时）"
    pre_s, total_s = float(pre.group(1)), float(total.group(1))
    return f"共 {total_s:.1f} 秒：读入、检查、生成页面和图片 {pre_s:.1f} 秒，MkDocs 渲染改动的页面和后处理 {total_s - pre_s:.1f} 秒"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="测量预览的启动时间和保存后页面更新的时间。")
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--project", type=Path, help="用已有的项目（默认生成合成项目）")
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dj-bench-preview-"))
    project = args.project or work / "project"
    try:
        if not (project / "mkdocs.yml").is_file():
            print(f"合成项目：{write_project(project, args.pages)}", flush=True)
        shutil.rmtree(project / ".cache/preview", ignore_errors=True)
        brand = project / BRAND
        original = brand.read_text(encoding="utf-8")
        study = sorted((project / "docs").glob(STUDY_GLOB))[0]
        study_original = study.read_text(encoding="utf-8")
        print(f"== {project}，{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.1f} ==", flush=True)

        cold = Preview(project, "cold")
        first = cold.wait(lambda: served(cold, "brands/pinpai-00001/"), step=0.5)
        print(f"没有保留的预览（首次）：{first:.1f} 秒后显示第一个页面", flush=True)
        rows = []
        try:
            for n in range(args.edits):
                time.sleep(2.0)
                marker = f"预览计时{n}x{int(time.time() * 1000)}"
                builds = cold.log().count("Documentation built")
                edit(brand, original, marker)
                saved = time.monotonic()
                cold.started = saved
                visible = cold.wait(lambda: served(cold, "brands/pinpai-00001/", marker))
                rebuilt = cold.wait(lambda: cold.log().count("Documentation built") > builds)
                found = cold.wait(lambda: searchable(project, marker), step=0.2)
                rows.append((visible, rebuilt, found))
                print(f"编辑 {n + 1}：页面显示 {visible:.2f} 秒，整站重建完成 {rebuilt:.2f} 秒，可被搜索 {found:.2f} 秒", flush=True)
        finally:
            builds = cold.log().count("Documentation built")
            brand.write_text(original, encoding="utf-8")
            cold.started = time.monotonic()
            try:  # stop once the rebuild for the restored file is done (a stop mid-build is measured below)
                cold.wait(lambda: cold.log().count("Documentation built") > builds, limit=300)
            finally:
                cold.stop()
        log = cold.log()
        for n, part in enumerate(log.split("Building documentation...")[2:], 1):
            print(f"  重建 {n}：{where_the_time_goes(part)}", flush=True)

        # While the preview is closed a writer edits a brand and a study page.
        edit(brand, original, "关闭期间的编辑")
        edit(study, study_original, "关闭期间的编辑")
        try:
            warm = Preview(project, "warm")
            shown = warm.wait(lambda: served(warm, "brands/pinpai-00001/"), step=0.1)
            taken = warm.wait(lambda: engine_up(warm) and served(warm, "brands/pinpai-00001/", "关闭期间的编辑"), step=0.2)
            warm.stop()
        finally:
            brand.write_text(original, encoding="utf-8")
            study.write_text(study_original, encoding="utf-8")
        waiting = "更新期间先显示上次的预览" in warm.log()
        print(f"保留的预览（再次启动）：{shown:.1f} 秒后显示第一个页面（{'上次的预览，带提示' if waiting else '已重建'}），"
              f"{taken:.1f} 秒后显示关闭期间的改动", flush=True)
        print(f"  其中第一次构建 {where_the_time_goes(warm.log())}")
        med = sorted(r[0] for r in rows)[len(rows) // 2] if rows else float("nan")
        print(f"\n目标：再次启动 ≤ 10 秒显示第一个页面（实测 {shown:.1f}）；保存→页面显示 ≤ 1.5 秒（中位数 {med:.2f}）")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
