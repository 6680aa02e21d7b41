"""Benchmark of the 汇编 export; prints figures (it asserts nothing).

For each size (default 20 and 200 brands) a synthetic project is written
(benchmarks/synth_site.py: real Chinese text, tables, some cover photos) and every
brand gets ``--photos`` phone-like photos in its body (``--size``, each with its
own content hash) and every other brand a logo.  Then:

1. the review gate and the photo pipeline with a cold cache;
2. the export (DOCX and PDF) with the cache warm: seconds per step, seconds per
   case, file sizes; the PDF is printed ``--batch`` cases at a time (0: all in one print);
3. the same compilation printed by WeasyPrint (when installed: it is a
   comparison, not a dependency) from the same HTML and CSS, against
   Chromium: seconds, size, pages, bookmarks, font types, and the share of
   the expected Chinese characters that ``pdftotext`` gets back.

    .venv/bin/python benchmarks/bench_export.py [--brands 20,200] [--photos 2] [--size 2000x1500] [--batch 20]

``--attach-cost`` instead measures what the setting ``attach_compilations`` (汇编下载)
costs a build of the repository's own sample site: the same build (scripts/generate.py
build) with the setting off, on with an empty compilation cache, and on again unchanged.
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_images import phone_photo  # noqa: E402
from dangjian.export import Criteria, export_compilation, printable  # noqa: E402
from dangjian.export.pdfinfo import read_outline  # noqa: E402
from dangjian.export.printable import render_html  # noqa: E402
from synth_site import write_project  # noqa: E402


def add_photos(root: Path, per_brand: int, width: int, height: int) -> int:
    """Give every brand ``per_brand`` photos in its body, each with its own pixels (so no two renditions are alike)."""
    pool = [Image.open(io.BytesIO(phone_photo(seed, width, height))) for seed in range(12)]
    rng = random.Random(7)
    count = 0
    for index, folder in enumerate(sorted((root / "brands").glob("*/"))):
        if not (folder / "index.md").is_file():
            continue
        lines = []
        for k in range(per_brand):
            image = pool[(index * per_brand + k) % len(pool)].copy()
            draw = ImageDraw.Draw(image)
            for _ in range(6):  # a few shapes of its own: a different photo, not a copy with new metadata
                x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(width // 20, width // 6)
                draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
            image.save(folder / f"bench-{k}.jpg", "JPEG", quality=90)
            lines.append(f"\n![第{k + 1}张活动照片：党员志愿服务现场](bench-{k}.jpg)\n")
            count += 1
        text = (folder / "index.md").read_text(encoding="utf-8")
        if index % 2 == 0:  # every other brand has a logo (a transparent PNG), the rest print without one
            logo = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
            ImageDraw.Draw(logo).ellipse([40, 40, 560, 560], outline=(200, 20, 20, 255), width=70,
                                         fill=tuple(rng.randrange(256) for _ in range(3)) + (255,))
            logo.save(folder / "logo.png")
            text = text.replace("---\n", "---\nlogo: logo.png\n", 1)
        (folder / "index.md").write_text(text + "\n## 活动剪影\n" + "".join(lines), encoding="utf-8")
    return count


def cjk_recall(expected: str, pdf: Path) -> float:
    """Share of the expected Chinese characters (with multiplicity) that pdftotext extracts from ``pdf``."""
    got = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    want = collections.Counter(c for c in expected if "\u4e00" <= c <= "\u9fff")
    have = collections.Counter(c for c in got if "\u4e00" <= c <= "\u9fff")
    return sum(min(n, have[c]) for c, n in want.items()) / max(1, sum(want.values()))


def font_types(pdf: Path) -> str:
    """Font types and counts from pdffonts (e.g. ``Type 3 x40``), and whether all are embedded."""
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    # Columns by the dashes under the header: name, type, encoding, emb, sub, uni, object ID.
    spans, start = [], 0
    for part in lines[1].split(" "):
        spans.append((start, start + len(part)))
        start += len(part) + 1
    spans = [s for s in spans if s[1] > s[0]]
    rows = [[line[a:b].strip() for a, b in spans] for line in lines[2:]]
    kinds = collections.Counter(row[1] for row in rows)
    embedded = all(row[3] == "yes" for row in rows)
    return ", ".join(f"{k} ×{n}" for k, n in kinds.items()) + ("，全部嵌入" if embedded else "，有未嵌入字体")


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def expected_text(cases) -> str:
    return "".join(c.title + c.description + "".join(v for _, v in c.facts) + c.body.text_content() for c in cases)


def run(n: int, per_brand: int, size: tuple[int, int], workdir: Path, batch: int) -> dict:
    root = workdir / f"site-{n}"
    if root.exists():  # --keep from an earlier run: same content, photo cache already warm
        photos = len(list(root.glob("brands/*/bench-*.jpg")))
    else:
        write_project(root, pages=2 * n, seed=7)
        photos = add_photos(root, per_brand, *size)
    criteria = Criteria(sections=["brands"])
    printable.BATCH_CASES = batch or n
    out = workdir / f"out-{n}" / "汇编"
    # Cold: the review gate and the photo pipeline with an empty cache (no file written).
    cold = export_compilation(root, criteria, title=f"{n}个党建品牌案例汇编", out=out, formats=())
    assert not cold.problems or all(p.severity.value != "error" for p in cold.problems), [p.format() for p in cold.problems]
    warm = export_compilation(root, criteria, title=f"{n}个党建品牌案例汇编", out=out)
    assert warm.ok, [p.format() for p in warm.problems]
    docx, pdf = out.with_suffix(".docx"), out.with_suffix(".pdf")
    figures = {"n": n, "photos": photos, "logos": len(list(root.glob("brands/*/logo.png"))),
               "covers": sum(1 for c in warm.cases if c.cover is not None), "cold": cold.timings, "warm": warm.timings,
               "docx_mb": docx.stat().st_size / 1048576, "pdf_mb": pdf.stat().st_size / 1048576,
               "pdf_pages": pages(pdf), "bookmarks": len([e for e in read_outline(pdf) if e.level == 0]),
               "chromium_fonts": font_types(pdf), "chromium_recall": cjk_recall(expected_text(warm.cases), pdf)}
    try:
        import weasyprint
    except ImportError:
        return figures
    html = render_html(warm.cases, title=f"{n}个党建品牌案例汇编", subtitle="", organizer="中共明湖市直属机关工作委员会",
                       date_text="2026年11月30日")
    wp = workdir / f"out-{n}" / "weasyprint.pdf"
    clock = time.perf_counter()
    weasyprint.HTML(string=html, base_url=str(root)).write_pdf(str(wp))
    figures.update({"weasy_s": time.perf_counter() - clock, "weasy_mb": wp.stat().st_size / 1048576,
                    "weasy_pages": pages(wp), "weasy_bookmarks": len([e for e in read_outline(wp) if e.level == 0]),
                    "weasy_fonts": font_types(wp), "weasy_recall": cjk_recall(expected_text(warm.cases), wp),
                    "weasy_version": weasyprint.__version__})
    return figures


def attach_cost(workdir: Path, rounds: int = 2) -> None:
    """Build a copy of the sample site with ``attach_compilations`` off and on (cold and warm cache)."""
    import shutil

    import yaml

    project = workdir / "sample"
    ignore = shutil.ignore_patterns(".venv", ".cache", ".git", "site", "test-artifacts", "exports", "tests", "__pycache__")
    shutil.copytree(ROOT, project, ignore=ignore, symlinks=False)
    if (ROOT / ".cache" / "images").is_dir():  # photos already processed: the off build below is then quick
        shutil.copytree(ROOT / ".cache" / "images", project / ".cache" / "images")
    config_file = project / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))

    def build(attach: bool) -> float:
        config.setdefault("extra", {}).setdefault("dangjian", {})["attach_compilations"] = attach
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        clock = time.perf_counter()
        subprocess.run([sys.executable, str(project / "scripts" / "generate.py"), "build", "-d", str(workdir / "site")],
                       cwd=project, check=True, capture_output=True)
        return time.perf_counter() - clock

    build(False)  # photos processed, stage written: what every later build finds
    off = min(build(False) for _ in range(rounds))
    cold = []
    for _ in range(rounds):
        shutil.rmtree(project / ".cache" / "exports", ignore_errors=True)
        cold.append(build(True))
    warm = min(build(True) for _ in range(rounds))
    files = sorted((workdir / "site" / "downloads").glob("*.docx"))
    size = sum(f.stat().st_size for f in files) / 1048576
    print(f"\n== 汇编下载（attach_compilations）对示例网站构建的影响：{len(files)} 个 Word 文件，共 {size:.1f} MB ==")
    print(f"关闭 {off:.1f}s；开启、无缓存 {min(cold):.1f}s（+{min(cold) - off:.1f}s）；"
          f"开启、内容未变 {warm:.1f}s（+{warm - off:.1f}s）；"
          f"负载 {os.getloadavg()[0]:.1f}（1 分钟平均）")


def main() -> int:
    parser = argparse.ArgumentParser(description="汇编导出的速度与文件大小（打印数据，不做断言）。")
    parser.add_argument("--brands", default="20,200", help="品牌数，逗号分隔")
    parser.add_argument("--photos", type=int, default=2, help="每个品牌正文中另加的照片数")
    parser.add_argument("--size", default="2000x1500", help="照片原图尺寸")
    parser.add_argument("--batch", type=int, default=printable.BATCH_CASES, help="PDF 每次打印的篇数（0：全部一次打印）")
    parser.add_argument("--attach-cost", action="store_true", help="只测量汇编下载设置对示例网站构建时间的影响")
    parser.add_argument("--keep", type=Path, help="把生成的项目和文件留在这个文件夹；文件夹里已有的项目直接重用（照片缓存已热）")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    random.seed(7)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.attach_cost:
            attach_cost(workdir)
            return 0
        for n in (int(v) for v in args.brands.split(",")):
            f = run(n, args.photos, size, workdir, args.batch)
            c, w = f["cold"], f["warm"]
            print(f"\n== {n} 个品牌，正文另加照片 {f['photos']} 张（{args.size}），"
                  f"标识 {f['logos']} 个，题下封面照片 {f['covers']} 张；"
                  f"PDF 每 {args.batch or n} 篇打印一次 ==")
            print(f"冷缓存：载入 {c['load']:.1f}s  审核 {c['gate']:.1f}s  照片处理 {c['photos']:.1f}s")
            print(f"热缓存：载入 {w['load']:.1f}s  审核 {w['gate']:.1f}s  照片 {w['photos']:.1f}s  DOCX {w['docx']:.1f}s  PDF {w['pdf']:.1f}s"
                  f"  合计 {sum(w.values()):.1f}s")
            print(f"每篇：DOCX {w['docx'] / n:.2f}s  PDF {w['pdf'] / n:.2f}s；负载 {os.getloadavg()[0]:.1f}（1 分钟平均）")
            print(f"DOCX {f['docx_mb']:.1f} MB；PDF（Chromium 分批打印，pypdf 合并）{f['pdf_mb']:.1f} MB，{f['pdf_pages']} 页，"
                  f"书签 {f['bookmarks']} 个；字体 {f['chromium_fonts']}；中文字符提取率 {f['chromium_recall']:.4f}")
            if "weasy_s" in f:
                print(f"WeasyPrint {f['weasy_version']}（一遍）：{f['weasy_s']:.1f}s，{f['weasy_mb']:.1f} MB，{f['weasy_pages']} 页，"
                      f"书签 {f['weasy_bookmarks']} 个；字体 {f['weasy_fonts']}；中文字符提取率 {f['weasy_recall']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
