"""The theme files copied into overrides/ follow the theme they were copied from.

``overrides/`` replaces some of Material's (and Zensical's) templates with edited copies
(escaping, no outside requests, Chinese labels).  When the theme is upgraded (9.8.x security
releases before 2027-05-05, a newer Zensical), the original of a copied file may change — a
fix the copy does not have.  ``tests/theme_upstream.json`` records the original of every copied
file as it was when the copy was last compared; this test fails naming each file whose original
has changed since.  Compare the copy with the new original, carry the change over, then run

    .venv/bin/python tests/test_theme_upstream.py

to record the new originals.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OVERRIDES = REPO / "overrides"
RECORD = Path(__file__).with_name("theme_upstream.json")
THEMES = {"material": "mkdocs-material", "zensical": "zensical"}  # package → distribution


def originals() -> dict[str, dict]:
    """Per theme: its version and the SHA-256 of the original of every file overrides/ replaces."""
    found = {}
    for package, dist in THEMES.items():
        templates = Path(importlib.util.find_spec(package).origin).parent / "templates"
        files = {}
        for copy in sorted(OVERRIDES.rglob("*.html")):
            rel = copy.relative_to(OVERRIDES).as_posix()
            if (templates / rel).is_file():
                files[rel] = hashlib.sha256((templates / rel).read_bytes()).hexdigest()
        found[package] = {"version": importlib.metadata.version(dist), "files": files}
    return found


def test_copied_theme_files_were_compared_with_the_installed_theme():
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    now = originals()
    changed = []
    for package, theme in now.items():
        before = recorded.get(package, {"version": "?", "files": {}})
        for rel, digest in theme["files"].items():
            if before["files"].get(rel) != digest:
                changed.append(f"{package} {before['version']} → {theme['version']}: overrides/{rel}")
    assert not changed, ("主题升级后，这些被复制改写的模板的原件变了，请逐个对照新原件检查 overrides/ 中的副本，"
                         "再运行 .venv/bin/python tests/test_theme_upstream.py 记录新原件：\n" + "\n".join(changed))
    assert now["material"]["files"], "overrides/ replaces no theme file: is the theme installed?"


if __name__ == "__main__":
    RECORD.write_text(json.dumps(originals(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"已记录：{RECORD}")
    sys.exit(0)
