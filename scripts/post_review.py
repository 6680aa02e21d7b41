#!/usr/bin/env python3
"""Post the review report as one pull-request comment, updated in place on every run.

    python3 scripts/post_review.py --report check-report.txt

Runs in CI after ``scripts/check.py`` wrote its plain Chinese report.  Gitea does not
show ``::error`` workflow commands as marks on changed lines (go-gitea/gitea#23722), so
reviewers read the report as a comment on the pull request instead.  The forge is found
from the runner's environment; only the standard library is used (no pip on the runner):

- GitHub Actions and Gitea Actions (``GITHUB_API_URL``, ``GITHUB_REPOSITORY``, the event
  file's pull-request number; token in ``GITHUB_TOKEN`` or ``GITEA_TOKEN``): the issue
  comments API, which both forges share (``/repos/{owner}/{repo}/issues/{n}/comments``).
- GitLab CI (``CI_API_V4_URL``, ``CI_PROJECT_ID``, ``CI_MERGE_REQUEST_IID``): merge-request
  notes.  Token: ``DJ_REVIEW_TOKEN`` (a project access token with the ``api`` scope, sent as
  ``PRIVATE-TOKEN``), else the job's ``CI_JOB_TOKEN`` where the instance allows it.

The comment carries a hidden marker; the first comment with it is edited, so a pull request
keeps one report that always shows the latest run.  Failing to post never fails the job
(the report is in the job log as well): the script prints why in Chinese and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MARKER = "<!-- dangjian-review-report -->"
#: Forges refuse long comments (GitHub: 65,536 characters); the report is cut well below.
MAX_REPORT = 60000
TIMEOUT = 20


@dataclass
class Forge:
    """Where and how to reach one pull request's comments."""

    name: str
    list_url: str  # GET (paged) and POST
    item_url: str  # format with id=: PATCH (GitHub/Gitea) or PUT (GitLab)
    update_method: str
    headers: dict[str, str]
    page_param: str  # the page-size parameter's name

    def comment_body(self, payload: dict) -> str:
        return payload.get("body") or ""


def detect(env: dict[str, str]) -> Forge | str:
    """The forge of this CI run, or a Chinese sentence saying why no comment can be posted."""
    if env.get("GITLAB_CI"):
        api, project, iid = env.get("CI_API_V4_URL"), env.get("CI_PROJECT_ID"), env.get("CI_MERGE_REQUEST_IID")
        if not iid:
            return "这次流水线不是合并请求（没有 CI_MERGE_REQUEST_IID），不发表评论。"
        if not api or not project:
            return "缺少 CI_API_V4_URL 或 CI_PROJECT_ID，无法找到 GitLab 接口。"
        if env.get("DJ_REVIEW_TOKEN"):
            headers = {"PRIVATE-TOKEN": env["DJ_REVIEW_TOKEN"]}
        elif env.get("CI_JOB_TOKEN"):
            headers = {"JOB-TOKEN": env["CI_JOB_TOKEN"]}
        else:
            return "没有可用的令牌：请在 GitLab 项目的 CI/CD 变量中设置 DJ_REVIEW_TOKEN（项目访问令牌，api 权限）。"
        base = f"{api.rstrip('/')}/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{iid}/notes"
        return Forge("GitLab", base, base + "/{id}", "PUT", headers, "per_page")
    api, repo = env.get("GITHUB_API_URL"), env.get("GITHUB_REPOSITORY")
    if not api or not repo:
        return "不在 GitHub/Gitea Actions 或 GitLab CI 中运行，不发表评论（报告已在上方输出）。"
    number = pull_request_number(env)
    if number is None:
        return "这次运行不是拉取请求，不发表评论。"
    token = env.get("GITHUB_TOKEN") or env.get("GITEA_TOKEN")
    if not token:
        return "没有可用的令牌：请在工作流中把 ${{ github.token }} 传给环境变量 GITHUB_TOKEN。"
    gitea = bool(env.get("GITEA_ACTIONS"))
    base = f"{api.rstrip('/')}/repos/{repo}/issues"
    headers = {"Authorization": f"token {token}"} if gitea else {
        "Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    return Forge("Gitea" if gitea else "GitHub", f"{base}/{number}/comments", base + "/comments/{id}", "PATCH",
                 headers, "limit" if gitea else "per_page")


def pull_request_number(env: dict[str, str]) -> int | None:
    """The pull request's number from the event file, else from ``refs/pull/<n>/merge``."""
    event = env.get("GITHUB_EVENT_PATH")
    if event:
        try:
            data = json.loads(Path(event).read_text(encoding="utf-8"))
            number = (data.get("pull_request") or {}).get("number") or data.get("number")
            if isinstance(number, int):
                return number
        except (OSError, ValueError, AttributeError):
            pass
    parts = (env.get("GITHUB_REF") or "").split("/")
    if len(parts) >= 3 and parts[:2] == ["refs", "pull"] and parts[2].isdigit():
        return int(parts[2])
    return None


def render_comment(report: str) -> str:
    """The comment: a heading, the verdict line first, the whole report in a text block, the marker."""
    report = report.strip()
    if len(report) > MAX_REPORT:
        report = report[:MAX_REPORT] + "\n……（报告过长，其余部分请在流水线日志中查看）"
    lines = report.splitlines()
    verdict = next((line for line in reversed(lines) if line.startswith("审核结论：")), "")
    body = ["## 审核检查报告", ""]
    if verdict:
        body += [f"**{verdict}**", ""]
    body += ["```text", report.replace("```", "ˋˋˋ"), "```", "",
             "此评论由流水线自动更新（每次推送后覆盖为最新结果）。", MARKER]
    return "\n".join(body) + "\n"


def _request(method: str, url: str, headers: dict[str, str], payload: dict | None = None):
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **headers, "Content-Type": "application/json", "User-Agent": "dangjian-review"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        text = response.read().decode("utf-8")
    return json.loads(text) if text.strip() else None


def find_comment(forge: Forge) -> int | None:
    """The id of the report comment already on the pull request (the first one with the marker)."""
    seen: set = set()
    for page in range(1, 51):  # 5,000 comments: more is not a pull request people review
        query = urllib.parse.urlencode({forge.page_param: 100, "page": page})
        items = _request("GET", f"{forge.list_url}?{query}", forge.headers) or []
        for item in items:
            if MARKER in forge.comment_body(item):
                return item["id"]
        fresh = {item["id"] for item in items} - seen
        if len(items) < 100 or not fresh:  # last page (or a forge that ignores paging and sent all again)
            return None
        seen |= fresh
    return None


def post(forge: Forge, body: str) -> str:
    """Create the comment or update the existing one; returns ``"created"`` or ``"updated"``."""
    existing = find_comment(forge)
    if existing is None:
        _request("POST", forge.list_url, forge.headers, {"body": body})
        return "created"
    _request(forge.update_method, forge.item_url.format(id=existing), forge.headers, {"body": body})
    return "updated"


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 scripts/post_review.py",
                                     description="把审核检查报告作为拉取请求/合并请求的评论发表（每次运行更新同一条评论）。")
    parser.add_argument("--report", required=True, help="scripts/check.py 输出的中文报告文件")
    args = parser.parse_args(argv)
    env = dict(os.environ if env is None else env)
    try:
        report = Path(args.report).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"未发表评论：无法读取报告文件 {args.report}（{exc.strerror}）。", file=sys.stderr)
        return 0
    forge = detect(env)
    if isinstance(forge, str):
        print(f"未发表评论：{forge}")
        return 0
    try:
        done = post(forge, render_comment(report))
    except urllib.error.HTTPError as exc:
        hint = "令牌没有评论权限（GitLab 请设置 DJ_REVIEW_TOKEN；来自复刻仓库的拉取请求只有只读令牌）" \
            if exc.code in (401, 403) else "接口返回错误"
        print(f"未发表评论：{forge.name} {hint}（HTTP {exc.code}）。报告见上方日志。", file=sys.stderr)
        return 0
    except (urllib.error.URLError, OSError, ValueError, KeyError, TypeError) as exc:
        print(f"未发表评论：无法连接 {forge.name} 接口（{exc}）。报告见上方日志。", file=sys.stderr)
        return 0
    print(f"已{'发表' if done == 'created' else '更新'}审核报告评论（{forge.name}）。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
