"""The ALTCHA proof-of-work widget (npm `altcha@3.2.2`) as a Reflex component.

`<altcha-widget>` is a custom element. The module that defines it is imported in an effect,
after hydration: a static `import "altcha"` registers the element before React hydrates the
prerendered page and React reports hydration error #418 on every load (REFLEX_NOTES.md).

Inside an `rx.form` the widget adds a hidden input (named by `name`) that carries the solved
payload in the form data; the submit handler verifies it with `services.captcha`.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.constants.compiler import MemoizationDisposition, MemoizationMode
from reflex_base.vars.base import Var
from reflex_components_core.el.element import Element

from helpdesk.web.components.ui import field_error, tid

CHALLENGE_URL = "/api/captcha/challenge"
FIELD = "altcha"

# After hydration, and only once a widget is in the page: the chat panel on the home page
# shows one only at its last step, so the home does not download ~35 KB it rarely uses
# (issue 15 §10). A custom element defined late upgrades in place. Spanish strings ship apart.
_LOAD_HOOK = """useEffect(() => {
  const load = () => import("altcha").then(() => import("altcha/i18n/es-es"));
  if (document.querySelector("altcha-widget")) { load(); return; }
  const seen = new MutationObserver(() => {
    if (document.querySelector("altcha-widget")) { seen.disconnect(); load(); }
  });
  seen.observe(document.body, { childList: true, subtree: true });
  return () => seen.disconnect();
}, []);"""


class AltchaWidget(Element):
    library = None
    tag = "altcha-widget"
    # Element: rendered as the string "altcha-widget", not an imported identifier. A memo
    # wrapper would be named after the tag, and "altcha-widget" is no JS identifier.
    _memoization_mode = MemoizationMode(disposition=MemoizationDisposition.NEVER)

    challenge: Var[str]
    name: Var[str]
    auto: Var[str]
    configuration: Var[str]
    language: Var[str]

    def add_imports(self):
        return {"react": ["useEffect"]}

    def add_hooks(self) -> list[str]:
        return [_LOAD_HOOK]


def altcha_widget(language, testid: str = "captcha") -> rx.Component:
    """A widget that starts solving as soon as the page loads (`auto="onload"`), so a person
    rarely waits; the checkbox stays usable by mouse and keyboard (Tab, Space)."""
    return AltchaWidget.create(
        challenge=CHALLENGE_URL,
        name=FIELD,
        auto="onload",
        configuration='{"minDuration":0,"hideFooter":false}',
        language=language,
        custom_attrs=tid(testid),
    )


def captcha_field(label, hint, error, language, testid: str = "captcha") -> rx.Component:
    """Label, widget, hint and the `field-error-captcha` message: one block for every form."""
    return rx.vstack(
        rx.text(label, class_name="hd-label", id=f"{testid}-label"),
        altcha_widget(language, testid=testid),
        rx.text(hint, size="1", color_scheme="gray"),
        field_error("captcha", error),
        spacing="1",
        width="100%",
    )


def submit_when_solved_script(form_id: str, tries: int = 150) -> str:
    """Send the form again once its widget has a solution (polls every 100 ms, gives up after
    `tries`). For a send that came before the proof of work finished: the widget starts on load
    and takes a second or so, and a fast person, or a script, may click first."""
    return (
        "(() => { let n = 0; const t = setInterval(() => {"
        f" const f = document.getElementById({form_id!r});"
        f" const i = f && f.querySelector('input[name={FIELD}]');"
        " if (i && i.value) { clearInterval(t); f.requestSubmit(); }"
        f" else if (++n > {tries}) {{ clearInterval(t); }} }}, 100); }})()"
    )


RESET_SCRIPT = "document.querySelectorAll('altcha-widget').forEach(w => w.reset && w.reset())"
