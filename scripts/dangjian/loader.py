"""Load and validate all content into a :class:`~dangjian.model.Site`.

Nothing here raises on bad content: every problem is collected with the file,
line and fix, and the invalid item is left out so the rest still builds.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from .content_files import publishable_kind, scan_content_files
from .model import Brand, Category, ModelExample, Site, StudyItem, Topic, Unit
from .paths import forget as forget_paths, is_inside, is_linked
from .problems import Problem, Severity, sort_problems
from .refs import find_image_refs, iter_prose_lines
from .schema import (
    PLACEHOLDER_DESCRIPTIONS,
    PLACEHOLDER_TEXT,
    BrandMeta,
    CategoryEntry,
    ModelMeta,
    StudyMeta,
    TopicEntry,
    UnitEntry,
    validate_meta,
)
from .settings import Settings
from .sources import list_item_lines, load_yaml, parse_front_matter, read_source, read_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Longest slug made from a name (a URL segment and a folder name of the built site).
SLUG_MAX = 60
REGISTRY_FILES = ("units.yml", "categories.yml")
TOPICS_FILE = "topics.yml"


def slugify(text: str, limit: int | None = SLUG_MAX) -> str:
    """A URL slug from Chinese or mixed text, by pinyin: 市财政局 → shi-cai-zheng-ju.

    ``limit=None`` gives the whole slug (new.py cuts it itself and adds a hash of the title)."""
    words = lazy_pinyin(text)
    slug = "-".join(w for w in (re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") for w in words) if w)
    # A long name must not make a folder name the file system refuses (255 bytes); callers number clashes.
    return re.sub(r"-{2,}", "-", slug)[:limit].rstrip("-") or "x"


#: Brand folder names the site's own pages use: ``brands/page/<n>/`` are the showcase's further pages.
RESERVED_BRAND_SLUGS = frozenset({"page"})

#: Slugs a tag page cannot take: ``tags/index.md`` is the tag index, ``tags/page/<n>/`` its further pages.
RESERVED_TAG_SLUGS = frozenset({"index", "page"})


def assign_tag_slugs(names: list[str]) -> dict[str, str]:
    """A unique pinyin slug per tag name; names sharing a slug get ``-2``, ``-3``… in code-point order."""
    slugs: dict[str, str] = {}
    taken = set(RESERVED_TAG_SLUGS)
    for name in sorted(set(names)):
        slug = base = slugify(name)
        counter = 2
        while slug in taken:
            slug, counter = f"{base}-{counter}", counter + 1
        taken.add(slug)
        slugs[name] = slug
    return slugs


def suggest_slug(name: str) -> str:
    """A valid slug close to an invalid folder or file name."""
    return slugify(name.replace("_", "-"))


def closest(value: str, candidates: list[str], n: int = 3) -> list[str]:
    """Registered names closest to ``value``: substring matches first, then fuzzy ones."""
    hits = [c for c in candidates if value and (value in c or c in value)]
    hits += [c for c in difflib.get_close_matches(value, candidates, n=n, cutoff=0.4) if c not in hits]
    return hits[:n]


def is_outside(path: Path, root: Path) -> bool:
    """True when ``path`` (following symlinks) lies outside the project ``root``."""
    try:
        return not is_inside(path, root)
    except (OSError, RuntimeError, ValueError):
        return True


def bundle_files(folder: Path, root: Path) -> list[Path]:
    """The files of a brand bundle that may be published: ``index.md``, photos and attachments.

    Never a hidden file, a symlink or a file in a linked folder, never another type
    (:mod:`dangjian.content_files` reports those as errors).
    """
    if is_linked(folder, root):
        return []
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                continue
            if entry.name == "index.md" or publishable_kind(entry.name):
                found.append(Path(entry.path))
    return sorted(found)


def case_twin(path: Path) -> Path | None:
    """The all-lowercase sibling of ``path`` when both exist (they clash on Windows and in URLs)."""
    twin = path.with_name(path.name.lower())
    return twin if twin.name != path.name and twin.exists() else None


def _twin_problem(rel_path: str, name: str, twin: Path, root: Path) -> Problem:
    return Problem(rel_path, f"“{name}”与 {rel(twin, root)} 仅大小写不同：在 Windows 上它们是同一个文件，网址也会冲突。",
                   "删除重复的一份，或给它起一个不同的名字（只用小写字母、数字和连字符）。", code="duplicate-slug")


def rel(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with forward slashes."""
    path_s, prefix = os.fspath(path), os.fspath(root).rstrip(os.sep) + os.sep
    if path_s.startswith(prefix):  # the common case, without pathlib's parsing
        return path_s[len(prefix):].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# ---------------------------------------------------------------- registries


def load_registry(path: Path, root: Path, entry: type, what: str) -> tuple[list[Any], list[Problem]]:
    """Load a YAML list registry (units.yml / categories.yml) validating each entry."""
    rel_path = rel(path, root)
    if is_linked(path, root):
        return [], []  # never read through a symlink; scan_content_files reports it
    if not path.exists():
        return [], [Problem(rel_path, f"缺少{what}登记表。", f"新建 {rel_path}，按 README 中的示例逐条登记。", code="registry")]
    data, text, problems = read_yaml(path, rel_path)
    if problems:
        return [], problems
    if not isinstance(data, list):
        return [], [Problem(rel_path, f"{what}登记表应是一个列表（每项以“- ”开头）。",
                            "参照 README 的示例，每一项写成“- name: …”。", line=1, code="registry")]
    entries, problems = [], []
    item_lines = list_item_lines(text)
    for index, item in enumerate(data):
        line = item_lines[index] if index < len(item_lines) else None
        if not isinstance(item, dict):
            problems.append(Problem(rel_path, f"第 {index + 1} 项应写成“字段: 值”的组合。",
                                    "参照其它项的写法。", line=line, code="registry"))
            continue
        parsed, errs = validate_meta(entry, item, rel_path, default_line=line, where=f"第 {index + 1} 项")
        problems += errs
        if parsed is not None:
            entries.append(parsed)
    return entries, problems


def load_units(brands_dir: Path, root: Path) -> tuple[list[Unit], list[Problem]]:
    """Load ``units.yml`` into units with unique slugs; report duplicate names."""
    entries, problems = load_registry(brands_dir / "units.yml", root, UnitEntry, "单位")
    rel_path = rel(brands_dir / "units.yml", root)
    units: list[Unit] = []
    seen: dict[str, str] = {}
    slugs: set[str] = set()
    for e in entries:
        clash = [n for n in (e.name, e.short) if n in seen]
        if clash:
            problems.append(Problem(rel_path, f"名称“{clash[0]}”重复登记（与“{seen[clash[0]]}”冲突）。",
                                    "每个单位的全称和简称都必须唯一；删除重复项或改用不同的简称。", code="registry"))
            continue
        if e.slug is not None and not SLUG.match(e.slug):
            problems.append(Problem(rel_path, f"单位“{e.name}”的 slug“{e.slug}”不合规。",
                                    f"只用小写字母、数字和连字符，例如 {suggest_slug(e.slug)}。", field="slug", code="registry"))
            continue
        slug = base = e.slug or slugify(e.short)
        counter = 2
        while slug in slugs or slug == "index":  # units/index.md is the list of units
            slug, counter = f"{base}-{counter}", counter + 1
        slugs.add(slug)
        seen[e.name] = seen[e.short] = e.name
        units.append(Unit(e.name, e.short, e.group, slug))
    return units, problems


def load_categories(brands_dir: Path, root: Path) -> tuple[list[Category], list[Problem]]:
    """Load ``categories.yml``."""
    entries, problems = load_registry(brands_dir / "categories.yml", root, CategoryEntry, "品牌类别")
    rel_path = rel(brands_dir / "categories.yml", root)
    categories: list[Category] = []
    slugs: set[str] = set()
    for e in entries:
        if any(c.name == e.name for c in categories):
            problems.append(Problem(rel_path, f"类别“{e.name}”重复登记。", "删除重复的一项。", code="registry"))
            continue
        if e.slug is not None and not SLUG.match(e.slug):
            problems.append(Problem(rel_path, f"类别“{e.name}”的 slug“{e.slug}”不合规：它是类别页网址的一部分。",
                                    f"只用小写字母、数字和连字符，例如 slug: {suggest_slug(e.slug)}；"
                                    "或删除这一行，自动按拼音生成。",
                                    field="slug", code="registry"))
            continue
        slug = base = e.slug or slugify(e.name)
        counter = 2
        while slug in slugs or slug == "index":  # categories/index.md is the list of categories
            slug, counter = f"{base}-{counter}", counter + 1
        slugs.add(slug)
        categories.append(Category(e.name, e.description, slug))
    return categories, problems


def load_topics(study_dir: Path, root: Path) -> tuple[list[Topic], list[Problem]]:
    """Topics are the sub-folders of the study folder, titled by ``topics.yml`` if present."""
    problems: list[Problem] = []
    declared: dict[str, TopicEntry] = {}
    path = study_dir / TOPICS_FILE
    rel_path = rel(path, root)
    if path.exists() and not is_linked(path, root):  # a linked registry is reported by scan_content_files
        source = read_source(path, rel_path)
        problems += source.problems
        if source.text is not None:
            data, lines, errs = load_yaml(source.text, rel_path)
            problems += errs
            if isinstance(data, dict):
                for key, value in data.items():
                    parsed, errs = validate_meta(TopicEntry, value if isinstance(value, dict) else {"title": value},
                                                 rel_path, default_line=lines.get(str(key)), where=f"“{key}”一项")
                    problems += errs
                    if parsed:
                        declared[str(key)] = parsed
            elif data is not None:
                problems.append(Problem(rel_path, "topics.yml 应写成“文件夹名: {title: 栏目名}”的形式。",
                                        "例如：\nzhengce:\n  title: 政策文件", line=1, code="registry"))
    topics: list[Topic] = []
    folders = sorted(p.name for p in study_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))) if study_dir.is_dir() else []
    for index, name in enumerate(folders):
        if not SLUG.match(name):
            problems.append(Problem(f"{rel(study_dir, root)}/{name}", f"栏目文件夹名“{name}”不合规：它是栏目网址的一部分。",
                                    f"把文件夹改名为小写字母、数字和连字符，例如 {suggest_slug(name)}，"
                                    "并在 topics.yml 中用新名称登记。",
                                    code="registry"))
        entry = declared.get(name)
        topics.append(Topic(name, entry.title if entry else name, entry.description if entry else "",
                            entry.order if entry and entry.order is not None else 1000 + index))
    for name in declared:
        if name not in folders:
            problems.append(Problem(rel_path, f"登记的栏目“{name}”没有对应的文件夹。",
                                    f"新建文件夹 {rel(study_dir, root)}/{name}/，或删除这一项。",
                                    severity=Severity.WARNING, code="registry"))
    topics.sort(key=lambda t: (t.order, t.slug))
    return topics, problems


# ---------------------------------------------------------------- resolution


def resolve_unit(value: str, units: list[Unit]) -> Unit | None:
    """The unit whose full or short name is ``value``."""
    return next((u for u in units if value in (u.name, u.short)), None)


def unit_problem(value: str, units: list[Unit], rel_path: str, line: int | None) -> Problem:
    """The Chinese message for an unregistered unit, naming the closest ones."""
    names = [u.name for u in units] + [u.short for u in units]
    near = closest(value, names)
    fix = ("改为已登记的名称，例如：" + "、".join(near) + "。") if near else "改为 units.yml 中已登记的全称或简称。"
    return Problem(rel_path, f"单位“{value}”未在 brands/units.yml 中登记。",
                   fix + "如确为新单位，请先在 brands/units.yml 中登记。", line=line, field="unit", code="unknown-unit")


# ---------------------------------------------------------------- brands


def load_brands(brands_dir: Path, root: Path, units: list[Unit], categories: list[Category],
                settings: Settings) -> tuple[list[Brand], set[str], list[Problem]]:
    """Load every brand bundle; return published brands, draft folders and problems."""
    brands: list[Brand] = []
    drafts: set[str] = set()
    problems: list[Problem] = []
    if not brands_dir.is_dir():
        return brands, drafts, [Problem(rel(brands_dir, root), "找不到品牌文件夹。", "新建 brands/ 文件夹。", code="layout")]
    seen: dict[str, str] = {}
    for folder in sorted(p for p in brands_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        folder_rel = rel(folder, root)
        index = folder / "index.md"
        rel_path = rel(index, root)
        if is_linked(folder, root) or is_linked(index, root):
            continue  # never read through a symlink; scan_content_files reports it
        if not index.is_file():
            problems.append(Problem(folder_rel, "品牌文件夹中缺少 index.md。",
                                    "在该文件夹中新建 index.md（可用 python scripts/new.py brand 生成模板）。", code="layout"))
            continue
        twin = case_twin(folder)
        if twin is not None and not SLUG.match(folder.name):
            problems.append(_twin_problem(rel_path, folder.name, twin, root))
            continue
        if not SLUG.match(folder.name):
            problems.append(Problem(rel_path, f"文件夹名“{folder.name}”不能用作网址。",
                                    f"文件夹名只用小写字母、数字和连字符，例如改名为 {suggest_slug(folder.name)}。",
                                    field="文件夹名", code="bad-slug"))
            continue
        if folder.name in RESERVED_BRAND_SLUGS:
            problems.append(Problem(rel_path, f"文件夹名“{folder.name}”是网站保留的网址（品牌展示的后续各页在 brands/page/2/ 等处），未发布。",
                                    f"给品牌文件夹换一个名字，例如 {folder.name}-pinpai 或品牌名称的拼音。",
                                    field="文件夹名", code="bad-slug"))
            continue
        key = folder.name.lower()
        if key in seen:
            problems.append(Problem(rel_path, f"网址名“{folder.name}”与 {seen[key]} 重复。",
                                    "为其中一个品牌文件夹换一个不同的名字。", code="duplicate-slug"))
            continue
        seen[key] = folder_rel
        brand, is_draft, errs = load_brand(folder, root, units, categories, settings)
        problems += errs
        if is_draft:
            drafts.add(folder_rel)
        elif brand is not None:
            brands.append(brand)
    brands.sort(key=lambda b: (b.date, b.slug), reverse=True)
    return brands, drafts, problems


def read_front_matter(path: Path, rel_path: str):
    """Read and parse a content file; returns ``(front matter or None, is_draft, problems)``.

    A draft returns no front matter and no problems: drafts are never validated
    or published, so a half-written draft cannot break the build.
    """
    try:
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size, st.st_ino, rel_path)
    except OSError:
        key = None
    cached = _PARSED.get(str(path))
    if key is not None and cached is not None and cached[0] == key:
        fm, draft, problems = cached[1]
        return fm, draft, list(problems)
    result = _read_front_matter(path, rel_path)
    if key is not None:
        _PARSED[str(path)] = (key, result)
    fm, draft, problems = result
    return fm, draft, list(problems)


#: Parsed files by path, with the (mtime, size, inode) they were parsed at: `mkdocs serve`
#: rebuilds in the same process and re-parses only the files that changed.
_PARSED: dict[str, tuple[tuple, tuple]] = {}


def _read_front_matter(path: Path, rel_path: str):
    source = read_source(path, rel_path)
    if source.text is None:
        return None, False, source.problems
    fm, problems = parse_front_matter(source.text, rel_path)
    if fm is None:
        return None, False, problems
    if fm.data.get("draft") is True:
        return None, True, []
    return fm, False, problems


def load_brand(folder: Path, root: Path, units: list[Unit], categories: list[Category],
               settings: Settings) -> tuple[Brand | None, bool, list[Problem]]:
    """Load one bundle; returns ``(brand or None, is_draft, problems)``."""
    index = folder / "index.md"
    rel_path = rel(index, root)
    fm, is_draft, problems = read_front_matter(index, rel_path)
    if fm is None:
        return None, is_draft, problems
    meta, problems = validate_meta(BrandMeta, fm.data, rel_path, fm.lines)
    unit = category = None
    unit_value = fm.data.get("unit")
    if isinstance(unit_value, str) and unit_value.strip():
        unit = resolve_unit(unit_value.strip(), units)
        if unit is None and units:
            problems.append(unit_problem(unit_value.strip(), units, rel_path, fm.lines.get("unit")))
    cat_value = fm.data.get("category")
    if isinstance(cat_value, str) and cat_value.strip():
        category = next((c for c in categories if c.name == cat_value.strip()), None)
        if category is None and categories:
            near = closest(cat_value.strip(), [c.name for c in categories])
            problems.append(Problem(rel_path, f"类别“{cat_value}”未在 brands/categories.yml 中登记。",
                                    f"改为已登记的类别，例如：{'、'.join(near or [c.name for c in categories][:3])}。",
                                    line=fm.lines.get("category"), field="category", code="unknown-category"))
    for key in ("logo", "cover"):
        value = fm.data.get(key)
        if isinstance(value, str) and value.strip():
            problems += check_local_file(folder, value.strip(), rel_path, fm.lines.get(key), key, root)
    for ref in find_image_refs(fm.body, fm.body_line):
        if not ref.is_external:
            problems += check_local_file(folder, ref.target, rel_path, ref.line, None, root, column=ref.column)
    problems += check_finished(fm, rel_path, settings)
    if meta is None or unit is None or category is None or any(p.severity is Severity.ERROR for p in problems):
        return None, False, problems
    return Brand(folder.name, rel_path, folder, meta, fm.body, fm.body_line, unit, category), False, problems


def check_finished(fm, rel_path: str, settings: Settings) -> list[Problem]:
    """A page set to publish must not keep new.py's placeholders, and its description must fit the cards."""
    problems: list[Problem] = []
    description = fm.data.get("description")
    line = fm.lines.get("description")
    if isinstance(description, str):
        text = description.strip()
        if text in PLACEHOLDER_DESCRIPTIONS.values():
            problems.append(Problem(rel_path, f"简介还是模板里的提示文字“{text}”，稿件尚未写完。",
                                    "用一句话写出这篇稿件的要点；没写完的稿件请保留 draft: true，暂不发布。",
                                    line=line, field="description", code="unfilled-skeleton"))
        elif len(text) > settings.description_max_chars:
            problems.append(Problem(rel_path, f"简介有 {len(text)} 个字，超过 {settings.description_max_chars} 字的上限"
                                    "（列表卡片和搜索结果只能显示一句话）。",
                                    f"把简介压缩到 {settings.description_max_chars} 字以内，用一句话概括，详细内容写在正文里。",
                                    line=line, field="description", code="long-description"))
    for number, text in iter_prose_lines(fm.body, fm.body_line):
        if PLACEHOLDER_TEXT in text:
            problems.append(Problem(rel_path, f"第 {number} 行还是模板里的“{PLACEHOLDER_TEXT}”，这一节尚未写完。",
                                    "写上这一节的内容，或删除这个小标题和“（待填写）”；没写完的稿件请保留 draft: true，暂不发布。",
                                    line=number, column=text.index(PLACEHOLDER_TEXT) + 1, code="unfilled-skeleton"))
    return problems


def check_local_file(folder: Path, target: str, rel_path: str, line: int | None, field: str | None,
                     root: Path, column: int | None = None) -> list[Problem]:
    """A referenced file must exist inside ``folder``'s bundle (no ``../``, no absolute path)."""
    clean = target.split("#")[0].split("?")[0]
    if clean.startswith("/") or re.match(r"^[a-zA-Z]:[\\/]", clean):
        return [Problem(rel_path, f"图片路径“{target}”是绝对路径，网站上无法显示。",
                        "把图片放进与 index.md 相同的文件夹，只写文件名，例如 photo-1.jpg。",
                        line=line, column=column, field=field, code="image-path")]
    path = (folder / clean)
    if not is_inside(path, folder):
        return [Problem(rel_path, f"图片“{target}”不在本文件夹内。",
                        "把图片复制到与 index.md 相同的文件夹，只写文件名。",
                        line=line, column=column, field=field, code="image-path")]
    if not path.is_file():
        near = closest(Path(clean).name, sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else [])
        hint = f"文件夹里有：{'、'.join(near)}，是否写错了文件名（注意大小写和扩展名）？" if near else "把图片放进与 index.md 相同的文件夹，并核对文件名（注意大小写和扩展名）。"
        return [Problem(rel_path, f"找不到图片“{target}”。", hint, line=line, column=column, field=field, code="missing-image")]
    return []


# ---------------------------------------------------------------- docs collections


def _doc_pages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts))


def load_models(docs_dir: Path, root: Path, settings: Settings, units: list[Unit]) -> tuple[list[ModelExample], set[str], list[Problem]]:
    """Load 模范机关 examples; return examples, excluded docs paths and problems."""
    folder = docs_dir / settings.models_dir
    models, excluded, problems = [], set(), []
    if not folder.is_dir():
        return models, excluded, problems
    for path in _doc_pages(folder):
        src_uri = rel(path, docs_dir)
        if src_uri == f"{settings.models_dir}/index.md":
            problems.append(Problem(rel(path, root), "模范机关列表页由系统自动生成，不能手写 index.md。",
                                    "删除或改名该文件；列表介绍文字可写进 mkdocs.yml 以外的指南页。", code="layout"))
            excluded.add(src_uri)
            continue
        item, draft, errs = _load_doc(path, root, docs_dir, ModelMeta, settings)
        problems += errs
        if item is None:
            excluded.add(src_uri)
            continue
        meta, rel_path, lines = item
        if draft:
            excluded.add(src_uri)
            continue
        unit = resolve_unit(meta.unit, units)
        if unit is None:
            problems.append(unit_problem(meta.unit, units, rel_path, lines.get("unit")))
            excluded.add(src_uri)
            continue
        models.append(ModelExample(path.stem, src_uri, meta, unit))
    models.sort(key=lambda m: (m.meta.date, m.slug), reverse=True)
    return models, excluded, problems


def load_studies(docs_dir: Path, root: Path, settings: Settings, topics: list[Topic]) -> tuple[list[StudyItem], set[str], list[Problem]]:
    """Load 学习资料; every page lives in a topic folder."""
    folder = docs_dir / settings.study_dir
    studies, excluded, problems = [], set(), []
    if not folder.is_dir():
        return studies, excluded, problems
    by_slug = {t.slug: t for t in topics}
    for path in _doc_pages(folder):
        src_uri = rel(path, docs_dir)
        parts = path.relative_to(folder).parts
        if len(parts) != 2 or path.name == "index.md":
            problems.append(Problem(rel(path, root), "学习资料应放在栏目文件夹中：docs/study/<栏目>/<文件名>.md；列表页由系统生成。",
                                    "把文件移到某个栏目文件夹下（例如 docs/study/zhengce/），不要手写 index.md。", code="layout"))
            excluded.add(src_uri)
            continue
        item, draft, errs = _load_doc(path, root, docs_dir, StudyMeta, settings)
        problems += errs
        if item is None or draft:
            excluded.add(src_uri)
            continue
        meta, rel_path, lines = item
        missing = False
        for index, name in enumerate(meta.attachments):
            errs = check_local_file(path.parent, name, rel_path, lines.get(f"attachments[{index}]") or lines.get("attachments"), "attachments", root)
            for e in errs:
                problems.append(Problem(e.path, e.message.replace("图片", "附件"), e.fix.replace("图片", "附件"),
                                        line=e.line, field=e.field, code="missing-attachment"))
            missing = missing or bool(errs)
        if missing:
            excluded.add(src_uri)
            continue
        studies.append(StudyItem(path.stem, src_uri, meta, by_slug[parts[0]]))
    studies.sort(key=lambda s: (s.meta.date, s.slug), reverse=True)
    return studies, excluded, problems


def _load_doc(path: Path, root: Path, docs_dir: Path, model: type, settings: Settings) -> tuple[tuple[Any, str, dict[str, int]] | None, bool, list[Problem]]:
    rel_path = rel(path, root)
    problems: list[Problem] = []
    if is_linked(path, docs_dir):
        return None, False, []  # never read through a symlink; scan_content_files reports it
    twin = case_twin(path)
    if twin is not None and not SLUG.match(path.stem):
        return None, False, [_twin_problem(rel_path, path.name, twin, root)]
    if not SLUG.match(path.stem):
        problems.append(Problem(rel_path, f"文件名“{path.name}”不能用作网址。",
                                f"文件名只用小写字母、数字和连字符，例如改名为 {suggest_slug(path.stem)}.md。",
                                field="文件名", code="bad-slug"))
        return None, False, problems
    fm, is_draft, errs = read_front_matter(path, rel_path)
    if fm is None:
        return None, is_draft, errs
    meta, errs = validate_meta(model, fm.data, rel_path, fm.lines)
    errs += check_finished(fm, rel_path, settings)
    for ref in find_image_refs(fm.body, fm.body_line):
        if not ref.is_external:
            errs += check_local_file(path.parent, ref.target, rel_path, ref.line, None, root, column=ref.column)
    if meta is None or errs:
        return None, False, errs
    return (meta, rel_path, fm.lines), False, []


# ---------------------------------------------------------------- site


def load_site(root: Path, docs_dir: Path, settings: Settings | None = None) -> Site:
    """Load and validate everything under ``root`` (project) and ``docs_dir``."""
    settings = settings or Settings()
    brands_dir = root / settings.brands_dir
    forget_paths()  # a new build: folders may have moved or been re-linked since the last one
    site = Site()
    site.units, errs = load_units(brands_dir, root)
    site.problems += errs
    site.categories, errs = load_categories(brands_dir, root)
    site.problems += errs
    site.topics, errs = load_topics(docs_dir / settings.study_dir, root)
    site.problems += errs
    site.excluded_docs.add(f"{settings.study_dir}/{TOPICS_FILE}")  # a registry, not a page to publish
    site.brands, site.draft_brands, errs = load_brands(brands_dir, root, site.units, site.categories, settings)
    site.problems += errs
    site.models, excluded, errs = load_models(docs_dir, root, settings, site.units)
    site.excluded_docs |= excluded
    site.problems += errs
    site.studies, excluded, errs = load_studies(docs_dir, root, settings, site.topics)
    site.excluded_docs |= excluded
    site.problems += errs
    items = [*(b.meta.tags for b in site.brands), *(m.meta.tags for m in site.models), *(s.meta.tags for s in site.studies)]
    site.tag_slugs = assign_tag_slugs([tag for tags in items for tag in tags])
    # What may be published from docs/ and brands/: an allow-list of file types, never a symlink.
    site.content = scan_content_files(root, docs_dir, brands_dir, excluded_docs=site.excluded_docs,
                                      declared={s.src_uri: list(s.meta.attachments) for s in site.studies})
    site.problems += site.content.problems
    site.problems = sort_problems(site.problems)
    return site
