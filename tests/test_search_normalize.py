"""Search normalisation (index side) and the reviewer-editable synonyms table."""

from __future__ import annotations

import importlib

import conftest  # noqa: F401  (puts scripts/ on sys.path)
from conftest import REPO


def _normalize():
    return importlib.import_module("dangjian.normalize")


def test_punctuation_width_case_and_traditional_fold_away():
    n = _normalize().normalize
    assert n("检察蓝·初心红") == n("检察蓝初心红") == "检察蓝初心红"
    assert n("“三会一课”工作规范") == "三会一课工作规范"
    assert n("黨建 稅心為民") == "党建税心为民"
    assert n("２０２６年ＡＢＣ abc") == "2026年abcabc"
    assert n("乾坤 著名 瞭望") == "乾坤著名瞭望"  # standard simplified characters are never rewritten


def test_fast_normalize_is_fold_then_drop_for_every_character():
    """normalize() drops before it folds (fewer characters to fold): the same as its definition,
    folding every character and then dropping all but digits, letters and ideographs."""
    import random
    import re

    module = _normalize()
    definition = re.compile(f"[^{module.KEEP}]+")

    def reference(text: str) -> str:
        return definition.sub("", text.translate(module._translation()))

    every = "".join(map(chr, range(0x110000)))
    assert module.normalize(every) == reference(every)
    rng = random.Random(7)
    pool = [chr(c) for c in module._translation()] + list(" ，。·“”ＡＺａ０９AZaz09〇一龥豈") + ["\U0001F600", "\u3000"]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(40)))
        assert module.normalize(text) == reference(text), text


def test_fold_keeps_length_so_positions_map_back():
    fold = _normalize().fold
    text = "黨建·Ａ１，檢察藍"
    assert len(fold(text)) == len(text)


def test_table_is_what_the_pinned_opencc_gives():
    module = _normalize()
    generated = module.generate_t2s_table()
    trad, simp = module.t2s_table()
    assert generated == {"t": trad, "s": simp}, "run: cd scripts && python -m dangjian.normalize"
    assert len(trad) == len(simp) > 3000 and all(ord(c) <= 0xFFFF for c in trad + simp)


def test_shipped_synonyms_load_without_problems():
    synonyms = importlib.import_module("dangjian.synonyms")
    groups, problems = synonyms.load_synonyms(REPO)
    assert problems == []
    assert ["主题党日", "党员活动日", "支部主题党日活动"] in groups
    assert any("发改委" in g and "发展改革委" in g for g in groups)


def test_bad_synonyms_are_chinese_messages_with_lines(tmp_path):
    synonyms = importlib.import_module("dangjian.synonyms")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "synonyms.yml").write_text(
        "# 注释\n- [主题党日, 党员活动日]\n- [孤单]\n- 不是列表\n- [党员活动日, 活动日]\n- [发改委, ·]\n", encoding="utf-8")
    groups, problems = synonyms.load_synonyms(tmp_path)
    assert groups == [["主题党日", "党员活动日"]]
    messages = {p.line: p.format() for p in problems}
    assert set(messages) == {3, 4, 5, 6}
    assert "rules/synonyms.yml:3" in messages[3] and "只有一种说法" in messages[3]
    assert "方括号" in messages[4]
    assert "已出现在第 1 组" in messages[5]
    assert "不足两个字" in messages[6]
    (tmp_path / "rules" / "synonyms.yml").write_text("- [主题党日, 党员活动日\n", encoding="utf-8")
    groups, problems = synonyms.load_synonyms(tmp_path)
    assert groups == [] and problems and "Traceback" not in problems[0].format()


def test_the_reviewers_check_reports_a_bad_synonyms_table(tmp_path):
    from conftest import brand_text, make_project
    checks = importlib.import_module("dangjian.checks")
    project = make_project(tmp_path / "p", brands={"hongxin": brand_text()})
    (project / "rules").mkdir(exist_ok=True)
    (project / "rules" / "synonyms.yml").write_text("- [发改委, 发展改革委]\n- [发改委, 发展和改革委员会]\n", encoding="utf-8")
    problems = checks.run_check(project, {"rules/synonyms.yml"})
    assert [p.location for p in problems] == ["rules/synonyms.yml:2"], [p.format() for p in problems]
    assert "已出现在第 1 组" in problems[0].format()
