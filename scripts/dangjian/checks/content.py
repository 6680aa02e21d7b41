"""Content rules over one Markdown file: wording, personal data, HTML, resources, links.

Rules look at prose only: fenced and indented code, inline code, URLs and HTML
comments are blanked before wording and personal-data rules run.  A line opts
out of named rules with a visible marker, on the line itself or alone on the
line before: ``<!-- check:ignore 规则名 -->``.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from ..problems import Problem, Severity
from ..refs import iter_prose_lines
from .wording import WordingRule

IGNORE = re.compile(r"<!--\s*check:ignore\s+([^>]*?)\s*-->")
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"')\]，。；、]+|(?<=\]\()[^)\s]+|<[^>\n]*>", re.I)
_COMMENT = re.compile(r"<!--.*?-->")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
_CARD = re.compile(r"(?<![0-9])[3-6]\d{3}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?![0-9])")
_MD_LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(\s*<?(?P<target>[^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<target>[^)\s>]*)>?")
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(?P<target>\S+?)>?(?:\s|$)")
_AUTOLINK = re.compile(r"<(?P<target>(?:https?|ftp)://[^>\s]+)>", re.I)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_ATTR_ID = re.compile(r"\{[:\s]*[^}]*#(?P<id>[\w-]+)[^}]*\}\s*$")
_HTML_ID = re.compile(r"\bid\s*=\s*[\"']([^\"']+)[\"']", re.I)
#: ``![…](…)`` / ``[…](…)`` written with any of ！【】（） in place of the ASCII syntax.
_FULL_WIDTH_SYNTAX = re.compile(r"(?P<bang>[!！]?)(?P<open>[\[【])(?P<text>[^\]】\n]*)(?P<close>[\]】])"
                                r"(?P<lp>[（(])\s*(?P<target>[^\s）)]+)\s*(?P<rp>[）)])")
_LINKISH = re.compile(r"^(?:https?://|\.{0,2}/|#)|/|\.[A-Za-z][A-Za-z0-9]{0,4}(?:#\S*)?$")
_HALF_WIDTH = str.maketrans({"！": "!", "【": "[", "】": "]", "（": "(", "）": ")"})
#: Photos are published only as processed copies (see images.py); their originals never are.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ".tif", ".tiff", ".bmp")

#: The Chinese rule names writers use in ``check:ignore`` and their stable codes (problems.RULE_TITLES).
RULE_CODES = {
    "身份证号": "id-card-number", "手机号": "mobile-number", "银行卡号": "bank-card-number",
    "外部资源": "external-resource", "外部链接": "external-link", "不安全代码": "unsafe-html",
    "图片说明": "missing-alt", "站内链接": "broken-link", "全角符号": "full-width-markdown", "原图链接": "original-photo",
}

UNSAFE_TAGS = {"script", "iframe", "object", "embed", "style", "frame", "frameset", "applet", "base", "form", "meta"}
RESOURCE_ATTRS = {"img": "src", "script": "src", "iframe": "src", "embed": "src", "source": "src", "video": "src",
                  "audio": "src", "track": "src", "input": "src", "object": "data", "frame": "src"}


def id_card_valid(number: str) -> bool:
    """GB 11643 checksum and a plausible birth date (so random 18-digit numbers do not fire)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(number[:17], weights))
    if "10X98765432"[total % 11] != number[17].upper():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by bank card numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask(number: str) -> str:
    """Keep the first 3 and last 2 characters (mobile numbers: last 4), star the rest."""
    digits = re.sub(r"[ -]", "", number)
    keep_end = 4 if len(digits) == 11 else 2
    return digits[:3] + "*" * (len(digits) - 3 - keep_end) + digits[-keep_end:]


@dataclass
class LinkIndex:
    """What a relative link may point at: pages (with their anchors) and other files, by docs-relative path."""

    pages: dict[str, str] = field(default_factory=dict)
    """docs-relative page path → its Markdown (anchors are computed only when a link needs them)."""
    files: set[str] = field(default_factory=set)
    _anchors: dict[str, set[str]] = field(default_factory=dict)

    def anchors(self, src_uri: str) -> set[str]:
        if src_uri not in self._anchors:
            self._anchors[src_uri] = heading_ids(self.pages.get(src_uri, ""))
        return self._anchors[src_uri]


def heading_ids(markdown: str) -> set[str]:
    """The anchors Python-Markdown's toc extension gives a page's headings, plus explicit ids."""
    from markdown.extensions.toc import slugify, unique  # Python-Markdown, not MkDocs

    ids: set[str] = set()
    for _, line in iter_prose_lines(markdown):
        heading = _HEADING.match(line)
        if heading:
            text = heading.group("text")
            explicit = _ATTR_ID.search(text)
            if explicit:
                ids.add(explicit.group("id"))
            else:
                plain = re.sub(r"[*_`~]|\[([^\]]*)\]\([^)]*\)|<[^>]+>", r"\1", _ATTR_ID.sub("", text))
                ids.add(unique(slugify(plain, "-"), ids))
        ids.update(_HTML_ID.findall(line))
        ids.update(m.group("id") for m in re.finditer(r"\{[:\s]*[^}]*#(?P<id>[\w-]+)", line))
    return ids


def _code_lines(lines: list[str]) -> set[int]:
    """0-based indexes of indented code block lines (4 spaces after a blank line, not inside a list)."""
    code: set[int] = set()
    previous_text = ""
    in_code = False
    for index, line in enumerate(lines):
        blank = not line.strip()
        indented = line.startswith(("    ", "\t"))
        if in_code:
            if indented or blank:
                if not blank:
                    code.add(index)
                continue
            in_code = False
        if indented and not blank and index > 0 and not lines[index - 1].strip() \
                and not re.match(r"^\s*(?:[-*+]|\d+[.)])\s", previous_text) and not previous_text.startswith((" ", "\t")):
            in_code = True
            code.add(index)
            continue
        if not blank:
            previous_text = line
    return code


def prose(text: str) -> list[tuple[int, str]]:
    """``(line, text)`` of prose lines: code blocks left out, inline code blanked."""
    lines = text.split("\n")
    skip = _code_lines(lines)
    return [(n, line) for n, line in iter_prose_lines(text) if n - 1 not in skip]


def _ignored(lines: list[str]) -> dict[int, set[str]]:
    """Line number → rule names that line opts out of."""
    result: dict[int, set[str]] = {}
    for number, line in enumerate(lines, 1):
        for match in IGNORE.finditer(line):
            names = set(re.split(r"[\s,，、]+", match.group(1).strip())) - {""}
            target = number + 1 if not IGNORE.sub("", line).strip() else number
            result.setdefault(target, set()).update(names)
    return result


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


class _HtmlScan(HTMLParser):
    """Collect tags with positions; Markdown text between them is ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], int, int]] = []

    def handle_starttag(self, tag, attrs):
        line, col = self.getpos()
        self.tags.append((tag, {k.lower(): (v or "") for k, v in attrs}, line, col + 1))

    handle_startendtag = handle_starttag


def _is_external(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://", "//", "ftp://"))


def _host(url: str) -> str:
    return (urlsplit(url.strip() if not url.strip().startswith("//") else "http:" + url.strip()).hostname or "").lower()


@dataclass
class FileCheck:
    """Checks one Markdown file; ``src_uri`` is where it is published (``None``: not checked for links)."""

    rel_path: str
    text: str
    rules: list[WordingRule]
    intranet_hosts: tuple = ()
    src_uri: str | None = None
    index: LinkIndex | None = None
    problems: list[Problem] = field(default_factory=list)

    def run(self) -> list[Problem]:
        lines = self.text.split("\n")
        self.ignored = _ignored(lines)
        prose_lines = prose(self.text)
        for number, line in prose_lines:
            masked = _URL.sub(_blank, _COMMENT.sub(_blank, line))
            self._wording(number, masked)
            self._personal(number, masked, line)
            self._links(number, line)
            self._full_width(number, _COMMENT.sub(_blank, line))
        self._html(prose_lines, len(lines))
        return self.problems

    def add(self, rule: str, line: int, column: int | None, message: str, fix: str,
            severity: Severity = Severity.ERROR, excerpt: str | None = None, code: str | None = None) -> None:
        """Report under the rule's Chinese name (what check:ignore takes) and its stable code."""
        code = code or RULE_CODES[rule]
        if {rule, code} & self.ignored.get(line, set()):
            return
        self.problems.append(Problem(self.rel_path, message, fix, line=line, column=column, severity=severity,
                                     code=code, excerpt=excerpt, rule=rule))

    # ---------------------------------------------------------- wording

    def _wording(self, number: int, line: str) -> None:
        for rule in self.rules:
            for match in rule.regex.finditer(line):
                reason = f"（{rule.reason}）" if rule.reason else ""
                self.add(rule.name, number, match.start() + 1, f"规范表述“{rule.name}”：“{match.group(0)}”{reason}。",
                         f"改为：{rule.suggestion}。如确需保留原文，在该行末尾写 <!-- check:ignore {rule.name} -->。",
                         rule.severity, code="wording")

    # ---------------------------------------------------------- personal information

    def _personal(self, number: int, line: str, original: str) -> None:
        found: list[tuple[re.Match, str, str]] = []
        for match in _ID_CARD.finditer(line):
            if id_card_valid(match.group(0)):
                found.append((match, "身份证号", "个人身份证号"))
        taken = [m.span() for m, _, _ in found]
        for match in _CARD.finditer(line):
            digits = re.sub(r"[ -]", "", match.group(0))
            if 16 <= len(digits) <= 19 and luhn_valid(digits) and not any(s <= match.start() < e for s, e in taken):
                found.append((match, "银行卡号", "银行卡号"))
        taken = [m.span() for m, _, _ in found]
        for match in _MOBILE.finditer(line):
            if not any(s <= match.start() < e for s, e in taken):
                found.append((match, "手机号", "未打码的手机号"))
        if not found:
            return
        masked = original
        for match, _, _ in sorted(found, key=lambda f: -f[0].start()):
            masked = masked[:match.start()] + mask(match.group(0)) + masked[match.end():]
        for match, rule, what in found:
            # Up to 20 characters either side of the number (positions shift little: masking keeps lengths close).
            start, end = max(0, match.start() - 20), match.start() + 45
            excerpt = ("…" if start else "") + masked[start:end].strip() + ("…" if end < len(masked) else "")
            self.add(rule, number, match.start() + 1, f"发现{what}（{mask(match.group(0))}），属于个人信息，不能公开发布。",
                     "删除该号码；确需保留联系方式时写办公电话，或打码为 138****5678 的形式。", excerpt=excerpt)

    # ---------------------------------------------------------- full-width Markdown syntax

    def _full_width(self, number: int, line: str) -> None:
        for match in _FULL_WIDTH_SYNTAX.finditer(line):
            used = [c for c in (match.group(g) for g in ("bang", "open", "close", "lp", "rp")) if c and c in "！【】（）"]
            target = match.group("target")
            image = bool(match.group("bang"))
            if not used or (match.group("bang") == "！" and used == ["！"]
                            and not target.lower().split("#")[0].endswith(PHOTO_SUFFIXES)):
                continue  # all ASCII, or "好！[详情](a.md)": an exclamation mark before a link
            if not image and not _LINKISH.search(target):
                continue  # 【通知】（第一期）: brackets in prose
            written = match.group(0)
            fixed = written.translate(_HALF_WIDTH)
            marks = "、".join(f"“{c}”" for c in dict.fromkeys(used))
            self.add("全角符号", number, match.start() + 1,
                     f"“{written}”中用了中文全角符号{marks}，网页上会原样显示这串文字，不会显示为{'图片' if image else '链接'}。",
                     f"改为英文半角符号：{fixed}")

    # ---------------------------------------------------------- links and images in Markdown syntax

    def _links(self, number: int, line: str) -> None:
        clean = _COMMENT.sub(_blank, line)
        for match in _MD_IMAGE.finditer(clean):
            target = match.group("target")
            column = match.start() + 1
            if _is_external(target) and _host(target) not in self.intranet_hosts:
                self.add("外部资源", number, column, f"图片“{target}”来自外部网站：内网无法访问互联网，读者只会看到空白。",
                         "把图片下载后放进与本文件相同的文件夹，写成 ![说明文字](文件名.jpg)。")
            if not match.group("alt").strip():
                self.add("图片说明", number, column, "图片缺少说明文字（alt），读屏软件无法朗读，图片加载失败时也无提示。",
                         "在 ![ ] 的方括号中写一句图片内容，如 ![主题党日活动现场](photo-1.jpg)。", Severity.WARNING)
        targets = [(m.start() + 1, m.group("target")) for m in _MD_LINK.finditer(clean)]
        targets += [(m.start() + 1, m.group("target")) for m in _AUTOLINK.finditer(clean)]
        ref = _REF_DEF.match(clean)
        if ref:
            targets.append((ref.start("target") + 1, ref.group("target")))
        for column, target in targets:
            self._link(number, column, target)

    def _link(self, number: int, column: int, target: str) -> None:
        lowered = target.strip().lower()
        if lowered.startswith(("javascript:", "vbscript:", "data:text/html")):
            self.add("不安全代码", number, column, f"链接“{target[:40]}”会执行脚本，不允许出现在内容中。",
                     "删除该链接，或改为指向网页地址。")
            return
        if _is_external(target):
            if _host(target) not in self.intranet_hosts:
                self.add("外部链接", number, column, f"链接指向外部网站“{_host(target) or target}”：内网读者通常无法打开。",
                         "确认读者能访问；内网网站请把主机名加入 mkdocs.yml 的 extra.dangjian.intranet_hosts。",
                         Severity.WARNING)
            return
        if lowered.startswith(("mailto:", "tel:")) or re.match(r"^[a-z][a-z0-9+.-]*:", lowered):
            return
        self._internal(number, column, target)

    def _internal(self, number: int, column: int, target: str) -> None:
        if self.index is None or self.src_uri is None:
            return
        path, _, anchor = target.partition("#")
        path = unquote(path.split("?")[0])
        if path.startswith("/"):
            self.add("站内链接", number, column, f"链接“{target}”以 / 开头：网站部署在子路径时会失效。",
                     "改为相对路径，如 ../other/index.md。", Severity.WARNING)
            return
        if not path:
            resolved = self.src_uri
        else:
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(self.src_uri), path))
        candidates = [resolved, posixpath.join(resolved, "index.md"), resolved + ".md"] if path else [resolved]
        found = next((c for c in candidates if c in self.index.pages or c in self.index.files), None)
        if found is None:
            self.add("站内链接", number, column, f"链接“{target}”指向的页面或文件不存在（或是草稿）。",
                     "核对路径：站内链接写成相对于本文件的 .md 路径，如 ../../brands/hong-xin-li-cai/index.md。")
            return
        if found in self.index.files and found.lower().endswith(PHOTO_SUFFIXES):
            self._original_photo(number, column, target)
            return
        if path and found != resolved:
            self.add("站内链接", number, column, f"链接“{target}”没有写到 .md 文件，严格构建会报警告。",
                     f"改为“{posixpath.relpath(found, posixpath.dirname(self.src_uri) or '.')}{'#' + anchor if anchor else ''}”。")
            return
        if anchor and found in self.index.pages and unquote(anchor) not in self.index.anchors(found):
            self.add("站内链接", number, column, f"链接“{target}”中的锚点“#{anchor}”在目标页面中不存在。",
                     "核对标题；中文标题的锚点是自动编号的，建议给标题写固定锚点：## 标题 {#my-anchor}。")

    def _original_photo(self, number: int, column: int, target: str) -> None:
        self.add("原图链接", number, column,
                 f"链接“{target}”指向原始照片：网站只发布处理过的照片（已去除拍摄地点等信息），不发布原图，读者点开会看到“找不到页面”。",
                 f"删除这个链接；要展示照片请直接插入图片 ![说明文字]({target})，读者在网页上点击图片即可放大。")

    # ---------------------------------------------------------- HTML

    def _html(self, prose_lines: list[tuple[int, str]], total: int) -> None:
        if not any("<" in line for _, line in prose_lines):
            return
        buffer = [""] * total
        for number, line in prose_lines:
            buffer[number - 1] = _AUTOLINK.sub(_blank, line)
        scan = _HtmlScan()
        scan.feed("\n".join(buffer))
        scan.close()
        for tag, attrs, line, column in scan.tags:
            if tag in UNSAFE_TAGS:
                self.add("不安全代码", line, column, f"内容中不能使用 <{tag}> 标签（可能执行脚本或破坏页面）。",
                         "删除该标签；视频、地图等请联系网站管理员以安全的方式提供。")
            for name, value in attrs.items():
                if name.startswith("on"):
                    self.add("不安全代码", line, column, f"<{tag}> 的 {name} 属性会执行脚本，不允许使用。", f"删除 {name}=… 属性。")
                elif name in ("href", "src", "action", "formaction", "xlink:href", "data") and \
                        value.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.add("不安全代码", line, column, f"<{tag}> 的 {name} 是 javascript: 地址，会执行脚本。", "删除该属性或整个标签。")
                elif name == "style" and re.search(r"url\(\s*['\"]?(?:https?:)?//", value, re.I):
                    self.add("外部资源", line, column, f"<{tag}> 的样式从外部网站加载资源。", "删除 style 中的 url(…)。")
            resource = attrs.get(RESOURCE_ATTRS.get(tag, ""), "")
            if tag == "link":
                resource = attrs.get("href", "")
            if resource and _is_external(resource) and _host(resource) not in self.intranet_hosts:
                self.add("外部资源", line, column, f"<{tag}> 从外部网站“{_host(resource)}”加载资源：内网无法访问互联网。",
                         "把文件放进本文件夹并用相对路径引用，或删除该标签。")
            for name in ("src", "poster", "data", "srcset"):
                value = attrs.get(name, "").strip().split(" ")[0]
                if tag != "img" and tag != "a" and value and not _is_external(value) and self.index is not None \
                        and value.lower().split("#")[0].endswith(PHOTO_SUFFIXES) and self.src_uri is not None:
                    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(self.src_uri), unquote(value)))
                    if resolved in self.index.files:
                        self._original_photo(line, column, value)
            if tag == "img" and not attrs.get("alt", "").strip():
                self.add("图片说明", line, column, "<img> 图片缺少说明文字（alt）。", "加上 alt=\"图片内容\"。", Severity.WARNING)
            if tag == "a" and attrs.get("href"):
                href = attrs["href"]
                if not href.lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                    self._link(line, column, href)
