/* Resident web chat client (protocol version 1, docs/webchat-protocol.md).
   Keeps only the session token, the chosen language and unsent messages, in sessionStorage
   (this tab only). Only when the resident ticks "Remember this device" are they also kept in
   localStorage, so that a new tab or a restarted browser continues the same chat; unticking
   removes them from there at once. "Leave quickly" and "End and forget" clear both.
   No cookies, no third parties. */
(function () {
  "use strict";

  var KEY_TOKEN = "somesossu.token";
  var KEY_LANG = "somesossu.lang";
  var KEY_PENDING = "somesossu.pending";
  // The resident's choice lives only where it has an effect: its absence means "off".
  var KEY_REMEMBER = "somesossu.remember";
  // Every key this page may write to localStorage, so forgetting cannot miss one.
  var DEVICE_KEYS = [KEY_TOKEN, KEY_LANG, KEY_PENDING, KEY_REMEMBER];
  var ANSWER_TIMEOUT_MS = 20000;
  var TYPING_INTERVAL_MS = 3000;

  // The one way to localStorage (a test counts it): null where the browser refuses it.
  function deviceStore() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function remembered() {
    var store = deviceStore();
    try { return store !== null && store.getItem(KEY_REMEMBER) === "1"; } catch (e) { return false; }
  }
  function load(key) {
    var value = null;
    try { value = window.sessionStorage.getItem(key); } catch (e) { value = null; }
    // A new tab or a restarted browser has an empty sessionStorage: continue from the device.
    if (value === null && remembered()) {
      try { value = deviceStore().getItem(key); } catch (e) { value = null; }
    }
    return value;
  }
  function put(store, key, value) {
    try {
      if (value === null) { store.removeItem(key); }
      else { store.setItem(key, value); }
    } catch (e) { /* storage blocked or full: the chat still works for this page view */ }
  }
  function save(key, value) {
    try { put(window.sessionStorage, key, value); } catch (e) { /* sessionStorage blocked */ }
    // Read the choice each time: another tab may have unticked it since this page loaded.
    if (remembered()) { put(deviceStore(), key, value); }
  }
  function forgetOnDevice() {
    var store = deviceStore();
    if (store === null) { return; }
    DEVICE_KEYS.forEach(function (key) { put(store, key, null); });
  }
  function rememberOnDevice() {
    var store = deviceStore();
    if (store === null) { return false; }
    put(store, KEY_REMEMBER, "1");
    [KEY_TOKEN, KEY_LANG, KEY_PENDING].forEach(function (key) {
      var value = null;
      try { value = window.sessionStorage.getItem(key); } catch (e) { value = null; }
      put(store, key, value);
    });
    return remembered();
  }
  function forgetDevice() {
    try { window.sessionStorage.clear(); } catch (e) { /* nothing stored */ }
    forgetOnDevice();
  }
  function newClientId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function leaveQuickly(leaveUrl, socket) {
    forgetDevice();
    if (socket) {
      // "leave" ends the conversation on the server (nobody answers into the void); a socket
      // sends what was queued before its close frame, so the page need not wait for it.
      try { if (socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify({ type: "leave" })); } }
      catch (e) { /* closing anyway */ }
      try { socket.close(1000); } catch (e) { /* already closed */ }
    }
    document.title = "";
    document.body.textContent = "";
    try {
      if (window.top !== window.self) { window.top.location.replace(leaveUrl); }
    } catch (e) { /* cross-origin parent refused: leave this frame at least */ }
    window.location.replace(leaveUrl);
  }

  function startPicker(picker) {
    var params = new URLSearchParams(window.location.search);
    var saved = load(KEY_LANG);
    if (saved && !params.has("choose") && /^[a-z]{2,3}$/.test(saved)) {
      window.location.replace("/chat?lang=" + saved);
      return;
    }
    document.getElementById("leave").addEventListener("click", function () {
      leaveQuickly(picker.dataset.leaveUrl, null);
    });
  }

  function startChat(root) {
    var lang = root.dataset.lang;
    var texts = JSON.parse(root.dataset.texts);
    var maxChars = parseInt(root.dataset.maxChars, 10);
    var leaveUrl = root.dataset.leaveUrl;
    var wsUrl = (window.location.protocol === "https:" ? "wss://" : "ws://") +
      window.location.host + root.dataset.wsPath + "?lang=" + encodeURIComponent(lang);

    var transcript = document.getElementById("transcript");
    var choicesBox = document.getElementById("choices");
    var status = document.getElementById("status");
    var errorLine = document.getElementById("error");
    var form = document.getElementById("composer");
    var input = document.getElementById("text");
    var rememberBox = document.getElementById("remember");

    var socket = null;
    var ready = false;
    var attempts = 0;
    var leaving = false;
    var inFlight = null;
    var answerTimer = null;
    var retryTimer = null;
    var lastTyping = 0;
    var pending = [];
    try { pending = JSON.parse(load(KEY_PENDING) || "[]"); } catch (e) { pending = []; }

    save(KEY_LANG, lang);

    function savePending() { save(KEY_PENDING, pending.length ? JSON.stringify(pending) : null); }
    function setStatus(text) { status.textContent = text; }
    function showError(text) { errorLine.textContent = text || ""; }

    function authorLabel(frame) {
      if (frame.from === "resident") { return texts.webchat_you; }
      if (frame.from === "counsellor") { return frame.display_name || texts.webchat_counsellor; }
      return texts.webchat_service;
    }

    function onRetract(frame) {
      var ids = Array.isArray(frame.ids) ? frame.ids : [];
      Array.prototype.slice.call(transcript.children).forEach(function (item) {
        if (item.dataset.id && ids.indexOf(item.dataset.id) >= 0) { transcript.removeChild(item); }
      });
    }

    function entry(frame, pendingId) {
      var item = document.createElement("li");
      var from = ["resident", "counsellor", "bot"].indexOf(frame.from) >= 0 ? frame.from : "bot";
      item.className = "entry from-" + from;
      if (frame.id) { item.dataset.id = frame.id; }
      var author = document.createElement("span");
      author.className = "author";
      author.textContent = authorLabel(frame) + ":";
      item.appendChild(author);
      // The author is a line of its own: a separating space here would open the text (pre-wrap).
      var text = document.createElement("span");
      text.className = "text";
      text.textContent = frame.text;
      item.appendChild(text);
      if (frame.document && typeof frame.document.url === "string" &&
          frame.document.url.indexOf("/chat/library/") === 0) {
        // A form or instruction from the service's library: a download from this site only.
        var link = document.createElement("a");
        link.className = "document";
        link.href = frame.document.url;
        link.setAttribute("download", "");
        link.textContent = texts.webchat_download + ": " + frame.document.title;
        text.textContent = "";
        text.appendChild(link);
      }
      if (pendingId) {
        item.dataset.clientId = pendingId;
        var mark = document.createElement("span");
        mark.className = "pending";
        mark.textContent = texts.webchat_sending;
        item.appendChild(mark);
      }
      transcript.appendChild(item);
      transcript.scrollTop = transcript.scrollHeight;
      return item;
    }

    function notice(text) {
      var item = document.createElement("li");
      item.className = "notice";
      item.textContent = text;
      transcript.appendChild(item);
      transcript.scrollTop = transcript.scrollHeight;
    }

    function showChoices(options) {
      choicesBox.textContent = "";
      options.forEach(function (option) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "choice";
        button.textContent = option.label;
        button.addEventListener("click", function () { choose(option.value); });
        choicesBox.appendChild(button);
      });
      choicesBox.hidden = options.length === 0;
    }

    function clearChoices() { showChoices([]); }

    function send(frame) {
      if (!socket || socket.readyState !== WebSocket.OPEN) { return false; }
      socket.send(JSON.stringify(frame));
      return true;
    }

    function pump() {
      if (!ready || inFlight || retryTimer || pending.length === 0) { return; }
      inFlight = pending[0];
      var frame = inFlight.kind === "choice"
        ? { type: "choice", value: inFlight.value, client_id: inFlight.client_id }
        : { type: "message", text: inFlight.text, client_id: inFlight.client_id };
      if (!send(frame)) { inFlight = null; return; }
      answerTimer = window.setTimeout(function () {
        // No answer: the socket is probably dead; reconnecting resends with the same id.
        if (socket) { socket.close(4000); }
      }, ANSWER_TIMEOUT_MS);
    }

    function settle(clientId) {
      if (!inFlight || inFlight.client_id !== clientId) { return null; }
      window.clearTimeout(answerTimer);
      var done = inFlight;
      inFlight = null;
      pending = pending.filter(function (item) { return item.client_id !== clientId; });
      savePending();
      return done;
    }

    function enqueue(item) {
      pending.push(item);
      savePending();
      pump();
    }

    function write(text) {
      var clientId = newClientId();
      entry({ from: "resident", text: text }, clientId);
      enqueue({ kind: "message", text: text, client_id: clientId });
    }

    function choose(value) {
      Array.prototype.forEach.call(choicesBox.querySelectorAll("button"), function (b) { b.disabled = true; });
      enqueue({ kind: "choice", value: value, client_id: newClientId() });
    }

    function startConversation() {
      // The page's language picker is the resident's language choice: it opens the chat.
      enqueue({ kind: "choice", value: "lang:" + lang, client_id: newClientId() });
    }

    function askTopicAgain() {
      // "/start" during triage repeats the open question, so its buttons come back.
      enqueue({ kind: "message", text: "/start", client_id: newClientId(), hidden: true });
    }

    function finishForget() {
      leaving = true;
      discardRecording();
      forgetDevice();
      if (socket) { socket.close(1000); }
      root.textContent = "";
      var gone = document.createElement("main");
      gone.className = "gone";
      var text = document.createElement("p");
      text.setAttribute("role", "status");
      text.textContent = texts.webchat_forgotten;
      gone.appendChild(text);
      root.appendChild(gone);
    }

    function onDelivered(frame) {
      var done = settle(frame.client_id);
      if (!done) { return; }
      var item = transcript.querySelector('[data-client-id="' + done.client_id + '"] .pending');
      if (item) { item.remove(); }
      showError("");
      if (done.forget) { finishForget(); return; }
      if (done.kind === "choice") {
        clearChoices();
        var chosen = /^lang:([a-z]{2,3})$/.exec(done.value);
        if (chosen && chosen[1] !== lang) {
          save(KEY_LANG, chosen[1]);
          window.location.replace("/chat?lang=" + chosen[1]);
          return;
        }
      }
      pump();
    }

    function onError(frame) {
      showError(frame.text);
      if (!frame.client_id) { return; }
      var item = inFlight && inFlight.client_id === frame.client_id ? inFlight : null;
      if (!item) { return; }
      if (frame.code === "rate_limited" || frame.code === "try_again") {
        window.clearTimeout(answerTimer);
        inFlight = null;
        var wait = Math.max(1, frame.retry_after || 3) * 1000;
        retryTimer = window.setTimeout(function () { retryTimer = null; pump(); }, wait);
        return;
      }
      // Refused for good (too long, malformed): give the text back so nothing is lost.
      settle(frame.client_id);
      var bubble = transcript.querySelector('[data-client-id="' + frame.client_id + '"]');
      if (bubble) { bubble.remove(); }
      if (item.kind === "message" && !item.hidden) {
        input.value = item.text + (input.value ? "\n" + input.value : "");
        input.focus();
      }
      if (item.kind === "choice") {
        Array.prototype.forEach.call(choicesBox.querySelectorAll("button"), function (b) { b.disabled = false; });
      }
      pump();
    }

    function onHistory(frame) {
      transcript.setAttribute("aria-busy", "true");
      transcript.textContent = "";
      var talkingWith = null;
      frame.messages.forEach(function (message) {
        entry(message, null);
        if (message.from === "counsellor") { talkingWith = authorLabel(message); }
      });
      pending.forEach(function (item) {
        if (item.kind === "message" && !item.hidden) { entry({ from: "resident", text: item.text }, item.client_id); }
      });
      transcript.removeAttribute("aria-busy");
      if (frame.state === "closed") { setStatus(texts.webchat_status_ended); }
      else if (frame.state === "active" && talkingWith) {
        setStatus(texts.webchat_talking_with.replace("{name}", talkingWith));
      } else { setStatus(""); }
      var open = frame.state && frame.state !== "closed";
      if (!frame.state && pending.length === 0) {
        startConversation();
      } else if (open && frame.language && frame.language !== lang) {
        // The resident picked another page language: tell the core to switch too.
        enqueue({ kind: "choice", value: "lang:" + lang, client_id: newClientId() });
      }
      if ((frame.state === "triage_topic" || frame.state === "triage_language") && pending.length === 0) {
        askTopicAgain();
      }
      pump();
    }

    function onFrame(frame) {
      switch (frame.type) {
        case "welcome":
          save(KEY_TOKEN, frame.token);
          attempts = 0;
          ready = true;
          break;
        case "history": onHistory(frame); break;
        case "message": entry(frame, null); clearChoices(); break;
        case "choices": showChoices(frame.choices); break;
        case "joined": setStatus(texts.webchat_talking_with.replace("{name}", frame.display_name)); break;
        case "ended": setStatus(texts.webchat_status_ended); break;
        case "delivered": onDelivered(frame); break;
        // Erased on the server (the resident typed the delete word): nothing on this device
        // may lead back to it, a remembered token included.
        case "forget": transcript.textContent = ""; forgetDevice(); break;
        case "retract": onRetract(frame); break;
        case "error": onError(frame); break;
        default: break; /* newer server: ignore what this client does not know */
      }
    }

    function connect() {
      if (leaving) { return; }
      setStatus(attempts === 0 ? texts.webchat_connecting : texts.webchat_reconnecting);
      socket = new WebSocket(wsUrl);
      socket.addEventListener("open", function () {
        var hello = { type: "hello", lang: lang };
        var token = load(KEY_TOKEN);
        if (token) { hello.token = token; }
        socket.send(JSON.stringify(hello));
      });
      socket.addEventListener("message", function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        if (frame && typeof frame.type === "string") { onFrame(frame); }
      });
      socket.addEventListener("close", function (event) {
        ready = false;
        window.clearTimeout(answerTimer);
        inFlight = null;
        if (leaving) { return; }
        attempts += 1;
        setStatus(texts.webchat_reconnecting);
        // Backoff with jitter; a refused connection (1008: too many) waits longer.
        var base = event.code === 1008 ? 15000 : 1000;
        var delay = Math.min(30000, base * Math.pow(2, Math.min(attempts - 1, 5)));
        window.setTimeout(connect, delay / 2 + Math.random() * delay / 2);
      });
    }

    // A file or a recording goes as the body of one POST with the tab's token in a header
    // (never in the URL); the service answers in the chat whether it was kept or why not.
    function upload(body, symbol) {
      var token = load(KEY_TOKEN);
      if (!token) { return; }
      var clientId = newClientId();
      var item = entry({ from: "resident", text: symbol }, clientId);
      showError("");
      fetch("/chat/upload", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/octet-stream", "X-Chat-Token": token, "X-Client-Id": clientId },
        body: body
      }).then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, body: answer }; });
      }).then(function (answer) {
        var mark = item.querySelector(".pending");
        if (answer.ok) {
          if (mark) { mark.textContent = texts.webchat_file_sent; }
        } else {
          transcript.removeChild(item);
          showError(answer.body.text || "");
        }
      }).catch(function () {
        transcript.removeChild(item);
        showError(texts.webchat_reconnecting);
      });
    }

    var fileInput = document.getElementById("file");
    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (file) { upload(file, file.type.indexOf("image/") === 0 ? "\uD83D\uDCF7" : "\uD83D\uDCC4"); }
      fileInput.value = "";
    });
    var discardRecording = window.SomesossuRecorder.setUp({
      texts: texts,
      maxSeconds: parseInt(root.dataset.maxRecordingSeconds, 10),
      upload: function (blob) { upload(blob, "\uD83C\uDFA4"); },
      showError: showError
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value;
      if (!text.trim()) { input.focus(); return; }
      if (text.length > maxChars) { return; }
      input.value = "";
      showError("");
      write(text);
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (ready && now - lastTyping > TYPING_INTERVAL_MS) {
        lastTyping = now;
        send({ type: "typing" });
      }
    });
    document.getElementById("leave").addEventListener("click", function () {
      leaving = true;
      discardRecording();
      leaveQuickly(leaveUrl, socket);
    });
    rememberBox.checked = remembered();
    rememberBox.addEventListener("change", function () {
      if (rememberBox.checked) {
        // Storage refused (private mode, blocked): show the box as it really is.
        rememberBox.checked = rememberOnDevice();
      } else {
        // This tab's sessionStorage keeps the chat going; only the device copy goes.
        forgetOnDevice();
      }
    });
    window.addEventListener("storage", function (event) {
      // Another tab ticked, unticked or left quickly: this box must not claim otherwise.
      if (event.key === null || event.key === KEY_REMEMBER) { rememberBox.checked = remembered(); }
    });
    document.getElementById("forget").addEventListener("click", function () {
      if (!window.confirm(texts.webchat_forget_confirm)) { return; }
      clearChoices();
      enqueue({ kind: "message", text: "/delete", client_id: newClientId(), hidden: true, forget: true });
    });

    connect();
  }

  function start() {
    var picker = document.getElementById("picker");
    var chat = document.getElementById("chat");
    if (picker) { startPicker(picker); }
    if (chat) { startChat(chat); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
