// somesossu staff console: talks to the JSON API and the console websocket.
// Renders with DOM APIs only (textContent, never innerHTML): resident text is never markup.
// Every word a person reads comes from t() (tests/bot/console/test_console_catalogs.py fails
// on a string literal that reads as words), so class lists are given as arrays.
"use strict";

(function () {
  const body = document.body;
  const page = body.dataset.page;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const baseTitle = document.title;
  let unseen = 0;

  // ---- words: the console_js catalog in the user's language, given by the page as JSON ----
  const textsNode = document.getElementById("console-texts");
  const TEXTS = textsNode ? JSON.parse(textsNode.textContent) : {};
  const LOCALE = (textsNode && textsNode.dataset.locale) || "en-GB";
  const pluralRules = new Intl.PluralRules(LOCALE);

  // t(key, {name: value}): the text with {name} filled in; a counted text takes its form
  // from params.count by the language's plural rules. A key the catalogs lack shows as
  // itself, so a missing text is visible rather than blank.
  function t(key, params) {
    let text = TEXTS[key];
    if (text && typeof text === "object") {
      const count = params && params.count !== undefined ? Number(params.count) : 0;
      text = text[pluralRules.select(count)] || text.other;
    }
    if (typeof text !== "string") text = key;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      params && params[name] !== undefined ? String(params[name]) : whole);
  }

  // Names instead of codes: a language code in the user's language ("ru" -> "venäjä").
  const languageNames = typeof Intl.DisplayNames === "function"
    ? new Intl.DisplayNames([LOCALE], { type: "language" }) : null;
  function languageName(code) {
    if (!code) return t("common.unknown_language");
    try {
      const name = languageNames ? languageNames.of(code) : code;
      return name ? name.charAt(0).toUpperCase() + name.slice(1) : code;
    } catch (e) { return code; }
  }

  // Other codes as names: "<area>.<code>" in the catalog, else the code with spaces (a value
  // configured later than the catalog still reads, if in English).
  function named(area, code) {
    if (code === null || code === undefined || code === "") return "";
    const text = TEXTS[area + "." + code];
    return typeof text === "string" ? text : label(code);
  }

  // Topics are configured per service: the catalog names the default ones; another reads as
  // its configured label in the console language (from /api/queues), else as its code.
  const topicLabels = new Map();
  const consoleLanguage = LOCALE.split("-")[0];
  function learnTopics(queues) {
    (queues || []).forEach((q) => (q.topics || []).forEach((topic) => {
      const labels = topic.labels || {};
      const text = labels[consoleLanguage] || labels.en;
      if (text) topicLabels.set(topic.id, text);
    }));
  }
  function topicName(code) {
    if (!code) return "";
    if (typeof TEXTS["topic." + code] === "string") return TEXTS["topic." + code];
    return topicLabels.get(code) || label(code);
  }
  function channelName(code) { return named("channel", code); }
  function stateName(code) { return named("state", code); }

  const numberFormat = new Intl.NumberFormat(LOCALE);
  function number(value) {
    return typeof value === "number" && Number.isFinite(value) ? numberFormat.format(value) : String(value ?? "");
  }
  function clock(moment) { return new Date(moment).toLocaleTimeString(LOCALE); }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = Array.isArray(value) ? value.join(" ") : value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(method, path, payload) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      options.headers["X-CSRF-Token"] = csrf;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload || {});
    }
    const response = await fetch(path, options);
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) { window.location.href = "/console/login"; }
    if (!response.ok) {
      const error = new Error((data && data.message) || t("common.request_failed"));
      error.code = data && data.code;
      throw error;
    }
    return data;
  }

  // ---- notices: live region, title, sound -------------------------------------------------
  function announce(text) {
    const region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(() => { region.textContent = text; }, 50);
  }

  function muted() { return window.localStorage.getItem("somesossu.muted") === "1"; }

  function setupMute() {
    const button = document.getElementById("mute");
    if (!button) return;
    const show = () => {
      button.setAttribute("aria-pressed", muted() ? "true" : "false");
      button.textContent = muted() ? t("common.sound_off") : t("common.sound_on");
    };
    button.addEventListener("click", () => {
      window.localStorage.setItem("somesossu.muted", muted() ? "0" : "1");
      show();
    });
    show();
  }

  let audio = null;
  function beep(urgent) {
    if (muted()) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const notes = urgent ? [880, 660, 880] : [660];
      notes.forEach((frequency, index) => {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        const start = audio.currentTime + index * 0.22;
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.2);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start);
        oscillator.stop(start + 0.21);
      });
    } catch (e) { /* no audio device: the title and live region still tell */ }
  }

  function notice(text, urgent) {
    unseen += 1;
    document.title = (urgent ? "(!) " : "(" + unseen + ") ") + baseTitle;
    announce(text);
    beep(urgent);
    if (urgent) {
      const alert = document.getElementById("alert");
      if (alert) { alert.textContent = text; alert.hidden = false; }
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) { unseen = 0; document.title = baseTitle; }
  });
  document.addEventListener("click", (event) => {
    if (event.target && event.target.id === "alert") event.target.hidden = true;
  });

  // ---- websocket ------------------------------------------------------------------------
  const listeners = [];
  const watched = new Set();
  const watchedGroups = new Set();
  let socket = null;
  let retry = 1000;

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + window.location.host + "/console/ws");
    socket.addEventListener("open", () => {
      retry = 1000;
      body.dataset.live = "connected";
      watched.forEach((id) => send({ type: "watch", conversation: id }));
      watchedGroups.forEach((id) => send({ type: "watch", group: id }));
    });
    socket.addEventListener("message", (message) => {
      let frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      if (frame.type === "signed_out") { window.location.href = "/console/login"; return; }
      if (frame.type === "watching" && frame.conversation) body.dataset.watching = frame.conversation;
      if (frame.type === "watching" && frame.group) body.dataset.watchingGroup = frame.group;
      if (frame.type === "watch_ended" && frame.conversation) {
        // Access ended (claimed by a colleague, transferred, erased): do not watch it again.
        watched.delete(frame.conversation);
        delete body.dataset.watching;
      }
      listeners.forEach((listener) => listener(frame));
    });
    socket.addEventListener("close", (event) => {
      body.dataset.live = "closed";
      if (event.code === 4401) { window.location.href = "/console/login"; return; }
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function watch(id) { watched.add(id); send({ type: "watch", conversation: id }); }

  function debounce(fn, ms) {
    let timer = null;
    return () => { window.clearTimeout(timer); timer = window.setTimeout(fn, ms); };
  }

  // A page that shows live figures: loaded now, again shortly after live events (a burst of
  // them refreshes once, after `ms`) and every 30 s anyway; an urgent conversation is
  // announced at once.
  const alerted = new Set();
  function refreshLive(refresh, ms) {
    const later = debounce(refresh, ms);
    listeners.push((frame) => {
      if (frame.type !== "event") return;
      const urgent = frame.kind === "conversation.urgent" ? frame.payload.conversation : null;
      if (urgent && !alerted.has(urgent)) {
        alerted.add(urgent);  // one alert per conversation, however many topics carry it
        notice(t("common.raised_urgent"), true);
      }
      later();
    });
    refresh();
    window.setInterval(refresh, 30000);
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "";
    if (seconds < 60) return t("time.under_a_minute");
    const m = Math.floor(seconds / 60);
    if (m < 60) return t("time.minutes", { count: m });
    return t("time.hours_minutes", { hours: number(Math.floor(m / 60)), minutes: m % 60 });
  }

  function label(text) { return String(text || "").replace(/_/g, " "); }

  // A failed action's error goes right after what the user pressed (where they look) and is
  // never cleared by a refresh: only by the next attempt of the same action.
  function failureLine(anchor) {
    let line = anchor.nextElementSibling;
    if (!line || !line.classList.contains("action-error")) {
      line = el("p", { class: ["error", "action-error"], role: "alert", hidden: true });
      anchor.after(line);
    }
    return line;
  }

  function showFailure(anchor, text) {
    const line = failureLine(anchor);
    line.textContent = text || "";
    line.hidden = !text;
  }

  // ---- queue board ----------------------------------------------------------------------
  function boardPage() {
    const status = document.getElementById("board-status");
    const boardError = document.getElementById("board-error");
    const known = new Set();

    function showBoardError(text) { boardError.textContent = text; boardError.hidden = !text; }
    let first = true;

    // Column names: the header row on a wide screen, each cell's data-label on a phone.
    const columns = [t("board.col_language"), t("board.col_topic"), t("board.col_channel"),
      t("board.col_waiting"), t("board.col_priority"), t("board.col_action")];

    async function refresh() {
      let queues, conversations;
      try {
        [queues, conversations] = await Promise.all([
          api("GET", "/api/queues"),
          api("GET", "/api/conversations?state=open"),
        ]);
      } catch (e) { status.textContent = t("board.load_failed", { reason: e.message }); return; }
      learnTopics(queues);
      status.textContent = t("board.updated", { time: new Date().toLocaleTimeString(LOCALE) });
      const queueName = (id) => (queues.find((q) => q.id === id) || {}).name || id || "";
      const mine = document.getElementById("mine");
      const others = document.getElementById("others");
      const container = document.getElementById("queues");
      mine.replaceChildren();
      others.replaceChildren();
      container.replaceChildren();
      const fresh = [];
      conversations.forEach((c) => {
        if (c.state === "active" && c.mine) {
          mine.append(el("li", { class: "card" },
            el("a", { href: "/console/conversations/" + c.id, text: t("board.conversation", { id: c.id.slice(0, 8) }) }),
            " ", el("span", { class: "meta", text: [c.language ? languageName(c.language) : "", topicName(c.topic), channelName(c.channel)].filter(Boolean).join(" · ") }),
            c.urgent ? el("span", { class: ["badge", "urgent"], text: t("common.urgent") }) : null));
        } else if (c.state === "active") {
          const held = { queue: queueName(c.queue), name: c.assigned_name || t("board.colleague") };
          others.append(el("li", { text: c.urgent ? t("board.colleague_has_urgent", held) : t("board.colleague_has", held) }));
        }
        if ((c.state === "queued" || c.state === "waiting_hours") && !known.has(c.id)) {
          known.add(c.id);
          if (!first) fresh.push(c);
        }
      });
      if (!mine.children.length) mine.append(el("li", { class: "hint", text: t("board.none_now") }));
      if (!others.children.length) others.append(el("li", { class: "hint", text: t("board.none") }));
      queues.filter((q) => q.mine).forEach((queue) => {
        const waiting = conversations.filter((c) => c.queue === queue.id && (c.state === "queued" || c.state === "waiting_hours"));
        const table = el("table", { class: "queue" },
          el("caption", { text: t("board.queue_caption", { name: queue.name, count: waiting.length }) }),
          el("thead", {}, el("tr", {},
            ...columns.map((h) => el("th", { scope: "col", text: h })))));
        const rows = el("tbody");
        waiting.forEach((c) => {
          // data-label names each cell where a phone shows the rows as cards (no header row).
          rows.append(el("tr", { class: c.urgent ? "urgent-row" : "" },
            el("td", { "data-label": columns[0] }, c.language ? languageName(c.language) : "?",
              c.interpreter_needed ? el("span", { class: ["badge", "interpreter"], text: t("board.interpreter_needed") }) : null),
            el("td", { "data-label": columns[1], text: topicName(c.topic) || "?" }),
            el("td", { "data-label": columns[2], text: channelName(c.channel) }),
            el("td", { "data-label": columns[3], text: c.state === "waiting_hours" ? t("board.waiting_outside_hours", { time: minutes(c.waiting_seconds) }) : minutes(c.waiting_seconds) }),
            el("td", { "data-label": columns[4] }, c.urgent ? el("span", { class: ["badge", "urgent"], text: t("common.urgent") }) : t("board.normal")),
            // Claim only for who may claim it (an admin sees the queue, never a Claim button).
            c.claimable ? el("td", {}, el("button", {
              type: "button", class: ["primary", "claim"], "data-conversation": c.id,
              "aria-label": t("board.claim_label", { language: languageName(c.language), topic: topicName(c.topic) || t("common.unknown_topic") }),
              text: t("board.claim"),
              onclick: async (event) => {
                event.target.disabled = true;
                showBoardError("");
                try {
                  await api("POST", "/api/conversations/" + c.id + "/claim", {});
                  window.location.href = "/console/conversations/" + c.id;
                } catch (e) {
                  // Kept until the next claim: the refresh below redraws the table, not this.
                  showBoardError(t("common.claim_failed", { reason: e.message }));
                  boardError.focus();
                  event.target.disabled = false;
                  refresh();
                }
              },
            })) : el("td", { class: "hint", text: c.language_first ? t("board.language_first", { language: languageName(c.language) }) : "—" })));
        });
        if (!waiting.length) rows.append(el("tr", {}, el("td", { colspan: "6", class: "hint", text: t("board.nobody_waiting") })));
        table.append(rows);
        container.append(table);
      });
      first = false;
      // One that was already alerted as urgent by its live event does not sound again.
      const unheard = fresh.filter((c) => !alerted.has(c.id));
      if (unheard.length) {
        const urgent = unheard.filter((c) => c.urgent);
        urgent.forEach((c) => alerted.add(c.id));
        notice(t("board.new_waiting", { count: unheard.length }), urgent.length > 0);
      }
    }
    refreshLive(refresh, 150);
  }

  // ---- conversation view ----------------------------------------------------------------
  function conversationPage() {
    const root = document.getElementById("conversation");
    const id = root.dataset.conversation;
    const needsReason = root.dataset.needsReason === "yes";
    const errorBox = document.getElementById("conv-error");
    let readReason = "";
    let cannedFor = null;
    let typingTimer = null;
    let lastCount = -1;

    function showError(text) { errorBox.textContent = text; errorBox.hidden = !text; }

    // A resident who left quickly is gone for good: said at once, where the reply box was.
    const leftNotice = document.getElementById("resident-left");
    function showLeft(left) {
      if (!leftNotice || leftNotice.hidden === !left) return;
      leftNotice.hidden = !left;
      if (left) notice(t("conv.resident_left"), false);
    }

    function typedIn(box) {
      return Array.from(box.querySelectorAll(["textarea", "input:not([type])", "input[type=text]"].join(", ")))
        .some((field) => field.value.trim() !== "");
    }

    // Show a tool box when the conversation's state allows it. One the state no longer allows
    // stays while it holds what the user typed or an error about it, with its button off and
    // the reason beside it: nothing typed vanishes, no failure goes unseen.
    function offer(id, allowed, c) {
      const box = document.getElementById(id);
      if (!box) return;
      const button = box.querySelector("button[type=submit]");
      const line = button ? failureLine(button) : null;
      const failed = Boolean(line && !line.hidden && button.dataset.heldBack !== "yes");
      const held = !allowed && (typedIn(box) || failed);
      box.hidden = !allowed && !held;
      if (held && box.tagName === "DETAILS") box.open = true;
      if (!button) return;
      button.disabled = held;
      if (held && !failed) {
        showFailure(button, c.outcome === "resident_left" ? t("conv.held_back_left")
          : t("conv.held_back_state", { state: stateName(c.state) }));
        button.dataset.heldBack = "yes";
      } else if (!held && button.dataset.heldBack === "yes") {
        showFailure(button, "");
        button.dataset.heldBack = "";
      }
    }

    // Players opened in this page, kept across transcript refreshes so playback goes on.
    const voicePlayers = new Map();

    function renderFile(file) {
      // A placeholder only: the file is fetched (and its opening audited) on a click, never
      // before; voice plays in the page from the same same-origin URL.
      const size = file.size >= 1024 * 1024 ? (file.size / (1024 * 1024)).toFixed(1) + " MB"
        : Math.max(1, Math.round(file.size / 1024)) + " kB";
      const label = t("conv.file_" + file.kind, { size: size });
      // A privacy officer opens a file with the reason they read the transcript for.
      const url = needsReason ? file.url + "?reason=" + encodeURIComponent(readReason) : file.url;
      if (file.kind === "voice" && voicePlayers.has(file.id)) return [voicePlayers.get(file.id)];
      if (file.kind === "voice") {
        const play = el("button", { type: "button", class: "file", "data-file": file.id, text: label + " · " + t("conv.file_play") });
        play.addEventListener("click", () => {
          const audio = el("audio", { controls: "", preload: "none", src: url, "aria-label": label });
          voicePlayers.set(file.id, audio);
          play.replaceWith(audio);
          audio.play().catch(() => {});
        });
        return [play];
      }
      return [el("a", { class: "file", href: url, target: "_blank", rel: "noreferrer", "data-file": file.id, text: label + " · " + t("conv.file_open") })];
    }

    function renderText(message) {
      if (message.attachment) return renderFile(message.attachment);
      if (message.kind === "document") return [t("conv.document_message", { title: message.text })];
      const parts = [];
      let at = 0;
      message.placeholders.slice().sort((a, b) => a.start - b.start).forEach((p) => {
        if (p.start > at) parts.push(message.text.slice(at, p.start));
        const chipText = message.text.slice(p.start, p.end) || "[" + p.kind + "]";
        if (p.item) {
          parts.push(el("button", {
            type: "button", class: "chip", "data-item": p.item, text: chipText,
            "aria-label": t("conv.hidden_item", { kind: named("pii", p.kind) }),
            onclick: () => {
              const box = document.getElementById("reveal-box");
              box.hidden = false; box.open = true;
              document.getElementById("reveal-item").value = p.item;
              document.getElementById("reveal-which").textContent = t("conv.reveal_item", { kind: named("pii", p.kind), ordinal: p.ordinal });
              document.getElementById("reveal-result").textContent = "";
              document.getElementById("reveal-reason").focus();
            },
          }));
        } else {
          parts.push(el("span", { class: ["chip", "gone"], text: chipText }));
        }
        at = Math.max(at, p.end);
      });
      if (at < message.text.length) parts.push(message.text.slice(at));
      return parts;
    }

    async function loadCanned(conversation) {
      const key = (conversation.language || "") + "/" + (conversation.queue || "");
      if (cannedFor === key) return;
      cannedFor = key;
      const select = document.getElementById("canned");
      try {
        const replies = await api("GET", "/api/canned-replies?language=" + encodeURIComponent(conversation.language || "") + "&queue=" + encodeURIComponent(conversation.queue || ""));
        select.replaceChildren(el("option", { value: "", text: t("conv.canned_choose") }),
          ...replies.map((r) => el("option", { value: r.body, text: r.title })));
      } catch (e) { /* canned replies are a convenience */ }
    }

    // The library's documents, the conversation's language first; loaded once per language.
    let documentsFor = null;
    async function loadDocuments(conversation) {
      const language = conversation.language || "";
      if (documentsFor === language) return;
      documentsFor = language;
      const select = document.getElementById("document-choice");
      try {
        const found = await api("GET", "/api/library");
        const ordered = found.filter((d) => d.language === language)
          .concat(found.filter((d) => d.language !== language));
        select.replaceChildren(el("option", { value: "", text: t("conv.document_choose") }),
          ...ordered.map((d) => el("option", { value: d.id, text: d.language === language ? d.title
            : t("conv.document_other_language", { title: d.title, language: languageName(d.language) }) })));
      } catch (e) { documentsFor = null; }
    }

    async function loadTransferTargets(conversation) {
      const select = document.getElementById("transfer-target");
      if (select.options.length) return;
      try {
        const queues = await api("GET", "/api/queues");
        learnTopics(queues);
        const queueGroup = el("optgroup", { label: t("conv.transfer_queues") });
        const peopleGroup = el("optgroup", { label: t("conv.transfer_people") });
        queues.forEach((q) => {
          queueGroup.append(el("option", { value: "queue:" + q.id, text: q.name }));
          if (q.id === conversation.queue) {
            q.members.filter((m) => m.id !== body.dataset.user).forEach((m) => peopleGroup.append(el("option", { value: "user:" + m.id, text: m.display_name })));
          }
        });
        select.append(queueGroup);
        if (peopleGroup.children.length) select.append(peopleGroup);
      } catch (e) { /* shown when used */ }
    }

    async function loadCloseTags(conversation) {
      // Only the queue's own tags can be picked: a typed tag would be free text in the database.
      const box = document.getElementById("close-tags");
      if (!conversation.queue || box.dataset.queue === conversation.queue) return;
      box.dataset.queue = conversation.queue;
      let tags = [];
      try { tags = await api("GET", "/api/queues/" + encodeURIComponent(conversation.queue) + "/close-tags"); }
      catch (e) { return; }
      box.querySelectorAll(".close-tag").forEach((node) => node.remove());
      document.getElementById("close-tags-none").hidden = tags.length > 0;
      tags.forEach((tag) => box.append(el("label", { class: "close-tag" },
        el("input", { type: "checkbox", name: "close-tag", value: tag.id, id: "close-tag-" + tag.id }), " " + tag.label)));
    }

    // A returning resident's earlier conversations: listed only when the resident agreed
    // (the server answers agreed=false otherwise); each opening is an audited read.
    async function loadEarlier() {
      let found;
      try { found = await api("GET", "/api/conversations/" + id + "/earlier"); }
      catch (e) { found = { agreed: false, conversations: [] }; }
      const box = document.getElementById("earlier-box");
      const badge = document.getElementById("returning-badge");
      if (badge) badge.hidden = !found.agreed;
      box.hidden = !found.agreed;
      if (!found.agreed) return;
      const list = document.getElementById("earlier-list");
      if (!found.conversations.length) {
        list.replaceChildren(el("li", { class: "hint", text: t("conv.earlier_none") }));
        return;
      }
      list.replaceChildren(...found.conversations.map((e) => {
        const when = new Date(e.created_at).toLocaleDateString(LOCALE);
        const name = [when, topicName(e.topic), e.outcome ? named("outcome", e.outcome) : ""].filter(Boolean).join(" · ");
        return el("li", {}, el("button", { type: "button", class: "quiet", "data-earlier": e.id, text: name,
          onclick: () => openEarlier(e.id, name) }));
      }));
    }

    async function openEarlier(earlierId, name) {
      const view = document.getElementById("earlier-view");
      let data;
      try { data = await api("GET", "/api/conversations/" + id + "/earlier/" + earlierId); }
      catch (e) { showError(e.message); return; }
      document.getElementById("earlier-view-title").textContent = name;
      document.getElementById("earlier-transcript").replaceChildren(...data.messages.map((m) => el("li", { class: "msg " + m.author },
        el("span", { class: "author", text: m.author === "resident" ? t("author.resident") : m.author === "counsellor" ? t("author.counsellor") : t("author.service") }),
        el("span", { class: "time", text: new Date(m.created_at).toLocaleString(LOCALE) }),
        el("p", { class: "text" }, ...renderText(m)))));
      view.hidden = false;
      document.getElementById("earlier-view-title").focus();
    }

    // Staff messages read as "Counsellor" when one's own, else under the writer's name (a
    // colleague before a transfer, an invited consultant).
    function writer(m) {
      return m.author_user && m.author_user !== body.dataset.user && m.author_name ? m.author_name : t("author.counsellor");
    }

    async function refresh() {
      let data;
      const query = needsReason ? "?reason=" + encodeURIComponent(readReason) : "";
      try {
        data = await api("GET", "/api/conversations/" + id + query);
      } catch (e) {
        // The server says why (a colleague holds it, the role reads no content, another
        // queue): a conversation nobody claimed is never called a colleague's.
        showError(e.message);
        if (e.code === "forbidden" || e.code === "not_found") {
          ["reply-form", "claim", "notes-box", "transfer-box", "close-box", "block-box", "reveal-box"].forEach((box) => {
            const node = document.getElementById(box);
            if (node) node.hidden = true;
          });
        }
        return;
      }
      showError("");
      const c = data.conversation;
      showLeft(c.outcome === "resident_left");
      document.getElementById("conv-title").textContent = t(c.urgent ? "conv.title_urgent" : "conv.title", { id: c.id.slice(0, 8) });
      document.getElementById("conv-meta").textContent = [stateName(c.state), c.language ? languageName(c.language) : "", topicName(c.topic), channelName(c.channel), c.assigned_name ? t("conv.with", { name: c.assigned_name }) : ""].filter(Boolean).join(" · ");
      const list = document.getElementById("transcript");
      list.replaceChildren(...data.messages.map((m) => el("li", { class: "msg " + m.author, "data-message": m.id },
        el("span", { class: "author", text: m.author === "resident" ? t("author.resident") : m.author === "counsellor" ? writer(m) : t("author.service") }),
        el("span", { class: "time", text: clock(m.created_at) }),
        el("p", { class: "text" }, ...renderText(m)),
        m.author === "counsellor" && m.delivered !== null ? el("span", { class: "delivery", text: m.delivered ? t("conv.delivered") : t("conv.sending") }) : null)));
      if (lastCount >= 0 && data.messages.length > lastCount) {
        const newest = data.messages[data.messages.length - 1];
        if (newest.author === "resident") notice(t("conv.new_message"), false);
      }
      lastCount = data.messages.length;
      transcriptMessages = data.messages;
      const notes = document.getElementById("notes");
      notes.replaceChildren(...data.notes.map((n) => el("li", { class: "note" },
        el("span", { class: "meta", text: n.author + " · " + clock(n.created_at) }),
        el("p", { text: n.text }))));
      const mine = c.mine && c.state === "active";
      const claimable = Boolean(c.claimable) && !needsReason;
      offer("reply-form", mine, c);
      offer("document-form", mine, c);
      document.getElementById("claim").hidden = !claimable;
      offer("notes-box", !needsReason, c);
      offer("transfer-box", mine, c);
      offer("close-box", (mine || claimable) && !needsReason, c);
      offer("block-box", c.state !== "closed", c);
      if (mine) { loadCanned(c); loadTransferTargets(c); loadDocuments(c); }
      if (mine || claimable) loadCloseTags(c);
      if (!needsReason && (c.mine || c.claimable || c.readable)) loadEarlier();
      offer("consult-box", mine, c);
      if (mine && document.getElementById("consult-box")) loadConsultations();
    }

    // The transcript as last shown, and per joined consultation its box for showing chosen
    // earlier messages: kept across refreshes, so ticks survive the live updates.
    let transcriptMessages = [];
    const shareBoxes = new Map();

    function shareBox(row) {
      if (shareBoxes.has(row.id)) return shareBoxes.get(row.id);
      const joined = new Date(row.joined_at);
      const earlier = transcriptMessages.filter((m) => new Date(m.created_at) < joined && m.author !== "bot");
      const legend = "share-" + row.id;
      const boxes = earlier.map((m) => el("label", {},
        el("input", { type: "checkbox", value: m.id }),
        " " + clock(m.created_at) + " · " + (m.author === "resident" ? t("author.resident") : writer(m)) + ": " + m.text.slice(0, 120)));
      const send = el("button", { type: "button", text: t("consult.share") });
      const box = el("details", { class: "share" },
        el("summary", { text: t("consult.share_title") }),
        el("p", { class: "hint", text: t("consult.share_hint") }),
        boxes.length ? el("fieldset", { "aria-labelledby": legend },
          el("legend", { id: legend, text: t("consult.share_choose") }), ...boxes)
          : el("p", { class: "hint", text: t("consult.share_none") }),
        boxes.length ? send : null);
      send.addEventListener("click", async () => {
        const chosen = Array.from(box.querySelectorAll("input[type=checkbox]:checked"), (input) => input.value);
        showFailure(send, "");
        if (!chosen.length) { showFailure(send, t("consult.share_pick")); return; }
        try {
          const result = await api("POST", "/api/conversations/" + id + "/consultants/" + row.id + "/share", { messages: chosen });
          box.querySelectorAll("input[type=checkbox]:checked").forEach((input) => { input.checked = false; input.disabled = true; });
          announce(t("consult.shared_count", { count: result.shared }));
        } catch (e) { showFailure(send, t("consult.share_failed", { reason: e.message })); }
      });
      shareBoxes.set(row.id, box);
      return box;
    }

    // Consultants: invited for a listed purpose, in the chat only after the resident's yes.
    async function loadConsultations() {
      const who = document.getElementById("consult-who");
      if (!who.dataset.loaded) {
        try {
          const found = await api("GET", "/api/consultants");
          who.replaceChildren(...found.map((c) => el("option", { value: c.id, text: c.display_name + " (" + c.organisation + ")" })));
          who.dataset.loaded = "yes";
        } catch (e) { /* shown when used */ }
      }
      let rows = [];
      try { rows = await api("GET", "/api/conversations/" + id + "/consultants"); }
      catch (e) { return; }
      const list = document.getElementById("consult-current");
      list.replaceChildren(...rows.map((row) => {
        const open = row.state === "asked" || row.state === "joined";
        const item = el("li", { "data-consultation": row.id },
          [row.organisation, named("purpose", row.purpose), named("consult_state", row.state)].join(" · "));
        if (open) {
          const end = el("button", { type: "button", class: "quiet", text: t("consult.end") });
          end.addEventListener("click", async () => {
            showFailure(end, "");
            try { await api("DELETE", "/api/conversations/" + id + "/consultants/" + row.id); await refresh(); }
            catch (e) { showFailure(end, t("consult.end_failed", { reason: e.message })); }
          });
          item.append(" ", end);
        }
        if (row.state === "joined" && row.joined_at) item.append(shareBox(row));
        return item;
      }));
    }

    const later = debounce(refresh, 100);
    listeners.push((frame) => {
      if (frame.type === "watch_ended" && frame.conversation === id) { later(); return; }
      if (frame.type !== "event" || !frame.payload || frame.payload.conversation !== id) return;
      if (frame.kind === "resident.typing") {
        const typing = document.getElementById("typing");
        typing.hidden = false;
        window.clearTimeout(typingTimer);
        typingTimer = window.setTimeout(() => { typing.hidden = true; }, 6000);
        return;
      }
      if (frame.kind === "message.created") document.getElementById("typing").hidden = true;
      if (frame.kind === "conversation.closed" && frame.payload.reason === "left") {
        document.getElementById("typing").hidden = true;
        showLeft(true);
      }
      later();
    });

    // A failed action keeps what was typed (handlers clear fields only after success) and
    // shows "<what failed>: <why>" (failed(reason)) beside its button until the next attempt.
    function onSubmit(formId, failed, handler) {
      const form = document.getElementById(formId);
      if (!form) return;
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        if (button) { button.disabled = true; showFailure(button, ""); button.dataset.heldBack = ""; }
        try { await handler(form); }
        catch (e) {
          if (button) showFailure(button, failed(e.message)); else showError(e.message);
          if (!needsReason || readReason) later();  // show the state that refused it
        }
        finally { if (button) button.disabled = false; }
      });
    }

    document.getElementById("canned").addEventListener("change", (event) => {
      const text = document.getElementById("reply-text");
      if (event.target.value) { text.value = event.target.value; text.focus(); }
    });
    const claimButton = document.getElementById("claim");
    claimButton.addEventListener("click", async () => {
      showFailure(claimButton, "");
      try { await api("POST", "/api/conversations/" + id + "/claim", {}); await refresh(); document.getElementById("reply-text").focus(); }
      catch (e) { showFailure(claimButton, t("common.claim_failed", { reason: e.message })); refresh(); }
    });
    const releaseButton = document.getElementById("release");
    releaseButton.addEventListener("click", async () => {
      showFailure(releaseButton, "");
      try { await api("POST", "/api/conversations/" + id + "/release", {}); window.location.href = "/console/queues"; }
      catch (e) { showFailure(releaseButton, t("conv.release_failed", { reason: e.message })); }
    });
    onSubmit("reply-form", (reason) => t("conv.reply_failed", { reason }), async () => {
      const text = document.getElementById("reply-text");
      await api("POST", "/api/conversations/" + id + "/reply", { text: text.value });
      text.value = "";
      document.getElementById("canned").value = "";
      await refresh();
      text.focus();
      announce(t("conv.reply_sent"));
    });
    onSubmit("document-form", (reason) => t("conv.document_failed", { reason }), async () => {
      const choice = document.getElementById("document-choice");
      await api("POST", "/api/conversations/" + id + "/documents", { document: choice.value });
      choice.value = "";
      await refresh();
      announce(t("conv.document_sent"));
    });
    onSubmit("note-form", (reason) => t("conv.note_failed", { reason }), async () => {
      const text = document.getElementById("note-text");
      await api("POST", "/api/conversations/" + id + "/note", { text: text.value });
      text.value = "";
      await refresh();
      announce(t("conv.note_saved"));
    });
    onSubmit("reveal-form", (reason) => t("conv.reveal_failed", { reason }), async () => {
      const result = await api("POST", "/api/conversations/" + id + "/reveal", {
        item: document.getElementById("reveal-item").value,
        reason: document.getElementById("reveal-reason").value,
      });
      document.getElementById("reveal-result").textContent = t("conv.revealed", { value: result.value });
      document.getElementById("reveal-reason").value = "";
    });
    onSubmit("transfer-form", (reason) => t("conv.transfer_failed", { reason }), async () => {
      const [kind, target] = document.getElementById("transfer-target").value.split(/:(.*)/s);
      const payload = { note: document.getElementById("transfer-note").value };
      payload[kind] = target;
      await api("POST", "/api/conversations/" + id + "/transfer", payload);
      window.location.href = "/console/queues";
    });
    onSubmit("close-form", (reason) => t("conv.close_failed", { reason }), async () => {
      const tags = Array.from(document.getElementById("close-tags").querySelectorAll("input[name=close-tag]:checked"), (box) => box.value);
      await api("POST", "/api/conversations/" + id + "/close", { outcome: document.getElementById("close-outcome").value, tags });
      await refresh();
      announce(t("conv.closed"));
    });
    onSubmit("consult-form", (reason) => t("consult.invite_failed", { reason }), async () => {
      await api("POST", "/api/conversations/" + id + "/consultants", {
        consultant: document.getElementById("consult-who").value,
        purpose: document.getElementById("consult-purpose").value,
      });
      await refresh();
      announce(t("consult.invited"));
    });
    onSubmit("block-form", (reason) => t("conv.block_failed", { reason }), async () => {
      await api("POST", "/api/conversations/" + id + "/block", {
        days: parseInt(document.getElementById("block-days").value, 10),
        reason: document.getElementById("block-reason").value,
      });
      await refresh();
      announce(t("conv.blocked"));
    });
    if (needsReason) {
      onSubmit("read-reason", (reason) => t("conv.open_failed", { reason }), async () => {
        readReason = document.getElementById("read-reason-text").value;
        await refresh();
        if (!errorBox.textContent) { document.getElementById("read-reason").hidden = true; watch(id); }
      });
    } else {
      watch(id);
      refresh();
    }
  }

  // ---- a consultant's own page: only what the resident let them see, live ----------------
  function consultationsPage() {
    const list = document.getElementById("consult-list");
    const errorBox = document.getElementById("consult-error");
    let current = null;
    let following = null;
    function showError(text) { errorBox.textContent = text; errorBox.hidden = !text; }

    async function loadList() {
      let rows = [];
      try { rows = await api("GET", "/api/consultations"); showError(""); }
      catch (e) { showError(e.message); return; }
      if (!rows.length) {
        list.replaceChildren(el("li", { class: "hint", text: t("consult.none") }));
      } else {
        list.replaceChildren(...rows.map((row) => el("li", {},
          el("button", { type: "button", class: "quiet", "data-consultation": row.id,
            text: [named("purpose", row.purpose), named("consult_state", row.state), clock(row.invited_at)].join(" · "),
            onclick: () => { current = row.id; loadView(true); } }))));
      }
      if (current && !rows.some((row) => row.id === current)) {
        current = null;
        document.getElementById("consult-view").hidden = true;
      }
    }

    async function loadView(focus) {
      if (!current) return;
      const view = document.getElementById("consult-view");
      let data;
      try { data = await api("GET", "/api/consultations/" + current); showError(""); }
      catch (e) { showError(e.message); view.hidden = true; return; }
      // Follow the conversation's events (ids only) while the resident has them in the chat.
      const conversation = data.consultation.conversation;
      if (following !== conversation) {
        if (following) { watched.delete(following); send({ type: "unwatch", conversation: following }); }
        following = conversation;
        watch(conversation);
      }
      document.getElementById("consult-view-title").textContent = named("purpose", data.consultation.purpose);
      document.getElementById("consult-transcript").replaceChildren(...data.messages.map((m) => el("li", { class: ["msg", m.author] },
        el("span", { class: "author", text: m.author === "resident" ? t("author.resident") : m.author === "counsellor" ? t("author.counsellor") : t("author.service") }),
        el("span", { class: "time", text: clock(m.created_at) }),
        m.shared ? el("span", { class: "badge", text: t("consult.shared") }) : null,
        el("p", { class: "text", text: m.text }))));
      view.hidden = false;
      if (focus) document.getElementById("consult-view-title").focus();
    }

    document.getElementById("consult-reply").addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = document.getElementById("consult-reply-text");
      const button = event.target.querySelector("button[type=submit]");
      showFailure(button, "");
      try {
        await api("POST", "/api/consultations/" + current + "/reply", { text: text.value });
        text.value = "";
        await loadView(false);
        announce(t("conv.reply_sent"));
      } catch (e) { showFailure(button, t("conv.reply_failed", { reason: e.message })); }
    });
    // The list first: a consultation that ended is dropped before its view is asked for.
    const refresh = async () => { await loadList(); await loadView(false); };
    const later = debounce(refresh, 300);
    listeners.push((frame) => {
      if (frame.type === "watch_ended" && frame.conversation === following) {
        following = null;  // sent away, or the chat closed: the list says which
        later();
      } else if (frame.type === "event" && frame.topic === "conversation:" + following
        && frame.kind !== "resident.typing") {
        later();  // each reload is an audited read: not for typing
      }
    });
    connect();
    loadList();
    // Invitations arrive on no topic a consultant follows, and the socket may be down.
    window.setInterval(refresh, 30000);
  }

  // ---- dashboard ------------------------------------------------------------------------
  function targetText(target) {
    if (!target) return "—";
    const parts = [t("dash.target", { percent: number(target.percent), minutes: number(target.minutes) })];
    parts.push(target.share === null ? t("dash.target_no_data")
      : t("dash.target_share", { days: number(target.days), percent: number(Math.round(target.share * 100)) }));
    if (target.waiting_over) parts.push(t("dash.target_waiting_over"));
    if (target.missed) parts.push(t("dash.target_missed"));
    return parts.join(" · ");
  }

  function dashboardPage() {
    async function refresh() {
      let data;
      try { data = await api("GET", "/api/dashboard"); } catch (e) { return; }
      const set = (key, value) => { const node = document.getElementById(key); if (node) node.textContent = value; };
      set("d-waiting", number(data.waiting));
      set("d-longest", minutes(data.longest_wait_seconds) || "—");
      set("d-online", number(data.counsellors_online));
      set("d-today", number(data.conversations_today));
      set("d-active", number(data.active));
      const feedback = data.feedback;
      set("d-rating", feedback.rating_average === null ? "—"
        : t("dash.rating", { average: number(feedback.rating_average), count: number(feedback.rating_count) }));
      set("d-helped", feedback.helped_share === null ? "—"
        : t("dash.helped", { percent: number(Math.round(feedback.helped_share * 100)), count: number(feedback.helped_count) }));
      const rows = document.getElementById("d-queues");
      rows.replaceChildren(...data.queues.map((q) => el("tr", {},
        el("th", { scope: "row", text: q.name }), el("td", { text: number(q.waiting) }), el("td", { text: number(q.urgent) }),
        el("td", { text: minutes(q.longest_wait_seconds) || "—" }), el("td", { text: number(q.active) }),
        el("td", { class: q.target && q.target.missed ? "target-missed" : "", text: targetText(q.target) }))));
      // Missed targets in words, not only by colour; announced again only when they change.
      const missed = data.queues.filter((q) => q.target && q.target.missed).map((q) => q.name).join(", ");
      const banner = document.getElementById("d-targets");
      if (banner.dataset.missed !== missed) {
        banner.dataset.missed = missed;
        banner.textContent = missed ? t("dash.targets_missed", { queues: missed }) : "";
        banner.hidden = !missed;
      }
    }
    refreshLive(refresh, 200);
  }


  // ---- group sessions -------------------------------------------------------------------
  function groupsPage() {
    const errorBox = document.getElementById("group-error");
    let current = null;
    function showError(text) { errorBox.textContent = text; errorBox.hidden = !text; }
    function onSubmit(formId, handler) {
      const form = document.getElementById(formId);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        if (button) button.disabled = true;
        try { await handler(form); showError(""); }
        catch (e) { showError(e.message); }
        finally { if (button) button.disabled = false; }
      });
    }
    async function act(method, path, payload, done) {
      try { await api(method, path, payload); showError(""); announce(done); await openSession(current); }
      catch (e) { showError(e.message); }
    }
    async function listSessions() {
      let data;
      try { data = await api("GET", "/api/groups"); } catch (e) { showError(e.message); return; }
      const rows = document.getElementById("sessions");
      rows.replaceChildren(...data.sessions.map((g) => el("tr", {},
        el("th", { scope: "row", text: g.title }), el("td", {}, el("code", { text: g.code })),
        el("td", { text: named("group_state", g.state) }), el("td", { text: g.starts_at.slice(0, 16).replace("T", " ") }),
        el("td", { text: number(g.participants) }),
        el("td", {}, el("button", { type: "button", "data-session": g.id, text: t("groups.open"), "aria-label": t("groups.open_label", { title: g.title }), onclick: () => openSession(g.id) })))));
      if (!data.sessions.length) rows.append(el("tr", {}, el("td", { colspan: "6", class: "hint", text: t("groups.no_sessions") })));
      const choice = document.getElementById("a-session");
      choice.replaceChildren(el("option", { value: "", text: t("groups.no_session") }),
        ...data.sessions.filter((g) => g.state === "open" || g.state === "scheduled").map((g) => el("option", { value: g.id, text: g.title + " (" + g.code + ")" })));
    }
    async function openSession(id) {
      if (!id) return;
      let data;
      try { data = await api("GET", "/api/groups/" + encodeURIComponent(id)); } catch (e) { showError(e.message); return; }
      if (current !== id) {
        if (current) { watchedGroups.delete(current); send({ type: "unwatch", group: current }); }
        current = id;
        watchedGroups.add(id);
        send({ type: "watch", group: id });
      }
      document.getElementById("live").hidden = false;
      document.getElementById("live-title").textContent = data.title + " · " + data.code;
      document.getElementById("live-meta").textContent = t("groups.live_meta", {
        state: named("group_state", data.state), count: data.participants, present: number(data.participants), capacity: number(data.capacity) });
      const agenda = document.getElementById("live-agenda");
      agenda.textContent = data.pinned_agenda ? t("groups.agenda", { agenda: data.pinned_agenda }) : "";
      agenda.hidden = !data.pinned_agenda;
      const open = data.state === "open";
      document.getElementById("post-form").hidden = !open;
      document.getElementById("end-session").hidden = data.state === "ended" || data.state === "cancelled";
      document.getElementById("participants").replaceChildren(...data.participant_list.map((p) => el("li", { class: "participant" },
        el("span", { text: p.nickname }), el("span", { class: "meta", text: [channelName(p.channel), p.muted ? t("groups.muted") : "",
          p.removed ? t("groups.removed") : p.present ? "" : t("groups.left")].filter(Boolean).join(" · ") }),
        p.present && !p.muted ? el("button", { type: "button", text: t("groups.mute"), "aria-label": t("groups.mute_label", { name: p.nickname }), onclick: () => act("POST", "/api/groups/" + current + "/participants/" + p.id + "/mute", {}, t("groups.muted_done")) }) : null,
        p.present ? el("button", { type: "button", class: "danger", text: t("groups.remove"), "aria-label": t("groups.remove_label", { name: p.nickname }), onclick: () => act("POST", "/api/groups/" + current + "/participants/" + p.id + "/remove", {}, t("groups.removed_done")) }) : null)));
      if (!data.participant_list.length) document.getElementById("participants").append(el("li", { class: "hint", text: t("groups.nobody_joined") }));
      document.getElementById("group-messages").replaceChildren(...data.messages.map((m) => el("li", { class: "msg" + (m.moderator ? " counsellor" : "") + (m.removed ? " removed" : "") + (m.held_back ? " held" : "") },
        el("span", { class: "author", text: m.nickname || (m.moderator ? t("groups.moderator") : "") }), el("span", { class: "time", text: m.at.slice(11, 16) }),
        m.held_back ? el("span", { class: ["badge", "urgent"], text: t("groups.held_back") }) : null,
        el("p", { class: "text", text: m.removed ? t("groups.message_removed_mark") : m.text }),
        m.removed ? null : el("button", { type: "button", text: t("groups.remove_message"), "aria-label": t("groups.remove_message_label", { name: m.nickname }), onclick: () => act("DELETE", "/api/groups/" + current + "/messages/" + m.id, {}, t("groups.message_removed")) }))));
    }
    async function listAnnouncements() {
      let data;
      try { data = await api("GET", "/api/announcements"); } catch (e) { return; }
      document.getElementById("announcements").replaceChildren(...data.announcements.map((a) => el("tr", {},
        el("th", { scope: "row", text: topicName(a.topic) + " · " + languageName(a.language) }), el("td", { text: number(a.delivered) }), el("td", { text: number(a.failed) }), el("td", { text: number(a.withdrawn) }))));
    }
    onSubmit("create-form", async () => {
      const channels = Array.from(document.querySelectorAll("input[name=g-channel]:checked")).map((c) => c.value);
      const group = await api("POST", "/api/groups", {
        title: document.getElementById("g-title").value,
        description: document.getElementById("g-description").value,
        language: document.getElementById("g-language").value,
        topic: document.getElementById("g-topic").value,
        starts_at: document.getElementById("g-starts").value,
        ends_at: document.getElementById("g-ends").value,
        capacity: parseInt(document.getElementById("g-capacity").value, 10),
        keep_transcript_hours: parseInt(document.getElementById("g-keep").value, 10) || 0,
        channels,
      });
      document.getElementById("create-result").textContent = t("groups.created", { code: group.code });
      await listSessions();
      await openSession(group.id);
    });
    onSubmit("post-form", async () => {
      const text = document.getElementById("post-text");
      await api("POST", "/api/groups/" + current + "/messages", { text: text.value });
      text.value = "";
      announce(t("groups.posted"));
      await openSession(current);
    });
    onSubmit("agenda-form", async () => {
      await api("POST", "/api/groups/" + current + "/agenda", { agenda: document.getElementById("agenda-text").value });
      announce(t("groups.agenda_pinned"));
      await openSession(current);
    });
    onSubmit("announce-form", async () => {
      const payload = {
        topic: document.getElementById("a-topic").value,
        language: document.getElementById("a-language").value,
        text: document.getElementById("a-text").value,
      };
      const session = document.getElementById("a-session").value;
      if (session) payload.session_id = session;
      const counts = await api("POST", "/api/announcements", payload);
      document.getElementById("a-text").value = "";
      announce(t("groups.announced", { count: counts.recipients, recipients: number(counts.recipients) }));
      await listAnnouncements();
    });
    document.getElementById("end-session").addEventListener("click", async () => {
      if (!window.confirm(t("groups.end_confirm"))) return;
      await act("POST", "/api/groups/" + current + "/end", {}, t("groups.ended"));
      await listSessions();
    });
    const later = debounce(() => { openSession(current); listSessions(); listAnnouncements(); }, 200);
    listeners.push((frame) => {
      if (frame.type !== "event") return;
      if (frame.kind === "group.crisis") notice(t("groups.crisis"), true);
      else if (frame.topic === "group:" + current) notice(t("groups.updated"), false);
      later();
    });
    listSessions();
    listAnnouncements();
  }

  // ---- audit page: a long verification of the chain shows its progress, then its verdict --
  // The page came before the verdict: joining the running job gives it, and the progress
  // endpoint tells how far the job is meanwhile.
  function auditPage() {
    const status = document.getElementById("chain-status");
    if (!status || !status.dataset.verifying) return;
    let finished = false;
    const follow = window.setInterval(async () => {
      try {
        const progress = await api("GET", "/api/audit/verify/progress");
        if (finished) return;
        status.textContent = t("audit.chain_verifying",
          { done: number(progress.done), total: number(progress.total || 0) });
      } catch (e) { window.clearInterval(follow); }
    }, 1000);
    api("GET", "/api/audit/verify").then((chain) => {
      status.className = chain.ok ? "ok" : "error";
      status.textContent = chain.ok
        ? t("audit.chain_intact", { count: chain.checked })
        : t("audit.chain_broken", { seq: chain.first_bad_seq, problem: chain.problem, detail: chain.detail });
    }, (error) => {
      status.className = "error";
      status.textContent = error.message;
    }).finally(() => {
      finished = true;
      window.clearInterval(follow);
      delete status.dataset.verifying;
    });
  }

  // ---- the document library (admins): the file goes as the body of POST /api/admin/library ----
  function libraryPage() {
    const form = document.getElementById("library-form");
    const errorLine = document.getElementById("library-error");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = document.getElementById("nd-file").files[0];
      if (!file) return;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      errorLine.hidden = true;
      const query = "?language=" + encodeURIComponent(document.getElementById("nd-lang").value)
        + "&title=" + encodeURIComponent(document.getElementById("nd-title").value);
      try {
        const response = await fetch("/api/admin/library" + query, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/octet-stream" },
          body: file,
        });
        if (!response.ok) {
          let data = null;
          try { data = await response.json(); } catch (e) { data = null; }
          throw new Error((data && data.message) || t("common.request_failed"));
        }
        window.location.reload();
      } catch (e) {
        errorLine.textContent = t("library.publish_failed", { reason: e.message });
        errorLine.hidden = false;
        button.disabled = false;
      }
    });
  }

  setupMute();
  if (page === "audit") auditPage();
  if (page === "admin-library") libraryPage();
  if (page === "consultations") consultationsPage();
  const live = { board: boardPage, conversation: conversationPage, dashboard: dashboardPage, groups: groupsPage };
  if (live[page]) { connect(); live[page](); }
  window.somesossu = { api, notice };
})();
