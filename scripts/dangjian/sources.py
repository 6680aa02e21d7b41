"""Reading writers' source files: encoding, front matter and safe YAML.

Writers save files on Windows with Notepad or WPS, so a file may be UTF-8
with a BOM, use CRLF line endings, or be GBK-encoded.  UTF-8 (with or without
BOM, any line ending) is accepted; anything else is reported in Chinese with
a one-command fix.  YAML is loaded with the safe loader only, and anchors,
aliases and tags are refused: writers never need them and they are the usual
way to smuggle surprises into YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

# libyaml's C scanner/parser when available (about 10x faster on large archives);
# the same safe constructors and token types, so behaviour is unchanged.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Files larger than this are not read at all (a 20 MB Markdown file is a mistake).
MAX_SOURCE_BYTES = 5 * 1024 * 1024

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


@dataclass
class SourceText:
    """The decoded text of a source file, or the problems that kept it unread."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class FrontMatter:
    """Front matter of a Markdown file and where each key was written.

    ``lines`` maps a top-level key to its 1-based line in the file; list items
    are recorded as ``key[index]``.  ``body_line`` is the file line on which the
    Markdown body starts.
    """

    data: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int
    present: bool


def fix_encoding_command(rel_path: str) -> str:
    """The one command that converts a GBK file to UTF-8 in place (run by the writer)."""
    return f"python scripts/fix_encoding.py \"{rel_path}\""


def read_source(path: Path, rel_path: str) -> SourceText:
    """Read a text file written by a writer and decode it.

    Returns the text with ``\\n`` line endings and no BOM, or problems naming
    the file and what to do (wrong encoding, too large, unreadable).
    """
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            return SourceText(None, [Problem(
                rel_path,
                f"文件过大（{size / 1024 / 1024:.1f} MB），超过 {MAX_SOURCE_BYTES // 1024 // 1024} MB 的上限，未处理。",
                "请检查是否误粘贴了大段内容或图片数据；长篇材料请拆分为多篇，或作为附件上传。",
                code="file-too-large",
            )])
        raw = path.read_bytes()
    except OSError as exc:
        return SourceText(None, [Problem(rel_path, f"无法读取文件（{exc.strerror}）。", "请检查文件是否存在、是否有读取权限。", code="unreadable")])
    return decode_source(raw, rel_path)


def decode_source(raw: bytes, rel_path: str) -> SourceText:
    """Decode bytes as UTF-8 (BOM and CRLF accepted); report GBK and binary files."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:4096]:
        return SourceText(None, [Problem(
            rel_path, "这不是文本文件（可能是 Word 文档或 UTF-16 编码的文件）。",
            "请用记事本或 VS Code 打开，选择“另存为”，编码选 UTF-8 后保存为 .md 文件。",
            code="encoding",
        )])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        encoding = "GBK（Windows 记事本的“ANSI”）" if _looks_like_gbk(raw) else "未知编码"
        return SourceText(None, [Problem(
            rel_path,
            f"文件编码是{encoding}，不是 UTF-8，无法读取。",
            f"在项目目录运行 {fix_encoding_command(rel_path)} 转换为 UTF-8；"
            "或用记事本打开后“另存为”，编码选择 UTF-8。",
            line=line,
            code="encoding",
        )])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(text)


def _looks_like_gbk(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split ``text`` into (front matter YAML or None, body, body start line)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, text, 1
    yaml_text = match.group(1) or ""
    body = text[match.end():]
    body_line = text[: match.end()].count("\n") + 1
    return yaml_text, body, body_line


def load_yaml(text: str, rel_path: str, line_offset: int = 0) -> tuple[Any, dict[str, int], list[Problem]]:
    """Safely load one YAML document and record the line of every top-level key.

    ``line_offset`` is added to YAML line numbers (1 for front matter, whose
    first line follows the opening ``---``).  Returns ``(data, lines, problems)``;
    on any problem ``data`` is ``None``.
    """
    problems: list[Problem] = []
    try:
        for token in yaml.scan(text, Loader=_SafeLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken, yaml.TagToken)):
                kind = {yaml.AnchorToken: "锚点（&）", yaml.AliasToken: "引用（*）", yaml.TagToken: "标签（!）"}[type(token)]
                problems.append(Problem(
                    rel_path, f"YAML 中不允许使用{kind}。",
                    "请直接写出每个值；如果值以 &、*、! 开头，请用英文引号把整个值括起来。",
                    line=token.start_mark.line + 1 + line_offset, column=token.start_mark.column + 1,
                    code="yaml",
                ))
        if problems:
            return None, {}, problems
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return None, {}, [_yaml_problem(exc, text, rel_path, line_offset)]
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        # e.g. ``date: 2026-13-01`` matches the timestamp pattern but is no date.
        return None, {}, [Problem(
            rel_path, f"YAML 中有无法识别的值（{exc}）。",
            "日期请写成 2026-03-15 这样的有效日期；其它值如含冒号等符号，请用英文引号括起来。",
            code="yaml",
        )]
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1 + line_offset
            if key in lines:
                problems.append(Problem(
                    rel_path, f"字段“{key}”重复出现（第 {lines[key]} 行已写过），后一个会覆盖前一个。",
                    "删除其中一行，只保留正确的值。", line=line, field=key, code="yaml",
                ))
            lines[key] = line
            if isinstance(value_node, yaml.SequenceNode):
                for index, item in enumerate(value_node.value):
                    lines[f"{key}[{index}]"] = item.start_mark.line + 1 + line_offset
    if problems:
        return None, lines, problems
    return data, lines, problems


#: A key followed by a full-width colon and no ASCII colon: ``title：红心理财``.
_FULL_WIDTH_COLON_KEY = re.compile(r"^\s*(?P<key>[^\s:：#'\"-][^:：\n]*?)\s*：")
_FULL_WIDTH_QUOTES = "“”‘’"
#: libyaml's contexts whose mark is where the writer's mistake starts (the problem mark is where it was noticed).
_STARTING_CONTEXTS = ("while scanning a simple key", "while scanning a quoted scalar")


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, rel_path: str, line_offset: int) -> Problem:
    """The Chinese problem for a YAML syntax error, on the line of the mistake, naming its common cause.

    libyaml notices many mistakes one line late (a key written with a full-width colon is read
    as text running on into the next line; an unclosed quote runs to the end), so the line is
    taken from where the scanned item started, and the usual causes are looked for on the lines
    up to the one marked: a full-width colon ``：``, full-width quotes, a tab.
    """
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    index = mark.line if mark is not None else 0
    column = (mark.column + 1) if mark is not None else None
    if exc.context in _STARTING_CONTEXTS and exc.context_mark is not None:
        index, column = exc.context_mark.line, exc.context_mark.column + 1
    index = min(index, max(len(lines) - 1, 0))
    marked = lines[index] if lines else ""

    def at(i: int) -> int:
        return i + 1 + line_offset

    tab = next((i for i in range(index, -1, -1) if "\t" in lines[i][: len(lines[i]) - len(lines[i].lstrip())]), None)
    if tab is not None and tab >= index - 1:
        return Problem(rel_path, "YAML 格式错误：使用了 Tab 键缩进，YAML 只允许空格。", "把该行开头的 Tab 换成两个空格。",
                       line=at(tab), column=1, code="yaml")
    for i in range(min(index, len(lines) - 1), max(index - 2, -1), -1):
        match = _FULL_WIDTH_COLON_KEY.match(lines[i])
        if match and ":" not in lines[i].split("#")[0]:
            key = match.group("key")
            return Problem(rel_path, f"YAML 格式错误：“{key}：”用了中文冒号“：”，YAML 只认英文冒号。",
                           f"改为“{key}: ”（英文冒号，后面加一个空格）。", line=at(i),
                           column=match.end(), field=key if key.isascii() else None, code="yaml")
    if exc.context == "while scanning a quoted scalar":
        return Problem(rel_path, "YAML 格式错误：这一行的英文引号没有闭合，后面的内容都被当成了这个值。",
                       "在值的末尾补上同样的英文引号（\"…\" 或 '…'），或删除开头的引号。",
                       line=at(index), column=column, code="yaml")
    if any(q in marked for q in _FULL_WIDTH_QUOTES) and ":" in marked.partition(":")[2]:
        return Problem(rel_path, "YAML 格式错误：中文引号“”不起引号的作用，值里的英文冒号“:”仍被当作“字段: 值”的分隔。",
                       "把整个值用英文双引号括起来，例如 description: \"以“红心”守护: 钱袋子\"；或把值里的英文冒号改为中文冒号“：”。",
                       line=at(index), column=column, code="yaml")
    return Problem(rel_path, f"YAML 格式错误：{_explain_yaml_error(exc)}", _yaml_fix(exc),
                   line=at(index), column=column, code="yaml")


def _explain_yaml_error(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or ""
    if "mapping values are not allowed" in problem:
        return "值里含有英文冒号“:”，或缩进不一致。"
    if "could not find expected ':'" in problem:
        return "某一行缺少“字段: 值”中的英文冒号，或上一行的引号没有闭合。"
    if "found duplicate" in problem:
        return "字段重复出现。"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return "缩进不一致或列表格式有误。"
    return problem or str(exc)


def _yaml_fix(exc: yaml.MarkedYAMLError) -> str:
    return ("检查该行及上一行：每行写成“字段: 值”（英文冒号后加一个空格），"
            "列表项以“- ”开头并与上级对齐，含冒号的值用英文引号括起来。")


def parse_front_matter(text: str, rel_path: str, required: bool = True) -> tuple[FrontMatter | None, list[Problem]]:
    """Parse a Markdown file's front matter.

    Returns ``(front matter, problems)``; front matter is ``None`` when it is
    missing (and ``required``) or malformed.
    """
    yaml_text, body, body_line = split_front_matter(text)
    if yaml_text is None:
        unclosed = _unclosed_front_matter(text, required)
        if unclosed is not None:
            return None, [Problem(
                rel_path, "front matter 缺少结束的 ---：第 1 行的 --- 开始了信息区，但后面没有单独一行 --- 把它结束。",
                f"在最后一个字段的下一行（第 {unclosed} 行之前）单独写一行 ---，再空一行写正文。",
                line=1, code="front-matter-unclosed",
            )]
        if not required:
            return FrontMatter({}, {}, body, body_line, present=False), []
        return None, [Problem(
            rel_path, "文件开头缺少 front matter（以 --- 开始、以 --- 结束的信息区）。",
            "在文件第一行写 ---，接着逐行写“字段: 值”，再写一行 --- 结束；可用 python scripts/new.py 生成模板。",
            line=1, code="front-matter",
        )]
    data, lines, problems = load_yaml(yaml_text, rel_path, line_offset=1)
    if problems:
        return None, problems
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem(
            rel_path, "front matter 应由“字段: 值”组成，这里写成了列表或单个值。",
            "每行写成“字段: 值”，例如 title: 红心理财。", line=2, code="front-matter",
        )]
    return FrontMatter({str(k): v for k, v in data.items()}, lines, body, body_line, present=True), []


_YAML_LINE = re.compile(r"^(?:\s*$|\s*#(?!#)|\s+\S|-(?:\s|$)|[^\s#:：][^:：]*[:：](?:\s|$))")


def _unclosed_front_matter(text: str, required: bool) -> int | None:
    """The line where a front matter opened by ``---`` but never closed should have ended, else ``None``.

    Only reported when the file starts with ``---`` and (for pages where front matter is optional)
    its next line looks like ``字段: 值``, so a page opening with a horizontal rule is left alone.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    if not required and not (len(lines) > 1 and re.match(r"^[A-Za-z_]+\s*[:：]", lines[1])):
        return None
    for number, line in enumerate(lines[1:], 2):
        if not _YAML_LINE.match(line):
            return number
    return len(lines)


def read_yaml(path: Path, rel_path: str) -> tuple[Any, str | None, list[Problem]]:
    """A YAML file written by people (registries, rules, export lists): its data, its text (``None``
    when it could not be read) and the problems found, in Chinese with the line; on any problem the
    data is ``None``."""
    source = read_source(path, rel_path)
    if source.text is None:
        return None, None, source.problems
    data, _, problems = load_yaml(source.text, rel_path)
    return data, source.text, problems


def list_item_lines(text: str, indented: bool = False) -> list[int]:
    """The line of each item of a top-level YAML list (``- …``) in order; ``indented``: of a list
    under a key too (``items:`` followed by ``  - …``)."""
    lines = enumerate(text.split("\n"), 1)
    if indented:
        return [n for n, line in lines if line.lstrip().startswith("- ")]
    return [n for n, line in lines if line.startswith("- ") or line == "-"]


def load_yaml_list(path: Path, rel_path: str, not_a_list: Problem) -> tuple[list, str, list[Problem]]:
    """A reviewer-edited YAML list file (``rules/*.yml``): its items, its text and the problems found.

    No file or an empty one is an empty list; a file that is not a list gives ``not_a_list``.
    """
    if not path.is_file():
        return [], "", []
    data, text, problems = read_yaml(path, rel_path)
    if problems or data is None:
        return [], text or "", problems
    if not isinstance(data, list):
        return [], text, [not_a_list]
    return data, text, []
