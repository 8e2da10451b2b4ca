/* Embeds the resident web chat on another site with one tag:
     <script src="https://chat.example.fi/chat/widget.js" defer></script>
   Optional attributes: data-lang="fi" (preset language), data-label="Chat" (button text),
   data-close-label="Close". Adds a floating button that opens /chat from the script's own
   origin in a panel. Sets no cookie, loads nothing from anywhere else. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src || document.getElementById("somesossu-chat-button")) { return; }
  var origin = new URL(script.src).origin;
  var lang = script.getAttribute("data-lang");
  var label = script.getAttribute("data-label") || "Chat";
  var closeLabel = script.getAttribute("data-close-label") || "Close";
  var src = origin + "/chat" + (lang && /^[a-z]{2,3}$/.test(lang) ? "?lang=" + lang : "");

  var button = document.createElement("button");
  button.id = "somesossu-chat-button";
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "somesossu-chat-panel");
  // Styles are set as properties (allowed by a strict CSP on the host page, unlike <style>).
  var s = button.style;
  s.position = "fixed"; s.insetInlineEnd = "1rem"; s.insetBlockEnd = "1rem"; s.zIndex = "2147483000";
  s.background = "#0b5cad"; s.color = "#ffffff"; s.border = "0"; s.borderRadius = "1.5rem";
  s.padding = "0.75rem 1.25rem"; s.font = "600 1rem/1.2 system-ui, sans-serif"; s.cursor = "pointer";
  s.minHeight = "44px"; s.boxShadow = "0 2px 6px rgba(0,0,0,0.3)";

  var panel = null;

  function close() {
    if (!panel) { return; }
    panel.remove();
    panel = null;
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function open() {
    panel = document.createElement("div");
    panel.id = "somesossu-chat-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", label);
    var p = panel.style;
    p.position = "fixed"; p.insetInlineEnd = "1rem"; p.insetBlockEnd = "4.5rem";
    p.width = "min(24rem, calc(100vw - 2rem))"; p.height = "min(36rem, calc(100vh - 6rem))";
    p.zIndex = "2147483001"; p.background = "#ffffff"; p.border = "1px solid #767676";
    p.borderRadius = "0.75rem"; p.boxShadow = "0 4px 16px rgba(0,0,0,0.3)";
    p.display = "flex"; p.flexDirection = "column"; p.overflow = "hidden";

    var closeButton = document.createElement("button");
    closeButton.type = "button";
    closeButton.textContent = closeLabel;
    var c = closeButton.style;
    c.alignSelf = "flex-end"; c.margin = "0.25rem"; c.minHeight = "44px"; c.padding = "0 1rem";
    c.background = "#ffffff"; c.color = "#1a1a1a"; c.border = "1px solid #767676";
    c.borderRadius = "0.375rem"; c.font = "1rem system-ui, sans-serif"; c.cursor = "pointer";
    closeButton.addEventListener("click", close);

    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = label;
    frame.setAttribute("referrerpolicy", "no-referrer");
    // A framed page may use the microphone only if its frame allows it: recording a voice
    // message still waits for the resident's press and the browser's own question.
    frame.setAttribute("allow", "microphone");
    frame.style.border = "0"; frame.style.flex = "1 1 auto"; frame.style.width = "100%";

    panel.appendChild(closeButton);
    panel.appendChild(frame);
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
    document.body.appendChild(panel);
    button.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  button.addEventListener("click", function () { if (panel) { close(); } else { open(); } });

  function attach() { document.body.appendChild(button); }
  if (document.body) { attach(); } else { document.addEventListener("DOMContentLoaded", attach); }
}());
