"""Several backend workers behind one port (PostgreSQL + Redis): they all serve, a tab's state
follows it from one worker to another, a reply saved through one worker shows up live on a page
held open by another (both directions, customer and agent), and every worker survives the
database dropping its connections."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.request

from helpdesk.web.app_state import AppState
from helpdesk.web.pages.auth.state import AuthState
from tests.scale.conftest import REPO
import reflex as rx

from tests.support.reflex_client import ReflexClient, find_value, hydrated, serving_pid


def _health(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url + "/api/health", timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_several_workers_serve_one_port(scale_server):
    deadline = time.time() + 90  # healthy as soon as one worker answers; the others follow
    while len(workers := scale_server.worker_pids()) < 2 and time.time() < deadline:
        time.sleep(0.5)
    assert len(workers) >= 2, f"expected several backend workers, found {workers}"
    seen = set()
    for _ in range(200):
        status, body = _health(scale_server.url)
        assert status == 200 and body["database"] == "ok" and body["redis"] == "ok", body
        seen.add(body["worker"])
        if len(seen) >= 2:
            break
    assert len(seen) >= 2 and seen <= workers, (seen, workers)


async def _connect_on_worker(server, token: str, avoid: set[int], attempts: int = 40) -> tuple[ReflexClient, int]:
    """Connect with this tab token until a worker other than `avoid` holds the socket."""
    for _ in range(attempts):
        client = ReflexClient(server.url, token)
        await client.connect()
        pid = serving_pid(server.port, client.local_addr)
        if pid is not None and pid not in avoid:
            return client, pid
        await client.close()
    raise AssertionError(f"every connection landed on {avoid}")


def test_a_tab_signs_in_on_one_worker_and_is_known_on_another(scale_server):
    async def scenario():
        token = ReflexClient(scale_server.url).token
        first, pid_a = await _connect_on_worker(scale_server, token, avoid=set())
        await first.call(HYDRATE, {"vars": {}}, path="/login", until=hydrated)
        delta = await first.call(
            f"{AuthState.get_full_name()}.login",
            {"form": {"email": "agente@demo.test", "password": "agente-demo-1"}},
            path="/login",
            until=lambda d: _has(d, "user_name"),
        )
        assert find_value(delta, "user_name") == "Carlos Soporte"
        await first.close()

        # Same tab, new socket, another process: its state comes from Redis, not from memory.
        second, pid_b = await _connect_on_worker(scale_server, token, avoid={pid_a})
        # A fresh tab would hydrate with the token from its LocalStorage; load_app alone shows
        # that the server-side state itself (token included) came through Redis.
        delta = await second.call(f"{AppState.get_full_name()}.load_app", path="/agent", until=lambda d: _has(d, "user_role"))
        await second.close()
        return pid_a, pid_b, delta

    pid_a, pid_b, delta = asyncio.run(scenario())
    assert pid_a != pid_b
    assert find_value(delta, "user_role") == "agent"


HYDRATE = f"{rx.State.get_full_name()}.hydrate_and_load"


def _has(delta: dict, var: str) -> bool:
    try:
        find_value(delta, var)
    except KeyError:
        return False
    return True


LISTENER = """
import asyncio, sys
from helpdesk.infra import bus

async def main():
    stream = bus.subscribe(bus.QUEUE_TOPIC)
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(1.5)  # the Redis listener thread is subscribed by now
    print("ready", flush=True)
    message = await asyncio.wait_for(first, 20)
    print("got", message["ticket_id"], flush=True)

asyncio.run(main())
"""


def test_a_ticket_opened_in_one_process_reaches_a_page_waiting_in_another(scale_server, pg):
    """Bus level: a stand-in subscriber process waits the way the live pages do (the customer's
    ticket page and the agent pages call bus.subscribe) while the ticket service in this process
    opens a ticket and publishes. The separate processes share nothing but Redis."""
    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.infra.db import make_engine
    from sqlmodel import Session, select

    from helpdesk.services import tickets

    env = {**scale_server.env}
    listener = subprocess.Popen(
        [sys.executable, "-c", LISTENER], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert listener.stdout.readline().strip() == "ready"
        import os

        os.environ["REFLEX_REDIS_URL"] = env["REFLEX_REDIS_URL"]
        engine = make_engine(env["HELPDESK_DB_URL"])
        try:
            with Session(engine) as s:
                customer = s.exec(select(User).where(User.email == "cliente@demo.test")).one()
                service = s.exec(select(Service.id)).first()
                ticket = tickets.create_ticket(
                    s,
                    customer,
                    tickets.TicketDraft(
                        subject="Se corta la llamada",
                        description="Cada llamada se corta a los dos minutos.",
                        category="anomalia",
                        service_id=service,
                    ),
                )
                ticket_id = ticket.id
                s.commit()
        finally:
            engine.dispose()
            os.environ.pop("REFLEX_REDIS_URL", None)
        out, err = listener.communicate(timeout=25)
        assert f"got {ticket_id}" in out, err
    finally:
        if listener.poll() is None:
            listener.kill()


def test_every_worker_recovers_when_the_database_drops_its_connections(scale_server, pg):
    for _ in range(20):  # warm pooled connections in several workers
        assert _health(scale_server.url)[0] == 200
    assert pg.terminate_backends(scale_server.env["HELPDESK_DB_URL"]) > 0
    statuses = []
    seen = set()
    deadline = time.time() + 30
    while time.time() < deadline and len(statuses) < 40:
        status, body = _health(scale_server.url)
        statuses.append(status)
        seen.add(body["worker"])
    # pool_pre_ping notices the dead connections: not a single request fails.
    assert set(statuses) == {200}, statuses
    assert len(seen) >= 2



def _open_ticket_for(db_url: str, email: str) -> int:
    from sqlmodel import Session, select

    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.infra.db import make_engine
    from helpdesk.services import tickets

    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            customer = s.exec(select(User).where(User.email == email)).one()
            ticket = tickets.create_ticket(
                s,
                customer,
                tickets.TicketDraft(
                    subject="Sin tono en la centralita",
                    description="Ninguna extensión tiene tono desde las nueve.",
                    category="anomalia",
                    service_id=s.exec(select(Service.id)).first(),
                ),
            )
            number = ticket.number
            s.commit()
            return number
    finally:
        engine.dispose()


def _mentions(delta: dict, text: str) -> bool:
    return text in json.dumps(delta, ensure_ascii=False)


def test_customer_and_agent_on_different_workers_see_each_others_replies_live(scale_server):
    """The customer's ticket page and the agent's ticket page, each on its own worker process:
    a reply saved by one reaches the other's open page without a reload (bus over Redis)."""
    from helpdesk.web.pages.agent_ticket.state import AgentTicketState
    from helpdesk.web.pages.ticket.state import TicketState

    number = _open_ticket_for(scale_server.env["HELPDESK_DB_URL"], "cliente@demo.test")
    login = f"{AuthState.get_full_name()}.login"

    async def signed_in(avoid: set[int], email: str, password: str) -> tuple[ReflexClient, int]:
        client, pid = await _connect_on_worker(scale_server, ReflexClient(scale_server.url).token, avoid=avoid)
        await client.call(HYDRATE, {"vars": {}}, path="/login", until=hydrated)
        await client.call(login, {"form": {"email": email, "password": password}}, path="/login", until=lambda d: _has(d, "user_name"))
        return client, pid

    async def scenario():
        customer, pid_c = await signed_in(set(), "cliente@demo.test", "cliente-demo-1")
        agent, pid_a = await signed_in({pid_c}, "agente@demo.test", "agente-demo-1")
        try:
            cpath, apath = f"/tickets/{number}", f"/agent/tickets/{number}"
            q = {"id": str(number)}
            seen = await customer.call(f"{TicketState.get_full_name()}.load", path=cpath, query=q, until=lambda d: _mentions(d, "Ninguna extensión"))
            assert _mentions(seen, "Sin tono")
            await agent.call(f"{AgentTicketState.get_full_name()}.load", path=apath, query=q, until=lambda d: _mentions(d, "Ninguna extensión"))
            await asyncio.sleep(1.5)  # both pages' watchers are subscribed
            customer.drain()
            agent.drain()

            await agent.call(
                f"{AgentTicketState.get_full_name()}.send_reply",
                {"form": {"body": "Reiniciamos la centralita desde aquí."}},
                path=apath,
                query=q,
                until=lambda d: _mentions(d, "Reiniciamos"),
            )
            pushed = await customer.wait_for(lambda d: _mentions(d, "Reiniciamos la centralita"), timeout=15)

            await customer.call(
                f"{TicketState.get_full_name()}.send_reply",
                {"form": {"body": "Ya tenemos tono, gracias."}},
                path=cpath,
                query=q,
                until=lambda d: _mentions(d, "Ya tenemos tono"),
            )
            pushed_back = await agent.wait_for(lambda d: _mentions(d, "Ya tenemos tono"), timeout=15)
            return pid_c, pid_a, pushed, pushed_back
        finally:
            await customer.close()
            await agent.close()

    pid_c, pid_a, pushed, pushed_back = asyncio.run(scenario())
    assert pid_c != pid_a
    assert _mentions(pushed, "Reiniciamos") and _mentions(pushed_back, "Ya tenemos tono")
