"""Client-side accessibility helpers installed once per page load by one small hook:

- the document title says where you are in the reader's language (the static titles of
  helpdesk.py are Spanish; the `lang` attribute of <html>, set by AppState on load and on the
  language switch, says which language to show);
- after a refused form submit, focus moves to the first invalid field (or, for a form-level
  error, to the form's first field), so keyboard and screen-reader users land on the problem;
- agent keyboard shortcuts: j/k move through the queue (Enter opens: rows are links, x ticks the
  row for bulk actions), r focuses
  the reply, n the internal note, s asks to solve, ? opens the help dialog. Keys are ignored
  while typing in a field, inside dialogs and with Ctrl/Alt/Meta.

The hook only touches elements by data-testid/id, so pages stay plain Reflex components.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.constants.compiler import MemoizationDisposition, MemoizationMode
from reflex_components_core.el.element import Element

from helpdesk import i18n
from helpdesk.web.components.ui import T, tid

# (regex on the path, title key); the first match wins. "{id}" takes the first captured group.
_TITLE_ROUTES = [
    (r"^/$", ""),
    (r"^/articles/[^/]+/?$", "a11y.title.article"),
    (r"^/categories/[^/]+/?$", "a11y.title.category"),
    (r"^/login/?$", "a11y.title.login"),
    (r"^/register/?$", "a11y.title.register"),
    (r"^/logout/?$", "a11y.title.logout"),
    (r"^/tickets/new/?$", "a11y.title.new_ticket"),
    (r"^/tickets/?$", "a11y.title.my_tickets"),
    (r"^/tickets/(\d+)/?$", "a11y.title.ticket"),
    (r"^/account/?$", "a11y.title.account"),
    (r"^/agent/?$", "a11y.title.agent"),
    (r"^/agent/tickets/(\d+)/?$", "a11y.title.agent_ticket"),
    (r"^/agent/dashboard/?$", "a11y.title.dashboard"),
    (r"^/agent/articles/?$", "a11y.title.kb_admin"),
    (r"^/admin/?$", "a11y.title.admin"),
]


def _titles_json() -> str:
    table = {
        loc: {
            "site": i18n.translate("a11y.site", loc),
            "routes": [[pattern, i18n.translate(key, loc) if key else ""] for pattern, key in _TITLE_ROUTES],
        }
        for loc in i18n.LOCALES
    }
    return json.dumps(table, ensure_ascii=False)


_SCRIPT = """
useEffect(() => {
  if (window.__hdA11y) return;
  window.__hdA11y = true;
  const TITLES = %(titles)s;
  const byTid = (id) => document.querySelector('[data-testid="' + id + '"]');

  // ---------------------------------------------------------------- document title
  const wantedTitle = () => {
    const lang = (document.documentElement.lang || 'es').slice(0, 2);
    const table = TITLES[lang] || TITLES.es;
    for (const [pattern, title] of table.routes) {
      const m = window.location.pathname.match(new RegExp(pattern));
      if (m) return title ? title.replace('{id}', m[1] || '') + ' \\u2014 ' + table.site : table.site;
    }
    return null;
  };
  const applyTitle = () => {
    const t = wantedTitle();
    if (t && document.title !== t) document.title = t;
  };
  new MutationObserver(applyTitle).observe(document.documentElement, {attributes: true, attributeFilter: ['lang']});
  new MutationObserver(applyTitle).observe(document.head, {childList: true, subtree: true, characterData: true});
  window.addEventListener('popstate', applyTitle);
  setInterval(applyTitle, 1000);  // client-side navigations that leave <head> alone
  applyTitle();

  // ---------------------------------------------------------------- skip link: focus <main>
  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('a.hd-skip');
    if (!link) return;
    const main = document.getElementById('main');
    if (main) { e.preventDefault(); main.focus(); main.scrollIntoView(); }
  }, true);

  // ---------------------------------------------------------------- focus after a refused submit
  const FIELDS = 'input:not([type=hidden]):not([tabindex="-1"]), textarea, select, button[role=combobox]';
  const focusProblem = (form) => {
    if (!form.isConnected) return false;
    const active = document.activeElement;
    if (active && active !== document.body && !form.contains(active)) return false;  // the user moved on
    const invalid = form.querySelector('[aria-invalid=true]');
    if (invalid) { invalid.focus(); return true; }
    for (const el of form.querySelectorAll('[aria-describedby]')) {
      const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/);
      if (ids.some((id) => { const e = id && document.getElementById(id); return e && e.getAttribute('role') === 'alert'; })) {
        el.focus(); return true;
      }
    }
    const scope = form.closest('.hd-card') || form.parentElement;
    if (scope && scope.querySelector('[data-testid=form-error]')) {
      const first = form.querySelector(FIELDS);
      if (first) { first.focus(); return true; }
    }
    return false;
  };
  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    // The retries wait for the server's answer, but once the person acts again (types, clicks,
    // tabs) their focus wins: a retried sign-in used to have its password typed into the e-mail
    // box when a late retry moved focus there mid-typing (issue 15, defect 1).
    let done = false;
    const userActed = (ev) => { if (ev.isTrusted) done = true; };
    for (const type of ['keydown', 'pointerdown', 'input']) {
      document.addEventListener(type, userActed, {capture: true, once: true});
    }
    for (const ms of [400, 900, 1800, 3500]) setTimeout(() => { if (!done) done = focusProblem(form); }, ms);
    setTimeout(() => { for (const type of ['keydown', 'pointerdown', 'input']) document.removeEventListener(type, userActed, true); }, 3600);
  }, true);

  // ---------------------------------------------------------------- agent shortcuts
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (!window.location.pathname.startsWith('/agent')) return;
    const t = e.target;
    if (t && t.closest && t.closest('input, textarea, select, [contenteditable=true], [contenteditable=""], [role=dialog], [role=alertdialog], [role=listbox], [role=menu], altcha-widget')) return;
    const focus = (el) => { if (!el) return false; el.focus(); el.scrollIntoView({block: 'nearest'}); return true; };
    let handled = false;
    switch (e.key) {
      case 'j': case 'k': {
        const rows = Array.from(document.querySelectorAll('[data-testid=queue-row]'));
        if (!rows.length) break;
        const i = rows.indexOf(document.activeElement);
        const next = i < 0 ? 0 : (e.key === 'j' ? Math.min(i + 1, rows.length - 1) : Math.max(i - 1, 0));
        handled = focus(rows[next]);
        break;
      }
      case 'x': {
        // Tick the focused queue row's checkbox (bulk actions).
        const row = document.activeElement && document.activeElement.closest && document.activeElement.closest('[data-testid=queue-row]');
        const box = row && row.parentElement && row.parentElement.querySelector('[data-testid=queue-select]');
        if (box) { box.click(); handled = true; }
        break;
      }
      case 'r': handled = focus(byTid('agent-reply-body')); break;
      case 'n': handled = focus(byTid('agent-note-body')); break;
      case 's': { const b = byTid('agent-solve'); if (b && !b.disabled) { b.click(); handled = true; } break; }
      case '?': { const b = byTid('shortcuts-help'); if (b) { b.click(); handled = true; } break; }
    }
    if (handled) e.preventDefault();
  });
}, []);
"""


class A11yHooks(Element):
    """An empty, hidden element whose only job is to carry the page-wide hook."""

    library = None
    tag = "span"
    _memoization_mode = MemoizationMode(disposition=MemoizationDisposition.NEVER)

    def add_imports(self):
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str]:
        return [_SCRIPT % {"titles": _titles_json()}]


def a11y_hooks() -> rx.Component:
    return A11yHooks.create(display="none", aria_hidden="true")


SHORTCUTS = [
    ("j / k", "a11y.shortcuts.jk"),
    ("x", "bulk.shortcut_x"),
    ("Enter", "a11y.shortcuts.enter"),
    ("r", "a11y.shortcuts.r"),
    ("n", "a11y.shortcuts.n"),
    ("s", "a11y.shortcuts.s"),
    ("?", "a11y.shortcuts.help"),
]


def shortcuts_help() -> rx.Component:
    """A button (and the `?` key) that opens a dialog listing the agent shortcuts."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("keyboard", size=15, aria_hidden="true"),
                T["a11y.shortcuts.button"],
                variant="ghost",
                size="2",
                aria_keyshortcuts="?",
                custom_attrs=tid("shortcuts-help"),
            ),
        ),
        rx.dialog.content(
            rx.dialog.title(T["a11y.shortcuts.title"]),
            rx.dialog.description(T["a11y.shortcuts.intro"], size="2", color_scheme="gray"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(T["a11y.shortcuts.key"]),
                        rx.table.column_header_cell(T["a11y.shortcuts.action"]),
                    )
                ),
                rx.table.body(
                    *[
                        rx.table.row(rx.table.cell(rx.el.kbd(key, class_name="hd-kbd")), rx.table.cell(T[label]))
                        for key, label in SHORTCUTS
                    ]
                ),
                size="1",
                margin_y="1rem",
                width="100%",
            ),
            rx.flex(
                rx.dialog.close(rx.button(T["a11y.shortcuts.close"], variant="soft", custom_attrs=tid("shortcuts-close"))),
                justify="end",
            ),
            max_width="30rem",
            custom_attrs=tid("shortcuts-dialog"),
        ),
    )

