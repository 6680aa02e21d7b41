"""Measure publishing: the whole publish, the manifest (SHA-256 of every file) and its verification.

    python benchmarks/bench_publish.py                 the repository's sample site
    python benchmarks/bench_publish.py --project DIR   another project (e.g. one made by benchmarks/synth_site.py)

Publishes into a temporary releases folder (removed afterwards) and prints figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "scripts")]

from dangjian.content_files import scan_content_files
from dangjian.publish import manifest_path, publish, verify_release, write_manifest

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    args = parser.parse_args()
    project = args.project.resolve()
    start = time.perf_counter()
    content = scan_content_files(project, project / "docs", project / "brands")
    scan = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        releases = Path(tmp) / "releases"
        result = publish(project, releases, log=lambda line: None)
        files = sorted(p for p in result.release.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in files)
        start = time.perf_counter()
        problems = verify_release(result.release)
        verify = time.perf_counter() - start
        start = time.perf_counter()
        write_manifest(result.release, Path(tmp) / "again.sha256")
        manifest_again = time.perf_counter() - start
        assert not problems, problems
        print(f"project: {project}")
        print(f"content scan (allow-list, symlinks): {scan * 1000:.0f} ms for {len(content.pages)} pages, {len(content.files)} files")
        print(f"publish total: {result.seconds:.1f} s (build + precompress {result.gzipped} files + manifest + verify + switch)")
        print(f"release: {len(files)} files, {size / 1048576:.1f} MB; manifest {manifest_path(result.release).stat().st_size // 1024} KB")
        print(f"manifest (SHA-256 of every file): {result.manifest_seconds:.2f} s in publish, {manifest_again:.2f} s again warm")
        print(f"verify against manifest (before every switch/rollback): {verify:.2f} s")


if __name__ == "__main__":
    main()
