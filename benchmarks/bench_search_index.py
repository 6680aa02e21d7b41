"""The search index worker's own cost: time per page in ``_Builder.add``, time in ``write``, and where the bytes go.

    .venv/bin/python benchmarks/bench_search_index.py [--pages 4000] [--long-share 0.25]
                     [--work /tmp/bench-search-index] [--site SITE] [--repeat 3] [--profile add|write]
                     [--digest] [--sizes]

The synthetic project (benchmarks/synth_site.py) is made once in ``--work``; its pages
are turned into the article HTML the build hands to the index (Markdown → HTML, as
``bench_search.py --direct`` does) and kept there, so that only the index is timed.
With ``--site``, the articles are taken instead from that site built by MkDocs from the
same synthetic project (``bench_search.py --build-only`` builds one): Material's markup
makes them longer, as the worker gets them in a real build.
Then, in this one process (one core, as the worker has): every page through
``_Builder.add`` (text extraction, chunks, normalisation, counting, pinyin, postings,
spooled page files), then ``_Builder.write`` into a fresh folder.  ``--repeat`` runs
that several times and prints the fastest; ``--profile`` prints cProfile's top
functions for one part; ``--digest`` prints a SHA-256 over every index file (same
input, same code: same digest).  Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import os
import pickle
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def load_pages(work: Path, pages: int, long_share: float, site: Path | None = None) -> list:
    """(url, facets, article HTML) of the synthetic project's indexed pages, made once and kept in ``work``;
    with ``site``, each article as that built site has it."""
    cache = work / f"pages-{pages}-{long_share}.pickle"
    if site is not None:
        start = '<article class="md-content__inner md-typeset"'
        docs = []
        for url, facets, _ in load_pages(work, pages, long_share):
            page_html = (site / url / "index.html").read_text(encoding="utf-8")
            begin = page_html.find(start)
            docs.append((url, facets, page_html[begin:page_html.find("</article>", begin) + len("</article>")]))
        return docs
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from bench_search import article_pages
    from synth_site import write_project

    project = work / f"p{pages}-{long_share}"
    if not project.exists():
        write_project(project, pages, long_share=long_share)
    docs = [(url, facets, page_html[page_html.find("<article"):]) for url, page_html, facets in article_pages(project)]
    cache.write_bytes(pickle.dumps(docs))
    return docs


def run_once(pages: list, out: Path, profile: str | None = None) -> tuple[float, float, float, float, object]:
    """Seconds in ``add`` (all pages) and in ``write``, wall-clock and CPU (this process: less
    inflated when other programs load the machine); the builder's stats."""
    from dangjian import search_index
    from dangjian.synonyms import load_synonyms

    synonyms = load_synonyms(REPO)[0]
    search_index._worker_warm()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    spool = Path(tempfile.mkdtemp(prefix="dj-search-", dir=out.parent))
    docs = [search_index._Doc(url, facets, article, article=True) for url, facets, article in pages]
    builder = search_index._Builder(synonyms, spool)
    profiler = cProfile.Profile() if profile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profile == "add":
        profiler.enable()
    for doc in docs:
        builder.add(doc)
    if profile == "add":
        profiler.disable()
    added, cpu_added = time.perf_counter(), time.process_time()
    if profile == "write":
        profiler.enable()
    stats = builder.write(out, added)
    if profile == "write":
        profiler.disable()
    written, cpu_written = time.perf_counter(), time.process_time()
    shutil.rmtree(spool, ignore_errors=True)
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return added - started, written - added, cpu_added - cpu, cpu_written - cpu_added, stats


def digest(root: Path) -> str:
    """SHA-256 over every file's relative path and bytes, in path order."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def breakdown(index: Path) -> None:
    """Raw and gzipped bytes by kind of file."""
    kinds: dict[str, list[int]] = {}
    for path in index.rglob("*.json"):
        rel = path.relative_to(index)
        if rel.parts[0] == "d":
            kind = "d/ 页首（含第一段）" if "-" not in path.stem else "d/ 其后各段"
        elif rel.parts[0] == "b":
            kind = "b/ 长倒排表"
        elif path.name.startswith("s") and path.stem[1:].isdigit():
            kind = "s*.json 倒排分片"
        else:
            kind = path.name
        data = path.read_bytes()
        row = kinds.setdefault(kind, [0, 0, 0])
        row[0] += 1
        row[1] += len(data)
        row[2] += len(gzip.compress(data, 6))
    total = sum(r[1] for r in kinds.values())
    for kind, (files, raw, gz) in sorted(kinds.items(), key=lambda kv: -kv[1][1]):
        print(f"    {kind:<18} {files:6d} 个文件  {raw / 1048576:7.1f} MB（{raw / total * 100:4.1f} %）  gzip 后 {gz / 1048576:6.1f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--long-share", type=float, default=0.25)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-search-index"))
    parser.add_argument("--site", type=Path, help="take the articles from this site built from the same project")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", choices=["add", "write"])
    parser.add_argument("--digest", action="store_true", help="print a digest of the index files")
    parser.add_argument("--sizes", action="store_true", help="print where the index bytes go")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    pages = load_pages(args.work, args.pages, args.long_share, args.site)
    chars = sorted(len(article) for _, _, article in pages)
    print(f"{len(pages)} 页（文章 HTML 中位 {chars[len(chars) // 2]} 字符，最长 {chars[-1]}），准备 {time.perf_counter() - started:.1f} 秒")
    out = args.work / "site"
    best = [float("inf")] * 4
    for run in range(args.repeat):
        load = os.getloadavg()[0]
        *times, stats = run_once(pages, out, args.profile if run == 0 else None)
        best = [min(a, b) for a, b in zip(best, times)]
        add, write, cpu_add, cpu_write = times
        print(f"  第 {run + 1} 次：add {add:.2f} 秒（每页 {add / len(pages) * 1000:.2f} ms，CPU {cpu_add / len(pages) * 1000:.2f} ms），"
              f"write {write:.2f} 秒（CPU {cpu_write:.2f} 秒）；{stats.shards} 个分片，{stats.tokens} 个词元，{stats.chunks} 段，"
              f"{stats.bytes / 1048576:.1f} MB；平均负载 {load:.2f}")
    add, write, cpu_add, cpu_write = best
    print(f"最快：每页 {add / len(pages) * 1000:.2f} ms（CPU {cpu_add / len(pages) * 1000:.2f} ms；add 共 {add:.2f} 秒），"
          f"write {write:.2f} 秒（CPU {cpu_write:.2f} 秒）；平均负载 {' / '.join(f'{x:.2f}' for x in os.getloadavg())}（1/5/15 分钟）")
    index = out / "search" / "dj"
    if args.digest:
        print(f"索引摘要 sha256 {digest(index)}")
    if args.sizes:
        breakdown(index)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
