"""The project's settings, declared once with type, default and meaning.

They are read from ``extra.dangjian`` in ``mkdocs.yml`` (any other front end
can pass the same mapping).  Unknown keys and wrong types are reported in
Chinese like content errors.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .problems import Problem


@dataclass(frozen=True)
class Settings:
    """Settings of the 党建宣传 generator; every field documents itself."""

    brands_dir: str = "brands"
    """Folder of brand bundles and registries, relative to the project root."""

    models_dir: str = "models"
    """Folder of 模范机关 examples, relative to ``docs_dir``."""

    study_dir: str = "study"
    """Folder of 学习资料 (one sub-folder per topic), relative to ``docs_dir``."""

    home_featured_count: int = 4
    """How many featured brands the home page shows."""

    home_latest_count: int = 6
    """How many of the newest brands / study materials the home page shows."""

    description_max_chars: int = 120
    """A brand's one-sentence description longer than this is a warning."""

    image_cache_dir: str = ".cache/images"
    """Where processed photos are cached (relative to the project root; ignored by git)."""

    image_quality: int = 80
    """WebP/JPEG quality of processed photos (1-100)."""

    image_warn_mb: int = 10
    """An original photo larger than this many MB is a warning (it is still processed)."""

    engine: str = "mkdocs"
    """Which engine builds the site: mkdocs, properdocs or zensical (environment variable DJ_ENGINE overrides it)."""

    search_guides: bool = False
    """Put the guides (``docs/guide/``) into the readers' search, as the last-ranked 栏目 使用指南."""

    intranet_hosts: tuple = ()
    """Host names of intranet sites that content may link to and load resources from (e.g. ``oa.minghu.intranet``)."""

    attach_compilations: bool = False
    """汇编下载: the build attaches each section's latest Word compilation (brands, models, each study topic) to its page."""

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None, source: str = "mkdocs.yml") -> tuple[Settings, list[Problem]]:
        """Build settings from a mapping, reporting unknown keys and wrong types."""
        data = dict(data or {})
        problems: list[Problem] = []
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            spec = known.get(key)
            if spec is None:
                problems.append(Problem(source, f"extra.dangjian 中有未知设置“{key}”。",
                                        f"可用的设置有：{'、'.join(known)}。", field=key, code="settings"))
                continue
            expected = type(getattr(cls, key))
            if expected is tuple and isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = tuple(value)
            if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
                problems.append(Problem(source, f"设置“{key}”的类型应为 {expected.__name__}，这里是 {value!r}。",
                                        f"改为与默认值 {getattr(cls, key)!r} 同类型的值。", field=key, code="settings"))
                continue
            values[key] = value
        return cls(**values), problems
