"""The review gate: the build's front-matter validation plus content rules, and report formats.

It calls :func:`dangjian.loader.load_site` for front matter, registries and
images (so the check and the build can never disagree) and runs the content
rules of :mod:`.content` over every Markdown source.  Internal links are
resolved here, against the same page set the build publishes (docs pages,
published brand pages and generated listing pages), so each broken link is
reported with its own file, line and column in seconds; the strict build in CI
(MkDocs 1.6 ``validation``) remains the second net.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from ..loader import bundle_files, load_site, rel
from ..paths import is_linked
from ..problems import RULE_TITLES, Problem, count_problems, sort_problems, verdict
from ..render import generate_pages
from ..settings import Settings
from ..sources import read_source
from ..synonyms import load_synonyms
from .content import FileCheck, LinkIndex
from .values import check_values
from .wording import load_rules

RULES_FILE = "rules/wording.yml"
#: Changing one of these can break any page, so a --changed-since run checks everything.
GLOBAL_FILES = ("mkdocs.yml", RULES_FILE)


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without executing its tags (``!ENV``, ``!!python/name``)."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass
class Project:
    """Where things are: project root, docs folder and settings from mkdocs.yml."""

    root: Path
    docs_dir: Path
    settings: Settings
    problems: list[Problem]
    config: dict = field(default_factory=dict)
    """mkdocs.yml as read (tags such as ``!ENV`` read as empty), for values like ``extra.organizer``."""

    @classmethod
    def open(cls, root: Path) -> "Project":
        root = root.resolve()
        config_path = root / "mkdocs.yml"
        config: dict = {}
        problems: list[Problem] = []
        if config_path.is_file():
            try:
                config = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
            except yaml.YAMLError as exc:
                problems.append(Problem("mkdocs.yml", f"mkdocs.yml 无法解析（{exc}）。", "检查缩进和冒号。", code="settings"))
        extra = config.get("extra") or {}
        settings, errs = Settings.from_mapping(extra.get("dangjian") if isinstance(extra, dict) else None)
        return cls(root, root / str(config.get("docs_dir") or "docs"), settings, problems + errs,
                   config if isinstance(config, dict) else {})

    def markdown_files(self) -> list[Path]:
        """Every Markdown source a writer edits: brand bundles and docs pages (not theme assets)."""
        brands = [folder / "index.md" for folder in _brand_folders(self.root / self.settings.brands_dir)]
        docs = sorted((p for p in self.docs_dir.rglob("*.md")
                       if not any(part.startswith((".", "_")) for part in p.relative_to(self.docs_dir).parts)
                       and p.relative_to(self.docs_dir).parts[0] != "assets"), key=str)
        return brands + docs


def build_index(project: Project, site, generated: list | None = None) -> tuple[LinkIndex, dict[str, str]]:
    """The pages and files the build publishes, and each source file's published ``src_uri``.

    ``generated``: the build's generated pages when it has made them already (else the
    listings are rendered here, without brands: brand pages are indexed from their bodies).
    """
    index = LinkIndex()
    sources: dict[str, str] = {}
    docs = project.docs_dir
    for path in sorted(docs.rglob("*"), key=str):  # str keys: pathlib's own comparison is slow
        if not path.is_file():
            continue
        src_uri = path.relative_to(docs).as_posix()
        if src_uri in site.excluded_docs or (site.content is not None and not site.content.allows(src_uri)):
            continue  # drafts, symlinks and refused file types are not published: links to them are broken
        if path.suffix == ".md":
            source = read_source(path, rel(path, project.root))
            index.pages[src_uri] = source.text or ""
            sources[rel(path, project.root)] = src_uri
        else:
            index.files.add(src_uri)
    for brand in site.brands:
        index.pages[brand.src_uri] = brand.body
        for path in bundle_files(brand.folder, project.root):
            if path.name != "index.md":
                index.files.add(f"brands/{brand.slug}/{path.name}")
    # Listing pages: rendered without brands (brand pages are indexed above; rendering them is the slow part).
    for page in generated if generated is not None else generate_pages(replace(site, brands=[]), project.settings):
        index.pages.setdefault(page.src_uri, page.markdown)
    for slug in site.tag_slugs.values():  # tags used only by brands have no listing page above
        index.pages.setdefault(f"tags/{slug}.md", "")
    for extra in ("stats.md", "feed.xml"):
        index.pages.setdefault(extra, "")
    brands_dir = project.root / project.settings.brands_dir
    for folder in _brand_folders(brands_dir):
        sources[rel(folder / "index.md", project.root)] = f"brands/{folder.name}/index.md"
    return index, sources


def _brand_folders(brands_dir: Path) -> list[Path]:
    """Sub-folders of ``brands/`` holding an ``index.md``, sorted by name (one scandir, no glob)."""
    try:
        with os.scandir(brands_dir) as entries:
            names = sorted(e.name for e in entries if e.is_dir() and os.path.isfile(os.path.join(e.path, "index.md")))
    except OSError:
        return []
    return [brands_dir / name for name in names]


def run_check(root: Path, only: set[str] | None = None) -> list[Problem]:
    """Check the project at ``root``; ``only`` limits the report to these project-relative paths."""
    project = Project.open(root)
    site = load_site(project.root, project.docs_dir, project.settings)
    problems = list(project.problems) + site.problems
    problems += load_synonyms(project.root)[1]  # rules/synonyms.yml (站内搜索的同义词表)
    problems += check_content(project.root, project.docs_dir, project.settings, site, only, unreadable=True)
    problems += check_values(project.root, project.markdown_files(), registry_files(project))
    if only is not None:
        problems = [p for p in problems if selected(p.path, only)]
    return dedupe(sort_problems(problems))


def registry_files(project: Project) -> list[Path]:
    """The registries whose values reach pages: units.yml, categories.yml and topics.yml."""
    brands = project.root / project.settings.brands_dir
    return [brands / "units.yml", brands / "categories.yml", project.docs_dir / project.settings.study_dir / "topics.yml"]


def check_content(root: Path, docs_dir: Path, settings: Settings, site, only: set[str] | None = None,
                  unreadable: bool = False, generated: list | None = None) -> list[Problem]:
    """The content rules over every writer's Markdown file: one set of rules for check and build.

    ``scripts/check.py`` and the MkDocs strict build (``hooks.on_files``) both call this after
    :func:`dangjian.loader.load_site`, so the build refuses exactly what the check reports
    (personal data, external images, unsafe HTML, broken links …).  ``unreadable``: also
    return the read problems of files the loader does not open (the check reports them; the
    build reports the loader's own).
    """
    project = Project(root, docs_dir, settings, [])
    rules, problems = load_rules(root / RULES_FILE, RULES_FILE)
    index, sources = build_index(project, site, generated)
    signature = _signature(root / RULES_FILE, settings, index)
    for path in project.markdown_files():
        rel_path = rel(path, root)
        if not selected(rel_path, only) or is_linked(path, root):
            continue  # a symlink is never read (load_site reports it)
        source = read_source(path, rel_path)
        if source.text is None:
            if unreadable:
                problems += source.problems  # duplicates of load_site's reports are removed by run_check
            continue
        key = (rel_path, source.text, sources.get(rel_path), signature)
        if key not in _CHECKED:
            _CHECKED[key] = FileCheck(rel_path, source.text, rules, settings.intranet_hosts, sources.get(rel_path), index).run()
        problems += _CHECKED[key]
    if len(_CHECKED) > 4 * max(len(sources), 1000):  # edits of `serve` leave old keys behind
        _CHECKED.clear()
    return problems


#: Results by (file, text, published path, rules and site signature): a `mkdocs serve` rebuild
#: re-checks only the files that changed (a link's anchor removed from another page is seen by
#: the next full check or build, which starts with an empty cache).
_CHECKED: dict[tuple, list[Problem]] = {}


def _signature(rules_path: Path, settings: Settings, index: LinkIndex) -> str:
    """What every file's result depends on besides its own text: rules, settings, the published paths."""
    digest = hashlib.sha1()
    try:
        digest.update(rules_path.read_bytes())
    except OSError:
        pass
    digest.update(repr(settings.intranet_hosts).encode())
    for name in sorted(index.pages) + ["\0"] + sorted(index.files):
        digest.update(name.encode() + b"\n")
    return digest.hexdigest()


def selected(path: str, only: set[str] | None) -> bool:
    """True when ``path`` is one of ``only`` or inside one of its folders (``None``: everything)."""
    return only is None or any(path == o or path.startswith(o.rstrip("/") + "/") for o in only)


def dedupe(problems: list[Problem]) -> list[Problem]:
    seen, result = set(), []
    for p in problems:
        key = (p.path, p.line, p.column, p.message)
        if key not in seen:
            seen.add(key)
            result.append(p)
    return result


# ---------------------------------------------------------------- report formats


def _described(p: Problem) -> str:
    """``字段“x”：message 修改方法：fix``: the whole finding in one Chinese line."""
    field = f"字段“{p.field}”：" if p.field else ""
    return field + p.message + (f" 修改方法：{p.fix}" if p.fix else "")


def format_human(problems: list[Problem]) -> str:
    """Grouped by file: ``  行:列  错误  [规则]  message`` then the fix; counts and the verdict last."""
    out: list[str] = []
    current = None
    for p in problems:
        if p.path != current:
            current = p.path
            out.append(("\n" if out else "") + p.path)
        where = f"{p.line or '-'}:{p.column or '-'}"
        field = f"字段“{p.field}”：" if p.field else ""
        out.append(f"  {where:<8} {p.severity.label}  【{p.title}】{field}{p.message}")
        if p.excerpt:
            out.append(f"  {'':<8}       原文（已打码）：{p.excerpt}")
        if p.fix:
            out.append(f"  {'':<8}       修改方法：{p.fix}")
    errors, warnings = count_problems(problems)
    if problems:
        files = len({p.path for p in problems})
        out.append(f"\n共 {errors} 个错误、{warnings} 个警告，涉及 {files} 个文件。")
    out.append(f"审核结论：{verdict(problems)}")
    return "\n".join(out) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_title(p: Problem) -> str:
    """``字段类型不对（字段 date）[wrong-type]``: the Chinese title, the field, the stable code."""
    return p.title + (f"（字段 {p.field}）" if p.field else "") + f" [{p.code}]"


def format_github(problems: list[Problem]) -> str:
    """GitHub / Gitea Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``.

    The title is the rule's Chinese title with the field and the stable code; the last line is
    the verdict with the counts (a ``notice`` without a file).
    """
    lines = []
    for p in problems:
        kind = {"error": "error", "warning": "warning"}.get(p.severity.value, "notice")
        props = [f"file={_escape_prop(p.path)}"]
        if p.line:
            props.append(f"line={p.line}")
        if p.column:
            props.append(f"col={p.column}")
        props.append(f"title={_escape_prop(github_title(p))}")
        lines.append(f"::{kind} {','.join(props)}::{_escape_data(_described(p))}")
    lines.append(f"::notice title={_escape_prop('审核结论')}::{_escape_data(verdict(problems))}")
    return "\n".join(lines) + "\n"


def format_gitlab(problems: list[Problem]) -> str:
    """GitLab Code Quality report (JSON array); the verdict is its first item (severity ``info``, on mkdocs.yml)."""
    errors, warnings = count_problems(problems)
    items = [{
        "description": f"审核结论：{verdict(problems)}",
        "check_name": "verdict",
        "fingerprint": hashlib.sha1(f"verdict|{errors}|{warnings}".encode()).hexdigest(),
        "severity": "info",
        "location": {"path": "mkdocs.yml", "lines": {"begin": 1}},
    }]
    for p in problems:
        fingerprint = hashlib.sha1(f"{p.path}|{p.line}|{p.column}|{p.code}|{p.message}".encode()).hexdigest()
        items.append({
            "description": f"【{p.title}】{_described(p)}",
            "check_name": p.code,
            "fingerprint": fingerprint,
            "severity": {"error": "major", "warning": "minor"}.get(p.severity.value, "info"),
            "location": {"path": p.path, "lines": {"begin": p.line or 1}},
        })
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def format_json(problems: list[Problem]) -> str:
    """Plain JSON for other tools: verdict, counts, the titles of the codes used, every problem."""
    errors, warnings = count_problems(problems)
    items = [{"path": p.path, "line": p.line, "column": p.column, "severity": p.severity.value, "code": p.code,
              "title": p.title, "rule": p.rule, "field": p.field, "message": p.message, "fix": p.fix,
              "excerpt": p.excerpt} for p in problems]
    return json.dumps({
        "verdict": verdict(problems), "passed": errors == 0, "errors": errors, "warnings": warnings,
        "files": len({p.path for p in problems}), "rules": {p.code: RULE_TITLES.get(p.code, p.title) for p in problems},
        "problems": items,
    }, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"human": format_human, "github": format_github, "gitlab": format_gitlab, "json": format_json}
