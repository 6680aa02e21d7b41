#!/usr/bin/env python3
"""Convert a GBK/GB18030 (Windows “ANSI”) text file to UTF-8 in place, keeping a ``.bak`` copy.

    python scripts/fix_encoding.py "brands/<slug>/index.md" [more files]

This is the command the build's encoding message names.  The backup is hidden
(``.index.md.bak``) so the build never publishes it.  A file that is
already UTF-8 is left untouched; a file that is neither is reported and left
untouched.  Exit status 1 when any file could not be converted.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def convert(path: Path) -> tuple[bool, str]:
    """Convert one file; returns ``(ok, Chinese message)``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return False, f"{path}：无法读取（{exc.strerror}），请核对路径。"
    try:
        raw.decode("utf-8")
        return True, f"{path}：已经是 UTF-8 编码，无需转换。"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False, f"{path}：既不是 UTF-8 也不是 GBK 编码，未修改。请用记事本“另存为”，编码选 UTF-8。"
    # Hidden (leading dot): neither MkDocs nor the brand bundles publish it.
    backup = path.with_name("." + path.name + ".bak")
    shutil.copy2(path, backup)
    path.write_bytes(text.encode("utf-8"))
    return True, f"{path}：已从 GBK 转换为 UTF-8（原文件备份为 {backup.name}，确认无误后可删除）。"


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    ok = True
    for name in argv:
        done, message = convert(Path(name))
        print(message, file=sys.stdout if done else sys.stderr)
        ok = ok and done
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
