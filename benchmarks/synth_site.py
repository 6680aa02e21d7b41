"""Write a synthetic project of realistic Chinese content for scale benchmarks.

    python benchmarks/synth_site.py OUT --pages 2000 [--seed 7] [--plain OUT_PLAIN] [--skew] [--models N]

Half of the pages are brands (``brands/<slug>/index.md`` with one or two small
JPEG photos), half are study materials (``docs/study/<topic>/<slug>.md``).  The
project uses the real content contract: the repository's ``units.yml``,
``categories.yml`` and ``docs/study/topics.yml``, its ``mkdocs.yml`` (hooks and
theme overrides pointing back into this repository) and its ``docs/`` pages
other than the sample collections.  Sentences are recombined from the
reference work plan (/work/shared/reference/…, or the repository's own
2026 work plan), so paragraphs read like real 机关党建 material.

``--plain`` also writes the same Markdown as a plain Material project (no
hooks, collection pages kept out of the nav) for the comparison build.
Output is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import shutil
import sys
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
REFERENCE = Path("/work/shared/reference/000_64046db7da3de118.txt")
FALLBACK_REFERENCE = REPO / "docs" / "study" / "work-plans" / "2026-gong-zuo-yao-dian.md"

TITLE_HEADS = ["红心", "先锋", "初心", "清风", "匠心", "暖心", "同心", "铸魂", "领航", "聚力", "星火", "磐石",
               "明湖", "连心", "砺剑", "护航", "春风", "青松", "红帆", "灯塔", "赋能", "守正", "笃行", "惠民"]
TITLE_TAILS = ["理财", "驿站", "课堂", "先锋岗", "服务站", "工作室", "联盟", "学堂", "护航队",
               "堡垒", "加油站", "连心桥", "直通车", "红管家", "明镜", "同心圆", "领航员", "暖心屋"]
BRANCHES = ["机关第一党支部", "机关第二党支部", "办公室党支部", "综合科党支部", "业务科党支部", "青年党支部",
            "离退休干部党支部", "信息中心党支部", "执法大队党支部", "服务中心党支部"]
TAGS = ["三会一课", "主题党日", "四强党支部", "先锋杯", "党建业务融合", "志愿服务", "青年理论学习", "廉洁文化",
        "为民服务", "第一议题", "党员先锋岗", "模范机关", "数字党建", "作风建设", "基层减负"]
ISSUERS = ["中共明湖市直属机关工作委员会", "明湖市直机关工委组织部", "明湖市直机关工委宣传部", "明湖市直机关纪工委"]
HONORS = ["市直机关“先锋杯”工作创新大赛一等奖", "市直机关“先锋杯”工作创新大赛二等奖", "明湖市“四强党支部”",
          "市直机关优秀党建品牌", "市级模范机关", "全市“五星级”党支部"]
SECTIONS = ["品牌内涵", "主要做法", "工作成效", "经验启示"]
STUDY_SECTIONS = ["总体要求", "主要任务", "工作措施", "保障措施", "有关要求"]


def load_sentences() -> list[str]:
    """Sentences of the reference text (a Chinese 机关党建 work plan)."""
    path = REFERENCE if REFERENCE.exists() else FALLBACK_REFERENCE
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^---.*?---", "", text, flags=re.S).replace(",", "，")
    parts = [p for line in text.splitlines() for p in re.split(r"(?<=[。；！？])", line)]
    sentences = [re.sub(r"^[\s#>*\-（(一二三四五六七八九十、)）]+", "", s).strip() for s in parts]
    return [s for s in sentences if 12 <= len(s) <= 220 and "**" not in s]


def load_clauses(sentences: list[str]) -> list[str]:
    """Clauses (split at commas) to recombine into new, varied sentences."""
    clauses = {c.strip("。；！？ ") for s in sentences for c in re.split(r"[，、]", s)}
    return sorted(c for c in clauses if 4 <= len(c) <= 40 and c.count("“") == c.count("”"))


class Writer:
    """Deterministic generator of varied paragraphs."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.sentences = load_sentences()
        self.clauses = load_clauses(self.sentences)

    def sentence(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choice(self.sentences)
        parts = self.rng.sample(self.clauses, self.rng.randint(2, 4))
        return "，".join(parts) + "。"

    def paragraph(self, lo: int = 2, hi: int = 5) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))

    def short(self, limit: int = 60) -> str:
        text = self.rng.choice(self.clauses) + "，" + self.rng.choice(self.clauses) + "。"
        return text[:limit]


def photo(rng: random.Random, width: int = 640, height: int = 427) -> bytes:
    """A small JPEG that looks like a photo (gradient sky, ground, a few shapes)."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top, bottom = [rng.randint(60, 230) for _ in range(3)], [rng.randint(20, 160) for _ in range(3)]
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    for _ in range(rng.randint(4, 9)):
        x, y = rng.randint(0, width), rng.randint(height // 3, height)
        r = rng.randint(15, 80)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randint(120, 230), rng.randint(0, 60), rng.randint(0, 60)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def with_tag(tags: list[str], tag: str | None) -> list[str]:
    """``tags`` with ``tag`` first (skewed archives give every page one common tag)."""
    return tags if tag is None or tag in tags else [tag, *tags]


def brand_markdown(w: Writer, title: str, unit: str, category: str, photos: list[str], index: int,
                   tag: str | None = None) -> str:
    rng = w.rng
    year = rng.randint(2016, 2025)
    meta = {
        "title": title,
        "unit": unit,
        "branch": rng.choice(BRANCHES),
        "category": category,
        "description": w.short(80),
        "slogan": "".join(rng.sample(TITLE_HEADS, 2)) + " " + "".join(rng.sample(TITLE_HEADS, 2)),
        "year": year,
        "date": f"{rng.randint(max(year, 2019), 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "featured": index % 97 == 0,
        "honors": rng.sample(HONORS, rng.randint(0, 2)),
        "tags": with_tag(rng.sample(TAGS, rng.randint(1, 4)), tag),
    }
    if photos:
        meta["cover"] = photos[0]
    body = []
    for number, section in enumerate(SECTIONS):
        body.append(f"## {section}\n")
        for _ in range(rng.randint(1, 3)):
            body.append(w.paragraph() + "\n")
        if number == 1:
            for point, lead in enumerate(["一是", "二是", "三是"][: rng.randint(2, 3)]):
                body.append(f"**{lead}{w.rng.choice(w.clauses)}。** {w.paragraph(1, 3)}\n")
            if photos:
                body.append(f"![{w.rng.choice(w.clauses)}]({photos[-1]})\n")
        if number == 2 and rng.random() < 0.6:
            body.append("| 指标 | 2024年 | 2025年 |\n| --- | --- | --- |")
            for label in rng.sample(["开展主题党日", "党员志愿服务", "解决群众诉求", "青年理论学习", "结对共建"], 3):
                a = rng.randint(10, 200)
                body.append(f"| {label}（次） | {a} | {a + rng.randint(5, 80)} |")
            body.append("")
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + "\n".join(body)


LONG_CHARS = 20_000  # a long study page (an archive's full legal text) has at least this many characters


def study_markdown(w: Writer, title: str, index: int, tag: str | None = None, long: bool = False) -> str:
    rng = w.rng
    year = rng.randint(2019, 2026)
    meta = {
        "title": title,
        "issuer": rng.choice(ISSUERS),
        "doc_no": f"明直党〔{year}〕{index % 60 + 1}号",
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "description": w.short(90),
        "tags": with_tag(rng.sample(TAGS, rng.randint(1, 3)), tag),
    }
    body = [w.paragraph(2, 4) + "\n"]
    numerals = "一二三四五六七八九"
    for number, section in enumerate(rng.sample(STUDY_SECTIONS, rng.randint(3, 5))):
        body.append(f"## {numerals[number]}、{section}\n")
        for sub in range(rng.randint(1, 3)):
            body.append(f"### （{numerals[sub]}）{rng.choice(w.clauses)}\n")
            body.append(w.paragraph(2, 6) + "\n")
    article = 0
    while long and sum(map(len, body)) < LONG_CHARS:
        article += 1
        body.append(f"### 第{article}条\n")
        body.append(w.paragraph(4, 8) + "\n")
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + "\n".join(body)


def model_markdown(w: Writer, title: str, unit: str, tag: str | None = None) -> str:
    rng = w.rng
    year = rng.randint(2019, 2026)
    meta = {
        "title": title,
        "unit": unit,
        "year": year,
        "level": rng.choice(["市级模范机关", "市直机关模范机关创建先进单位", "模范机关创建示范点"]),
        "description": w.short(90),
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "tags": with_tag(["模范机关", *rng.sample(TAGS, rng.randint(1, 2))], tag),
    }
    body = [f"## {section}\n\n{w.paragraph(2, 4)}\n" for section in ("基本情况", "创建做法", "创建成效")]
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + "\n".join(body)


def write_project(out: Path, pages: int, seed: int = 7, *, skew: bool = False, models: int = 0,
                  long_share: float = 0.0) -> dict[str, int]:
    """Write the synthetic project into ``out`` (must not exist); return counts.

    ``skew`` puts three in four brands into the first unit and category, three in four study
    materials into the first topic and gives every page the tag ``三会一课``, so that one unit,
    category, topic and tag hold hundreds of items (the pagination test).  ``models`` adds that
    many 模范机关 examples (``docs/models/``), three in four of the first unit when skewed.
    ``long_share`` of all pages (taken from the study materials) are at least ``LONG_CHARS`` long.
    """
    out.mkdir(parents=True)
    w = Writer(seed)
    units = yaml.safe_load((REPO / "brands" / "units.yml").read_text(encoding="utf-8"))
    categories = yaml.safe_load((REPO / "brands" / "categories.yml").read_text(encoding="utf-8"))
    topics = yaml.safe_load((REPO / "docs" / "study" / "topics.yml").read_text(encoding="utf-8"))

    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = [str(REPO / "scripts" / "hooks.py")]
    config["theme"]["custom_dir"] = str(REPO / "overrides")
    config["watch"] = ["brands", str(REPO / "overrides")]  # mkdocs serve must see brand edits
    (out / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # The repository's own docs pages (home, guides, assets) but not its sample collections.
    shutil.copytree(REPO / "docs", out / "docs", ignore=lambda d, names: [
        n for n in names if Path(d) == REPO / "docs" and n in ("models", "study")])
    brands_dir = out / "brands"
    brands_dir.mkdir()
    shutil.copy(REPO / "brands" / "units.yml", brands_dir / "units.yml")
    shutil.copy(REPO / "brands" / "categories.yml", brands_dir / "categories.yml")

    n_brands = pages // 2
    tag = TAGS[0] if skew else None
    photo_pool = [photo(w.rng) for _ in range(64)]  # distinct JPEGs, reused across bundles
    titles: set[str] = set()
    n_photos = 0
    for i in range(n_brands):
        title = w.rng.choice(TITLE_HEADS) + w.rng.choice(TITLE_TAILS)
        if title in titles:
            title += f"（{i}）"
        titles.add(title)
        folder = brands_dir / f"pinpai-{i:05d}"
        folder.mkdir()
        photos = [f"photo-{k}.jpg" for k in range(1, w.rng.randint(1, 2) + 1)]
        for k, name in enumerate(photos):
            # A JPEG comment segment gives every photo its own content hash (as real photos have).
            data = photo_pool[(i * 3 + k) % len(photo_pool)]
            comment = f"synthetic {i:06d}-{k}".encode()
            (folder / name).write_bytes(data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:])
            n_photos += 1
        hot, k = skew and i % 4 != 3, i // 4 if skew else i  # skewed: the rest spread over everything
        unit = units[0 if hot else k % len(units)]["short"]
        category = categories[0 if hot else (k * 7) % len(categories)]["name"]
        (folder / "index.md").write_text(brand_markdown(w, title, unit, category, photos, i, tag), encoding="utf-8")

    study_dir = out / "docs" / "study"
    study_dir.mkdir()
    shutil.copy(REPO / "docs" / "study" / "topics.yml", study_dir / "topics.yml")
    topic_names = sorted(topics)
    n_long = min(pages - n_brands, round(pages * long_share))
    for i in range(pages - n_brands):
        topic = topic_names[0 if skew and i % 4 != 3 else (i // 4 if skew else i) % len(topic_names)]
        (study_dir / topic).mkdir(exist_ok=True)
        title = w.rng.choice(w.clauses)[:24] + w.rng.choice(["的通知", "实施方案", "学习提纲", "工作要点", "指引", "参考"])
        (study_dir / topic / f"ziliao-{i:05d}.md").write_text(study_markdown(w, title, i, tag, long=i < n_long), encoding="utf-8")
    if models:
        (out / "docs" / "models").mkdir()
    for i in range(models):
        unit = units[0 if skew and i % 4 != 3 else (i // 4 if skew else i) % len(units)]["short"]
        title = f"{unit}：{w.rng.choice(w.clauses)[:20]}"
        (out / "docs" / "models" / f"mofan-{i:05d}.md").write_text(model_markdown(w, title, unit, tag), encoding="utf-8")
    return {"brands": n_brands, "studies": pages - n_brands, "photos": n_photos, "models": models}


PLAIN_CONFIG = """site_name: 明湖市直机关党建宣传（对照）
docs_dir: docs
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
plugins:
  - search:
      lang: zh
markdown_extensions: [abbr, admonition, attr_list, def_list, footnotes, md_in_html, tables,
  {toc: {permalink: true}}, pymdownx.details, pymdownx.superfences, pymdownx.tilde]
validation:
  nav: {omitted_files: ignore, not_found: ignore}
  links: {not_found: ignore, anchors: ignore, unrecognized_links: ignore}
nav:
  - 首页: index.md
"""


def write_plain(project: Path, out: Path) -> None:
    """The same Markdown and photos as a plain Material site (no hooks; collections out of the nav)."""
    docs = out / "docs"
    docs.mkdir(parents=True)
    (out / "mkdocs.yml").write_text(PLAIN_CONFIG, encoding="utf-8")
    (docs / "index.md").write_text("# 明湖市直机关党建宣传\n\n对照站点。\n", encoding="utf-8")
    shutil.copytree(project / "brands", docs / "brands", ignore=shutil.ignore_patterns("*.yml"))
    shutil.copytree(project / "docs" / "study", docs / "study", ignore=shutil.ignore_patterns("*.yml"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成用于规模测试的合成网站项目（真实中文文本）。")
    parser.add_argument("out", type=Path, help="输出目录（不能已存在）")
    parser.add_argument("--pages", type=int, default=500, help="页面数（一半品牌，一半学习资料）")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plain", type=Path, help="同时写出纯 Material 对照项目到该目录")
    parser.add_argument("--skew", action="store_true", help="四分之三的品牌集中在第一个单位和类别、资料集中在第一个栏目，每页都带“三会一课”标签（测分页）")
    parser.add_argument("--models", type=int, default=0, help="另外生成的模范机关案例篇数")
    parser.add_argument("--long-share", type=float, default=0.0, help="长页面（至少 2 万字）占全部页面的比例，如 0.25")
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"错误：{args.out} 已存在，请指定一个新目录。", file=sys.stderr)
        return 2
    counts = write_project(args.out, args.pages, args.seed, skew=args.skew, models=args.models, long_share=args.long_share)
    if args.plain:
        write_plain(args.out, args.plain)
    print(f"已生成 {args.out}：品牌 {counts['brands']} 个（照片 {counts['photos']} 张），学习资料 {counts['studies']} 篇。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
