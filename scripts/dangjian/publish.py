"""Safe publishing: build into a new release, then switch a symlink atomically.

Layout under the releases directory (``releases/`` by default)::

    releases/
      20260315T080000Z/        one complete, finished build per release
      20260316T091500Z/
      current -> 20260316T091500Z   what nginx serves (root .../releases/current)

      20260316T091500Z.sha256  the release's manifest: ``sha256sum`` lines for every file
      .publish.lock            held (``flock``) by the one publish or rollback that runs

A build runs into ``<stamp>.partial``; only a build that exits with 0 and
contains ``index.html`` is precompressed, given its manifest and renamed to
``<stamp>``; only then is ``current`` switched, by creating a temporary symlink
and ``os.replace``-ing it over ``current`` (one ``rename(2)``: readers see the
old or the new release, never a mix).  A failed or killed build therefore
leaves the published site untouched; its ``.partial`` folder is removed by the
next publish.

One publish or rollback runs at a time: each holds an exclusive lock on
``.publish.lock`` (released by the system when the process ends, even by
``kill -9``), so cleaning up ``.partial`` folders never removes another run's
work.  ``current`` is switched only to a release whose files match its manifest
(no file missing, changed or added), so a damaged release is never served; the
manifest can also be checked by hand: ``cd releases/<stamp> && sha256sum -c ../<stamp>.sha256``.
Disk-full and other system errors end in a :class:`PublishError` whose Chinese
message says whether the published site changed (it does not, unless the
switch itself already happened).

This module does not import MkDocs: the build is a command run in a child
process (``python scripts/generate.py build --strict``, with the configured engine).
"""

from __future__ import annotations

import dataclasses
import errno
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CURRENT = "current"
PARTIAL_SUFFIX = ".partial"
MANIFEST_SUFFIX = ".sha256"
LOCK_NAME = ".publish.lock"
#: How long a second publish or rollback waits for the running one before saying so.
LOCK_WAIT_SECONDS = 10.0
UNCHANGED = "正在发布的网站没有任何改动。"
RELEASE_NAME = re.compile(r"^\d{8}T\d{6}Z(?:-\d+)?$")
#: Text types worth precompressing for nginx ``gzip_static``.
GZIP_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map"})
GZIP_MIN_BYTES = 1024


class PublishError(Exception):
    """A publish step failed; the message is Chinese and says what to do."""


@dataclass
class PublishResult:
    """A finished publish: the new release, the one it replaced and what was pruned."""

    release: Path
    previous: Path | None
    pruned: list[Path]
    seconds: float
    gzipped: int
    csp_missing: list[str] = dataclasses.field(default_factory=list)
    manifest_seconds: float = 0.0
    files: int = 0


def list_releases(releases_dir: Path) -> list[Path]:
    """Finished releases, oldest first (partial builds and ``current`` excluded)."""
    if not releases_dir.is_dir():
        return []
    return sorted(p for p in releases_dir.iterdir()
                  if p.is_dir() and not p.is_symlink() and RELEASE_NAME.match(p.name))


def current_release(releases_dir: Path) -> Path | None:
    """The release ``current`` points to, or ``None`` when nothing is published."""
    link = releases_dir / CURRENT
    if not link.is_symlink():
        return None
    target = (releases_dir / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def switch_current(releases_dir: Path, release: Path) -> None:
    """Point ``current`` at ``release`` atomically (temporary symlink + ``os.replace``).

    Refused (:class:`PublishError`) when ``release`` does not match its manifest.
    """
    damaged = verify_release(release)
    if damaged:
        raise PublishError(f"版本 {release.name} 与它的文件清单不符，不能切换到它：{'；'.join(damaged[:5])}"
                           + (f" 等 {len(damaged)} 处" if len(damaged) > 5 else "") + "。" + UNCHANGED
                           + "请改用其它版本（--list 查看），或重新发布。")
    link = releases_dir / CURRENT
    if link.exists() and not link.is_symlink():
        raise PublishError(f"{link} 是一个普通文件夹而不是符号链接，无法安全切换。"
                           f"请把它移走（例如改名为 {link.name}.old）后重新发布。")
    tmp = releases_dir / f".{CURRENT}.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    # A relative target keeps the whole releases folder movable.
    os.symlink(release.name, tmp)
    os.replace(tmp, link)
    _fsync_dir(releases_dir)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def new_release_name(releases_dir: Path, now: float | None = None) -> str:
    """A UTC timestamp name that no release or partial build uses yet."""
    base = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else time.time()))
    name, counter = base, 2
    while (releases_dir / name).exists() or (releases_dir / (name + PARTIAL_SUFFIX)).exists():
        name, counter = f"{base}-{counter}", counter + 1
    return name


def remove_partials(releases_dir: Path) -> list[Path]:
    """Remove folders left by failed or killed builds, and manifests whose release is gone.

    Call only while holding the publish lock: then no other run is writing.
    """
    removed = []
    if releases_dir.is_dir():
        for path in sorted(releases_dir.glob("*" + PARTIAL_SUFFIX)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        for path in releases_dir.glob(f".*{PARTIAL_SUFFIX}.dj-*"):  # the post-pass's and the search worker's files
            shutil.rmtree(path, ignore_errors=True)
        for path in sorted(releases_dir.glob("*" + MANIFEST_SUFFIX + "*")):
            name = path.name.split(MANIFEST_SUFFIX)[0]
            if path.name.endswith(".tmp") or not (releases_dir / name).is_dir():
                path.unlink(missing_ok=True)
        for path in releases_dir.glob(f".{CURRENT}.*.tmp"):  # a switch killed between symlink and rename
            path.unlink(missing_ok=True)
    return removed


# ---------------------------------------------------------------- lock


@contextmanager
def publish_lock(releases_dir: Path, wait: float = LOCK_WAIT_SECONDS):
    """Hold the exclusive publish lock of ``releases_dir``; wait up to ``wait`` seconds for it.

    ``flock`` (``msvcrt.locking`` on Windows) on ``.publish.lock``: the system
    releases it when the holder ends in any way, so a killed run leaves no stale lock.
    """
    releases_dir.mkdir(parents=True, exist_ok=True)
    path = releases_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                holder = _read_holder(path)
                raise PublishError(f"另一个发布或回滚正在进行{holder}，本次没有执行，{UNCHANGED}"
                                   "请等它结束后再运行（--wait 秒数 可以让本次排队等待）。")
            time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _read_holder(path: Path) -> str:
    try:
        pid, _, started = path.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        return ""
    return f"（进程 {pid}，开始于 {started}）" if pid.isdigit() else ""


# ---------------------------------------------------------------- manifest


def manifest_path(release: Path) -> Path:
    """Where the manifest of ``release`` lives: beside it, so nginx never serves it."""
    return release.with_name(release.name + MANIFEST_SUFFIX)


def _release_files(folder: Path) -> tuple[list[str], list[str]]:
    """Relative paths of the regular files under ``folder``, and of anything else (symlinks, devices)."""
    files, odd = [], []
    for top, dirs, names in os.walk(folder):
        for name in sorted(dirs):
            if os.path.islink(os.path.join(top, name)):
                odd.append(os.path.relpath(os.path.join(top, name), folder).replace(os.sep, "/"))
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(top, d)))
        for name in names:
            path = os.path.join(top, name)
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            (files if os.path.isfile(path) and not os.path.islink(path) else odd).append(relative)
    return sorted(files), sorted(odd)


def _digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_manifest(release: Path, target: Path | None = None) -> int:
    """Write ``sha256sum``-format lines for every file of ``release``; returns the file count.

    Written to a temporary file, flushed to disk and renamed into place.
    """
    files, odd = _release_files(release)
    if odd:
        raise PublishError(f"构建结果中有符号链接或特殊文件（{'、'.join(odd[:5])}），不能发布。{UNCHANGED}")
    target = target or manifest_path(release)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for relative in files:
            handle.write(f"{_digest(os.path.join(release, relative))}  {relative}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return len(files)


def verify_release(release: Path) -> list[str]:
    """What is wrong with ``release`` against its manifest, in Chinese; empty when it matches."""
    manifest = manifest_path(release)
    if not release.is_dir():
        return [f"{release.name} 不存在"]
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return [f"缺少文件清单 {manifest.name}（可能是旧版本发布程序生成的，或清单被删除）"]
    expected: dict[str, str] = {}
    for line in lines:
        digest, sep, relative = line.partition("  ")
        if not sep or len(digest) != 64:
            return [f"文件清单 {manifest.name} 已损坏"]
        expected[relative] = digest
    files, odd = _release_files(release)
    problems = [f"多出了 {p}" for p in odd]
    present = set(files)
    problems += [f"缺少 {p}" for p in sorted(expected) if p not in present]
    problems += [f"多出了 {p}" for p in files if p not in expected]
    problems += [f"{p} 的内容被改动" for p in files if p in expected and _digest(os.path.join(release, p)) != expected[p]]
    return problems


def prune_releases(releases_dir: Path, keep: int) -> list[Path]:
    """Delete the oldest releases beyond ``keep``; never the one ``current`` points to."""
    keep = max(keep, 1)
    current = current_release(releases_dir)
    releases = list_releases(releases_dir)
    pruned = []
    for path in releases[: max(len(releases) - keep, 0)]:
        if current is not None and path.resolve() == current:
            continue
        manifest_path(path).unlink(missing_ok=True)  # first: a release without manifest is never switched to
        shutil.rmtree(path)
        pruned.append(path)
    return pruned


def precompress(site: Path) -> int:
    """Write ``file.gz`` next to every text file for nginx ``gzip_static``; returns the count."""
    count = 0
    for path in sorted(site.rglob("*")):
        if path.suffix in GZIP_SUFFIXES and path.is_file() and path.stat().st_size >= GZIP_MIN_BYTES:
            data = path.read_bytes()
            # mtime=0: identical input gives identical .gz (reproducible releases).
            packed = gzip.compress(data, compresslevel=9, mtime=0)
            if len(packed) < len(data):
                Path(str(path) + ".gz").write_bytes(packed)
                count += 1
    return count


def build_command(project: Path, out: Path, config_file: str = "mkdocs.yml") -> list[str]:
    """The strict build used for a release: the generator with the configured engine (scripts/generate.py)."""
    generator = Path(__file__).resolve().parent.parent / "generate.py"
    return [sys.executable, str(generator), "build", "--strict", "-f", str(project / config_file), "-d", str(out)]


def publish(project: Path, releases_dir: Path, *, keep: int = 5, command: list[str] | None = None,
            gzip_files: bool = True, log=print, wait: float = LOCK_WAIT_SECONDS) -> PublishResult:
    """Build a new release and make it current; on any failure leave ``current`` as it was.

    ``command`` replaces the build command (``{out}`` in an argument is replaced
    by the output folder); by default a strict build of ``project`` with its configured engine.
    ``log`` receives one Chinese line as each step starts.
    """
    with publish_lock(releases_dir, wait):
        try:
            return _publish(project, releases_dir, keep, command, gzip_files, log)
        except OSError as exc:
            raise PublishError(os_error_message(exc, switched=False)) from exc


def _publish(project: Path, releases_dir: Path, keep: int, command: list[str] | None, gzip_files: bool, log) -> PublishResult:
    start = time.monotonic()
    for path in remove_partials(releases_dir):
        log(f"清理上次未完成的构建：{path.name}")
    name = new_release_name(releases_dir)
    partial = releases_dir / (name + PARTIAL_SUFFIX)
    try:
        cmd = [a.replace("{out}", str(partial)) for a in command] if command else build_command(project, partial)
        log(f"开始构建新版本 {name} …")
        # No English end-of-life banners in the log a writer reads (see dangjian.generate.QUIET_ENV).
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "true", "DISABLE_MKDOCS_2_WARNING": "true"}
        proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, encoding="utf-8", errors="replace", env=env)
        if proc.returncode != 0 or not (partial / "index.html").is_file():
            raise PublishError(build_failure_message(proc.returncode, (proc.stdout + proc.stderr).strip()))
        # The sample nginx.conf lists the hashes of the allowed inline scripts; say so when they changed.
        nginx = project / "deploy" / "nginx.conf"
        csp = re.search(r'Content-Security-Policy "([^"]*)"', nginx.read_text(encoding="utf-8")) if nginx.is_file() else None
        csp_missing = [h for h in script_hashes(partial) if csp and h not in csp.group(1)]
        log("生成预压缩文件 …")
        gzipped = precompress(partial) if gzip_files else 0
        log("生成文件清单（SHA-256）…")
        manifest_start = time.monotonic()
        release = releases_dir / name
        count = write_manifest(partial, manifest_path(release))
        manifest_seconds = time.monotonic() - manifest_start
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        manifest_path(releases_dir / name).unlink(missing_ok=True)
        raise
    os.replace(partial, release)
    _fsync_dir(releases_dir)
    previous = current_release(releases_dir)
    log(f"切换 current 到 {name} …")
    switch_current(releases_dir, release)
    try:
        pruned = prune_releases(releases_dir, keep)
    except OSError as exc:
        raise PublishError(os_error_message(exc, switched=True, release=name)) from exc
    return PublishResult(release, previous, pruned, time.monotonic() - start, gzipped, csp_missing, manifest_seconds, count)


def build_failure_message(returncode: int, output: str) -> str:
    """The Chinese message for a failed build: the content errors it printed, never a traceback."""
    if "No space left on device" in output or "[Errno 28]" in output:
        return ("构建失败：磁盘空间不足，新版本没有写完。" + UNCHANGED
                + "请清理磁盘空间（例如用 --keep 减少保留的旧版本数）后重新发布。")
    lines = output.splitlines()
    if "Traceback (most recent call last):" in lines:
        # A crash: the lines before it (content errors) and the error itself, not the Python stack.
        cut = lines.index("Traceback (most recent call last):")
        lines = [*lines[:cut], f"（构建程序出错：{lines[-1].strip()}）"]
    tail = "\n".join(lines[-30:])
    return f"构建失败（退出码 {returncode}），{UNCHANGED}请按下面的提示修改内容后重新发布：\n{tail}"


def os_error_message(exc: OSError, *, switched: bool, release: str = "") -> str:
    """The Chinese message for a system error during publishing, saying whether the site changed."""
    where = f"（{exc.filename}）" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        what = f"磁盘空间不足{where}"
        fix = "请清理磁盘空间（例如用 --keep 减少保留的旧版本数）后重新运行。"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what = f"没有写入权限{where}"
        fix = "请检查版本目录的权限，或用有权限的账户运行。"
    else:
        what = f"文件操作失败{where}：{exc.strerror or exc}"
        fix = "请检查磁盘和目录后重新运行。"
    state = (f"新版本 {release} 已经发布（current 已切换），只是清理旧版本时出错。" if switched
             else "新版本没有发布，" + UNCHANGED)
    return f"{what}。{state}{fix}"


def rollback(releases_dir: Path, to: str | None = None, wait: float = LOCK_WAIT_SECONDS) -> tuple[Path, Path]:
    """Point ``current`` at the release before it (or at release ``to``); returns (old, new).

    Only to a release that matches its manifest; holds the publish lock.
    """
    with publish_lock(releases_dir, wait):
        try:
            return _rollback(releases_dir, to)
        except OSError as exc:
            raise PublishError(os_error_message(exc, switched=False)) from exc


def _rollback(releases_dir: Path, to: str | None) -> tuple[Path, Path]:
    current = current_release(releases_dir)
    releases = list_releases(releases_dir)
    if current is None:
        raise PublishError(f"{releases_dir} 中还没有已发布的版本，无法回滚。请先运行 python scripts/publish.py 发布。")
    if to is not None:
        target = releases_dir / to
        if target not in releases:
            names = "、".join(p.name for p in releases) or "（无）"
            raise PublishError(f"找不到版本“{to}”。可回滚的版本有：{names}")
    else:
        older = [p for p in releases if p.name < current.name]
        if not older:
            raise PublishError(f"当前版本 {current.name} 已是保留的最早版本，没有可回滚的上一版本。")
        target = older[-1]
    switch_current(releases_dir, target)
    return current, target


# ---------------------------------------------------------------- Content-Security-Policy

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
_MD_SCOPE = re.compile(r'^__md_scope=new URL\("[./]*",location\)')
#: Material's first inline script names the site root relative to the page ("..", "../.." …).
SCOPE_DEPTHS = 8
#: Nothing is allowed unless listed: no frames, media, plugins or <base>; scripts only from the site
#: (nginx serves .js only from /assets/javascripts/, which writers cannot fill) and the hashed inline ones.
CSP_BASE = ("default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def _sha256(text: str) -> str:
    import base64
    import hashlib
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def inline_scripts(site: Path) -> set[str]:
    """The distinct executable inline scripts of every HTML page of a built site."""
    found: set[str] = set()
    for path in site.rglob("*.html"):
        for match in _INLINE_SCRIPT.finditer(path.read_text(encoding="utf-8", errors="replace")):
            attrs, body = match.group(1), match.group(2)
            if "application/json" in attrs or "application/ld+json" in attrs or not body.strip():
                continue
            found.add(body)
            if _MD_SCOPE.match(body):
                # Every depth a page can have, so deeper pages added later still pass.
                found.update(_MD_SCOPE.sub(f'__md_scope=new URL("{scope}",location)', body, count=1)
                             for scope in [".", "/"] + ["/".join([".."] * n) for n in range(1, SCOPE_DEPTHS + 1)])
    return found


def script_hashes(site: Path) -> list[str]:
    """CSP ``'sha256-…'`` sources for the site's inline scripts, sorted."""
    return sorted(_sha256(body) for body in inline_scripts(site))


def compute_csp(site: Path) -> str:
    """A Content-Security-Policy that the built ``site`` passes with no violation.

    Scripts: only files from the site itself and the hashed inline scripts of
    Material (colour palette, ``__md_scope``) and the theme; no ``'unsafe-inline'``.
    Styles allow inline ``style=""`` attributes, which Material and the SVG charts use.
    """
    return CSP_BASE.format(hashes=" ".join(script_hashes(site)))
