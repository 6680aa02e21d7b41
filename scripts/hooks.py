"""The MkDocs adapter: the only module of the project that imports MkDocs.

A thin caller of the engine-neutral generator (:mod:`dangjian.generate`) for
``mkdocs serve --dirty`` previews and plain ``mkdocs build``: ``on_files`` runs
the pre-pass (``plan_site``) and adds its pages and files as virtual files
(``File.generated``), ``on_page_markdown`` completes writers' pages
(``complete_page``), ``on_post_page``/``on_post_build`` run the post-pass
(``PostPass.page``/``PostPass.site``).  Problems go through MkDocs' logger, so
``--strict`` fails on them and ``serve`` shows them and keeps serving.
``scripts/generate.py`` runs the same passes around any engine without hooks.
Nothing is ever written into ``docs/`` or ``brands/``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dangjian import preview_errors
from dangjian.content_files import linked_folder_problems
from dangjian.fingerprints import PageFingerprints, stamp_of
from dangjian.generate import (
    Plan,
    SiteConfig,
    complete_page,
    config_problems,
    image_pipeline,
    plan_site,
    quick_source,
)
from dangjian.images import ImagePipeline
from dangjian.postpass import PostPass, search_summary
from dangjian.preview import FolderServer, PreviewDir, preview_stamp
from dangjian.problems import Problem, Severity
from dangjian.search_index import SearchIndex
from dangjian.settings import Settings
from engine_ahead import page_address

log = logging.getLogger("mkdocs.hooks.dangjian")


class _State:
    """What one build learned in ``on_config``/``on_files`` for the later events."""

    root: Path
    settings: Settings
    images: ImagePipeline
    plan: Plan
    post: PostPass
    fingerprints: PageFingerprints
    search_expected: int = 0
    page_urls: set[str]  # every page of the last build, by URL
    previous_search: SearchIndex | None = None
    keep_preview: bool = False
    preview: PreviewDir | None = None
    known_search: list | None = None
    waiting: FolderServer | None = None
    quick_rendered: set[str]  # pages rendered ahead of a rebuild (serve), which must rebuild them
    serving: bool = False


_state = _State()
_state.quick_rendered = set()


def report(problems: list[Problem]) -> None:
    """Log problems in Chinese; errors and warnings both fail a ``--strict`` build."""
    preview_errors.note(problems)  # `serve` shows them on the pages too
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


def on_startup(command: str, dirty: bool) -> None:
    """Errors are shown in the browser only while previewing (``mkdocs serve``); ``serve --dirty``
    keeps its output between runs (dangjian.preview), so it starts from the last preview."""
    preview_errors.start(command)
    _state.keep_preview = command == "serve" and dirty and not os.environ.get("DJ_PREVIEW_FRESH")


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Read ``extra.dangjian`` settings."""
    _state.root = Path(config.config_file_path).resolve().parent
    _abort_on(linked_folder_problems(Path(config.docs_dir), _state.root))  # before MkDocs walks docs/ following links
    _state.settings, problems = Settings.from_mapping(config.extra.get("dangjian"))
    preview_errors.reset(_state.root, Path(config.docs_dir), _state.settings.brands_dir)
    previous = getattr(_state, "post", None)
    if previous is not None:  # `mkdocs serve`: a build that stopped midway leaves its worker behind
        previous.search.close()
        _state.previous_search = previous.search  # its pages: the dirty preview merges edited pages into them
    problems += config_problems(SiteConfig(Path(config.config_file_path), dict(config)))
    report(problems)
    settings = _state.settings
    _state.images = image_pipeline(_state.root, settings)
    if _state.keep_preview:
        preview = _preview_dir(config)
        if preview is not None:
            config.site_dir = str(preview.site_dir)
    return config


def _preview_dir(config: MkDocsConfig) -> PreviewDir | None:
    """The preview's output folder (emptied when the configuration, theme or code changed);
    ``None`` when another preview of the project holds it (this one then works as MkDocs does)."""
    stamp = preview_stamp(Path(config.config_file_path), Path(config.theme.custom_dir) if config.theme.custom_dir else None)
    preview = _state.preview
    if preview is None or preview.stamp != stamp:
        if preview is not None:
            preview.writer.wait()
            preview.stamp = stamp
        else:
            preview = PreviewDir.for_project(_state.root, _engine_name(), stamp)
            if not preview.claim():
                log.info("dangjian: 本项目的另一个预览正在运行，这个预览从头构建（不保留结果）")
                _state.keep_preview = False
                return None
            _state.preview = preview
        if preview.prepare():
            _state.known_search = preview.known_search_docs()
            log.info("dangjian: 预览从上次的结果开始，只重建改动过的页面")
        else:
            _state.previous_search = _state.known_search = None  # a full build
            if preview.has_pages():
                log.info("dangjian: 配置、主题或程序有变化（或上次预览在构建中途关闭），这次重建全部页面")
        if _state.waiting is None and not _state.serving and preview.has_pages():
            host, port = config.dev_addr  # the first build of this run: show the last preview meanwhile
            _state.waiting = FolderServer(preview.site_dir, host, port, urlsplit(config.site_url or "/").path or "/", waiting=True)
            if _state.waiting.start():
                log.info(f"dangjian: 更新期间先显示上次的预览：http://{host}:{port}/")
    preview.begin()
    return preview


def _engine_name() -> str:
    """The engine running this hook: MkDocs or its fork ProperDocs (their outputs are kept apart)."""
    return "properdocs" if "properdocs" in sys.modules else "mkdocs"


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    """Keep compiled theme templates between builds (each `mkdocs serve` rebuild makes a new environment)."""
    _state.last_build = (config, files, env)  # what a quick render of one edited page reuses (serve)
    cache = _state.root / ".cache" / "jinja"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))
    except OSError:
        pass  # a read-only checkout: templates are compiled every build, as without the cache
    return env


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """The generator's pre-pass (dangjian.generate.plan_site) applied to MkDocs' file list."""
    docs_dir = Path(config.docs_dir)
    writers = {f.src_uri: f for f in files if not f.generated_by and not f.inclusion.is_excluded()
               and Path(f.abs_src_path).is_relative_to(docs_dir)}
    started = time.perf_counter()
    plan = _state.plan = plan_site(SiteConfig(Path(config.config_file_path), dict(config)), _state.settings,
                                   {uri: Path(f.abs_src_path) for uri, f in writers.items()}, _state.images)
    report(plan.problems)
    # Our index replaces Material's; with Material's search plugin configured, none is collected.
    _state.post = PostPass(plan, own_search=plan.config.own_search, previous=_state.previous_search,
                           known=_state.known_search, site_dir=Path(config.site_dir))
    report(_state.post.problems)
    kept = plan.writer_pages.keys() | plan.copies.keys()
    for uri, file in writers.items():  # drafts, registries, pages named like generated ones, original photos
        if uri not in kept:
            files.remove(file)
    # Fingerprints let `mkdocs serve --dirty` rebuild only the generated pages that changed.
    _state.fingerprints = PageFingerprints(_state.root / ".cache", Path(config.site_dir),
                                           stamp_of([Path(config.config_file_path), Path(config.theme.custom_dir or _state.root)]))
    for uri, markdown in plan.pages.items():
        markdown = preview_errors.annotate(uri, markdown, plan.site, listing=True)  # `serve` only
        file = _GeneratedPage.generated(config, uri, content=markdown)
        file.changed = _state.fingerprints.record(uri, markdown)
        files.append(file)
    _track_writer_pages(files, plan)
    if _state.preview is not None and _state.preview.full:  # the kept pages cannot be trusted: render all
        for file in files:
            file.is_modified = _always_modified  # type: ignore[method-assign]
    for uri in _state.quick_rendered:  # rendered ahead from the last build: MkDocs' time check would skip them
        file = files.get_file_from_path(uri)
        if file is not None:
            file.is_modified = _always_modified  # type: ignore[method-assign]
    _state.quick_rendered = set()
    for uri, path in plan.edit_paths.items():
        files.get_file_from_path(uri).edit_uri = path
    for uri, text in plan.files.items():  # the RSS feed and the showcase data
        files.append(File.generated(config, uri, content=text))
    for uri, path in plan.copies.items():  # brand bundles' attachments (docs files are already listed)
        if uri not in writers:
            files.append(File.generated(config, uri, abs_src_path=str(path)))
    for uri, path in plan.originals.items():  # known to link validation, never copied
        files.append(_ProcessedImage.generated(config, uri, abs_src_path=str(path)))
    known = {f.src_uri for f in files}  # `serve` only: pages left out for errors, and the error list
    for page in preview_errors.pages(plan.site, known):
        files.append(_GeneratedPage.generated(config, page.src_uri, content=page.markdown))
    log.info(plan.images_summary())
    log.info(f"dangjian: 读入、检查、生成页面和处理图片用了 {time.perf_counter() - started:.1f} 秒")
    _state.search_expected = plan.search_expected()
    # Every page of this build (error pages of `serve` too): the kept preview drops the others' HTML.
    _state.page_urls = {"" if f.url == "./" else f.url for f in files.documentation_pages()}
    return files


def _track_writer_pages(files: Files, plan: Plan) -> None:
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
        if plan.site.study_by_uri(src_uri) is None and plan.site.model_by_uri(src_uri) is None:
            try:
                markdown = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue  # the loader or MkDocs reports unreadable files
        built = complete_page(markdown, src_uri, plan)
        if built != markdown and _state.fingerprints.record("writer:" + src_uri, built):
            file.is_modified = _always_modified  # type: ignore[method-assign]


def _always_modified() -> bool:
    return True


def on_shutdown() -> None:
    """The preview stops: finish the search index being written, stop the second processes."""
    post = getattr(_state, "post", None)
    if _state.preview is not None:
        _state.preview.close(post.search.known if post is not None else None)
    if post is not None:
        post.search.close()


def on_serve(server, config: MkDocsConfig, builder):
    """Preview: the system's file-change notifications instead of MkDocs' polling.

    MkDocs 1.6 re-reads every watched file twice a second (its PollingObserver).  With
    thousands of brands and photos that walk costs a quarter of a core all the time and
    delays every refresh by up to a second.  The native observer (inotify on Linux,
    ReadDirectoryChangesW on Windows) reports a save at once.  Where notifications do
    not arrive (network drives, WSL's /mnt/c), set DJ_PREVIEW_POLLING=1 to keep polling.
    """
    _state.serving = True
    if _state.waiting is not None:  # MkDocs' own server takes the address now
        _state.waiting.stop()
        _state.waiting = None
    if _state.preview is not None:  # serve the kept output folder, not MkDocs' temporary one
        _serve_from(server, _state.preview.site_dir)
    for item in config.watch:  # MkDocs adds these after this event: add them now, on the native observer too
        server.watch(item)
    _show_edits_first(server)
    if os.environ.get("DJ_PREVIEW_POLLING") or _on_windows_drive_under_wsl(Path(config.docs_dir)):
        log.info("dangjian: 预览按 MkDocs 默认方式每 0.5 秒检查一次文件改动")
        return server
    try:
        from watchdog import events
        from watchdog.observers import Observer

        # Changes only: the build's own reads (opened / closed-without-writing) must not trigger rebuilds.
        changes = [events.FileCreatedEvent, events.FileDeletedEvent, events.FileModifiedEvent, events.FileMovedEvent,
                   events.FileClosedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]
        native = _StartedObserver(Observer)()
        refs = {}
        for path, watch in server._watch_refs.items():
            for handler in server.observer._handlers.get(watch, ()):
                refs[path] = native.schedule(handler, path, recursive=watch.is_recursive, event_filter=changes)
        native.start()
    except Exception as exc:
        log.info("dangjian: 无法使用系统的文件改动通知（%s），预览改为每 0.5 秒检查一次文件", exc)
        return server
    server.observer, server._watch_refs = native, refs
    log.info("dangjian: 预览使用系统的文件改动通知；如果保存后页面不刷新（例如文件在网络盘上），"
             "请设置环境变量 DJ_PREVIEW_POLLING=1 后重新启动预览")
    return server


def _show_edits_first(server) -> None:
    """Show a saved page before the whole site is rebuilt.

    A rebuild at 4,000 pages takes seconds: the listings, the home page and the search index
    all follow an edit.  The page that was saved is rendered first, from the last build
    (dangjian.generate.quick_source), and browsers reload with it; then the site is rebuilt
    and they reload again.
    """
    changed: set[str] = set()
    lock = threading.Lock()

    def record(event) -> None:
        if not event.is_directory:
            with lock:
                changed.update(p for p in (event.src_path, getattr(event, "dest_path", "")) if p)

    from watchdog.events import FileSystemEventHandler
    recorder = FileSystemEventHandler()
    recorder.on_any_event = record  # type: ignore[method-assign]
    for path in list(server._watched_paths):
        server.observer.schedule(recorder, path, recursive=True)
    rebuild = server.builder

    def builder() -> None:
        with lock:
            saved = sorted(changed)
            changed.clear()
        if _quick_render(saved):
            _reload_browsers(server)
        rebuild()
        server._wanted_epoch = _epoch(server)  # so that browsers reload again once everything is rebuilt

    server.builder = builder


def _quick_render(paths: list[str]) -> bool:
    """Render the pages of saved Markdown files with the last build's state; True when any was."""
    from mkdocs.commands.build import _build_page, _populate_page

    last, nav, plan = getattr(_state, "last_build", None), getattr(_state, "last_nav", None), getattr(_state, "plan", None)
    if last is None or nav is None or plan is None or not 0 < len(paths) <= 3:
        return False
    config, files, env = last
    done = False
    for path in paths:
        if not path.endswith(".md"):
            continue
        try:
            found = quick_source(plan, Path(path))
            file = files.get_file_from_path(found[0]) if found else None
            if file is None or file.page is None:
                continue
            if found[1] is not None:
                file.content_string = preview_errors.annotate(found[0], found[1], plan.site, listing=True)
            _populate_page(file.page, config, files)
            _build_page(file.page, config, files.documentation_pages(), nav, env)
            _state.quick_rendered.add(file.src_uri)
            done = True
        except Exception as exc:  # noqa: BLE001 - the full rebuild that follows reports any problem
            log.debug("quick render of %s skipped: %s", path, exc)
    return done


def _reload_browsers(server) -> None:
    """Let MkDocs' live-reload server serve the pages and tell browsers to reload."""
    with server._epoch_cond:
        server._visible_epoch = server._wanted_epoch
        server._epoch_cond.notify_all()


def _epoch(server) -> int:
    """A live-reload epoch newer than the one browsers were last sent."""
    return max(round(time.monotonic() * 1000), server._visible_epoch + 1)


def _serve_from(server, site_dir: Path) -> None:
    """Point MkDocs' live-reload server (and its 404 page) at ``site_dir``."""
    server.root = str(site_dir)

    def error_page(code: int) -> bytes | None:
        try:
            return (site_dir / f"{code}.html").read_bytes() if code in (404, 500) else None
        except OSError:
            return None
    server.error_handler = error_page


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


def on_nav(nav, config: MkDocsConfig, files: Files):
    _state.last_nav = nav
    return nav


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Add facts boxes to model and study pages and expand ``<!-- dangjian:… -->`` markers."""
    built = complete_page(markdown, page.file.src_uri, _state.plan)
    return preview_errors.annotate(page.file.src_uri, built, _state.plan.site)  # `serve` only


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """MkDocs converts every page before it renders any: the search worker indexes each page ahead
    meanwhile, on the core the build leaves idle (:meth:`PostPass.foresee`)."""
    _state.post.foresee(html, page.url, page.file.src_uri, page.title, page_address(page))
    return html


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """The generator's post-pass for one page: responsive photos, search facets, the search index."""
    return _state.post.page(output, page.url, page.file.src_uri, page.title)


def on_post_build(config: MkDocsConfig) -> None:
    """The generator's post-pass for the site: processed photos, sitemap, search index."""
    _state.fingerprints.save()
    post = _state.post
    stats, problems = post.site(Path(config.site_dir), expected=_state.search_expected, preview=_state.preview)
    report(problems)
    for line in search_summary(post, stats):
        log.info(line)
    if _state.preview is not None:
        _state.preview.prune(_state.page_urls)  # pages of sources deleted since they were built
        _state.preview.finish()
        _state.preview.full = False
