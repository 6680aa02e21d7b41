"""The site's own Chinese search index: character n-grams, sharded, verified in the browser.

Why: Pagefind (extended) and Material's lunr+jieba both match whole segmenter
words (or their starts), so 一课 misses 三会一课 and 青马 misses 青马学堂
(measured in tests/test_search.py, docs/guide/search.md).  Here every
character and every pair of adjacent characters of the normalised text
(:mod:`dangjian.normalize`) is a token, so any substring is found.

Exactness: a page's whole text is cut into at most ``MAX_CHUNKS`` overlapping
chunks of about ``CHUNK_CHARS`` characters; each posting carries a bit mask of
the chunks that hold the token.  The browser looks up only a few of the
query's rarest pairs (a bounded number of shards whatever the phrase length),
intersects pages and chunk masks, then fetches just the candidate chunks and
checks the whole term in them: a shown result always contains every term, and
its snippet is cut where the match is.

Files written under ``<site>/search/dj/`` (all same-origin, fetched on demand):

* ``meta.json`` – shard count, facet values, the common characters and the pairs on
  many pages (for choosing rare pairs), the synonym groups; ``t2s.json`` – the
  traditional→simplified table (fetched only for queries with rare characters);
* ``pages.json`` – one facet row per page (fetched when a filter is chosen);
* ``words.json`` – words for splitting a query that has no contiguous match;
* ``b/<n>.json`` – one long posting list each (tokens on most pages; listed shortest first in ``meta.json``);
* ``s<N>.json`` – shard N of the other postings: token → [page delta, weight, …] for one-chunk pages,
  [page delta, −weight, chunk mask, …] for longer ones;
* ``d/<id>.json`` – a page's head (URL, title, 栏目, names, fields, pinyin) and first chunk;
  ``d/<id>-<k>.json`` – its further chunks.
"""

from __future__ import annotations

import hashlib
import heapq
import html
import json
import math
import os
import re
import shutil
import signal
import sys
import threading
import time
import types
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import compress, repeat
from pathlib import Path

from .normalize import normalize, t2s_table, traditional
from .paths import folder_beside
from .search import INDEXED, SECTION_GUIDE, PageFacets

OUT_DIR = "search/dj"
FORMAT = 2
SHARD_TARGET_BYTES = 16_000     # raw JSON per shard; a query touches a bounded number of shards
BIG_LIST_BYTES = 24_000         # a posting list longer than this is a file of its own (b/<n>.json)
CHUNK_CHARS = 1000              # original characters per text chunk (fetched only for candidates)
CHUNK_OVERLAP = 80              # characters shared by adjacent chunks: a term this long never straddles two
MAX_CHUNKS = 30                 # chunk masks are 30-bit integers (exact in JavaScript)
ENCODE_PAGES = 256              # the worker encodes the postings gathered over this many pages as JSON text
COMMON_CHARS = 1500             # characters listed by page frequency for the query planner
COMMON_PAIRS = 4000             # at most this many pairs on ≥ 1/COMMON_PAIR_SHARE of the pages, listed likewise
COMMON_PAIR_SHARE = 50
FALLBACK_WORDS = 6000           # dictionary words (those present on the site) for splitting queries
FACETS = ("栏目", "系统", "类别", "年份", "专题")
LAST_SECTIONS = (SECTION_GUIDE,)  # ranked after every other page (the guides, when indexed at all)
YEARS_SHOWN = 10                # more distinct years than this: older ones are grouped by decade

# Weight of a posting: body count (0–63) plus the fields that hold the token.
COUNT_MAX = 63
F_TITLE, F_NAME, F_FIELD, F_PINYIN = 64, 128, 256, 512

_TAGS = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|svg|nav|button)\b.*?</\1>|<section class=\"dj-related\".*?</section>|<a class=\"headerlink\".*?</a>", re.S)
_ARTICLE_START = '<article class="md-content__inner md-typeset"'
_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"[^>]*>(.*?)</article>', re.S)


# The tokens of a text are its characters and adjacent character pairs (normalised).
# While an index is built, a token is a number: a character its code point, a pair of characters
# both code points in one 64-bit number (the first in the low half).  They are read straight out of
# the text's UTF-32 bytes by ``array`` (in C); counting them takes a third of the time that making
# and counting one- and two-character strings does.  Tokens become strings again when written.
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
_LOW = 0xFFFFFFFF


def _token_numbers(norm: str) -> tuple[array, array, array]:
    """The characters of a normalised string, its pairs starting at even and at odd positions."""
    data = norm.encode(_UTF32, "surrogatepass")
    odd_end = 4 + (len(data) - 4) // 8 * 8
    return array("I", data), array("Q", data[:len(data) // 8 * 8]), array("Q", data[4:max(4, odd_end)])


def _pair_number(first: str, second: str) -> int:
    return ord(first) | ord(second) << 32


def _token_text(number: int) -> str:
    return chr(number) if number <= _LOW else chr(number & _LOW) + chr(number >> 32)


def _number_set(norm: str) -> set[int]:
    """The tokens of a normalised string, as numbers."""
    chars, even, odd = _token_numbers(norm)
    present = set(chars)
    present.update(even)
    present.update(odd)
    return present


def shard_of(token: str, shards: int) -> int:
    """FNV-1a over UTF-16 code units (the browser computes the same)."""
    h = 0x811C9DC5
    for unit in token.encode("utf-16-le"):
        h ^= unit
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


def page_text(page_html: str) -> str | None:
    """Readable text of a page's article, or None when the page is not marked for search."""
    match = _ARTICLE.search(page_html)
    if match is None or INDEXED not in page_html[match.start():match.start() + 120]:
        return None
    body = _DROP.sub(" ", match.group(1))
    body = re.sub(r"</(dt|th)>", "：", body)
    body = re.sub(r"</(p|li|h\d|tr|td|div|dd)>", "。 ", body)
    text = re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", body))).replace(" 。", "。").replace("： ", "：").strip()
    return re.sub(r"[。：]\s*(?=[。：])", "", text)


def chunk_text(text: str) -> list[str]:
    """The text cut into at most ``MAX_CHUNKS`` pieces, each overlapping the next by ``CHUNK_OVERLAP``."""
    size = max(CHUNK_CHARS, math.ceil(len(text) / MAX_CHUNKS))
    if len(text) <= size + CHUNK_OVERLAP:
        return [text]
    return [text[start:start + size + CHUNK_OVERLAP] for start in range(0, len(text), size)]


@lru_cache(maxsize=4096)
def spellings(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name (三会一课 → sanhuiyike, shyk), normalised."""
    from pypinyin import lazy_pinyin
    syllables = [normalize(s) for s in lazy_pinyin(name, errors=lambda chars: list(chars))]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


@dataclass
class _Doc:
    url: str
    facets: PageFacets
    body: str                  # the page's text; with ``article``, its article element (text extracted where indexed)
    article: bool = False

    @property
    def text(self) -> str:
        if self.article:
            self.body, self.article = page_text(self.body) or "", False
        return self.body


def dump_docs(docs: list[_Doc]) -> list:
    """Pages as plain JSON data (the preview keeps them between runs)."""
    return [[doc.url, asdict(doc.facets), doc.text] for doc in docs]


def load_docs(rows: object) -> list[_Doc]:
    """Pages from :func:`dump_docs`'s data; ``ValueError`` when it is not that shape."""
    if not isinstance(rows, list):
        raise ValueError("not a list of pages")
    try:
        return [_Doc(str(url), PageFacets(**facets), str(text)) for url, facets, text in rows]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a page: {exc}") from exc


def _text_tokens(text: str) -> tuple[list[str], dict[int, int], dict[int, int], bool]:
    """What a page's text gives the index: its chunks, each token's count (capped at ``COUNT_MAX``),
    the chunk mask of each token (pages of several chunks) and whether it holds traditional characters."""
    chunks = chunk_text(text)
    weights, masks = _count_tokens([normalize(chunk) for chunk in chunks])
    capped = list(compress(weights, map(COUNT_MAX.__lt__, weights.values())))
    dict.update(weights, dict.fromkeys(capped, COUNT_MAX))  # dict's update: Counter's would add
    return chunks, weights, masks, traditional().search(text) is not None


@dataclass
class IndexStats:
    """What one index write produced; ``seconds``: build time spent on the index (extraction + waiting + writing)."""

    pages: int = 0
    tokens: int = 0
    shards: int = 0
    bytes: int = 0
    seconds: float = 0.0
    chunks: int = 0
    writing: float = 0.0    # of ``seconds``: writing the files (the rest: extracting text, waiting for the worker)
    foreseen: int = 0       # pages indexed ahead, before they were built, and found as guessed (SearchIndex.foresee)


@dataclass
class _Head:
    record: dict
    chunks: list[str] = field(default_factory=list)


class _Builder:
    """Postings and page records, one page at a time (in the worker process or in-process).

    Page ids follow the order in which pages arrive (MkDocs' file order, which is stable).
    Postings are kept as flat ``[page delta, weight, …]`` lists (``-weight, chunk mask`` for pages of
    several chunks), ready to be written.  With a ``spool`` folder, each page's head and chunks are
    written there as the page is added (while the build is still rendering), and moved into the
    index when it is written.
    """

    def __init__(self, synonyms: list[list[str]] | None = None, spool: Path | None = None) -> None:
        self.synonyms = synonyms or []
        self.spool = spool
        if spool is not None:
            (spool / "d").mkdir(parents=True, exist_ok=True)
        self.rows: list[list[str | None]] = []
        self.heads: list[_Head] = []
        # Keyed by token numbers (see _token_numbers) until written.
        self.postings: dict[int, list[int]] = {}   # numbers not yet encoded (see _encode)
        self.encoded: dict[int, list[str]] = {}    # the JSON text of the numbers before them, in pieces
        self.numbers: dict[int, int] = {}          # how many numbers those pieces hold
        self.last: dict[int, int] = {}
        self.token_pages: Counter = Counter()   # pages holding each token (for the planner's lists)
        self.bytes = 0                          # bytes of the page files written so far

    def add(self, doc: _Doc) -> None:
        pid = len(self.heads)
        facets = doc.facets
        self.rows.append([facets.filters[f][0] if facets.filters.get(f) else None for f in FACETS])
        chunks, weights, masks, has_traditional = _text_tokens(doc.text)
        names = list(dict.fromkeys(n for n in facets.names if n))
        fields_ = list(dict.fromkeys(f for f in facets.fields if f))
        spelled = [p for name in dict.fromkeys([facets.title, *names, *facets.spell]) for p in spellings(name) if p]
        for values, flag in (([facets.title], F_TITLE), (names, F_NAME), (fields_, F_FIELD), (spelled, F_PINYIN)):
            for value in values:
                for tok in _number_set(normalize(value)):
                    weights[tok] = weights.get(tok, 0) | flag
        self.token_pages.update(weights.keys())  # keys(): counted in C
        postings, last = self.postings, self.last
        get, last_get = postings.get, last.get
        # (A plain loop: CPython 3.11 runs it faster than the same work as iterators mapped in C, measured.)
        if len(chunks) == 1:
            # One chunk: the mask is 1 when the body has the token (count > 0), so none is written.
            for tok, weight in weights.items():
                plist = get(tok)
                if plist is None:
                    postings[tok] = [pid, weight]
                else:
                    plist += (pid - last_get(tok), weight)
                last[tok] = pid
        else:
            # A negative weight says a chunk mask follows.
            mask_get = masks.get
            for tok, weight in weights.items():
                plist = get(tok)
                if plist is None:
                    postings[tok] = [pid, -weight, mask_get(tok, 0)]
                else:
                    plist += (pid - last_get(tok), -weight, mask_get(tok, 0))
                last[tok] = pid
        record = {"u": doc.url, "t": facets.title, "s": facets.section, "n": names, "f": fields_,
                  "p": spelled, "k": len(chunks), "x": chunks[0]}
        if has_traditional or traditional().search(facets.title + "".join(names) + "".join(fields_)):
            record["z"] = 1  # holds traditional characters: the browser needs the t2s table to check it
        head = _Head(record, chunks[1:])
        if self.spool is not None:
            self.bytes += _write_page(self.spool / "d", pid, head)
            head.chunks = []
            del record["x"]  # written: the rest of the record is still needed for meta.json and words.json
        self.heads.append(head)
        if len(self.heads) % ENCODE_PAGES == 0:
            self._encode()

    def _encode(self) -> None:
        """Encode the numbers gathered since the last call as JSON text (in the worker while the build
        renders, so that :meth:`write` has little left to encode); the lists are emptied."""
        encoded, numbers = self.encoded, self.numbers
        for tok, flat in self.postings.items():
            if flat:
                encoded.setdefault(tok, []).append(_dump(flat)[1:-1])
                numbers[tok] = numbers.get(tok, 0) + len(flat)
                flat.clear()

    def _rows(self) -> tuple[dict[str, list[str]], list[list[int]]]:
        """Facet values and each page's value ids; many years are grouped by decade."""
        rows = [list(row) for row in self.rows]
        years = sorted({row[3] for row in rows if row[3]}, reverse=True)
        if len(years) > YEARS_SHOWN:
            recent = set(years[:YEARS_SHOWN])
            for row in rows:
                if row[3] and row[3] not in recent and row[3].isdigit():
                    decade = int(row[3]) // 10 * 10
                    row[3] = f"{decade}—{decade + 9}年"
        values = {f: sorted({row[i] for row in rows if row[i] is not None}) for i, f in enumerate(FACETS)}
        values["年份"].sort(key=lambda v: (v[:4], len(v) == 4), reverse=True)
        ids = {f: {v: n for n, v in enumerate(vals)} for f, vals in values.items()}
        return values, [[ids[f][row[i]] if row[i] is not None else -1 for i, f in enumerate(FACETS)] for row in rows]

    def _words(self) -> list[str]:
        """Words for splitting a query without a contiguous match: common words present on the site."""
        words: dict[str, None] = {}
        for group in self.synonyms:
            words.update(dict.fromkeys(group))
        for head in self.heads:
            for name in [head.record["t"], *head.record["n"]]:
                for part in re.split(r"[^0-9a-z\u3007\u3400-\u9fff\uf900-\ufaff]+", normalize_keep_spaces(name)):
                    if 2 <= len(part) <= 8:
                        words[part] = None
        for word in _dictionary_words():
            if len(words) >= FALLBACK_WORDS:
                break
            if all(_pair_number(word[i], word[i + 1]) in self.numbers for i in range(len(word) - 1)):
                words[word] = None
        return sorted(words)

    def write(self, site_dir: Path, started: float) -> IndexStats:
        """Write into a staging folder, then swap it into place: a reader never sees half an index."""
        writing = time.perf_counter()
        out = site_dir / OUT_DIR
        staging = out.with_name(out.name + ".new")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        dump = _dump
        if self.spool is not None:
            shutil.move(self.spool / "d", staging / "d")  # a rename when both are on one file system
        else:
            (staging / "d").mkdir()
            for pid, head in enumerate(self.heads):
                self.bytes += _write_page(staging / "d", pid, head)
        raw = self.bytes
        self._encode()
        encoded = {_token_text(tok): ",".join(pieces) for tok, pieces in self.encoded.items()}
        chunks = sum(head.record["k"] for head in self.heads)
        values, rows = self._rows()
        # A long posting list (a token on most pages) gets a file of its own, listed with its size in
        # meta.json: fetching it costs only its own bytes, and the query planner can avoid it.
        sizes = {_token_text(tok): 3 * n for tok, n in self.numbers.items()}  # ~3 bytes a number
        long_lists = {tok for tok, size in sizes.items() if size > BIG_LIST_BYTES}
        small = sorted(set(sizes) - long_lists)  # sorted: the same bytes whatever the hash seed
        total = sum(len(tok) * 3 + 6 + sizes[tok] for tok in small)
        shards = max(1, math.ceil(total / SHARD_TARGET_BYTES))
        parts: list[dict[str, str]] = [{} for _ in range(shards)]
        for tok in small:
            parts[shard_of(tok, shards)][tok] = encoded[tok]
        # Hashing puts several mid-sized lists into some shards (up to 7 times the target): the largest
        # lists of a shard over twice the target get files of their own, so that no shard costs a query more.
        for part in parts:
            weight = sum(len(tok) * 3 + 6 + sizes[tok] for tok in part)
            for tok in sorted(part, key=lambda t: (-sizes[t], t)):
                if weight <= 2 * SHARD_TARGET_BYTES or len(part) == 1:
                    break
                weight -= len(tok) * 3 + 6 + sizes[tok]
                del part[tok]
                long_lists.add(tok)
        # Listed shortest first (the position is the file name and tells the planner how costly it is).
        big = sorted(long_lists, key=lambda tok: (sizes[tok], tok))
        (staging / "b").mkdir()
        for i, tok in enumerate(big):
            raw += _write(staging / "b" / f"{i}.json", f"[{encoded[tok]}]")
        for i, part in enumerate(parts):
            # What json.dumps writes for {token: [numbers]}, from the numbers' text.
            raw += _write(staging / f"s{i}.json", "{" + ",".join(f"{dump(tok)}:[{flat}]" for tok, flat in part.items()) + "}")
        by_pages = sorted(((_token_text(tok), n) for tok, n in self.token_pages.items()), key=lambda kv: (-kv[1], kv[0]))
        common = "".join([c for c, _ in by_pages if len(c) == 1][:COMMON_CHARS])
        # The pairs on many pages, most common first: the planner looks up the others (rarer than any of
        # these) first.  A pair's characters alone say little: 效 and 投 are common, 效投 is rare.
        floor = max(3, len(self.heads) / COMMON_PAIR_SHARE)
        common_pairs = "".join([t for t, n in by_pages if len(t) == 2 and n >= floor][:COMMON_PAIRS])
        meta = {"v": FORMAT, "shards": shards, "pages": len(self.heads), "facets": list(FACETS), "values": values,
                "common": common, "pairs": common_pairs, "syn": self.synonyms,
                "big": "|".join(big), "bigmin": min((sizes[t] for t in big), default=0),
                "bigmax": max((sizes[t] for t in big), default=0),
                "last": [pid for pid, head in enumerate(self.heads) if head.record["s"] in LAST_SECTIONS]}
        raw += _write(staging / "meta.json", dump(meta))
        raw += _write(staging / "pages.json", dump({"pages": rows}))
        trad, simp = t2s_table()
        raw += _write(staging / "t2s.json", dump({"t": trad, "s": simp}))
        raw += _write(staging / "words.json", dump(self._words()))
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        staging.rename(out)
        if old.exists():
            shutil.rmtree(old)
        now = time.perf_counter()
        return IndexStats(len(self.heads), len(sizes), shards, raw, now - started, chunks, now - writing)


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write(path: Path, text: str) -> int:
    """Write ``text`` as UTF-8 (no newline translation); its size in bytes.

    Tens of thousands of small files: ``os.open``/``os.write`` cost about half of ``open()``'s
    buffered file objects.
    """
    data = text.encode("utf-8")
    fd = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return len(data)


def _write_page(folder: Path, pid: int, head: _Head) -> int:
    """A page's head (with its first chunk) and its further chunks, one file each; their size in bytes."""
    size = _write(folder / f"{pid}.json", _dump(head.record))
    for k, chunk in enumerate(head.chunks, 1):
        size += _write(folder / f"{pid}-{k}.json", f'{{"x":{_dump(chunk)}}}')
    return size


def _count_tokens(norms: list[str]) -> tuple[Counter, dict[int, int]]:
    """Occurrences of each token (as a number) in the (normalised) chunks, and the bit mask of the chunks holding it.

    The work runs in C (``Counter`` over arrays of numbers, ``dict.update`` over mapped iterators):
    no per-character Python loop.  The overlap of adjacent chunks is counted twice: a count only
    ranks, it never decides a match.
    """
    counts: Counter = Counter()
    if len(norms) == 1:
        for numbers in _token_numbers(norms[0]):
            counts.update(numbers)
        return counts, {}
    masks: dict[int, int] = {}
    mask_get = masks.get
    for k, norm in enumerate(norms):
        chars, even, odd = _token_numbers(norm)
        counts.update(chars)
        counts.update(even)
        counts.update(odd)
        present = set(chars)
        present.update(even)
        present.update(odd)
        masks.update(zip(present, map((1 << k).__or__, map(mask_get, present, repeat(0)))))
    return counts, masks


def normalize_keep_spaces(text: str) -> str:
    """Normalised text with a space where punctuation was (to split names into words)."""
    return " ".join(normalize(part) for part in re.split(r"[\s\W_]+", text))


@lru_cache(maxsize=1)
def _dictionary_words() -> tuple[str, ...]:
    """jieba's dictionary words of 2–4 ideographs, most frequent first (for splitting queries)."""
    try:
        import jieba
        text = Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return ()
    rows = re.findall(r"^([\u4e00-\u9fff]{2,4}) (\d+)", text, re.M)
    return tuple(w for w, _ in heapq.nlargest(60_000, rows, key=lambda row: int(row[1])))


# The worker process keeps one builder (and the one built ahead, see _Ahead); with a single worker,
# tasks run in the order submitted.
_WORKER: dict[str, _Builder] = {}
_AHEAD: dict[str, _Ahead] = {}


def _worker_warm() -> None:
    """Load what indexing needs (pinyin tables, the t2s table, the dictionary words) before pages arrive."""
    spellings.__wrapped__("三会一课")
    normalize("黨建ＡＢＣ")
    traditional()
    _dictionary_words()


def _page_digest(url: str, facets: PageFacets, text: str) -> bytes:
    digest = hashlib.blake2b(repr((url, facets)).encode("utf-8", "surrogatepass"), digest_size=16)
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


class _Ahead:
    """The index built ahead from guessed pages, while the engine still converts pages (worker side).

    Guesses arrive in the order the pages will be built; each one is added to ``builder`` at once.
    When the pages are built, each is checked against the guess at its place (URL, facets and text,
    by digest).  If every page is as guessed, ``builder`` is the index; at the first page that is
    not, the guesses are dropped and the pages received so far are added to a fresh builder, and
    from then on pages are added as they come.  The index is the same either way.
    """

    def __init__(self, synonyms: list[list[str]], spool: Path) -> None:
        self.builder = _Builder(synonyms, spool)
        self.synonyms, self.spool = synonyms, spool
        self.expected: list[bytes] = []
        self.received: list[_Doc] = []   # the built pages checked so far (for a fresh builder)

    def guess(self, url: str, facets: PageFacets, article: str) -> None:
        text = page_text(article)
        if text is not None:
            self.builder.add(_Doc(url, facets, text))
            self.expected.append(_page_digest(url, facets, text))

    def check(self, doc: _Doc) -> bool:
        """Whether the built page is the next guess (else nothing is changed)."""
        n = len(self.received)
        if n < len(self.expected) and self.expected[n] == _page_digest(doc.url, doc.facets, doc.text):
            self.received.append(doc)
            return True
        return False

    def complete(self) -> bool:
        return len(self.received) == len(self.expected)

    def fresh(self) -> _Builder:
        """A builder holding the pages received so far (the guesses' page files removed from the spool)."""
        shutil.rmtree(self.spool / "d", ignore_errors=True)
        builder = _Builder(self.synonyms, self.spool)
        for doc in self.received:
            builder.add(doc)
        return builder


def _worker_foresee(key: str, pages: list[tuple[str, PageFacets, str]], synonyms: list[list[str]], spool: str) -> None:
    ahead = _AHEAD.get(key)
    if ahead is None:
        _AHEAD.clear()
        ahead = _AHEAD[key] = _Ahead(synonyms, Path(spool))
    for url, facets, article in pages:
        ahead.guess(url, facets, article)


def _worker_add(key: str, docs: list[_Doc], synonyms: list[list[str]], spool: str) -> int:
    ahead = _AHEAD.get(key)
    if ahead is not None:
        for n, doc in enumerate(docs):
            if not ahead.check(doc):  # not as guessed: build from the pages as they are
                del _AHEAD[key]
                builder = _WORKER[key] = ahead.fresh()
                for rest in docs[n:]:
                    builder.add(rest)
                return len(builder.heads)
        return len(ahead.received)
    builder = _WORKER.get(key)
    if builder is None:
        _WORKER.clear()
        builder = _WORKER[key] = _Builder(synonyms, Path(spool))
        _worker_warm()  # already done when the worker was started early; cached
    for doc in docs:
        builder.add(doc)
    return len(builder.heads)


def _worker_write(key: str, site_dir: str, started: float) -> IndexStats:
    ahead = _AHEAD.pop(key, None)
    if ahead is None:
        return _WORKER.pop(key).write(Path(site_dir), started)
    if not ahead.complete():  # fewer pages were built than guessed
        return ahead.fresh().write(Path(site_dir), started)
    stats = ahead.builder.write(Path(site_dir), started)
    stats.foreseen = len(ahead.received)
    return stats


class SearchIndex:
    """Collects built pages during the build; :meth:`write` writes the index after it.

    With ``background`` (the default) pages are tokenized in a second process while the
    build goes on rendering, so on a two-core machine the index costs the build little.
    If that process cannot start, dies or hangs, the index is built in this process from
    the pages kept here: the result is the same, only slower.

    ``previous`` is the index of the last build in the same process (``mkdocs serve``):
    when a ``--dirty`` rebuild renders only the edited pages, :meth:`write_partial`
    writes the previous pages with the edited ones replaced.
    """

    BATCH = 16                  # pages sent to the worker at a time (small: little left to do when the build ends)
    WORKER_TIMEOUT = 900.0      # seconds to wait for the worker before building in-process

    def __init__(self, background: bool = True, synonyms: list[list[str]] | None = None,
                 previous: SearchIndex | None = None, known: list[_Doc] | None = None,
                 site_dir: Path | None = None) -> None:
        self.docs: list[_Doc] = []
        #: the site the index is written into: the worker's files are kept beside it (one file system,
        #: so they are moved in by renaming; a RAM-disk /tmp would make that a copy of every file)
        self.site_dir = site_dir
        self.background = background
        self.synonyms = synonyms or []
        self.fallback_reason: str | None = None   # why the worker was not used (for logs and tests)
        self.known: list[_Doc] = list(previous.known) if previous is not None else list(known or [])
        self._pending: list[_Doc] = []
        self._foreseen: list[tuple[str, PageFacets, str]] = []   # guesses not yet sent to the worker
        self.main_seconds = 0.0   # time the build itself spent on the index (reported as IndexStats.seconds)
        self._pool = None
        self._spool: Path | None = None   # the worker writes page heads and chunks here as pages arrive
        self._key = f"{os.getpid()}-{id(self)}-{time.monotonic_ns()}"
        if previous is not None:
            previous.close()
        elif background and not self.known:
            # A full build: start the worker now, so that it has loaded its tables before the first page
            # arrives.  (A preview rebuild, which may render a single page, starts it with the first batch.)
            self._flush(warm=True)

    def foresee(self, url: str, article: str, facets: PageFacets) -> None:
        """A page's article as it will most likely be built, before it is, in the order pages will be
        added (MkDocs converts every page's Markdown before it renders any): the worker indexes the
        guesses meanwhile, on the core the build leaves idle then.  If every page is then built as
        guessed, that index is written; otherwise the worker indexes the pages as built (see _Ahead).
        The index is the same either way."""
        if not self.background or self.known or self.docs:
            return  # no worker, a preview rebuild (a few pages), or the build is already rendering
        started = time.perf_counter()
        self._foreseen.append((url, facets, article))
        if len(self._foreseen) >= self.BATCH:
            self._flush_foreseen()
        self.main_seconds += time.perf_counter() - started

    def _flush_foreseen(self) -> None:
        batch, self._foreseen = self._foreseen, []
        if batch and self._pool is not None:
            self._submit(_worker_foresee, batch)

    def add(self, url: str, page_html: str, facets: PageFacets | None) -> None:
        if facets is None:
            return
        started = time.perf_counter()
        if self._foreseen:
            self._flush_foreseen()
        # Only the article is cut out here (string search, no regular expression); its text is extracted
        # in the worker, off the build's path.
        start = page_html.find(_ARTICLE_START)
        end = page_html.find("</article>", start) if start >= 0 else -1
        if end >= 0 and INDEXED in page_html[start:start + 120]:
            doc = _Doc(url, facets, page_html[start:end + len("</article>")], article=True)
            self.docs.append(doc)
            if self.background:
                self._pending.append(doc)
                if len(self._pending) >= self.BATCH:
                    self._flush()
        self.main_seconds += time.perf_counter() - started

    def _flush(self, warm: bool = False) -> None:
        if not self._pending and not warm:
            return
        batch, self._pending = self._pending, []
        if warm:
            self._submit(_worker_warm)
        else:
            self._submit(_worker_add, batch)

    def _submit(self, task, batch: list | None = None) -> None:
        """Hand the worker ``task`` for ``batch`` (none: a task without arguments), starting the worker
        and its spool folder first when needed; when that fails, the index is built in this process."""
        try:
            if self._pool is None:
                self._pool = _start_pool()
            if self._spool is None:
                self._spool = folder_beside(self.site_dir, "search")
            if batch is None:
                self._pool.submit(task)
            else:
                self._pool.submit(task, self._key, batch, self.synonyms, str(self._spool))
        except Exception as exc:  # noqa: BLE001 - no worker: index in this process at the end
            self._give_up(f"{type(exc).__name__}: {exc}")

    def _give_up(self, reason: str) -> None:
        self.background = False
        self.fallback_reason = reason
        self.close()

    def close(self) -> None:
        """Stop the worker without writing (a partial ``--dirty`` build keeps the old index)."""
        pool, self._pool = self._pool, None
        self._pending = []
        self._foreseen = []
        spool, self._spool = self._spool, None
        stop_pool(pool)
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)

    def write(self, site_dir: Path) -> IndexStats:
        """Write the index; ``seconds`` of the result is all the time the build spent on it."""
        stats = self._write(site_dir)
        stats.seconds = self.main_seconds + stats.seconds
        return stats

    def _write(self, site_dir: Path) -> IndexStats:
        started = time.perf_counter()
        self.known = list(self.docs)
        if self.background and self._pool is not None:
            self._flush()
            try:
                if self._pool is not None:
                    future = self._pool.submit(_worker_write, self._key, str(site_dir), started)
                    stats = future.result(timeout=self.WORKER_TIMEOUT)
                    self.close()
                    return stats
            except OSError:
                self.close()
                raise  # disk full or read-only: the same would happen here
            except Exception as exc:  # noqa: BLE001 - worker died or hung
                self._give_up(f"{type(exc).__name__}: {exc}")
        self.close()
        return _build(self.docs, self.synonyms, site_dir, started)

    def write_partial(self, site_dir: Path) -> IndexStats | None:
        """After a ``--dirty`` rebuild: the last full set of pages with the rebuilt ones replaced.

        Returns ``None`` (the existing index is kept) when no full build ran in this process yet.
        """
        self.close()
        if not self.known:
            return None
        started = time.perf_counter()
        return _build(self.merged(), self.synonyms, site_dir, started)

    def merged(self, urls: set[str] | None = None) -> list[_Doc]:
        """The last full set of pages with the rebuilt ones replaced (and kept as the new full set);
        ``urls``: the site's pages now, so that pages deleted since are dropped."""
        fresh = {doc.url: doc for doc in self.docs}
        merged = [fresh.pop(doc.url, doc) for doc in self.known if urls is None or doc.url in urls] + list(fresh.values())
        self.known = merged
        return merged


def _build(docs: list[_Doc], synonyms: list[list[str]], site_dir: Path, started: float) -> IndexStats:
    builder = _Builder(synonyms)
    for doc in docs:
        builder.add(doc)
    return builder.write(site_dir, started)


def stop_pool(pool, wait: float = 0.0) -> None:
    """Stop a worker pool of :func:`_start_pool` now, whatever it is doing (``wait``: seconds to let it die)."""
    if pool is None:
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
        if wait:
            process.join(timeout=wait)


def _ignore_interrupts() -> None:
    """Ctrl+C in the preview window reaches every process of it: the worker leaves stopping to the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_pool():
    """One worker process, started fresh (``spawn``: safe beside ``mkdocs serve``'s threads).

    The worker imports this module by name, so the folder holding the ``dangjian`` package
    must be on ``sys.path`` while the process starts (MkDocs removes it after loading hooks).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    scripts_dir = str(Path(__file__).resolve().parent.parent)
    added = scripts_dir not in sys.path
    if added:
        sys.path.insert(0, scripts_dir)
    # A spawned child re-runs the parent's main script unless it is guarded by
    # `if __name__ == "__main__"`; a script that calls MkDocs' build directly may not be.
    # While the worker starts, __main__ is an empty module, so the child imports nothing of it.
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_ignore_interrupts)
        # Starts the worker now, while the path is set (not waited for), with Ctrl+C ignored from its very
        # first instruction (an ignored signal stays ignored through exec, and Python keeps it so): a Ctrl+C
        # while it starts would otherwise print a traceback before the initializer has run.
        restore = None
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is not None:
            restore = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            pool.submit(len, ())
        finally:
            if restore is not None:
                signal.signal(signal.SIGINT, restore)
        return pool
    finally:
        if main is not None:
            sys.modules["__main__"] = main
        if added and scripts_dir in sys.path:
            sys.path.remove(scripts_dir)


def write_index(index: SearchIndex, site_dir: Path, expected: int = 0) -> tuple[IndexStats | None, list]:
    """Write the index; a failure (disk full, permissions) is a Chinese problem, not a traceback.

    When fewer pages than ``expected`` were rendered (``serve --dirty``), the edited pages
    replace their older versions in the last full index instead.
    """
    from .problems import Problem, Severity
    try:
        if len(index.docs) < expected:
            stats = index.write_partial(site_dir)
            if stats is None:
                return None, [Problem(str(site_dir / OUT_DIR), f"增量构建只重建了 {len(index.docs)} 页，沿用已有的搜索索引"
                                      "（改过的页面要在 ./dev.sh serve 预览中或完整构建后才能搜到新内容）。", "",
                                      field="search", severity=Severity.INFO)]
            return stats, []
        return index.write(site_dir), []
    except OSError as exc:
        return None, [Problem(str(site_dir / OUT_DIR), f"写入站内搜索索引失败：{exc.strerror or exc}",
                              "检查输出目录是否可写、磁盘是否已满，然后重新构建。", field="search")]


def new_search_index(root: Path, background: bool, previous: SearchIndex | None, problems: list,
                     known: list[_Doc] | None = None, site_dir: Path | None = None) -> SearchIndex:
    """The index for one build: synonyms from ``rules/synonyms.yml`` (their problems appended to
    ``problems``), the pages of the previous build carried over for ``--dirty`` (``previous`` in
    this process, else ``known``: those the preview kept from its last run)."""
    from .synonyms import load_synonyms
    synonyms, found = load_synonyms(root)
    problems.extend(found)
    return SearchIndex(background=background, synonyms=synonyms, previous=previous, known=known, site_dir=site_dir)
