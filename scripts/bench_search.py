"""Search at archive scale: index size, build time added, first-query bytes and latency.

    .venv/bin/python scripts/bench_search.py [--pages 4000] [--work /tmp/bench-search]

Generates (once) a synthetic project of realistic Chinese pages with
scripts/synth_site.py (the issue-7 generator: half brands, half study
materials, sentences recombined from a real 机关党建 work plan) and builds it
three times: without any search (Material's search plugin present but
disabled), with the shipped index (search/dj/), and with Material's built-in
search (lunr + jieba).  Pagefind (extended) is run over the no-search build.
Then, in headless Chromium, for each engine and a handful of queries: bytes
fetched for the first query on a fresh page, and the time from the last
keystroke (the input event) to rendered results.  Prints figures; asserts
nothing (targets: ≤ 300 KB, ≤ 200 ms, ≤ 30 % build time).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests"))

from synth_site import write_project  # noqa: E402
from dangjian.search import build_index  # noqa: E402

QUERIES = ["三会一课", "一课", "主题党日", "四强党支部", "志愿服务", "市财政局", "青年 理论学习", "作风建设"]


def build(project: Path, config: str, site: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(site)],
                          cwd=project, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        raise SystemExit("构建失败")
    return time.perf_counter() - started


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
        return page.evaluate("""q => new Promise(done => {
            const box = document.querySelector('[data-dj-search]'), input = box.querySelector('input');
            box.removeAttribute('data-state'); input.value = q;
            const t0 = performance.now();
            const obs = new MutationObserver(() => { if (box.dataset.state === 'done') { obs.disconnect(); done(performance.now() - t0); } });
            obs.observe(box, {attributes: true});
            input.dispatchEvent(new Event('input', {bubbles: true}));
        })""", q)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-search"))
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args(argv)
    project = args.work / f"p{args.pages}"
    if not project.exists():
        started = time.perf_counter()
        counts = write_project(project, args.pages)
        print(f"生成合成项目 {project}：{counts}，{time.perf_counter() - started:.1f} 秒")
    none_cfg = variant(project, "mkdocs-nosearch.yml", {"search": {"enabled": False}})
    mat_cfg = variant(project, "mkdocs-material.yml", {"search": {"lang": "zh"}})
    sites = {k: args.work / f"site-{k}" for k in ("none", "dj", "material")}
    build(project, none_cfg, sites["none"])  # warm the image cache first: not counted
    times = {"none": build(project, none_cfg, sites["none"]), "dj": build(project, "mkdocs.yml", sites["dj"]),
             "material": build(project, mat_cfg, sites["material"])}
    pf_site = args.work / "site-pagefind"
    subprocess.run(["rm", "-rf", str(pf_site)], check=True)
    subprocess.run(["cp", "-r", str(sites["none"]), str(pf_site)], check=True)
    pf = build_index(pf_site)
    assert not pf.problems, pf.problems
    pages = len(list(sites["dj"].rglob("index.html")))
    print(f"\n页面 {pages} 个（合成 {args.pages} 篇）；构建时间（秒，2 核共享机器）：")
    print(f"  无搜索            {times['none']:7.1f}")
    print(f"  本站字串索引      {times['dj']:7.1f}  （+{(times['dj'] / times['none'] - 1) * 100:5.1f} %）")
    print(f"  Material 默认     {times['material']:7.1f}  （+{(times['material'] / times['none'] - 1) * 100:5.1f} %）")
    print(f"  Pagefind 扩展版   {times['none'] + pf.seconds:7.1f}  （+{pf.seconds / times['none'] * 100:5.1f} %，索引 {pf.seconds:.1f} 秒）")
    for name, path in (("本站字串索引 search/dj/", sites["dj"] / "search" / "dj"),
                       ("Material search/search_index.json", sites["material"] / "search" / "search_index.json"),
                       ("Pagefind pagefind/", pf_site / "pagefind")):
        raw, gz, n = dir_bytes(path) if path.is_dir() else (path.stat().st_size, len(gzip.compress(path.read_bytes(), 6)), 1)
        print(f"  索引 {name}: {raw / 1048576:.1f} MB，gzip 后 {gz / 1048576:.1f} MB，{n} 个文件")
    if args.skip_browser:
        return 0
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
