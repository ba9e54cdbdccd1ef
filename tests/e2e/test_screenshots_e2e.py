"""Every page at desktop and phone width: nothing wider than the screen; screenshots kept to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, shoot

PAGES = [
    ("home", None, "/"),
    ("login", None, "/login"),
    ("register", None, "/register"),
    ("agent-denied", ("cliente@demo.test", "cliente-demo-1"), "/agent"),
    ("agent", ("agente@demo.test", "agente-demo-1"), "/agent"),
    ("admin", ("admin@demo.test", "admin-demo-1"), "/admin"),
]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
@pytest.mark.parametrize("name,who,path", PAGES, ids=[p[0] for p in PAGES])
def test_page_fits_the_screen(new_context, width, name, who, path):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    if who:
        login(page, *who)
    page.goto(path)
    expect(page.locator("main")).to_be_visible()
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shoot(page, f"{name}-{width}")
    assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen"
