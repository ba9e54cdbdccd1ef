"""A backend worker killed while it handles a new-ticket submission, seen from a real browser
on the multi-worker PostgreSQL + Redis server.

The worker is parked at a fault point inside the submit handler (HELPDESK_FAULT_DIR, armed
per test) and then SIGKILLed. The browser's socket reconnects to another worker. Either the
ticket's transaction died with the worker (the user gets a retry message and keeps what they
typed) or it had committed (the user is shown the ticket it created); never two tickets.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import text

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, shoot

LOST_ES = "Se perdió la conexión mientras se enviaba tu solicitud"


@pytest.fixture
def page(scale_server):
    # Its own Playwright, closed at the end: a session-wide one would keep an event loop on
    # this thread and break the asyncio.run() of the protocol-level scale tests.
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(base_url=scale_server.url, locale="es-ES", viewport={"width": 1280, "height": 900})
        try:
            yield ctx.new_page()
        finally:
            ctx.close()
            browser.close()


# Granian stops the whole app when a worker it respawned less than 5.5 s ago dies again (its
# crash-loop guard); a test killing the replacement of the previous test's victim that soon
# would take the shared server down with it.
CRASH_LOOP_GUARD_S = 7.0


def _wait_all_workers_back(server, killed: int, count: int) -> None:
    deadline = time.time() + 30
    while True:
        pids = server.worker_pids()
        if killed not in pids and len(pids) >= count:
            server.calm_after = time.monotonic() + CRASH_LOOP_GUARD_S
            return
        assert time.time() < deadline, "the killed worker was not replaced"
        time.sleep(0.2)


def _kill_worker_parked_at(server, point: str) -> int:
    pause = getattr(server, "calm_after", 0) - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    pid_file = server.fault_dir / f"{point}.pid"
    deadline = time.time() + 20
    while not pid_file.exists():
        assert time.time() < deadline, "the submission never reached the fault point"
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    pid_file.unlink()
    workers = server.worker_pids()
    assert pid in workers, "the parked process is not one of the app's workers"
    os.kill(pid, signal.SIGKILL)
    _wait_all_workers_back(server, pid, len(workers))
    return pid


def _fill(page, subject: str) -> dict[str, str]:
    page.goto("/tickets/new")
    values = {
        "ticket-name": "Lucía Reintento",
        "ticket-email": f"lucia-{uuid.uuid4().hex[:8]}@ejemplo.test",
        "ticket-subject": subject,
        "ticket-description": "Desde las nueve no entra ninguna llamada en la centralita de la oficina.",
    }
    for testid, value in values.items():
        page.get_by_test_id(testid).fill(value)
    page.get_by_test_id("ticket-service").select_option(label="Telefonía IP")
    page.get_by_test_id("ticket-category").select_option("anomalia")
    _wait_captcha(page)
    return values


def _wait_captcha(page) -> None:
    page.wait_for_function(
        "() => { const i = document.querySelector('#new-ticket-form input[name=altcha]');"
        " return !!(i && i.value && i.value.length > 20); }",
        timeout=30_000,
    )


def _tickets_with(server, subject: str) -> list[int]:
    from helpdesk.infra.db import make_engine

    engine = make_engine(server.env["HELPDESK_DB_URL"])
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT number FROM tickets WHERE subject = :s"), {"s": subject})]
    finally:
        engine.dispose()


def test_worker_killed_before_commit_keeps_the_form_and_asks_to_resend(scale_server, page):
    point = "submit-before-commit"
    subject = f"Centralita sin llamadas entrantes {uuid.uuid4().hex[:6]}"
    values = _fill(page, subject)
    (scale_server.fault_dir / f"{point}.armed").touch()
    page.get_by_test_id("ticket-submit").click()
    _kill_worker_parked_at(scale_server, point)

    error = page.get_by_test_id("form-error")
    expect(error).to_contain_text(LOST_ES, timeout=30_000)
    for testid, value in values.items():
        expect(page.get_by_test_id(testid)).to_have_value(value)
    expect(page.get_by_test_id("ticket-category")).to_have_value("anomalia")
    assert page.get_by_test_id("ticket-service").evaluate("e => e.options[e.selectedIndex].text") == "Telefonía IP"
    expect(page.get_by_test_id("ticket-submit")).to_be_enabled()
    shoot(page, "new-ticket-connection-lost")
    assert _tickets_with(scale_server, subject) == []  # the open transaction died with the worker

    _wait_captcha(page)  # the refilled form is a new form instance, with a fresh challenge
    page.get_by_test_id("ticket-submit").click()
    expect(page.get_by_test_id("ticket-created")).to_be_visible(timeout=20_000)
    shown = page.get_by_test_id("ticket-created-id").inner_text()
    assert _tickets_with(scale_server, subject) == [int(shown.lstrip("#"))]


def test_worker_killed_after_commit_leads_to_the_ticket_it_created(scale_server, page):
    point = "submit-after-commit"
    subject = f"Centralita sin tono {uuid.uuid4().hex[:6]}"
    _fill(page, subject)
    (scale_server.fault_dir / f"{point}.armed").touch()
    page.get_by_test_id("ticket-submit").click()
    _kill_worker_parked_at(scale_server, point)

    expect(page.get_by_test_id("ticket-created")).to_be_visible(timeout=30_000)
    shown = page.get_by_test_id("ticket-created-id").inner_text()
    assert _tickets_with(scale_server, subject) == [int(shown.lstrip("#"))]
