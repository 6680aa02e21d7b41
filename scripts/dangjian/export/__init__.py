"""汇编: the archive (or a selection of it) as an editable Word compilation and a printable PDF.

:func:`export_compilation` loads the content with the build's own loader,
selects the pages (:mod:`.selection`), refuses when the review gate
(:func:`dangjian.checks.run_check`) reports an error in any selected file,
processes the photos with the site's image pipeline and cache, and writes
DOCX (:mod:`.word`) and PDF (:mod:`.printable`).  Files are written under a
temporary name in the output folder and renamed into place only when every
requested file is complete, so a refused or failed export leaves nothing
behind.  No MkDocs import here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..checks import Project, run_check
from ..images import ImagePipeline
from ..loader import load_site, rel
from ..problems import Problem, Severity, has_errors
from ..render import format_date
from .content import Case, build_cases, cover_organizer, source_of
from .selection import Criteria, select_items

__all__ = ["FORMATS", "Criteria", "ExportResult", "export_compilation", "safe_file_name"]

FORMATS = ("docx", "pdf")


@dataclass
class ExportResult:
    """What an export wrote, or why it refused; ``timings`` in seconds per step."""

    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the files were written."""
        return bool(self.files) and not has_errors(self.problems)


def safe_file_name(title: str) -> str:
    """A file name Windows accepts, from the compilation's title."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", title).strip(" .-")
    return name[:80] or "汇编"


def export_compilation(root: Path, criteria: Criteria, *, title: str, subtitle: str = "", out: Path | None = None,
                       formats: tuple[str, ...] = FORMATS, date: dt.date | None = None, gate: bool = True) -> ExportResult:
    """Export the selected pages of the project at ``root``; see the module docstring.

    ``out`` is the output path without extension (default ``exports/<title>``); ``.docx`` and ``.pdf``
    are added.  ``gate=False`` skips the review gate (benchmarks only: a writer's export always runs it).
    """
    result = ExportResult()
    clock = time.perf_counter()
    project = Project.open(root)
    if has_errors(project.problems):
        result.problems = project.problems
        return result
    if not title.strip():
        result.problems = [Problem("--title", "汇编标题不能为空。", "用 --title 写上标题，例如 --title \"2026年党建品牌案例汇编\"。",
                                   code="export-title")]
        return result
    site = load_site(project.root, project.docs_dir, project.settings)
    items, problems = select_items(site, criteria, project.root, project.docs_dir)
    result.timings["load"] = time.perf_counter() - clock
    if problems:
        result.problems = problems
        return result
    clock = time.perf_counter()
    if gate:
        selected = {source_of(item, project.root, project.docs_dir)[1] for item in items}
        gate_problems = run_check(project.root, selected)
        result.problems += [p for p in gate_problems if p.severity is not Severity.INFO]
        result.timings["gate"] = time.perf_counter() - clock
        if has_errors(gate_problems):
            return result
    clock = time.perf_counter()
    pipeline = ImagePipeline(project.root / project.settings.image_cache_dir, project.root,
                             quality=project.settings.image_quality,
                             warn_bytes=project.settings.image_warn_mb * 1048576)
    cases, problems = build_cases(items, project.root, project.docs_dir, pipeline)
    result.timings["photos"] = time.perf_counter() - clock
    result.problems += problems
    if has_errors(problems):
        return result
    result.cases = cases
    organizer = cover_organizer(project.config)
    fields = {"title": title.strip(), "subtitle": subtitle.strip(), "organizer": organizer,
              "date_text": format_date(date or dt.date.today())}
    base = out if out is not None else project.root / "exports" / safe_file_name(title)
    base.parent.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, Path]] = []
    try:
        for fmt in formats:
            target = base.with_name(base.name + f".{fmt}")
            handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=base.parent)
            os.close(handle)
            tmp = Path(tmp_name)
            written.append((tmp, target))
            clock = time.perf_counter()
            if fmt == "docx":
                from .word import write_docx

                write_docx(cases, tmp, **fields)
            else:
                from .printable import BrowserMissing, write_pdf

                try:
                    write_pdf(cases, tmp, allowed_dirs=[pipeline.cache_dir], **fields)
                except BrowserMissing:
                    result.problems.append(Problem("PDF", "生成 PDF 需要 Chromium、Edge 或 Chrome 浏览器，这台电脑上没有找到。",
                                                   "Linux 上运行 ./dev.sh export 会自动安装 Chromium；也可以加 --format docx 只生成 Word 文档。",
                                                   code="export-browser"))
                    return result
            result.timings[fmt] = time.perf_counter() - clock
        mask = os.umask(0)
        os.umask(mask)
        for tmp, target in written:
            os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes the file private; a compilation is shared like any document
            os.replace(tmp, target)
            result.files.append(target)
    finally:
        for tmp, _target in written:
            if tmp.exists():
                tmp.unlink()
    return result


def list_selection(root: Path, criteria: Criteria) -> tuple[list[tuple[str, str]], list[Problem]]:
    """``(title, source file)`` of every page the criteria select, without writing anything."""
    project = Project.open(root)
    site = load_site(project.root, project.docs_dir, project.settings)
    items, problems = select_items(site, criteria, project.root, project.docs_dir)
    return [(item.meta.title, rel(source_of(item, project.root, project.docs_dir)[0], project.root)) for item in items], problems
