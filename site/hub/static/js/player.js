/* The lecture video player (templates/includes/video_player.html). Progressive enhancement:
   the <video> already carries the HLS playlist as a <source>, which Safari and iOS play natively
   even without JavaScript. Where Media Source Extensions exist, hls.js (loaded before this file,
   vendor/hls/hls.min.js) plays it instead and the "清晰度" menu becomes usable. Keyboard shortcuts
   work while the video has focus. Nothing is exported. */
(function () {
  "use strict";

  var HLS_TYPE = "application/vnd.apple.mpegurl";
  var SEEK_SECONDS = 5;
  var VOLUME_STEP = 0.1;
  var MSG_UNSUPPORTED = "您的浏览器无法播放该视频，请使用最新版浏览器。";
  var MSG_FAILED = "视频加载失败，请刷新页面重试。";
  var uid = 0;

  function setup(root) {
    if (root.hasAttribute("data-player-ready")) return;
    root.setAttribute("data-player-ready", "");

    var video = root.querySelector("video");
    var box = root.querySelector("[data-player-box]");
    var src = video && video.getAttribute("data-src");
    if (!video || !src) return;
    var qualityRow = root.querySelector("[data-player-quality]");
    var select = qualityRow && qualityRow.querySelector("select");
    var hint = root.querySelector("[data-player-hint]");
    var live = root.querySelector("[data-player-live]");
    var errorBox = root.querySelector("[data-player-error]");
    var errorText = root.querySelector("[data-player-error-text]");
    var hls = null;

    function announce(text) {
      if (!live) return;
      // Clear first so that the same words twice in a row are announced again.
      live.textContent = "";
      window.setTimeout(function () { live.textContent = text; }, 50);
    }

    function fail(message) {
      if (hls) {
        hls.destroy();
        hls = null;
      }
      video.pause();
      video.hidden = true;
      var button = root.querySelector("[data-player-start]");
      if (button) button.hidden = true;
      if (qualityRow) qualityRow.hidden = true;
      if (hint) hint.hidden = true;
      if (errorBox) {
        errorText.textContent = message;
        errorBox.hidden = false;
      }
    }

    /* ---------- hls.js ---------- */

    function useHls() {
      // hls.js gives the element a MediaSource URL; the <source> children are for native playback only.
      Array.prototype.forEach.call(video.querySelectorAll("source"), function (node) {
        node.parentNode.removeChild(node);
      });
      hls = new window.Hls({
        // Like preload="none": read the playlists at once (for the menu) but no video until "play".
        autoStartLoad: false,
        // In automatic mode, no rendition larger than the player on screen.
        capLevelToPlayerSize: true,
        // Captions come from the <track> sidecar file, never from the video stream.
        enableCEA708Captions: false,
        renderTextTracksNatively: true,
      });
      var Events = window.Hls.Events;
      var ErrorTypes = window.Hls.ErrorTypes;
      var ErrorDetails = window.Hls.ErrorDetails;
      var started = false;
      var networkRetried = false;
      var mediaRecoveries = 0;
      var signatureRefreshes = 0;
      var wantedHeight = 0; // the quality the viewer chose, announced once it is on screen
      var nudgeLevel = -1;

      function start() {
        if (started || !hls) return;
        started = true;
        // A counselor's resume position (learning/progress.js; "从头播放" sets it to 0): load from there.
        var from = parseFloat(root.getAttribute("data-resume") || "0") || 0;
        hls.startLoad(from > 0 ? from : video.currentTime);
      }
      video.addEventListener("play", start);
      video.addEventListener("seeking", start);
      root.addEventListener("player:start", start);

      hls.on(Events.MANIFEST_PARSED, function () {
        if (!select) return;
        var levels = hls.levels.map(function (level, index) {
          return { index: index, height: level.height, bitrate: level.bitrate };
        });
        levels.sort(function (a, b) { return b.height - a.height || b.bitrate - a.bitrate; });
        while (select.firstChild) select.removeChild(select.firstChild);
        select.appendChild(new Option("自动", "-1", true, true));
        levels.forEach(function (level, i) {
          var label = level.height ? level.height + "p" : Math.round(level.bitrate / 1000) + " kbps";
          var twin = levels[i - 1] && levels[i - 1].height === level.height;
          if (twin || (levels[i + 1] && levels[i + 1].height === level.height)) {
            label += "（" + Math.round(level.bitrate / 1000) + " kbps）";
          }
          select.appendChild(new Option(label, String(level.index)));
        });
        if (levels.length > 1) {
          select.disabled = false;
          qualityRow.hidden = false;
        }
      });

      if (select) {
        select.addEventListener("change", function () {
          var level = parseInt(select.value, 10);
          if (level < 0) {
            // Back to automatic from the next fragment on, without throwing away the buffer.
            wantedHeight = 0;
            nudgeLevel = -1;
            hls.loadLevel = -1;
            if (video.videoHeight) select.options[0].textContent = "自动（" + video.videoHeight + "p）";
            announce("清晰度：自动");
          } else {
            // Switch now: drop the buffered video of the old quality.
            wantedHeight = hls.levels[level] ? hls.levels[level].height : 0;
            nudgeLevel = started ? level : -1;
            select.options[0].textContent = "自动";
            hls.currentLevel = level;
          }
        });
      }

      // After the flush Chrome goes on showing the old quality up to the next key frame, up to a
      // segment (6 s) away. Seeking to where we are once the new quality is buffered shows it at once.
      hls.on(Events.FRAG_BUFFERED, function (event, data) {
        var frag = data.frag;
        if (frag.type !== "main" || frag.level !== nudgeLevel) return;
        var now = video.currentTime;
        if (frag.start <= now + 0.1 && now < frag.start + frag.duration) {
          nudgeLevel = -1;
          video.currentTime = now;
        }
      });

      // The picture on screen changed size: show which quality "自动" is playing now, and confirm
      // a manual choice once it is actually visible.
      video.addEventListener("resize", function () {
        if (!select || !video.videoHeight) return;
        var name = video.videoHeight + "p";
        select.options[0].textContent = hls && hls.autoLevelEnabled ? "自动（" + name + "）" : "自动";
        if (wantedHeight && wantedHeight === video.videoHeight) {
          wantedHeight = 0;
          announce("已切换到 " + name);
        }
      });

      hls.on(Events.ERROR, function (event, data) {
        // Segment addresses are signed and expire (hours after the playlist was loaded: a long
        // pause). Load the playlists again for fresh signatures and go on from the same second.
        var code = data.response && data.response.code;
        if ((code === 403 || code === 410) && data.details === ErrorDetails.FRAG_LOAD_ERROR && signatureRefreshes < 3) {
          signatureRefreshes += 1;
          var at = video.currentTime;
          var playing = !video.paused;
          hls.stopLoad();
          hls.once(Events.MANIFEST_PARSED, function () {
            hls.startLoad(at);
            // A new source resets the element: ask it to play again if it was playing.
            if (playing) {
              var resumed = video.play();
              if (resumed && resumed.catch) resumed.catch(function () {});
            }
          });
          hls.loadSource(src);
          return;
        }
        if (!data.fatal) return;
        if (data.type === ErrorTypes.NETWORK_ERROR && !networkRetried) {
          networkRetried = true;
          window.setTimeout(function () {
            if (!hls) return;
            var manifest = data.details === ErrorDetails.MANIFEST_LOAD_ERROR ||
              data.details === ErrorDetails.MANIFEST_LOAD_TIMEOUT ||
              data.details === ErrorDetails.MANIFEST_PARSING_ERROR;
            if (manifest) {
              hls.loadSource(src);
              if (started) {
                started = false;
                start();
              }
            } else {
              hls.startLoad();
            }
          }, 1000);
        } else if (data.type === ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
          // hls.js's documented sequence: recover; if it fails again, swap the audio codec and recover.
          if (mediaRecoveries === 1) hls.swapAudioCodec();
          mediaRecoveries += 1;
          hls.recoverMediaError();
        } else {
          fail(MSG_FAILED);
        }
      });

      hls.loadSource(src);
      hls.attachMedia(video);
      if (!video.paused || video.autoplay) start();
    }

    /* ---------- Native HLS (Safari, iOS) ---------- */

    function useNative() {
      var sources = video.querySelectorAll("source");
      var last = sources[sources.length - 1];
      // Every <source> failed: the element itself reports nothing, the last <source> does.
      if (last) last.addEventListener("error", function () { fail(MSG_FAILED); });
    }

    /* ---------- Keyboard ---------- */

    function captionsTrack() {
      for (var i = 0; i < video.textTracks.length; i += 1) {
        var track = video.textTracks[i];
        if (track.kind === "captions" || track.kind === "subtitles") return track;
      }
      return null;
    }

    function toggleFullscreen() {
      var doc = document;
      if (doc.fullscreenElement || doc.webkitFullscreenElement) {
        (doc.exitFullscreen || doc.webkitExitFullscreen).call(doc);
      } else if (video.requestFullscreen) {
        var request = video.requestFullscreen();
        if (request && request.catch) request.catch(function () {});
      } else if (video.webkitRequestFullscreen) {
        video.webkitRequestFullscreen();
      } else if (video.webkitEnterFullscreen) {
        video.webkitEnterFullscreen(); // iPhone
      }
    }

    function seekBy(seconds) {
      root.dispatchEvent(new CustomEvent("player:start"));
      var end = isFinite(video.duration) ? video.duration : Infinity;
      video.currentTime = Math.max(0, Math.min(end, video.currentTime + seconds));
    }

    function changeVolume(step) {
      video.muted = false;
      video.volume = Math.round(Math.max(0, Math.min(1, video.volume + step)) * 10) / 10;
      announce("音量 " + Math.round(video.volume * 100) + "%");
    }

    var KEYS = [" ", "Spacebar", "k", "ArrowLeft", "Left", "ArrowRight", "Right", "ArrowUp", "Up",
      "ArrowDown", "Down", "m", "f", "c"];

    // The key of a shortcut (lower case), or "" when the event is not one of ours.
    function shortcut(event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return "";
      // Only when the video (or its box) itself has focus: never inside the menu or any field.
      if (event.target !== video && event.target !== box) return "";
      var key = event.key || "";
      key = key.length === 1 ? key.toLowerCase() : key;
      return KEYS.indexOf(key) >= 0 ? key : "";
    }

    function onKey(event) {
      var key = shortcut(event);
      if (!key) return;
      var handled = true;
      switch (key) {
        case " ":
        case "Spacebar":
        case "k":
          if (video.paused || video.ended) {
            var playing = video.play();
            if (playing && playing.catch) playing.catch(function () {});
          } else {
            video.pause();
          }
          break;
        case "ArrowLeft":
        case "Left":
          seekBy(-SEEK_SECONDS);
          break;
        case "ArrowRight":
        case "Right":
          seekBy(SEEK_SECONDS);
          break;
        case "ArrowUp":
        case "Up":
          changeVolume(VOLUME_STEP);
          break;
        case "ArrowDown":
        case "Down":
          changeVolume(-VOLUME_STEP);
          break;
        case "m":
          video.muted = !video.muted;
          announce(video.muted ? "已静音" : "已取消静音");
          break;
        case "f":
          toggleFullscreen();
          break;
        case "c":
          var track = captionsTrack();
          if (!track) {
            handled = false;
            break;
          }
          // "hidden" keeps the cues loaded, so switching back on is instant.
          track.mode = track.mode === "showing" ? "hidden" : "showing";
          announce(track.mode === "showing" ? "字幕已开启" : "字幕已关闭");
          break;
        default:
          handled = false;
      }
      // Also stops the browser's own handling (page scrolling, a focused control button).
      if (handled) event.preventDefault();
    }

    /* ---------- Start ---------- */

    var Hls = window.Hls;
    if (Hls && Hls.isSupported()) {
      useHls();
    } else if (video.canPlayType(HLS_TYPE)) {
      useNative();
    } else {
      fail(MSG_UNSUPPORTED);
      return;
    }

    // Capture phase: run before the browser's own handlers on the <video> (Chrome toggles playback
    // on the Space *keyup* unless it is cancelled before reaching the element).
    (box || root).addEventListener("keydown", onKey, true);
    (box || root).addEventListener("keyup", function (event) {
      if (shortcut(event)) event.preventDefault();
    }, true);

    // Chrome ignores clicks on a video that has loaded nothing yet (preload="none"), so until the
    // first play a button over the picture (not over the control bar) starts it.
    var startButton = root.querySelector("[data-player-start]");
    if (startButton && video.paused) {
      startButton.hidden = false;
      startButton.addEventListener("click", function () {
        var playing = video.play();
        if (playing && playing.catch) playing.catch(function () {});
        video.focus();
      });
      video.addEventListener("play", function () { startButton.hidden = true; });
    }
    if (hint) {
      hint.id = hint.id || "player-hint-" + (uid += 1);
      hint.hidden = false;
      video.setAttribute("aria-describedby", hint.id);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-player]"), setup);
})();
