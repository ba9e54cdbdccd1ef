"""Accessibility: axe-core (bundled with axe-playwright-python, nothing fetched) finds no WCAG 2.2
A/AA violation on any page, for each role that uses it, in both languages, at desktop and phone
width. Every violation found is printed."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import login

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}

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
]

_axe = Axe()


def _violations(page) -> list[str]:
    results = _axe.run(page, options=WCAG)
    found = []
    for v in results.response["violations"]:
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
        found.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
    return found


@pytest.mark.parametrize("path,role", PAGES, ids=[f"{r}:{p}" for p, r in PAGES])
def test_page_has_no_wcag_violations(new_context, path, role):
    """Both languages and both widths in one browser context (one sign-in per page and role)."""
    page = new_context().new_page()
    if ROLES[role]:
        login(page, *ROLES[role])
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
