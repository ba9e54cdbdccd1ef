"""One way to ask axe-core (bundled with axe-playwright-python, nothing fetched) for the WCAG 2.2
A/AA violations of a page, shared by every browser test that checks accessibility.

Why a helper: a toast that is leaving fades out over ~200 ms, and a fading text has, for that
moment, too little contrast. axe once caught one half-faded on a slow CI machine and failed a
run that was otherwise green. A leaving toast is not content any more (sonner marks it
`data-removed="true"` and drops it from the DOM right after), so the check waits for it to go
and, should it linger, leaves it out. Toasts on screen are still checked."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]}}
LEAVING_TOAST = '[data-sonner-toast][data-removed="true"]'

_axe = Axe()


def wcag_violations(page) -> list[dict]:
    """axe's violation records for the page as it is now, leaving toasts aside."""
    try:
        page.locator(LEAVING_TOAST).first.wait_for(state="detached", timeout=3000)
    except Exception:  # noqa: BLE001 — still there after 3 s: excluded below instead
        pass
    if page.locator("[data-sonner-toast]").count():
        page.wait_for_timeout(450)  # a toast that just came is still fading in (0.4 s in sonner)
    context = {"exclude": [[LEAVING_TOAST]]}
    return _axe.run(page, context=context, options=WCAG).response["violations"]
