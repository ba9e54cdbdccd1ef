"""The customer ticket page and list, driven in-process: who may open, reply, reopen, rate or
copy someone, whatever URL they type and whatever arguments they send to the handlers."""

from __future__ import annotations

import asyncio
import inspect

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import func, select

from helpdesk.domain.catalog import Service
from helpdesk.domain.tickets import Attachment, Message, SatisfactionRating, Ticket, TicketCC
from helpdesk.infra.db import session_scope
from helpdesk.services import attachments, links, seed, tickets
from helpdesk.web.pages.guard import GuardedState
from helpdesk.web.pages.my_tickets.state import MyTicketsState
from helpdesk.web.pages.ticket.state import TicketState
from tests.state.conftest import sign_in, state_of

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def visit(root: rx.State, path: str, query: str = "") -> None:
    """What the browser's router tells the backend when it opens `path`."""
    params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
    root.router = RouterData.from_router_data({
        "pathname": "/tickets/[id]" if path.rstrip("/") not in ("/tickets",) else "/tickets",
        "asPath": path + (f"?{query}" if query else ""),
        "query": params,
        "headers": {"origin": "http://localhost:3000"},
        "token": "tab-token",
    })


@pytest.fixture
def world(people):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        s.flush()
        service = s.exec(select(Service.id)).first()
        draft = lambda subject: tickets.TicketDraft(subject=subject, description="Desde ayer no funciona la línea.",  # noqa: E731
                                                     category="anomalia", service_id=service)
        u = {k: v["user"] for k, v in people.items()}
        mine = tickets.create_ticket(s, u["customer"], draft("Mi línea no va"))
        png = attachments.validate_upload("captura.png", PNG)
        tickets.add_message(s, u["customer"], mine.number, "Adjunto captura", files=[png])
        tickets.add_message(s, u["agent"], mine.number, "NOTA INTERNA: cliente moroso", internal=True)
        tickets.add_message(s, u["agent"], mine.number, "Lo estamos revisando")
        theirs = tickets.create_ticket(s, u["colleague"], draft("Centralita caída"))
        tickets.add_message(s, u["colleague"], theirs.number, "Más datos", files=[attachments.validate_upload("log.txt", b"error 42\n")])
        tickets.change_status(s, u["agent"], theirs.number, "solved")
    return {"mine": mine.number, "theirs": theirs.number, **{k: v for k, v in people.items()}}


def _snapshot(number: int) -> tuple:
    with session_scope() as s:
        t = s.exec(select(Ticket).where(Ticket.number == number)).one()
        count = lambda model: s.exec(select(func.count()).select_from(model).where(model.ticket_id == t.id)).one()  # noqa: E731
        return (t.status, t.version, count(Message), count(Attachment), count(TicketCC), count(SatisfactionRating))


def _open(root, world, who: str | None, number: int, query: str = ""):
    if who:
        sign_in(root, world[who]["token"])
    visit(root, f"/tickets/{number}", query)
    state = state_of(root, TicketState)
    return state, state.load()


def test_requester_sees_conversation_without_internal_notes(root, world):
    state, _ = _open(root, world, "customer", world["mine"])
    assert state.access == "ok" and not state.link_mode
    bodies = [m.body for m in state.messages]
    assert "Lo estamos revisando" in bodies and all("NOTA INTERNA" not in b for b in bodies)
    assert "NOTA INTERNA" not in repr(state.dict())
    (att,) = [a for m in state.messages for a in m.attachments]
    assert att.url.startswith("/api/attachments/") and att.url.endswith("/captura.png") and att.is_image
    assert state.ticket["status_label"] == "Abierto" and state.ticket["promise"]
    assert state.can_reply and not state.can_reopen


def test_agent_on_the_customer_page_also_sees_no_internal_notes(root, world):
    state, _ = _open(root, world, "agent", world["mine"])
    assert state.access == "ok"
    assert all("NOTA INTERNA" not in m.body for m in state.messages)


@pytest.mark.parametrize("who,allowed", [("customer", False), ("org_admin", True), ("colleague", True), ("agent", True)])
def test_who_may_open_a_colleagues_ticket(root, world, who, allowed):
    state, _ = _open(root, world, who, world["theirs"])
    assert state.access == ("ok" if allowed else "denied")
    if not allowed:
        assert state.ticket == {} and state.messages == [] and state.ccs == []
        assert "Centralita" not in repr(state.dict()) and "empleado@acme.test" not in repr(state.dict())


def test_signed_out_goes_to_login_unless_holding_the_mail_link(root, world):
    state, result = _open(root, world, None, world["theirs"])
    assert state.access == "" and "login" in repr(result) and state.messages == []
    wrong = links.ticket_link_token(world["mine"], "cliente@x.test")  # valid, but for another ticket
    state, result = _open(root, world, None, world["theirs"], f"k={wrong}")
    assert state.access == "" and "login" in repr(result) and state.messages == []
    good = links.ticket_link_token(world["theirs"], "empleado@acme.test")
    state, result = _open(root, world, None, world["theirs"], f"k={good}")
    assert state.access == "ok" and state.link_mode and [m.body for m in state.messages][-1] == "Más datos"
    assert "ticket-link" in repr(result)  # the browser is sent for its download cookie
    # The link opens that ticket only.
    visit(root, f"/tickets/{world['mine']}", f"k={good}")
    state.load()
    assert state.access == "" and state.messages == []


def test_signed_in_stranger_is_denied_by_url(root, world):
    state, _ = _open(root, world, "customer", world["theirs"])
    assert state.access == "denied"
    for bad in ("/tickets/abc", "/tickets/-1", "/tickets/99999999", "/tickets/1001;drop"):
        visit(root, bad)
        state.load()
        assert state.access == "denied" and state.messages == []


HOSTILE = [None, 0, -1, "1002", "#1002", {"body": "pirata", "cc": "pirata@evil.test", "comment": "pirata", "id": 1002, "number": 1002}, "good", "bad", [1002]]


def _handlers(cls) -> dict:
    base = set(GuardedState.event_handlers)
    return {n: h for n, h in cls.event_handlers.items() if n not in base and not n.startswith("set_") or n.endswith("_filter")}


def _call(state, name, arg):
    fn = getattr(type(state), name).fn
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
    try:
        result = getattr(state, name)(*([arg] * len(params)))
        if inspect.isawaitable(result):
            asyncio.run(result)
        elif inspect.isasyncgen(result):
            async def drain():
                async for _ in result:
                    pass
            asyncio.run(drain())
    except Exception:  # noqa: BLE001 - refusing by raising is fine; what matters is the data below
        pass


def test_every_ticket_handler_refuses_another_customers_ticket(root, world):
    # Attack 1: open the victim's URL (denied), then fire every handler anyway.
    # Attack 2: open one's own ticket, then fire every handler with the victim's number.
    handlers = _handlers(TicketState)
    assert {"send_reply", "reopen", "add_cc", "rate", "submit_csat", "receive_files", "watch"} <= set(handlers)
    before = _snapshot(world["theirs"])
    for target in (world["theirs"], world["mine"]):
        state, _ = _open(root, world, "customer", target)
        for name in handlers:
            if name == "watch":
                continue  # a background task: it only reloads through _reload, tested above
            for arg in HOSTILE:
                hostile = arg if not isinstance(arg, dict) else {**arg, "id": world["theirs"], "number": world["theirs"]}
                _call(state, name, hostile)
        assert "Centralita" not in repr(state.dict())
    assert _snapshot(world["theirs"]) == before


def test_lost_access_drops_the_ticket_on_the_next_action(root, world):
    state, _ = _open(root, world, "colleague", world["theirs"])
    assert state.access == "ok"
    sign_in(root, "no-longer-valid")
    state.send_reply({"body": "¿Sigo aquí?"})
    assert state.access == "denied" and state.messages == []


def test_reply_reopen_cc_and_survey_on_own_ticket(root, world):
    state, _ = _open(root, world, "colleague", world["theirs"])
    assert state.csat_state == "ask" and state.can_reopen
    state.rate("bad")
    assert state.csat_state == "thanks" and state.csat_rating == "bad"
    state.submit_csat({"comment": "Tardaron mucho"})
    state.rate("good")  # a second click never changes the answer
    with session_scope() as s:
        assert [(r.rating, r.comment) for r in s.exec(select(SatisfactionRating)).all()] == [("bad", "Tardaron mucho")]
    state.add_cc({"cc": "no es correo"})
    assert state.cc_error
    state.add_cc({"cc": "Jefa@Acme.test"})
    assert state.ccs == ["jefa@acme.test"] and state.cc_error == ""
    state.reopen()
    assert state.ticket["status"] == "open" and state.csat_state == ""
    state.send_reply({"body": ""})
    assert state.reply_error
    state.send_reply({"body": "Vuelve a fallar"})
    assert state.messages[-1].body == "Vuelve a fallar" and state.reply_error == ""


def test_one_click_survey_link_records_without_signing_in(root, world):
    token = links.csat_token(world["theirs"], "empleado@acme.test", 1)
    state, _ = _open(root, world, None, world["theirs"], f"csat={token}&rating=good")
    assert state.access == "ok" and state.csat_state == "thanks"
    state.submit_csat({"comment": "Muy amables"})
    with session_scope() as s:
        assert [(r.rating, r.comment) for r in s.exec(select(SatisfactionRating)).all()] == [("good", "Muy amables")]
    # Opening the same link again changes nothing and still says thanks.
    state, _ = _open(root, world, None, world["theirs"], f"csat={token}&rating=bad")
    assert state.csat_state == "thanks" and state.csat_rating == "good"


def test_list_shows_only_visible_tickets_and_its_handlers_stay_inside(root, world):
    sign_in(root, world["customer"]["token"])
    visit(root, "/tickets")
    state = state_of(root, MyTicketsState)
    state.load()
    assert [r.number for r in state.rows] == [world["mine"]]
    assert state.total_text == "1 ticket"
    for name in _handlers(MyTicketsState):
        for arg in HOSTILE:
            _call(state, name, arg)
            assert all(r.number == world["mine"] for r in state.rows)
    assert "Centralita" not in repr(state.dict())
    state.apply_filters({"id": "#%d" % world["mine"]})
    assert [r.public_id for r in state.rows] == ["#%d" % world["mine"]]
    state.apply_filters({"id": "abc"})
    assert state.errors.get("id")
    sign_in(root, world["org_admin"]["token"])
    state.load()
    assert [r.number for r in state.rows] == [world["theirs"]] and state.show_requester
    assert state.rows[0].requester_name == "Colleague"
    assert "empleado@acme.test" not in repr(state.dict())
