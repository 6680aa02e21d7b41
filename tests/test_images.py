"""The photo pipeline in real MkDocs builds: phone photos in, clean responsive images out.

Test photos are generated here with Pillow: EXIF orientation 6 and 8 with GPS
tags, CMYK, 16-bit PNG, a palette logo with transparency, Chinese and spaces
in file names, uppercase extensions; and bad ones: truncated, a decompression
bomb header, a text file named .jpg, a symlink out of the repository.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from conftest import brand_text, make_project, run_build
from PIL import Image

ORIENTATION, GPS_IFD = 0x0112, 0x8825


def halves(width: int, height: int, left=(220, 30, 30), right=(30, 30, 220), mode="RGB") -> Image.Image:
    """Left half red, right half blue: shows where the image was rotated to."""
    im = Image.new(mode, (width, height), right)
    im.paste(Image.new(mode, (width // 2, height), left), (0, 0))
    return im


def phone_jpeg(orientation: int, width=400, height=200) -> bytes:
    im = halves(width, height)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "TestPhone"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 10.0, 0.0)})
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes(), quality=90, comment=b"secret comment")
    return buf.getvalue()


def encoded(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def palette_logo() -> bytes:
    im = Image.new("P", (300, 200), 0)
    im.putpalette([255, 255, 255, 200, 20, 30] + [0] * 762)
    for x in range(100, 200):
        for y in range(50, 150):
            im.putpixel((x, y), 1)
    return encoded(im, "PNG", transparency=0)


GOOD_BODY = """
## 主要做法

![横拍旋转](rot6.jpg)

![竖拍旋转](rot8.JPG)

![印刷用图](cmyk.jpg)

![扫描件](deep.png)

![活动 合影](照片%20一.jpg)
"""


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    big = halves(2400, 1800)
    files = {
        "index.md": brand_text(cover="big photo.jpg", logo="palette logo.png") + GOOD_BODY,
        "rot6.jpg": phone_jpeg(6),
        "rot8.JPG": phone_jpeg(8),
        "cmyk.jpg": encoded(halves(300, 200, (0, 255, 255, 0), (255, 0, 0, 0), mode="CMYK"), "JPEG"),
        "deep.png": encoded(Image.new("I;16", (320, 240), 40000), "PNG"),
        "palette logo.png": palette_logo(),
        "照片 一.jpg": encoded(big.resize((1200, 900)), "JPEG"),
        "big photo.jpg": encoded(big, "JPEG", quality=90),
    }
    project = make_project(tmp_path_factory.mktemp("photos") / "p", brands={"zhaopian": files})
    folder = project / "brands" / "zhaopian"
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    first = run_build(project, strict=True)
    second = run_build(project, strict=True)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    return first, second, before, after


def images_of(result, page_url: str) -> dict[str, list[Path]]:
    """alt text -> the files of every srcset candidate of that <img> (and its <source>)."""
    html = result.html(page_url)
    found: dict[str, list[Path]] = {}
    for picture in re.findall(r"<picture>.*?</picture>", html, re.S):
        alt = re.search(r'alt="([^"]*)"', picture).group(1)
        urls = [u.split()[0] for s in re.findall(r'srcset="([^"]+)"', picture) for u in s.split(", ")]
        found[alt] = [result.site / unquote(urljoin("/" + page_url, u).lstrip("/")) for u in urls]
    return found


def test_build_passes_and_second_build_decodes_nothing(photos):
    first, second, _, _ = photos
    assert first.returncode == 0, first.output
    assert "Traceback" not in first.output
    decoded = int(re.search(r"本次解码 (\d+) 张", first.output).group(1))
    assert decoded >= 8  # every photo, plus thumbnail and logo renditions
    assert "本次解码 0 张" in second.output, second.output


def test_originals_untouched_and_not_published(photos):
    first, _, before, after = photos
    assert before == after
    assert not first.exists("brands/zhaopian/rot6.jpg")
    assert not list(first.site.rglob("*.JPG")) and not list(first.site.rglob("照片*"))


def test_html_has_srcset_sizes_dimensions_and_lazy_loading(photos):
    first = photos[0]
    html = first.html("brands/zhaopian/")
    imgs = re.findall(r"<img\b[^>]*>", html)
    body = [t for t in imgs if 'alt="横拍旋转"' in t][0]
    for attr in ('srcset="', 'sizes="', 'width="', 'height="', 'loading="lazy"', 'decoding="async"'):
        assert attr in body, attr
    hero = [t for t in imgs if "dj-hero__img" in t][0]
    assert 'loading="eager"' in hero and "480w" in hero and "1600w" in hero
    assert '<source type="image/webp"' in html
    assert 'data-dj-zoom' in html  # body photos open large in the viewer


def test_every_output_is_clean_srgb_without_metadata(photos):
    first = photos[0]
    outputs = [p for paths in images_of(first, "brands/zhaopian/").values() for p in paths]
    assert len(outputs) > 20
    for path in outputs:
        raw = path.read_bytes()
        assert b"Exif" not in raw and b"secret comment" not in raw and b"TestPhone" not in raw, path
        with Image.open(path) as im:
            assert im.mode in ("RGB", "RGBA"), (path, im.mode)
            assert not im.getexif() and "icc_profile" not in im.info and "xmp" not in im.info, path


def test_orientation_applied(photos):
    found = images_of(photos[0], "brands/zhaopian/")
    for alt in ("横拍旋转", "竖拍旋转"):
        with Image.open(found[alt][-1]) as im:
            assert im.size == (200, 400), (alt, im.size)  # a 400x200 landscape stored sideways
            im = im.convert("RGB")
            top, bottom = im.getpixel((100, 20)), im.getpixel((100, 380))
        # orientation 6 turns clockwise: the stored left (red) half ends on top; 8 the other way
        red_on_top = alt == "横拍旋转"
        assert (top[0] > top[2]) is red_on_top and (bottom[0] > bottom[2]) is not red_on_top, (alt, top, bottom)


def test_widths_never_upscaled_and_crops(photos):
    first = photos[0]
    found = images_of(first, "brands/zhaopian/")
    widths = sorted({Image.open(p).width for p in found["红心理财封面"]})
    assert widths == [480, 960, 1600]
    assert {Image.open(p).width for p in found["横拍旋转"]} == {200}  # small photo: its own size only
    with Image.open(found["印刷用图"][0]) as im:  # CMYK converted: magenta+yellow left is red, cyan right
        left, right = im.getpixel((10, 100)), im.getpixel((im.width - 10, 100))
        assert left[0] > 200 > max(left[1:]) and right[0] < 100 < min(right[1:])
    with Image.open(found["扫描件"][0]) as im:  # 16-bit grey to 8-bit
        assert im.mode == "RGB" and 140 < im.getpixel((5, 5))[0] < 170
    cards = images_of(first, "brands/")
    thumb = cards["红心理财"]
    assert {Image.open(p).size for p in thumb} == {(320, 240), (640, 480)}
    logo = found["红心理财标识"]
    with Image.open([p for p in logo if p.suffix == ".png"][-1]) as im:
        assert im.width == im.height and im.mode == "RGBA" and im.getpixel((2, 2))[3] == 0


def test_chinese_and_spaced_names_work(photos):
    found = images_of(photos[0], "brands/zhaopian/")
    assert all(p.is_file() for p in found["活动 合影"])


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    root = tmp_path_factory.mktemp("badphotos")
    outside = root / "outside.jpg"
    outside.write_bytes(phone_jpeg(1))
    body = "\n![截断](cut.jpg)\n\n![炸弹](bomb.png)\n\n![假图](fake.jpg)\n\n![大图](huge.jpg)\n"
    project = make_project(root / "p", brands={"lianjie": brand_text() + "\n![外链](link.jpg)\n", "huaitu": {
        "index.md": brand_text() + body,
        "cut.jpg": phone_jpeg(1, 800, 600)[:1500],
        "bomb.png": bomb_png(),
        "fake.jpg": "这不是图片".encode(),
        "huge.jpg": encoded(halves(600, 400), "JPEG"),
    }}, extra_config={"extra": {"dangjian": {"image_warn_mb": 0}}})
    (project / "brands" / "lianjie" / "link.jpg").symlink_to(outside)
    folder = project / "brands" / "huaitu"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if not p.is_symlink()}
    result = run_build(project, strict=True)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if not p.is_symlink()}
    return result, before == after


@pytest.mark.parametrize("expected", [
    "brands/huaitu/index.md：错误：图片“brands/huaitu/cut.jpg”不完整或已损坏",
    "图片“brands/huaitu/bomb.png”的像素数超过上限",
    "无法识别图片“brands/huaitu/fake.jpg”的格式",
    "图片“link.jpg”不在本文件夹内",
    "警告：图片“brands/huaitu/huge.jpg”原图有",
])
def test_bad_images_named_in_chinese(bad, expected):
    result, _ = bad
    assert expected in result.output, result.output


def test_bad_images_fail_strict_without_traceback_and_sources_unchanged(bad):
    result, unchanged = bad
    assert result.returncode != 0
    assert "Traceback" not in result.output
    assert unchanged


def test_heic_photo_accepted(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    try:
        pillow_heif.from_pillow(halves(640, 480)).save(buf, quality=70)
    except Exception as exc:  # the wheel may ship without an HEVC encoder
        pytest.skip(f"this pillow-heif cannot encode HEIC: {exc}")
    project = make_project(tmp_path / "p", brands={"heic": {
        "index.md": brand_text(cover="IMG_0001.HEIC") + "\n![苹果手机照片](IMG_0001.HEIC)\n",
        "IMG_0001.HEIC": buf.getvalue(),
    }})
    result = run_build(project, strict=True)
    assert result.returncode == 0, result.output
    found = images_of(result, "brands/heic/")
    with Image.open(found["苹果手机照片"][0]) as im:
        assert im.size[0] in (480, 640)


def test_photos_in_docs_pages_are_processed_too(tmp_path):
    project = make_project(tmp_path / "p", docs={
        "guide/zhinan.md": "# 指南\n\n![流程示意图](liucheng.png)\n",
        "guide/liucheng.png": encoded(halves(1200, 600), "PNG"),
    })
    result = run_build(project, strict=True)
    assert result.returncode == 0, result.output
    assert not result.exists("guide/liucheng.png")
    found = images_of(result, "guide/zhinan/")
    assert {Image.open(p).width for p in found["流程示意图"]} == {480, 960, 1200}
