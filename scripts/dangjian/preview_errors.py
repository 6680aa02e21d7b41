"""Build errors shown in the browser during the `serve` preview, never in a published build.

A writer previews in the browser, not the terminal.  While previewing:

- a page whose source has errors shows them (file, line, field, message, fix) at its top;
- a page left out because of its errors (a brand or study page that does not validate) is
  replaced by a page saying why, at its own address, instead of silently keeping its last
  good version;
- listing pages (home, showcase, collections, tags …) say “N 篇稿件因错误未显示” with a link
  to the error list page (``preview-errors/``);
- everything disappears with the next rebuild once the files are fixed.

Engine-neutral: an adapter calls :func:`start` with the command being run (only ``serve``
enables this), :func:`reset` at the start of each build, :func:`note` with every batch of
problems it reports, :func:`annotate` on each page's Markdown and :func:`pages` for the
pages to add.  Every value shown is escaped by the templates (templates/preview_errors.html).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem, Severity
from .escape import heading
from .render import GeneratedPage, page_url, relurl
from .templating import macro

#: The error list page (only in `serve`).
LIST_URI = "preview-errors.md"


@dataclass
class _Preview:
    enabled: bool = False
    docs_prefix: str = "docs/"
    brands_prefix: str = "brands/"
    problems: list[Problem] = field(default_factory=list)
    memo: dict = field(default_factory=dict)


_state = _Preview()


def start(command: str) -> None:
    """Enable in-page errors for ``mkdocs serve`` only (``build``, ``gh-deploy``: never)."""
    _state.enabled = command == "serve"


def enabled() -> bool:
    """True while previewing with `serve`."""
    return _state.enabled


def reset(root: Path, docs_dir: Path, brands_dir: str) -> None:
    """Forget the previous build's problems; note where docs and brands live relative to ``root``."""
    _state.problems = []
    _state.memo = {}
    try:
        _state.docs_prefix = docs_dir.resolve().relative_to(root.resolve()).as_posix().rstrip("/") + "/"
    except ValueError:
        _state.docs_prefix = "\0"  # docs outside the project: its pages are matched by nothing
    _state.brands_prefix = brands_dir.strip("/") + "/"


def note(problems: list[Problem]) -> None:
    """Keep the errors and warnings of this build (only while previewing)."""
    if _state.enabled:
        _state.problems += [p for p in problems if p.severity in (Severity.ERROR, Severity.WARNING)]


def source_page(path: str) -> str | None:
    """The page (docs-tree ``src_uri``) built from the project file ``path``, if any."""
    if path.startswith(_state.brands_prefix) and path.endswith("/index.md") and path.count("/") == 2:
        return "brands/" + path[len(_state.brands_prefix):]
    if path.startswith(_state.docs_prefix) and path.endswith(".md"):
        return path[len(_state.docs_prefix):]
    return None


def _by_page() -> dict[str, list[Problem]]:
    key = ("by_page", len(_state.problems))
    if _state.memo.get("key") != key:  # annotate() runs for every page: group once per batch of problems
        _state.memo = {"key": key, "value": _group()}
    return _state.memo["value"]


def _group() -> dict[str, list[Problem]]:
    pages: dict[str, list[Problem]] = {}
    for problem in _state.problems:
        src_uri = source_page(problem.path)
        if src_uri is not None:
            pages.setdefault(src_uri, []).append(problem)
    return pages


def _dropped(site) -> list[str]:
    """Pages with errors that the build left out (brands that failed validation, excluded docs pages)."""
    key = ("dropped", len(_state.problems), id(site))
    if _state.memo.get("dropped_key") != key:
        _state.memo["dropped_key"], _state.memo["dropped"] = key, _find_dropped(site)
    return _state.memo["dropped"]


def _find_dropped(site) -> list[str]:
    published = {brand.src_uri for brand in site.brands}
    dropped = []
    for src_uri, problems in _by_page().items():
        if not any(p.severity is Severity.ERROR for p in problems):
            continue
        if (src_uri.startswith("brands/") and src_uri not in published) or src_uri in site.excluded_docs:
            dropped.append(src_uri)
    return sorted(dropped)


def _html(name: str, *args: object) -> str:
    """What macro ``name`` of templates/preview_errors.html renders (every value escaped, one line)."""
    return str(macro("preview_errors.html", name)(*args))


def _box(src_uri: str, problems: list[Problem], dropped: bool) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if dropped:
        title = f"这篇稿件有 {errors} 处错误，改正前不会显示（发布时会被拒绝）："
    elif errors:
        title = f"本页的源文件有 {errors} 处错误" + (f"、{warnings} 处警告" if warnings else "") + "（发布时会被拒绝）："
    else:
        title = f"本页的源文件有 {warnings} 处警告："
    return _html("box", title, problems, relurl(page_url(LIST_URI), page_url(src_uri))) + "\n\n"


def _notice(src_uri: str, count: int) -> str:
    return _html("notice", count, relurl(page_url(LIST_URI), page_url(src_uri))) + "\n\n"


def annotate(src_uri: str, markdown: str, site, listing: bool = False) -> str:
    """``markdown`` with this page's errors at the top, or (listing pages) the count of pages left out.

    Unchanged outside `serve`.  Inserted after the front matter and before the body, so the
    page keeps its title.
    """
    if not _state.enabled or not _state.problems:
        return markdown
    own = _by_page().get(src_uri)
    if own:
        if src_uri in _dropped(site):
            return markdown  # its page is the error page of pages(), already saying so
        insert = _box(src_uri, own, dropped=False)
    else:
        is_content = src_uri.startswith("brands/") and site.brand_by_uri(src_uri) is not None
        dropped = _dropped(site)
        if not (listing or src_uri == "index.md") or is_content or not dropped:
            return markdown
        insert = _notice(src_uri, len(dropped))
    head, body = _split(markdown)
    return head + insert + body


def _split(markdown: str) -> tuple[str, str]:
    """Front matter (with its closing line) and the rest."""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end >= 0:
            return markdown[: end + 5] + "\n", markdown[end + 5:]
    return "", markdown


def pages(site, existing: set[str]) -> list[GeneratedPage]:
    """Pages to add while previewing: one per page left out because of errors, and the error list.

    ``existing``: the ``src_uri`` of every page already in the build (never replaced).
    """
    if not _state.enabled or not _state.problems:
        return []
    by_page = _by_page()
    result = []
    for src_uri in _dropped(site):
        if src_uri in existing:
            continue
        name = posixpath.basename(posixpath.dirname(src_uri)) if src_uri.endswith("/index.md") else src_uri
        box = _box(src_uri, by_page[src_uri], dropped=True)
        result.append(GeneratedPage(src_uri, heading(1, f"稿件有错误：{name}") + box))
    errors = sum(p.severity is Severity.ERROR for p in _state.problems)
    body = ["# 稿件错误清单\n", _html("summary", errors, len(_state.problems) - errors)]
    files: dict[str, list[Problem]] = {}
    for problem in _state.problems:
        files.setdefault(problem.path, []).append(problem)
    for path in sorted(files):
        src_uri = source_page(path)
        link = relurl(page_url(src_uri), page_url(LIST_URI)) if src_uri else None
        body.append(_html("file", path, link, files[path]))
    result.append(GeneratedPage(LIST_URI, "\n".join(body)))
    return result
