/*
 * Wayfinder embed widget loader. A practice pastes:
 *   <script src="https://HOST/embed.js" data-postcode="NE4 5PL" data-categories="..."
 *           data-radius="3" data-title="..."></script>
 * and this script puts an iframe with a compact search right after itself. The iframe tells us
 * its height through postMessage; we accept it only from the Wayfinder origin and only from our
 * own iframe, so no other frame on the page can resize it. The framed page is only shown on
 * websites an admin has registered (CSP frame-ancestors on the Wayfinder side).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || !window.URL || !window.URLSearchParams) return;

  var host = new URL(script.src, window.location.href).origin;
  var data = script.dataset;
  var params = new URLSearchParams();
  ["postcode", "categories", "radius", "title"].forEach(function (name) {
    if (data[name]) params.set(name, data[name]);
  });
  params.set("parent", window.location.origin);

  var frame = document.createElement("iframe");
  frame.src = host + "/embed?" + params.toString();
  frame.title = data.title || "Find activities near you";
  frame.className = "wayfinder-embed";
  // Sandboxed so the widget cannot touch the practice page; links may still open in the
  // top window when the person clicks them.
  frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms allow-popups allow-top-navigation-by-user-activation");
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.display = "block";
  frame.style.height = "420px";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== host || event.source !== frame.contentWindow) return;
    var message = event.data;
    if (!message || message.type !== "wayfinder:height") return;
    var height = Math.ceil(Number(message.height));
    if (height > 0 && height < 20000) frame.style.height = height + "px";
  });

  frame.addEventListener("load", function () {
    // Ask for the height once more now the frame has loaded (it may have sent it before we listened).
    frame.contentWindow.postMessage({ type: "wayfinder:hello" }, host);
  });
})();
