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


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Return problems in a stable order: by file, then line, then message."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)
