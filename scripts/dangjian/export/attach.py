"""汇编下载 (setting ``attach_compilations``, off by default): each section's latest compilation on its page.

With the setting on, the pre-pass writes a Word compilation of every published
brand (linked from the showcase), every model example (the 模范机关 listing) and
each study topic (the topic's page), puts the files under ``downloads/`` and a
download link on the first page of each listing.  The selection, order, layout,
photos and logos are those of ``./dev.sh export`` (:mod:`.selection`,
:mod:`.content`, :mod:`.word`); the review gate has already run over the whole
site in the same pass, and only published pages are in ``site``, so a download
carries nothing the site does not show.

Each file is cached under ``.cache/exports/`` by a hash of everything it is made
of (the cases' text and facts, their photos' renditions, which are named by
content, the cover fields and the writer code), so a build whose content did
not change reuses the files.  The cover date is the newest page's date, not
today's, so the same content gives the same file on any day.  Only Word: the PDF
needs Chromium and about a second per case (benchmarks/bench_export.py), too slow
for every build; writers print it with ``./dev.sh export``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml.html import tostring

from ..escape import text as escape
from ..problems import has_errors
from ..render import format_date, relurl
from . import content
from .content import Case, build_cases, cover_organizer
from .selection import Criteria, Item, select_items

__all__ = ["DOWNLOADS_DIR", "Attachment", "add_link", "attach_compilations", "plan_attachments"]

#: Site folder of the attached compilations.
DOWNLOADS_DIR = "downloads"
#: Where finished compilations are kept between builds (relative to the project root).
CACHE_DIR = ".cache/exports"


@dataclass(frozen=True)
class Attachment:
    """One section's compilation: the listing page that links it, its site path and cover title."""

    page: str
    path: str
    title: str
    criteria: Criteria


def plan_attachments(site, settings) -> list[Attachment]:
    """The sections that get a compilation: brands, models, each study topic (empty ones left out later)."""
    found = [Attachment("brands/index.md", f"{DOWNLOADS_DIR}/brands.docx", "党建品牌案例汇编", Criteria(sections=["brands"])),
             Attachment(f"{settings.models_dir}/index.md", f"{DOWNLOADS_DIR}/models.docx", "模范机关创建案例选编",
                        Criteria(sections=["models"]))]
    for topic in site.topics:
        found.append(Attachment(f"{settings.study_dir}/{topic.slug}/index.md", f"{DOWNLOADS_DIR}/study-{topic.slug}.docx",
                                f"{topic.title}学习资料汇编", Criteria(sections=["study"], topics=[topic.slug])))
    return found


def attach_compilations(plan) -> None:
    """Pre-pass step: when the setting is on, add each section's compilation to ``plan`` (file and link).

    ``plan`` is the generator's :class:`~dangjian.generate.Plan` (its site, settings, images,
    pages and copies); problems (a photo that cannot be read …) go to ``plan.problems``.
    """
    if not plan.settings.attach_compilations:
        return
    root, docs_dir = plan.config.root, plan.config.docs_dir
    organizer = cover_organizer(plan.config.data)
    cache = root / CACHE_DIR
    for attachment in plan_attachments(plan.site, plan.settings):
        if attachment.page not in plan.pages:
            continue
        items, problems = select_items(plan.site, attachment.criteria, root, docs_dir)
        if problems:  # nothing published in this section yet
            continue
        cases, problems = build_cases(items, root, docs_dir, plan.images)
        plan.problems += [p for p in problems if p not in plan.problems]  # the build reported bad photos already
        if has_errors(problems):
            continue
        fields = {"title": attachment.title, "subtitle": "", "organizer": organizer, "date_text": _newest(items)}
        target = cache / f"{_fingerprint(cases, fields)}.docx"
        if not target.is_file():
            _write_docx(cases, target, fields)
        plan.copies[attachment.path] = target
        plan.pages[attachment.page] = add_link(plan.pages[attachment.page], attachment, len(cases), target.stat().st_size)


def add_link(markdown: str, attachment: Attachment, count: int, size: int) -> str:
    """The listing's Markdown with a download paragraph under its first heading."""
    href = relurl(attachment.path, attachment.page.removesuffix("index.md"))
    link = (f'<p class="dj-download"><a href="{escape(href)}" download>下载本栏目汇编：{escape(attachment.title)}</a>'
            f'（Word 文档，{count} 篇，{size / 1048576:.1f} MB，可在 WPS 或 Word 中编辑）</p>\n\n')
    lines = markdown.split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if at is None:
        return markdown + "\n\n" + link
    return "\n".join([*lines[: at + 1], "", link.rstrip("\n"), *lines[at + 1:]])


def _newest(items: list[Item]) -> str:
    return format_date(max(item.meta.date for item in items))


def _fingerprint(cases: list[Case], fields: dict[str, str]) -> str:
    """A hash of everything the file is made of (text, facts, photo renditions, cover, writer code)."""
    digest = hashlib.sha256()
    for module in ("content.py", "word.py"):
        digest.update((Path(content.__file__).parent / module).read_bytes())
    digest.update(repr(sorted(fields.items())).encode("utf-8"))
    for case in cases:
        photos = sorted((src, str(p.path), p.width_mm) for src, p in case.photos.items())
        head = (case.section, case.slug, case.title, case.facts, case.description, case.slogan, case.honors, photos,
                str(case.logo.path) if case.logo else None, str(case.cover.path) if case.cover else None)
        digest.update(repr(head).encode("utf-8"))
        digest.update(tostring(case.body, encoding="utf-8"))
    return digest.hexdigest()[:32]


def _write_docx(cases: list[Case], target: Path, fields: dict[str, str]) -> None:
    """Write under a temporary name and rename, so a cut-off build never leaves half a file in the cache."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    from .word import write_docx  # python-docx is loaded only by builds that attach compilations

    try:
        write_docx(cases, Path(tmp), **fields)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

