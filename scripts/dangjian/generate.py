"""The engine-neutral generator: a pre-pass before any engine and a post-pass after it.

The site's own content (brand pages, listings, units, categories, tags, coverage,
stats, feed, showcase data, search index, photo renditions) is made here, never
inside an engine, so MkDocs, ProperDocs and Zensical build the same site::

    plan = plan_site(project, config)         # load, validate, generate, process photos
    write_stage(plan, stage_dir, engine)      # pre-pass: a complete docs tree + engine config
    <engine> build -f stage_dir/mkdocs.yml    # MkDocs, ProperDocs or Zensical (no hooks needed)
    finish_built_site(plan, site_dir)         # post-pass over the built HTML (dangjian.postpass)

The MkDocs hook (``scripts/hooks.py``) calls the same :func:`plan_site`,
:func:`complete_page`, :meth:`~dangjian.postpass.PostPass.page` and :meth:`~dangjian.postpass.PostPass.site` for
the fast ``mkdocs serve --dirty`` preview.  This module never imports an engine.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml

from .charts import render_stats_page
from .checks import check_content
from .edit import source_edit_path
from .export.attach import attach_compilations
from .feed import FEED_PATH, render_feed
from .images import IMAGE_SUFFIXES, ImageJob, ImagePipeline
from .loader import bundle_files, load_brand, load_site
from .model import Site
from .paths import is_inside
from .problems import Problem, Severity
from .render import (
    SHOWCASE_JSON,
    expand_markers,
    generate_pages,
    render_attachments,
    render_brand_page,
    render_model_header,
    render_study_header,
)
from .search import page_facets
from .settings import Settings
from .showcase import card_rendition, render_showcase_json
from .sources import split_front_matter

#: Engines that build the staged tree; the first is the default.
ENGINES = ("mkdocs", "properdocs", "zensical")
DEFAULT_ENGINE = "mkdocs"
#: Environment variable that overrides ``extra.dangjian.engine``.
ENGINE_ENV = "DJ_ENGINE"
#: What silences the English end-of-life banners: Material's (``NO_MKDOCS_2_WARNING``,
#: material/templates/__init__.py) and the ProperDocs notice (``DISABLE_MKDOCS_2_WARNING=true``,
#: properdocs/replacement_warning.py; Material also skips its ProperDocs paragraph for it).
QUIET_ENV = {"NO_MKDOCS_2_WARNING": "true", "DISABLE_MKDOCS_2_WARNING": "true"}
#: MkDocs' default ``exclude_docs``: dot files and a top-level ``templates/`` folder.
_EXCLUDED_DOC = re.compile(r"(^|/)\.|^templates/")


# ---------------------------------------------------------------- configuration


@dataclass
class SiteConfig:
    """What the generator needs from ``mkdocs.yml`` (the engines read the rest themselves)."""

    config_file: Path
    data: dict[str, Any]

    @property
    def root(self) -> Path:
        return self.config_file.resolve().parent

    @property
    def docs_dir(self) -> Path:
        return (self.root / str(self.data.get("docs_dir") or "docs")).resolve()

    @property
    def site_url(self) -> str:
        return str(self.data.get("site_url") or "")

    @property
    def site_name(self) -> str:
        return str(self.data.get("site_name") or "")

    @property
    def site_description(self) -> str:
        return str(self.data.get("site_description") or "")

    def edit_url(self, path: str | None) -> str | None:
        """MkDocs' rule (``Page._set_edit_url``): ``repo_url`` joined with ``edit_uri`` + ``path``."""
        repo_url, edit_uri = self.data.get("repo_url"), self.data.get("edit_uri")
        if path is None or not edit_uri:
            return None
        edit_uri = str(edit_uri) if str(edit_uri).endswith("/") else f"{edit_uri}/"
        base = str(repo_url or "")
        if base and not base.endswith("/"):
            base += "/"
        return urljoin(base, edit_uri + path)

    @property
    def own_search(self) -> bool:
        """True when the site's own index is built (the theme's search plugin is not configured)."""
        plugins = self.data.get("plugins") or []
        names = {next(iter(p)) if isinstance(p, dict) else str(p) for p in plugins} if isinstance(plugins, list) else set(plugins)
        return not names & {"search", "material/search"}

    @property
    def settings_mapping(self) -> dict | None:
        extra = self.data.get("extra") or {}
        return extra.get("dangjian") if hasattr(extra, "get") else None


class _ConfigLoader(yaml.SafeLoader):
    """``mkdocs.yml`` as data: ``!ENV`` and ``!!python/name`` tags are kept as plain values."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        return {"!tag": suffix, "value": value}
    if isinstance(node, yaml.SequenceNode):
        return {"!tag": suffix, "value": loader.construct_sequence(node)}
    return {"!tag": suffix, "value": loader.construct_mapping(node)}


_ConfigLoader.add_multi_constructor("!", _tagged)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


def load_config(config_file: Path) -> tuple[SiteConfig | None, list[Problem]]:
    """Read ``mkdocs.yml``; a broken file is a Chinese problem, not a traceback."""
    name = config_file.name
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_ConfigLoader)
    except OSError as exc:
        return None, [Problem(name, f"无法读取配置文件：{exc.strerror or exc}", "确认在项目目录中运行，且 mkdocs.yml 存在。", code="config")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(name, "配置文件的 YAML 格式有误。", "检查该行的缩进和冒号（冒号后要有空格）。",
                              line=mark.line + 1 if mark else None, code="config")]
    if not isinstance(data, dict):
        return None, [Problem(name, "配置文件应是“键: 值”的形式。", "参照仓库中的 mkdocs.yml 修改。", code="config")]
    return SiteConfig(config_file.resolve(), data), []


def config_problems(config: SiteConfig) -> list[Problem]:
    """Settings of mkdocs.yml the generated pages depend on."""
    if config.data.get("use_directory_urls") is False:
        return [Problem("mkdocs.yml", "本站点要求 use_directory_urls: true（生成页面之间的链接依赖目录式网址）。",
                        "删除 mkdocs.yml 中的 use_directory_urls 设置，或改为 true。", field="use_directory_urls")]
    return []


def site_dir_problem(config: SiteConfig, site_dir: Path) -> Problem | None:
    """An output folder a build must not empty: the project, a folder holding it, or one of its
    source folders (the build empties the output folder before the engine starts)."""
    sources = [config.root, config.docs_dir, config.root / "brands", config.root / "rules", config.root / "overrides"]
    for source in sources:
        if is_inside(source, site_dir) or (source != config.root and is_inside(site_dir, source)):
            return Problem(str(site_dir), "输出目录不能是项目本身、包含项目的目录或稿件目录：构建开始时会清空输出目录，稿件会被删除。",
                           "换一个单独的输出目录，例如 -d site（默认）或 -d /tmp/网站。", field="site_dir")
    return None


def resolve_engine(config: SiteConfig | None, environ: dict[str, str] | None = None) -> tuple[str, list[Problem]]:
    """The engine to build with: ``DJ_ENGINE``, else ``extra.dangjian.engine``, else MkDocs."""
    environ = os.environ if environ is None else environ
    value = environ.get(ENGINE_ENV) or ((config.settings_mapping or {}).get("engine") if config else None) or DEFAULT_ENGINE
    source = f"环境变量 {ENGINE_ENV}" if environ.get(ENGINE_ENV) else "mkdocs.yml"
    engine = str(value).strip().lower()
    if engine not in ENGINES:
        return DEFAULT_ENGINE, [Problem(source, f"不认识的构建引擎“{value}”。", f"可用的引擎有：{'、'.join(ENGINES)}。",
                                        field="engine", code="settings")]
    return engine, []


# ---------------------------------------------------------------- pre-pass: the plan


@dataclass
class Plan:
    """Everything one build knows before an engine runs; made by :func:`plan_site`."""

    config: SiteConfig
    settings: Settings
    site: Site
    images: ImagePipeline
    #: generated pages by their source URI (``units/x.md``, ``brands/x/index.md`` …) → Markdown
    pages: dict[str, str] = field(default_factory=dict)
    #: generated files that are not pages (feed, showcase data) → text
    files: dict[str, str] = field(default_factory=dict)
    #: files published as they are (brand bundles' attachments, docs' assets): site path → source
    copies: dict[str, Path] = field(default_factory=dict)
    #: original photos, published only as processed copies: site path → source
    originals: dict[str, Path] = field(default_factory=dict)
    #: writers' pages that are built (drafts and registries left out): source URI → file
    writer_pages: dict[str, Path] = field(default_factory=dict)
    #: where "编辑此页" of a page points, relative to docs_dir (brands: ``../brands/x/index.md``)
    edit_paths: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: the content rules, when :func:`plan_site` was asked to leave them for later (see :meth:`check`)
    deferred_checks: Callable[[], list[Problem]] | None = None

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def docs_dir(self) -> Path:
        return self.config.docs_dir

    def page_uris(self) -> list[str]:
        """Every page of the site (writers' and generated), sorted."""
        return sorted(set(self.writer_pages) | set(self.pages))

    def search_expected(self) -> int:
        """How many pages a full build adds to the search index."""
        guides = self.settings.search_guides
        return sum(1 for uri in self.page_uris() if page_facets(self.site, uri, "-", guides) is not None)

    def images_summary(self) -> str:
        """The photo pipeline's figures for the build log."""
        images = self.images
        return f"dangjian: 图片处理 {images.decodes + images.hits} 项，本次解码 {images.decodes} 张，缓存命中 {images.hits} 项"

    def check(self) -> list[Problem]:
        """Run the content rules :func:`plan_site` left for later (none when it ran them itself)."""
        checks, self.deferred_checks = self.deferred_checks, None
        return checks() if checks else []

    def edit_path(self, src_uri: str) -> str | None:
        """Path for the edit link of a page; ``None`` for generated listings."""
        if src_uri in self.edit_paths:
            return self.edit_paths[src_uri]
        return src_uri if src_uri in self.writer_pages else None


def scan_docs(docs_dir: Path) -> dict[str, Path]:
    """The docs folder's files by source URI, as MkDocs sees them (no dot files, no ``templates/``)."""
    found: dict[str, Path] = {}
    if not docs_dir.is_dir():
        return found
    for folder, dirs, names in os.walk(docs_dir):  # never into a linked folder (content_files reports it)
        rel_dir = Path(folder).relative_to(docs_dir).as_posix()
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            uri = name if rel_dir == "." else f"{rel_dir}/{name}"
            if not _EXCLUDED_DOC.search(uri):
                found[uri] = Path(folder) / name
    return found


def image_pipeline(root: Path, settings: Settings) -> ImagePipeline:
    """The photo pipeline with the project's settings (kept across ``mkdocs serve`` rebuilds by the hook)."""
    return ImagePipeline(root / settings.image_cache_dir, root, quality=settings.image_quality,
                         warn_bytes=settings.image_warn_mb * 1048576)


def plan_site(config: SiteConfig, settings: Settings, doc_files: dict[str, Path] | None = None,
              images: ImagePipeline | None = None, defer_checks: bool = False) -> Plan:
    """Load and validate the content, generate every page and process every photo.

    ``doc_files`` are the docs folder's files by source URI (an engine's own list in the
    hook; :func:`scan_docs` otherwise).  Problems are collected in ``plan.problems``.
    ``defer_checks``: the content rules (``scripts/check.py``'s) are left for :meth:`Plan.check`,
    which the generator runs while the engine builds (they change no page).
    """
    root, docs_dir = config.root, config.docs_dir
    doc_files = scan_docs(docs_dir) if doc_files is None else dict(doc_files)
    images = images or image_pipeline(root, settings)
    site = load_site(root, docs_dir, settings)
    plan = Plan(config, settings, site, images)
    plan.problems += site.problems
    for uri in site.excluded_docs:
        doc_files.pop(uri, None)
    # What may be published from docs/: an allow-list of file types, never a symlink (dangjian.content_files).
    doc_files = {uri: path for uri, path in doc_files.items() if site.content.allows(uri)}
    generated = generate_pages(site, settings)
    generated.append(render_stats_page(site))
    checks = partial(check_content, root, docs_dir, settings, site, generated=generated)  # the rules of scripts/check.py
    if defer_checks:
        plan.deferred_checks = checks
    else:
        plan.problems += checks()
    for page in generated:
        if page.src_uri in doc_files:
            plan.problems.append(Problem(f"docs/{page.src_uri}", "该文件与系统自动生成的页面同名，会被覆盖。",
                                         "请删除或改名该文件；这个页面由 brands/ 和登记表自动生成。", code="layout"))
            doc_files.pop(page.src_uri)
        plan.pages[page.src_uri] = page.markdown
    for brand in site.brands:  # "编辑此页" of a generated brand page opens its brands/<slug>/index.md
        plan.edit_paths[brand.src_uri] = source_edit_path(brand.folder / "index.md", docs_dir)
    jobs: list[ImageJob] = []
    for brand in site.brands:
        page = f"{settings.brands_dir}/{brand.slug}/index.md"
        for path in bundle_files(brand.folder, root):  # never a file linked from outside the project
            if path.name == "index.md":
                continue
            site_path = f"brands/{brand.slug}/{path.name}"
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                plan.copies[site_path] = path
                continue
            plan.originals[site_path] = path
            jobs.append(ImageJob(path, "photo", page))
            if path.name == brand.meta.cover:
                jobs.append(ImageJob(path, "thumb", page, field="cover"))
            if path.name == brand.meta.logo:
                jobs.append(ImageJob(path, "logo", page, field="logo"))
    for uri, path in doc_files.items():
        if uri.endswith(".md"):
            plan.writer_pages[uri] = path
        elif Path(uri).suffix.lower() in IMAGE_SUFFIXES and not uri.startswith("assets/"):
            # Photos are published only as processed copies (no EXIF/GPS); originals stay out of the site.
            plan.originals[uri] = path
            jobs.append(ImageJob(path, "photo", f"docs/{uri}"))
        else:
            plan.copies[uri] = path
    plan.problems += images.run(jobs)
    attach_compilations(plan)  # setting attach_compilations: section downloads (dangjian.export.attach)
    plan.files[FEED_PATH] = render_feed(site, config.site_url, config.site_name, config.site_description)
    # Every published brand for the showcase filter, with the card thumbnails just processed.
    plan.files[SHOWCASE_JSON] = render_showcase_json(site, lambda brand: card_rendition(brand, plan.originals.get, images))
    return plan


def complete_page(markdown: str, src_uri: str, plan: Plan) -> str:
    """A writer's page as built: facts boxes and attachments added, ``<!-- dangjian:… -->`` markers expanded."""
    site = plan.site
    model = site.model_by_uri(src_uri)
    if model is not None:
        markdown = render_model_header(model, site) + markdown
    study = site.study_by_uri(src_uri)
    if study is not None:
        markdown = render_study_header(study, site) + markdown + render_attachments(study)
    return expand_markers(markdown, src_uri, site, plan.settings)


def quick_source(plan: Plan, path: Path) -> tuple[str, str | None] | None:
    """The page a saved file shows, from the last plan, for a preview that shows it before the
    whole site is rebuilt: ``(src_uri, Markdown)`` for a published brand's ``index.md`` (its page
    re-rendered with the other brands as they were), ``(src_uri, None)`` for a writer's page in
    ``docs/`` (the engine reads it), ``None`` for anything else or a brand that no longer
    validates (the full rebuild right after reports why)."""
    site, settings = plan.site, plan.settings
    brands_dir = plan.root / settings.brands_dir
    if path.name == "index.md" and path.parent.parent == brands_dir:
        if path.parent.name not in {b.slug for b in site.brands}:
            return None  # a new or newly published brand changes listings first: the full rebuild shows it
        brand, _draft, _problems = load_brand(path.parent, plan.root, site.units, site.categories, settings)
        if brand is None:
            return None
        edited = replace(site, brands=[brand if b.slug == brand.slug else b for b in site.brands])
        return brand.src_uri, render_brand_page(brand, edited).markdown
    try:
        uri = path.relative_to(plan.docs_dir).as_posix()
    except ValueError:
        return None
    return (uri, None) if uri in plan.writer_pages else None


# ---------------------------------------------------------------- pre-pass: the staged tree


def staged_uri(src_uri: str) -> str:
    """Where a generated page is staged: ``units/x.md`` → ``units/x/index.md``.

    A page at ``<dir>/index.md`` lives in the folder of its URL, so a relative link
    means the same to every engine (the generated HTML links relative to the URL).
    """
    if src_uri == "index.md" or src_uri.endswith("/index.md"):
        return src_uri
    return src_uri.removesuffix(".md") + "/index.md"


#: Inline links and images ``](target "title")`` and reference definitions ``[id]: target``.
_MD_LINK = re.compile(r"(?P<head>\]\(\s*<?|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?)(?P<target>[^)\s>#?]+)(?P<tail>[#?][^)\s>]*)?", re.M)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+[^`\n]*?`+)")


def restage_links(markdown: str, src_uri: str, staged: str, moved: dict[str, str]) -> str:
    """A writer's relative Markdown links, rewritten for the page's staged place.

    ``src_uri`` is where the page is written (``models/x.md``), ``staged`` where it is
    staged (``models/x/index.md``); ``moved`` maps every page's source URI to its staged
    one, so ``../tags.md`` becomes ``../tags/index.md`` and ``photo.jpg`` becomes ``../photo.jpg``.
    Raw HTML is left alone: its links are relative to the page's URL, which does not change.
    """
    base, new_base = posixpath.dirname(src_uri), posixpath.dirname(staged)

    def replace(match: re.Match) -> str:
        target = match.group("target")
        if _SCHEME.match(target) or target.startswith("/"):
            return match.group(0)
        resolved = posixpath.normpath(posixpath.join(base, target))
        new = moved.get(resolved, resolved)
        if new == resolved and base == new_base:
            return match.group(0)
        rel = posixpath.relpath(new, new_base or ".")
        if target.endswith("/") and not rel.endswith("/"):
            rel += "/"
        return match.group("head") + rel + (match.group("tail") or "")

    out, fence = [], None
    for line in markdown.splitlines(keepends=True):
        opened = _FENCE.match(line)
        if fence is not None:  # inside a code block: shown as written
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            out.append(line)
        elif opened:
            fence = opened.group(1)
            out.append(line)
        else:  # code spans are shown as written too
            out.append("".join(part if i % 2 else _MD_LINK.sub(replace, part) for i, part in enumerate(_CODE_SPAN.split(line))))
    return "".join(out)


def restage_nav(nav: Any, moved: dict[str, str]) -> Any:
    """The ``nav`` of mkdocs.yml with pages at their staged paths."""
    if isinstance(nav, str):
        return moved.get(nav, nav)
    if isinstance(nav, list):
        return [restage_nav(item, moved) for item in nav]
    if isinstance(nav, dict):
        return {key: restage_nav(value, moved) for key, value in nav.items()}
    return nav


#: Keys of mkdocs.yml that only the MkDocs adapter uses.
_HOOK_ONLY = ("hooks", "watch")


#: MkDocs-family engines run this hook of the staged configuration (never mkdocs.yml's hooks): with
#: the environment variable AHEAD_ENV set, it hands each page's converted content to the generator
#: before the engine renders any, as a head start for the search index (scripts/engine_ahead.py).
AHEAD_HOOK = Path(__file__).resolve().parent.parent / "engine_ahead.py"
AHEAD_ENV = "DJ_AHEAD_DIR"


def ahead_engine(plan: Plan, engine: str) -> bool:
    """Whether the engine runs :data:`AHEAD_HOOK` (Zensical runs no hooks; no own search, no use)."""
    return engine != "zensical" and plan.config.own_search


def stage_config(plan: Plan, engine: str, stage_docs: str, site_dir: str) -> dict[str, Any]:
    """The engine's configuration: mkdocs.yml pointed at the staged docs, without its hooks."""
    data = {k: v for k, v in plan.config.data.items() if k not in _HOOK_ONLY}
    if ahead_engine(plan, engine):
        data["hooks"] = [str(AHEAD_HOOK)]
    moved = {uri: staged_uri(uri) for uri in plan.page_uris()}
    data["docs_dir"] = stage_docs
    data["site_dir"] = site_dir
    theme = dict(data.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = str((plan.root / theme["custom_dir"]).resolve())
    if "nav" in data:
        data["nav"] = restage_nav(data["nav"], moved)
    if engine == "zensical":
        # Zensical's default look is its new "modern" variant; the site is designed on Material's.
        theme["variant"] = "classic"
        # Its built-in search and tags plugin would add a second search and tag chips of their own.
        data["plugins"] = {"search": {"enabled": not plan.config.own_search}, "tags": {"enabled": False}}
    data["theme"] = theme
    return data


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless the file already holds it (engines that cache by time see no change)."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def _link_if_changed(path: Path, source: Path) -> None:
    try:
        st, src = path.stat(), source.stat()
        if st.st_ino == src.st_ino or (st.st_size == src.st_size and st.st_mtime_ns == src.st_mtime_ns):
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    try:
        os.link(source, path)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, path)


@dataclass
class Stage:
    """A written staged tree: its config file and docs folder."""

    root: Path
    config_file: Path
    docs_dir: Path
    site_dir: Path
    written: int = 0


def write_stage(plan: Plan, stage_dir: Path, engine: str) -> Stage:
    """Pre-pass: write the complete docs tree an engine builds, and its configuration.

    Writers' pages are completed (facts boxes, markers); every page, writers' and
    generated, is written as ``<dir>/index.md`` (its URL's folder: raw HTML links
    relative to the URL mean the same to every engine) with its Markdown links
    rewritten to match; drafts and
    excluded files are left out; bundle files and docs assets are hard-linked;
    each original photo is an empty placeholder (so engines resolve its links)
    that the post-pass removes.  Only files whose content changed are rewritten.
    """
    docs = stage_dir / "docs"
    wanted: dict[Path, bytes | Path] = {}
    moved = {uri: staged_uri(uri) for uri in plan.page_uris()}
    for uri, markdown in plan.pages.items():
        wanted[docs / staged_uri(uri)] = markdown.encode("utf-8")
    for uri, path in plan.writer_pages.items():
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # the loader reports unreadable files
        _meta, body, _line = split_front_matter(text)
        head = text[: len(text) - len(body)]  # the front matter as written; engines read it themselves
        body = restage_links(complete_page(body, uri, plan), uri, moved[uri], moved)
        wanted[docs / moved[uri]] = (head + body).encode("utf-8")
    for uri, text in plan.files.items():
        wanted[docs / uri] = text.encode("utf-8")
    for uri, path in plan.copies.items():
        wanted[docs / uri] = path
    for uri in plan.originals:
        wanted[docs / uri] = b""
    written = 0
    for path, data in wanted.items():
        if isinstance(data, Path):
            _link_if_changed(path, data)
        else:
            written += _write_if_changed(path, data)
    if docs.is_dir():  # files of an earlier build that are gone now (a deleted brand, a new draft)
        for path in sorted(docs.rglob("*"), reverse=True):
            if path.is_file() and path not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    site_dir = stage_dir / "site"
    config = stage_config(plan, engine, "docs", "site")
    config_file = stage_dir / "mkdocs.yml"
    _write_if_changed(config_file, yaml.safe_dump(config, allow_unicode=True, sort_keys=False).encode("utf-8"))
    return Stage(stage_dir, config_file, docs, site_dir, written)


def has_failures(problems: list[Problem], strict: bool) -> bool:
    """Errors and warnings fail a strict build; without ``--strict`` the rest is built (as MkDocs does)."""
    return strict and any(p.severity in (Severity.ERROR, Severity.WARNING) for p in problems)


__all__ = ["ENGINES", "Plan", "SiteConfig", "complete_page",
           "load_config", "plan_site", "resolve_engine", "write_stage"]
