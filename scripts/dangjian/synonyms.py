"""Search synonyms and abbreviations (``rules/synonyms.yml``), edited by reviewers.

Each entry is a group of forms that mean the same (主题党日 / 党员活动日,
发改委 / 发展改革委).  The groups are validated here (Chinese messages naming
file and line) and shipped to the browser in normalised form: a query term
that contains one form also matches the other forms, ranked below the form typed.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .normalize import normalize
from .problems import Problem
from .sources import load_yaml_list

SYNONYMS_FILE = "rules/synonyms.yml"
_FIX = "每行写成“- [说法一, 说法二]”，至少两种说法，参照文件开头的说明。"


def _item_lines(text: str) -> list[int]:
    """Line (1-based) of each top-level list item, from the YAML node marks."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def load_synonyms(root: Path, rel_path: str = SYNONYMS_FILE) -> tuple[list[list[str]], list[Problem]]:
    """Normalised synonym groups from ``root/rel_path`` (no file: no groups) and the problems found."""
    data, text, problems = load_yaml_list(root / rel_path, rel_path, Problem(
        rel_path, "同义词表应是一个列表，每行以“- [”开头。", _FIX, line=1, code="synonyms"))
    if problems or not data:
        return [], problems
    lines = _item_lines(text)
    groups: list[list[str]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else None
        where = f"第 {index + 1} 组同义词"
        if not isinstance(item, list) or not all(isinstance(form, (str, int)) for form in item):
            problems.append(Problem(rel_path, f"{where}应写成方括号里的几种说法，这里是 {item!r}。", _FIX,
                                    line=line, code="synonyms"))
            continue
        forms = [normalize(str(form)) for form in item]
        empty = [str(form) for form, norm in zip(item, forms) if len(norm) < 2]
        if empty:
            problems.append(Problem(rel_path, f"{where}中的“{'、'.join(empty)}”去掉标点后不足两个字，无法用于搜索。",
                                    "删去它，或写出完整的说法。", line=line, code="synonyms"))
            continue
        forms = list(dict.fromkeys(forms))
        if len(forms) < 2:
            problems.append(Problem(rel_path, f"{where}只有一种说法（{item[0]}），同义词至少要两种。", _FIX,
                                    line=line, code="synonyms"))
            continue
        again = [f for f in forms if f in seen]
        if again:
            problems.append(Problem(rel_path, f"{where}中的“{'、'.join(again)}”已出现在第 {seen[again[0]] + 1} 组，"
                                    "同一种说法只能属于一组。", "把这两组合并成一组，或删去重复的说法。",
                                    line=line, code="synonyms"))
            continue
        for form in forms:
            seen[form] = len(groups)
        groups.append(forms)
    return groups, problems
