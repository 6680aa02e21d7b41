"""The MkDocs adapter: the only module of the project that imports MkDocs.

It loads the content with the MkDocs-free core (:mod:`dangjian`), reports
problems through MkDocs' logger (so ``mkdocs build --strict`` fails on them
and ``mkdocs serve`` shows them and keeps serving), adds the generated pages
as virtual files (``File.generated``), copies published brand bundles' files
and drops drafts.  Nothing is ever written into ``docs/`` or ``brands/``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dangjian.images import IMAGE_SUFFIXES, ImageJob, ImagePipeline, rewrite_images  # noqa: E402
from dangjian.charts import render_stats_page  # noqa: E402
from dangjian.content_files import drop_unpublished, linked_folder_problems  # noqa: E402
from dangjian.edit import source_edit_path  # noqa: E402
from dangjian.feed import FEED_PATH, render_feed  # noqa: E402
from dangjian.fingerprints import PageFingerprints, stamp_of  # noqa: E402
from dangjian.loader import bundle_files, load_site  # noqa: E402
from dangjian.model import Site  # noqa: E402
from dangjian.problems import Problem, Severity  # noqa: E402
from dangjian.render import (  # noqa: E402
    SHOWCASE_JSON,
    expand_markers,
    generate_pages,
    render_attachments,
    render_model_header,
    render_study_header,
)
from dangjian.sanitize import sanitize_page  # noqa: E402
from dangjian.settings import Settings  # noqa: E402
from dangjian.showcase import card_rendition, render_showcase_json  # noqa: E402
from dangjian.search import annotate, page_facets  # noqa: E402
from dangjian.search_index import new_search_index, write_index  # noqa: E402

log = logging.getLogger("mkdocs.hooks.dangjian")


class _State:
    """What one build learned in ``on_config``/``on_files`` for the later events."""

    root: Path
    settings: Settings
    site: Site
    images: ImagePipeline
    fingerprints: PageFingerprints
    search_expected: int = 0
    image_sources: dict[str, Path]
    search: SearchIndex


_state = _State()


def report(problems: list[Problem]) -> None:
    """Log problems in Chinese; errors and warnings both fail a ``--strict`` build."""
    for problem in problems:
        if problem.severity is Severity.ERROR:
            log.error(problem.format())
        elif problem.severity is Severity.WARNING:
            log.warning(problem.format())
        else:
            log.info(problem.format())


def _abort_on(problems: list[Problem]) -> None:
    """Stop the build before it starts, with the problems' Chinese messages (no traceback)."""
    if problems:
        raise Abort("构建已停止：\n" + "\n".join(p.format() for p in problems))


def _own_search(config: MkDocsConfig) -> bool:
    """True when the site's own index is built (Material's search plugin is not configured)."""
    return "search" not in config.plugins and "material/search" not in config.plugins


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Read ``extra.dangjian`` settings."""
    _state.root = Path(config.config_file_path).resolve().parent
    _abort_on(linked_folder_problems(Path(config.docs_dir), _state.root))  # before MkDocs walks docs/ following links
    _state.settings, problems = Settings.from_mapping(config.extra.get("dangjian"))
    previous = getattr(_state, "search", None)
    if previous is not None:  # `mkdocs serve`: a build that stopped midway leaves its worker behind
        previous.close()
    # Our index replaces Material's; with Material's search plugin configured, none is collected.
    _state.search = new_search_index(_state.root, _own_search(config), previous, problems)
    if not config.use_directory_urls:
        problems.append(Problem("mkdocs.yml", "本站点要求 use_directory_urls: true（生成页面之间的链接依赖目录式网址）。",
                                "删除 mkdocs.yml 中的 use_directory_urls 设置，或改为 true。", field="use_directory_urls"))
    report(problems)
    settings = _state.settings
    _state.images = ImagePipeline(_state.root / settings.image_cache_dir, _state.root,
                                  quality=settings.image_quality, warn_bytes=settings.image_warn_mb * 1048576)
    return config


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    """Keep compiled theme templates between builds (each `mkdocs serve` rebuild makes a new environment)."""
    cache = _state.root / ".cache" / "jinja"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))
    except OSError:
        pass  # a read-only checkout: templates are compiled every build, as without the cache
    return env


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Load and validate the content, drop drafts, add generated pages and bundle files."""
    settings = _state.settings
    site = _state.site = load_site(_state.root, Path(config.docs_dir), settings)
    report(site.problems)
    drop_unpublished(files, config.docs_dir, site.content)  # allow-list, no symlinks: before anything is copied
    for src_uri in sorted(site.excluded_docs):
        file = files.get_file_from_path(src_uri)
        if file is not None:
            files.remove(file)
    # Fingerprints let `mkdocs serve --dirty` rebuild only the generated pages that changed.
    _state.fingerprints = PageFingerprints(_state.root / ".cache", Path(config.site_dir),
                                           stamp_of([Path(config.config_file_path), Path(config.theme.custom_dir or _state.root)]))
    for page in generate_pages(site, settings):
        file = _GeneratedPage.generated(config, page.src_uri, content=page.markdown)
        file.changed = _state.fingerprints.record(page.src_uri, page.markdown)
        _add(files, file)
    _track_writer_pages(files, site)
    for brand in site.brands:  # "编辑此页" of a generated brand page opens its brands/<slug>/index.md
        files.get_file_from_path(brand.src_uri).edit_uri = source_edit_path(brand.folder / "index.md", Path(config.docs_dir))
    # 数据总览 (static SVG charts) and the RSS feed of new brands and study materials.
    stats = render_stats_page(site)
    _add(files, File.generated(config, stats.src_uri, content=stats.markdown))
    _add(files, File.generated(config, FEED_PATH, content=render_feed(site, config.site_url or "", config.site_name, config.site_description or "")))
    # Photos are published only as processed copies (no EXIF/GPS); originals stay out of the site.
    sources: dict[str, Path] = {}
    jobs: list[ImageJob] = []
    for brand in site.brands:
        page = f"{settings.brands_dir}/{brand.slug}/index.md"
        for path in bundle_files(brand.folder, _state.root):  # photos and attachments only, never a symlink
            if path.name == "index.md":
                continue
            site_path = f"brands/{brand.slug}/{path.name}"
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                _add(files, File.generated(config, site_path, abs_src_path=str(path)))
                continue
            sources[site_path] = path
            _add(files, _ProcessedImage.generated(config, site_path, abs_src_path=str(path)))
            jobs.append(ImageJob(path, "photo", page))
            if path.name == brand.meta.cover:
                jobs.append(ImageJob(path, "thumb", page, field="cover"))
            if path.name == brand.meta.logo:
                jobs.append(ImageJob(path, "logo", page, field="logo"))
    for file in list(files):
        if file.is_media_file() and Path(file.src_uri).suffix.lower() in IMAGE_SUFFIXES \
                and not file.src_uri.startswith("assets/") and not isinstance(file, _ProcessedImage):
            sources[file.dest_uri] = Path(file.abs_src_path)
            jobs.append(ImageJob(Path(file.abs_src_path), "photo", f"docs/{file.src_uri}"))
            files.remove(file)
            files.append(_ProcessedImage.generated(config, file.src_uri, abs_src_path=file.abs_src_path))
    _state.image_sources = sources
    report(_state.images.run(jobs))
    images = _state.images
    # Every published brand for the showcase filter, with the card thumbnails just processed.
    _add(files, File.generated(config, SHOWCASE_JSON, content=render_showcase_json(
        site, lambda brand: card_rendition(brand, sources.get, images))))
    log.info("dangjian: 图片处理 %d 项，本次解码 %d 张，缓存命中 %d 项", images.decodes + images.hits, images.decodes, images.hits)
    _state.search_expected = sum(1 for f in files.documentation_pages() if page_facets(site, f.src_uri, "-", _state.settings.search_guides) is not None)
    return files


def _completed(markdown: str, src_uri: str, site: Site) -> str:
    """A writer's page as built: facts boxes and attachments added, ``<!-- dangjian:… -->`` markers expanded."""
    model = site.model_by_uri(src_uri)
    if model is not None:
        markdown = render_model_header(model, site) + markdown
    study = site.study_by_uri(src_uri)
    if study is not None:
        markdown = render_study_header(study, site) + markdown + render_attachments(study)
    return expand_markers(markdown, src_uri, site, _state.settings)


def _track_writer_pages(files: Files, site: Site) -> None:
    """Mark writers' pages whose generated parts changed, so `serve --dirty` rebuilds them.

    MkDocs' dirty build rebuilds a page only when its source file is newer than its HTML;
    a study page's facts box or the home page's latest brands change with other files.
    Collection pages (study, models) are fingerprinted by what the build adds alone (their
    own text is covered by MkDocs' time check); other pages are read to find markers (they
    are few: home, guides, overviews) and tracked only when the build changes them.
    """
    for file in files.documentation_pages():
        if file.generated_by:
            continue
        src_uri = file.src_uri
        markdown = ""
        if site.study_by_uri(src_uri) is None and site.model_by_uri(src_uri) is None:
            try:
                markdown = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue  # the loader or MkDocs reports unreadable files
        built = _completed(markdown, src_uri, site)
        if built != markdown and _state.fingerprints.record("writer:" + src_uri, built):
            file.is_modified = _always_modified  # type: ignore[method-assign]


def _always_modified() -> bool:
    return True


def on_serve(server, config: MkDocsConfig, builder):
    """Preview: the system's file-change notifications instead of MkDocs' polling.

    MkDocs 1.6 re-reads every watched file twice a second (its PollingObserver).  With
    thousands of brands and photos that walk costs a quarter of a core all the time and
    delays every refresh by up to a second.  The native observer (inotify on Linux,
    ReadDirectoryChangesW on Windows) reports a save at once.  Where notifications do
    not arrive (network drives, WSL's /mnt/c), set DJ_PREVIEW_POLLING=1 to keep polling.
    """
    if os.environ.get("DJ_PREVIEW_POLLING") or _on_windows_drive_under_wsl(Path(config.docs_dir)):
        log.info("dangjian: 预览按 MkDocs 默认方式每 0.5 秒检查一次文件改动")
        return server
    try:
        from watchdog import events
        from watchdog.observers import Observer

        # Changes only: the build's own reads (opened / closed-without-writing) must not trigger rebuilds.
        changes = [events.FileCreatedEvent, events.FileDeletedEvent, events.FileModifiedEvent, events.FileMovedEvent,
                   events.FileClosedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]
        for item in config.watch:  # MkDocs adds these after this event: add them now, on the native observer too
            server.watch(item)
        native = _StartedObserver(Observer)()
        refs = {}
        for path, watch in server._watch_refs.items():
            for handler in server.observer._handlers.get(watch, ()):
                refs[path] = native.schedule(handler, path, recursive=watch.is_recursive, event_filter=changes)
        native.start()
    except Exception as exc:  # noqa: BLE001 - no notifications here: MkDocs' polling still works
        log.info("dangjian: 无法使用系统的文件改动通知（%s），预览改为每 0.5 秒检查一次文件", exc)
        return server
    server.observer, server._watch_refs = native, refs
    log.info("dangjian: 预览使用系统的文件改动通知；如果保存后页面不刷新（例如文件在网络盘上），"
             "请设置环境变量 DJ_PREVIEW_POLLING=1 后重新启动预览")
    return server


def _StartedObserver(base):
    """``base`` whose ``start`` does nothing when already running (MkDocs starts it again in serve())."""
    class Started(base):
        def start(self) -> None:
            if not self.is_alive():
                super().start()
    return Started


def _on_windows_drive_under_wsl(path: Path) -> bool:
    """Files on a Windows drive seen from WSL (/mnt/c/...) send no notifications to Linux."""
    try:
        release = os.uname().release.lower()
    except AttributeError:  # Windows itself
        return False
    return "microsoft" in release and str(path.resolve()).startswith("/mnt/")


class _DirtyNotice(logging.Filter):
    """Drop MkDocs' English warning on every `--dirty` rebuild (./dev.sh serve explains it in Chinese)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


_build_log = logging.getLogger("mkdocs.commands.build")
if not any(type(f).__name__ == "_DirtyNotice" for f in _build_log.filters):  # hooks load again on every serve rebuild
    _build_log.addFilter(_DirtyNotice())


class _GeneratedPage(File):
    """A generated page that a dirty build rebuilds only when its Markdown changed."""

    changed = True

    def is_modified(self) -> bool:
        return self.changed or not Path(self.abs_dest_path).is_file()


class _ProcessedImage(File):
    """An original photo: known to link validation, never copied (its processed copies are)."""

    def copy_file(self, dirty: bool = False) -> None:
        pass


def _add(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None and not existing.generated_by:
        report([Problem(f"docs/{file.src_uri}", "该文件与系统自动生成的页面同名，会被覆盖。",
                        "请删除或改名该文件；这个页面由 brands/ 和登记表自动生成。", code="layout")])
        files.remove(existing)
    files.append(file)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Add facts boxes to model and study pages and expand ``<!-- dangjian:… -->`` markers."""
    return _completed(markdown, page.file.src_uri, _state.site)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Sanitise the article (writers' HTML is untrusted), then responsive ``<picture>`` for every photo."""
    output = sanitize_page(output)
    output = rewrite_images(output, page.url, _state.image_sources.get, _state.images)
    # Search: content pages only, with 栏目/系统/类别/年份 facets (scripts/dangjian/search*.py).
    facets = page_facets(_state.site, page.file.src_uri, page.title, _state.settings.search_guides)
    output = annotate(output, facets)
    if _own_search(config):
        _state.search.add(page.url, output, facets)
    return output


def on_post_build(config: MkDocsConfig) -> None:
    """Publish the processed images (from the cache) and write the search index."""
    _state.images.publish(Path(config.site_dir))
    _state.fingerprints.save()
    if not _own_search(config):
        _state.search.close()
    else:
        stats, problems = write_index(_state.search, Path(config.site_dir), _state.search_expected)
        report(problems)
        if _state.search.fallback_reason:
            log.info("dangjian: 搜索索引改在主进程中生成（后台进程不可用：%s）", _state.search.fallback_reason)
        if stats:
            log.info("dangjian: 搜索索引 %d 页，%d 个分片，%.1f 秒，%d KB", stats.pages, stats.shards, stats.seconds, stats.bytes // 1024)
