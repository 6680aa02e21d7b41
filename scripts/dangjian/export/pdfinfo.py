"""Reading back a printed PDF: its outline (bookmarks) and the page each entry points at (pypdf)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader


@dataclass(frozen=True)
class OutlineEntry:
    """One bookmark: its title, the 1-based page it opens and its depth (0 = top level)."""

    title: str
    page: int
    level: int


def read_outline(path: Path) -> list[OutlineEntry]:
    """Every bookmark of the PDF at ``path`` in document order."""
    reader = PdfReader(str(path))
    entries: list[OutlineEntry] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            page = reader.get_destination_page_number(item)
            entries.append(OutlineEntry(str(item.title), (page + 1) if page is not None else 0, level))

    walk(reader.outline, 0)
    return entries


def outline_pages(path: Path) -> list[int]:
    """The page each top-level bookmark (each case) starts on."""
    return [e.page for e in read_outline(path) if e.level == 0]
