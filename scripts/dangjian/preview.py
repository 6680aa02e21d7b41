"""A preview that starts from where the last one stopped.

``mkdocs serve`` builds into a new temporary folder each time it starts, so on a
4,000-page archive a writer waited half a minute for the first page.  The preview
keeps its output instead, in ``.cache/preview/<engine>/site/``: a dirty build there
renders only the pages whose sources changed since the last preview (the engine's
time check for writers' pages, :mod:`.fingerprints` for generated pages), and the
search index picks up the pages it had (:func:`save_search_docs`).

The next build renders every page again, when anything that shapes every page
changed (``mkdocs.yml``, the theme overrides, the project's own code, the engine's
or the theme's version) or when the last build did not finish (the preview was
closed in the middle of one); the old pages are shown meanwhile, with a note
(:class:`FolderServer`).  A published build never uses the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .fingerprints import stamp_of
from .search_index import dump_docs, load_docs

#: Where the preview keeps its output and state, under the project root.
PREVIEW_DIR = ".cache/preview"
#: Packages whose version changes every page.
_PACKAGES = ("mkdocs", "properdocs", "zensical", "mkdocs-material", "markdown", "pymdown-extensions")
_STATE = "state.json"
_SEARCH_DOCS = "search-docs.json"
_CODE_DIR = Path(__file__).resolve().parent


def _code_stamp() -> str:
    """The project's code and the engine's and theme's versions, as this process loaded them."""
    code = sorted(p for p in _CODE_DIR.rglob("*.py") if "__pycache__" not in p.parts) + sorted(_CODE_DIR.parent.glob("*.py"))
    versions = []
    for name in _PACKAGES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return stamp_of(code) + ";".join(versions)


#: Taken once: code changed while a preview runs is not loaded by it (the next preview starts afresh).
_CODE_STAMP = _code_stamp()


def preview_stamp(config_file: Path, theme_dir: Path | None) -> str:
    """A stamp of what shapes every page: configuration, theme overrides, code, versions."""
    shapes = stamp_of([config_file] + ([theme_dir] if theme_dir is not None else []))
    return hashlib.sha256(f"{_CODE_STAMP}\0{shapes}".encode()).hexdigest()[:20]


@dataclass
class PreviewDir:
    """The preview's persistent output folder and what is known about it."""

    root: Path
    stamp: str
    generation: int = 0
    #: the build whose search pages were saved last (a build that changed none keeps them)
    search_generation: int | None = None
    #: the last preview stopped while writing the search index: write it again
    index_stale: bool = False
    #: every page must be rendered again (nothing usable kept, or what shapes every page changed)
    full: bool = True
    writer: SearchWriter = field(default_factory=lambda: SearchWriter())
    _lock: Any = field(default=None, repr=False)

    @classmethod
    def for_project(cls, project_root: Path, engine: str, stamp: str) -> PreviewDir:
        return cls(project_root / PREVIEW_DIR / engine, stamp)

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def search_docs(self) -> Path:
        return self.root / _SEARCH_DOCS

    def _state(self) -> dict[str, Any]:
        try:
            state = json.loads((self.root / _STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def warm(self) -> bool:
        """True when the folder holds a finished preview made with the same stamp."""
        state = self._state()
        return (state.get("stamp") == self.stamp and state.get("complete") is True and self.site_dir.is_dir()
                and _saved_generation(self.search_docs) == state.get("search"))

    def claim(self) -> bool:
        """Hold the folder for this process; False when another preview of the project holds it.

        Two previews writing one folder would undo each other's pages.  The lock is the
        system's (``flock``/``msvcrt.locking``), so it is gone with the process that held it.
        """
        if self._lock is not None:
            return True
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / "lock", "a+b")
        try:
            if os.name == "nt":
                import msvcrt
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._lock = handle
        return True

    def prepare(self) -> bool:
        """True when the folder can be updated with what changed; False when every page must be
        rendered again (:attr:`full`).  The old pages stay meanwhile: the preview shows them
        (with a note) while the new ones are written over them."""
        if self.warm():
            self.full = False
            return True
        for name in (_STATE, _SEARCH_DOCS):
            (self.root / name).unlink(missing_ok=True)
        self.site_dir.mkdir(parents=True, exist_ok=True)
        self.full = True
        return False

    def has_pages(self) -> bool:
        """True when the folder holds a site to show (from an earlier preview)."""
        return (self.site_dir / "index.html").is_file()

    def begin(self) -> int:
        """A build starts: until :meth:`finish`, the folder counts as unfinished.  Returns the
        build's number (the search pages saved for it carry the same number)."""
        state = self._state()
        self.generation = int(state.get("generation") or 0) + 1
        self.search_generation = state.get("search")
        self.index_stale = self.index_stale or state.get("index_stale") is True
        self._write_state({"stamp": self.stamp, "complete": False, "generation": self.generation})
        return self.generation

    def prune(self, urls: set[str]) -> int:
        """Remove the pages of sources deleted since they were built (a dirty build never removes
        anything): every ``<url>/index.html`` whose URL is not a page of the site now, outside
        ``assets/`` and ``search/``.  Returns how many were removed."""
        removed = 0
        for folder, dirs, files in os.walk(self.site_dir):
            rel = Path(folder).relative_to(self.site_dir).as_posix()
            url = "" if rel == "." else rel + "/"
            if url == "":
                dirs[:] = [d for d in dirs if d not in ("assets", "search")]
            if "index.html" in files and url not in urls:
                os.unlink(os.path.join(folder, "index.html"))
                removed += 1
        return removed

    def finish(self) -> None:
        self._write_state({"stamp": self.stamp, "complete": True, "generation": self.generation,
                           "search": self.search_generation, "index_stale": self.index_stale})

    def close(self, docs: list | None) -> None:
        """The preview stops (Ctrl+C): keep its pages for the next one without waiting for a search
        index still being written; the next preview writes that index again."""
        if self.writer.busy() and docs is not None:
            self.writer.kill()
            save_search_docs(self.search_docs, docs, self.search_generation or 0)
            state = self._state()
            if state.get("complete") is True:
                self._write_state({**state, "search": self.search_generation or 0, "index_stale": True})
        else:
            self.writer.kill()

    def known_search_docs(self) -> list | None:
        """The search pages of the last preview (for a build that renders only what changed)."""
        return load_search_docs(self.search_docs)

    def write_search(self, index, site_dir: Path, expected: int, urls: set[str]) -> tuple[Any, list]:
        """The preview's search index: a full build writes it as a published build does; a build
        that rendered only the edited pages merges them in, in the background."""
        from .search_index import write_index
        if len(index.docs) >= expected or not index.known:
            self.writer.wait()  # an older background write must not land after this one
            stats, problems = write_index(index, site_dir, expected)
            self._save(index.known, None, [])
            return stats, problems
        before = len(index.known)
        merged = index.merged(urls)
        index.close()
        if index.docs or len(merged) != before or self.index_stale:  # pages edited, added or deleted
            self.index_stale = False
            self._save(merged, site_dir, index.synonyms)
        return None, []

    def _save(self, docs: list, index_dir: Path | None, synonyms: list) -> None:
        """Write the index of ``docs`` into ``index_dir`` (``None``: already written) and keep the pages."""
        self.search_generation = self.generation
        self.writer.submit(docs, synonyms, index_dir, self.search_docs, self.generation)

    def _write_state(self, state: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{_STATE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.root / _STATE)


def save_search_docs(path: Path, docs: list, generation: int) -> None:
    """Keep the search index's pages for the next preview (JSON, written atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # The build's number first, on a line of its own: warm() reads only that line.
    tmp.write_text(f"{generation}\n" + json.dumps(dump_docs(docs), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _saved_generation(path: Path) -> int | None:
    try:
        with open(path, encoding="utf-8") as saved:
            return int(saved.readline())
    except (OSError, ValueError):
        return None


def load_search_docs(path: Path) -> list | None:
    """The pages :func:`save_search_docs` kept; ``None`` when there are none or they cannot be read.

    JSON, not pickle: a file under ``.cache/`` could be committed by anyone, and reading
    it must never run code.
    """
    try:
        with open(path, encoding="utf-8") as saved:
            saved.readline()
            return load_docs(json.loads(saved.read()))
    except (OSError, ValueError):
        return None


class SearchWriter:
    """Writes the preview's search index in a second process, after the edited page is served.

    Re-indexing a 4,000-page archive takes seconds; a writer saving a page should not wait
    for it.  Only the newest request matters: one still waiting when a newer comes is dropped.
    """

    def __init__(self) -> None:
        self._pool = None
        self._waiting = None

    def submit(self, docs: list | None, synonyms: list, site_dir: Path | None, docs_file: Path, generation: int) -> None:
        """Write the index of ``docs`` into ``site_dir`` (``None``: only keep the pages), then save them."""
        from .search_index import _start_pool
        if self._waiting is not None:
            self._waiting.cancel()  # not started yet: a newer state replaces it
        try:
            if self._pool is None:
                self._pool = _start_pool()
            self._waiting = self._pool.submit(_write_in_background, docs, synonyms,
                                              str(site_dir) if site_dir else None, str(docs_file), generation)
        except Exception:  # noqa: BLE001 - no second process: do it here (slower, same result)
            self._pool = None
            _write_in_background(docs, synonyms, str(site_dir) if site_dir else None, str(docs_file), generation)

    def busy(self) -> bool:
        return self._waiting is not None and not self._waiting.done()

    def kill(self) -> None:
        """Stop the second process now, whatever it is doing (an index half-written is never swapped in)."""
        from .search_index import stop_pool
        pool, self._pool, self._waiting = self._pool, None, None
        stop_pool(pool, wait=10)

    def wait(self, timeout: float = 600.0) -> None:
        """Wait for the last request (tests, and before the preview stops)."""
        if self._waiting is not None:
            try:
                self._waiting.result(timeout=timeout)
            except Exception:  # noqa: BLE001 - cancelled, or the process died: the next build redoes it
                pass


def _write_in_background(docs: list, synonyms: list, site_dir: str | None, docs_file: str, generation: int) -> None:
    from .search_index import _build
    if site_dir is not None:
        _build(docs, synonyms, Path(site_dir), time.perf_counter())
    save_search_docs(Path(docs_file), docs, generation)


#: Shown on every page while the first build of a preview is under way.
_WAITING_NOTE = (
    '<div role="status" style="position:fixed;z-index:1000;left:0;right:0;bottom:0;padding:.6em 1em;'
    'background:#fff7e0;border-top:2px solid #c8102e;color:#222;font-size:16px;text-align:center">'
    "这是上次预览的页面；正在更新改动过的页面，完成后本页会自动刷新。</div>"
)
#: Reloads the page when the server's build number (``/livereload/<seen>/0``, MkDocs' own
#: long-poll address) passes the one it was served with; a ``X-Dangjian-Waiting`` answer
#: means the engine's server has not taken over yet.
_RELOAD = (
    "<script>(function(){var seen=%d;function poll(){var r=new XMLHttpRequest();r.onloadend=function(){"
    "if(this.status===200&&!this.getResponseHeader('X-Dangjian-Waiting')&&parseFloat(this.responseText)>seen){location.reload();}"
    "else{setTimeout(poll,this.status===200?0:1000);}};r.open('GET','/livereload/'+seen+'/0');r.send();}"
    "setTimeout(poll,500);})();</script>"
)


class FolderServer:
    """Serves a built site folder on the preview's address, with live reload.

    Two uses: while the first build of a MkDocs preview runs, the last preview's pages are
    served with a note (``waiting``), and the page reloads when MkDocs' own server (which
    answers the same ``/livereload/…`` address) has taken over; for an engine without a
    preview server of its own (Zensical runs no hooks), it serves the generator's output and
    :meth:`reload` makes open pages reload after each rebuild.
    """

    def __init__(self, site_dir: Path, host: str, port: int, mount_path: str = "/", *, waiting: bool = False) -> None:
        import threading
        self.site_dir, self.host, self.port, self.waiting = site_dir, host, port, waiting
        self.mount_path = mount_path if mount_path.endswith("/") else mount_path + "/"
        self.epoch = 1
        self._changed = threading.Condition()
        self._server = None

    def start(self) -> bool:
        """Start serving in a thread; False when the address is taken (nothing is served then)."""
        import http.server
        import threading

        folder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                status, headers, body = folder.respond(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args) -> None:  # noqa: A002 - no English request log
                pass

        try:
            self._server = http.server.ThreadingHTTPServer((self.host, self.port), Handler)
        except OSError:
            return False
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return True

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            with self._changed:
                self.epoch += 1  # answer waiting polls: they ask again, of the engine's server
                self._changed.notify_all()
            server.shutdown()
            server.server_close()

    def reload(self) -> None:
        """The folder was rebuilt: open pages reload."""
        with self._changed:
            self.epoch += 1
            self._changed.notify_all()

    def respond(self, raw_path: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a GET of ``raw_path``."""
        import mimetypes
        import posixpath
        import re
        from urllib.parse import unquote, urlsplit

        path = unquote(urlsplit(raw_path).path)
        poll = re.fullmatch(r"/livereload/([0-9]+)/[0-9]+", path)
        if poll or path.startswith("/livereload/"):
            if self.waiting or poll is None:  # not the engine's server yet: the page asks again
                return 503, {"X-Dangjian-Waiting": "1", "Content-Type": "text/plain"}, b"0"
            with self._changed:
                self._changed.wait_for(lambda: self.epoch > int(poll.group(1)), timeout=30)
                return 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}, str(self.epoch).encode()
        if not (path + "/").startswith(self.mount_path):
            return 302, {"Location": self.mount_path}, b""
        rel = posixpath.normpath("/" + path[len(self.mount_path):]).lstrip("/")  # never above the folder
        target = self.site_dir / rel
        if path.endswith("/") or target.is_dir():
            if not path.endswith("/"):
                return 302, {"Location": path + "/"}, b""
            target = target / "index.html"
        try:
            body = target.read_bytes()
        except OSError:
            return 404, {"Content-Type": "text/plain; charset=utf-8"}, "找不到这个页面（预览可能正在更新，请稍候刷新）。".encode()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            end = body.rfind(b"</body>")
            end = len(body) if end < 0 else end
            added = (_WAITING_NOTE if self.waiting else "") + _RELOAD % (0 if self.waiting else self.epoch)
            body = body[:end] + added.encode() + body[end:]
            kind = "text/html; charset=utf-8"
        return 200, {"Content-Type": kind, "Cache-Control": "no-store"}, body
