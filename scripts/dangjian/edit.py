"""Edit links ("编辑此页") that point at a page's real source file in the repository."""

from __future__ import annotations

import os
from pathlib import Path

from .paths import real_path


def source_edit_path(source: Path, docs_dir: Path) -> str:
    """``source`` relative to ``docs_dir`` with ``/``, for MkDocs' ``file.edit_uri``.

    MkDocs joins ``repo_url`` + ``edit_uri`` (which ends in the docs folder, e.g.
    ``_edit/main/docs/``) with this path; ``..`` segments are resolved by the URL
    join, so ``../brands/x/index.md`` edits ``brands/x/index.md`` in the repository.
    """
    return Path(os.path.relpath(real_path(source), real_path(docs_dir))).as_posix()
