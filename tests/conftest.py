"""Shared fixtures: real MkDocs builds of small projects written into tmp_path.

``make_project`` writes a complete project (mkdocs.yml pointing at the repo's
hooks, theme overrides and assets, registries, brands, docs) and ``run_build``
runs the real ``mkdocs build`` command on it.  ``sample_site`` builds the
repository's own sample content once per test session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

UNITS = [
    {"name": "江城市财政局", "short": "市财政局", "group": "经济系统"},
    {"name": "江城市税务局", "short": "市税务局", "group": "经济系统"},
    {"name": "江城市公安局", "short": "市公安局", "group": "政法系统"},
    {"name": "江城市教育局", "short": "市教育局", "group": "社会事业系统"},
]
CATEGORIES = [
    {"name": "党建业务融合", "description": "推动党建与业务深度融合。"},
    {"name": "为民服务", "description": "以党建引领为民服务。"},
]


def brand_text(**overrides) -> str:
    """A valid brand index.md; keyword arguments replace or (with None) drop keys."""
    meta = {
        "title": "红心理财",
        "unit": "市财政局",
        "branch": "预算科党支部",
        "category": "党建业务融合",
        "description": "以红心守护钱袋子。",
        "slogan": "红心向党 理财为民",
        "year": 2021,
        "date": "2026-03-15",
        "honors": ["市直机关先锋杯一等奖"],
        "tags": ["三会一课"],
    }
    for key, value in overrides.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    body = "## 品牌内涵\n\n坚持“三会一课”制度，推动党建与预算管理深度融合。\n"
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body


def doc_text(meta: dict, body: str = "## 正文\n\n内容。\n") -> str:
    """A Markdown file with front matter."""
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body


@dataclass
class BuildResult:
    """Outcome of a real ``mkdocs build``."""

    returncode: int
    output: str
    site: Path

    def html(self, url: str) -> str:
        """The HTML of a page by its directory URL (``brands/x/``) or file path."""
        path = self.site / url
        if url.endswith("/") or url == "":
            path = path / "index.html"
        return path.read_text(encoding="utf-8")

    def exists(self, url: str) -> bool:
        """Whether the built site has this page or file."""
        path = self.site / url
        return (path / "index.html").exists() if url.endswith("/") else path.exists()


def make_project(root: Path, *, brands: dict[str, str | dict[str, bytes | str]] | None = None,
                 units: list | str | None = None, categories: list | str | None = None,
                 docs: dict[str, str | bytes] | None = None, extra_config: dict | None = None) -> Path:
    """Write a project into ``root``.

    ``brands`` maps a slug to its index.md text, or to a dict of file name →
    content (text or bytes).  ``docs`` maps docs-relative paths to content.
    """
    root.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = [str(REPO / "scripts" / "hooks.py")]
    config["theme"]["custom_dir"] = str(REPO / "overrides")
    config["watch"] = []
    config.update(extra_config or {})
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    docs_dir = root / "docs"
    shutil.copytree(REPO / "docs" / "assets", docs_dir / "assets")
    shutil.copy(REPO / "docs" / "index.md", docs_dir / "index.md")
    shutil.copytree(REPO / "docs" / "guide", docs_dir / "guide")  # the nav names the guides
    brands_dir = root / "brands"
    brands_dir.mkdir()
    for name, value in (("units.yml", UNITS if units is None else units), ("categories.yml", CATEGORIES if categories is None else categories)):
        text = value if isinstance(value, str) else yaml.safe_dump(value, allow_unicode=True, sort_keys=False)
        (brands_dir / name).write_text(text, encoding="utf-8")
    for slug, content in (brands or {}).items():
        folder = brands_dir / slug
        folder.mkdir()
        files = content if isinstance(content, dict) else {"index.md": content}
        for name, data in files.items():
            _write(folder / name, data)
    for rel_path, data in (docs or {}).items():
        _write(docs_dir / rel_path, data)
    return root


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(textwrap.dedent(data) if data.startswith("\n") else data, encoding="utf-8")


#: The engine the tests build with (``DJ_ENGINE``, as ./dev.sh build; None: mkdocs.yml's, else MkDocs).
ENGINE = os.environ.get("DJ_ENGINE") or None


def run_build(project: Path, *, strict: bool = False, site_dir: Path | None = None, config_file: str = "mkdocs.yml",
              engine: str | None = ENGINE) -> BuildResult:
    """Build ``project`` as ``./dev.sh build`` does (scripts/generate.py: pre-pass, engine, post-pass)."""
    site = site_dir or project / "site"
    cmd = [sys.executable, str(REPO / "scripts" / "generate.py"), "build", "-f", config_file, "-d", str(site)]
    if engine:
        cmd += ["--engine", engine]
    if strict:
        cmd.append("--strict")
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, encoding="utf-8", timeout=600)
    return BuildResult(proc.returncode, proc.stdout + proc.stderr, site)


def run_hook_build(project: Path, *, strict: bool = False, site_dir: Path | None = None) -> BuildResult:
    """Plain ``mkdocs build`` with the hook (scripts/hooks.py), as ``mkdocs serve`` previews."""
    site = site_dir or project / "site"
    cmd = [sys.executable, "-m", "mkdocs", "build", "-d", str(site)] + (["--strict"] if strict else [])
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, encoding="utf-8", timeout=600,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "true", "DISABLE_MKDOCS_2_WARNING": "true"})
    return BuildResult(proc.returncode, proc.stdout + proc.stderr, site)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> BuildResult:
    """The repository's own sample site, built once with --strict."""
    site = tmp_path_factory.mktemp("sample") / "site"
    result = run_build(REPO, strict=True, site_dir=site)
    assert result.returncode == 0, result.output
    return result


class Preview:
    """``mkdocs serve --dirty`` (what ./dev.sh serve runs) on a free port, its log in a file."""

    def __init__(self, project: Path, log_path: Path, env: dict[str, str] | None = None):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.project, self.log_path = project, log_path
        self.base = f"http://127.0.0.1:{self.port}/"
        with open(log_path, "w", encoding="utf-8") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{self.port}"],
                                         cwd=project, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         env={**os.environ, **(env or {})})

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def fetch(self, path: str = "") -> str:
        import urllib.request
        try:
            with urllib.request.urlopen(self.base + path, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""

    def wait(self, path: str, predicate, seconds: float = 120) -> str:
        """The page at ``path`` once ``predicate(text)`` holds (the test fails with the log after ``seconds``)."""
        import time
        deadline = time.monotonic() + seconds
        while True:
            text = self.fetch(path)
            if predicate(text):
                return text
            assert self.proc.poll() is None and time.monotonic() < deadline, self.log()[-3000:]
            time.sleep(0.1)

    def wait_for(self, condition, seconds: float = 120) -> None:
        """Until ``condition()`` holds."""
        import time
        deadline = time.monotonic() + seconds
        while not condition():
            assert self.proc.poll() is None and time.monotonic() < deadline, self.log()[-3000:]
            time.sleep(0.1)

    def stop(self, sig=None) -> str:
        """Stop the preview (Ctrl+C unless told otherwise); returns its log."""
        import signal
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig or signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.log()


@pytest.fixture
def preview(tmp_path):
    """Start previews with ``preview(project, env=…)``; every one is stopped after the test."""
    started: list[Preview] = []

    def start(project: Path, env: dict[str, str] | None = None) -> Preview:
        run = Preview(project, tmp_path / f"serve-{len(started)}.log", env)
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()


def watching_brands(project: Path) -> Path:
    """``project`` with ``brands/`` watched by the preview, as the sample mkdocs.yml does."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("watch: []", "watch: [brands]"), encoding="utf-8")
    return project
