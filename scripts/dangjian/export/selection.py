"""Which published pages go into a compilation, and in which order.

A selection is either a set of filters (section, 系统, 类别, 年份, 选树典型,
单位, 栏目) over the loaded :class:`~dangjian.model.Site`, or a YAML list of
pages that fixes the order.  Unknown names are reported in Chinese with the
closest registered ones; drafts are never selectable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..loader import closest, read_front_matter, rel, resolve_unit
from ..model import Brand, ModelExample, Site, StudyItem
from ..problems import Problem
from ..sources import list_item_lines, read_yaml

Item = Brand | ModelExample | StudyItem

#: Section keys and the Chinese names a writer may use for them.
SECTIONS = {"brands": "党建品牌", "models": "模范机关", "study": "学习资料"}
_SECTION_ALIASES = {"brands": "brands", "brand": "brands", "品牌": "brands", "党建品牌": "brands",
                    "models": "models", "model": "models", "模范机关": "models",
                    "study": "study", "学习资料": "study"}


@dataclass
class Criteria:
    """What to compile; empty filters select everything of the chosen sections."""

    sections: list[str] = field(default_factory=list)
    """``brands``, ``models``, ``study`` (or 品牌 / 模范机关 / 学习资料); default: brands."""
    groups: list[str] = field(default_factory=list)
    """所属系统 (units.yml ``group``); brands and models only."""
    categories: list[str] = field(default_factory=list)
    """品牌类别 (categories.yml); brands only."""
    years: list[int] = field(default_factory=list)
    """创建年份 of brands, 年份 of models, year of the publication date of study materials."""
    units: list[str] = field(default_factory=list)
    """Full or short unit names; brands and models only."""
    topics: list[str] = field(default_factory=list)
    """学习资料栏目: folder name or title; study materials only."""
    featured: bool = False
    """Only brands marked ``featured: true`` (选树典型)."""
    list_file: Path | None = None
    """A YAML list of pages (sets the order; filters are then not allowed)."""


def section_of(item: Item) -> str:
    """``brands``, ``models`` or ``study``."""
    return "brands" if isinstance(item, Brand) else "models" if isinstance(item, ModelExample) else "study"


def _unknown(kind: str, value: str, names: list[str], option: str) -> Problem:
    near = closest(value, names)
    fix = f"是否想写：{'、'.join(near)}？" if near else f"可用的{kind}有：{'、'.join(names[:20])}{'等' if len(names) > 20 else ''}。"
    return Problem(option, f"{kind}“{value}”不存在。", fix, code="export-selection")


def select_items(site: Site, criteria: Criteria, root: Path, docs_dir: Path) -> tuple[list[Item], list[Problem]]:
    """The published pages the criteria select, in compilation order, or the problems that prevent it."""
    if criteria.list_file is not None:
        if any((criteria.sections, criteria.groups, criteria.categories, criteria.years, criteria.units,
                criteria.topics, criteria.featured)):
            return [], [Problem("--list", "用清单文件指定篇目时，不能再同时使用筛选条件。",
                                "去掉 --section、--group、--category 等选项，或不用 --list。", code="export-selection")]
        return _items_from_list(site, criteria.list_file, root, docs_dir)
    problems: list[Problem] = []
    sections: list[str] = []
    for name in criteria.sections or ["brands"]:
        key = _SECTION_ALIASES.get(name.strip())
        if key is None:
            problems.append(_unknown("栏目类型", name, [*SECTIONS, *SECTIONS.values()], "--section"))
        elif key not in sections:
            sections.append(key)
    group_names = site.groups()
    for value in criteria.groups:
        if value not in group_names:
            problems.append(_unknown("系统", value, group_names, "--group"))
    category_names = [c.name for c in site.categories]
    for value in criteria.categories:
        if value not in category_names:
            problems.append(_unknown("品牌类别", value, category_names, "--category"))
    units = []
    for value in criteria.units:
        unit = resolve_unit(value, site.units)
        if unit is None:
            problems.append(_unknown("单位", value, [u.name for u in site.units] + [u.short for u in site.units], "--unit"))
        else:
            units.append(unit)
    topics = []
    for value in criteria.topics:
        topic = next((t for t in site.topics if value in (t.slug, t.title)), None)
        if topic is None:
            problems.append(_unknown("学习资料栏目", value, [t.title for t in site.topics] + [t.slug for t in site.topics], "--topic"))
        else:
            topics.append(topic)
    if problems:
        return [], problems

    unit_order = {u: i for i, u in enumerate(site.units)}
    topic_order = {t: i for i, t in enumerate(site.topics)}
    years = set(criteria.years)
    items: list[Item] = []
    if "brands" in sections:
        brands = [b for b in site.brands
                  if (not criteria.groups or b.unit.group in criteria.groups)
                  and (not criteria.categories or b.category.name in criteria.categories)
                  and (not units or b.unit in units)
                  and (not years or b.year in years)
                  and (not criteria.featured or b.meta.featured)]
        # Grouped by unit in registry order (as a 汇编 is usually arranged), newest first within a unit.
        items += sorted(brands, key=lambda b: (unit_order[b.unit], -b.date.toordinal(), b.slug))
    if "models" in sections and not criteria.categories and not criteria.featured:
        models = [m for m in site.models
                  if (not criteria.groups or m.unit.group in criteria.groups)
                  and (not units or m.unit in units)
                  and (not years or m.meta.year in years)]
        items += sorted(models, key=lambda m: (unit_order[m.unit], -m.meta.date.toordinal(), m.slug))
    if "study" in sections and not (criteria.groups or criteria.categories or units or criteria.featured):
        studies = [s for s in site.studies
                   if (not topics or s.topic in topics) and (not years or s.meta.date.year in years)]
        items += sorted(studies, key=lambda s: (topic_order[s.topic], -s.meta.date.toordinal(), s.slug))
    if not items:
        wanted = "、".join(SECTIONS[s] for s in sections)
        return [], [Problem("（筛选条件）", f"按这些条件没有选到任何已发布的{wanted}（草稿不会收入汇编）。",
                            "放宽筛选条件：例如去掉年份或类别，或用 ./dev.sh export --help 查看各选项的含义。",
                            code="export-empty")]
    return items, []


def _items_from_list(site: Site, path: Path, root: Path, docs_dir: Path) -> tuple[list[Item], list[Problem]]:
    """Pages named in a YAML list: ``hong-xin-li-cai`` (a brand), ``models/<名>``, ``study/<栏目>/<名>``."""
    shown = rel(path.resolve(), root) if path.exists() else str(path)
    if not path.is_file():
        return [], [Problem(shown, "找不到篇目清单文件。", "核对文件路径，例如 --list 汇编清单.yml。", code="export-list")]
    data, text, problems = read_yaml(path, shown)
    if problems:
        return [], problems
    entries = data.get("items") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        return [], [Problem(shown, "篇目清单应是一个列表，每行一篇（以“- ”开头）。",
                            "例如：\n- hong-xin-li-cai\n- models/shi-cai-zheng-ju\n- study/theory/di-yi-yi-ti-zhi-yin",
                            line=1, code="export-list")]
    lines = list_item_lines(text, indented=True)
    brands = {b.slug: b for b in site.brands}
    models = {m.slug: m for m in site.models}
    studies = {s.src_uri.removesuffix(".md").removeprefix("study/"): s for s in site.studies}
    known = [*brands, *(f"models/{k}" for k in models), *(f"study/{k}" for k in studies)]
    items: list[Item] = []
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        name = str(entry).strip().strip("/").removeprefix("brands/").removesuffix(".md").removesuffix("/index")
        item: Item | None
        if name.startswith("models/"):
            item = models.get(name.removeprefix("models/"))
            source_path = docs_dir / f"{name}.md"
        elif name.startswith("study/"):
            item = studies.get(name.removeprefix("study/"))
            source_path = docs_dir / f"{name}.md"
        else:
            item = brands.get(name)
            source_path = root / "brands" / name / "index.md"
        if item is None:
            if source_path.is_file() and read_front_matter(source_path, rel(source_path, root))[1]:
                problems.append(Problem(shown, f"“{name}”是草稿（draft: true），草稿不能收入汇编。",
                                        "从清单中删除这一行，或等稿件审核发布（删去 draft: true）后再汇编。",
                                        line=line, code="export-draft"))
                continue
            near = closest(name, known)
            fix = f"是否想写：{'、'.join(near)}？" if near else "品牌写文件夹名（如 hong-xin-li-cai），模范机关写 models/<文件名>，学习资料写 study/<栏目>/<文件名>。"
            why = "（文件存在但有错误，未发布，请先运行 ./dev.sh check）" if source_path.is_file() else ""
            problems.append(Problem(shown, f"找不到已发布的篇目“{name}”{why}。", fix, line=line, code="export-missing"))
            continue
        if item in items:
            problems.append(Problem(shown, f"篇目“{name}”重复。", "删除重复的一行。", line=line, code="export-list"))
            continue
        items.append(item)
    return (items, []) if not problems else ([], problems)
