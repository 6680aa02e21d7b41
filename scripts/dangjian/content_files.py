"""Which files of the content folders may be published: an allow-list, and never a symlink.

Writers drop files into ``brands/<slug>/`` and ``docs/``; whatever a build copies
from there is served from the site's own origin, so a ``.html``, ``.js`` or ``.svg``
placed there would run as the site.  This module decides, before anything is
copied, which files are publishable:

* pages: every ``.md`` under ``docs/`` that is not a symlink (drafts and invalid
  pages are dropped separately, by :func:`dangjian.loader.load_site`);
* photos and logos (:data:`PHOTO_SUFFIXES`; published only as processed copies)
  and attachments (:data:`ATTACHMENT_SUFFIXES`): in a published brand bundle,
  or under ``docs/`` when a published page refers to them (a Markdown image or
  link, an ``<img src>``/``<a href>``, a study material's ``attachments``), so a
  photo used only by a draft stays out of the site;
* the project's own assets: exactly the files listed in :data:`PROJECT_ASSETS`.

Everything else is an error naming the file and the fix: other file types
(``.html``, ``.js``, ``.css``, ``.svg``, executables, unknown types) and every
symlink (file, page, folder or registry, wherever it points).  Symlinks are
never followed: folders are walked with ``os.scandir`` and a linked folder's
contents are never listed.  MkDocs' adapter drops every collected file that is
not allowed here in ``on_files``, before MkDocs copies anything (and stops the
build in ``on_config`` on a linked folder under ``docs/``, see
:func:`linked_folder_problems`); an engine-free generator copies
:attr:`ContentFiles.pages` and :attr:`ContentFiles.files` and nothing else.

SVG from writers is refused, not sanitised: an SVG is an XML document that can
carry scripts, event handlers, external references and ``<foreignObject>`` HTML,
and no well-kept Python sanitiser covers SVG (bleach is deprecated, nh3/ammonia
is an HTML sanitiser).  Photos and logos arrive as JPG/PNG anyway and go through
the image pipeline, which re-encodes them and strips metadata; an SVG logo is
exported as PNG in one step by any drawing program.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .images import IMAGE_SUFFIXES
from .paths import real_path
from .problems import Problem
from .refs import find_image_refs, iter_prose_lines

#: Photos and logos a writer may add (they are published only as processed, re-encoded copies).
PHOTO_SUFFIXES = frozenset(IMAGE_SUFFIXES)

#: Attachments a page may offer for download: PDF/OFD, Word/WPS, Excel/WPS, CSV, PowerPoint/WPS,
#: plain text and ZIP.  None of them runs in a browser (nginx sends them with their type and ``nosniff``).
ATTACHMENT_SUFFIXES = frozenset({".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".csv",
                                 ".ppt", ".pptx", ".dps", ".txt", ".zip"})

#: The folder of the project's own assets, relative to ``docs_dir``.
ASSETS_DIR = "assets"

#: The project's own assets (styles, scripts, logo, favicon): the only files of ``docs/assets/``
#: that are published.  Keeping them in code, not in a content folder or ``mkdocs.yml``, means a
#: writer's pull request cannot add a script the site would serve: a new asset is a change to this
#: list, which the maintainers review (.github/CODEOWNERS assigns scripts/ to them).
PROJECT_ASSETS = frozenset({
    "assets/images/favicon.svg",
    "assets/images/logo.svg",
    "assets/javascripts/a11y.js",
    "assets/javascripts/file-notice.js",
    "assets/javascripts/search-dj.js",
    "assets/javascripts/showcase.js",
    "assets/javascripts/zoom.js",
    "assets/stylesheets/a11y.css",
    "assets/stylesheets/dangjian.css",
    "assets/stylesheets/print.css",
    "assets/stylesheets/search.css",
})

#: Registry files that are read but never published.
REGISTRY_NAMES = frozenset({"units.yml", "categories.yml", "topics.yml"})

_LINK_TARGET = re.compile(r"\]\(\s*(?:<(?P<angle>[^>]+)>|(?P<plain>[^)\s]+))")
_HTML_TARGET = re.compile(r"\b(?:src|href|data)\s*=\s*[\"'](?P<target>[^\"']+)[\"']", re.I)
_REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(?P<target>[^\s>]+)>?")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass
class ContentFiles:
    """The outcome of :func:`scan_content_files`: what may be published, and what was refused."""

    pages: set[str] = field(default_factory=set)
    """docs-relative ``.md`` pages that are not symlinks (MkDocs renders them)."""
    files: set[str] = field(default_factory=set)
    """docs-relative non-page files that may be copied to the site (assets, referenced photos and attachments)."""
    refused: set[str] = field(default_factory=set)
    """Project-relative paths refused (symlinks, other file types); each has a problem."""
    problems: list[Problem] = field(default_factory=list)

    def allows(self, src_uri: str) -> bool:
        """True when the docs-relative ``src_uri`` may be published."""
        return src_uri in self.pages or src_uri in self.files


def publishable_kind(name: str) -> str | None:
    """``"photo"`` or ``"attachment"`` for a file name a writer may publish, else ``None``."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in PHOTO_SUFFIXES:
        return "photo"
    if suffix in ATTACHMENT_SUFFIXES:
        return "attachment"
    return None


def symlink_problem(path: str, target_outside: bool) -> Problem:
    """The error for a symlink found in a content folder (it is never followed)."""
    where = "指向项目文件夹之外，" if target_outside else ""
    return Problem(path, f"这是符号链接（快捷方式），{where}网站不会读取或发布链接的内容。",
                   "删除这个链接，把文件或文件夹本身复制到这里。", code="symlink")


def file_type_problem(path: str) -> Problem:
    """The error for a file whose type may not be published from a content folder."""
    suffix = os.path.splitext(path)[1].lower()
    kinds = "照片（JPG、PNG、WebP）和附件（PDF、OFD、Word、Excel、WPS、CSV、PowerPoint、TXT、ZIP）"
    if suffix == ".svg":
        return Problem(path, "不接受投稿的 SVG 图片：SVG 文件可以包含脚本，网站不发布。",
                       "用绘图软件把它导出为 PNG 图片后放进来，并删除 SVG 文件。", code="file-type")
    what = f"“{suffix}”类型的文件" if suffix else "没有扩展名的文件"
    return Problem(path, f"{what}不能发布到网站：内容文件夹中只能放 {kinds}。",
                   "删除这个文件；网页内容请写在 Markdown（.md）文件里，附件请转换为 PDF 等允许的格式。",
                   code="file-type")


def asset_problem(path: str) -> Problem:
    """The error for a file in ``docs/assets/`` that is not one of the project's own assets."""
    return Problem(path, "docs/assets/ 只存放网站自带的样式、脚本和图标，这个文件不在清单中，不会发布。",
                   "删除这个文件；照片和附件放在使用它们的页面旁边。网站维护人员新增资源文件时，"
                   "需同时把它加入 scripts/dangjian/content_files.py 的 PROJECT_ASSETS。", code="file-type")


def scan_content_files(root: Path, docs_dir: Path, brands_dir: Path, *, excluded_docs: set[str] = frozenset(),
                       declared: dict[str, list[str]] | None = None) -> ContentFiles:
    """Walk ``docs_dir`` and ``brands_dir`` without following symlinks; decide what may be published.

    ``excluded_docs`` are docs-relative pages that are not published (drafts,
    invalid pages): files they alone refer to are not published either.
    ``declared`` maps a docs-relative page to the attachments its front matter
    declares (names relative to the page's folder).
    """
    result = ContentFiles()
    root_real = real_path(root)
    candidates: dict[str, str] = {}  # docs-relative → project-relative, photos/attachments awaiting a reference

    def rel(path: str) -> str:
        return os.path.relpath(path, root).replace(os.sep, "/")

    def refuse(path: str, problem: Problem) -> None:
        result.refused.add(rel(path))
        result.problems.append(problem)

    def refuse_link(path: str) -> None:
        target = os.path.realpath(path)
        outside = not (target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep))
        refuse(path, symlink_problem(rel(path), outside))

    # docs/: pages, the project's own assets, photos and attachments; nothing else.
    if os.path.islink(docs_dir):
        refuse_link(str(docs_dir))
    elif docs_dir.is_dir():
        for path, src_uri, is_link in _walk(str(docs_dir)):
            if is_link:
                refuse_link(path)
                continue
            name = os.path.basename(src_uri)
            if src_uri.startswith(ASSETS_DIR + "/"):
                if src_uri in PROJECT_ASSETS:
                    result.files.add(src_uri)
                else:
                    refuse(path, asset_problem(rel(path)))
            elif name.lower().endswith(".md"):
                if src_uri not in excluded_docs:
                    result.pages.add(src_uri)
            elif name in REGISTRY_NAMES:
                continue  # read by the loader, never published
            elif publishable_kind(name):
                candidates[src_uri] = rel(path)
            else:
                refuse(path, file_type_problem(rel(path)))

    # brands/: registries and bundles; a bundle's files are published by the adapter from bundle_files().
    if os.path.islink(brands_dir):
        refuse_link(str(brands_dir))
    elif brands_dir.is_dir():
        for path, sub, is_link in _walk(str(brands_dir)):
            if is_link:
                refuse_link(path)
                continue
            parts = sub.split("/")
            if len(parts) != 2 or parts[1] == "index.md":
                continue  # registries, notes beside them, files in sub-folders of a bundle: never published
            if not publishable_kind(parts[1]):
                refuse(path, file_type_problem(rel(path)))

    if candidates:
        referenced = _referenced_files(docs_dir, result.pages, declared or {})
        result.files.update(src for src in candidates if src in referenced)
    result.problems.sort(key=lambda p: p.path)
    return result


def linked_folder_problems(docs_dir: Path, root: Path) -> list[Problem]:
    """Symlinks to folders under ``docs_dir``: MkDocs walks ``docs/`` following links *before* any hook.

    A link to ``/`` or to a parent folder would make that walk read the whole disk or
    never end, so the MkDocs adapter stops the build on these before it starts.
    """
    problems = []
    for path, _, is_link in _walk(str(docs_dir)):
        if is_link and os.path.isdir(path):
            target = os.path.realpath(path)
            root_real = real_path(root)
            outside = not (target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep))
            problems.append(symlink_problem(os.path.relpath(path, root).replace(os.sep, "/"), outside))
    return problems


def _walk(top: str, prefix: str = ""):
    """Yield ``(path, relative path, is_symlink)`` under ``top``, never entering a linked folder.

    Hidden entries (``.git``, ``.DS_Store``) are skipped, as MkDocs skips them.
    """
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        relative = prefix + entry.name
        if entry.is_symlink():
            yield entry.path, relative, True
        elif entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, relative + "/")
        elif entry.is_file(follow_symlinks=False):
            yield entry.path, relative, False
        # sockets, fifos and devices are neither read nor published


def _referenced_files(docs_dir: Path, pages: set[str], declared: dict[str, list[str]]) -> set[str]:
    """docs-relative files that a published page refers to (images, links, declared attachments)."""
    found: set[str] = set()
    for src_uri in sorted(pages):
        folder = posixpath.dirname(src_uri)
        for name in declared.get(src_uri, ()):
            found.add(_join(folder, name))
        try:
            text = (docs_dir / src_uri).read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        for target in page_targets(text):
            resolved = _join(folder, target)
            if resolved:
                found.add(resolved)
    return found


def page_targets(markdown: str) -> set[str]:
    """Local targets of a page's images and links (outside code), without ``#`` or ``?`` parts."""
    targets: set[str] = {ref.target for ref in find_image_refs(markdown)}
    for _, line in iter_prose_lines(markdown):
        for match in _LINK_TARGET.finditer(line):
            targets.add(unquote(match.group("angle") or match.group("plain") or ""))
        for match in _HTML_TARGET.finditer(line):
            targets.add(unquote(match.group("target")))
        ref = _REF_DEF.match(line)
        if ref:
            targets.add(unquote(ref.group("target")))
    local = set()
    for target in targets:
        target = target.split("#")[0].split("?")[0].strip()
        if target and not _SCHEME.match(target) and not target.startswith(("/", "\\")):
            local.add(target)
    return local


def _join(folder: str, target: str) -> str:
    """``target`` relative to the docs-relative ``folder``, normalised; ``""`` when it leaves docs/."""
    joined = posixpath.normpath(posixpath.join(folder, target.replace("\\", "/")))
    return "" if joined.startswith("../") or joined == ".." else joined


def drop_unpublished(files, docs_dir: str | Path, content: ContentFiles) -> list[str]:
    """Remove from an engine's file collection every docs file that :func:`scan_content_files` did not allow.

    ``files`` is iterable and has ``remove(file)``; each file has ``src_uri``,
    ``abs_src_path`` and ``generated_by`` (MkDocs' ``Files``/``File``).  Files
    from the theme and generated files are kept.  Returns the removed ``src_uri``s.
    """
    prefix = os.path.abspath(docs_dir).rstrip(os.sep) + os.sep
    removed = []
    for file in list(files):
        if getattr(file, "generated_by", None) or not file.abs_src_path:
            continue
        if os.path.abspath(file.abs_src_path).startswith(prefix) and not content.allows(file.src_uri):
            files.remove(file)
            removed.append(file.src_uri)
    return removed
