/* Showcase filters: filter brand cards by 系统 / 类别 / 年份 in the browser and keep
   the choice in the URL (?group=…&category=…&year=…) so it can be shared. */
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("[data-dj-filters]");
    var list = document.querySelector("[data-dj-cards]");
    if (!form || !list || form.dataset.ready) return;
    form.dataset.ready = "1";
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
    var cards = Array.prototype.slice.call(list.querySelectorAll(".dj-card"));
    var count = form.querySelector("[data-dj-count]");
    var empty = document.querySelector("[data-dj-empty]");
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
        select.value = wanted;
      }
    });
    function apply(updateUrl) {
      var shown = 0;
      cards.forEach(function (card) {
        var ok = selects.every(function (s) { return !s.value || card.dataset[s.name] === s.value; });
        card.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown === cards.length ? "共 " + cards.length + " 个品牌" : "筛选出 " + shown + " 个品牌（共 " + cards.length + " 个）";
      if (empty) empty.hidden = shown !== 0;
      if (updateUrl) {
        var query = new URLSearchParams(window.location.search);
        selects.forEach(function (s) { if (s.value) query.set(s.name, s.value); else query.delete(s.name); });
        var qs = query.toString();
        history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : "") + window.location.hash);
      }
    }
    selects.forEach(function (s) { s.addEventListener("change", function () { apply(true); }); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply(false);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
