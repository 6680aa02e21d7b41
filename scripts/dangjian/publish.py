"""Safe publishing: build into a new release, then switch a symlink atomically.

Layout under the releases directory (``releases/`` by default)::

    releases/
      20260315T080000Z/        one complete, finished build per release
      20260316T091500Z/
      current -> 20260316T091500Z   what nginx serves (root .../releases/current)

A build runs into ``<stamp>.partial``; only a build that exits with 0 and
contains ``index.html`` is renamed to ``<stamp>`` and only then is ``current``
switched, by creating a temporary symlink and ``os.replace``-ing it over
``current`` (one ``rename(2)``: readers see the old or the new release, never
a mix).  A failed or killed build therefore leaves the published site
untouched; its ``.partial`` folder is removed by the next publish.

This module does not import MkDocs: the build is a command run in a child
process (``python -m mkdocs build --strict``).
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

CURRENT = "current"
PARTIAL_SUFFIX = ".partial"
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
    """Point ``current`` at ``release`` atomically (temporary symlink + ``os.replace``)."""
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
    """Remove folders left by failed or killed builds."""
    removed = []
    if releases_dir.is_dir():
        for path in sorted(releases_dir.glob("*" + PARTIAL_SUFFIX)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def prune_releases(releases_dir: Path, keep: int) -> list[Path]:
    """Delete the oldest releases beyond ``keep``; never the one ``current`` points to."""
    keep = max(keep, 1)
    current = current_release(releases_dir)
    releases = list_releases(releases_dir)
    pruned = []
    for path in releases[: max(len(releases) - keep, 0)]:
        if current is not None and path.resolve() == current:
            continue
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
    """The strict MkDocs build used for a release."""
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(project / config_file), "-d", str(out)]


def publish(project: Path, releases_dir: Path, *, keep: int = 5, command: list[str] | None = None,
            gzip_files: bool = True, log=print) -> PublishResult:
    """Build a new release and make it current; on any failure leave ``current`` as it was.

    ``command`` replaces the build command (``{out}`` in an argument is replaced
    by the output folder); by default a strict MkDocs build of ``project``.
    """
    start = time.monotonic()
    releases_dir.mkdir(parents=True, exist_ok=True)
    for path in remove_partials(releases_dir):
        log(f"清理上次未完成的构建：{path.name}")
    name = new_release_name(releases_dir)
    partial = releases_dir / (name + PARTIAL_SUFFIX)
    cmd = [a.replace("{out}", str(partial)) for a in command] if command else build_command(project, partial)
    log(f"开始构建新版本 {name} …")
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if proc.returncode != 0 or not (partial / "index.html").is_file():
        shutil.rmtree(partial, ignore_errors=True)
        output = (proc.stdout + proc.stderr).strip()
        tail = "\n".join(output.splitlines()[-30:])
        raise PublishError(f"构建失败（退出码 {proc.returncode}），正在发布的网站没有任何改动。"
                           f"请按下面的提示修改内容后重新发布：\n{tail}")
    # The sample nginx.conf lists the hashes of the allowed inline scripts; say so when they changed.
    nginx = project / "deploy" / "nginx.conf"
    csp = re.search(r'Content-Security-Policy "([^"]*)"', nginx.read_text(encoding="utf-8")) if nginx.is_file() else None
    csp_missing = [h for h in script_hashes(partial) if csp and h not in csp.group(1)]
    gzipped = precompress(partial) if gzip_files else 0
    release = releases_dir / name
    os.replace(partial, release)
    previous = current_release(releases_dir)
    switch_current(releases_dir, release)
    pruned = prune_releases(releases_dir, keep)
    return PublishResult(release, previous, pruned, time.monotonic() - start, gzipped, csp_missing)


def rollback(releases_dir: Path, to: str | None = None) -> tuple[Path, Path]:
    """Point ``current`` at the release before it (or at release ``to``); returns (old, new)."""
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
CSP_BASE = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")


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
