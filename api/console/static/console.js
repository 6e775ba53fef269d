// The console's only script: live inbox (server-sent events), expiry countdowns, confirmations.
// Every page works without it; it is served from this package (no build step, no CDN).
(function () {
  "use strict";

  function countdowns() {
    var now = Date.now();
    document.querySelectorAll("time[data-expires]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.expires) - now) / 1000);
      if (isNaN(left)) { return; }
      if (left <= 0) { el.textContent = "expired: the time limit applies now"; el.classList.add("late"); return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = "expires in " + (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
    });
  }

  function liveInbox() {
    var inbox = document.getElementById("inbox");
    if (!inbox || !window.EventSource) { return; }
    var state = document.getElementById("live-state");
    var source = new EventSource(inbox.dataset.stream);
    source.addEventListener("open", function () { if (state) { state.textContent = "live"; } });
    source.addEventListener("error", function () { if (state) { state.textContent = "reconnecting"; } });
    var first = true;
    function typing() {
      return Array.prototype.some.call(inbox.querySelectorAll("input[type=text], textarea"), function (el) {
        return el.value !== "";
      });
    }
    function refresh(waiting) {
      if (typing()) {  // never wipe what a person is writing: try again shortly
        if (state) { state.textContent = "live; the list changed and refreshes when you have answered"; }
        window.setTimeout(function () { refresh(waiting); }, 2000);
        return;
      }
      fetch(inbox.dataset.fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          inbox.innerHTML = html;
          var count = document.getElementById("waiting-count");
          if (count) { count.textContent = waiting + " waiting"; }
          if (state) { state.textContent = "live"; }
          countdowns();
        })
        .catch(function () { if (state) { state.textContent = "could not refresh; reload the page"; } });
    }
    source.addEventListener("approvals", function (event) {
      var waiting = JSON.parse(event.data).waiting;
      var shown = inbox.querySelectorAll("article.approval").length;
      if (first && waiting === shown) { first = false; return; }  // the page was rendered with this list already
      first = false;
      refresh(waiting);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    countdowns();
    window.setInterval(countdowns, 1000);
    liveInbox();
  });
})();
