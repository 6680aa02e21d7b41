#!/usr/bin/env python3
"""Add the one-click local viewer to a built site for the CI preview artifact:

    python3 scripts/preview_kit.py site

Writes 本地预览.bat, 本地预览.sh and serve_preview.py into the folder (see
:mod:`dangjian.preview_kit`); standard library only, so CI runs it without the venv.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dangjian.preview_kit import write_preview_launchers


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not (Path(args[0]) / "index.html").is_file():
        print("用法：python3 scripts/preview_kit.py <构建好的网站文件夹，如 site>", file=sys.stderr)
        return 2
    for path in write_preview_launchers(Path(args[0])):
        print(f"已添加 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
