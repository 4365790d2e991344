/*
 * Inside the embed iframe: tell the practice page how tall we are, so it can size the iframe to
 * fit. Messages go only to the registered parent origin the server put on <body>, and we answer
 * only messages that come from that origin and from our own parent window.
 */
(function () {
  "use strict";
  var parentOrigin = document.body.getAttribute("data-parent-origin");
  if (!parentOrigin || window.parent === window) return;
  var content = document.querySelector(".wf-embed");

  function send() {
    var style = window.getComputedStyle(document.body);
    var height = content.getBoundingClientRect().height + parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    window.parent.postMessage({ type: "wayfinder:height", height: Math.ceil(height) }, parentOrigin);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    if (event.data && event.data.type === "wayfinder:hello") send();
  });
  if (window.ResizeObserver) new ResizeObserver(send).observe(content);
  window.addEventListener("load", send);
  send();
})();
