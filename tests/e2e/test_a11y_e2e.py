"""Accessibility: axe-core (bundled with axe-playwright-python, nothing fetched) finds no WCAG 2.2
A/AA violation on any page, for each role that uses it, in both languages, at desktop and phone
width. Every violation found is printed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe_check import wcag_violations
from tests.e2e.conftest import login, open_chat


ROLES = {
    "anonymous": None,
    "customer": ("cliente@demo.test", "cliente-demo-1"),
    "agent": ("agente@demo.test", "agente-demo-1"),
    "admin": ("admin@demo.test", "admin-demo-1"),
}

# (route, role): every route of CONTRACT.md with the roles that really use it.
PAGES = [
    ("/", "anonymous"),
    ("/", "customer"),
    ("/login", "anonymous"),
    ("/register", "anonymous"),
    ("/forgot", "anonymous"),
    ("/chat", "anonymous"),
    ("/tickets/new", "anonymous"),
    ("/tickets/new", "customer"),
    ("/tickets", "customer"),
    ("/agent", "customer"),  # the access-denied page
    ("/agent", "agent"),
    ("/agent/dashboard", "agent"),
    ("/admin", "admin"),
    ("/articles/recuperar-contrasena", "anonymous"),
    ("/categories/cuenta-y-contrasenas", "anonymous"),
    ("/agent/articles", "agent"),
    ("/account", "customer"),
    # "{first}": the first ticket of the list this role sees (demo data has some).
    ("/tickets/{first}", "customer"),
    ("/agent/tickets/{first}", "agent"),
]


def _resolve(page, path: str) -> str:
    if "{first}" not in path:
        return path
    page.goto("/agent" if path.startswith("/agent") else "/tickets")
    first = page.get_by_test_id("queue-row" if path.startswith("/agent") else "ticket-row").first
    expect(first).to_be_visible()
    number = first.get_by_test_id("ticket-id").inner_text().strip().lstrip("#")
    return path.replace("{first}", number)

def _violations(page) -> list[str]:
    found = []
    for v in wcag_violations(page):
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
        found.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return found


@pytest.mark.parametrize("path,role", PAGES, ids=[f"{r}:{p}" for p, r in PAGES])
def test_page_has_no_wcag_violations(new_context, path, role):
    """Both languages and both widths in one browser context (one sign-in per page and role)."""
    page = new_context().new_page()
    if ROLES[role]:
        login(page, *ROLES[role])
    path = _resolve(page, path)
    page.goto(path)
    expect(page.locator("main")).to_be_visible()
    problems = []
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            # Not "networkidle": the captcha widget and live pages keep connections busy.
            page.wait_for_timeout(400)
            found = _violations(page)
            print(f"\naxe {path} as {role} [{lang}, {width}px]: {len(found)} violation(s)")
            for line in found:
                print("  -", line)
            problems += [f"[{lang} {width}px] {line}" for line in found]
    page.get_by_test_id("lang-switch").click()  # leave the browser's stored choice as found
    assert problems == []


def test_open_chat_panel_has_no_wcag_violations(new_context):
    """The chat panel floats over every help-center page: checked open, with a few turns in it."""
    page = new_context().new_page()
    page.goto("/")
    open_chat(page)
    expect(page.get_by_test_id("chat-option").first).to_be_visible()
    page.get_by_test_id("chat-option").first.click()  # one answered turn: user bubble + new options
    expect(page.get_by_test_id("chat-bot-message").nth(1)).to_be_visible()
    problems = []
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            open_chat(page)
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(400)
            found = _violations(page)
            print(f"\naxe / with the chat open [{lang}, {width}px]: {len(found)} violation(s)")
            for line in found:
                print("  -", line)
            problems += [f"[{lang} {width}px] {line}" for line in found]
    page.get_by_test_id("lang-switch").click()
    assert problems == []


# Dark mode: the theme follows the system. A few representative pages, both languages.
DARK_PAGES = [
    ("/", "anonymous"),
    ("/login", "anonymous"),
    ("/tickets/new", "anonymous"),
    ("/tickets", "customer"),
    ("/agent", "agent"),
    ("/admin", "admin"),
]


@pytest.mark.parametrize("path,role", DARK_PAGES, ids=[f"dark-{r}:{p}" for p, r in DARK_PAGES])
def test_dark_mode_page_has_no_wcag_violations(new_context, path, role):
    page = new_context(color_scheme="dark").new_page()
    if ROLES[role]:
        login(page, *ROLES[role])
    page.goto(path)
    expect(page.locator("main")).to_be_visible()
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    problems = []
    for lang in ("es", "en"):
        if lang == "en":
            page.get_by_test_id("lang-switch").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        page.wait_for_timeout(500)  # re-render after the switch (the captcha keeps the network busy)
        found = _violations(page)
        print(f"\naxe dark {path} as {role} [{lang}]: {len(found)} violation(s)")
        for line in found:
            print("  -", line)
        problems += [f"[dark {lang}] {line}" for line in found]
    page.get_by_test_id("lang-switch").click()
    assert problems == []


# Reflow: 200% zoom of a 1280px window is a 640px viewport at device scale 2; 360px is a phone.
ZOOM_PAGES = [
    ("home", "anonymous", "/"),
    ("login", "anonymous", "/login"),
    ("new-ticket", "anonymous", "/tickets/new"),
    ("my-tickets", "customer", "/tickets"),
    ("ticket", "customer", "ticket"),
    ("agent", "agent", "/agent"),
    ("agent-ticket", "agent", "agent-ticket"),
    ("admin", "admin", "/admin"),
]


@pytest.mark.parametrize("width", [640, 360], ids=["zoom200", "phone"])
@pytest.mark.parametrize("name,role,path", ZOOM_PAGES, ids=[p[0] for p in ZOOM_PAGES])
def test_reflow_without_horizontal_scroll(new_context, name, role, path, width):
    from tests.e2e.conftest import shoot

    ctx = new_context(viewport={"width": width, "height": 800}, device_scale_factor=2 if width == 640 else 1)
    page = ctx.new_page()
    if ROLES[role]:
        login(page, *ROLES[role])
    if path == "ticket":
        page.goto("/tickets")
        page.get_by_test_id("ticket-row").first.click()
        page.wait_for_url("**/tickets/*")
    elif path == "agent-ticket":
        page.goto("/agent")
        page.get_by_test_id("queue-row").first.click()
        page.wait_for_url("**/agent/tickets/*")
    else:
        page.goto(path)
    # One h1 per page, once the page's data is in (not the loading placeholder).
    expect(page.locator("main h1")).to_have_count(1, timeout=15_000)
    expect(page.locator("main h1")).to_be_visible()
    page.wait_for_timeout(500)  # not networkidle: the captcha page keeps a request open at times
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(page, f"a11y-{name}-{width}")
    assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px viewport"
