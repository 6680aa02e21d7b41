"""Publishing under stress: concurrent runs, kill -9 at each step, damaged releases, a full disk.

Every case runs the real ``scripts/publish.py`` (a strict MkDocs build of a
small project) in a child process and then checks what nginx would serve:
``current`` still points at a complete release whose files match its manifest.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import REPO, brand_text, make_project

from dangjian.publish import LOCK_NAME, current_release, list_releases, manifest_path, verify_release

PUBLISH = [sys.executable, str(REPO / "scripts" / "publish.py")]


def run_publish(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(PUBLISH + list(args), capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def start_publish(project: Path, releases: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*PUBLISH, "--project", str(project), "--releases", str(releases), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            start_new_session=True)


def assert_serving_a_verified_release(releases: Path) -> Path:
    current = current_release(releases)
    assert current is not None and (current / "index.html").is_file()
    assert verify_release(current) == []
    return current


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("pubsafe")
    return make_project(root / "project", brands={f"b-{i}": brand_text(title=f"品牌{i}") for i in range(12)})


@pytest.fixture()
def releases(project, tmp_path):
    """A releases folder with one release published."""
    releases = tmp_path / "releases"
    proc = run_publish("--project", str(project), "--releases", str(releases))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "文件清单" in proc.stdout
    return releases


def test_manifest_lists_every_file_and_sha256sum_accepts_it(releases):
    release = assert_serving_a_verified_release(releases)
    manifest = manifest_path(release)
    lines = manifest.read_text(encoding="utf-8").splitlines()
    files = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    assert [line.split("  ", 1)[1] for line in lines] == files
    assert any(name.endswith(".gz") for name in files)  # the precompressed copies nginx serves too
    check = subprocess.run(["sha256sum", "--quiet", "-c", str(manifest)], cwd=release, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    proc = run_publish("--releases", str(releases), "--verify")
    assert proc.returncode == 0 and "与文件清单一致" in proc.stdout


@pytest.mark.parametrize("damage, words", [
    (lambda r: (r / "index.html").unlink(), "缺少 index.html"),
    (lambda r: (r / "index.html").write_text("<script>alert(1)</script>", encoding="utf-8"), "index.html 的内容被改动"),
    (lambda r: (r / "brands" / "evil.js").write_text("alert(1)", encoding="utf-8"), "多出了 brands/evil.js"),
    (lambda r: (r / "x.html").symlink_to("/etc/passwd"), "多出了 x.html"),
    (lambda r: manifest_path(r).unlink(), "缺少文件清单"),
])
def test_rollback_to_a_damaged_release_is_refused(releases, damage, words):
    good = assert_serving_a_verified_release(releases)
    older = releases / "20000101T000000Z"  # a copy of the release, sorted before it
    shutil.copytree(good, older, symlinks=True)
    shutil.copy(manifest_path(good), manifest_path(older))
    assert verify_release(older) == []
    damage(older)
    proc = run_publish("--releases", str(releases), "--rollback")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "不能切换" in proc.stderr and words in proc.stderr and "正在发布的网站没有任何改动" in proc.stderr, proc.stderr
    assert current_release(releases) == good.resolve()
    proc = run_publish("--releases", str(releases), "--verify")
    assert proc.returncode == 1 and "20000101T000000Z：与文件清单不符" in proc.stdout


def test_second_publish_waits_or_says_one_is_running(project, releases):
    first = assert_serving_a_verified_release(releases)
    running = start_publish(project, releases)
    try:
        deadline = time.monotonic() + 300
        while not list(releases.glob("*.partial")):  # the first run is building
            assert running.poll() is None, running.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        partial = next(releases.glob("*.partial"))
        refused = run_publish("--project", str(project), "--releases", str(releases), "--wait", "0")
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "另一个发布或回滚正在进行" in refused.stderr and f"进程 {running.pid}" in refused.stderr, refused.stderr
        assert "正在发布的网站没有任何改动" in refused.stderr
        rollback = run_publish("--releases", str(releases), "--rollback", "--wait", "0")
        assert rollback.returncode == 1 and "另一个发布或回滚正在进行" in rollback.stderr
        assert partial.exists() or running.poll() is not None  # the running build's work was not deleted
        queued = start_publish(project, releases, "--wait", "600")
        out, err = running.communicate(timeout=600)
        assert running.returncode == 0, out + err
        out2, err2 = queued.communicate(timeout=600)
        assert queued.returncode == 0, out2 + err2
    finally:
        for proc in (running,):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    names = [p.name for p in list_releases(releases)]
    assert len(names) == 3 and first.name == names[0]
    assert all(verify_release(releases / name) == [] for name in names)
    assert assert_serving_a_verified_release(releases).name == names[-1]
    assert not list(releases.glob("*.partial"))


@pytest.mark.parametrize("step", ["开始构建新版本", "生成预压缩文件", "生成文件清单", "切换 current"])
def test_kill_9_at_each_step_leaves_a_verified_site(project, releases, step):
    before = assert_serving_a_verified_release(releases)
    proc = start_publish(project, releases)
    try:
        for line in proc.stdout:
            if step in line:
                if step == "开始构建新版本":
                    time.sleep(2)  # midway through the build
                os.killpg(proc.pid, signal.SIGKILL)
                break
        else:
            pytest.fail(f"the publish never reached “{step}”: {proc.stderr.read()}")
    finally:
        proc.wait(timeout=60)
    # The switch is one rename: the publish may have finished before the signal landed.
    assert proc.returncode == -signal.SIGKILL or (step == "切换 current" and proc.returncode == 0)
    now = assert_serving_a_verified_release(releases)  # the old release, or the new one complete and verified
    assert now == before.resolve() or step == "切换 current"
    assert all(verify_release(r) == [] for r in list_releases(releases))  # no unfinished folder is a release
    # The lock died with the process: the next publish runs at once and cleans up.
    after = run_publish("--project", str(project), "--releases", str(releases), "--wait", "0")
    assert after.returncode == 0, after.stdout + after.stderr
    assert not list(releases.glob("*.partial")) and not list(releases.glob("*.tmp")) and not list(releases.glob(".current*"))
    manifests = {p.name for p in releases.glob("*.sha256")}
    assert manifests == {r.name + ".sha256" for r in list_releases(releases)}
    assert (releases / LOCK_NAME).exists()


@pytest.fixture()
def small_disk(tmp_path):
    """A 32 MB tmpfs of our own, so the test can fill it without touching the machine's disks."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here to fill the disk (mount said: {done.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_ends_in_a_chinese_message_and_leaves_the_site(project, small_disk):
    releases = small_disk / "releases"
    first = run_publish("--project", str(project), "--releases", str(releases))
    assert first.returncode == 0, first.stdout + first.stderr
    before = assert_serving_a_verified_release(releases)
    digest_before = {p: p.read_bytes() for p in before.rglob("*") if p.is_file()}
    size = sum(len(data) for data in digest_before.values())
    # Leave room for half a release: the next build runs out of space midway.
    free = shutil.disk_usage(small_disk).free
    with open(small_disk / "filler", "wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * max(free - size // 2, 0))
    proc = run_publish("--project", str(project), "--releases", str(releases))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert "磁盘空间不足" in proc.stderr and "正在发布的网站没有任何改动" in proc.stderr, proc.stderr
    assert not list(releases.glob("*.partial")) and not list(releases.glob("*.tmp"))
    assert current_release(releases) == before.resolve()
    assert {p: p.read_bytes() for p in before.rglob("*") if p.is_file()} == digest_before
    assert [r.name for r in list_releases(releases)] == [before.name] and verify_release(before) == []
    # With space again, publishing works.
    (small_disk / "filler").unlink()
    again = run_publish("--project", str(project), "--releases", str(releases))
    assert again.returncode == 0, again.stdout + again.stderr
