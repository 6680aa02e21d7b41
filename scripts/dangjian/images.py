"""The photo and logo pipeline (Pillow): phone photos made fit for the intranet.

Every image a page shows is re-encoded from its original, which is never
modified: EXIF orientation applied, colour converted to 8-bit sRGB, all
metadata (EXIF, GPS, XMP, comments, ICC) dropped, a few widths (never
upscaled) written as WebP with a JPEG (or PNG, for transparent logos)
fallback.  Card thumbnails are cropped to 4:3 and logos to a square.

Outputs live in a cache outside the source tree, keyed by the SHA-256 of the
original's bytes and the output settings, so a rebuild with nothing changed
decodes no image (``ImagePipeline.decodes`` counts the decodes).  Misses are
processed in parallel on all cores.

The HTML side (:func:`rewrite_images`) replaces ``<img>`` tags that point at
a known original with ``<picture>`` + ``srcset``/``sizes``/``width``/
``height``/``loading``/``decoding``.  No MkDocs import here.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import shutil
import stat
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .paths import is_inside
from .problems import Problem, Severity

try:  # HEIC/HEIF from iPhones
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - pinned in requirements.txt
    pillow_heif = None

#: File endings the pipeline takes (case-insensitive); SVG is passed through untouched.
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ".tif", ".tiff", ".bmp"}
#: Bump when the output changes so old cache entries are not reused.
PIPELINE_VERSION = 1
#: An image with more pixels than this is refused as a decompression bomb (8000 x 7500).
MAX_PIXELS = 60_000_000

PHOTO_WIDTHS = (480, 960, 1600)
THUMB_SIZES = ((320, 240), (640, 480))
LOGO_SIZES = (128, 256)
KINDS = ("photo", "thumb", "logo")

#: ``sizes`` per kind: the CSS width the image takes at each breakpoint.
SIZES = {
    "photo": "(min-width: 76.25em) 720px, (min-width: 60em) calc(100vw - 30rem), 100vw",
    "thumb": "(min-width: 60em) 320px, (min-width: 30em) 50vw, 100vw",
    "logo": "96px",
}


@dataclass(frozen=True)
class Variant:
    """One output file of a rendition."""

    name: str
    width: int
    height: int
    format: str  # "webp", "jpeg" or "png"


@dataclass
class Rendition:
    """The outputs made from one original for one kind, stored under ``key``."""

    key: str
    kind: str
    variants: list[Variant]

    def of(self, fmt: str) -> list[Variant]:
        return [v for v in self.variants if v.format == fmt]

    @property
    def fallback_format(self) -> str:
        return "png" if self.of("png") else "jpeg"

    def to_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "variants": [v.__dict__ for v in self.variants]}

    @classmethod
    def from_json(cls, data: dict) -> Rendition:
        return cls(data["key"], data["kind"], [Variant(**v) for v in data["variants"]])


@dataclass
class ImageJob:
    """An original to process for a kind; ``page`` and ``line`` name it in messages."""

    source: Path
    kind: str
    page: str
    line: int | None = None
    field: str | None = None


#: What earlier builds in this process learned (`mkdocs serve` rebuilds in the same process):
#: each photo's cache key by file and stamp, and each cache manifest (written once, never changed).
_SOURCE_KEYS: dict[tuple[str, str], tuple[tuple, str]] = {}
_MANIFESTS: dict[str, dict] = {}


@dataclass
class ImagePipeline:
    """Process originals into cached renditions; see the module docstring."""

    cache_dir: Path
    root: Path
    quality: int = 80
    warn_bytes: int = 10 * 1024 * 1024
    workers: int | None = None
    decodes: int = 0
    hits: int = 0
    renditions: dict[tuple[Path, str], Rendition] = field(default_factory=dict)

    def key(self, data: bytes, kind: str) -> str:
        digest = hashlib.sha256(data)
        digest.update(f"|v{PIPELINE_VERSION}|{kind}|q{self.quality}".encode())
        return digest.hexdigest()[:20]

    def run(self, jobs: list[ImageJob]) -> list[Problem]:
        """Make sure every job has a rendition; return problems (never raises)."""
        self.decodes = self.hits = 0
        problems: list[Problem] = []
        todo: list[tuple[ImageJob, str]] = []
        seen: set[tuple[Path, str]] = set()
        for job in jobs:
            ident = (job.source, job.kind)
            if ident in seen:
                continue
            seen.add(ident)
            try:
                st = job.source.stat()
            except OSError:
                st = None
            problem = self._check_source(job, st)
            if problem is not None:
                problems.append(problem)
                if problem.severity is Severity.ERROR:
                    continue
            key = self._source_key(job, st)
            manifest = self.cache_dir / key / "manifest.json"
            if manifest.is_file():
                data = _MANIFESTS.get(str(manifest))
                if data is None:
                    data = _MANIFESTS[str(manifest)] = json.loads(manifest.read_text(encoding="utf-8"))
                self.renditions[ident] = Rendition.from_json(data)
                self.hits += 1
            else:
                todo.append((job, key))
        if not todo:
            return problems
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        args = [(str(job.source), job.kind, key, str(self.cache_dir), self.quality) for job, key in todo]
        if len(args) == 1 or (self.workers or os.cpu_count() or 1) == 1:
            results = [_render(*a) for a in args]
        else:
            with ProcessPoolExecutor(max_workers=self.workers or os.cpu_count()) as pool:
                results = list(pool.map(_render, *zip(*args)))
        for (job, _key), (rendition, error) in zip(todo, results):
            self.decodes += 1
            if rendition is not None:
                self.renditions[(job.source, job.kind)] = Rendition.from_json(rendition)
            else:
                problems.append(self._decode_problem(job, error))
        return problems

    def _source_key(self, job: ImageJob, st: os.stat_result) -> str:
        """Cache key of a job; the photo is read and hashed again only when its file changed."""
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino, self.quality)
        known = _SOURCE_KEYS.get((str(job.source), job.kind))
        if known is not None and known[0] == stamp:
            return known[1]
        key = self.key(job.source.read_bytes(), job.kind)
        _SOURCE_KEYS[(str(job.source), job.kind)] = (stamp, key)
        return key

    def _name(self, job: ImageJob) -> str:
        try:
            return job.source.relative_to(self.root).as_posix()
        except ValueError:
            return job.source.name

    def _check_source(self, job: ImageJob, st: os.stat_result | None) -> Problem | None:
        """``st`` is the source's ``stat()``, or None when that failed."""
        if st is None or not stat.S_ISREG(st.st_mode):
            return Problem(job.page, f"找不到图片“{self._name(job)}”。", "核对文件名（注意大小写和扩展名），或把图片放进页面所在的文件夹。",
                           line=job.line, field=job.field, code="missing-image")
        if not is_inside(job.source, self.root):
            return Problem(job.page, f"图片“{self._name(job)}”指向仓库以外的位置（符号链接），不能发布。",
                           "把图片本身复制到页面所在的文件夹，不要使用快捷方式或符号链接。",
                           line=job.line, field=job.field, code="image-path")
        if job.source.suffix.lower() not in IMAGE_SUFFIXES:
            return Problem(job.page, f"图片“{self._name(job)}”的格式不受支持。",
                           "请另存为 JPG 或 PNG（手机照片可直接使用 JPG 或 HEIC）。",
                           line=job.line, field=job.field, code="image-format")
        size = st.st_size
        if size > self.warn_bytes:
            return Problem(job.page, f"图片“{self._name(job)}”原图有 {size / 1048576:.1f} MB，超过 {self.warn_bytes / 1048576:.0f} MB。",
                           "网站会自动压缩，但仓库会变大：请先用手机或电脑把照片缩小到 5 MB 以内再提交。",
                           line=job.line, field=job.field, severity=Severity.WARNING, code="image-size")
        return None

    def _decode_problem(self, job: ImageJob, error: str) -> Problem:
        name = self._name(job)
        fixes = {
            "bomb": (f"图片“{name}”的像素数超过上限（{MAX_PIXELS // 1_000_000} 百万像素），可能是损坏或恶意文件。",
                     "请用看图软件打开确认，缩小到 8000×6000 以内后重新保存。"),
            "unsupported": (f"无法识别图片“{name}”的格式（文件可能已损坏，或扩展名与内容不符）。",
                            "用看图软件打开后另存为 JPG 或 PNG，再替换原文件。"),
            "truncated": (f"图片“{name}”不完整或已损坏，无法读取。",
                          "重新从手机或相机导出这张照片，替换原文件。"),
        }
        message, fix = fixes.get(error.split(":", 1)[0], fixes["truncated"])
        return Problem(job.page, message, fix, line=job.line, field=job.field, code="image-decode")

    def rendition(self, source: Path, kinds: tuple[str, ...]) -> Rendition | None:
        for kind in kinds:
            found = self.renditions.get((source, kind))
            if found is not None:
                return found
        return None

    def publish(self, site_dir: Path, prefix: str = "assets/images") -> int:
        """Put every rendition's files into ``site_dir/prefix/<key>/``; returns files published.

        Files are hard-linked from the cache when the file system allows it (thousands of
        photos publish in a fraction of the time of copying them) and copied otherwise.
        Cache files are only ever replaced by rename, never rewritten in place, so a
        published link never changes under the site.
        """
        count = 0
        can_link = True
        for rendition in self.renditions.values():
            target = site_dir / prefix / rendition.key
            target.mkdir(parents=True, exist_ok=True)
            for variant in rendition.variants:
                out = target / variant.name
                if not os.path.lexists(out):
                    source = self.cache_dir / rendition.key / variant.name
                    if can_link:
                        try:
                            os.link(source, out)
                        except OSError:  # another file system, or links not allowed: copy from now on
                            can_link = False
                    if not can_link:
                        shutil.copyfile(source, out)
                count += 1
        return count


# ---------------------------------------------------------------- decoding (in worker processes)


def _to_srgb(im: Image.Image) -> Image.Image:
    """8-bit sRGB (RGB or RGBA), using the embedded ICC profile when there is one."""
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        im = im.point(lambda v: v / 256).convert("L")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("LA", "PA"):
        im = im.convert("RGBA")
    if icc and im.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
            return ImageCms.profileToProfile(im, source, ImageCms.createProfile("sRGB"), outputMode=out_mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to Pillow's plain conversion
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGB")
    return im


def _has_alpha(im: Image.Image) -> bool:
    return im.mode == "RGBA" and im.getextrema()[3][0] < 255


def _save(im: Image.Image, path: Path, fmt: str, quality: int) -> None:
    im.info = {}  # never carry EXIF, XMP, comments or profiles into an output
    tmp = path.with_suffix(path.suffix + ".tmp")
    if fmt == "webp":
        im.save(tmp, "WEBP", quality=quality, method=4)
    elif fmt == "jpeg":
        im.convert("RGB").save(tmp, "JPEG", quality=quality, optimize=True, progressive=True)
    else:
        im.save(tmp, "PNG", optimize=True)
    os.replace(tmp, path)


def _render(source: str, kind: str, key: str, cache_dir: str, quality: int) -> tuple[dict | None, str]:
    """Decode one original and write its rendition; returns ``(manifest, "")`` or ``(None, error)``."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                opened.load()
                im = ImageOps.exif_transpose(opened)
                im = _to_srgb(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        return None, f"bomb:{exc}"
    except UnidentifiedImageError as exc:
        return None, f"unsupported:{exc}"
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        return None, f"truncated:{exc}"
    alpha = _has_alpha(im)
    if not alpha:
        im = im.convert("RGB")
    out = Path(cache_dir) / key
    tmp_dir = out.with_name(out.name + f".tmp{os.getpid()}")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    variants: list[Variant] = []
    fallback = "png" if alpha else "jpeg"

    def emit(img: Image.Image, label: str) -> None:
        for fmt in ("webp", fallback):
            name = f"{label}.{'jpg' if fmt == 'jpeg' else fmt}"
            _save(img, tmp_dir / name, fmt, quality)
            variants.append(Variant(name, img.width, img.height, fmt))

    if kind == "photo":
        widths = [w for w in PHOTO_WIDTHS if w < im.width] + [min(im.width, PHOTO_WIDTHS[-1])]
        for width in sorted(set(widths)):
            height = max(1, round(im.height * width / im.width))
            emit(im if width == im.width else im.resize((width, height), Image.Resampling.LANCZOS), f"w{width}")
    elif kind == "thumb":
        for width, height in THUMB_SIZES:
            if width > im.width and (width, height) != THUMB_SIZES[0]:
                continue
            emit(ImageOps.fit(im, (width, height), Image.Resampling.LANCZOS), f"t{width}")
    else:  # logo: square, transparency kept
        side = max(im.size)
        mode = "RGBA" if alpha else "RGB"
        canvas = Image.new(mode, (side, side), (255, 255, 255, 0) if alpha else (255, 255, 255))
        canvas.paste(im, ((side - im.width) // 2, (side - im.height) // 2))
        for size in LOGO_SIZES:
            if size > side and size != LOGO_SIZES[0]:
                continue
            emit(canvas.resize((size, size), Image.Resampling.LANCZOS), f"s{size}")
    manifest = Rendition(key, kind, variants).to_json()
    (tmp_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if out.exists():
        shutil.rmtree(tmp_dir, ignore_errors=True)  # another process finished first
    else:
        try:
            os.replace(tmp_dir, out)
        except OSError:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    return manifest, ""


# ---------------------------------------------------------------- HTML


class _TagParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):  # noqa: D102 - HTMLParser API
        self.attrs = {k: (v or "") for k, v in attrs}

    handle_startendtag = handle_starttag


def _attrs(tag: str) -> dict[str, str]:
    parser = _TagParser()
    parser.feed(tag)
    return parser.attrs


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_CLASS_KINDS = (("dj-card__cover", ("thumb", "logo", "photo")), ("dj-logo", ("logo", "photo")))


def rewrite_images(page_html: str, page_url: str, lookup, pipeline: ImagePipeline,
                   prefix: str = "assets/images") -> str:
    """Replace ``<img>`` tags pointing at processed originals with responsive ``<picture>``.

    ``page_url`` is the page's directory URL (``brands/x/``); ``lookup`` maps a
    site path (``brands/x/photo-1.jpg``) to the original's path or ``None``.
    """
    depth = page_url.count("/") if page_url and not page_url.endswith(".html") else 0
    base = "../" * depth + prefix + "/"

    def replace(match: re.Match) -> str:
        tag = match.group(0)
        attrs = _attrs(tag)
        src = attrs.get("src", "")
        if not src or re.match(r"^[a-z][a-z0-9+.-]*:|^//", src, re.I):
            return tag
        site_path = unquote(urljoin("/" + page_url, src).lstrip("/"))
        source = lookup(site_path)
        if source is None:
            return tag
        classes = attrs.get("class", "").split()
        kinds = next((k for c, k in _CLASS_KINDS if c in classes), ("photo",))
        rendition = pipeline.rendition(source, kinds)
        if rendition is None:
            return tag
        return picture_html(rendition, attrs, base)

    return _IMG.sub(replace, page_html)


def picture_html(rendition: Rendition, attrs: dict[str, str], base: str) -> str:
    """``<picture>`` with a WebP source and a JPEG/PNG ``<img>`` keeping the original attributes."""
    url = base + rendition.key + "/"
    webp = rendition.of("webp")
    fallback = rendition.of(rendition.fallback_format)
    sizes = SIZES[rendition.kind]
    default = fallback[min(1, len(fallback) - 1)] if rendition.kind == "photo" else fallback[-1]
    attrs = dict(attrs)
    attrs["src"] = url + default.name
    attrs["srcset"] = ", ".join(f"{url}{v.name} {v.width}w" for v in fallback)
    attrs["sizes"] = sizes
    attrs["width"], attrs["height"] = str(default.width), str(default.height)
    attrs.setdefault("loading", "lazy")
    attrs.setdefault("decoding", "async")
    attrs.setdefault("alt", "")
    img = "<img " + " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items()) + ">"
    source = f'<source type="image/webp" srcset="{", ".join(f"{url}{v.name} {v.width}w" for v in webp)}" sizes="{sizes}">'
    picture = f"<picture>{source}{img}</picture>"
    if rendition.kind == "photo" and "class" not in attrs:
        large = webp[-1] if webp else fallback[-1]
        caption = html.escape(attrs.get("alt", ""), quote=True)
        return (f'<a class="dj-zoom" href="{url}{large.name}" data-dj-zoom '
                f'title="点击查看大图" aria-label="查看大图：{caption}">{picture}</a>')
    return picture
