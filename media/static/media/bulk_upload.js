// The bulk upload page (批量上传视频): each chosen or dropped file is sent in chunks with
// tus-js-client to media/tus.py, which makes it a video and a draft course. tus-js-client keeps each
// upload's address in localStorage, so choosing the same file again after a reload resumes it.
(function () {
  "use strict";
  var root = document.querySelector("[data-bulk-upload]");
  // Without tus-js-client (blocked, or a browser without File/XHR support) the fallback message stays.
  if (!root || !window.tus || !window.tus.isSupported) return;
  var fallback = document.querySelector("[data-bulk-fallback]");
  if (fallback) fallback.hidden = true;
  root.hidden = false;

  // Two at a time: a third rarely makes a slow line faster, and each file shows progress sooner.
  var PARALLEL = 2;
  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000];
  var endpoint = root.dataset.endpoint;
  var chunkSize = Number(root.dataset.chunkSize);
  var csrfToken = root.dataset.csrfToken;
  var centerInput = root.querySelector("[data-bulk-center]");
  var input = root.querySelector("[data-bulk-input]");
  var drop = root.querySelector("[data-bulk-drop]");
  var list = root.querySelector("[data-bulk-list]");
  var summary = root.querySelector("[data-bulk-summary]");
  var template = document.querySelector("template[data-bulk-item]");
  var entries = [];

  function formatSize(bytes) {
    if (bytes >= 1024 * 1024 * 1024) return (bytes / 1024 / 1024 / 1024).toFixed(2) + " GB";
    if (bytes >= 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function setState(entry, state, text) {
    entry.state = state;
    entry.node.dataset.state = state;
    entry.el.state.textContent = text;
    var active = state === "uploading" || state === "queued" || state === "finishing";
    entry.el.pause.hidden = state !== "uploading";
    entry.el.resume.hidden = state !== "paused" && state !== "interrupted";
    entry.el.cancel.hidden = !(active || state === "paused" || state === "interrupted");
    updateSummary();
  }

  function updateSummary() {
    var counts = { done: 0, failed: 0, waiting: 0 };
    entries.forEach(function (e) {
      if (e.state === "done") counts.done += 1;
      else if (e.state === "failed") counts.failed += 1;
      else if (e.state !== "cancelled") counts.waiting += 1;
    });
    summary.textContent = "共 " + entries.length + " 个文件：已完成 " + counts.done + "，未完成 " + counts.waiting +
      "，失败 " + counts.failed + "。";
  }

  function add(file) {
    var node = template.content.firstElementChild.cloneNode(true);
    var entry = {
      file: file,
      center: centerInput.value,
      node: node,
      upload: null,
      el: {
        state: node.querySelector("[data-state]"),
        progress: node.querySelector("[data-progress]"),
        result: node.querySelector("[data-result]"),
        pause: node.querySelector("[data-pause]"),
        resume: node.querySelector("[data-resume]"),
        cancel: node.querySelector("[data-cancel]"),
      },
    };
    node.querySelector("[data-name]").textContent = file.name;
    node.querySelector("[data-size]").textContent = formatSize(file.size);
    entry.el.progress.setAttribute("aria-label", file.name + " 的上传进度");
    entry.el.pause.addEventListener("click", function () { pause(entry); });
    entry.el.resume.addEventListener("click", function () { resume(entry); });
    entry.el.cancel.addEventListener("click", function () { cancel(entry); });
    list.appendChild(node);
    entries.push(entry);
    setState(entry, "queued", "等待上传");
    pump();
  }

  function pump() {
    var running = entries.filter(function (e) { return e.state === "uploading" || e.state === "finishing"; }).length;
    entries.forEach(function (entry) {
      if (running < PARALLEL && entry.state === "queued") {
        running += 1;
        start(entry);
      }
    });
  }

  function start(entry) {
    setState(entry, "uploading", "正在连接…");
    var upload = new window.tus.Upload(entry.file, {
      endpoint: endpoint,
      chunkSize: chunkSize,
      retryDelays: RETRY_DELAYS,
      metadata: { filename: entry.file.name, filetype: entry.file.type || "", center: entry.center },
      headers: { "X-CSRFToken": csrfToken },
      // The same file for another center is another upload.
      fingerprint: function (file) {
        return Promise.resolve(["hub-video", entry.center, file.name, file.size, file.lastModified, endpoint].join("-"));
      },
      removeFingerprintOnSuccess: true,
      onShouldRetry: function (err) {
        var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        var retry = (status === 0 || status >= 500 || status === 409 || status === 423) && navigator.onLine !== false;
        if (retry) entry.el.state.textContent = "连接中断，正在重试…";
        return retry;
      },
      onProgress: function (sent, total) {
        var percent = total ? Math.floor((sent / total) * 100) : 0;
        entry.el.progress.value = percent;
        if (sent === total) {
          setState(entry, "finishing", "已上传，正在检查视频并生成课程…");
        } else if (entry.state === "uploading") {
          entry.el.state.textContent = "上传中 " + percent + "%（" + formatSize(sent) + " / " + formatSize(total) + "）";
        }
      },
      onSuccess: function () { finish(entry, 0); },
      onError: function (err) { failed(entry, err); },
    });
    entry.upload = upload;
    upload.findPreviousUploads().then(function (previous) {
      if (entry.state !== "uploading") return;
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        entry.el.state.textContent = "从上次中断处继续…";
      }
      upload.start();
    });
  }

  // The server's reason for refusing a file is plain Chinese text; anything else is a generic message.
  function reason(response) {
    var type = response.getHeader("Content-Type") || "";
    var body = response.getBody();
    if (body && type.indexOf("text/plain") === 0) return body;
    return "服务器拒绝了该文件（" + response.getStatus() + "）。";
  }

  function failed(entry, err) {
    var response = err.originalResponse;
    var status = response ? response.getStatus() : 0;
    if (status >= 400 && status < 500 && status !== 409 && status !== 423) {
      fail(entry, reason(response));
    } else {
      setState(entry, "interrupted", "上传中断（已完成 " + entry.el.progress.value + "%）。网络恢复后会自动继续，也可以点击“继续上传”。");
    }
    pump();
  }

  function fail(entry, message) {
    entry.el.progress.hidden = true;
    setState(entry, "failed", "上传失败：" + message);
    entry.node.querySelector("[data-state]").setAttribute("role", "alert");
  }

  // The last chunk's request already made the video and the course; this asks how it went (and
  // finishes the job if the server was interrupted in between).
  function finish(entry, attempt) {
    setState(entry, "finishing", "已上传，正在检查视频并生成课程…");
    fetch(entry.upload.url.replace(/\/?$/, "/") + "finish/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        var data = result.data;
        if (result.status === 200 && data.status === "complete") {
          done(entry, data);
        } else if (result.status === 200 && data.status === "failed") {
          fail(entry, data.error);
        } else if ((result.status === 423 || result.status === 409 || result.status >= 500) && attempt < 10) {
          window.setTimeout(function () { finish(entry, attempt + 1); }, 2000);
          return;
        } else {
          fail(entry, data.error || "无法确认上传结果，请刷新视频列表查看。");
        }
        pump();
      })
      .catch(function () {
        if (attempt < 10) {
          window.setTimeout(function () { finish(entry, attempt + 1); }, 3000);
        } else {
          fail(entry, "无法确认上传结果，请刷新视频列表查看。");
        }
      });
  }

  function done(entry, data) {
    entry.el.progress.value = 100;
    setState(entry, "done", "已完成：已生成视频和草稿课程《" + data.page_title + "》，视频正在排队转码。");
    var result = entry.el.result;
    var edit = document.createElement("a");
    edit.href = data.page_edit_url;
    edit.className = "button button-small";
    edit.textContent = "完善课程信息";
    edit.target = "_blank";
    edit.rel = "noopener";
    var video = document.createElement("a");
    video.href = data.video_edit_url;
    video.className = "button button-small button-secondary";
    video.textContent = "查看视频";
    video.target = "_blank";
    video.rel = "noopener";
    result.appendChild(edit);
    result.appendChild(document.createTextNode(" "));
    result.appendChild(video);
    result.hidden = false;
    if (data.video_status_url) followTranscode(entry, data, 0);
  }

  // After the upload the video waits for a worker, then transcodes: the row says which, and when it is
  // ready or failed, instead of "正在排队转码" for ever. Polling slows down and stops after about an hour.
  function followTranscode(entry, data, polls) {
    var course = "已完成：已生成视频和草稿课程《" + data.page_title + "》，";
    fetch(data.video_status_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (video) {
        if (video.status === "ready") {
          setState(entry, "done", course + "视频已转码完成，可以播放。");
          return;
        }
        if (video.status === "failed") {
          setState(entry, "done", course + "视频转码失败：" + (video.failure_reason || "请在视频页重新转码。"));
          entry.node.querySelector("[data-state]").setAttribute("role", "alert");
          return;
        }
        var text = video.status === "transcoding"
          ? "视频正在转码 " + video.progress + "%。"
          : "视频正在排队等待转码。";
        setState(entry, "done", course + text);
        if (polls < 600) window.setTimeout(function () { followTranscode(entry, data, polls + 1); }, polls < 30 ? 2000 : 10000);
      })
      .catch(function () {
        if (polls < 600) window.setTimeout(function () { followTranscode(entry, data, polls + 1); }, 10000);
      });
  }

  function pause(entry) {
    if (entry.upload) entry.upload.abort();
    setState(entry, "paused", "已暂停（已完成 " + entry.el.progress.value + "%）");
    pump();
  }

  function resume(entry) {
    if (!entry.upload) return start(entry);
    setState(entry, "uploading", "继续上传…");
    entry.upload.start();
  }

  function cancel(entry) {
    // abort(true) also deletes what the server has received (tus termination).
    if (entry.upload) entry.upload.abort(true).catch(function () {});
    entry.el.progress.hidden = true;
    setState(entry, "cancelled", "已取消");
    pump();
  }

  function addFiles(files) {
    for (var i = 0; i < files.length; i += 1) add(files[i]);
  }

  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = ""; // so that choosing the same file again (to resume it) fires a change
  });
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) {
      event.preventDefault();
      drop.classList.add("is-dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("is-dragover"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files) addFiles(event.dataTransfer.files);
  });

  // Back online: carry on with what the network interrupted.
  window.addEventListener("online", function () {
    entries.forEach(function (entry) { if (entry.state === "interrupted") resume(entry); });
  });
  window.addEventListener("beforeunload", function (event) {
    var busy = entries.some(function (e) { return ["queued", "uploading", "finishing"].indexOf(e.state) >= 0; });
    if (busy) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
