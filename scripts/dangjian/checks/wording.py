"""规范表述: reviewer-editable wording rules read from ``rules/wording.yml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..problems import Problem, Severity
from ..sources import load_yaml_list

_SEVERITIES = {"错误": Severity.ERROR, "error": Severity.ERROR, "警告": Severity.WARNING,
               "warning": Severity.WARNING, "提示": Severity.INFO, "info": Severity.INFO}
_KEYS = {"name", "pattern", "regex", "suggestion", "reason", "severity"}


@dataclass(frozen=True)
class WordingRule:
    """One rule: a literal ``pattern`` or a ``regex``, what to write instead and why."""

    name: str
    regex: re.Pattern
    suggestion: str
    reason: str
    severity: Severity


def load_rules(path: Path, rel_path: str) -> tuple[list[WordingRule], list[Problem]]:
    """Read the rules file; every mistake in it is a Chinese problem with its line."""
    data, text, problems = load_yaml_list(path, rel_path, Problem(
        rel_path, "规则文件应是一个列表，每条规则以“- name: …”开头。", "参照文件开头的示例。", line=1, code="rules"))
    if problems or not data:
        return [], problems
    item_lines = [n for n, line in enumerate(text.split("\n"), 1) if line.startswith("- ")]
    rules: list[WordingRule] = []
    for index, item in enumerate(data):
        line = item_lines[index] if index < len(item_lines) else None
        where = f"第 {index + 1} 条规则"
        if not isinstance(item, dict):
            problems.append(Problem(rel_path, f"{where}应写成“字段: 值”的组合。", "参照其它规则的写法。", line=line, code="rules"))
            continue
        unknown = sorted(set(map(str, item)) - _KEYS)
        if unknown:
            problems.append(Problem(rel_path, f"{where}有未知字段“{'、'.join(unknown)}”。",
                                    f"可用的字段有：{'、'.join(sorted(_KEYS))}。", line=line, code="rules"))
            continue
        name = str(item.get("name") or "").strip()
        suggestion = str(item.get("suggestion") or "").strip()
        if not name or not suggestion:
            problems.append(Problem(rel_path, f"{where}缺少 name 或 suggestion。", "每条规则都要写规则名和修改建议。", line=line, code="rules"))
            continue
        if ("pattern" in item) == ("regex" in item):
            problems.append(Problem(rel_path, f"规则“{name}”应在 pattern（按原文匹配）和 regex（正则表达式）中恰好写一个。",
                                    "普通词语用 pattern；需要通配时用 regex。", line=line, code="rules"))
            continue
        try:
            regex = re.compile(re.escape(str(item["pattern"])) if "pattern" in item else str(item["regex"]))
        except re.error as exc:
            problems.append(Problem(rel_path, f"规则“{name}”的正则表达式有误（{exc}）。", "检查括号是否成对、特殊字符是否转义。",
                                    line=line, code="rules"))
            continue
        severity = _SEVERITIES.get(str(item.get("severity", "错误")).strip())
        if severity is None:
            problems.append(Problem(rel_path, f"规则“{name}”的 severity 只能是 错误、警告 或 提示。", "改为“错误”或“警告”。",
                                    line=line, code="rules"))
            continue
        rules.append(WordingRule(name, regex, suggestion, str(item.get("reason") or "").strip(), severity))
    return rules, problems
