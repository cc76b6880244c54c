// Small reader-side touches; without this script the server's page stands as it is.
// - Keep "3 h ago" true on a cached page; add the reader's own clock where it differs
//   from the site's zone.
// - A stored picture that fails to load (a file lost from the media store) takes its
//   slot with it, so the card falls back to its text layout instead of a broken icon.
(function () {
  "use strict";
  var DAY = 86400000;

  function relative(ms) {
    var minutes = Math.floor(ms / 60000);
    if (minutes < 1) return "just now";
    if (minutes < 60) return minutes + " min ago";
    return Math.floor(minutes / 60) + " h ago";
  }

  function refresh() {
    var now = Date.now();
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var age = now - Date.parse(el.getAttribute("datetime"));
      if (age >= 0 && age < DAY) el.textContent = relative(age);
      else if (el.title) el.textContent = el.title;
    });
  }

  // "+01:00" at the end of a datetime attribute: the site's offset at that moment.
  function siteOffsetMinutes(value) {
    var match = /([+-])(\d\d):(\d\d)$/.exec(value);
    if (!match) return value.endsWith("Z") ? 0 : null;
    var minutes = Number(match[2]) * 60 + Number(match[3]);
    return match[1] === "-" ? -minutes : minutes;
  }

  function addLocalTimes() {
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      var value = el.getAttribute("datetime");
      var moment = new Date(value);
      var offset = siteOffsetMinutes(value);
      if (isNaN(moment) || offset === null || offset === -moment.getTimezoneOffset()) return;
      var text = "your time: " + moment.toLocaleString([], {
        month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
      // Beside the time on wide screens; in its tooltip on phones (site.css hides the span).
      var local = document.createElement("span");
      local.className = "local-time";
      local.textContent = " (" + text + ")";
      el.after(local);
      el.title = el.title + " — " + text;
    });
  }

  function dropSlot(img) {
    var slot = img.closest(".story-thumb, .card-image, .lead-image, .article-image") || img;
    var card = slot.closest(".has-image");
    if (card) {
      card.classList.remove("has-image");
      card.classList.add("no-image");
    }
    slot.remove();
  }

  function watchImages() {
    document.querySelectorAll("img").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) dropSlot(img);
      else img.addEventListener("error", function () { dropSlot(img); });
    });
  }

  refresh();
  addLocalTimes();
  watchImages();
  setInterval(refresh, 60000);
})();
