// The check-in screen (programs.admin_attendance): counts down to the next code, then fetches it and the
// counts and replaces them in place; the counts are also refreshed every few seconds. Without this
// script the page reloads itself (<noscript> meta refresh).
(function () {
  "use strict";
  var screen = document.querySelector(".checkin-screen[data-code-url]");
  if (!screen) return;
  var seconds = parseInt(screen.querySelector("[data-seconds]").textContent, 10) || 1;
  var sinceCounts = 0;

  function apply(state) {
    screen.querySelector(".checkin-screen__code").innerHTML = state.svg;
    screen.querySelector("[data-checked]").textContent = state.checked_in;
    screen.querySelector("[data-approved]").textContent = state.approved;
    var link = screen.querySelector("[data-link]");
    link.textContent = state.url;
    link.href = state.url;
    seconds = state.seconds_left;
  }

  function refresh() {
    fetch(screen.dataset.codeUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(apply)
      .catch(function () {
        window.location.reload();
      });
  }

  window.setInterval(function () {
    seconds -= 1;
    sinceCounts += 1;
    if (seconds <= 0 || sinceCounts >= 5) {
      sinceCounts = 0;
      refresh();
    }
    screen.querySelector("[data-seconds]").textContent = Math.max(seconds, 0);
  }, 1000);
})();
