"""Two app servers (two `helpdesk serve` processes, one worker each) sharing PostgreSQL and Redis
behind nginx, seen from real browsers: a customer on one server sees live the reply an agent
sends through the other, and when the customer's server is killed the tab moves to the survivor
with its typed reply, which then reaches the ticket exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, REPO, _free_port, _wait_healthy, login, shoot
from tests.scale.conftest import Server, redis_db_url
from tests.scale.two_servers import Nginx

CUSTOMER = ("cliente@demo.test", "cliente-demo-1")
AGENT = ("agente@demo.test", "agente-demo-1")

_NEW_TICKET = r"""
import json, sys
from sqlmodel import select
from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import tickets
with session_scope() as s:
    user = s.exec(select(User).where(User.email == sys.argv[1])).one()
    draft = tickets.TicketDraft(subject=sys.argv[2], description="La impresora de recepción no imprime desde ayer.",
                                category="anomalia", service_id=s.exec(select(Service.id)).first())
    print(json.dumps(tickets.create_ticket(s, user, draft).number))
"""

_MESSAGES = r"""
import json, sys
from sqlalchemy import text
from helpdesk.infra.db import session_scope
with session_scope() as s:
    rows = s.execute(text("SELECT m.body FROM messages m JOIN tickets t ON t.id = m.ticket_id "
                          "WHERE t.number = :n ORDER BY m.id"), {"n": int(sys.argv[1])}).all()
    print(json.dumps([r[0] for r in rows]))
"""


def _start(data, log_name: str, db_url: str, redis_url: str, public_url: str) -> Server:
    port = _free_port()
    env = dict(os.environ)
    env.pop("HELPDESK_SMTP_HOST", None)
    env.update(
        PORT=str(port),
        HELPDESK_DATA_DIR=str(data),
        HELPDESK_DB_URL=db_url,
        REFLEX_REDIS_URL=redis_url,
        HELPDESK_DEMO="1",
        # The browser's origin is nginx: the websocket's CORS check must accept it.
        HELPDESK_BASE_URL=public_url,
        # ...and the pages must open their websocket through nginx, not on this server's port.
        REFLEX_API_URL=public_url,
        GRANIAN_WORKERS="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
    )
    log = data / log_name
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "helpdesk.cli", "serve"], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(proc, port, env, log)
    try:
        _wait_healthy(server.url, proc, log)
    except BaseException:
        server.stop()
        raise
    return server


def _py(server: Server, script: str, *args: str):
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=REPO, env=server.env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker_behind(url: str, pin: str) -> int:
    req = urllib.request.Request(url + "/api/health", headers={"Cookie": f"hd_pin={pin}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["worker"]


@pytest.fixture(scope="module")
def cluster(pg, tmp_path_factory):
    data = tmp_path_factory.mktemp("two-servers")
    nginx_port = _free_port()
    public = f"http://127.0.0.1:{nginx_port}"
    db_url, redis_url = pg.create("two"), redis_db_url()
    # One after the other: both build the frontend into the same .web directory.
    a = _start(data, "server-a.log", db_url, redis_url, public)
    b = None
    proxy = None
    try:
        b = _start(data, "server-b.log", db_url, redis_url, public)
        conf_dir = tmp_path_factory.mktemp("nginx")
        proxy = Nginx(conf_dir, [a.port, b.port], port=nginx_port)
        # Which cookie value nginx sends to which server (each has one worker: its pid says).
        pins: dict[int, str] = {}
        owners = {pid: srv for srv in (a, b) for pid in srv.worker_pids()}
        for i in range(64):
            pid = _worker_behind(proxy.url, f"p{i}")
            pins.setdefault(pid, f"p{i}")
            if len(pins) == 2:
                break
        assert set(pins) == set(owners), (pins, owners)
        yield {"a": a, "b": b, "nginx": proxy, "pin": {id(owners[p]): v for p, v in pins.items()}}
    finally:
        if proxy:
            proxy.stop()
        for srv in (a, b):
            if srv:
                srv.stop()


@pytest.fixture
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _tab_on(browser, cluster, server: Server):
    url = cluster["nginx"].url
    ctx = browser.new_context(base_url=url, locale="es-ES", viewport={"width": 1280, "height": 900})
    ctx.add_cookies([{"name": "hd_pin", "value": cluster["pin"][id(server)], "url": url}])
    return ctx.new_page()


def test_reply_on_one_server_shows_live_on_the_other_and_a_killed_server_loses_nothing(cluster, browser):
    a, b = cluster["a"], cluster["b"]
    subject = f"Impresora sin papel {uuid.uuid4().hex[:6]}"
    number = _py(a, _NEW_TICKET, CUSTOMER[0], subject)

    customer = _tab_on(browser, cluster, a)
    login(customer, *CUSTOMER)
    customer.goto(f"/tickets/{number}")
    expect(customer.get_by_test_id("ticket-message")).to_have_count(1)

    agent = _tab_on(browser, cluster, b)
    login(agent, *AGENT)
    agent.goto(f"/agent/tickets/{number}")
    agent.get_by_test_id("agent-reply-body").fill("Hola, cambiamos el tóner esta tarde.")
    agent.get_by_test_id("agent-reply-submit").click()
    expect(agent.get_by_test_id("ticket-message")).to_have_count(2)

    # Server A holds the customer's socket; the reply was saved by server B: it arrives live.
    expect(customer.get_by_test_id("ticket-message")).to_have_count(2, timeout=10_000)
    expect(customer.get_by_test_id("ticket-message").last).to_contain_text("cambiamos el tóner")

    typed = "Gracias, estaré en la oficina hasta las seis. ¿Necesitáis algo más?"
    customer.get_by_test_id("reply-body").fill(typed)
    customer.wait_for_timeout(1000)  # past any input debounce: the text is in the tab's state

    # The tab reconnects through nginx to server B, keeping what was typed. It is sent once the
    # new socket is up: an event written into the dead socket in the instant before the browser
    # notices the reset is gone (Socket.IO has no acknowledgement there); the text stays in the
    # box, so the person would simply press send again.
    with customer.expect_websocket(timeout=30_000):
        os.killpg(a.proc.pid, signal.SIGKILL)
        a.proc.wait(timeout=10)
    customer.wait_for_timeout(1500)  # the new socket hydrates the page's state from Redis
    expect(customer.get_by_test_id("reply-body")).to_have_value(typed)
    customer.get_by_test_id("reply-submit").click()
    expect(customer.get_by_test_id("ticket-message")).to_have_count(3, timeout=30_000)
    expect(customer.get_by_test_id("ticket-message").last).to_contain_text("hasta las seis")
    expect(customer.get_by_test_id("reply-body")).to_have_value("")
    shoot(customer, "two-servers-after-failover")

    # The agent, still on B, sees it live too; the database holds each message once.
    expect(agent.get_by_test_id("ticket-message")).to_have_count(3, timeout=10_000)
    bodies = _py(b, _MESSAGES, str(number))
    assert len(bodies) == 3 and sum(typed in body for body in bodies) == 1, bodies

    # Nothing else was lost: the customer's list, served by B now, still has the ticket.
    customer.goto("/tickets")
    expect(customer.get_by_test_id("ticket-row").filter(has_text=subject)).to_have_count(1)
