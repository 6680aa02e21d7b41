#!/usr/bin/env python3
"""Benchmark of the review gate: seconds for the whole sample site and for a synthetic large one.

    .venv/bin/python benchmarks/bench_check.py [--brands 500]

Copies the sample project into a temporary folder, multiplies the sample
brands to ``--brands`` bundles (text only) and times ``run_check`` over all
of it and with ``only=`` one file (what pre-commit does), and the content rules as
the strict build and a `serve` rebuild run them (``check_content``, cold and warm).  Prints figures;
it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from dangjian.checks import Project, check_content, run_check  # noqa: E402
from dangjian import checks  # noqa: E402
from dangjian.loader import load_site  # noqa: E402


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brands", type=int, default=500)
    args = parser.parse_args()
    seconds, problems = timed(lambda: run_check(ROOT))
    print(f"sample site: {seconds:.2f} s, {len(problems)} problems")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        root.mkdir()
        for name in ("mkdocs.yml", "rules"):
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, root / name)
        shutil.copytree(ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("assets"))
        (root / "brands").mkdir()
        for name in ("units.yml", "categories.yml"):
            shutil.copy(ROOT / "brands" / name, root / "brands" / name)
        samples = sorted(p for p in (ROOT / "brands").glob("*/index.md"))
        for index in range(args.brands):
            source = samples[index % len(samples)]
            folder = root / "brands" / f"{source.parent.name}-{index}"
            folder.mkdir()
            # text only: image references are dropped so the copies need no photos
            text = "\n".join(line for line in source.read_text(encoding="utf-8").split("\n")
                             if not line.startswith(("cover:", "logo:", "![")))
            (folder / "index.md").write_text(text, encoding="utf-8")
        words = sum(len(p.read_text(encoding="utf-8")) for p in (root / "brands").glob("*/index.md"))
        seconds, problems = timed(lambda: run_check(root))
        print(f"{args.brands} brands ({words / 1e6:.1f} M characters): {seconds:.2f} s, {len(problems)} problems")
        # The same rules inside the strict build (hooks.on_files → check_content): cold, then a
        # `serve` rebuild with nothing changed (results cached by file text and site signature).
        project = Project.open(root)
        site = load_site(project.root, project.docs_dir, project.settings)
        checks._CHECKED.clear()
        seconds, _ = timed(lambda: check_content(project.root, project.docs_dir, project.settings, site))
        print(f"{args.brands} brands, content rules in the build (cold): {seconds:.2f} s")
        seconds, _ = timed(lambda: check_content(project.root, project.docs_dir, project.settings, site))
        print(f"{args.brands} brands, content rules in a serve rebuild (warm): {seconds:.2f} s")
        one = next((root / "brands").glob("*/index.md")).relative_to(root).as_posix()
        seconds, _ = timed(lambda: run_check(root, {one}))
        print(f"{args.brands} brands, one file selected (pre-commit): {seconds:.2f} s")


if __name__ == "__main__":
    main()
