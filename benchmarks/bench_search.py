"""Search at archive scale: recall, exactness, first-query bytes, latency, index build time.

    .venv/bin/python benchmarks/bench_search.py [--pages 4000] [--long-share 0.25] [--work /tmp/bench-search]
                                             [--project DIR] [--compare] [--sample-only] [--build-only]

Figures on two sites:

* the repository's sample site with the judged query set (tests/search_queries.yml):
  recall@5 by kind and shown results lacking a query term;
* a synthetic project (benchmarks/synth_site.py, half brands, half study materials,
  ``--long-share`` of all pages at least 20,000 characters) built without any search
  and with the shipped index: build time added (and the index worker's own time),
  index size; then in headless Chromium, on queries made from the built pages
  (titles, their pinyin, initials, traditional form, punctuation-free form, and
  body phrases of 2–30 characters): recall@5, shown results lacking a term, bytes
  transferred by the first query on a fresh page (median / max), and the time from the
  last keystroke (the input event) to rendered results (median / p90).

``--compare`` also builds with Material's search and runs Pagefind (the 2026-11-26
comparison in docs/guide/search.md).  Prints figures; asserts nothing (targets:
recall@5 ≥ 0.97 ordinary / ≥ 0.80 forgiving kinds, no result lacking a term,
≤ 300 KB first query for phrases up to 30 characters, ≤ 200 ms, ≤ 10 % build time).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "tests"))

from synth_site import write_project  # noqa: E402
from dangjian.normalize import normalize  # noqa: E402
from search_compare import build_index, mark_for_pagefind  # noqa: E402

FOCUS_MS = 300   # from clicking into the search box to the committed phrase (typing takes longer)
QUERIES = ["三会一课", "一课", "主题党日", "四强党支部", "志愿服务", "市财政局", "青年 理论学习", "作风建设"]
ORDINARY = {"name", "partial", "unit", "multi", "term", "title", "phrase"}


def build(project: Path, config: str, site: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", config, "-d", str(site)],
                          cwd=project, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        raise SystemExit("构建失败")
    return time.perf_counter() - started, proc.stdout + proc.stderr


AHEAD = re.compile(r"(\d+) 页在转换阶段已预先分词")


def generator_figures(project: Path, site: Path) -> None:
    """Build with the generator (what ./dev.sh build runs) and print the index's share of it."""
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "generate.py"), "build", "-d", str(site)],
                          cwd=project, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    index = re.search(r"搜索索引 (\d+) 页，(\d+) 个分片，([\d.]+) 秒[^\n]*", output)
    total = re.search(r"共 ([\d.]+) 秒", output)
    if proc.returncode != 0 or not index or not total:
        print(output[-2000:])
        raise SystemExit("生成器构建失败")
    ahead = AHEAD.search(index.group(0))
    print(f"  生成器（./dev.sh build）：构建 {float(total.group(1)):.1f} 秒，其中用于搜索索引 {float(index.group(3)):.1f} 秒，"
          f"占 {float(index.group(3)) / float(total.group(1)) * 100:.1f} %；预先分词 {ahead.group(1) if ahead else 0} 页")


def variant(project: Path, name: str, plugin: dict | None) -> str:
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    if plugin is not None:
        config["plugins"] = [plugin, *[p for p in config["plugins"] if p != "search" and not isinstance(p, dict) or (isinstance(p, dict) and "search" not in p)]]
        config["extra_javascript"] = [j for j in config["extra_javascript"] if "search-dj" not in j]
    (project / name).write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return name


def dir_bytes(path: Path) -> tuple[int, int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    gz = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    return raw, gz, len(files)


def browser_figures(site: Path, engine: str) -> dict:
    from browser_support import DESKTOP, RequestLog, browser, new_page, serve
    firsts, warms, first_bytes = [], [], []
    with serve(site) as base, browser() as instance:
        for q in QUERIES[:3]:  # three fresh pages (cold caches) per engine
            log = RequestLog()
            page = new_page(instance, DESKTOP, log)
            sizes: list[int] = []
            page.goto(base)
            page.wait_for_load_state("networkidle")
            page.on("response", lambda r: sizes.append(len(r.body())) if r.ok else None)
            firsts.append(_query(page, engine, q))
            page.wait_for_timeout(200)
            first_bytes.append(sum(sizes))
            for other in QUERIES:
                if other != q:
                    warms.append(_query(page, engine, other))
            page.context.close()
    return {"first_ms": statistics.median(firsts), "first_max_ms": max(firsts), "warm_ms": statistics.median(warms),
            "warm_p90_ms": sorted(warms)[int(len(warms) * 0.9)], "first_kb": statistics.median(first_bytes) / 1024,
            "first_kb_max": max(first_bytes) / 1024}


def _query(page, engine: str, q: str) -> float:
    if engine == "dj":
        # The reader clicks into the box, then commits the phrase from the input method (one input event)
        # at least FOCUS_MS later; timed from that input event to the rendered results.
        return page.evaluate("""([q, wait]) => new Promise(done => {
            const box = document.querySelector('[data-dj-search]'), input = box.querySelector('input');
            input.focus();
            setTimeout(() => {
                box.removeAttribute('data-state'); input.value = q;
                const t0 = performance.now();
                const obs = new MutationObserver(() => { if (box.dataset.state === 'done') { obs.disconnect(); done(performance.now() - t0); } });
                obs.observe(box, {attributes: true});
                input.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertText', data: q}));
            }, wait);
        })""", [q, FOCUS_MS])
    if engine == "pagefind":
        return page.evaluate("""async q => { const t0 = performance.now();
            const pf = await import(new URL('pagefind/pagefind.js', document.baseURI).href);
            const r = await pf.search(q); await Promise.all(r.results.slice(0, 10).map(x => x.data()));
            return performance.now() - t0; }""", q)
    box = page.locator("input.md-search__input")
    page.evaluate("document.querySelector('input.md-search__input').value = ''")
    started = time.perf_counter()
    box.fill(q)
    box.press("End")  # Material reads the box on keyup
    page.wait_for_function("q => { const m = document.querySelector('.md-search-result__meta');"
                           " return m && !/初始化/.test(m.textContent) && document.querySelector('.md-search-result__list') "
                           "&& document.querySelector('input.md-search__input').value === q; }", arg=q, timeout=120000)
    return (time.perf_counter() - started) * 1000


def synthetic_queries(site: Path, n: int, seed: int = 11) -> tuple[list[dict], list[str]]:
    """Judged queries made from the built index of the synthetic site, and body phrases (2–30 characters)."""
    import opencc
    from pypinyin import lazy_pinyin
    to_trad = opencc.OpenCC("s2t").convert
    index = site / "search" / "dj"
    meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    heads = [json.loads((index / "d" / f"{pid}.json").read_text(encoding="utf-8")) for pid in range(meta["pages"])]
    by_title: dict[str, list[str]] = {}
    for head in heads:
        by_title.setdefault(normalize(head["t"]), []).append(head["u"])
    rng = random.Random(seed)
    pids = rng.sample([p for p, h in enumerate(heads) if h["s"] in ("品牌", "学习资料")], n)
    queries: list[dict] = []
    for pid in pids:
        head = heads[pid]
        title = head["t"]
        expect = sorted({u for t, us in by_title.items() if normalize(title) in t for u in us})
        queries.append({"q": title, "expect": expect, "kind": "title"})
        syllables = [normalize(s) for s in lazy_pinyin(title)]
        if len(normalize(title)) <= 12:
            queries.append({"q": "".join(syllables), "expect": expect, "kind": "pinyin"})
            queries.append({"q": "".join(s[0] for s in syllables if s), "expect": expect, "kind": "initials"})
        if to_trad(title) != title:
            queries.append({"q": to_trad(title), "expect": expect, "kind": "traditional"})
        if normalize(title) != re.sub(r"\s+", "", title):
            queries.append({"q": normalize(title), "expect": expect, "kind": "punct"})
    phrases = []
    for pid in rng.sample(range(len(heads)), n):
        head = heads[pid]
        k = rng.randrange(head["k"])
        text = head["x"] if k == 0 else json.loads((index / "d" / f"{pid}-{k}.json").read_text(encoding="utf-8"))["x"]
        length = rng.choice([2, 3, 4, 6, 8, 12, 16, 20, 25, 30])
        start = rng.randrange(max(1, len(text) - length))
        phrase = text[start:start + length].strip()
        if len(normalize(phrase)) >= 2:
            phrases.append(phrase)
    return queries, phrases


def article_pages(project: Path):
    """The synthetic project's indexed pages straight from its Markdown (no MkDocs): (url, page HTML, facets),
    the article marked for the index as the post-pass marks it."""
    import markdown

    from dangjian.loader import load_site
    from dangjian.search import page_facets
    from dangjian.sources import split_front_matter

    site = load_site(project, project / "docs")
    pages: list[tuple[str, str, str]] = [(b.url, b.src_uri, b.body) for b in site.brands]
    for item in [*site.studies, *site.models]:
        body = split_front_matter((project / "docs" / item.src_uri).read_text(encoding="utf-8"))[1]
        pages.append((item.url, item.src_uri, body))
    pages += [(u.url, f"units/{u.slug}.md", f"{u.name}（{u.short}），{u.group}。") for u in site.units]
    article = '<article class="md-content__inner md-typeset" data-dj-indexed><h1>{}</h1>{}</article>'
    md = markdown.Markdown(extensions=["tables", "attr_list", "def_list"])
    for url, src_uri, body in pages:
        facets = page_facets(site, src_uri)
        if facets is not None:
            yield url, article.format(facets.title, md.reset().convert(body)), facets


def write_direct_site(project: Path, out: Path) -> tuple[float, int]:
    """The synthetic project's search index written straight from its Markdown (no MkDocs), with a page
    holding the real search box and script: the same index files, in minutes instead of a full build.

    Returns the seconds spent indexing (in this process, one core) and the pages indexed.
    """
    import jinja2

    from dangjian.search_index import SearchIndex
    from dangjian.synonyms import load_synonyms

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    index = SearchIndex(background=False, synonyms=load_synonyms(REPO)[0])
    started = time.perf_counter()
    for url, page_html, facets in article_pages(project):
        index.add(url, page_html, facets)
    stats = index.write(out)
    seconds = time.perf_counter() - started
    shutil.copy(REPO / "docs" / "assets" / "javascripts" / "search-dj.js", out / "search-dj.js")
    partial = (REPO / "overrides" / "partials" / "search-dj.html").read_text(encoding="utf-8")
    box = jinja2.Environment(autoescape=True).from_string(partial).render(base_url=".")
    (out / "index.html").write_text(f'<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><body>{box}'
                                    '<script src="search-dj.js"></script>', encoding="utf-8")
    return seconds, stats.pages


def judge(site: Path, queries: list[dict]) -> tuple[dict[str, list[bool]], list[str]]:
    """recall@5 hits per kind (through djSearch.search) and misses."""
    from browser_support import DESKTOP, RequestLog, browser, new_page, serve
    kinds: dict[str, list[bool]] = {}
    misses: list[str] = []
    with serve(site) as base, browser() as instance:
        page = new_page(instance, DESKTOP, RequestLog())
        page.goto(base)
        for item in queries:
            urls = page.evaluate("q => djSearch.search(q, {}).then(o => o.results.map(r => r.doc.u))", item["q"])
            hit = any(u in item["expect"] for u in urls[:5])
            kinds.setdefault(item["kind"], []).append(hit)
            if not hit:
                misses.append(f"{item['kind']} {item['q']} → {urls[:5]}")
    return kinds, misses


def print_recall(kinds: dict[str, list[bool]], misses: list[str]) -> None:
    ordinary = [h for k, v in kinds.items() if k in ORDINARY for h in v]
    print(f"  recall@5 普通查询 {sum(ordinary) / max(1, len(ordinary)):.3f}（{sum(ordinary)}/{len(ordinary)}）；" + "，".join(
        f"{k} {sum(v) / len(v):.3f}（{sum(v)}/{len(v)}）" for k, v in sorted(kinds.items()) if k not in ORDINARY))
    for miss in misses[:12]:
        print("    未命中：", miss)


def dj_first_queries(site: Path, phrases: list[str]) -> tuple[list[int], list[float], list[float]]:
    """Bytes of the first query on a fresh page, and keystroke→results times (first and later queries)."""
    from browser_support import DESKTOP, RequestLog, browser, new_page, serve
    first_bytes, firsts, warms = [], [], []
    with serve(site) as base, browser() as instance:
        for i, q in enumerate(phrases):
            page = new_page(instance, DESKTOP, RequestLog())
            page.goto(base)
            page.wait_for_load_state("networkidle")
            page.evaluate("performance.setResourceTimingBufferSize(10000); performance.clearResourceTimings()")
            firsts.append(_query(page, "dj", q))
            page.wait_for_timeout(500)  # fetches still under way when the results show count too
            first_bytes.append(page.evaluate("""performance.getEntriesByType('resource')
                .filter(e => e.name.includes('/search/dj/')).reduce((n, e) => n + e.decodedBodySize, 0)"""))
            if i < 6:
                for other in phrases[i + 1:i + 6]:
                    warms.append(_query(page, "dj", other))
            page.context.close()
    return first_bytes, firsts, warms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--long-share", type=float, default=0.25)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-search"))
    parser.add_argument("--project", type=Path, help="an existing synthetic project to use")
    parser.add_argument("--queries", type=int, default=60, help="pages sampled for synthetic queries")
    parser.add_argument("--compare", action="store_true", help="also Material's search and Pagefind")
    parser.add_argument("--sample-only", action="store_true", help="only the sample site's judged queries")
    parser.add_argument("--skip-build", action="store_true", help="reuse the sites already built in --work")
    parser.add_argument("--baseline", action="store_true", help="also build without search and compare build times")
    parser.add_argument("--build-only", action="store_true", help="stop after the synthetic site's build figures")
    parser.add_argument("--generator", action="store_true",
                        help="also build with the generator (./dev.sh build: scripts/generate.py) and print its index share")
    parser.add_argument("--direct", action="store_true",
                        help="write the synthetic site's index straight from Markdown (no MkDocs build): query figures only")
    args = parser.parse_args(argv)
    from search_judge import lacking_terms

    args.work.mkdir(parents=True, exist_ok=True)
    sample = args.work / "site-sample"
    if not args.skip_build and not args.build_only:
        build(REPO, "mkdocs.yml", sample)
    judged = yaml.safe_load((REPO / "tests" / "search_queries.yml").read_text(encoding="utf-8"))
    if not args.build_only:
        print(f"示例网站：评测查询 {len(judged)} 条")
        print_recall(*judge(sample, judged))
        print(f"  显示的结果中缺少查询词的：{len(lacking_terms(sample, [q['q'] for q in judged]))} 条")
    if args.sample_only:
        return 0

    project = args.project or args.work / f"p{args.pages}"
    if not project.exists():
        started = time.perf_counter()
        counts = write_project(project, args.pages, long_share=args.long_share)
        print(f"生成合成项目 {project}：{counts}，{time.perf_counter() - started:.1f} 秒")
    none_cfg = variant(project, "mkdocs-nosearch.yml", {"search": {"enabled": False}})
    sites = {k: args.work / f"site-{k}" for k in ("none", "dj", "material")}
    if args.direct and args.skip_build and (args.work / "site-direct" / "search").is_dir():
        sites["dj"] = args.work / "site-direct"  # reuse its index; the page gets the current script
        shutil.copy(REPO / "docs" / "assets" / "javascripts" / "search-dj.js", sites["dj"] / "search-dj.js")
    elif args.direct:
        sites["dj"] = args.work / "site-direct"
        seconds, pages = write_direct_site(project, sites["dj"])
        raw, gz, n = dir_bytes(sites["dj"] / "search" / "dj")
        texts = [len(p.read_text(encoding="utf-8")) for p in project.rglob("*.md") if ".cache" not in p.parts]
        print(f"\n合成网站（直接由 Markdown 建索引，不经 MkDocs）：{pages} 页，其中 {sum(t >= 20000 for t in texts)} 篇不少于 2 万字；"
              f"建索引 {seconds:.1f} 秒（单进程）；search/dj/ {raw / 1048576:.1f} MB，gzip 后 {gz / 1048576:.1f} MB，{n} 个文件")
    elif not args.skip_build:
        times = {}
        if args.baseline:
            build(project, none_cfg, sites["none"])  # warm the image cache first: not counted
            times["none"] = build(project, none_cfg, sites["none"])[0]
        times["dj"], output = build(project, "mkdocs.yml", sites["dj"])
        match = re.search(r"搜索索引 (\d+) 页，(\d+) 个分片，([\d.]+) 秒[^\n]*", output)
        built = re.search(r"Documentation built in ([\d.]+) seconds", output)
        pages = len(list(sites["dj"].rglob("index.html")))
        texts = [len(p.read_text(encoding="utf-8")) for p in project.rglob("*.md") if ".cache" not in p.parts]
        print(f"\n合成网站：页面 {pages} 个（合成 {args.pages} 篇，其中 {sum(t >= 20000 for t in texts)} 篇不少于 2 万字）；"
              f"构建时间（秒，2 核共享机器）：")
        if match and built:
            ahead = AHEAD.search(match.group(0))
            print(f"  本站字串索引：构建 {float(built.group(1)):.1f} 秒，其中用于搜索索引（提取正文、等待后台进程、写文件）"
                  f"{float(match.group(3)):.1f} 秒，占 {float(match.group(3)) / float(built.group(1)) * 100:.1f} %；"
                  f"索引 {match.group(1)} 页、{match.group(2)} 个分片；预先分词 {ahead.group(1) if ahead else 0} 页")
        if args.generator:
            generator_figures(project, args.work / "site-generator")
        if "none" in times:
            print(f"  无搜索 {times['none']:.1f} 秒；本站字串索引 {times['dj']:.1f} 秒（{(times['dj'] / times['none'] - 1) * 100:+.1f} %）")
        raw, gz, n = dir_bytes(sites["dj"] / "search" / "dj")
        print(f"  索引 search/dj/: {raw / 1048576:.1f} MB，gzip 后 {gz / 1048576:.1f} MB，{n} 个文件")
        print(f"  平均负载 {' / '.join(f'{x:.1f}' for x in os.getloadavg())}（1/5/15 分钟）")
        if args.build_only:
            return 0
    queries, phrases = synthetic_queries(sites["dj"], args.queries)
    print(f"\n合成网站的查询（由 {args.queries} 个页面的标题生成 {len(queries)} 条；正文短语 {len(phrases)} 条，2–30 字）")
    print_recall(*judge(sites["dj"], queries))
    bad = lacking_terms(sites["dj"], [q["q"] for q in queries] + phrases)
    print(f"  显示的结果中缺少查询词的：{len(bad)} 条 {bad[:3]}")
    first_bytes, firsts, warms = dj_first_queries(sites["dj"], phrases)
    print(f"  首次查询传输（未压缩）：中位 {statistics.median(first_bytes) / 1024:.0f} KB / 最多 {max(first_bytes) / 1024:.0f} KB")
    print(f"  平均负载 {' / '.join(f'{x:.1f}' for x in os.getloadavg())}（1/5/15 分钟）")
    print(f"  最后一次按键到结果：首次查询 中位 {statistics.median(firsts):.0f} ms / 最慢 {max(firsts):.0f} ms；"
          f"之后的查询 中位 {statistics.median(warms):.0f} ms / p90 {sorted(warms)[int(len(warms) * 0.9)]:.0f} ms")
    if not args.compare:
        return 0
    mat_cfg = variant(project, "mkdocs-material.yml", {"search": {"lang": "zh"}})
    times = {"none": build(project, none_cfg, sites["none"])[0], "material": build(project, mat_cfg, sites["material"])[0]}
    pf_site = args.work / "site-pagefind"
    subprocess.run(["rm", "-rf", str(pf_site)], check=True)
    subprocess.run(["cp", "-r", str(sites["none"]), str(pf_site)], check=True)
    mark_for_pagefind(pf_site, project)
    pf = build_index(pf_site)
    assert pf.error is None, pf.error
    print(f"  Material 默认     {times['material']:7.1f}  （+{(times['material'] / times['none'] - 1) * 100:5.1f} %）")
    print(f"  Pagefind 扩展版   {times['none'] + pf.seconds:7.1f}  （+{pf.seconds / times['none'] * 100:5.1f} %，索引 {pf.seconds:.1f} 秒）")
    print(f"\n浏览器（headless Chromium，查询 {len(QUERIES)} 个：{'、'.join(QUERIES)}）")
    for name, site, engine in (("本站字串索引", sites["dj"], "dj"), ("Pagefind 扩展版", pf_site, "pagefind"),
                               ("Material 默认", sites["material"], "material")):
        f = browser_figures(site, engine)
        print(f"  {name}: 首次查询传输 中位 {f['first_kb']:.0f} KB / 最多 {f['first_kb_max']:.0f} KB；"
              f"首次查询到结果 中位 {f['first_ms']:.0f} ms / 最慢 {f['first_max_ms']:.0f} ms；"
              f"之后的查询 中位 {f['warm_ms']:.0f} ms / p90 {f['warm_p90_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
