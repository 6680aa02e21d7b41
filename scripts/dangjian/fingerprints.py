"""Which generated pages changed since the previous build (for ``mkdocs serve --dirty``).

A generated page (a brand page, a listing) has no source file whose time
MkDocs could compare, so a dirty build would rebuild all of them.  Instead
each page's generated Markdown is hashed together with a stamp of what shapes
every page (the configuration and the theme overrides); a page is rebuilt only
when its hash differs from the previous build's, or its HTML is missing.
Editing one brand thus rebuilds that brand and the listings that show it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path


def stamp_of(paths: list[Path]) -> str:
    """A short stamp of files and folders (names, sizes, modification times)."""
    digest = hashlib.sha256()
    for root in paths:
        items = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        for path in items:
            st = path.stat()
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class PageFingerprints:
    """Hashes of generated pages of the previous build, stored in the cache folder."""

    def __init__(self, cache_dir: Path, site_dir: Path, stamp: str):
        key = hashlib.sha256(str(site_dir.resolve()).encode()).hexdigest()[:12]
        self.path = cache_dir / f"generated-pages-{key}.json"
        self.stamp = stamp
        try:
            self.previous: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.previous = {}
        self.current: dict[str, str] = {}

    def record(self, src_uri: str, content: str) -> bool:
        """Remember this build's page; True when it differs from the previous build."""
        digest = hashlib.sha256((self.stamp + "\0" + content).encode()).hexdigest()
        self.current[src_uri] = digest
        return self.previous.get(src_uri) != digest

    def save(self) -> None:
        """Store this build's hashes (atomically; a killed build leaves the old file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.current, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
