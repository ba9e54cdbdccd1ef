// Reply drafts survive a reload, a lost connection and a server that died mid-way.
//
// A text area with data-draft="<name>" is saved to this tab's sessionStorage on every keystroke
// (key: page path + name) and filled back in when it (re)appears empty. Why in the browser: when
// a worker dies, the tab reconnects to another one that may hand it a fresh state token (Reflex
// takes the dead worker's record for a duplicate tab), the page re-renders and an uncontrolled
// box would come back empty. sessionStorage is per tab and goes when the tab closes.
// The page clears a draft once it is sent: window.hdDraftClear("<name>").
(function () {
  var PREFIX = "hd-draft:";
  function key(name) { return PREFIX + location.pathname.replace(/\/+$/, "") + "#" + name; }
  function store() { try { return window.sessionStorage; } catch (e) { return null; } }
  window.hdDraftClear = function (name) { var s = store(); if (s) s.removeItem(key(name)); };
  function restore(el) {
    var s = store();
    if (!s || el.value) return;
    var saved = s.getItem(key(el.getAttribute("data-draft")));
    if (!saved) return;
    // Through the native setter, then an input event: React-controlled boxes see it too.
    var setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
    setter.call(el, saved);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (!(el instanceof HTMLTextAreaElement) || !el.hasAttribute("data-draft")) return;
    var s = store();
    if (!s) return;
    try {
      if (el.value) s.setItem(key(el.getAttribute("data-draft")), el.value.slice(0, 100000));
      else s.removeItem(key(el.getAttribute("data-draft")));
    } catch (e) { /* storage full or refused: the box still works, only the safety net is off */ }
  }, true);
  function scan(root) {
    if (root.querySelectorAll) root.querySelectorAll("textarea[data-draft]").forEach(restore);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (c) { c.addedNodes.forEach(function (n) { if (n.nodeType === 1) scan(n.parentNode || n); }); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
})();
