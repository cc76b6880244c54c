// Report this page view with one small same-origin POST (NEWSDESK_HITS_BEACON mode).
// Loaded as a file, never inline, so the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  "use strict";
  var tag = document.currentScript || document.getElementById("hits-beacon");
  var url = tag && tag.getAttribute("data-url");
  if (!url) { return; }
  function send() {
    var body = JSON.stringify({p: location.pathname, r: document.referrer});
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) { return; }
    if (window.fetch) { fetch(url, {method: "POST", body: body, keepalive: true, credentials: "same-origin"}); }
  }
  // A prerendered page is counted when the reader actually opens it.
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, {once: true});
  } else {
    send();
  }
}());
