"""The showcase filter's data: every published brand in one compact JSON file.

The showcase (``/brands/``) is split into pages of cards; its filter (系统/类别/年份,
``docs/assets/javascripts/showcase.js``) must still find brands on every page.  So
the build writes :data:`~dangjian.render.SHOWCASE_JSON` with what a card shows and
what the filter compares, and the script loads it (same origin) only when a
filter is used.  Card images point at the thumbnails the image pipeline already
made for the static cards (``rewrite_images`` of ``dj-card__cover``): nothing new
is processed.  Drafts are not in ``site.brands`` and so never in the file.  No
MkDocs import here.

Shape (URLs relative to the JSON file, so the site works under any sub-path; what many brands
share is listed once and referred to by index, which halves the file)::

    {"version": 2, "count": 2, "images": "../assets/images/", "sizes": {"thumb": "…", …},
     "units": [[简称, 全称, 系统], …], "categories": [类别, …],
     "shapes": [{"z": "thumb", "src": "t640.jpg", "w": 640, "h": 480,
                 "fb": [["t320.jpg", 320], …], "webp": [["t320.webp", 320], …]}, …],
     "brands": [{"t": 标题, "u": "slug/", "n": unit index, "c": category index, "y": 年份,
                 "d": 简介, "f": 1 (选树典型, only when true), "s": 口号 (emblem cards only),
                 "i": [image key, shape index]  or  "p": 0–3 (emblem colour, no image)}]}

A card whose image is the brand's logo (shape ``"z": "logo"``) is drawn as an emblem card, like
the ``card`` macro of ``templates/cards.html`` draws a brand without a cover.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .images import SIZES, ImagePipeline, Rendition
from .model import Brand, Site
from .render import SHOWCASE_JSON, clip, page_url, placeholder_hue, relurl, showcase_order

#: Renditions a card cover may use, in the order ``rewrite_images`` tries them for ``dj-card__cover``.
CARD_KINDS = ("thumb", "logo", "photo")
#: Where the image pipeline publishes its renditions (``ImagePipeline.publish``'s default prefix).
IMAGES_DIR = "assets/images/"


def card_rendition(brand: Brand, lookup: Callable[[str], Path | None], pipeline: ImagePipeline) -> Rendition | None:
    """The processed image a card of ``brand`` shows (cover, else logo), or ``None`` for a placeholder."""
    image = brand.meta.cover or brand.meta.logo
    if not image:
        return None
    source = lookup(f"brands/{brand.slug}/{image}")
    return pipeline.rendition(source, CARD_KINDS) if source is not None else None


def image_shape(rendition: Rendition) -> dict:
    """What showcase.js needs, besides the key, to write the same ``<picture>`` as ``picture_html``."""
    fallback = rendition.of(rendition.fallback_format)
    default = fallback[min(1, len(fallback) - 1)] if rendition.kind == "photo" else fallback[-1]
    return {"z": rendition.kind, "src": default.name, "w": default.width, "h": default.height,
            "fb": [[v.name, v.width] for v in fallback], "webp": [[v.name, v.width] for v in rendition.of("webp")]}


def render_showcase_json(site: Site, card_image: Callable[[Brand], Rendition | None] = lambda brand: None) -> str:
    """The JSON text of :data:`SHOWCASE_JSON`: every published brand in showcase order."""
    base = page_url(SHOWCASE_JSON.rsplit("/", 1)[0] + "/index.md")
    units: dict[tuple, int] = {}
    categories: dict[str, int] = {}
    shapes: dict[str, int] = {}
    brands = []
    for brand in showcase_order(site.brands):
        unit = (brand.unit.short, brand.unit.name, brand.unit.group)
        record: dict = {"t": brand.meta.title, "u": relurl(brand.url, base),
                        "n": units.setdefault(unit, len(units)),
                        "c": categories.setdefault(brand.category.name, len(categories)),
                        "y": brand.year, "d": clip(brand.meta.description)}
        if brand.meta.featured:
            record["f"] = 1
        if brand.meta.slogan and not brand.meta.cover:  # an emblem card shows the slogan
            record["s"] = brand.meta.slogan
        rendition = card_image(brand)
        if rendition is not None:
            shape = json.dumps(image_shape(rendition), ensure_ascii=False, separators=(",", ":"))
            record["i"] = [rendition.key, shapes.setdefault(shape, len(shapes))]
        else:
            record["p"] = placeholder_hue(brand)
        brands.append(record)
    data = {"version": 2, "count": len(brands), "images": relurl(IMAGES_DIR, base), "sizes": SIZES,
            "units": [list(u) for u in units], "categories": list(categories),
            "shapes": [json.loads(s) for s in shapes], "brands": brands}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
