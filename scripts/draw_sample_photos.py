"""Draw the sample site's photos and logos (deterministic, Pillow only).

The sample brands need photos that nobody owns the rights to, so this script
draws simple photo-like scenes: a meeting room with a banner, a service
counter, a lecture hall, a screening room, a reading corner and volunteers by
a river.  Run it again and it writes byte-identical files:

    python scripts/draw_sample_photos.py
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
BRANDS = ROOT / "brands"
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
RED, DEEP_RED, GOLD = (190, 30, 35), (120, 14, 20), (245, 205, 110)
W, H = 1600, 1200


def font(size: int):
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return None  # no CJK font: scenes are drawn without text


def text_center(draw: ImageDraw.ImageDraw, box, text: str, size: int, fill) -> None:
    face = font(size)
    if face is None:
        return
    left, top, right, bottom = box
    tw = draw.textlength(text, font=face)
    draw.text(((left + right - tw) / 2, (top + bottom - size) / 2 - size * 0.1), text, font=face, fill=fill)


def gradient(size, top, bottom) -> Image.Image:
    w, h = size
    column = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / max(h - 1, 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return column.resize((w, h))


def person(draw, x, y, scale, body, rng, head=(70, 50, 40)):
    """A seated or standing figure seen from behind: head and shoulders."""
    r = 26 * scale
    draw.ellipse([x - r, y - r, x + r, y + r], fill=head)
    shade = tuple(max(0, c - rng.randint(0, 25)) for c in body)
    draw.rounded_rectangle([x - 2.3 * r, y + r * 0.8, x + 2.3 * r, y + r * 5], radius=int(r), fill=shade)


def audience(draw, rng, rows, y0, y1, body_colours):
    for row in range(rows):
        t = row / max(rows - 1, 1)
        y = y0 + (y1 - y0) * t
        scale = 0.7 + 0.9 * t
        step = 120 * scale
        x = rng.uniform(0, step)
        while x < W + step:
            person(draw, x, y, scale, rng.choice(body_colours), rng)
            x += step * rng.uniform(0.9, 1.1)


def finish(img: Image.Image, rng: random.Random) -> Image.Image:
    """Soften and add grain so the drawing reads like a photo."""
    img = img.filter(ImageFilter.GaussianBlur(1.6))
    grain = Image.frombytes("L", (W // 2, H // 2), rng.randbytes(W // 2 * H // 2))
    img = Image.blend(img, grain.resize(img.size).convert("RGB"), 0.04)
    vignette = Image.new("L", img.size, 0)
    ImageDraw.Draw(vignette).ellipse([-W * 0.2, -H * 0.2, W * 1.2, H * 1.2], fill=255)
    vignette = vignette.filter(ImageFilter.GaussianBlur(160))
    return Image.composite(img, Image.new("RGB", img.size, (30, 20, 20)), vignette)


def meeting(rng, banner):
    img = gradient((W, H), (236, 228, 214), (200, 188, 170))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 760, W, H], fill=(150, 110, 80))
    d.rectangle([180, 120, W - 180, 300], fill=RED)
    text_center(d, (180, 120, W - 180, 300), banner, 92, GOLD)
    d.rectangle([260, 420, W - 260, 520], fill=(110, 70, 45))
    d.rectangle([260, 400, W - 260, 430], fill=(240, 240, 235))
    for x in range(330, W - 300, 190):
        d.rectangle([x, 360, x + 60, 400], fill=(60, 110, 70))
    audience(d, rng, 3, 700, 1000, [(40, 40, 50), (230, 230, 235), (60, 70, 90)])
    return img


def counter(rng, sign):
    img = gradient((W, H), (228, 232, 236), (190, 196, 204))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, W, 170], fill=DEEP_RED)
    text_center(d, (0, 0, W, 170), sign, 84, GOLD)
    for i, x in enumerate(range(80, W - 200, 300)):
        d.rectangle([x, 260, x + 250, 620], fill=(210, 222, 232), outline=(150, 160, 170), width=6)
        text_center(d, (x, 270, x + 250, 340), f"{i + 1}号窗口", 40, (40, 60, 90))
        person(d, x + 125, 470, 1.1, RED, rng)
    d.rectangle([0, 620, W, 760], fill=(170, 140, 110))
    audience(d, rng, 2, 880, 1050, [(50, 60, 80), (120, 90, 70), (200, 200, 205)])
    return img


def lecture(rng, screen):
    img = gradient((W, H), (70, 50, 45), (40, 30, 30))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 520, W, 640], fill=(120, 30, 30))
    d.rectangle([300, 80, W - 300, 460], fill=(245, 240, 230))
    d.rectangle([300, 80, W - 300, 170], fill=RED)
    text_center(d, (300, 80, W - 300, 170), screen, 64, GOLD)
    for y in range(220, 440, 56):
        d.rectangle([380, y, W - rng.randint(380, 700), y + 22], fill=(170, 160, 150))
    d.polygon([(W - 360, 640), (W - 250, 640), (W - 270, 470), (W - 340, 470)], fill=(130, 70, 40))
    person(d, W - 305, 430, 1.0, (40, 40, 50), rng, head=(90, 65, 50))
    audience(d, rng, 4, 720, 1080, [(35, 35, 45), (60, 60, 70), (220, 220, 225)])
    return img


def screening(rng, title):
    img = Image.new("RGB", (W, H), (18, 14, 16))
    d = ImageDraw.Draw(img)
    glow = Image.new("L", (W, H), 0)
    ImageDraw.Draw(glow).rectangle([200, 60, W - 200, 560], fill=180)
    img.paste((90, 80, 70), mask=glow.filter(ImageFilter.GaussianBlur(90)))
    d.rectangle([240, 90, W - 240, 530], fill=(230, 225, 210))
    d.rectangle([240, 380, W - 240, 530], fill=(120, 40, 40))
    text_center(d, (240, 130, W - 240, 330), title, 110, DEEP_RED)
    audience(d, rng, 5, 640, 1100, [(25, 22, 24), (35, 30, 32), (45, 40, 42)])
    return img


def reading(rng, sign):
    img = gradient((W, H), (240, 232, 215), (215, 200, 175))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, W, 130], fill=RED)
    text_center(d, (0, 0, W, 130), sign, 70, GOLD)
    spines = [(170, 40, 40), (40, 80, 120), (200, 160, 60), (60, 110, 70), (230, 225, 210), (120, 60, 90)]
    for shelf_y in range(200, 760, 140):
        d.rectangle([80, shelf_y + 110, W - 80, shelf_y + 126], fill=(120, 80, 50))
        x = 90
        while x < W - 120:
            w = rng.randint(22, 48)
            top = shelf_y + rng.randint(0, 30)
            d.rectangle([x, top, x + w, shelf_y + 110], fill=rng.choice(spines))
            x += w + rng.randint(2, 6)
    d.rectangle([300, 900, W - 300, 960], fill=(140, 95, 60))
    for x in (420, 800, 1180):
        person(d, x, 830, 1.2, rng.choice([(60, 70, 90), (230, 230, 235), RED]), rng)
    return img


def riverside(rng, banner):
    img = gradient((W, H), (150, 195, 235), (225, 235, 240))
    d = ImageDraw.Draw(img)
    d.polygon([(0, 520), (400, 420), (900, 480), (1300, 400), (W, 470), (W, 620), (0, 620)], fill=(110, 150, 120))
    d.rectangle([0, 600, W, 820], fill=(90, 140, 170))
    for y in range(620, 820, 18):
        d.line([(rng.randint(0, W), y), (rng.randint(0, W), y)], fill=(150, 190, 210), width=2)
    d.rectangle([0, 800, W, H], fill=(150, 140, 100))
    for x in range(60, W, 260):
        d.rectangle([x + 30, 360, x + 46, 600], fill=(90, 70, 50))
        d.ellipse([x - 40, 250, x + 120, 420], fill=(60, 120, 70))
    d.rectangle([420, 660, 1180, 760], fill=RED)
    text_center(d, (420, 660, 1180, 760), banner, 58, GOLD)
    for i in range(7):
        x = 140 + i * 215 + rng.randint(-30, 30)
        y = 900 + rng.randint(-20, 40)
        person(d, x, y, 1.3, (215, 35, 35), rng, head=(60, 45, 35))
    return img


def logo(text: str, ring=GOLD, fill=RED) -> Image.Image:
    """A square emblem with a transparent background."""
    size = 512
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse([16, 16, size - 16, size - 16], fill=ring)
    d.ellipse([44, 44, size - 44, size - 44], fill=fill)
    points = []
    for k in range(10):
        r = 60 if k % 2 == 0 else 24
        a = -math.pi / 2 + k * math.pi / 5
        points.append((size / 2 + r * math.cos(a), 120 + r * math.sin(a)))
    d.polygon(points, fill=ring)
    text_center(d, (0, 170, size, 430), text, 200, ring)
    return img


#: brand folder -> [(file name, scene, text)], logo text or None
PLAN = {
    "hong-xin-li-cai": ([("photo-1.jpg", meeting, "红心理财 项目现场主题党日"),
                         ("photo-2.jpg", counter, "预算服务 党员先锋岗")], "财"),
    "zhou-wu-min-sheng": ([("photo-1.jpg", lecture, "周五民声直播室"),
                           ("photo-2.jpg", counter, "政务服务中心")], "民"),
    "lian-zheng-dian-ying-zhou": ([("photo-1.jpg", screening, "廉政电影周"),
                                   ("photo-2.jpg", lecture, "影后微党课")], "廉"),
    "dang-ke-kai-jiang-la": ([("photo-1.jpg", lecture, "党课开讲啦"),
                              ("photo-2.jpg", meeting, "人人是讲师 处处是课堂")], None),
    "he-hu-wei-shi": ([("活动 现场.jpg", riverside, "河湖卫士青年突击队"),
                       ("xun-he.JPG", riverside, "巡河护湖 青春先锋")], None),
    "qing-ma-xue-tang": ([("photo-1.jpg", reading, "青马学堂 读原著 学原文"),], None),
}


def main() -> None:
    for slug, (photos, emblem) in PLAN.items():
        folder = BRANDS / slug
        if not folder.is_dir():
            print(f"跳过：没有找到品牌文件夹 {folder}")
            continue
        for index, (name, scene, text) in enumerate(photos):
            rng = random.Random(f"{slug}/{index}")
            img = finish(scene(rng, text), rng)
            img.save(folder / name, "JPEG", quality=82, optimize=True, progressive=True)
            print(f"已生成 {folder / name}")
        if emblem:
            logo(emblem).save(folder / "logo.png", optimize=True)
            print(f"已生成 {folder / 'logo.png'}")


if __name__ == "__main__":
    main()
