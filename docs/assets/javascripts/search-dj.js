/* 站内搜索：本站自建的中文字串索引（search/dj/，构建时生成，格式见 scripts/dangjian/search_index.py）。
   查询与索引用同一套规整（全角→半角、大写→小写、繁体→简体、去掉标点和空格）；
   每个词（空格分开）只查它最少见的几个相邻字对（分片数有上限），再在候选页面的对应文字块里
   核对整个词：显示的结果一定含有每个词（或同义词表中的说法），摘要在命中处截取并高亮。
   整句没有连续出现时，退而查“各词分散出现”的页面，并在结果上方说明。只访问本站地址。 */
(function () {
  "use strict";
  var KEEP = /[0-9a-z\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;   // same as KEEP in normalize.py
  var F_TITLE = 64, F_NAME = 128, F_FIELD = 256, F_PINYIN = 512, COUNT = 63;
  var PAIRS_PER_TERM = 5, PAIRS_PER_QUERY = 7, POSTING_BYTES = 90000, SHARD_BYTES = 16000, BIG_MIN = 24000;
  var MAX_TERM = 80, SHOWN = 10, VERIFY_HEADS = 16, FIRST_BATCH = 12, COUNT_ALL = 20, EXTRA_CHUNKS = 20, BYTE_BUDGET = 240000, LOOSE_BUDGET = 100000;
  var LOOSE_START = 150000, LOOSE_BATCH = 8;
  var GUIDE = "使用指南", LOOSE_BELOW = 5, LOOSE_MAX_CHARS = 12, QUIET_MS = 300, DEBOUNCE_MS = 30;
  var box = document.querySelector("[data-dj-search]");
  var base = new URL((box ? box.getAttribute("data-base") : ".") + "/search/dj/", location.href);
  var spent = 0;  // bytes fetched for the current query: the fallback and further checks stop near BYTE_BUDGET
  var cache = {}, meta = null, t2s = null, common = null, commonPairs = null, big = null, words = null, rows = null;

  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) throw new Error(path + " " + r.status);
        return r.arrayBuffer();
      }).then(function (buf) {
        spent += buf.byteLength;
        return JSON.parse(new TextDecoder().decode(buf));
      });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }
  function loadMeta() {
    return getJSON("meta.json").then(function (m) {
      if (!meta) {
        meta = m; common = new Map(); big = new Map();
        for (var i = 0; i < m.common.length; i++) common.set(m.common[i], i);
        commonPairs = new Map();
        for (var j = 0; j + 1 < (m.pairs || "").length; j += 2) commonPairs.set(m.pairs.substr(j, 2), j / 2);
        // Lists in files of their own, shortest first: the n-th costs about bigmin .. bigmax bytes, growing with n.
        var bigs = m.big ? m.big.split("|") : [], low = m.bigmin || BIG_MIN;
        bigs.forEach(function (tok, n) { big.set(tok, [n, low + (m.bigmax - low) * (n + 1) / bigs.length]); });
      }
      return m;
    });
  }
  // The traditional→simplified table is fetched only when the query has a character the site rarely uses.
  function loadT2s(q, force) {
    if (t2s) return Promise.resolve(t2s);
    var rare = !!force;
    for (var i = 0; i < q.length; i++) if (/[\u3400-\u9fff\uf900-\ufaff]/.test(q[i]) && !common.has(q[i])) rare = true;
    if (!rare) return Promise.resolve(null);
    return getJSON("t2s.json").then(function (d) {
      t2s = new Map();
      for (var i = 0; i < d.t.length; i++) t2s.set(d.t[i], d.s[i]);
      return t2s;
    });
  }

  function foldChar(c) {
    var n = c.charCodeAt(0);
    if (n >= 0xff01 && n <= 0xff5e) { c = String.fromCharCode(n - 0xfee0); n -= 0xfee0; }
    if (n >= 65 && n <= 90) return String.fromCharCode(n + 32);
    return (t2s && t2s.get(c)) || c;
  }
  // Normalised text and, for each of its characters, the position in the original text.
  function normalizeMap(s) {
    var out = "", pos = [];
    for (var i = 0; i < s.length; i++) {
      var c = foldChar(s[i]);
      if (KEEP.test(c)) { out += c; pos.push(i); }
    }
    return { text: out, pos: pos };
  }
  function normalize(s) { return normalizeMap(s).text; }

  // Query terms (space-separated words, normalised), each with its synonym alternatives.
  function terms(q) {
    var out = [];
    q.split(/\s+/).forEach(function (w) {
      var t = normalize(w).slice(0, MAX_TERM);
      if (t && out.indexOf(t) < 0) out.push(t);
    });
    return out.filter(function (t) {  // a term inside another term adds nothing
      return !out.some(function (o) { return o !== t && o.indexOf(t) >= 0; });
    });
  }
  function alternatives(t) {
    var alts = [t];
    (meta.syn || []).forEach(function (group) {
      group.forEach(function (form) {
        if (alts.length >= 4 || t.indexOf(form) < 0) return;
        group.forEach(function (other) {
          var alt = t.split(form).join(other);
          if (other !== form && alts.length < 4 && alts.indexOf(alt) < 0 && alt.indexOf(t) < 0) alts.push(alt);
        });
      });
    });
    return alts;
  }
  // How common a token is (lower: rarer): the size of its posting list when it has a file of its own;
  // else its place among the pairs on many pages (meta.pairs, most common first); else (a pair on few pages)
  // an estimate from the site's most frequent characters.
  function commonness(tok) {
    if (big.has(tok)) return 1e6 + big.get(tok)[1];
    if (commonPairs.has(tok)) return 1e5 + commonPairs.size - commonPairs.get(tok);
    var r = 0;
    for (var i = 0; i < tok.length; i++) { var c = common.get(tok[i]); r = Math.max(r, c === undefined ? -1 : meta.common.length - c); }
    return r;
  }
  function cost(tok) { return big.has(tok) ? big.get(tok)[1] : SHARD_BYTES; }
  // The pairs looked up for a term: its rarest ones, at most `limit` and about `bytes` of postings
  // (always at least one): a bounded number of files whatever the phrase length.
  function plan(t, limit, bytes) {
    var pairs = [];
    if (t.length === 1) pairs = [t];
    for (var i = 0; i + 1 < t.length; i++) if (pairs.indexOf(t.substr(i, 2)) < 0) pairs.push(t.substr(i, 2));
    var ranked = pairs.map(function (p, i) { return [p, commonness(p), i]; });
    ranked.sort(function (a, b) { return a[1] - b[1] || a[2] - b[2]; });
    var out = [], spent = 0;
    ranked.forEach(function (r) {
      if (out.length < limit && (!out.length || spent + cost(r[0]) <= bytes)) { out.push(r[0]); spent += cost(r[0]); }
    });
    return out;
  }
  function shardOf(tok, n) {
    var h = 0x811c9dc5;
    for (var i = 0; i < tok.length; i++) {
      var c = tok.charCodeAt(i);
      h ^= c & 0xff; h = Math.imul(h, 0x01000193) >>> 0;
      h ^= c >>> 8; h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % n;
  }
  function postings(tok) {
    var file = big.has(tok) ? getJSON("b/" + big.get(tok)[0] + ".json") : getJSON("s" + shardOf(tok, meta.shards) + ".json").then(function (s) { return s[tok] || []; });
    return file.then(function (flat) {
      var map = new Map(), pid = 0;
      for (var i = 0; i < flat.length;) {
        pid += flat[i];
        if (flat[i + 1] < 0) { map.set(pid, [-flat[i + 1], flat[i + 2]]); i += 3; }       // several chunks: mask follows
        else { map.set(pid, [flat[i + 1], flat[i + 1] & COUNT ? 1 : 0]); i += 2; }          // one chunk
      }
      return map;
    });
  }

  // Candidate pages of one alternative: pid → {flags, count, mask}; exact when the postings prove it.
  function candidates(alt, maps) {
    var out = new Map();
    maps[0].forEach(function (p, pid) {
      var w = p[0], mask = p[1], flags = w & ~COUNT, n = w & COUNT;
      for (var k = 1; k < maps.length; k++) {
        var o = maps[k].get(pid); if (o === undefined) return;
        flags &= o[0]; mask &= o[1]; n = Math.min(n, o[0] & COUNT);
      }
      if (!flags && !mask) return;
      out.set(pid, { flags: flags, count: mask ? n : 0, mask: mask });
    });
    return out;
  }
  function fieldScore(flags) {
    return (flags & F_TITLE ? 1000 : 0) + (flags & F_NAME ? 400 : 0) + (flags & F_FIELD ? 200 : 0) + (flags & F_PINYIN ? 100 : 0);
  }

  // Look up the terms; returns candidate pages with an estimated score, and whether the postings alone are exact.
  function lookup(ts, postingBytes) {
    var budget = Math.max(1, Math.floor(PAIRS_PER_QUERY / ts.length));
    var plans = ts.map(function (t) {
      var bytes = postingBytes / ts.length;
      return alternatives(t).map(function (alt, i) {
        return { alt: alt, primary: i === 0, toks: i === 0 ? plan(alt, Math.min(PAIRS_PER_TERM, budget), bytes) : plan(alt, budget > 2 ? 2 : 1, bytes / 3) };
      });
    });
    return Promise.all(plans.map(function (alts) {
      return Promise.all(alts.map(function (a) { return Promise.all(a.toks.map(postings)); }));
    })).then(function (perTerm) {
      var result = null, exact = true;
      perTerm.forEach(function (altMaps, ti) {
        var termCands = new Map();
        altMaps.forEach(function (maps, ai) {
          var a = plans[ti][ai];
          if (a.alt.length > 2) exact = false;
          candidates(a.alt, maps).forEach(function (c, pid) {
            var s = fieldScore(c.flags) + Math.min(c.count, 20);
            if (!a.primary) s = s / 2;
            var prev = termCands.get(pid);
            var entry = { alt: a.alt, mask: c.mask, flags: c.flags, count: c.count, primary: a.primary };
            if (!prev) termCands.set(pid, { score: s, alts: [entry] });
            else { prev.alts.push(entry); prev.score = Math.max(prev.score, s); }
          });
        });
        if (result === null) {
          result = new Map();
          termCands.forEach(function (c, pid) { result.set(pid, { pid: pid, score: c.score, terms: [c.alts] }); });
        } else {
          var next = new Map();
          result.forEach(function (r, pid) {
            var c = termCands.get(pid);
            if (c) { r.score += c.score; r.terms.push(c.alts); next.set(pid, r); }
          });
          result = next;
        }
      });
      if (ts.some(function (t, ti) { return plans[ti].some(function (a) { return a.alt.length > 2; }); })) exact = false;
      return { cands: Array.from(result.values()), exact: exact };
    });
  }

  function facetFilter(cands, filters) {
    var wanted = meta.facets.map(function (f) { return filters && filters[f] ? meta.values[f].indexOf(filters[f]) : -1; });
    if (!wanted.some(function (w) { return w >= 0; })) return Promise.resolve(cands);
    return (rows ? Promise.resolve(rows) : getJSON("pages.json").then(function (p) { rows = p.pages; return rows; })).then(function (rs) {
      return cands.filter(function (c) {
        for (var i = 0; i < wanted.length; i++) if (wanted[i] >= 0 && rs[c.pid][i] !== wanted[i]) return false;
        return true;
      });
    });
  }

  // The chunks of a page that may hold a term, in the order they are checked: the typed form first.
  function chunkOrder(alts, k) {
    var order = [];
    alts.forEach(function (a) {
      for (var i = 0; i < k; i++) if (a.mask & (1 << i)) order.push([i, a]);
    });
    order.sort(function (x, y) { return (y[1].primary - x[1].primary) || x[0] - y[0]; });
    return order;
  }
  // A further chunk, counted against the query's budget once (whether prefetched or fetched when checked).
  function getChunk(pid, k, budget) {
    var path = "d/" + pid + "-" + k + ".json";
    if (!budget.paid.has(path)) {
      if (budget.chunks <= 0 || spent > BYTE_BUDGET) return null;
      budget.chunks--; budget.paid.add(path);
    }
    return getJSON(path);
  }

  // Check a candidate page against the whole term in its title, names, fields, pinyin and candidate chunks.
  // The head and each term's first candidate chunk are fetched at once (one round trip for most pages);
  // the terms are checked side by side.
  function verify(c, budget) {
    var k = 1;
    c.terms.forEach(function (alts) { alts.forEach(function (a) { while (k < 30 && a.mask >>> k) k++; }); });
    c.terms.forEach(function (alts) {
      var first = chunkOrder(alts, k)[0];
      if (first && first[0] > 0) getChunk(c.pid, first[0], budget);
    });
    return getJSON("d/" + c.pid + ".json").then(function (d) {
      return d.z ? loadT2s("", true).then(function () { return d; }) : d;
    }).then(function (d) {
      var head = { t: normalize(d.t), n: d.n.map(normalize).join("|"), f: d.f.map(normalize).join("|"), p: d.p.join("|") };
      return Promise.all(c.terms.map(function (alts) {
        var best = null;
        alts.forEach(function (a) {
          var s = (head.t.indexOf(a.alt) >= 0 ? 1000 : 0) + (head.n.indexOf(a.alt) >= 0 ? 400 : 0) +
            (head.f.indexOf(a.alt) >= 0 ? 200 : 0) + (head.p.indexOf(a.alt) >= 0 ? 100 : 0);
          if (s && !a.primary) s = s / 2 - 1;
          if (s && (!best || s > best.s)) best = { s: s, alt: a.alt };
        });
        return findInChunks(d, c.pid, alts, budget).then(function (hit) {
          // a one- or two-character form in a chunk is proven by the postings alone
          var proven = alts.some(function (a) { return a.alt.length <= 2 && a.mask; });
          if (!best && !hit && !proven) return null;
          if (!best && !hit) return { score: 1, found: alts[0].alt, hit: null };
          var s = best ? best.s : 0;
          if (hit) s += (hit.primary ? 1 : 0.5) * Math.min(hit.count, 20) + (hit.primary ? 1 : 0);
          return { score: s, found: hit ? hit.alt : best.alt, hit: hit };
        });
      })).then(function (parts) {
        if (parts.some(function (p) { return !p; })) return null;
        var hit = null;
        parts.forEach(function (p) { if (p.hit && !hit) hit = p.hit; });
        return { pid: c.pid, doc: d, score: parts.reduce(function (s, p) { return s + p.score; }, 0),
                 found: parts.map(function (p) { return p.found; }), hit: hit };
      });
    });
  }
  function findInChunks(d, pid, alts, budget) {
    var order = chunkOrder(alts, d.k);
    function next(i) {
      if (i >= order.length) return Promise.resolve(null);
      var k = order[i][0], a = order[i][1];
      var chunk = k === 0 ? Promise.resolve(d) : getChunk(pid, k, budget);
      if (!chunk) { budget.cut.add(pid); return Promise.resolve(null); }
      return chunk.then(function (chunk) {
        var m = normalizeMap(chunk.x), at = m.text.indexOf(a.alt);
        if (at < 0) return next(i + 1);
        return { alt: a.alt, primary: a.primary, text: chunk.x, start: m.pos[at], end: m.pos[at + a.alt.length - 1] + 1,
                 count: a.count, chunk: k };
      });
    }
    return next(0);
  }

  function run_(ts, filters, fallback) {
    // The fallback runs after the strict query: it gets half the postings and a smaller first batch,
    // and checks nothing once the query has spent BYTE_BUDGET (a first query stays within 300 KB).
    if (fallback && spent > LOOSE_START) return Promise.resolve({ total: 0, approx: false, results: [], terms: ts, fallback: fallback });
    return lookup(ts, fallback ? POSTING_BYTES / 2 : POSTING_BYTES).then(function (res) {
      return facetFilter(res.cands, filters).then(function (cands) {
        var last = new Set(meta.last || []);
        cands.forEach(function (c) { if (last.has(c.pid)) c.score -= 100000; });
        cands.sort(function (a, b) { return b.score - a.score || a.pid - b.pid; });
        var found = [], checked = 0, budget = { chunks: EXTRA_CHUNKS, paid: new Set(), cut: new Set() };
        // The first batch fills a page of results when (as usual) nearly every candidate holds the terms;
        // a second one makes up for those that did not.  When the postings cannot prove the matches and
        // there are few candidates, all are checked at once: the count is then exact, not "约 N".
        var first = fallback ? LOOSE_BATCH : !res.exact && cands.length <= COUNT_ALL ? cands.length : FIRST_BATCH;
        function batch(from) {
          var part = cands.slice(from, from ? VERIFY_HEADS : first);
          if (!part.length || found.length >= SHOWN || from >= VERIFY_HEADS || ((from || fallback) && spent > BYTE_BUDGET)) return Promise.resolve(from);
          return Promise.all(part.map(function (c) { return verify(c, budget); })).then(function (rs) {
            rs.forEach(function (r) { if (r) found.push(r); });
            checked = from + part.length;
            return batch(checked);
          });
        }
        return batch(0).then(function () {
          found.forEach(function (r) { if (r.doc.s === GUIDE) r.score -= 100000; });
          found.sort(function (a, b) { return b.score - a.score; });
          // Unknown: candidates never checked, and those whose check the byte budget cut short.
          var shown = new Set(found.map(function (r) { return r.pid; })), cut = 0;
          budget.cut.forEach(function (pid) { if (!shown.has(pid)) cut++; });
          var rest = cands.length - checked, unknown = rest + cut, total, approx = false;
          if (res.exact) total = found.length + rest;
          else if (unknown <= 0) total = found.length;
          else { total = found.length + Math.round(unknown * (checked > cut ? found.length / (checked - cut) : 1)); approx = true; }
          return { total: total, approx: approx, results: found.slice(0, SHOWN), terms: ts, fallback: fallback };
        });
      });
    });
  }

  // Split a term with no contiguous match into words: longest dictionary words matched from the end
  // (backward maximum matching suits Chinese best), digit and letter runs kept whole, single characters dropped.
  function split(t) {
    var out = [], i = t.length;
    while (i > 0) {
      var m = /[0-9]+$|[a-z]+$/.exec(t.slice(0, i));
      if (m) { out.unshift(m[0]); i -= m[0].length; continue; }
      var w = t[i - 1];
      for (var n = Math.min(8, i); n >= 2; n--) if (words.has(t.substr(i - n, n))) { w = t.substr(i - n, n); break; }
      out.unshift(w); i -= w.length;
    }
    var long = out.filter(function (w) { return w.length > 1; });
    return long.length ? long : out;
  }

  function search(q, filters) {
    if (!q.trim()) return Promise.resolve({ total: 0, results: [], terms: [] });
    spent = 0;
    return loadMeta().then(function () { return loadT2s(q); }).then(function () {
      var ts = terms(q);
      if (!ts.length) return { total: 0, results: [], terms: ts };
      return run_(ts, filters, null).then(function (out) {
        // No contiguous match, or few for a short query: add pages holding every word of the query anywhere,
        // ranked below them (a long phrase that matched was typed or pasted as it stands).
        var few = out.results.length < LOOSE_BELOW && ts.join("").length <= LOOSE_MAX_CHARS && spent < LOOSE_BUDGET;
        if ((out.results.length && !few) || !ts.some(function (t) { return t.length >= 4; })) return out;
        return (words ? Promise.resolve(words) : getJSON("words.json").then(function (w) { words = new Set(w); return words; })).then(function () {
          var pieces = [];
          ts.forEach(function (t) { (t.length >= 4 ? split(t) : [t]).forEach(function (p) { if (pieces.indexOf(p) < 0) pieces.push(p); }); });
          if (pieces.length <= ts.length || pieces.every(function (p) { return p.length < 2; })) return out;
          return run_(pieces, filters, pieces).then(function (loose) {
            var seen = new Set(out.results.map(function (r) { return r.doc.u; })), strict = out.results.length;
            loose.results.forEach(function (r) { if (!seen.has(r.doc.u)) { r.loose = true; out.results.push(r); } });
            out.results = out.results.slice(0, SHOWN);
            out.loose = pieces;
            out.looseTotal = Math.max(0, loose.total - strict);
            out.looseApprox = loose.approx;
            return out;
          });
        });
      });
    });
  }

  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  // Highlight every occurrence of the matched forms; positions found on the normalised text.
  function mark(text, forms) {
    var m = normalizeMap(text), spans = [];
    forms.forEach(function (f) {
      if (!f) return;
      var i = m.text.indexOf(f);
      while (i >= 0) { spans.push([m.pos[i], m.pos[i + f.length - 1] + 1]); i = m.text.indexOf(f, i + f.length); }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var out = "", at = 0;
    spans.forEach(function (s) {
      if (s[0] < at) return;
      out += esc(text.slice(at, s[0])) + "<mark>" + esc(text.slice(s[0], s[1])) + "</mark>"; at = s[1];
    });
    return out + esc(text.slice(at));
  }
  function snippet(r) {
    var text = r.hit ? r.hit.text : r.doc.x, at = r.hit ? r.hit.start : 0;
    var start = Math.max(0, at - 30), end = Math.min(text.length, Math.max(start + 100, (r.hit ? r.hit.end : 0) + 20));
    return (start > 0 || (r.hit && r.hit.chunk > 0) ? "…" : "") + mark(text.slice(start, end), r.found) + (end < text.length || r.doc.k > 1 ? "…" : "");
  }

  window.djSearch = { search: search, terms: terms, normalize: normalize, loadT2s: loadT2s };
  if (!box) return;

  var input = box.querySelector("input"), panel = box.querySelector(".dj-search__panel");
  var list = box.querySelector(".dj-search__results"), status = box.querySelector(".dj-search__status");
  var selects = box.querySelectorAll("select[data-filter]"), timer = null, seq = 0, filled = false, lastInput = 0;

  function fillFacets() {
    if (filled || !meta) return; filled = true;
    selects.forEach(function (sel) {
      var values = meta.values[sel.dataset.filter] || [];
      if (!values.length && sel.dataset.filter === "专题") { sel.closest("label").hidden = true; return; }
      values.forEach(function (v) {
        var o = document.createElement("option"); o.value = v; o.textContent = v; sel.appendChild(o);
      });
    });
  }
  function chosen() { var f = {}; selects.forEach(function (s) { if (s.value) f[s.dataset.filter] = s.value; }); return f; }
  function home(url) { return new URL(url, new URL("../../", base)).href; }
  function quote(ws) { return ws.map(function (w) { return "“" + w + "”"; }).join(""); }

  function run() {
    var q = input.value.trim(), mine = ++seq;
    if (!q) { panel.hidden = true; list.innerHTML = ""; box.removeAttribute("data-state"); return; }
    panel.hidden = false;
    box.setAttribute("data-state", "busy");
    search(q, chosen()).then(function (out) {
      if (mine !== seq) return;
      fillFacets();
      var strict = out.results.filter(function (r) { return !r.loose; }).length, html = "";
      out.results.forEach(function (r, i) {
        var d = r.doc;
        if (r.loose && (i === 0 || !out.results[i - 1].loose)) {
          html += '<li class="dj-search__note">以下页面没有连续出现“' + esc(q) + '”，但分别含有' + esc(quote(out.loose)) + "：</li>";
        }
        html += '<li class="dj-search__item dj-search-result' + (r.loose ? " dj-search__item--loose" : "") + '"><a href="' + esc(home(d.u)) + '">' +
          '<span class="dj-search__title">' + mark(d.t, r.found) + "</span>" +
          '<span class="dj-search__section">' + esc(d.s) + "</span>" +
          '<span class="dj-search__excerpt">' + snippet(r) + "</span></a></li>";
      });
      list.innerHTML = html;
      var n = out.results.length, count = (out.approx ? "约 " : "") + out.total;
      if (!n && out.approx && out.total > 0) status.textContent = "先核对的页面中没有“" + q + "”（可能的页面太多，未能逐一核对）：请多输入几个字再试";
      else if (!n) status.textContent = "没有找到包含“" + q + "”的内容";
      else if (!strict) status.textContent = "没有页面连续出现“" + q + "”；" + (out.looseApprox ? "约 " : "") + out.looseTotal + " 个页面分别含有" + quote(out.loose) + (out.looseTotal > n ? "（显示前 " + n + " 个）" : "");
      else status.textContent = "找到 " + count + " 个结果" + (out.total > strict ? "（按相关程度显示前 " + strict + " 个）" : "") +
        (n > strict ? "；另有分别含有" + quote(out.loose) + "的页面列在后面" : "");
      box.setAttribute("data-state", "done");
      box.setAttribute("data-total", String(out.total));
    }).catch(function () {
      if (mine !== seq) return;
      status.textContent = location.protocol === "file:"
        ? "直接打开网页文件时无法搜索：请双击网站文件夹中的“本地预览.bat”（Linux：sh 本地预览.sh），在打开的网页中搜索。"
        : "搜索暂时不可用：没有找到搜索索引（请联系网站管理员重新生成网站）。";
      box.setAttribute("data-state", "error");
    });
  }
  // The first input after a pause (an IME commit, a paste, the first letter) runs at once; input that
  // follows within QUIET_MS (typing letters) waits DEBOUNCE_MS for the next. Composing input waits for its commit.
  function schedule(e) {
    if (e && e.isComposing) return;
    clearTimeout(timer);
    var now = Date.now(), quiet = now - lastInput > QUIET_MS;
    lastInput = now;
    if (quiet) run(); else timer = setTimeout(run, DEBOUNCE_MS);
  }
  // meta.json is fetched as soon as the reader heads for the box, so that typing does not wait for it.
  function prefetch() { loadMeta().then(fillFacets).catch(function () {}); }

  input.addEventListener("input", schedule);
  input.addEventListener("compositionend", schedule);
  box.addEventListener("pointerenter", prefetch, { once: true });
  input.addEventListener("focus", function () { prefetch(); if (input.value.trim()) panel.hidden = false; });
  selects.forEach(function (sel) { sel.addEventListener("change", run); });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { panel.hidden = true; input.blur(); }
    if (e.key === "ArrowDown" && document.activeElement === input) {
      var first = list.querySelector("a"); if (first) { e.preventDefault(); first.focus(); }
    }
  });
  document.addEventListener("click", function (e) { if (!box.contains(e.target)) panel.hidden = true; });
  document.addEventListener("keydown", function (e) {
    var t = e.target, tag = t && t.tagName;
    if (e.ctrlKey || e.metaKey || e.altKey || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    if (e.key === "/" || e.key === "s" || e.key === "S") { e.preventDefault(); input.focus(); input.select(); }
  });
  // A button in a page (the 404 page) that takes the reader to the header's search box.
  document.querySelectorAll("[data-dj-search-focus]").forEach(function (button) {
    button.addEventListener("click", function () { input.focus(); input.select(); });
  });
})();
