/* 适老化 controls: text size (标准/大/特大) and high contrast, remembered in localStorage.
   The inline script in partials/dj-head.html applies the saved state before first paint;
   this file wires the header buttons and keeps their aria-pressed state in sync. */
(function () {
  "use strict";
  var KEY = "dangjian.a11y";
  var root = document.documentElement;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(state) {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: keep for this page only */ }
  }
  function apply(state) {
    if (state.size === "large" || state.size === "xlarge") root.setAttribute("data-dj-size", state.size);
    else root.removeAttribute("data-dj-size");
    if (state.contrast === "high") root.setAttribute("data-dj-contrast", "high");
    else root.removeAttribute("data-dj-contrast");
    var size = state.size || "normal";
    document.querySelectorAll(".dj-a11y [data-dj-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-dj-size") === size));
    });
    document.querySelectorAll(".dj-a11y [data-dj-contrast]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(state.contrast === "high"));
    });
  }

  // A wide table that scrolls sideways (e.g. at 特大 on a phone) must be reachable by keyboard.
  function markScrollables() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "表格（可左右滚动）");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  var state = load();
  apply(state);
  markScrollables();
  window.addEventListener("resize", markScrollables);
  // Material wraps tables in .md-typeset__scrollwrap from its own script, after this one runs.
  window.addEventListener("load", function () { setTimeout(markScrollables, 0); });
  // Phones: the controls fold behind one “字号” button; it opens a small panel under the header.
  function setOpen(open) {
    document.querySelectorAll(".dj-a11y").forEach(function (group) {
      group.classList.toggle("dj-a11y--open", open);
      var toggle = group.querySelector(".dj-a11y__toggle");
      if (toggle) toggle.setAttribute("aria-expanded", String(open));
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.querySelector(".dj-a11y--open")) {
      setOpen(false);
      var toggle = document.querySelector(".dj-a11y__toggle");
      if (toggle) toggle.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".dj-a11y button");
    if (!button) {
      if (!(event.target.closest && event.target.closest(".dj-a11y"))) setOpen(false);
      return;
    }
    if (button.classList.contains("dj-a11y__toggle")) {
      setOpen(button.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (button.hasAttribute("data-dj-size")) {
      state.size = button.getAttribute("data-dj-size");
    } else {
      state.contrast = state.contrast === "high" ? "normal" : "high";
    }
    save(state);
    apply(state);
    markScrollables();
  });
  // Material's search overlay is a dialog without a name; screen readers announce it as 站内搜索.
  document.querySelectorAll(".md-search[role=dialog]:not([aria-label]):not([aria-labelledby])").forEach(function (node) {
    node.setAttribute("aria-label", "站内搜索");
  });
  // Material's menu button is a <label>: make it a real keyboard button that opens and closes the drawer.
  var drawer = document.getElementById("__drawer");
  document.querySelectorAll(".md-header label[for=__drawer]").forEach(function (label) {
    label.setAttribute("role", "button");
    label.setAttribute("tabindex", "0");
    label.setAttribute("aria-label", "打开导航菜单");
    label.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      event.stopPropagation();  // Material's global key handler would close the drawer again
      label.click();
      if (drawer.checked) {
        var first = document.querySelector(".md-sidebar--primary a[href]");
        if (first) setTimeout(function () { first.focus(); }, 0);
      }
    });
  });
  if (drawer) {
    var syncExpanded = function () {
      document.querySelectorAll(".md-header label[for=__drawer]").forEach(function (label) {
        label.setAttribute("aria-expanded", String(drawer.checked));
      });
    };
    syncExpanded();
    drawer.addEventListener("change", syncExpanded);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && drawer.checked) {
        drawer.checked = false;
        drawer.dispatchEvent(new Event("change"));
        var opener = document.querySelector(".md-header label[for=__drawer]");
        if (opener) opener.focus();
      }
    });
  }

  // Lazy photos below the fold would print as blank boxes: load them all before printing.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("img[loading=lazy]").forEach(function (img) { img.loading = "eager"; });
  });
  // The printed page shows the address the reader actually used (works under any sub-path).
  document.querySelectorAll("[data-dj-print-url]").forEach(function (node) {
    node.textContent = location.href.split("#")[0];
  });
})();
