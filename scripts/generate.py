"""Build the site with any engine: pre-pass → engine → post-pass (scripts/dangjian/generate.py).

    python scripts/generate.py build [--strict] [-d site/] [-f mkdocs.yml] [--engine mkdocs|properdocs|zensical]
    python scripts/generate.py stage [-f mkdocs.yml] [--engine ...]     only the pre-pass; prints the staged config
    python scripts/generate.py serve [-a 127.0.0.1:8000] [--engine ...]  preview (MkDocs/ProperDocs: serve --dirty with
                                                                         the hook; Zensical: rebuild on save)

The engine is ``--engine``, else the environment variable ``DJ_ENGINE``, else
``extra.dangjian.engine`` in mkdocs.yml, else MkDocs.  Every message a writer
sees is Chinese; the engines' English end-of-life banners are switched off.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dangjian.content_files import linked_folder_problems  # noqa: E402
from dangjian.generate import (
    AHEAD_ENV,
    ENGINES,
    QUIET_ENV,
    ahead_engine,
    config_problems,
    has_failures,
    load_config,
    plan_site,
    resolve_engine,
    site_dir_problem,
    write_stage,
)
from dangjian.paths import folder_beside
from dangjian.postpass import BuiltSite, clear_for_engine
from dangjian.preview import FolderServer
from dangjian.problems import Problem, Severity
from dangjian.settings import Settings

#: Where each engine's staged tree lives, under the project (Zensical wants docs and site inside it).
STAGE_DIR = ".cache/stage"
_LEVEL = {Severity.ERROR: "ERROR   ", Severity.WARNING: "WARNING ", Severity.INFO: "INFO    "}


def report(problems: list[Problem]) -> None:
    """Print problems like the engines' log lines, in Chinese."""
    for problem in problems:
        print(f"{_LEVEL[problem.severity]} -  {problem.format()}", file=sys.stderr, flush=True)


def info(message: str) -> None:
    print(f"INFO     -  {message}", file=sys.stderr, flush=True)


def engine_env() -> dict[str, str]:
    """The environment for an engine: no English banners."""
    env = dict(os.environ)
    env.update(QUIET_ENV)
    return env


def engine_command(engine: str, config_file: Path, site_dir: Path, strict: bool, command: str = "build") -> list[str]:
    """The command line that runs ``engine`` on a staged config."""
    if engine == "zensical":  # site_dir comes from the staged config (it must lie inside the stage)
        cmd = [sys.executable, "-m", "zensical", command, "-f", str(config_file)]
    else:
        cmd = [sys.executable, "-m", engine, command, "-f", str(config_file)]
        if command == "build":
            cmd += ["-d", str(site_dir)]
    if strict and command == "build":
        cmd.append("--strict")
    return cmd


def build(config_path: Path, site_dir: Path | None, engine: str | None, strict: bool) -> int:
    """Pre-pass, engine build, post-pass; returns the exit code."""
    started = time.perf_counter()
    config, problems = load_config(config_path)
    if config is None:
        report(problems)
        return 2
    linked = linked_folder_problems(config.docs_dir, config.root)
    if linked:  # a link to / or a parent folder: stop before anything walks docs/, as the hook does
        report(linked)
        return _aborted(linked)
    target = (site_dir or config.root / str(config.data.get("site_dir") or "site")).resolve()
    unsafe = site_dir_problem(config, target)
    if unsafe:
        report([unsafe])
        return _aborted([unsafe])
    chosen, errs = resolve_engine(config, {"DJ_ENGINE": engine} if engine else None)
    settings, settings_problems = Settings.from_mapping(config.settings_mapping)
    problems = errs + settings_problems
    problems += config_problems(config)
    plan = plan_site(config, settings, defer_checks=True)
    problems += plan.problems
    report(problems)
    info(plan.images_summary())
    strict = strict or bool(config.data.get("strict"))
    if has_failures(problems, strict):  # no engine then: the content rules are reported with the rest
        checked = plan.check()
        report(checked)
        return _aborted(problems + checked)
    stage = write_stage(plan, config.root / STAGE_DIR / chosen, chosen)
    prepass = time.perf_counter() - started
    info(f"dangjian: 用 {chosen} 构建（预处理 {prepass:.1f} 秒，改动 {stage.written} 个文件）")
    out = stage.site_dir if chosen == "zensical" else target
    if out != target and out.exists():
        shutil.rmtree(out)  # only this build's pages in it (they are post-processed as they appear)
    clear_for_engine(out)
    env = engine_env()
    ahead = folder_beside(out, "ahead") if ahead_engine(plan, chosen) else None
    if ahead is not None:
        env[AHEAD_ENV] = str(ahead)
    since = time.time_ns()
    proc = subprocess.Popen(engine_command(chosen, stage.config_file, out, strict), cwd=stage.root, env=env)
    _give_way()
    built = BuiltSite(plan, out, since_ns=since, ahead=ahead)  # starts the search worker (it gives way too)
    try:
        # The content rules change no page: checked while the engine converts pages on the other core.
        checked = plan.check()
        report(checked)
        problems += checked
        if has_failures(problems, strict):
            _stop(proc, built)
            return _aborted(problems)
        returncode, following = _follow(proc, built)
    except BaseException:  # Ctrl+C (the engine got it too) or a failure here: stop the engine, keep nothing
        _stop(proc, built)
        raise
    if returncode != 0:
        built.discard()
        print(f"ERROR    -  构建引擎 {chosen} 报告了问题（退出码 {returncode}），网站没有生成完整。请按上面的提示修改后重新构建。",
              file=sys.stderr)
        return 1
    post_started = time.perf_counter()
    problems = built.finish(info)
    if out != target:
        _replace_dir(out, target)
    report(problems)
    info(f"dangjian: 完成（后处理 {time.perf_counter() - post_started:.1f} 秒，另有 {following:.1f} 秒与构建引擎同时进行；"
         f"共 {time.perf_counter() - started:.1f} 秒），网站在 {target}")
    if has_failures(problems, strict):
        return _aborted(problems)
    return 0


def _give_way() -> None:
    """Lower this process's priority (and its search worker's, started after): the engine, the
    longest step, keeps a whole core while the post-pass works beside it on two-core machines."""
    if hasattr(os, "nice"):
        try:
            now = os.nice(0)
            if now < 10:  # once (the Zensical preview builds again and again in this process)
                os.nice(10 - now)
        except OSError:
            pass


def _follow(proc: subprocess.Popen, built: BuiltSite) -> tuple[int, float]:
    """Post-process the engine's pages while it writes them; returns its exit code and the seconds
    the post-pass worked meanwhile."""
    busy = 0.0
    while proc.poll() is None:
        started = time.perf_counter()
        if built.follow():
            busy += time.perf_counter() - started
        else:
            try:
                proc.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                pass
    return proc.returncode, busy


def _stop(proc: subprocess.Popen, built: BuiltSite) -> None:
    """Stop the engine and keep nothing processed."""
    proc.kill()
    proc.wait()
    built.discard()


def _aborted(problems: list[Problem]) -> int:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = sum(p.severity is Severity.WARNING for p in problems)
    print(f"构建已停止：发现 {errors} 个错误、{warnings} 个警告（严格模式 --strict 下警告也会停止构建）。请按上面的提示修改后重新构建。",
          file=sys.stderr)
    return 1


def _replace_dir(source: Path, target: Path) -> None:
    """Move the engine's output to ``target`` (renamed when on the same disk, copied otherwise)."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        shutil.copytree(source, target)
        shutil.rmtree(source, ignore_errors=True)


def serve(config_path: Path, engine: str | None, addr: str) -> int:
    """Preview: MkDocs/ProperDocs run their fast ``serve --dirty`` with the hook; Zensical rebuilds on save."""
    config, problems = load_config(config_path)
    if config is None:
        report(problems)
        return 2
    chosen, errs = resolve_engine(config, {"DJ_ENGINE": engine} if engine else None)
    report(errs)
    if chosen != "zensical":
        cmd = [sys.executable, "-m", chosen, "serve", "--dirty", "-a", addr, "-f", str(config_path)]
        if os.name == "posix":  # become the engine's process: stopping the preview stops the engine
            os.chdir(config.root)
            os.execve(sys.executable, cmd, engine_env())
        return subprocess.call(cmd, cwd=config.root, env=engine_env())
    return _serve_rebuilding(config_path, config.root, addr)


def _serve_rebuilding(config_path: Path, root: Path, addr: str) -> int:
    """Zensical runs no hooks: build with the generator, serve the folder, rebuild when a source
    changes; open pages reload after each rebuild (dangjian.preview.FolderServer)."""
    site = root / STAGE_DIR / "preview-site"
    build(config_path, site, "zensical", strict=False)
    host, _, port = addr.rpartition(":")
    host, port = host or "127.0.0.1", int(port or 8000)
    server = FolderServer(site, host, port)
    if not server.start():
        print(f"ERROR    -  预览地址 {host}:{port} 已被占用：可能已经有一个预览在运行。请关闭它，或用 -a 换一个端口。", file=sys.stderr)
        return 1
    info(f"dangjian: 预览地址 http://{host}:{port}/ （保存文件后自动重新构建，完成后页面自动刷新）")
    watched = [root / "docs", root / "brands", root / "overrides", config_path]
    last = _snapshot(watched)
    try:
        while True:
            time.sleep(1.0)
            now = _snapshot(watched)
            if now != last:
                last = now
                build(config_path, site, "zensical", strict=False)
                server.reload()
    except KeyboardInterrupt:  # Ctrl+C, possibly in the middle of a rebuild
        server.stop()
        print("INFO     -  dangjian: 预览已停止", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(0)  # do not wait for a search worker of an interrupted rebuild (it ends when this process does)


def _snapshot(paths: list[Path]) -> int:
    stamp = 0
    for path in paths:
        items = path.rglob("*") if path.is_dir() else [path]
        for item in items:
            try:
                st = item.stat()
            except OSError:
                continue
            stamp = hash((stamp, str(item), st.st_mtime_ns, st.st_size))
    return stamp


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    # Ctrl+C stops a preview or build even when started by a program that ignores it (an ignored
    # signal would stay ignored in the engine started from here too).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(description="用 MkDocs、ProperDocs 或 Zensical 构建网站（自动生成的页面、图片和搜索索引由本项目生成）。")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("build", "构建网站"), ("stage", "只写出供构建引擎使用的文件（.cache/stage/<引擎>/）"), ("serve", "预览网站")):
        p = sub.add_parser(name, help=text)
        p.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"), help="配置文件，默认为 mkdocs.yml")
        p.add_argument("--engine", choices=ENGINES, default=None, help="构建引擎（默认读环境变量 DJ_ENGINE 或 mkdocs.yml）")
        if name == "build":
            p.add_argument("-d", "--site-dir", type=Path, default=None, help="输出目录，默认为 site/")
            p.add_argument("-s", "--strict", action="store_true", help="严格模式：有错误或警告时构建失败")
        if name == "serve":
            p.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="预览地址，默认 127.0.0.1:8000")
    args = parser.parse_args(argv)
    config_path = args.config_file.resolve()
    if args.command == "build":
        return build(config_path, args.site_dir.resolve() if args.site_dir else None, args.engine, args.strict)
    if args.command == "serve":
        return serve(config_path, args.engine, args.dev_addr)
    config, problems = load_config(config_path)
    report(problems)
    if config is None:
        return 2
    chosen, errs = resolve_engine(config, {"DJ_ENGINE": args.engine} if args.engine else None)
    settings, more = Settings.from_mapping(config.settings_mapping)
    plan = plan_site(config, settings)
    report(errs + more + plan.problems)
    stage = write_stage(plan, config.root / STAGE_DIR / chosen, chosen)
    print(stage.config_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
