"""The new-ticket handlers, called the way a hostile browser could: nothing is created without a
fresh captcha solution, identity never comes from the arguments, and errors keep the input."""

from __future__ import annotations

import inspect
import json

import pytest
from altcha import Challenge, Payload, solve_challenge
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.domain.kb import Article, SearchQuery
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.services import attachments, captcha, search, seed
from helpdesk.web.pages.new_ticket.state import NewTicketState
from tests.state.conftest import sign_in, state_of


@pytest.fixture
def form_world(people, monkeypatch):
    monkeypatch.setenv("HELPDESK_CAPTCHA_MAX_NUMBER", "500")
    get_settings.cache_clear()
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía IP", name_en="IP telephony"))
        s.flush()
        service_id = s.exec(select(Service.id)).one()
    yield {"service": str(service_id)}
    get_settings.cache_clear()


def solved() -> str:
    challenge = Challenge.from_dict(json.loads(json.dumps(captcha.new_challenge())))
    return Payload(challenge, solve_challenge(challenge, timeout=20)).to_base64()


def run(result):
    """Drive a handler to the end (generators and plain returns alike); collect what it yields."""
    if inspect.isgenerator(result):
        return list(result)
    return result


def form(world, **over) -> dict:
    data = {
        "service": world["service"],
        "category": "anomalia",
        "subject": "No puedo hacer llamadas",
        "description": "Desde esta mañana no sale ninguna llamada.",
        "name": "",
        "email": "",
        "website": "",
        "altcha": solved(),
    }
    data.update(over)
    return data


def tickets_of(email: str | None = None) -> list[Ticket]:
    from helpdesk.domain.accounts import User

    with session_scope() as s:
        stmt = select(Ticket)
        if email is not None:
            stmt = stmt.join(User, User.id == Ticket.requester_id).where(User.email == email)
        return list(s.exec(stmt).all())


def opened(root) -> NewTicketState:
    state = state_of(root, NewTicketState)
    state.load()
    return state


def test_signed_in_customer_opens_a_ticket(root, people, form_world):
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    assert state.is_guest is False and state.ready
    assert [o.label for o in state.services] == ["Telefonía IP"]
    run(state.submit(form(form_world)))
    assert state.created_id.startswith("#") and state.created_id[1:].isdigit()
    assert state.created_link == f"/tickets/{state.created_id[1:]}"
    assert state.created_due
    assert [t.number for t in tickets_of("cliente@x.test")] == [int(state.created_id[1:])]


def test_no_captcha_bad_captcha_and_reused_captcha_create_nothing(root, people, form_world):
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    run(state.submit(form(form_world, altcha="")))
    assert "captcha" in state.errors and state.created_id == ""
    run(state.submit(form(form_world, altcha="eyJmb3JnZWQiOnRydWV9")))
    assert "captcha" in state.errors and state.created_id == ""
    assert tickets_of() == []

    payload = solved()
    run(state.submit(form(form_world, altcha=payload)))
    assert state.created_id
    first = tickets_of()
    # Replaying the spent solution, even for a different ticket, gets nothing.
    state.start_over()
    run(state.submit(form(form_world, subject="Factura de marzo duplicada", altcha=payload)))
    assert "captcha" in state.errors and state.created_id == ""
    assert len(tickets_of()) == len(first) == 1


def test_identity_in_the_arguments_is_ignored(root, people, form_world):
    victim = people["org_admin"]
    # A guest sending someone's session token, id and role in the form data: still a guest,
    # so without their own name and address nothing is created, for anyone.
    state = opened(root)
    assert state.is_guest
    run(state.submit(form(form_world, token=victim["token"], requester_id=victim["user"].id, role="admin",
                          user_id=victim["user"].id)))
    assert set(state.errors) >= {"name", "email"}
    assert tickets_of() == []
    # A signed-in customer naming the victim's address: the ticket is the customer's own.
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    run(state.submit(form(form_world, name="Jefa", email=victim["user"].email, requester_id=victim["user"].id)))
    assert state.created_id
    assert tickets_of(victim["user"].email) == []
    assert len(tickets_of("cliente@x.test")) == 1


def test_honeypot_refuses_without_saying_why(root, people, form_world):
    state = opened(root)
    run(state.submit(form(form_world, name="Bot", email="bot@x.test", website="http://spam.example")))
    assert state.created_id == "" and state.errors == {}
    assert state.form_error and "honeypot" not in state.form_error.lower()
    assert tickets_of() == []


def test_errors_keep_staged_files_and_the_solution_is_not_spent(root, people, form_world):
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
    state._staged = {"k": attachments.stage(attachments.validate_upload("captura.png", png))}
    state._refresh_chips()
    payload = solved()
    run(state.submit(form(form_world, subject="", altcha=payload)))
    assert set(state.errors) == {"subject"} and state.form_error
    assert [c.name for c in state.staged_files] == ["captura.png"]
    run(state.submit(form(form_world, altcha=payload)))
    assert state.created_id and state.staged_files == [] and state.created_files_text


def test_duplicate_warning_then_reply_into_the_open_ticket(root, people, form_world):
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    run(state.submit(form(form_world, subject="No puedo hacer llamadas")))
    first = state.created_id
    state.start_over()
    payload = solved()
    data = form(form_world, subject="No puedo llamar", description="Sigue sin funcionar tras reiniciar.", altcha=payload)
    run(state.submit(data))
    assert state.duplicate_number == first and state.created_id == ""
    assert len(tickets_of()) == 1
    # The public handler only records the choice; the ticket number never comes from the client.
    assert state.add_to_duplicate() is not None
    run(state.submit(data))
    assert state.created_id == first and state.created_replied
    assert len(tickets_of()) == 1


def test_duplicate_warning_then_create_anyway(root, people, form_world):
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    run(state.submit(form(form_world, subject="No puedo hacer llamadas")))
    state.start_over()
    data = form(form_world, subject="No puedo llamar")
    run(state.submit(data))
    assert state.duplicate_number
    state.create_anyway()
    run(state.submit(data))
    assert state.created_id and not state.created_replied
    assert len(tickets_of()) == 2


def test_choices_without_a_warning_do_nothing(root, people, form_world):
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    assert state.add_to_duplicate() is None and state.create_anyway() is None
    state.opened_suggestion("../../etc/passwd")
    state.opened_suggestion(12345)
    state.choose_category("admin")
    assert state.category == ""


def test_subject_is_prefilled_from_q_and_suggestions_are_logged(root, people, form_world, monkeypatch):
    with session_scope() as s:
        article = Article(slug="no-puedo-hacer-llamadas", title="No puedo hacer llamadas", summary="Comprueba…")
        s.add(article)
        s.flush()
        hit = search.SearchHit(id=article.id, slug=article.slug, title=article.title, summary=article.summary,
                               category="", category_name="", locale="es", score=1.0)
    monkeypatch.setattr(search, "search_articles", lambda session, q, locale="es", limit=10, **kw: [hit])
    state = state_of(root, NewTicketState)
    monkeypatch.setattr(type(state), "router", property(lambda self: _Router("q=No+puedo+hacer+llamadas")), raising=False)
    state.load()
    assert state.subject_default == "No puedo hacer llamadas"
    assert [s.slug for s in state.suggestions] == ["no-puedo-hacer-llamadas"]
    state.opened_suggestion("no-puedo-hacer-llamadas")
    with session_scope() as s:
        row = s.exec(select(SearchQuery)).one()
    assert (row.source, row.clicked_article_id) == ("ticket_form", article.id)
    assert row.visitor_key == state.visitor_key and len(state.visitor_key) >= 16


class _Router:
    """Just enough of Reflex's router for `load` to read a query string."""

    def __init__(self, query: str):
        from urllib.parse import parse_qsl

        self.url = type("U", (), {"query_parameters": dict(parse_qsl(query)), "path": "/tickets/new", "query": query})()
        self.session = type("S", (), {"client_ip": "127.0.0.1"})()
        self.headers = type("H", (), {"user_agent": "pytest", "cookie": ""})()


def test_a_lost_send_comes_back_filled_in_naming_the_files_to_attach_again(root, people, form_world):
    """The worker died mid-send: the reconnected tab has a fresh state and only what the
    browser kept in sessionStorage (the form's key and what was typed)."""
    sign_in(root, people["customer"]["token"])
    state = state_of(root, NewTicketState)
    state.sending = "k" * 22
    state.sending_draft = json.dumps({
        "service": form_world["service"], "category": "anomalia", "subject": "Sin línea",
        "description": "No hay línea desde las diez.", "files": ["registro.txt", "<b>captura</b>.png"],
    })
    state.load()
    assert state.sending == "" and state.sending_draft == ""  # the browser forgets them
    assert state.subject_default == "Sin línea" and state.description_default == "No hay línea desde las diez."
    assert state.service_default == form_world["service"] and state.category == "anomalia"
    assert "no llegó a registrarse" in state.form_error
    assert "registro.txt, <b>captura</b>.png" in state.form_error  # shown as text by the page
    assert tickets_of() == []


def test_a_lost_send_that_did_open_a_ticket_shows_that_ticket(root, people, form_world):
    sign_in(root, people["customer"]["token"])
    state = opened(root)
    key = state._form_token
    run(state.submit(form(form_world)))
    number = state.created_id
    state.start_over()
    state.created_id, state._settled_token = "", ""  # as a fresh state after reconnecting
    state.sending, state.sending_draft = key, "{}"
    state.load()
    assert state.created_id == number and not state.form_error
    assert len(tickets_of("cliente@x.test")) == 1
