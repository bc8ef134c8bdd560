// Refreshes the transcoding state on the video's admin page until it is ready or has failed.
(function () {
  "use strict";
  var box = document.querySelector("[data-video-status-url]");
  if (!box || !/^(waiting|transcoding)$/.test(box.dataset.videoStatus)) return;
  var bar = box.querySelector("[data-video-progress]");
  var percent = box.querySelector("[data-video-percent]");
  var state = box.querySelector("[data-video-state]");
  function poll() {
    fetch(box.dataset.videoStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (bar) bar.value = data.progress;
        if (percent) percent.textContent = data.progress + "%";
        state.textContent = data.status_label;
        state.className = "video-state video-state--" + data.status;
        if (data.status === "waiting" || data.status === "transcoding") {
          window.setTimeout(poll, 2000);
        } else {
          // No reload: it would throw away what the editor is typing in the form.
          if (bar) bar.hidden = true;
          if (percent) {
            percent.textContent = data.status === "ready"
              ? "转码完成，刷新页面可查看封面和清晰度。"
              : (data.failure_reason || "") + " 刷新页面可重新转码。";
          }
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
