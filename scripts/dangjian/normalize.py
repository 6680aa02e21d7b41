"""Search normalisation, identical at index time (here) and query time (search-dj.js).

Every character is folded on its own, so a normalised string maps position by
position onto the original (less the dropped characters):

* full-width ASCII → half-width, A–Z → a–z;
* traditional → simplified by a character table generated from OpenCC
  (``data/t2s.json``), limited to characters that differ and are not
  themselves standard simplified characters (乾, 著 and 瞭 stay as they are);
* everything that is not a digit, a Latin letter or a CJK ideograph
  (punctuation, whitespace, symbols) is dropped, so 检察蓝初心红 finds
  检察蓝·初心红 and 三会一课工作规范 finds “三会一课”工作规范.

The browser receives the same table (``t2s`` in ``search/dj/meta.json``) and
applies the same rules.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("data") / "t2s.json"
KEEP = "0-9a-z\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"   # the same ranges as KEEP in search-dj.js
_DROP = re.compile(f"[^{KEEP}]+")


@lru_cache(maxsize=1)
def t2s_table() -> tuple[str, str]:
    """(traditional characters, their simplified forms), position by position."""
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return data["t"], data["s"]


@lru_cache(maxsize=1)
def _translation() -> dict[int, int]:
    trad, simp = t2s_table()
    table = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    table.update({c: c + 32 for c in range(0x41, 0x5B)})
    for t, s in zip(trad, simp):
        table[ord(t)] = ord(s)
    # full-width capitals fold twice (Ａ → A → a)
    for c in range(0xFF21, 0xFF3B):
        table[c] = c - 0xFEE0 + 32
    return table


def _char_class(codes: list[int]) -> str:
    """A regular-expression character class of these code points, as ranges (the matcher tests
    ranges quickly; thousands of single characters make it test them one by one)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    """What :func:`normalize` drops before folding, and the runs of characters that fold.

    Dropping first leaves far fewer characters to fold (translating looks each one up in a dict):
    a character is dropped exactly when its folded form is not kept, so the result is the same.
    """
    table = _translation()
    kept = re.compile(f"[{KEEP}]")
    gained = [c for c in table if not kept.match(chr(c)) and kept.match(chr(table[c]))]   # Ａ → a, Ａ → a
    lost = [c for c in table if kept.match(chr(c)) and not kept.match(chr(table[c]))]     # none today
    drop = f"[^{KEEP}{_char_class(gained)}]" + (f"|[{_char_class(lost)}]" if lost else "")
    return re.compile(f"(?:{drop})+"), re.compile(f"[{_char_class(list(table))}]+")


@lru_cache(maxsize=1)
def traditional() -> re.Pattern:
    """Any traditional character of the table (a page holding one needs the table in the browser)."""
    return re.compile(f"[{_char_class([ord(c) for c in t2s_table()[0]])}]")


def fold(text: str) -> str:
    """Fold each character (width, case, traditional form) without dropping any: same length as ``text``."""
    return text.translate(_translation())


def _fold_run(match: re.Match) -> str:
    return match.group().translate(_translation())


def normalize(text: str) -> str:
    """The searchable form of ``text``: folded, then everything but digits, letters and ideographs dropped.

    The same as ``_DROP.sub("", fold(text))``, computed faster: drop, then fold only the runs that fold.
    """
    drop, foldable = _patterns()
    return foldable.sub(_fold_run, drop.sub("", text))


def generate_t2s_table() -> dict[str, str]:
    """The table from the installed OpenCC (``opencc`` on PyPI): used to (re)write ``data/t2s.json``.

    A character is kept when OpenCC's ``t2s`` changes it to one other character
    and it cannot be encoded in GB2312 (the standard simplified set): 乾 (乾坤)
    and 著 (著名) are simplified characters too and must not be rewritten.
    """
    import opencc  # only needed to regenerate the table

    convert = opencc.OpenCC("t2s").convert
    trad, simp = [], []
    for code in [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00)]:
        char = chr(code)
        out = convert(char)
        if len(out) != 1 or out == char or ord(out) > 0xFFFF:  # one UTF-16 unit each, as in the browser
            continue
        try:
            char.encode("gb2312")
            continue
        except UnicodeEncodeError:
            pass
        trad.append(char)
        simp.append(out)
    return {"t": "".join(trad), "s": "".join(simp)}


if __name__ == "__main__":  # python -m dangjian.normalize  (from scripts/): rewrite the table
    TABLE_FILE.parent.mkdir(exist_ok=True)
    TABLE_FILE.write_text(json.dumps(generate_t2s_table(), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {TABLE_FILE} ({len(t2s_table.__wrapped__()[0])} characters)")
