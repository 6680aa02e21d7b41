"""Review-gate rules over decoded YAML values: front matter, registries, topics.yml, mkdocs.yml.

The content rules of :mod:`.content` read source lines, so a title written with YAML
escapes (``"\\u003cscript\\u003e"``) or split over lines passed them.  Here every scalar of
every YAML document a writer or maintainer edits is taken *after* YAML decoding, with
the line it starts on, and checked as the plain text it is meant to be:

- control characters (except tab and newline) are errors (they break feed.xml and pages);
- HTML tags, event-handler attributes and script URLs (``javascript:``, ``vbscript:``,
  ``data:``) are errors: pages show values as text, so such code is a mistake or an attack;
- Markdown link, image or emphasis syntax is a warning: it is shown literally, not rendered.

Scanned: the front matter of every Markdown source (brands and docs), ``units.yml``,
``categories.yml``, ``topics.yml``, and in ``mkdocs.yml`` the site name, description,
author, copyright, repository name and addresses, the nav titles and all of ``extra``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from ..loader import rel
from ..problems import Problem, Severity
from ..schema import control_character_problem, find_control_character
from ..sources import read_source, split_front_matter

#: mkdocs.yml keys whose values reach pages (``extra`` and ``nav`` are scanned whole).
CONFIG_KEYS = ("site_name", "site_description", "site_author", "site_url", "copyright", "repo_name", "repo_url",
               "edit_uri", "extra", "nav")

#: ``extra`` keys with which Material adds scripts, trackers or outside requests to every page (unused here).
SCRIPT_EXTRA_KEYS = {"polyfills": "加载额外的脚本", "analytics": "加载网站统计脚本", "consent": "显示 Cookie 同意框",
                     "social": "链接外部社交网站", "version": "请求版本列表", "alternate": "显示语言切换链接"}

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>?")
_HANDLER = re.compile(r"\bon[a-z]+\s*=", re.I)
_SCRIPT_URL = re.compile(r"(?:java|vb)script\s*:|\bdata\s*:\s*[a-z]+/", re.I)
_MARKDOWN = re.compile(
    r"!?\[[^\]\n]*\]\s*[(\[]"           # [link](…), ![image](…), [text][ref]
    r"|(?<![*\w])\*\*?[^*\s][^*\n]*\*"   # *emphasis*, **strong**
    r"|(?<!\w)__?[^_\s][^_\n]*_"          # _emphasis_, __strong__
    r"|`[^`\n]+`"                        # `code`
    r"|\{\s*:?[^}\n]*[=.#][^}\n]*\}"      # {: attr_list }
)


class _AnyTagLoader(yaml.SafeLoader):
    """Composes any YAML, whatever its tags (``!ENV`` in mkdocs.yml), without constructing objects."""


def scalars(text: str, line_offset: int = 0) -> Iterator[tuple[str, int, str]]:
    """Every string scalar of ``text`` as ``(path, line, decoded value)``; nothing for malformed YAML.

    ``path`` is ``title``, ``tags[1]``, ``extra.contact``; ``line`` is 1-based plus ``line_offset``.
    """
    try:
        node = yaml.compose(text, Loader=_AnyTagLoader)
    except yaml.YAMLError:
        return  # the loader reports malformed YAML with its own message
    yield from _walk(node, "", line_offset)


def _walk(node: yaml.Node | None, path: str, offset: int) -> Iterator[tuple[str, int, str]]:
    if isinstance(node, yaml.ScalarNode):
        yield path, node.start_mark.line + 1 + offset, node.value
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, f"{path}[{index}]", offset)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            child = f"{path}.{name}" if path else name
            yield from _walk(key, child, offset)  # keys are shown too (topics.yml folders, nav titles)
            yield from _walk(value, child, offset)


def check_value(rel_path: str, path: str, line: int, value: str) -> list[Problem]:
    """The problems of one decoded value (``path`` names its field)."""
    named = re.match(r"(?:\[\d+\]\.)?([^.\[]+)", path)  # "title", "tags[1]" → tags, "[0].name" → name
    field = named.group(1) if named else None
    problems: list[Problem] = []
    if find_control_character(value):
        problems.append(control_character_problem(rel_path, line, field, path, find_control_character(value)))
    shown = value if len(value) <= 40 else value[:40] + "…"
    if _TAG.search(value) or (_HANDLER.search(value) and "<" in value):
        problems.append(Problem(rel_path, f"“{path}”的值含有 HTML 代码：“{shown}”。网页会把它当作文字原样显示，不会执行；"
                                "但这通常是误写，也可能是有人试图在网页中插入脚本。",
                                "删除尖括号 < > 中的代码，只写文字；需要书名号时用中文《》。",
                                line=line, field=field, code="unsafe-html", rule="不安全代码"))
    if _SCRIPT_URL.search(value):
        problems.append(Problem(rel_path, f"“{path}”的值含有脚本地址（javascript:/vbscript:/data:）：“{shown}”。",
                                "删除这段地址；网址只能写 http:// 或 https:// 开头的内网地址。",
                                line=line, field=field, code="unsafe-html", rule="不安全代码"))
    if _MARKDOWN.search(value):
        problems.append(Problem(rel_path, f"“{path}”的值含有 Markdown 记号（链接、图片、加粗或 {{: … }} 属性）：“{shown}”。"
                                "这些字段按纯文字显示，记号会原样出现在网页上。",
                                "只写文字；链接和加粗请写在正文里。", line=line, field=field,
                                severity=Severity.WARNING, code="field-markup", rule="字段格式"))
    return problems


def check_yaml_text(rel_path: str, text: str, line_offset: int = 0, keys: tuple[str, ...] | None = None) -> list[Problem]:
    """Check every string value of a YAML document (only under ``keys`` at the top level, if given)."""
    problems: list[Problem] = []
    for path, line, value in scalars(text, line_offset):
        if keys is not None and re.split(r"[.\[]", path, maxsplit=1)[0] not in keys:
            continue
        problems += check_value(rel_path, path, line, value)
    return problems


def check_values(root: Path, markdown_files: list[Path], registries: list[Path]) -> list[Problem]:
    """Decoded-value rules over front matter, registries and mkdocs.yml (see the module docstring)."""
    problems: list[Problem] = []
    for path in markdown_files:
        rel_path = rel(path, root)
        source = read_source(path, rel_path)
        if source.text is None:
            continue
        yaml_text, _, _ = split_front_matter(source.text)
        if yaml_text is not None:
            problems += check_yaml_text(rel_path, yaml_text, line_offset=1)
    for path in registries:
        if path.is_file() and not path.is_symlink():
            source = read_source(path, rel(path, root))
            if source.text is not None:
                problems += check_yaml_text(rel(path, root), source.text)
    config = root / "mkdocs.yml"
    if config.is_file():
        source = read_source(config, "mkdocs.yml")
        if source.text is not None:
            problems += check_yaml_text("mkdocs.yml", source.text, keys=CONFIG_KEYS)
            problems += _check_script_extras(source.text)
    return problems


def _check_script_extras(text: str) -> list[Problem]:
    """``extra.polyfills``, ``extra.analytics`` … in mkdocs.yml: each makes every page run or fetch more."""
    problems = []
    for path, line, _ in scalars(text):
        parts = path.split(".")
        if len(parts) >= 2 and parts[0] == "extra" and parts[1].split("[")[0] in SCRIPT_EXTRA_KEYS \
                and path == "extra." + parts[1].split("[")[0]:  # the key itself, reported once
            key = parts[1].split("[")[0]
            problems.append(Problem("mkdocs.yml", f"extra.{key} 会让每个页面{SCRIPT_EXTRA_KEYS[key]}：本站不使用，"
                                    "内网读者也无法访问外部网站。", f"删除 mkdocs.yml 中的 extra.{key}。",
                                    line=line, field="extra", code="unsafe-html", rule="不安全代码"))
    return problems
