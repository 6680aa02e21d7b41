#!/usr/bin/env bash
# Collect what the CI templates download at run time, for an intranet runner without internet.
#   scripts/mirror_ci.sh [OUT]        (default: ci-mirror/; run on a Linux x86_64 machine with internet,
#                                      docker and git; copy OUT into the intranet afterwards)
# What it writes (docs/guide/contributing.md, “内网 CI 运行器”, says where each goes):
#   OUT/wheelhouse/               every Python package of requirements.txt (pip: PIP_NO_INDEX=1 PIP_FIND_LINKS=…)
#   OUT/dangjian-ci-image.tar     python:3.11-bookworm + nodejs + chromium + fonts-noto-cjk + the wheelhouse
#                                 (docker load -i …; push to the intranet registry; use it as the job image)
#   OUT/actions/<name>@<version>/ the actions the GitHub/Gitea workflow uses (push to the intranet Gitea
#                                 as the organisation "actions"; Gitea: [actions] DEFAULT_ACTIONS_URL = self)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-ci-mirror}"
image="${DJ_CI_IMAGE:-python:3.11-bookworm}"
mkdir -p "$out/wheelhouse" "$out/actions"

echo "==> Python 依赖（requirements.txt）下载到 $out/wheelhouse" >&2
docker run --rm -v "$PWD:/src:ro" -v "$(cd "$out" && pwd)/wheelhouse:/wheelhouse" "$image" \
  python -m pip download --disable-pip-version-check -q -r /src/requirements.txt -d /wheelhouse

echo "==> 运行器镜像（$image + nodejs、chromium、中文字体、Python 依赖）" >&2
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cp -r "$out/wheelhouse" "$build/wheelhouse"
cat > "$build/Dockerfile" <<DOCKERFILE
FROM $image
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs chromium fonts-noto-cjk \\
    && rm -rf /var/lib/apt/lists/*
COPY wheelhouse /opt/wheelhouse
# ./dev.sh installs requirements.txt from here, never from the internet
ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/opt/wheelhouse
DOCKERFILE
docker build -q -t dangjian-ci:bookworm "$build" >/dev/null
docker save dangjian-ci:bookworm -o "$out/dangjian-ci-image.tar"

echo "==> GitHub/Gitea 工作流用到的 actions" >&2
grep -ho 'uses: *[^ ]*' .github/workflows/*.yml | sed 's/uses: *//' | sort -u | while read -r action; do
  name="${action%@*}"; version="${action#*@}"
  target="$out/actions/${name#actions/}@$version"
  rm -rf "$target"
  git clone -q --depth 1 --branch "$version" "https://github.com/$name" "$target"
done

echo "完成：$out（把整个文件夹拷入内网，按 docs/guide/contributing.md 的“内网 CI 运行器”一节导入）" >&2
