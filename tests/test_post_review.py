"""scripts/post_review.py against local stubs of the GitHub, Gitea and GitLab comment APIs.

Each stub is a real HTTP server on 127.0.0.1 that records every request and keeps the
comments it was given; the script must create one comment, then edit that same comment
on the next run, never touching other people's comments.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import conftest  # noqa: F401 - puts scripts/ on sys.path
import pytest

import post_review  # scripts/post_review.py

REPORT = ("brands/x/index.md\n  3:1      错误  【手机号】发现未打码的手机号（138****5678），属于个人信息，不能公开发布。\n\n"
          "共 1 个错误、0 个警告，涉及 1 个文件。\n审核结论：不通过：1 个错误、0 个警告（涉及 1 个文件），改正错误后才能合并发布。\n")


class Stub:
    """A forge's comment API: routes per forge, the expected auth header, recorded requests."""

    def __init__(self, forge: str, auth: tuple[str, str], others: int = 1):
        self.forge, self.auth = forge, auth
        self.requests: list[dict] = []
        self.comments = [{"id": 1000 + i, "body": f"审核意见 {i}：请补充照片说明。"} for i in range(others)]
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _reply(self, status: int, payload=None):
                data = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                stub.requests.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                                      "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                if self.headers.get(stub.auth[0]) != stub.auth[1]:
                    return self._reply(401, {"message": "unauthorized"})
                status, payload = stub.route(self.command, url.path, parse_qs(url.query), body)
                self._reply(status, payload)

            do_GET = do_POST = do_PATCH = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, method: str, path: str, query: dict, body):
        if self.forge == "gitlab":
            collection, item = "/api/v4/projects/42/merge_requests/7/notes", "/api/v4/projects/42/merge_requests/7/notes/"
            update = "PUT"
        else:
            prefix = "/api/v1" if self.forge == "gitea" else ""
            collection, item = f"{prefix}/repos/jgdw/dangjian/issues/7/comments", f"{prefix}/repos/jgdw/dangjian/issues/comments/"
            update = "PATCH"
        if path == collection and method == "GET":
            size = int((query.get("per_page") or query.get("limit") or ["30"])[0])
            page = int((query.get("page") or ["1"])[0])
            return 200, self.comments[(page - 1) * size: page * size]
        if path == collection and method == "POST":
            comment = {"id": 5000 + len(self.comments), "body": body["body"]}
            self.comments.append(comment)
            return 201, comment
        if path.startswith(item) and method == update:
            comment = next((c for c in self.comments if str(c["id"]) == path[len(item):]), None)
            if comment is None:
                return 404, {"message": "not found"}
            comment["body"] = body["body"]
            return 200, comment
        return 404, {"message": f"no route {method} {path}"}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def env_for(forge: str, stub: Stub, tmp_path) -> dict[str, str]:
    if forge == "gitlab":
        return {"GITLAB_CI": "true", "CI_API_V4_URL": f"{stub.url}/api/v4", "CI_PROJECT_ID": "42",
                "CI_MERGE_REQUEST_IID": "7", "DJ_REVIEW_TOKEN": "glpat-secret"}
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "jgdw/dangjian", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_TOKEN": "runner-token", "GITHUB_REF": "refs/pull/7/merge"}
    if forge == "gitea":
        env.update({"GITEA_ACTIONS": "true", "GITHUB_API_URL": f"{stub.url}/api/v1"})
    else:
        env["GITHUB_API_URL"] = stub.url
    return env


AUTH = {"github": ("Authorization", "Bearer runner-token"), "gitea": ("Authorization", "token runner-token"),
        "gitlab": ("PRIVATE-TOKEN", "glpat-secret")}


@pytest.mark.parametrize("forge", ["github", "gitea", "gitlab"])
def test_one_comment_per_pull_request_created_then_updated(forge, tmp_path, capsys):
    stub = Stub(forge, AUTH[forge], others=120 if forge == "github" else 1)  # github: the list is paged
    try:
        report = tmp_path / "report.txt"
        report.write_text(REPORT, encoding="utf-8")
        env = env_for(forge, stub, tmp_path)
        assert post_review.main(["--report", str(report)], env) == 0
        assert "已发表审核报告评论" in capsys.readouterr().out
        ours = [c for c in stub.comments if post_review.MARKER in c["body"]]
        assert len(ours) == 1
        body = ours[0]["body"]
        assert "**审核结论：不通过：1 个错误、0 个警告（涉及 1 个文件），改正错误后才能合并发布。**" in body
        assert "【手机号】发现未打码的手机号（138****5678）" in body
        # the second run (a new push) edits the same comment
        report.write_text("审核结论：通过：没有发现问题，可以合并。\n", encoding="utf-8")
        assert post_review.main(["--report", str(report)], env) == 0
        assert "已更新审核报告评论" in capsys.readouterr().out
        ours = [c for c in stub.comments if post_review.MARKER in c["body"]]
        assert len(ours) == 1 and "**审核结论：通过：没有发现问题，可以合并。**" in ours[0]["body"]
        assert all(post_review.MARKER not in c["body"] and c["body"].startswith("审核意见") for c in stub.comments if c is not ours[0])
        methods = [r["method"] for r in stub.requests]
        update = "PUT" if forge == "gitlab" else "PATCH"
        assert methods.count("POST") == 1 and methods.count(update) == 1
        assert all(r["headers"].get(AUTH[forge][0].lower()) == AUTH[forge][1] for r in stub.requests)
        writes = [r for r in stub.requests if r["method"] in ("POST", update)]
        assert all(set(r["body"]) == {"body"} for r in writes)
        if forge == "github":
            assert {r["query"]["page"][0] for r in stub.requests if r["method"] == "GET"} >= {"1", "2"}
    finally:
        stub.close()


def test_a_token_without_rights_does_not_fail_the_job(tmp_path, capsys):
    stub = Stub("gitea", ("Authorization", "token other"))
    try:
        report = tmp_path / "report.txt"
        report.write_text(REPORT, encoding="utf-8")
        assert post_review.main(["--report", str(report)], env_for("gitea", stub, tmp_path)) == 0
        assert "未发表评论：Gitea 令牌没有评论权限" in capsys.readouterr().err
        assert all(post_review.MARKER not in c["body"] for c in stub.comments)
    finally:
        stub.close()


def test_outside_a_pull_request_nothing_is_posted(tmp_path, capsys):
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    assert post_review.main(["--report", str(report)], {"GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_REPOSITORY": "a/b",
                                                        "GITHUB_REF": "refs/heads/main", "GITHUB_TOKEN": "t"}) == 0
    assert "不是拉取请求" in capsys.readouterr().out
    assert post_review.main(["--report", str(report)], {"GITLAB_CI": "true", "CI_API_V4_URL": "x", "CI_PROJECT_ID": "1"}) == 0
    assert "不是合并请求" in capsys.readouterr().out
