"""Forged Reflex events over the real websocket of the production server.

tests/security/test_handler_matrix.py calls every handler in-process; this file proves the same
rules hold on the wire, where the browser is replaced by a raw Socket.IO client that sends
whatever it likes: an anonymous tab and a signed-in customer call every non-public handler of
ACCESS_RULES (so a new handler is attacked as soon as it gets a rule) aimed at another
customer's ticket, with that customer's user, message and attachment IDs. Afterwards the
victim's rows and the configuration are unchanged in the database and no update the server
sent to the attackers carries the victim's data. Control tests run the same calls as the people
entitled to them, so a payload the server silently ignored cannot pass for a refusal.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import json
import time
import urllib.request
import uuid

import pytest
import reflex as rx
from playwright.sync_api import expect
from reflex.state import UpdateVarsInternalState
from sqlmodel import select

from helpdesk.web.app_state import AppState
from helpdesk.web.pages.admin.state import AdminState
from helpdesk.web.pages.agent_ticket.state import AgentTicketState
from helpdesk.web.pages.ticket.state import TicketState
from tests.e2e.conftest import login
from tests.security.test_handler_matrix import (
    ACCESS_RULES, SELF, TABLES, _argument_sets, _forged_path, _nparams, all_handlers, snapshot,
)
from tests.support.e2e_db import app_database
from tests.support.reflex_client import ReflexClient, hydrated

HYDRATE = f"{rx.State.get_full_name()}.hydrate_and_load"
UPDATE_VARS = f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal"
TOKEN_VAR = f"{AppState.get_full_name()}.token"
# Tables whose rows belong to a ticket: only the victim's are compared, because the app's
# periodic jobs (auto-close of solved demo tickets) may touch others while the test runs.
TICKET_TABLES = {"tickets", "messages", "attachments", "ticket_events", "satisfaction_ratings", "ticket_ccs"}
MARK = uuid.uuid4().hex[:8]
ALLOWED = {"anonymous": {"public"}, "customer": {"public", "signed_in"}}  # ACCESS_RULES rules each may pass


@pytest.fixture(scope="module")
def app_db(app_server):
    with app_database(app_server) as session_scope:
        yield session_scope


@pytest.fixture(scope="module")
def world(app_db):
    return make_world(app_db)


def make_world(app_db) -> dict:
    """A victim with a ticket (message, attachment, internal note) and an attacking customer."""
    from helpdesk.domain.accounts import Role, User
    from helpdesk.domain.catalog import Service
    from helpdesk.domain.tickets import Attachment, Message
    from helpdesk.domain.agent import CannedResponse
    from helpdesk.services import accounts, attachments, tickets

    w = {"secrets": (f"WS-ASUNTO-{MARK}", f"WS-CUERPO-{MARK}", f"WS-NOTA-{MARK}", f"ws-nomina-{MARK}.txt",
                     f"ws-victima-{MARK}@victima.test", f"Victima {MARK}")}
    subject, body, note, filename, email, name = w["secrets"]
    with app_db() as s:
        agent = s.exec(select(User).where(User.email == "agente@demo.test")).one()
        admin = s.exec(select(User).where(User.email == "admin@demo.test")).one()
        victim = accounts.create_user(s, email=email, password="clave-victima-1", name=name, role=Role.CUSTOMER)
        attacker = accounts.create_user(s, email=f"ws-atacante-{MARK}@evil.test", password="clave-atacante-1",
                                        name="Atacante", role=Role.CUSTOMER)
        bystander = accounts.create_user(s, email=f"ws-control-{MARK}@control.test", password="clave-control-1",
                                         name="Control", role=Role.CUSTOMER)
        service = s.exec(select(Service.id)).first()
        t = tickets.create_ticket(s, victim, tickets.TicketDraft(subject=subject, description=f"{body} descripción larga",
                                                                 category="anomalia", service_id=service))
        tickets.add_message(s, victim, t.number, body, files=[attachments.validate_upload(filename, b"IBAN ES00\n")])
        tickets.add_message(s, agent, t.number, f"{note} interno", internal=True)
        s.flush()
        w.update(
            number=t.number, victim_id=victim.id, attacker_id=attacker.id, bystander_id=bystander.id,
            tokens={"customer": accounts.start_session(s, attacker), "victim": accounts.start_session(s, victim),
                    "agent": accounts.start_session(s, agent), "admin": accounts.start_session(s, admin)},
            message_ids=[m.id for m in s.exec(select(Message).where(Message.ticket_id == t.id)).all()],
            attachment_ids=[a.id for a in s.exec(select(Attachment).where(Attachment.ticket_id == t.id)).all()],
            canned_ids=[c.id for c in s.exec(select(CannedResponse)).all()],
        )
    return w


def _matrix_world(w: dict) -> dict:
    """The shape tests/security's helpers expect, filled with this world's IDs."""
    return {"tickets": {"victim": w["number"]}, "victim": {"id": w["victim_id"]},
            "attachment_ids": w["attachment_ids"], "message_ids": w["message_ids"]}


def _route(cls, w: dict) -> tuple[str, dict]:
    path = _forged_path(cls, _matrix_world(w))
    # Dynamic route segments reach `router.page.params` through the event's query.
    return path, ({"id": str(w["number"])} if "/tickets/" in path else {})


def _payloads(cls, name: str, w: dict, attacker_id: int | None) -> list[dict]:
    params = _nparams(cls, name)
    out: list[dict] = []
    for args in _argument_sets(_matrix_world(w), attacker_id, len(params), params):
        payload = dict(zip(params, args))
        try:
            encoded = json.dumps(payload, sort_keys=True)
        except TypeError:
            continue  # UploadFile sets: files only travel over HTTP /_upload, tested in tests/security
        if encoded not in {json.dumps(p, sort_keys=True) for p in out}:
            out.append(payload)
    return out


def _targets() -> dict[type, list[str]]:
    """Every handler that has an access rule, public ones included: a public handler that took a
    ticket number (say, "add this to my earlier ticket") is just as good a way in."""
    by_state: dict[type, list[str]] = {}
    for cls, name in all_handlers():
        assert f"{cls.__name__}.{name}" in ACCESS_RULES  # test_every_handler_has_an_access_rule says why
        by_state.setdefault(cls, []).append(name)
    return by_state


def _only_victim(snap: dict, victim_id: int) -> dict:
    return {t: ({k: o for k, o in rows.items() if o == victim_id} if t in TICKET_TABLES else rows) for t, rows in snap.items()}


def _changed(before: dict, after: dict, own: set) -> list[str]:
    problems = []
    for table in TABLES:
        gone = [r for r in set(before[table]) - set(after[table]) if before[table][r] not in own]
        added = [r for r in set(after[table]) - set(before[table]) if after[table][r] not in own]
        if gone or added:
            problems.append(f"{table}: removed={gone} added={added}")
    return problems


def _merged(client: ReflexClient) -> dict:
    out: dict = {}
    for update in client.received:
        for state, values in (update.get("delta") or {}).items():
            out.setdefault(state, {}).update(values)
    return out


def _granted(delta: dict) -> bool:
    """Whether a guarded page let the tab in (`access` lives once, on GuardedState)."""
    return any(values.get("access_rx_state_") == "ok" for values in delta.values())


def _leaks(client: ReflexClient, secrets) -> list[str]:
    wire = json.dumps(client.received, ensure_ascii=False, default=str)
    return [s for s in secrets if s in wire]


async def _tab(base_url: str, token: str = "", path: str = "/") -> ReflexClient:
    """A browser tab as the frontend opens it: hydrate with LocalStorage, then the root on_load."""
    client = ReflexClient(base_url)
    await client.connect()
    await client.call(HYDRATE, {"vars": {TOKEN_VAR: token} if token else {}}, path=path, until=hydrated)
    await client.call(f"{AppState.get_full_name()}.load_app", path=path)
    return client


async def _call(client: ReflexClient, handler: str, payload, path: str, query: dict) -> dict:
    return await client.call_synced(handler, payload, path=path, query=query, timeout=10)


def _latest(client: ReflexClient, var: str):
    for update in reversed(client.received):
        for values in (update.get("delta") or {}).values():
            if f"{var}_rx_state_" in values:
                return values[f"{var}_rx_state_"]
    return None


async def _become(client: ReflexClient, who: str, w: dict, app_db, before: str = "") -> None:
    """Put the tab back to its attacker: logout, register or a password change (all in the table)
    change who a tab is, and a customer silently turned anonymous would prove nothing."""
    from helpdesk.domain.accounts import User
    from helpdesk.services import accounts

    token = ""
    if who == "customer":
        with app_db() as s:
            if accounts.user_for_token(s, w["tokens"]["customer"]) is None:
                w["tokens"]["customer"] = accounts.start_session(s, s.get(User, w["attacker_id"]))
        token = w["tokens"]["customer"]
    await _call(client, UPDATE_VARS, {"vars": {TOKEN_VAR: token}}, "/", {})
    await _call(client, f"{AppState.get_full_name()}.load_app", {}, "/", {})
    # The token is the attacker's own (its name may have changed: save_profile is in the table).
    assert _latest(client, "signed_in") is (who == "customer"), f"{who} tab has the wrong identity before {before}"


async def _attack(base_url: str, w: dict, who: str, app_db) -> tuple[ReflexClient, int]:
    attacker_id = w["attacker_id"] if who == "customer" else None
    client = await _tab(base_url)
    calls = 0
    client.granted = []
    for cls, names in _targets().items():
        await _become(client, who, w, app_db, before=cls.__name__)
        path, query = _route(cls, w)
        prefix = cls.get_full_name()
        if "load" in cls.event_handlers:
            delta = await _call(client, f"{prefix}.load", {}, path, query)
            if _granted(delta) and ACCESS_RULES[f"{cls.__name__}.load"] not in ALLOWED[who]:
                client.granted.append(cls.__name__)
        for name in names:
            for payload in _payloads(cls, name, w, attacker_id):
                await _call(client, f"{prefix}.{name}", payload, path, query)
                calls += 1
    await asyncio.sleep(0.3)  # late updates of anything the handlers started
    await client.close()
    return client, calls


def test_anonymous_and_customer_tabs_get_nothing_through_forged_events(app_server, app_db, world):
    before = _only_victim(snapshot(), world["victim_id"])
    t0 = time.monotonic()

    async def both():
        return await asyncio.gather(*(_attack(app_server["url"], world, who, app_db) for who in ("anonymous", "customer")))

    (anon, n_anon), (cust, n_cust) = _run(both())
    elapsed = time.monotonic() - t0
    after = _only_victim(snapshot(), world["victim_id"])

    assert n_anon > 150 and n_cust > 120, (n_anon, n_cust)  # the table really drove the attack
    assert len(anon.received) > 50 and len(cust.received) > 50  # the server answered, it did not just drop us
    for label, client in (("anonymous", anon), ("customer", cust)):
        leaked = _leaks(client, world["secrets"])
        assert not leaked, f"{label} received the victim's data over the websocket: {leaked}"
        assert not client.granted, f"{label} was let into {client.granted}"
    problems = _changed(before, after, own={SELF, world["attacker_id"]})
    assert not problems, "forged events changed data: " + "; ".join(problems)
    assert elapsed < 60, f"attack took {elapsed:.0f}s"


# ---------------------------------------------------------------- controls


def test_controls_the_same_calls_work_for_those_entitled(app_server, app_db, world):
    """Without this, a wrong route, query or payload shape would make every attack a no-op."""
    from helpdesk.domain.accounts import User
    from helpdesk.domain.tickets import Message

    url = app_server["url"]
    subject, body, note, filename, email, _ = world["secrets"]

    async def scenario():
        agent = await _tab(url, world["tokens"]["agent"])
        path, query = _route(AgentTicketState, world)
        prefix = AgentTicketState.get_full_name()
        await _call(agent, f"{prefix}.load", {}, path, query)
        await _call(agent, f"{prefix}.send_note", {"form": {"body": f"control {MARK}"}}, path, query)
        await agent.close()

        victim = await _tab(url, world["tokens"]["victim"])
        path, query = _route(TicketState, world)
        await _call(victim, f"{TicketState.get_full_name()}.load", {}, path, query)
        await victim.close()

        admin = await _tab(url, world["tokens"]["admin"])
        path, query = _route(AdminState, world)
        prefix = AdminState.get_full_name()
        await _call(admin, f"{prefix}.load", {}, path, query)
        await _call(admin, f"{prefix}.change_role", {"user_id": world["bystander_id"], "role": "agent"}, path, query)
        await admin.close()
        return agent, victim

    agent, victim = _run(scenario())
    assert set(_leaks(agent, world["secrets"])) >= {subject, body, note, email}
    # The owner sees their ticket on the wire, but never the internal note.
    assert set(_leaks(victim, world["secrets"])) >= {subject, body, filename}
    assert note not in _leaks(victim, world["secrets"])
    with app_db() as s:
        assert s.get(User, world["bystander_id"]).role == "agent"
        assert s.exec(select(Message).where(Message.body == f"control {MARK}", Message.is_internal)).first() is not None


# ---------------------------------------------------------------- protocol abuse


def _run(coro):
    """asyncio.run in a thread: pytest-playwright keeps a running loop on the main thread once a
    browser test ran. The thread gets this context: Reflex looks its State registry up there."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, coro).result()


def _health(url: str) -> int:
    with urllib.request.urlopen(url + "/api/health", timeout=5) as resp:
        return resp.status


def test_malformed_events_setters_and_huge_payloads_change_nothing_and_the_server_survives(app_server, app_db, world, page):
    from helpdesk.domain.accounts import User

    url, n = app_server["url"], world["number"]
    admin_prefix, agent_prefix = AdminState.get_full_name(), AgentTicketState.get_full_name()
    before = _only_victim(snapshot(), world["victim_id"])

    async def scenario():
        c = await _tab(url, world["tokens"]["customer"])
        apath, aquery = _route(AgentTicketState, world)
        raw = [
            # Handlers that do not exist, Reflex internals by a wrong path, private methods.
            {"name": f"{agent_prefix}.does_not_exist", "payload": {}},
            {"name": "no.such.state.handler", "payload": {}},
            {"name": f"{agent_prefix}._send", "payload": {"body": "pirata", "internal": False}},
            {"name": f"{agent_prefix}._actor_for_ticket", "payload": {}},
            {"name": "", "payload": {}},
            # Malformed payloads: wrong argument names, wrong types, not a dict at all.
            {"name": f"{agent_prefix}.send_reply", "payload": {"form": "not a dict"}},
            {"name": f"{agent_prefix}.send_reply", "payload": {"unexpected": 1}},
            {"name": f"{agent_prefix}.set_status", "payload": ["solved"]},
            {"name": f"{admin_prefix}.change_role", "payload": {"user_id": {"$ne": 0}, "role": ["admin"]}},
            {"name": f"{admin_prefix}.change_role", "payload": None},
            {"payload": {}},
            "this is not json {",
            12345,
        ]
        for data in raw:
            await c.sio.emit("event", data if not isinstance(data, dict) else
                             {**data, "router_data": {"pathname": apath, "query": aquery, "asPath": apath}}, namespace="/_event")
        await asyncio.sleep(0.5)
        # Setters: no auto setter exists for `number` or a role; setvar reaches only explicit set_ handlers.
        for name, payload in [
            (f"{agent_prefix}.set_number", {"value": n}),
            (f"{agent_prefix}.setvar", {"var_name": "number", "value": n}),
            (f"{agent_prefix}.setvar", {"var_name": "access", "value": "ok"}),
            (f"{AppState.get_full_name()}.setvar", {"var_name": "user_role", "value": "admin"}),
            (f"{AppState.get_full_name()}.set_user_role", {"value": "admin"}),
            (UPDATE_VARS, {"vars": {f"{AppState.get_full_name()}.user_role": "admin",
                            f"{agent_prefix}.access": "ok", f"{agent_prefix}.number": n}}),
        ]:
            await _call(c, name, payload, apath, aquery)
        # Having "set" all that, the staff handlers must still refuse.
        await _call(c, f"{agent_prefix}.send_note", {"form": {"body": f"pirata {MARK}"}}, apath, aquery)
        await _call(c, f"{agent_prefix}.set_status", {"status": "solved"}, apath, aquery)
        path, query = _route(AdminState, world)
        await _call(c, f"{admin_prefix}.load", {}, path, query)
        await _call(c, f"{admin_prefix}.change_role", {"user_id": world["attacker_id"], "role": "admin"}, path, query)
        await _call(c, f"{admin_prefix}.search_users", {"query": "victima"}, path, query)
        # Just under Socket.IO's 1 MB message limit: parsed and handed to the handler.
        tpath, tquery = _route(TicketState, world)
        await _call(c, f"{TicketState.get_full_name()}.send_reply", {"form": {"body": "A" * 900_000}}, tpath, tquery)
        alive_after_big = c.sio.connected
        await c.close()

        # Far above it: the server drops this socket, and only this one.
        huge = ReflexClient(url)
        await huge.connect()
        try:
            await huge.sio.emit("event", {"name": f"{agent_prefix}.set_note", "payload": {"text": "B" * 5_000_000},
                                          "router_data": {"pathname": apath, "query": aquery, "asPath": apath}}, namespace="/_event")
            await asyncio.sleep(1.5)
        finally:
            dropped = not huge.sio.connected
            await huge.sio.disconnect()
        return c, alive_after_big, dropped

    c, alive_after_big, dropped = _run(scenario())
    assert not _leaks(c, world["secrets"]), _leaks(c, world["secrets"])
    assert not any(_granted(u.get("delta") or {}) for u in c.received), "a forged var opened a guarded page"
    assert _changed(before, _only_victim(snapshot(), world["victim_id"]), own={SELF, world["attacker_id"]}) == []
    with app_db() as s:
        assert s.get(User, world["attacker_id"]).role == "customer"
    assert alive_after_big
    assert dropped, "a 5 MB websocket message was accepted"

    # The server is still up and serves a normal page with a working websocket.
    assert _health(url) == 200
    login(page, "cliente@demo.test", "cliente-demo-1")
    page.goto("/tickets")
    expect(page.get_by_test_id("ticket-row").first).to_be_visible()
