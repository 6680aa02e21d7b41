/* Opened from disk (file://, e.g. the CI site-preview artifact double-clicked): say how to view it properly.
   Directory links show folder listings and the search index cannot load from file://; the artifact ships
   本地预览.bat / 本地预览.sh, which serve the folder on 127.0.0.1. Nothing happens on http(s). */
(function () {
  if (location.protocol !== "file:") return;
  function show() {
    if (document.getElementById("dj-file-notice")) return;
    var box = document.createElement("div");
    box.id = "dj-file-notice";
    box.className = "dj-file-notice";
    box.setAttribute("role", "alert");
    box.innerHTML = "<strong>您是直接打开的网页文件，搜索和部分链接无法正常使用。</strong>" +
      "请回到网站文件夹，双击<b>“本地预览.bat”</b>（Linux 运行 <code>sh 本地预览.sh</code>），" +
      "浏览器会自动打开 http://127.0.0.1:8765 ，显示与正式网站相同的效果。";
    document.body.insertBefore(box, document.body.firstChild);
  }
  if (document.body) show(); else document.addEventListener("DOMContentLoaded", show);
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(show);
})();
