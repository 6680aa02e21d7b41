"""Download every locked package for an intranet machine with no package registry.

    python scripts/wheelhouse.py [DIR]          runtime (requirements.txt) for Linux and Windows, Python 3.11
    python scripts/wheelhouse.py DIR --dev      also the test dependencies (requirements-dev.txt)

DIR (default ``wheelhouse/``) gets ``linux/`` and ``windows/`` folders of wheels, the lock files
and ``安装说明.txt``.  On the intranet machine (see docs/guide/publish.md)::

    python -m pip install --no-index --find-links wheelhouse/linux -r requirements.txt     # Linux
    py -3.11 -m pip install --no-index --find-links wheelhouse\\windows -r requirements.txt  # Windows

Every file is checked against the hashes in requirements.txt when downloaded and again
when installed.  Packages published only as source (jieba) are downloaded as source and
built on the target; setuptools and wheel are added so that works offline.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON_VERSION = "3.11.9"  # the last 3.11 with Windows installers; the lock needs >= 3.11.5
PLATFORMS = {
    "linux": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"],
    "windows": ["win_amd64"],
}
#: Build backends for packages that ship only source (pip builds them on the target, offline).
BUILD_TOOLS = ["setuptools==84.2.1", "wheel==0.48.0"]

HOWTO = """离线安装包（{platforms}，Python 3.11）

把整个文件夹连同网站项目一起拷到内网电脑，在项目文件夹中运行：

  Linux：   python3.11 -m venv .venv
            .venv/bin/python -m pip install --no-index --find-links <本文件夹>/linux -r requirements.txt
  Windows： py -3.11 -m venv .venv
            .venv\\Scripts\\python -m pip install --no-index --find-links <本文件夹>\\windows -r requirements.txt

或者设置环境变量 DJ_WHEELHOUSE=<本文件夹>/linux 后运行 ./dev.sh build（Windows 的预览脚本同样读取 DJ_WHEELHOUSE）。
安装时 pip 会按 requirements.txt 中的哈希值逐个核对文件，任何文件被改动都会拒绝安装。
"""


def download(requirements: list[Path], dest: Path, platforms: list[str]) -> int:
    """``pip download`` the locked files for one platform; returns pip's exit code."""
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
           "--require-hashes", "--python-version", PYTHON_VERSION, "--implementation", "cp", "-d", str(dest)]
    for platform in platforms:
        cmd += ["--platform", platform]
    for req in requirements:
        cmd += ["-r", str(req)]
    code = subprocess.call(cmd)
    if code == 0:  # build tools: any platform (pure Python)
        code = subprocess.call([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q",
                                "--no-deps", "--only-binary=:all:", "-d", str(dest), *BUILD_TOOLS])
    return code


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description="下载离线安装包（Linux 与 Windows，Python 3.11），供不能访问软件源的内网电脑安装。")
    parser.add_argument("dest", nargs="?", type=Path, default=ROOT / "wheelhouse", help="输出文件夹，默认为 wheelhouse/")
    parser.add_argument("--dev", action="store_true", help="同时下载测试用的依赖（requirements-dev.txt）")
    parser.add_argument("--platform", choices=sorted(PLATFORMS), action="append", help="只下载某个平台（可重复）")
    args = parser.parse_args(argv)
    requirements = [ROOT / "requirements.txt"] + ([ROOT / "requirements-dev.txt"] if args.dev else [])
    chosen = args.platform or sorted(PLATFORMS)
    args.dest.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        print(f"下载 {name} 的安装包到 {args.dest / name} …", file=sys.stderr)
        if download(requirements, args.dest / name, PLATFORMS[name]) != 0:
            print(f"错误：下载 {name} 的安装包失败（见上面 pip 的提示）。请检查网络或软件源设置后重试。", file=sys.stderr)
            return 1
    for req in requirements:
        shutil.copy2(req, args.dest / req.name)
    (args.dest / "安装说明.txt").write_text(HOWTO.format(platforms="、".join(chosen)), encoding="utf-8")
    count = sum(1 for p in args.dest.rglob("*") if p.suffix in (".whl", ".gz", ".zip"))
    print(f"完成：{count} 个安装包，在 {args.dest}。把这个文件夹拷到内网电脑，按其中的“安装说明.txt”安装。", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
