"""Benchmark of the photo pipeline; prints figures (it asserts nothing).

1. A brand page with 6 phone photos of 4000x3000: the originals' bytes versus
   the bytes Chromium transfers on first view at 1280 px (real build, real
   browser, every response counted).
2. N photos (default 200) through the pipeline: cold seconds with all cores,
   warm seconds, images per second and the number of decodes on the warm run.

    .venv/bin/python benchmarks/bench_images.py [--photos 200] [--size 4000x3000]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from dangjian.images import ImageJob, ImagePipeline  # noqa: E402


def phone_photo(seed: int, width: int, height: int) -> bytes:
    """A detailed photo-like JPEG (gradients, shapes, sensor noise) with EXIF orientation and GPS."""
    rng = random.Random(seed)
    small = Image.new("RGB", (width // 8, height // 8))
    draw = ImageDraw.Draw(small)
    for _ in range(60):
        x, y = rng.randrange(small.width), rng.randrange(small.height)
        r = rng.randrange(10, small.width // 3)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    im = small.filter(ImageFilter.GaussianBlur(6)).resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.frombytes("L", (width // 2, height // 2), rng.randbytes(width // 2 * height // 2))
    im = Image.blend(im, grain.resize((width, height)).convert("RGB"), 0.12)
    exif = Image.Exif()
    exif[0x0112] = rng.choice((1, 6, 8))
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)})
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92, exif=exif.tobytes())
    return buf.getvalue()


def page_weight(width: int, height: int) -> None:
    from browser_support import DESKTOP, browser, serve

    from conftest import brand_text, make_project

    with tempfile.TemporaryDirectory() as tmp:
        photos = {f"photo-{i}.jpg": phone_photo(i, width, height) for i in range(1, 7)}
        body = "\n".join(f"\n## 第{i}节\n\n这是第{i}段介绍文字。\n\n![活动照片{i}](photo-{i}.jpg)\n" for i in range(1, 7))
        project = make_project(Path(tmp) / "p", brands={"bench": {"index.md": brand_text(cover="photo-1.jpg") + body, **photos}})
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(project / "site")], cwd=project, check=True,
                       capture_output=True)
        build_s = time.perf_counter() - t
        raw = sum(len(b) for b in photos.values())
        with serve(project / "site") as base, browser() as instance:
            context = instance.new_context(viewport=DESKTOP)
            page = context.new_page()
            sizes: dict[str, int] = {}

            def on_response(response):
                try:
                    sizes[response.url] = len(response.body())
                except Exception:  # redirects have no body
                    pass

            page.on("response", on_response)
            page.goto(base + "brands/bench/", wait_until="networkidle")
            page.wait_for_timeout(500)
            images = {u: n for u, n in sizes.items() if "/assets/images/" in u}
            total = sum(sizes.values())
            context.close()
    print(f"品牌页（6 张 {width}x{height} 手机照片），1280 px 首次打开：")
    print(f"  原图合计            {raw / 1024:10.0f} KB")
    print(f"  传输的图片          {sum(images.values()) / 1024:10.0f} KB（{len(images)} 个文件）")
    print(f"  页面传输合计        {total / 1024:10.0f} KB（全部请求：HTML、CSS、JS、搜索索引、图片）")
    print(f"  构建（含冷处理）    {build_s:10.1f} s")


def throughput(count: int, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "src").mkdir()
        base = phone_photo(0, width, height)
        t = time.perf_counter()
        jobs = []
        for i in range(count):
            path = root / "src" / f"p{i:04d}.jpg"
            # each file differs (a trailing comment segment) so each has its own cache key
            path.write_bytes(base[:-2] + f"bench-{i}".encode() + base[-2:])
            jobs.append(ImageJob(path, "photo", "bench"))
        gen_s = time.perf_counter() - t
        pipeline = ImagePipeline(root / "cache", root)
        t = time.perf_counter()
        problems = pipeline.run(jobs)
        cold = time.perf_counter() - t
        cold_decodes = pipeline.decodes
        t = time.perf_counter()
        pipeline.run(jobs)
        warm = time.perf_counter() - t
    print(f"{count} 张 {width}x{height} 照片（{os.cpu_count()} 核；准备样本 {gen_s:.1f} s，问题 {len(problems)} 个）：")
    print(f"  冷处理  {cold:8.1f} s  {count / cold:6.1f} 张/秒  解码 {cold_decodes} 张")
    print(f"  热重建  {warm:8.2f} s  {count / warm:6.0f} 张/秒  解码 {pipeline.decodes} 张")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--size", default="4000x3000")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.lower().split("x"))
    page_weight(width, height)
    throughput(args.photos, width, height)


if __name__ == "__main__":
    main()
