"""Front-matter schemas of every content type, with Chinese error messages.

The schemas are pydantic models with ``extra="forbid"`` so that a typo such as
``catagory:`` is an error, not a silently ignored key.  :func:`validate_meta`
turns pydantic's errors into :class:`~dangjian.problems.Problem` objects that
name the file, line, field, what was wrong and what to write instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, TypeVar

import re

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError

from .problems import Problem

#: Characters no value may hold: C0 controls but tab and newline, DEL, C1 controls, the bidirectional
#: overrides and isolates (they make text display in a different order than it is stored), and the
#: non-characters XML cannot carry.  Such a character breaks feed.xml and front matter and is invisible.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def find_control_character(value: str) -> str | None:
    """The first forbidden control character in ``value`` as ``U+XXXX``, or ``None``."""
    match = CONTROL_CHARACTERS.search(value)
    return f"U+{ord(match.group()):04X}" if match else None


def _no_control(value: str) -> str:
    code = find_control_character(value)
    if code:
        raise PydanticCustomError("control_character", "control character {code}", {"code": code})
    return value


def control_character_problem(rel_path: str, line: int | None, field: str | None, path: str, code: str) -> Problem:
    """The Chinese message for a control character in field ``path`` (``tags[1]`` names the item)."""
    item = re.search(r"\[(\d+)\]$", path)
    which = f"第 {int(item.group(1)) + 1} 项" if item else ""
    return Problem(rel_path, f"{which}含有看不见的控制字符 {code}，它会使网页和 RSS 订阅（feed.xml）出错。",
                   "删除这个字符：它通常是从 Word、微信或网页复制文字时带进来的，可把这段文字重新手工输入一遍；"
                   "如果用了 \\u 或 \\x 转义写法，请改为直接写文字。", line=line, field=field, code="control-character")


#: Any text a writer types: no control characters.
Plain = Annotated[str, AfterValidator(_no_control)]
#: A required, non-empty text field.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_no_control)]


class _Meta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BrandMeta(_Meta):
    """Front matter of ``brands/<slug>/index.md``."""

    title: Text
    unit: Text
    branch: Text | None = None
    category: Text
    description: Text
    slogan: Text | None = None
    year: int | None = None
    date: dt.date
    honors: list[Text] = []
    tags: list[Text] = []
    featured: bool = False
    logo: Text | None = None
    cover: Text | None = None
    draft: bool = False


class ModelMeta(_Meta):
    """Front matter of ``docs/models/<slug>.md`` (模范机关 examples)."""

    title: Text
    unit: Text
    year: int
    level: Text | None = None
    description: Text
    date: dt.date
    tags: list[Text] = []
    draft: bool = False


class StudyMeta(_Meta):
    """Front matter of ``docs/study/<topic>/<slug>.md`` (学习资料)."""

    title: Text
    issuer: Text | None = None
    doc_no: Text | None = None
    date: dt.date
    description: Text
    tags: list[Text] = []
    attachments: list[Text] = []
    draft: bool = False


class UnitEntry(_Meta):
    """One entry of ``brands/units.yml``."""

    name: Text
    short: Text
    group: Text
    slug: Text | None = None


class CategoryEntry(_Meta):
    """One entry of ``brands/categories.yml``."""

    name: Text
    description: Text
    slug: Text | None = None


class TopicEntry(_Meta):
    """One entry of ``docs/study/topics.yml`` (keyed by folder name)."""

    title: Text
    description: Plain = ""
    order: int | None = None


#: Chinese name and an example value of every field, used in messages.
FIELD_HELP: dict[str, tuple[str, str]] = {
    "title": ("标题/名称", "title: 红心理财"),
    "unit": ("所属单位（units.yml 中的全称或简称）", "unit: 明湖市财政局"),
    "branch": ("党支部", "branch: 预算科党支部"),
    "category": ("品牌类别（categories.yml 中的名称）", "category: 党建业务融合"),
    "description": ("一句话简介", "description: 以“红心”守护“钱袋子”，推动党建与预算管理深度融合。"),
    "slogan": ("品牌口号", "slogan: 红心向党 理财为民"),
    "year": ("年份（四位整数）", "year: 2021"),
    "date": ("发布日期", "date: 2026-03-15"),
    "honors": ("所获荣誉（列表）", "honors:\n  - 2025年度市直机关“先锋杯”工作创新大赛一等奖"),
    "tags": ("标签（列表）", "tags: [三会一课, 主题党日]"),
    "featured": ("是否选树典型（true/false）", "featured: true"),
    "logo": ("品牌标识图片文件名", "logo: logo.png"),
    "cover": ("封面图片文件名", "cover: photo-1.jpg"),
    "draft": ("是否草稿（true/false）", "draft: true"),
    "level": ("模范机关级别", "level: 市级模范机关"),
    "issuer": ("发文机关/来源", "issuer: 中共明湖市直属机关工作委员会"),
    "doc_no": ("文号", "doc_no: 明直党〔2026〕3号"),
    "attachments": ("附件文件名（列表）", "attachments:\n  - 学习清单.txt"),
    "name": ("全称", "name: 明湖市财政局"),
    "short": ("简称", "short: 市财政局"),
    "group": ("所属系统", "group: 经济系统"),
    "slug": ("网址名（小写字母、数字、连字符）", "slug: caizheng"),
    "order": ("排序号（整数）", "order: 1"),
}

#: What ``scripts/new.py`` writes for the writer to replace; published as is, a page reads unfinished.
PLACEHOLDER_TEXT = "（待填写）"
PLACEHOLDER_DESCRIPTIONS = {
    "brand": "请用一句话概括品牌（120 字以内）",
    "model": "请用一句话概括创建经验",
    "study": "请用一句话说明这份资料",
}

M = TypeVar("M", bound=BaseModel)


def validate_meta(
    model: type[M],
    data: dict[str, Any],
    rel_path: str,
    lines: dict[str, int] | None = None,
    default_line: int | None = 1,
    where: str = "front matter",
) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` against ``model``; return the instance or Chinese problems."""
    lines = lines or {}
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        allowed = list(model.model_fields)
        problems = [
            _translate(err, rel_path, lines, default_line, allowed, where)
            for err in exc.errors(include_url=False)
        ]
        return None, problems


def _translate(err: dict[str, Any], rel_path: str, lines: dict[str, int], default_line: int | None,
               allowed: list[str], where: str) -> Problem:
    loc = [str(part) for part in err["loc"]]
    field = loc[0] if loc else None
    item = f"{loc[0]}[{loc[1]}]" if len(loc) > 1 else None
    line = lines.get(item or "") or lines.get(field or "") or default_line
    kind = err["type"]
    label, example = FIELD_HELP.get(field or "", ("", ""))
    got = err.get("input")
    shown = _show(got)
    if kind == "missing":
        return Problem(rel_path, f"缺少必填字段“{field}”（{label}）。",
                       f"在 {where} 中加上一行：{example}", line=default_line, field=field, code="missing-field")
    if kind == "control_character":
        return control_character_problem(rel_path, line, field, item or field or "", (err.get("ctx") or {}).get("code", ""))
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(field or "", allowed, n=1, cutoff=0.6)
        fix = (f"是否想写“{close[0]}”？请改为：{FIELD_HELP.get(close[0], ('', close[0] + ': ...'))[1]}"
               if close else f"删除这一行；可用的字段有：{'、'.join(allowed)}。")
        return Problem(rel_path, f"未知字段“{field}”。", fix, line=line, field=field, code="unknown-field")
    if kind in {"string_too_short"}:
        return Problem(rel_path, f"“{field}”不能为空。", f"填写内容，例如：{example}", line=line, field=field, code="empty-field")
    if kind.startswith("string"):
        return Problem(rel_path, f"应为文字，这里写的是 {shown}。",
                       f"例如：{example}；纯数字或 true/false 等请用英文引号括起来。", line=line, field=field, code="wrong-type")
    if kind.startswith("int"):
        return Problem(rel_path, f"应为整数，这里写的是 {shown}。", f"例如：{example}", line=line, field=field, code="wrong-type")
    if kind.startswith("bool"):
        return Problem(rel_path, f"应为 true 或 false，这里写的是 {shown}。", f"例如：{example}", line=line, field=field, code="wrong-type")
    if kind.startswith("list"):
        return Problem(rel_path, f"应为列表，这里写的是 {shown}。", f"写成：{example}", line=line, field=field, code="wrong-type")
    if kind.startswith("date"):
        return Problem(rel_path, f"应为日期（年-月-日），这里写的是 {shown}。",
                       f"写成四位年-两位月-两位日，例如：{example}", line=line, field=field, code="wrong-type")
    if kind in {"model_type", "dict_type"}:
        return Problem(rel_path, "格式应为“字段: 值”的组合。", f"例如：{example}", line=line, field=field, code="wrong-type")
    return Problem(rel_path, f"取值有误（{err.get('msg', kind)}），这里写的是 {shown}。",
                   f"例如：{example}", line=line, field=field, code="wrong-value")


def _show(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, dict):
        return "一组字段"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"“{value.isoformat()}”"
    text = str(value)
    return f"“{text[:40]}{'…' if len(text) > 40 else ''}”"
