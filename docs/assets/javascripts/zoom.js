/* Click a photo to see it large: a native <dialog>, closed by 关闭, Esc or a click outside.
   Without <dialog> support the link simply opens the large image. */
(function () {
  "use strict";
  function open(link) {
    var dialog = document.createElement("dialog");
    dialog.className = "dj-zoom-dialog";
    dialog.setAttribute("aria-label", "查看大图");
    var img = document.createElement("img");
    img.src = link.getAttribute("href");
    var small = link.querySelector("img");
    img.alt = small ? small.alt : "";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dj-zoom-dialog__close";
    close.textContent = "关闭";
    var caption = document.createElement("p");
    caption.className = "dj-zoom-dialog__caption";
    caption.textContent = img.alt;
    dialog.appendChild(close);
    dialog.appendChild(img);
    if (img.alt) dialog.appendChild(caption);
    document.body.appendChild(dialog);
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); link.focus(); });
    dialog.showModal();
    close.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-dj-zoom]");
    if (!link || typeof HTMLDialogElement !== "function") return;
    event.preventDefault();
    open(link);
  });
})();
