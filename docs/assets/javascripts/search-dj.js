/* 站内搜索：本站自建的中文字串索引（search/dj/，构建时生成）。
   查询中的每个词（空格分开）都必须作为连续字串出现；先查字和相邻两字的倒排表，
   再在得分最高的少数页面原文中核对并截取高亮摘要。只访问本站地址。 */
(function () {
  "use strict";
  var RUN = /[0-9a-z\u3400-\u9fff\uf900-\ufaff]+/g;
  var box = document.querySelector("[data-dj-search]");
  var base = new URL((box ? box.getAttribute("data-base") : ".") + "/search/dj/", location.href);
  var cache = {}, meta = null;

  function getJSON(path) {
    if (!cache[path]) {
      cache[path] = fetch(new URL(path, base)).then(function (r) {
        if (!r.ok) throw new Error(path + " " + r.status);
        return r.json();
      });
    }
    return cache[path];
  }
  function loadMeta() { return getJSON("pages.json").then(function (m) { meta = m; return m; }); }

  function fold(s) {
    return s.replace(/[\uff01-\uff5e]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); }).toLowerCase();
  }
  function normalize(s) { return fold(s).replace(/\s+/g, " ").trim(); }
  function terms(q) {
    var out = [];
    normalize(q).split(" ").forEach(function (w) { (w.match(RUN) || []).forEach(function (r) { if (out.indexOf(r) < 0) out.push(r); }); });
    return out;
  }
  function tokensOf(run) {
    if (run.length === 1) return [run];
    var t = [];
    for (var i = 0; i + 1 < run.length; i++) if (t.indexOf(run.substr(i, 2)) < 0) t.push(run.substr(i, 2));
    return t;
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
    return getJSON("s" + shardOf(tok, meta.shards) + ".json").then(function (s) {
      var flat = s[tok] || [], map = new Map(), pid = 0;
      for (var i = 0; i < flat.length; i += 2) { pid += flat[i]; map.set(pid, flat[i + 1]); }
      return map;
    });
  }
  function count(hay, needle) { var n = 0, i = hay.indexOf(needle); while (i >= 0 && n < 50) { n++; i = hay.indexOf(needle, i + needle.length); } return n; }

  function search(q, filters) {
    var ts = terms(q);
    if (!ts.length) return Promise.resolve({ total: 0, results: [], terms: ts });
    return loadMeta().then(function () {
      return Promise.all(ts.map(function (t) { return Promise.all(tokensOf(t).map(postings)); }));
    }).then(function (perTerm) {
      var scores = null;
      perTerm.forEach(function (maps) {
        var termScore = new Map();
        maps[0].forEach(function (w, pid) {
          var s = w;
          for (var k = 1; k < maps.length; k++) { var o = maps[k].get(pid); if (o === undefined) return; if (o < s) s = o; }
          termScore.set(pid, s);
        });
        if (scores === null) scores = termScore;
        else { var next = new Map(); scores.forEach(function (s, pid) { if (termScore.has(pid)) next.set(pid, s + termScore.get(pid)); }); scores = next; }
      });
      var wanted = meta.facets.map(function (f) { return filters && filters[f] ? meta.values[f].indexOf(filters[f]) : -1; });
      var cands = [];
      scores.forEach(function (s, pid) {
        var row = meta.pages[pid];
        for (var i = 0; i < wanted.length; i++) if (wanted[i] >= 0 && row[i] !== wanted[i]) return;
        cands.push([pid, s]);
      });
      cands.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
      return verify(cands, ts, 0, []);
    });
  }

  function verify(cands, ts, from, found) {
    var batch = cands.slice(from, from + 12);
    if (!batch.length || found.length >= 10) return finish(cands, found, ts);
    return Promise.all(batch.map(function (c) { return getJSON("d/" + c[0] + ".json"); })).then(function (docs) {
      docs.forEach(function (d, i) {
        var title = normalize(d.t), names = normalize(d.n), text = normalize(d.x), exact = 0, ok = true;
        ts.forEach(function (t) {
          var inTitle = title.indexOf(t) >= 0, inNames = names.indexOf(t) >= 0, n = count(text, t);
          if (!inTitle && !inNames && !n && !d.c) ok = false;
          exact += (inTitle ? 1000 : 0) + (inNames ? 200 : 0) + Math.min(n, 20);
        });
        if (ok) found.push({ doc: d, score: exact, rank: batch[i][1] });
      });
      if (from + 12 >= 36) return finish(cands, found, ts);
      return verify(cands, ts, from + 12, found);
    });
  }
  function finish(cands, found, ts) {
    found.sort(function (a, b) { return b.score - a.score || b.rank - a.rank; });
    return { total: Math.max(found.length, cands.length), results: found.slice(0, 10), terms: ts };
  }

  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function mark(text, ts) {
    var low = fold(text), out = "", i = 0;  // same length as text, so positions match
    while (i < text.length) {
      var hit = "";
      ts.forEach(function (t) { if (t.length > hit.length && low.substr(i, t.length) === t) hit = t; });
      if (hit) { out += "<mark>" + esc(text.substr(i, hit.length)) + "</mark>"; i += hit.length; }
      else { out += esc(text[i]); i++; }
    }
    return out;
  }
  function snippet(text, ts) {
    var low = fold(text), at = -1;
    ts.forEach(function (t) { var i = low.indexOf(t); if (i >= 0 && (at < 0 || i < at)) at = i; });
    if (at < 0) return mark(text.slice(0, 80), ts) + (text.length > 80 ? "…" : "");
    var start = Math.max(0, at - 30);
    return (start > 0 ? "…" : "") + mark(text.slice(start, start + 100), ts) + (start + 100 < text.length ? "…" : "");
  }

  window.djSearch = { search: search, terms: terms };
  if (!box) return;

  var input = box.querySelector("input"), panel = box.querySelector(".dj-search__panel");
  var list = box.querySelector(".dj-search__results"), status = box.querySelector(".dj-search__status");
  var selects = box.querySelectorAll("select[data-filter]"), timer = null, seq = 0, filled = false;

  function fillFacets() {
    if (filled) return; filled = true;
    selects.forEach(function (sel) {
      (meta.values[sel.dataset.filter] || []).forEach(function (v) {
        var o = document.createElement("option"); o.value = v; o.textContent = v; sel.appendChild(o);
      });
    });
  }
  function chosen() { var f = {}; selects.forEach(function (s) { if (s.value) f[s.dataset.filter] = s.value; }); return f; }
  function home(url) { return new URL(url, new URL("../../", base)).href; }

  function run() {
    var q = input.value.trim(), mine = ++seq;
    if (!q) { panel.hidden = true; list.innerHTML = ""; box.removeAttribute("data-state"); return; }
    panel.hidden = false;
    box.setAttribute("data-state", "busy");
    search(q, chosen()).then(function (out) {
      if (mine !== seq) return;
      fillFacets();
      list.innerHTML = out.results.map(function (r) {
        var d = r.doc;
        return '<li class="dj-search__item dj-search-result"><a href="' + esc(home(d.u)) + '">' +
          '<span class="dj-search__title">' + mark(d.t, out.terms) + "</span>" +
          '<span class="dj-search__section">' + esc(d.s) + "</span>" +
          '<span class="dj-search__excerpt">' + snippet(d.x, out.terms) + "</span></a></li>";
      }).join("");
      status.textContent = out.results.length ? "找到 " + out.results.length + " 个结果" + (out.total > out.results.length ? "（按相关程度显示前 " + out.results.length + " 个）" : "")
        : "没有找到包含“" + q + "”的内容";
      box.setAttribute("data-state", "done");
    }).catch(function () {
      if (mine !== seq) return;
      status.textContent = location.protocol === "file:"
        ? "直接打开网页文件时无法搜索：请双击网站文件夹中的“本地预览.bat”（Linux：sh 本地预览.sh），在打开的网页中搜索。"
        : "搜索暂时不可用：没有找到搜索索引（请联系网站管理员重新生成网站）。";
      box.setAttribute("data-state", "error");
    });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(run, 30); }

  input.addEventListener("input", schedule);
  input.addEventListener("compositionend", schedule);
  input.addEventListener("focus", function () { loadMeta().then(fillFacets).catch(function () {}); if (input.value.trim()) panel.hidden = false; });
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
