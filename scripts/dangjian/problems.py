"""Problems found in writers' content, reported in Chinese.

Every check in the project (front matter, images, content rules) reports a
:class:`Problem`: which file, which line, which field, what is wrong and what
to write instead.  Nothing here raises; callers collect problems and decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import Enum


class Severity(str, Enum):
    """How serious a problem is; ``ERROR`` fails a strict build and the check."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """The Chinese word shown to writers."""
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


@dataclass(frozen=True)
class Problem:
    """One actionable finding about one source file.

    ``path`` is relative to the project root and uses ``/`` (e.g.
    ``brands/caizheng-hongxin/index.md``); ``line`` and ``column`` are 1-based
    and ``None`` when unknown.
    """

    path: str
    message: str
    fix: str = ""
    line: int | None = None
    column: int | None = None
    field: str | None = None
    severity: Severity = Severity.ERROR
    code: str = "content"
    excerpt: str | None = dc_field(default=None, compare=False)
    rule: str | None = None
    """The Chinese name a writer uses in ``<!-- check:ignore 名称 -->`` (content rules only)."""

    @property
    def title(self) -> str:
        """The Chinese title of the rule, shown to reviewers beside its stable ``code``."""
        if self.code == "wording" and self.rule:
            return f"规范表述：{self.rule}"
        return RULE_TITLES.get(self.code) or self.rule or self.code

    @property
    def location(self) -> str:
        """``path:line:column`` as far as known."""
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def format(self) -> str:
        """One line a writer can act on, in Chinese."""
        text = f"{self.location}：{self.severity.label}："
        if self.field:
            text += f"字段“{self.field}”："
        text += self.message
        if self.fix:
            text += f" 修改方法：{self.fix}"
        return text

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.format()


#: Every stable rule code and its Chinese title.  Codes never change (CI annotations and
#: reviewers' filters rely on them); titles are what people read.
RULE_TITLES: dict[str, str] = {
    # reading files and front matter
    "encoding": "文件编码不是 UTF-8",
    "file-too-large": "文件过大",
    "unreadable": "文件无法读取",
    "yaml": "YAML 格式错误",
    "front-matter": "缺少信息区（front matter）",
    "front-matter-unclosed": "信息区缺少结束的 ---",
    # fields
    "missing-field": "缺少必填字段",
    "unknown-field": "未知字段",
    "empty-field": "字段为空",
    "wrong-type": "字段类型不对",
    "wrong-value": "字段取值有误",
    "unknown-unit": "单位未登记",
    "unknown-category": "类别未登记",
    "long-description": "简介过长",
    "unfilled-skeleton": "模板内容未填写",
    # files, folders, images
    "layout": "文件位置不对",
    "bad-slug": "文件夹名或文件名不能用作网址",
    "duplicate-slug": "网址名重复",
    "symlink-outside": "指向项目外的链接",
    "symlink": "符号链接（快捷方式）",
    "file-type": "文件类型不能发布",
    "missing-image": "找不到图片",
    "image-path": "图片路径不对",
    "image-size": "图片过大",
    "image-format": "图片格式不支持",
    "image-decode": "图片无法打开",
    "missing-attachment": "找不到附件",
    # registries and settings
    "registry": "登记表有误",
    "rules": "规范表述规则文件有误",
    "synonyms": "搜索同义词表有误",
    "settings": "网站设置有误",
    "config": "配置文件 mkdocs.yml 有误",
    "build": "页面未生成",
    # content rules (scripts/check.py and the strict build)
    "wording": "规范表述",
    "id-card-number": "身份证号",
    "mobile-number": "手机号",
    "bank-card-number": "银行卡号",
    "external-resource": "外部资源",
    "external-link": "外部链接",
    "unsafe-html": "不安全代码",
    "missing-alt": "图片说明",
    "broken-link": "站内链接",
    "full-width-markdown": "全角符号写法",
    "original-photo": "链接指向原图",
    "control-character": "控制字符",
    "field-markup": "字段格式",
    "content": "内容问题",
    # exporting a compilation (scripts/export.py)
    "export-title": "汇编标题为空",
    "export-selection": "汇编筛选条件有误",
    "export-empty": "没有选到篇目",
    "export-list": "篇目清单有误",
    "export-draft": "草稿不能收入汇编",
    "export-missing": "找不到篇目",
    "export-read": "篇目无法读取",
    "export-svg": "矢量图未收入汇编",
    "export-browser": "缺少生成 PDF 的浏览器",
}


def count_problems(problems: list[Problem]) -> tuple[int, int]:
    """``(errors, warnings)``."""
    return (sum(p.severity is Severity.ERROR for p in problems),
            sum(p.severity is Severity.WARNING for p in problems))


def verdict(problems: list[Problem]) -> str:
    """The one-line Chinese verdict every report format carries."""
    errors, warnings = count_problems(problems)
    files = len({p.path for p in problems if p.severity in (Severity.ERROR, Severity.WARNING)})
    if errors:
        return f"不通过：{errors} 个错误、{warnings} 个警告（涉及 {files} 个文件），改正错误后才能合并发布。"
    if warnings:
        return f"通过，但有 {warnings} 个警告（涉及 {files} 个文件）：请审核人逐条确认后再合并。"
    return "通过：没有发现问题，可以合并。"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Return problems in a stable order: by file, then line, then message."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)
