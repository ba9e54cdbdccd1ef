/* Help-center chat widget: <script src="https://help.example/widget.js" defer></script>.
   Draws a launcher and opens the chat in an iframe on the help desk's own origin, so its
   cookies and CSP stay its own. Optional signed identity of the host's user:
   data-user-email, data-user-name, data-user-ts, data-user-sig (hex HMAC-SHA256 of
   "email|name|ts" with the shared HELPDESK_WIDGET_SECRET). data-lang="en" for English. */
(function () {
  var me = document.currentScript;
  if (!me || window.__helpdeskWidget) return;
  window.__helpdeskWidget = true;
  var base = new URL(me.src, location.href).origin;
  var d = me.dataset || {};
  var en = (d.lang || document.documentElement.lang || "es").slice(0, 2) === "en";
  var label = en ? "Open the help chat" : "Abrir el chat de ayuda";
  var closeLabel = en ? "Close the chat" : "Cerrar el chat";
  var frame = null, button = null, ready = false, fallback = null;

  function css(el, rules) { for (var k in rules) el.style[k] = rules[k]; }

  function open() {
    if (fallback) { fallback.style.display = "block"; button.setAttribute("aria-expanded", "true"); return; }
    if (!frame) {
      var q = new URLSearchParams({ embed: "1" });
      if (d.userEmail && d.userSig) {
        q.set("email", d.userEmail); q.set("name", d.userName || "");
        q.set("ts", d.userTs || ""); q.set("sig", d.userSig);
      }
      frame = document.createElement("iframe");
      frame.src = base + "/chat?" + q.toString();
      frame.title = en ? "Help chat" : "Chat de ayuda";
      frame.setAttribute("data-testid", "chat-frame");
      frame.setAttribute("allow", "clipboard-write");
      var phone = window.innerWidth < 600;
      css(frame, { position: "fixed", zIndex: "2147483646", border: "1px solid rgba(0,0,0,.15)",
        borderRadius: phone ? "12px 12px 0 0" : "12px", boxShadow: "0 12px 32px rgba(0,0,0,.18)",
        background: "#fff", right: phone ? "0" : "24px", bottom: phone ? "0" : "96px",
        width: phone ? "100vw" : "380px", height: phone ? "85vh" : "560px", maxHeight: "calc(100vh - 110px)" });
      document.body.appendChild(frame);
      // The chat page says "hd-chat-ready" once it runs. A browser that refuses it inside a
      // frame (storage denied to cross-site frames, or this site not in the allowed origins)
      // never does: then offer the same chat in a tab of its own.
      setTimeout(function () { if (!ready) showFallback(); }, 6000);
    } else {
      frame.style.display = "block";
    }
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", closeLabel);
    frame.focus();
  }

  function showFallback() {
    if (fallback) return;
    fallback = document.createElement("a");
    fallback.href = base + "/chat";
    fallback.target = "_blank";
    fallback.rel = "noopener";
    fallback.setAttribute("data-testid", "chat-fallback");
    fallback.textContent = en ? "Open the help chat in a new tab" : "Abrir el chat de ayuda en una pestaña nueva";
    css(fallback, { position: "fixed", zIndex: "2147483647", right: "24px", bottom: "96px", padding: "12px 16px",
      background: "#fff", color: "#1f2d5c", borderRadius: "12px", boxShadow: "0 12px 32px rgba(0,0,0,.18)",
      font: "15px/1.4 system-ui, sans-serif" });
    if (frame) frame.style.display = "none";
    document.body.appendChild(fallback);
  }

  function close() {
    if (fallback) fallback.style.display = "none";
    if (frame) frame.style.display = "none";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", label);
    button.focus();
  }

  function init() {
    button = document.createElement("button");
    button.type = "button";
    button.setAttribute("data-testid", "chat-launcher");
    button.setAttribute("aria-label", label);
    button.setAttribute("aria-expanded", "false");
    button.innerHTML = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" ' +
      'stroke-width="2" aria-hidden="true"><path d="M7.9 20A9 9 0 1 0 4 16.1L2 22Z"/></svg>';
    css(button, { position: "fixed", right: "24px", bottom: "24px", width: "56px", height: "56px",
      borderRadius: "50%", border: "0", background: "#3e63dd", color: "#fff", cursor: "pointer",
      zIndex: "2147483647", boxShadow: "0 6px 18px rgba(0,0,0,.25)", display: "flex",
      alignItems: "center", justifyContent: "center" });
    button.addEventListener("click", function () {
      if (frame && frame.style.display !== "none") close(); else open();
    });
    window.addEventListener("message", function (e) {
      if (e.origin !== base) return;
      if (e.data === "hd-chat-close") close();
      if (e.data === "hd-chat-ready") ready = true;
    });
    document.body.appendChild(button);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
