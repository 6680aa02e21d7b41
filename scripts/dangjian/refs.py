"""Find image references in Markdown bodies (outside code), with their lines."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import unquote

_FENCE = re.compile(r"^\s*(```|~~~)")
_MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*(?:<(?P<angle>[^>]+)>|(?P<plain>[^)\s]+))(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"'](?P<src>[^\"']+)[\"'][^>]*>", re.I)
_HTML_ALT = re.compile(r"\balt\s*=\s*[\"'](?P<alt>[^\"']*)[\"']", re.I)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


@dataclass(frozen=True)
class ImageRef:
    """One image reference: its 1-based line and column, alt text and target."""

    line: int
    column: int
    alt: str | None
    target: str

    @property
    def is_external(self) -> bool:
        """True for http(s)://, protocol-relative and data: URLs."""
        lowered = self.target.lower()
        return lowered.startswith(("http://", "https://", "//", "data:", "ftp://"))


def iter_prose_lines(markdown: str, start_line: int = 1):
    """Yield ``(line_number, line)`` for lines outside fenced code, inline code blanked."""
    in_fence: str | None = None
    for offset, line in enumerate(markdown.split("\n")):
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            if in_fence is None:
                in_fence = marker
            elif in_fence == marker:
                in_fence = None
            continue
        if in_fence is not None:
            continue
        yield start_line + offset, _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)


@functools.lru_cache(maxsize=8192)  # `mkdocs serve` rebuilds: unchanged bodies are not scanned again
def find_image_refs(markdown: str, start_line: int = 1) -> tuple[ImageRef, ...]:
    """All Markdown and HTML image references outside code blocks."""
    refs: list[ImageRef] = []
    for number, line in iter_prose_lines(markdown, start_line):
        for match in _MD_IMAGE.finditer(line):
            target = match.group("angle") or match.group("plain") or ""
            refs.append(ImageRef(number, match.start() + 1, match.group("alt"), unquote(target.strip())))
        for match in _HTML_IMAGE.finditer(line):
            alt = _HTML_ALT.search(match.group(0))
            refs.append(ImageRef(number, match.start() + 1, alt.group("alt") if alt else None, unquote(match.group("src"))))
    return tuple(refs)
