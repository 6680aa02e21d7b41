#!/usr/bin/env bash
# One entry point for set-up, preview, build and tests on Linux.
#   ./dev.sh serve   build and serve the site at http://127.0.0.1:8000 (live reload)
#   ./dev.sh build   strict build into site/
#   ./dev.sh publish build into releases/<time>/ and switch releases/current atomically (--rollback, --list)
#   ./dev.sh check   review gate over the content (scripts/check.py; --format github|gitlab|json)
#   ./dev.sh export  汇编: Word + PDF compilation of a selection (scripts/export.py --title … ; --help)
#   ./dev.sh test    run every test (installs the venv, Debian chromium and nginx when missing)
#   ./dev.sh lock    re-lock requirements*.txt from requirements*.in (uv, with hashes, Linux + Windows)
#   ./dev.sh wheelhouse [DIR]  download every locked package for Linux and Windows (Python 3.11) for offline installs
# The engine (mkdocs, properdocs, zensical) is DJ_ENGINE, else extra.dangjian.engine in mkdocs.yml.
# Everything needed is installed from this repository's own files.
set -euo pipefail
cd "$(dirname "$0")"
# No English end-of-life banners from the theme or ProperDocs in anything a writer runs.
export NO_MKDOCS_2_WARNING=true DISABLE_MKDOCS_2_WARNING=true

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
  done
fi

# install_locked FILE: install a hash-locked requirements file once per change of the file
# (offline from a wheelhouse folder when DJ_WHEELHOUSE is set, see docs/guide/publish.md).
install_locked() {
  local file=$1 stamp=".venv/.${1%.txt}.sha256" want
  want=$(sha256sum "$file" | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> 安装 Python 依赖（.venv，$file）" >&2
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    local offline=()
    if [ -n "${DJ_WHEELHOUSE:-}" ]; then offline=(--no-index --find-links "$DJ_WHEELHOUSE"); fi
    .venv/bin/python -m pip install --disable-pip-version-check -q --require-hashes -r "$file" ${offline[@]+"${offline[@]}"}
    echo "$want" > "$stamp"
  fi
}

ensure_venv() { install_locked requirements.txt; }                       # preview and build: runtime only
ensure_dev_venv() { ensure_venv; install_locked requirements-dev.txt; }  # tests and benchmarks too

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "需要 root 权限安装系统软件包：$*" >&2; return 1; fi
}

ensure_chromium() {
  # Debian's chromium for the browser tests, a CJK font so screenshots show Chinese, and nginx
  # to test deploy/nginx.conf for real (tests/test_nginx.py runs its own copy on 127.0.0.1).
  # poppler-utils (pdftotext, pdftoppm) reads the exported PDFs in tests/test_export.py.
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> 安装 ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_pdf_printer() {
  # ./dev.sh export prints its PDF with Debian's chromium; a CJK font so the Chinese text prints.
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> 安装 ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
case "$cmd" in
  serve)
    ensure_venv
    echo "==> 快速预览：修改后只重建改动过的页面和受影响的列表页（--dirty）；发布前请用 ./dev.sh build 完整构建。" >&2
    exec .venv/bin/python scripts/generate.py serve -a 127.0.0.1:8000 "$@"
    ;;
  build)
    ensure_venv
    exec .venv/bin/python scripts/generate.py build --strict "$@"
    ;;
  publish)
    ensure_venv
    exec .venv/bin/python scripts/publish.py "$@"
    ;;
  check)
    ensure_venv
    exec .venv/bin/python scripts/check.py "$@"
    ;;
  export)
    ensure_venv
    # The PDF is printed by Chromium; a Word-only export or --help does not need it.
    case " $* " in *" --format docx "*|*" --format=docx "*|*" -h "*|*" --help "*|*" --dry-run "*) ;; *) ensure_dev_venv; ensure_pdf_printer ;; esac  # Playwright is in the dev lock
    exec .venv/bin/python scripts/export.py "$@"
    ;;
  test)
    ensure_dev_venv
    ensure_chromium
    # ./dev.sh test runs every test; ./dev.sh test tests/test_x.py -q runs the files named.
    for arg in "$@"; do case "$arg" in tests|tests/*) exec .venv/bin/python -m pytest "$@" ;; esac; done
    exec .venv/bin/python -m pytest tests "$@"
    ;;
  lock)
    # uv resolves once for Linux and Windows (--universal) and records every file's hash.
    ensure_dev_venv
    [ -x .venv/bin/uv ] || .venv/bin/python -m pip install -q "uv==0.13.9"
    .venv/bin/uv pip compile --universal --python-version 3.11.5 --generate-hashes -q -o requirements.txt requirements.in
    .venv/bin/uv pip compile --universal --python-version 3.11.5 --generate-hashes -q -o requirements-dev.txt requirements-dev.in
    ;;
  wheelhouse)
    ensure_venv
    exec .venv/bin/python scripts/wheelhouse.py "$@"
    ;;
  *)
    sed -n '2,13p' "$0"
    exit 2
    ;;
esac
