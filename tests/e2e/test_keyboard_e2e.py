"""Keyboard only: a customer signs in and opens a ticket (captcha and attachment included) and an
agent answers and solves one, without a single mouse click. Only Tab/Enter/Space/arrows and
typing; the OS file dialog opens from the keyboard (Enter on the focused drop zone) and Playwright
fills it. Focus must be visible on the way; the agent shortcuts (j, r, ?, s) are exercised."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import shoot

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
    "c0f01f0005000201a5e1d2650000000049454e44ae426082"
)

# The focused element, through open shadow roots (the ALTCHA widget has one).
_ACTIVE = """() => { let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement; return a; }"""

_DESCRIBE = f"""() => {{ const a = ({_ACTIVE})(); if (!a) return '';
  const host = a.getRootNode && a.getRootNode().host;
  return [a.tagName.toLowerCase(), a.getAttribute('data-testid') || '', a.id || '', a.type || '',
          host ? host.tagName.toLowerCase() : '', (a.closest && a.closest('[data-testid]') || {{}}).dataset?.testid || ''].join('|'); }}"""

# A focus indicator is drawn on the element or on its control wrapper (Radix draws the ring of a
# text field on its root): an outline or a box-shadow, and not transparent.
_FOCUS_VISIBLE = f"""() => {{ let el = ({_ACTIVE})();
  for (let i = 0; el && i < 3; i++, el = el.parentElement || (el.getRootNode() && el.getRootNode().host)) {{
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !/rgba\\(.*, 0\\)$/.test(s.outlineColor);
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    if (outline || shadow) return true;
  }}
  return false; }}"""


def _focused(page) -> str:
    return page.evaluate(_DESCRIBE)


def tab_to(page, pattern: str, limit: int = 60, key: str = "Tab") -> str:
    """Press Tab until the focused element's description matches `pattern`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        desc = _focused(page)
        seen.append(desc)
        if re.search(pattern, desc):
            return desc
    raise AssertionError(f"never reached {pattern!r} with {key}; focus went through: {seen}")


def assert_focus_visible(page) -> None:
    assert page.evaluate(_FOCUS_VISIBLE), f"no visible focus indicator on {_focused(page)}"


def keyboard_login(page, email: str, password: str) -> None:
    page.goto("/login")
    expect(page.get_by_test_id("login-email")).to_be_visible()
    tab_to(page, r"\|login-email\|")
    assert_focus_visible(page)
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert "login-password" in _focused(page)
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("nav-logout")).to_be_visible()


def _choose(page, testid: str, option_label: str) -> None:
    """A native <select>: focus it with Tab, then ArrowDown until the wanted option is chosen."""
    tab_to(page, rf"\|{testid}\|")
    assert_focus_visible(page)
    select = page.get_by_test_id(testid)
    for _ in range(20):
        chosen = select.evaluate("s => s.options[s.selectedIndex].text")
        if chosen == option_label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{option_label!r} not reachable with arrows in {testid}")


def test_skip_link_moves_focus_to_main(page):
    page.goto("/tickets/new")
    expect(page.get_by_test_id("ticket-subject")).to_be_visible()  # hydrated and loaded
    page.wait_for_timeout(300)
    page.keyboard.press("Tab")
    skip = page.locator("a.hd-skip")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab lands inside the page's content, past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


def test_customer_opens_a_ticket_with_captcha_and_attachment_by_keyboard(page, tmp_path):
    keyboard_login(page, "cliente@demo.test", "cliente-demo-1")
    page.goto("/tickets/new")
    expect(page.get_by_test_id("ticket-subject")).to_be_visible()

    _choose(page, "ticket-service", "Telefonía IP")
    _choose(page, "ticket-category", "Anomalía")
    tab_to(page, r"\|ticket-subject\|")
    assert_focus_visible(page)
    subject = f"Sin tono en la extensión {uuid.uuid4().hex[:6]}"
    page.keyboard.type(subject)
    tab_to(page, r"\|ticket-description\|")
    page.keyboard.type("Desde ayer la extensión 204 no da tono; he reiniciado el teléfono.")
    page.wait_for_timeout(800)  # let the debounced article suggestions render before tabbing on

    # The drop zone: reached with Tab, the OS file dialog opened with Enter.
    tab_to(page, r"ticket-attachments")
    assert_focus_visible(page)
    shot = tmp_path / "captura.png"
    shot.write_bytes(PNG)
    # Suggestions render (debounced) next to the form and may re-render the drop zone while it
    # has focus: re-reach it with the keyboard and try Enter, then Space, a few times.
    chooser = None
    for attempt in range(4):
        if "ticket-attachments" not in _focused(page):
            tab_to(page, r"ticket-attachments", key="Shift+Tab" if attempt % 2 else "Tab", limit=15)
        try:
            with page.expect_file_chooser(timeout=4_000) as waiting:
                page.keyboard.press("Enter" if attempt % 2 == 0 else "Space")
            chooser = waiting
            break
        except Exception:  # noqa: BLE001 - the key was eaten by a re-render; try again
            page.wait_for_timeout(500)
    assert chooser is not None, "the file dialog never opened from the keyboard"
    chooser.value.set_files(str(shot))
    expect(page.get_by_test_id("staged-file")).to_have_count(1)

    # The captcha: solved on load; start it again so the checkbox is really checked with Space.
    widget = page.locator("altcha-widget")
    expect(widget).to_be_visible()
    page.wait_for_function("() => !!document.querySelector('altcha-widget')?.reset")
    page.evaluate("document.querySelector('altcha-widget').reset()")
    page.wait_for_function(
        "() => !(document.querySelector('#new-ticket-form input[name=altcha]')?.value)", timeout=10_000
    )
    tab_to(page, r"checkbox\|.*altcha|altcha.*checkbox")
    assert_focus_visible(page)
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => { const i = document.querySelector('#new-ticket-form input[name=altcha]');"
        " return !!(i && i.value && i.value.length > 20); }",
        timeout=30_000,
    )
    shoot(page, "keyboard-new-ticket")

    tab_to(page, r"\|ticket-submit\|")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-created")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("ticket-created")).to_contain_text("Archivos adjuntos: 1")
    assert re.fullmatch(r"#\d+", page.get_by_test_id("ticket-created-id").inner_text())


def test_agent_answers_and_solves_a_ticket_by_keyboard_and_shortcuts(page):
    keyboard_login(page, "agente@demo.test", "agente-demo-1")
    expect(page).to_have_url(re.compile(r"/agent$"))
    expect(page.get_by_test_id("queue-row").first).to_be_visible()
    expect(page).to_have_title("Panel de agentes — Centro de ayuda")

    # `?` opens the translated help dialog; Escape closes it.
    page.keyboard.press("?")
    dialog = page.get_by_test_id("shortcuts-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Atajos de teclado")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # j/k move through the queue, Enter opens the focused ticket.
    rows = page.get_by_test_id("queue-row")
    page.keyboard.press("j")
    expect(rows.nth(0)).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("j")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(rows.nth(0)).to_be_focused()
    number = rows.nth(0).get_by_test_id("ticket-id").inner_text().lstrip("#")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/agent/tickets/{number}")
    expect(page.get_by_test_id("agent-reply-body")).to_be_visible()
    expect(page).to_have_title(f"Ticket #{number} (agentes) — Centro de ayuda")
    before = page.get_by_test_id("ticket-message").count()

    # An empty reply is refused and focus lands on the reply box, which says why.
    tab_to(page, r"\|agent-reply-submit\|")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("field-error-reply")).to_be_visible()
    expect(page.get_by_test_id("agent-reply-body")).to_be_focused()
    expect(page.get_by_test_id("agent-reply-body")).to_have_attribute("aria-invalid", "true")

    # `r` focuses the reply from anywhere outside a field.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("r")
    expect(page.get_by_test_id("agent-reply-body")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.type("Hola, ya está revisado: la extensión vuelve a dar tono.")
    expect(page.get_by_test_id("agent-reply-body")).not_to_have_value(re.compile(r"^r"))
    tab_to(page, r"\|agent-reply-submit\|")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-message")).to_have_count(before + 1)

    # `s` asks first; Tab to the confirmation and Enter solves.
    page.keyboard.press("s")
    confirm = page.get_by_test_id("agent-solve-confirm")
    expect(confirm).to_be_visible()
    tab_to(page, r"\|agent-solve-confirm\|", limit=4)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-status")).to_have_text("Resuelto")


def test_titles_follow_the_language(page):
    page.goto("/login")
    expect(page).to_have_title("Iniciar sesión — Centro de ayuda")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    tab_to(page, r"\|lang-switch\|")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_title("Sign in — Help Center")
    tab_to(page, r"\|lang-switch\|", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_title("Iniciar sesión — Centro de ayuda")


def test_refused_login_moves_focus_to_the_form(page):
    page.goto("/login")
    tab_to(page, r"\|login-email\|")
    page.keyboard.type("cliente@demo.test")
    page.keyboard.press("Tab")
    page.keyboard.type("mal")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("form-error")).to_be_visible()
    expect(page.get_by_test_id("login-email")).to_be_focused()
