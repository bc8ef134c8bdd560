/* Reports what the counselor played to the server (docs/learning.md), beside player.js.
   The server decides what counts: this file only says which stretches of the video the element
   played (its `played` ranges) since the last report, where the playhead is and how fast it plays.
   Reports go every few seconds while playing and on pause, seek, end and when the page is hidden or
   left (fetch keepalive, or sendBeacon). One report is in flight at a time, so they arrive in order.
   Opening the session needs the CSRF token; reports carry the session's report token instead. */
(function () {
  "use strict";

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // Ranges are [[start, end], ...] sorted and disjoint.
  function fromTimeRanges(ranges) {
    var out = [];
    for (var i = 0; i < ranges.length; i += 1) out.push([ranges.start(i), ranges.end(i)]);
    return out;
  }

  function union(a, b) {
    var all = a.concat(b).sort(function (x, y) { return x[0] - y[0]; });
    var out = [];
    all.forEach(function (r) {
      var last = out[out.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else out.push([r[0], r[1]]);
    });
    return out;
  }

  function subtract(a, b) {
    var out = [];
    a.forEach(function (r) {
      var pieces = [[r[0], r[1]]];
      b.forEach(function (cut) {
        var next = [];
        pieces.forEach(function (p) {
          if (cut[1] <= p[0] || cut[0] >= p[1]) { next.push(p); return; }
          if (cut[0] > p[0]) next.push([p[0], cut[0]]);
          if (cut[1] < p[1]) next.push([cut[1], p[1]]);
        });
        pieces = next;
      });
      out = out.concat(pieces);
    });
    return out.filter(function (r) { return r[1] - r[0] > 0.01; });
  }

  function setup(root) {
    var video = root.querySelector("video");
    var startUrl = root.getAttribute("data-learning-start");
    if (!video || !startUrl) return;
    var csrf = root.getAttribute("data-csrf") || "";
    var status = document.querySelector("[data-learning-status]");
    var resumeNote = document.querySelector("[data-learning-resume-note]");
    var restart = document.querySelector("[data-learning-restart]");
    var resumeAt = parseFloat(root.getAttribute("data-resume") || "0") || 0;
    var maxRate = parseFloat(root.getAttribute("data-max-rate") || "2") || 2;
    var interval = 10;
    var reportUrl = null;
    var reportToken = "";
    var starting = false;
    var seq = 0;
    var reported = []; // what the server was sent (and did not refuse as a failure)
    var inFlight = false;
    var queued = null; // a verb waiting for the report in flight
    var timer = null;
    var closed = false;

    function show(text) {
      if (status) status.textContent = text;
    }

    function showState(state) {
      var percent = Math.min(100, Math.floor(state.progress * 100));
      if (state.completed) show("已完成本课（已观看 " + percent + "%），学时已计入学习档案。");
      else show("已观看 " + percent + "%，观看满 " + Math.round(state.completion_threshold * 100) + "% 即完成本课。");
    }

    function payload(verb) {
      var fresh = subtract(fromTimeRanges(video.played), reported);
      seq += 1;
      return {
        fresh: fresh,
        body: JSON.stringify({
          seq: seq,
          verb: verb,
          segments: fresh.map(function (r) { return [Math.round(r[0] * 100) / 100, Math.round(r[1] * 100) / 100]; }),
          position: Math.round(video.currentTime * 100) / 100,
          rate: video.playbackRate,
        }),
      };
    }

    function send(verb) {
      if (!reportUrl || closed) return;
      if (inFlight) {
        queued = verb;
        return;
      }
      var report = payload(verb);
      reported = union(reported, report.fresh);
      inFlight = true;
      fetch(reportUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Report-Token": reportToken },
        body: report.body,
      }).then(function (response) {
        if (response.ok) return response.json();
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 409) {
            // The course's video was replaced: a new session, sized to it; these seconds go with it.
            reportUrl = null;
            startSession();
          } else if (response.status === 401 || response.status === 404) {
            closed = true; // signed out, or the course went offline: nothing more is recorded
            show(data.error || "学习进度暂时无法记录，请刷新页面。");
          }
          throw new Error(String(response.status));
        });
      }).then(function (state) {
        // What the server counts as watched (all sessions): seconds it refused, because the report came
        // sooner than they could have played, are sent again with the next report.
        if (state.watched_segments) reported = state.watched_segments;
        showState(state);
      }).catch(function () {
        // Not received: send those seconds again with the next report.
        reported = subtract(reported, report.fresh);
      }).then(function () {
        inFlight = false;
        if (queued) {
          var next = queued;
          queued = null;
          send(next);
        }
      });
    }

    // The page is going away: one last report that outlives it.
    function sendFinal(verb) {
      if (!reportUrl || closed) return;
      var report = payload(verb);
      reported = union(reported, report.fresh);
      var sent = false;
      try {
        fetch(reportUrl, {
          method: "POST",
          credentials: "same-origin",
          keepalive: true,
          headers: { "Content-Type": "application/json", "X-Report-Token": reportToken },
          body: report.body,
        });
        sent = true;
      } catch (e) { /* keepalive unsupported: the beacon below */ }
      if (!sent && navigator.sendBeacon) {
        var form = new URLSearchParams();
        form.set("token", reportToken);
        form.set("payload", report.body);
        navigator.sendBeacon(reportUrl, form);
      }
    }

    function startSession() {
      if (reportUrl || starting) return;
      starting = true;
      fetch(startUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf },
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok) {
          show(result.data.error || "学习进度暂时无法记录。");
          return;
        }
        reportUrl = result.data.report_url;
        reportToken = result.data.report_token;
        interval = result.data.report_interval || interval;
        maxRate = result.data.max_rate || maxRate;
        if (!video.paused) tick();
      }).catch(function () {
        show("网络异常，学习进度暂时无法记录。");
      }).then(function () { starting = false; });
    }

    function tick() {
      window.clearInterval(timer);
      timer = window.setInterval(function () {
        if (!video.paused) send("played");
      }, interval * 1000);
    }

    video.addEventListener("play", function () {
      if (resumeNote) resumeNote.hidden = true;
      startSession();
      if (reportUrl) tick();
    });
    video.addEventListener("pause", function () {
      window.clearInterval(timer);
      send("paused");
    });
    video.addEventListener("seeked", function () { send("seeked"); });
    video.addEventListener("ended", function () { send("paused"); });
    video.addEventListener("ratechange", function () {
      // Faster than the server credits: slow down to the fastest it allows.
      if (video.playbackRate > maxRate) video.playbackRate = maxRate;
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") sendFinal(video.paused ? "paused" : "played");
    });
    window.addEventListener("pagehide", function () {
      sendFinal("terminated");
      closed = true;
    });
    // Back from the back/forward cache: the same session goes on.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) closed = false;
    });

    // Resume where the counselor stopped, on any device (player.js starts hls.js there).
    if (resumeAt > 0) {
      video.addEventListener("loadedmetadata", function once() {
        video.removeEventListener("loadedmetadata", once);
        if (video.currentTime < 1 && resumeAt < video.duration) video.currentTime = resumeAt;
      });
      if (restart) {
        restart.hidden = false;
        restart.addEventListener("click", function () {
          resumeAt = 0;
          root.setAttribute("data-resume", "0");
          video.currentTime = 0;
          if (resumeNote) resumeNote.hidden = true;
        });
      }
      if (resumeNote) resumeNote.setAttribute("data-resume-clock", clock(resumeAt));
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-player][data-learning-start]"), setup);
})();
