"""Shared by tests/test_search.py and benchmarks/bench_search.py: shown results that lack a query term."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from browser_support import DESKTOP, RequestLog, browser, new_page, serve

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))


def _full_text(index: Path, pid: int) -> str:
    """Everything a page is searchable by (head fields, pinyin, every chunk), normalised."""
    from dangjian.normalize import normalize
    head = json.loads((index / "d" / f"{pid}.json").read_text(encoding="utf-8"))
    parts = [head["t"], *head["n"], *head["f"], head["x"]]
    parts += [json.loads((index / "d" / f"{pid}-{k}.json").read_text(encoding="utf-8"))["x"] for k in range(1, head["k"])]
    return "|".join(normalize(p) for p in parts) + "|" + "|".join(head["p"])


def _forms(term: str, groups: list[list[str]]) -> set[str]:
    """The term and its synonym forms (rules/synonyms.yml)."""
    forms = {term}
    for group in groups:
        for form in group:
            if form in term:
                forms |= {term.replace(form, other) for other in group}
    return forms


def lacking_terms(site: Path, queries: list[str]) -> list[str]:
    """Shown results (of the shipped engine, all of them) that lack a query term: must be none."""
    from dangjian.synonyms import load_synonyms
    groups, _ = load_synonyms(REPO)
    index, bad = site / "search" / "dj", []
    with serve(site) as base, browser() as instance:
        page = new_page(instance, DESKTOP, RequestLog())
        page.goto(base)
        for q in queries:
            out = page.evaluate("""q => djSearch.search(q, {}).then(o => ({terms: o.terms, loose: o.loose || [],
                results: o.results.map(r => [r.pid, !!r.loose])}))""", q)
            for pid, loose in out["results"]:
                text = _full_text(index, pid)
                for term in (out["loose"] if loose else out["terms"]):
                    if not any(form in text for form in _forms(term, groups)):
                        bad.append(f"{q} → 第 {pid} 页缺少“{term}”")
    return bad
