// Progressive enhancement for the comment form:
// - "Reply" moves the form under the comment instead of reloading the page.
//   Without JavaScript the Reply link reloads with ?replyto= and the server
//   presets the parent.
// - The page carries no per-reader token (it may be cached for everyone). When
//   the reader starts writing, a small same-origin request fetches the form's
//   stamp and CSRF token (and sets the CSRF cookie). Without JavaScript the
//   server shows the form again, token included, after the first send.
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form) { return; }
  var home = form.parentNode;
  var next = form.nextSibling;
  var title = document.getElementById("comment-form-title");
  var cancel = form.querySelector(".comment-cancel");
  var parentField = form.querySelector("input[name=parent]");
  var originalTitle = title ? title.textContent : "";

  function reset(event) {
    if (event) { event.preventDefault(); }
    parentField.value = "";
    if (title) { title.textContent = originalTitle.indexOf("Reply") === 0 ? "Leave a comment" : originalTitle; }
    if (cancel) { cancel.hidden = true; }
    home.insertBefore(form, next);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.comment-reply") : null;
    if (!link) { return; }
    event.preventDefault();
    var item = document.getElementById("comment-" + link.dataset.replyTo);
    if (!item) { return; }
    parentField.value = link.dataset.replyTo;
    if (title) { title.textContent = "Reply to " + link.dataset.replyName; }
    if (cancel) { cancel.hidden = false; }
    item.appendChild(form);
    var body = form.querySelector("textarea");
    if (body) { body.focus(); }
  });
  if (cancel) { cancel.addEventListener("click", reset); }

  var stampField = form.querySelector("input[name=stamp]");
  var tokenField = form.querySelector("input[name=csrfmiddlewaretoken]");
  var pending = null;

  function ready() {
    return Boolean(stampField && tokenField && stampField.value && tokenField.value);
  }

  function fetchStamp() {
    if (ready() || !form.dataset.stampUrl) { return Promise.resolve(); }
    if (!pending) {
      pending = fetch(form.dataset.stampUrl, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("stamp " + response.status); }
        return response.json();
      }).then(function (data) {
        stampField.value = data.stamp;
        tokenField.value = data.csrf;
      }).catch(function () {
        pending = null; // the server's own fallback takes over on send
      });
    }
    return pending;
  }

  form.addEventListener("focusin", fetchStamp);
  form.addEventListener("submit", function (event) {
    if (ready()) { return; }
    event.preventDefault();
    fetchStamp().then(function () { form.submit(); });
  });
}());
