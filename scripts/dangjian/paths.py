"""Symlink-safe path checks that stay fast over thousands of files.

``Path.resolve()`` walks every component of a path with ``lstat``; a 4,000-page
archive called it some 40,000 times per build.  Here the real path of each
folder is looked up once per build, and a file costs one ``lstat`` (to see
whether the file itself is a symlink).  :func:`forget` drops what was learned,
so a new build (``mkdocs serve`` rebuilds in the same process) sees moved or
re-linked folders.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

_FOLDERS: dict[str, str] = {}
_PATHS: dict[str, str] = {}


def forget() -> None:
    """Forget the real paths learned (call at the start of every build)."""
    _FOLDERS.clear()
    _PATHS.clear()


def real_path(path: Path | str) -> str:
    """``os.path.realpath(path)``, with the real path of the containing folder cached."""
    name = os.fspath(path)
    known = _PATHS.get(name)
    if known is None:
        known = _PATHS[name] = _real_path(name)
    return known


def _real_path(path: str) -> str:
    absolute = os.path.abspath(path)
    head, tail = os.path.split(absolute)
    if not tail:
        return os.path.realpath(absolute)
    real_head = _FOLDERS.get(head)
    if real_head is None:
        real_head = _FOLDERS[head] = os.path.realpath(head)
    full = os.path.join(real_head, tail)
    try:
        if stat.S_ISLNK(os.lstat(full).st_mode):
            return os.path.realpath(full)
    except OSError:
        pass  # a missing file: its would-be real path
    return full


def is_inside(path: Path | str, root: Path | str) -> bool:
    """True when ``path``, following symlinks, lies in ``root`` (or is ``root``)."""
    real, real_root = real_path(path), real_path(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def is_linked(path: Path | str, base: Path | str) -> bool:
    """True when ``path`` or a folder between ``base`` and it is a symlink (or it lies outside ``base``)."""
    absolute, absolute_base = os.path.abspath(path), os.path.abspath(base)
    relative = os.path.relpath(absolute, absolute_base)
    if relative == os.curdir:
        return False
    if relative.startswith(os.pardir):
        return True
    return real_path(absolute) != os.path.join(real_path(absolute_base), relative)


def folder_beside(site_dir: Path | None, tag: str) -> Path:
    """A new hidden work folder ``.<site>.dj-<tag>-*`` next to ``site_dir`` (one file system: its files are
    moved into the site by renaming, even where /tmp is a RAM disk), else in the system's temporary folder.
    ``publish`` removes the ones an interrupted build left next to a release."""
    if site_dir is not None:
        try:
            site_dir.parent.mkdir(parents=True, exist_ok=True)
            return Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.dj-{tag}-", dir=site_dir.parent))
        except OSError:  # a parent folder one may not write in
            pass
    return Path(tempfile.mkdtemp(prefix=f"dj-{tag}-"))
