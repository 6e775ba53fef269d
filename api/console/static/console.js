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
    source.addEventListener("approvals", function (event) {
      var waiting = JSON.parse(event.data).waiting;
      fetch(inbox.dataset.fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          inbox.innerHTML = html;
          var count = document.getElementById("waiting-count");
          if (count) { count.textContent = waiting + " waiting"; }
          countdowns();
        })
        .catch(function () { if (state) { state.textContent = "could not refresh; reload the page"; } });
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
