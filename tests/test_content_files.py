"""Files and symlinks from writers: only an allow-list is published, no symlink is followed.

One hostile project holds every kind of file a writer could drop into docs/ or
a brand bundle (.html, .js, .css, .svg, an executable, unknown types, a script
in docs/assets/) and symlinks of every shape (a file, a page, a brand folder,
a broken link, /etc/passwd, /proc/self/environ).  It is built for real while the
output folder is watched with inotify, so a file that is copied and deleted
again later in the build is caught too; then the output is checked again.
A linked folder under docs/ stops the build before MkDocs walks it (MkDocs
follows folder links before any hook runs; a link to / or to a parent would
read the whole disk or never end).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import brand_text, doc_text, make_project, run_build
from PIL import Image

from dangjian.content_files import PROJECT_ASSETS, scan_content_files
from dangjian.loader import load_site

SECRET = "DJ-SECRET-7f3a9c"  # in the build's environment and in files outside the project
STUDY = {"title": "学习资料", "date": "2026-03-01", "description": "一篇学习资料。"}
HOSTILE_NAMES = ("evil", "passwd", "environ", "secret", "linkdir", "linked", "broken", "draft-only",
                 "unused", "tool", "noext", "data.bin", "wai-bu", "logo-svg")


def jpeg(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


SCRIPT = "<script>alert(document.domain)</script>"
DRAFT_COLOUR, OUTSIDE_COLOUR = (0, 0, 200), (200, 200, 0)  # photos only a draft or a symlink refers to


def hostile_project(base: Path, folder_link: bool = False) -> Path:
    """Every hostile file and link; ``folder_link`` adds a linked folder under docs/ (a build stops on it at once)."""
    outside = base / "outside"
    (outside / "stolen").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret.pdf").write_bytes(b"%PDF-1.4 " + SECRET.encode())
    (outside / "photo.jpg").write_bytes(jpeg(OUTSIDE_COLOUR))
    (outside / "stolen" / "index.md").write_text(brand_text(title="外部品牌") + SECRET, encoding="utf-8")
    (outside / "stolen" / "page.md").write_text(doc_text(STUDY, SECRET), encoding="utf-8")
    study = {**STUDY, "attachments": ["fu-jian.pdf"]}
    project = make_project(base / "project", brands={
        "hong-xin": {"index.md": brand_text(logo="logo.png") + "\n![党员活动](photo-1.jpg)\n",
                     "photo-1.jpg": jpeg(), "logo.png": jpeg(), "shen-bao.pdf": b"%PDF-1.4 ok",
                     "evil.html": SCRIPT, "evil.js": "alert(1)", "logo-svg.svg": f"<svg onload='alert(1)'>{SCRIPT}</svg>",
                     "evil.css": "body{}", "notes.md": "# x"},
        "cao-gao": {"index.md": brand_text(title="草稿品牌", draft=True), "draft-only.jpg": jpeg(DRAFT_COLOUR)},
    }, docs={
        "study/topics.yml": "lilun:\n  title: 理论学习\n",
        "study/lilun/hao-wen-zhang.md": doc_text(study, "## 正文\n\n![学习现场](used.jpg)\n\n[下载清单](qing-dan.csv)\n"),
        "study/lilun/fu-jian.pdf": b"%PDF-1.4 declared",
        "study/lilun/qing-dan.csv": "a,b\n1,2\n",
        "study/lilun/used.jpg": jpeg((0, 120, 0)),
        "study/lilun/cao-gao.md": doc_text({**STUDY, "draft": True}, "![草稿照片](draft-only.jpg)\n[附件](unused.pdf)\n"),
        "study/lilun/draft-only.jpg": jpeg(DRAFT_COLOUR),
        "study/lilun/unused.pdf": b"%PDF-1.4 unused",
        "study/lilun/evil.html": SCRIPT,
        "study/lilun/evil.js": "alert(1)",
        "study/lilun/evil.svg": f"<svg xmlns='http://www.w3.org/2000/svg'>{SCRIPT}</svg>",
        "study/lilun/tool.exe": b"MZ\x90\x00",
        "study/lilun/data.bin": b"\x00\x01",
        "study/lilun/noext": "x",
        "guide/evil.htm": SCRIPT,
        "assets/javascripts/evil.js": "alert(1)",
        "assets/stylesheets/evil.css": "body{background:url(x)}",
        "assets/images/evil.svg": "<svg/>",
    })
    docs, brands = project / "docs", project / "brands"
    (docs / "passwd.md").symlink_to("/etc/passwd")
    (docs / "environ.md").symlink_to("/proc/self/environ")
    (docs / "study" / "lilun" / "linked.md").symlink_to("hao-wen-zhang.md")  # inside the project: refused too
    (docs / "study" / "lilun" / "linked.jpg").symlink_to(outside / "photo.jpg")
    (docs / "study" / "lilun" / "broken.pdf").symlink_to(base / "nowhere.pdf")
    if folder_link:
        (docs / "linkdir").symlink_to(outside / "stolen", target_is_directory=True)
    (docs / "zhao-pian.md").write_text("![照片](study/lilun/linked.jpg)\n", encoding="utf-8")
    (brands / "hong-xin" / "passwd.jpg").symlink_to("/etc/passwd")
    (brands / "hong-xin" / "secret.pdf").symlink_to(outside / "secret.pdf")
    (brands / "wai-bu").symlink_to(outside / "stolen", target_is_directory=True)
    return project


class OutputWatcher:
    """Every path created in or moved into a folder while a build runs (inotify, via watchdog)."""

    def __init__(self, folder: Path):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers.inotify import InotifyObserver

        self.seen: set[str] = set()
        self.folder = folder
        lock = threading.Lock()
        seen = self.seen

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                with lock:
                    for path in (event.src_path, getattr(event, "dest_path", "")):
                        if path and os.fspath(path).startswith(str(folder)):
                            seen.add(os.path.relpath(path, folder).replace(os.sep, "/"))

        self.observer = InotifyObserver()
        self.observer.schedule(Handler(), str(folder), recursive=True)

    def __enter__(self):
        self.observer.start()
        return self

    def __exit__(self, *exc):
        self.observer.stop()
        self.observer.join(10)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("files")
    project = hostile_project(base)
    site = base / "site"
    site.mkdir()
    os.environ[SECRET] = SECRET  # /proc/self/environ of the build would show it
    try:
        with OutputWatcher(site) as watcher:
            result = run_build(project, site_dir=site)
        strict = run_build(project, strict=True, site_dir=base / "strict-site")
        check = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[1] / "scripts" / "check.py"),
                                "--root", str(project)], capture_output=True, text=True, encoding="utf-8", timeout=300)
    finally:
        del os.environ[SECRET]
    after = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    return project, result, strict, check, watcher.seen, after


def refused_in(paths: set[str]) -> list[str]:
    """Output paths that only a refused source could have produced."""
    theme_dirs = ("assets/javascripts/", "assets/stylesheets/", "assets/images/")
    return [path for path in sorted(paths) if _refused(path, theme_dirs)]


def _refused(path: str, theme_dirs: tuple[str, ...]) -> bool:
    name = path.rsplit("/", 1)[-1]
    suffix = os.path.splitext(name)[1].lower()
    if any(marker in path for marker in HOSTILE_NAMES) or suffix in {".htm", ".exe", ".bin", ".md", ".yml"}:
        return True
    if suffix == ".html":
        return name not in {"index.html", "404.html"}
    if suffix in {".js", ".css", ".svg"} and path.startswith(theme_dirs) and path.count("/") == 2:
        return path not in PROJECT_ASSETS and not _material_asset(path)
    return suffix in {".js", ".css"} and not path.startswith("assets/")


def _material_asset(path: str) -> bool:
    import material
    return (Path(material.__file__).parent / "templates" / path).is_file()


def test_nothing_outside_the_allow_list_reaches_the_output_during_or_after_the_build(built):
    _, result, _, _, seen, after = built
    assert "Traceback" not in result.output, result.output[-3000:]
    assert result.returncode == 0, result.output[-3000:]
    assert seen, "the watcher saw nothing: the build did not write into the watched folder"
    assert after - seen == set(), "files appeared that inotify did not report"
    assert refused_in(seen) == [] and refused_in(after) == []
    for path in (p for p in Path(result.site).rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        assert b"root:x:0:0" not in data, path
        assert b"alert(document.domain)" not in data, path
        if path.suffix in {".jpg", ".webp", ".png"}:  # processed photos are named by hash: tell them by colour
            with Image.open(path) as image:
                colour = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
            assert not any(all(abs(a - b) < 40 for a, b in zip(colour, c, strict=True)) for c in (DRAFT_COLOUR, OUTSIDE_COLOUR)), path


def test_allowed_files_are_published(built):
    _, result, *_ = built
    assert result.exists("study/lilun/hao-wen-zhang/")
    assert result.exists("study/lilun/fu-jian.pdf")  # declared attachment
    assert result.exists("study/lilun/qing-dan.csv")  # linked from a published page
    assert result.exists("brands/hong-xin/shen-bao.pdf")
    assert '<img alt="学习现场"' in result.html("study/lilun/hao-wen-zhang/")
    for asset in PROJECT_ASSETS:
        assert result.exists(asset), asset


def test_each_refused_file_is_an_error_naming_it(built):
    _, _, strict, check, *_ = built
    assert strict.returncode == 1 and "Traceback" not in strict.output
    assert check.returncode == 1 and "Traceback" not in check.stderr
    expect = {
        "docs/study/lilun/evil.html": "不能发布", "docs/study/lilun/evil.js": "不能发布", "docs/study/lilun/tool.exe": "不能发布",
        "docs/study/lilun/data.bin": "不能发布", "docs/study/lilun/noext": "没有扩展名", "docs/guide/evil.htm": "不能发布",
        "docs/study/lilun/evil.svg": "SVG", "brands/hong-xin/logo-svg.svg": "SVG", "brands/hong-xin/evil.html": "不能发布",
        "brands/hong-xin/evil.js": "不能发布", "brands/hong-xin/evil.css": "不能发布", "brands/hong-xin/notes.md": "不能发布",
        "docs/assets/javascripts/evil.js": "PROJECT_ASSETS", "docs/assets/stylesheets/evil.css": "PROJECT_ASSETS",
        "docs/assets/images/evil.svg": "PROJECT_ASSETS",
        "docs/passwd.md": "符号链接", "docs/environ.md": "符号链接",
        "docs/study/lilun/linked.md": "符号链接", "docs/study/lilun/linked.jpg": "符号链接", "docs/study/lilun/broken.pdf": "符号链接",
        "brands/hong-xin/passwd.jpg": "符号链接", "brands/hong-xin/secret.pdf": "符号链接", "brands/wai-bu": "符号链接",
    }
    for path, word in expect.items():
        build_lines = [line for line in strict.output.splitlines() if f"{path}：" in line]
        assert build_lines and word in build_lines[0] and "修改方法" in build_lines[0], (path, build_lines)
        assert f"\n{path}\n" in "\n" + check.stdout, path
    assert "指向项目文件夹之外" in next(line for line in strict.output.splitlines() if "docs/passwd.md：" in line)
    assert "指向项目文件夹之外" not in next(line for line in strict.output.splitlines() if "docs/study/lilun/linked.md：" in line)
    # Draft-only and unreferenced files are silently left out: not errors.
    for quiet in ("draft-only.jpg", "unused.pdf", "fu-jian.pdf", "qing-dan.csv", "used.jpg"):
        assert quiet not in check.stdout and f"{quiet}：" not in strict.output


def test_symlinked_registry_is_refused_and_not_read(tmp_path):
    outside = tmp_path / "elsewhere.yml"
    outside.write_text("- name: 外部单位\n  short: 外部\n  group: 外部系统\n", encoding="utf-8")
    project = make_project(tmp_path / "p", brands={"hong-xin": brand_text()}, docs={"study/topics.yml": "lilun:\n  title: 理论\n"})
    (project / "brands" / "units.yml").unlink()
    (project / "brands" / "units.yml").symlink_to(outside)
    topics = project / "docs" / "study" / "topics.yml"
    topics.rename(project / "topics-real.yml")
    topics.symlink_to(project / "topics-real.yml")
    site = load_site(project, project / "docs")
    assert ([u.name for u in site.units] == [] and site.topics == []) or all(t.title != "理论" for t in site.topics)
    paths = {p.path for p in site.problems if p.code == "symlink"}
    assert {"brands/units.yml", "docs/study/topics.yml"} <= paths


def test_scan_never_enters_a_linked_folder(tmp_path):
    project = make_project(tmp_path / "p")
    loop = project / "docs" / "loop"
    loop.symlink_to(project / "docs", target_is_directory=True)  # a loop: walking it would never end
    (project / "docs" / "root").symlink_to("/", target_is_directory=True)
    content = scan_content_files(project, project / "docs", project / "brands")
    assert not any(p.startswith(("loop/", "root/")) for p in content.pages | content.files)
    assert {p.path for p in content.problems} == {"docs/loop", "docs/root"}


def test_scan_publishes_what_published_pages_use_and_nothing_only_a_draft_uses(tmp_path):
    project = hostile_project(tmp_path, folder_link=True)
    site = load_site(project, project / "docs")
    files = site.content.files
    assert {"study/lilun/used.jpg", "study/lilun/fu-jian.pdf", "study/lilun/qing-dan.csv"} <= files
    assert not files & {"study/lilun/draft-only.jpg", "study/lilun/unused.pdf", "study/lilun/linked.jpg",
                        "study/lilun/evil.js", "assets/javascripts/evil.js"}
    assert files >= PROJECT_ASSETS
    assert "passwd.md" not in site.content.pages and "study/lilun/linked.md" not in site.content.pages
    assert not any(p.startswith("linkdir/") for p in site.content.pages)
    assert "docs/linkdir" in {p.path for p in site.problems if p.code == "symlink"}
    assert "study/lilun/cao-gao.md" not in site.content.pages  # a draft


def test_build_stops_before_mkdocs_walks_a_linked_folder(tmp_path):
    """MkDocs walks docs/ following links before any hook: a link to a parent would never end."""
    project = make_project(tmp_path / "p", brands={"hong-xin": brand_text()})
    (project / "docs" / "loop").symlink_to("..", target_is_directory=True)
    (project / "docs" / "root").symlink_to("/", target_is_directory=True)
    result = run_build(project)
    assert result.returncode == 1 and "Traceback" not in result.output, result.output[-2000:]
    for path in ("docs/loop", "docs/root"):
        assert any(path + "：" in line and "符号链接" in line and "修改方法" in line for line in result.output.splitlines()), path
    assert not (result.site / "index.html").exists()
