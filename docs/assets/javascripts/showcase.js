/* Showcase filters: filter brand cards by 系统 / 类别 / 年份 and keep the choice in the URL
   (?group=…&category=…&year=…) so it can be shared and survives a reload.

   The showcase is split into static pages of cards (brands/, brands/page/2/, …).  When it has
   more than one page, the form carries data-dj-json: the first time a filter is used (or the page
   is opened with one in the URL) the compact list of every published brand (brands/showcase.json,
   same origin) is loaded and the matching cards are drawn here, a page's worth (data-dj-per-page)
   at a time behind "显示更多";
   the static pager is hidden while a filter is on.  A single-page showcase filters its own cards. */
(function () {
  "use strict";
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function init() {
    var form = document.querySelector("[data-dj-filters]");
    var list = document.querySelector("[data-dj-cards]");
    if (!form || !list || form.dataset.ready) return;
    form.dataset.ready = "1";
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
    var pageCards = Array.prototype.slice.call(list.querySelectorAll(".dj-card"));
    var count = form.querySelector("[data-dj-count]");
    var empty = document.querySelector("[data-dj-empty]");
    var more = document.querySelector("[data-dj-more]");
    var pager = document.querySelector("[data-dj-pager]");
    var total = parseInt(form.dataset.djTotal, 10) || pageCards.length;
    var perPage = parseInt(form.dataset.djPerPage, 10) || 20;
    var jsonUrl = form.dataset.djJson ? new URL(form.dataset.djJson, window.location.href).href : null;
    var data = null, loading = null, matches = [], shown = 0, drawn = false;

    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
        select.value = wanted;
      }
    });

    function active() { return selects.some(function (s) { return s.value; }); }
    function fits(fields) {  // fields: {group, category, year} as strings
      return selects.every(function (s) { return !s.value || fields[s.name] === s.value; });
    }
    function showCount(n) {
      count.textContent = active() ? "筛选出 " + n + " 个品牌（共 " + total + " 个）" : "共 " + total + " 个品牌";
    }
    function setDrawn(on) {  // drawn: the list shows cards drawn from the JSON instead of this page's own
      if (on === drawn) return;
      drawn = on;
      while (list.firstChild) list.removeChild(list.firstChild);
      if (!on) pageCards.forEach(function (card) { list.appendChild(card); });
    }

    // This page's own cards, filtered in place (single-page showcase, or the JSON could not be loaded).
    function filterPage() {
      setDrawn(false);
      var n = 0;
      pageCards.forEach(function (card) {
        var ok = fits(card.dataset);
        card.hidden = !ok;
        if (ok) n += 1;
      });
      if (pager) pager.hidden = false;
      if (more) more.hidden = true;
      if (empty) empty.hidden = n !== 0;
      return n;
    }

    // A brand of the JSON (scripts/dangjian/showcase.py) with its unit and category looked up.
    function fields(b) {
      var unit = data.units[b.n];
      return {short: unit[0], unit: unit[1], group: unit[2], category: data.categories[b.c], year: String(b.y)};
    }

    // The first Chinese character of a name (as render.emblem_char).
    function emblemChar(title) {
      var found = /[\u3400-\u9fff\uf900-\ufaff]/.exec(title);
      return found ? found[0] : title.charAt(0);
    }

    // The same markup as render.brand_card: a photo card, or an emblem card (logo or character, slogan, unit).
    function card(b) {
      var base = new URL(data.images, jsonUrl).href;
      var f = fields(b);
      var shape = b.i ? data.shapes[b.i[1]] : null;
      var photo = shape && shape.z !== "logo";
      var li = el("li", "dj-card " + (photo ? "dj-card--photo" : "dj-card--emblem"));
      li.dataset.group = f.group; li.dataset.category = f.category; li.dataset.year = f.year; li.dataset.unit = f.unit;
      if (b.f) li.dataset.featured = "true";
      var a = el("a", "dj-card__link");
      a.href = new URL(b.u, jsonUrl).href;
      var media = el("span", "dj-card__media");
      if (shape) {  // [key, shape]: the card thumbnail the static cards use
        var url = base + b.i[0] + "/";
        var srcset = function (list) { return list.map(function (v) { return url + v[0] + " " + v[1] + "w"; }).join(", "); };
        var sizes = data.sizes[shape.z] || "";
        var picture = document.createElement("picture");
        if (shape.webp.length) {
          var source = document.createElement("source");
          source.type = "image/webp"; source.srcset = srcset(shape.webp); source.sizes = sizes;
          picture.appendChild(source);
        }
        var img = el("img", photo ? "dj-card__cover" : "dj-logo dj-card__emblem");
        img.src = url + shape.src; img.alt = photo ? b.t : ""; img.srcset = srcset(shape.fb); img.sizes = sizes;
        img.width = shape.w; img.height = shape.h; img.loading = "lazy"; img.decoding = "async";
        picture.appendChild(img);
        media.appendChild(picture);
      } else {
        var ph = el("span", "dj-logo dj-card__emblem dj-placeholder dj-placeholder--" + (b.p || 0));
        ph.setAttribute("aria-hidden", "true");
        ph.appendChild(el("span", "", emblemChar(b.t)));
        media.appendChild(ph);
      }
      if (!photo) {
        var band = el("span", "dj-card__band");
        if (b.s) band.appendChild(el("span", "dj-card__slogan", b.s));
        band.appendChild(el("span", "dj-card__unit", f.unit));
        media.appendChild(band);
      }
      if (b.f) media.appendChild(el("span", "dj-card__badge", "选树典型"));
      a.appendChild(media);
      var body = el("span", "dj-card__body");
      body.appendChild(el("h3", "dj-card__title", b.t));
      body.appendChild(el("span", "dj-card__meta", f.short + " · " + f.category + " · " + f.year + "年"));
      body.appendChild(el("span", "dj-card__desc", b.d));
      a.appendChild(body);
      li.appendChild(a);
      return li;
    }

    function drawMore() {
      var next = matches.slice(shown, shown + perPage);
      var fragment = document.createDocumentFragment();
      next.forEach(function (b) { fragment.appendChild(card(b)); });
      list.appendChild(fragment);
      shown += next.length;
      if (more) {
        more.hidden = shown >= matches.length;
        more.textContent = "显示更多（已显示 " + shown + " 个，还有 " + (matches.length - shown) + " 个）";
      }
    }

    // Every brand that fits, drawn from the JSON.
    function filterAll() {
      matches = data.brands.filter(function (b) { return fits(fields(b)); });
      setDrawn(true);
      while (list.firstChild) list.removeChild(list.firstChild);
      shown = 0;
      drawMore();
      if (pager) pager.hidden = true;
      if (empty) empty.hidden = matches.length !== 0;
      return matches.length;
    }

    function load() {
      if (!loading) {
        loading = fetch(jsonUrl, {credentials: "same-origin"}).then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        }).then(function (json) { data = json; });
      }
      return loading;
    }

    function apply(updateUrl) {
      if (updateUrl) {
        var query = new URLSearchParams(window.location.search);
        selects.forEach(function (s) { if (s.value) query.set(s.name, s.value); else query.delete(s.name); });
        var qs = query.toString();
        history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : "") + window.location.hash);
      }
      if (!active() || !jsonUrl) {
        var n = filterPage();
        showCount(active() ? n : total);
        return;
      }
      if (data) {
        showCount(filterAll());
        return;
      }
      filterPage();  // this page's matches at once, then every brand once the list has loaded
      count.textContent = "正在筛选全部品牌……";
      form.setAttribute("aria-busy", "true");
      load().then(function () {
        form.removeAttribute("aria-busy");
        apply(false);
      }, function () {
        form.removeAttribute("aria-busy");
        jsonUrl = null;  // e.g. opened from disk: filter this page only, and say so
        var n = filterPage();
        count.textContent = "本页筛选出 " + n + " 个品牌（未能载入全部品牌，请刷新重试）";
      });
    }

    selects.forEach(function (s) { s.addEventListener("change", function () { apply(true); }); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    if (more) more.addEventListener("click", drawMore);
    form.hidden = false;
    apply(false);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
