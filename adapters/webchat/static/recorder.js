/* Voice recording for the resident web chat (loaded before chat.js, which sets it up).
   Offered only where the browser can record Opus (Ogg in Firefox, WebM in Chromium, both
   made safe by the service); never starts by itself: the microphone is asked for only when
   the resident presses "Record". The recording lives in this page's memory only (never in
   localStorage, sessionStorage or IndexedDB) until it is sent through the chat's upload or
   discarded: by "Cancel", by "Leave quickly", or by leaving the page. */
(function () {
  "use strict";

  var TYPES = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus"];
  // Data every second: a stop loses at most the last second, and memory holds small pieces.
  var SLICE_MS = 1000;

  function recordableType() {
    var media = navigator.mediaDevices;
    if (!media || typeof media.getUserMedia !== "function") { return null; }
    if (typeof window.MediaRecorder !== "function") { return null; }
    if (typeof window.MediaRecorder.isTypeSupported !== "function") { return null; }
    // Framed by a page that does not delegate the microphone (Chromium can tell): no button
    // that could only fail.
    var policy = document.permissionsPolicy || document.featurePolicy;
    if (policy && typeof policy.allowsFeature === "function" && !policy.allowsFeature("microphone")) {
      return null;
    }
    for (var i = 0; i < TYPES.length; i += 1) {
      if (window.MediaRecorder.isTypeSupported(TYPES[i])) { return TYPES[i]; }
    }
    return null;
  }

  function clock(seconds) {
    var whole = Math.max(0, Math.floor(seconds));
    return Math.floor(whole / 60) + ":" + ("0" + (whole % 60)).slice(-2);
  }

  // options: texts, maxSeconds, upload(blob), showError(text). Returns discard(), which
  // stops the microphone and drops whatever was recorded, without a word (quick exit).
  function setUp(options) {
    var type = recordableType();
    var box = document.getElementById("record");
    var start = document.getElementById("record-start");
    var panel = document.getElementById("recording");
    var status = document.getElementById("record-status");
    var timer = document.getElementById("record-time");
    var stopButton = document.getElementById("record-send");
    var cancelButton = document.getElementById("record-cancel");
    var texts = options.texts;
    var limit = clock(options.maxSeconds);

    var state = "idle"; // idle, asking, recording, stopping
    var stream = null;
    var recorder = null;
    var chunks = [];
    var began = 0;
    var ticker = null;

    if (!type || !box) { return function () {}; }
    box.hidden = false;

    function release() {
      window.clearInterval(ticker);
      ticker = null;
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      recorder = null;
      chunks = [];
    }

    function showIdle(message) {
      state = "idle";
      panel.hidden = true;
      start.hidden = false;
      start.disabled = false;
      status.textContent = message || "";
    }

    function tick() {
      var elapsed = (Date.now() - began) / 1000;
      timer.textContent = clock(elapsed) + " / " + limit;
      if (elapsed >= options.maxSeconds) { finish(true); }
    }

    function finish(send) {
      if (state !== "recording" || !recorder) { return; }
      state = "stopping";
      var done = recorder;
      done.addEventListener("stop", function () {
        var blob = send && chunks.length ? new Blob(chunks, { type: type }) : null;
        release();
        showIdle(send ? "" : texts.webchat_record_discarded);
        if (blob) { options.upload(blob); }
        start.focus();
      });
      window.clearInterval(ticker);
      done.stop();
    }

    function begin(granted) {
      if (state !== "asking") {
        // Cancelled or left while the browser asked: the microphone goes off at once.
        granted.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      stream = granted;
      chunks = [];
      recorder = new window.MediaRecorder(stream, { mimeType: type });
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size > 0 && state !== "idle") { chunks.push(event.data); }
      });
      recorder.start(SLICE_MS);
      state = "recording";
      began = Date.now();
      start.hidden = true;
      panel.hidden = false;
      status.textContent = texts.webchat_recording;
      timer.textContent = clock(0) + " / " + limit;
      ticker = window.setInterval(tick, 250);
      stopButton.focus();
    }

    start.addEventListener("click", function () {
      if (state !== "idle") { return; }
      state = "asking";
      start.disabled = true;
      options.showError("");
      navigator.mediaDevices.getUserMedia({ audio: true }).then(begin, function () {
        if (state !== "asking") { return; }
        showIdle("");
        options.showError(texts.webchat_record_denied);
      });
    });
    stopButton.addEventListener("click", function () { finish(true); });
    cancelButton.addEventListener("click", function () { finish(false); });

    return function discard() {
      state = "idle";
      if (recorder && recorder.state !== "inactive") {
        try { recorder.stop(); } catch (e) { /* already stopped */ }
      }
      release();
      panel.hidden = true;
    };
  }

  window.SomesossuRecorder = { setUp: setUp };
}());
