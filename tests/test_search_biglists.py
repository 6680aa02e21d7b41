"""Long posting lists (tokens on most pages) in files of their own: the same results, fewer bytes.

A separate module from tests/test_search_exact.py: that one keeps its browser open for all its tests.
"""

from __future__ import annotations

import json

from browser_support import DESKTOP, RequestLog, browser, new_page, serve
from test_search_exact import _query, _write_site


def test_long_posting_lists_in_files_of_their_own_give_the_same_results(tmp_path):
    _write_site(tmp_path, big_bytes=30)
    meta = json.loads((tmp_path / "search" / "dj" / "meta.json").read_text(encoding="utf-8"))
    assert len(meta["big"].split("|")) > 20 and (tmp_path / "search" / "dj" / "b" / "0.json").exists()
    log = RequestLog()
    with serve(tmp_path) as base, browser() as instance:
        page = new_page(instance, DESKTOP, log)
        page.goto(base)
        status, items = _query(page, "反家庭暴力")
        assert [t for t, _ in items] == ["妇女权益保障汇编"] and status == "找到 1 个结果"
        status, items = _query(page, "民声")
        assert status == "找到 18 个结果（按相关程度显示前 10 个）", status
    assert any("/b/" in u for u in log.urls) and log.console_errors == []
