"""Opening a ticket from the public form: honeypot, captcha, limits, duplicates, search linking."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from altcha import Challenge, Payload, solve_challenge
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role, User
from helpdesk.domain.catalog import RequestType, Service
from helpdesk.domain.kb import Article, SearchQuery
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Attachment, Message, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.services import accounts, attachments, captcha, kb, links, new_ticket, seed, tickets
from helpdesk.services.errors import RateLimited, ServiceError, ValidationError

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
    "c0f01f0005000201a5e1d2650000000049454e44ae426082"
)
VISITOR = "v" * 24


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setenv("HELPDESK_CAPTCHA_MAX_NUMBER", "500")
    get_settings.cache_clear()
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony", position=1))
        s.add(Service(name="Antiguo", name_en="Old", position=0, is_active=False))
        s.add(RequestType(name="Devolución", name_en="Refund"))
        ana = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        bob = accounts.create_user(s, email="bob@x.test", password="password-123", name="Bob")
        agent = accounts.create_user(s, email="agente@x.test", password="password-123", name="Agente", role=Role.AGENT)
        service_id = s.exec(select(Service.id).where(Service.name == "Telefonía")).one()
        rt = s.exec(select(RequestType.id)).one()
    yield {"service": service_id, "request_type": rt, "ana": ana, "bob": bob, "agent": agent}
    get_settings.cache_clear()


def solved() -> str:
    challenge = Challenge.from_dict(json.loads(json.dumps(captcha.new_challenge())))
    return Payload(challenge, solve_challenge(challenge, timeout=20)).to_base64()


def sub(world, *, subject="No puedo hacer llamadas", captcha_payload=None, **kw) -> new_ticket.Submission:
    draft = tickets.TicketDraft(
        subject=subject,
        description=kw.pop("description", "Desde esta mañana no sale ninguna llamada."),
        category=kw.pop("category", "anomalia"),
        service_id=kw.pop("service_id", world["service"]),
        guest_name=kw.pop("guest_name", ""),
        guest_email=kw.pop("guest_email", ""),
        attachments=kw.pop("files", []),
    )
    return new_ticket.Submission(draft=draft, captcha_payload=solved() if captcha_payload is None else captcha_payload,
                                 ip=kw.pop("ip", "10.0.0.1"), **kw)


def count(model) -> int:
    with session_scope() as s:
        return len(s.exec(select(model)).all())


def test_choices_are_active_and_localized(world):
    with session_scope() as s:
        assert [c.name for c in new_ticket.service_choices(s, "es")] == ["Telefonía"]
        assert [c.name for c in new_ticket.service_choices(s, "en")] == ["Telephony"]
        assert [c.name for c in new_ticket.request_type_choices(s, "en")] == ["Refund"]


def test_signed_in_customer_opens_a_ticket_with_a_file(world):
    staged = attachments.stage(attachments.validate_upload("pantalla.png", PNG))
    with session_scope() as s:
        out = new_ticket.submit(s, world["ana"], sub(world, files=[staged]))
        number = out.ticket.number
        assert out.link == f"/tickets/{number}" and not out.replied
        assert out.ticket.first_response_due_at is not None
    with session_scope() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.requester_id == world["ana"].id
        assert [a.filename for a in s.exec(select(Attachment)).all()] == ["pantalla.png"]


def test_signed_in_identity_ignores_name_and_email_in_the_form(world):
    with session_scope() as s:
        out = new_ticket.submit(s, world["ana"], sub(world, guest_name="Bob", guest_email="bob@x.test"))
        assert out.ticket.requester_id == world["ana"].id


def test_guest_gets_a_signed_link_and_a_confirmation_mail(world):
    with session_scope() as s:
        out = new_ticket.submit(s, None, sub(world, guest_name="Inés", guest_email="Ines@Ejemplo.test"))
        number = out.ticket.number
    path, _, token = out.link.partition("?k=")
    assert path == f"/tickets/{number}"
    assert links.verify_ticket_link(token) == (number, "ines@ejemplo.test")
    with session_scope() as s:
        mail = s.exec(select(OutboxMail)).one()
        assert mail.to_email == "ines@ejemplo.test"
        # Signed separately from the page's link (a second may tick between the two): the mail's
        # own token must open the same ticket for the same address.
        mailed = re.search(rf"/tickets/{number}\?k=([\w.-]+)", mail.text_body).group(1)
        assert links.verify_ticket_link(mailed) == (number, "ines@ejemplo.test")
        assert s.exec(select(User).where(User.email == "ines@ejemplo.test")).one().password_hash == ""


def test_field_errors_and_a_missing_captcha_come_together(world):
    with pytest.raises(ValidationError) as exc, session_scope() as s:
        new_ticket.submit(s, None, sub(world, subject="", guest_email="mal", captcha_payload=""))
    assert set(exc.value.errors) == {"subject", "name", "email", "captcha"}
    assert count(Ticket) == 0


def test_invalid_and_reused_captcha_create_nothing(world):
    with pytest.raises(ServiceError) as exc, session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, captcha_payload="bm90LWEtc29sdXRpb24="))
    assert exc.value.code == "captcha.invalid" and exc.value.field == "captcha"
    payload = solved()
    with session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, captcha_payload=payload))
    with pytest.raises(ServiceError) as exc, session_scope() as s:
        new_ticket.submit(s, world["bob"], sub(world, subject="Otra cosa distinta", captcha_payload=payload))
    assert exc.value.code == "captcha.invalid"
    assert count(Ticket) == 1


def test_a_validation_error_does_not_spend_the_captcha(world):
    payload = solved()
    with pytest.raises(ValidationError), session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, subject="", captcha_payload=payload))
    with session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, captcha_payload=payload))
    assert count(Ticket) == 1


def test_honeypot_refuses_silently(world):
    with pytest.raises(new_ticket.Refused) as exc, session_scope() as s:
        new_ticket.submit(s, None, sub(world, guest_name="Bot", guest_email="bot@x.test", honeypot="http://spam"))
    assert exc.value.code == "new_ticket.not_sent" and exc.value.field is None
    assert count(Ticket) == 0


def test_rate_limit_per_account(world, monkeypatch):
    monkeypatch.setattr(new_ticket, "ACCOUNT_LIMIT", (2, 600))
    for i, subject in enumerate(["Factura de marzo", "Router sin luz"]):
        with session_scope() as s:
            new_ticket.submit(s, world["ana"], sub(world, subject=subject, ip=f"10.0.0.{i}"))
    with pytest.raises(RateLimited) as exc, session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, subject="Portabilidad de un número", ip="10.0.0.9"))
    assert exc.value.code == "errors.rate_limited"
    with session_scope() as s:  # another account from the same place is not affected
        new_ticket.submit(s, world["bob"], sub(world, ip="10.0.0.9"))
    assert count(Ticket) == 3


def test_rate_limit_per_ip(world, monkeypatch):
    monkeypatch.setattr(new_ticket, "IP_LIMIT", (2, 600))
    for who in ("ana", "bob"):
        with session_scope() as s:
            new_ticket.submit(s, world[who], sub(world))
    with pytest.raises(RateLimited), session_scope() as s:
        new_ticket.submit(s, None, sub(world, guest_name="Eva", guest_email="eva@x.test"))
    assert count(Ticket) == 2


def test_similar_subjects():
    assert new_ticket.is_similar("No puedo llamar", "No puedo hacer llamadas")
    assert new_ticket.is_similar("Cambio de cuenta bancaria", "cambio CUENTA bancária")
    assert not new_ticket.is_similar("No puedo llamar", "Factura duplicada en marzo")
    assert not new_ticket.is_similar("", "Factura")


def test_duplicate_is_flagged_then_created_anyway_or_added_as_reply(world):
    with session_scope() as s:
        first = new_ticket.submit(s, world["ana"], sub(world, subject="No puedo hacer llamadas")).ticket.number
    payload = solved()
    with pytest.raises(new_ticket.DuplicateSuspected) as exc, session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, subject="No puedo llamar", captcha_payload=payload))
    assert exc.value.number == first and exc.value.params["number"] == first
    assert count(Ticket) == 1
    # Another customer's ticket is never a duplicate of yours.
    with session_scope() as s:
        new_ticket.submit(s, world["bob"], sub(world, subject="No puedo llamar"))
    # The warning spent nothing: the same solved captcha opens it anyway.
    with session_scope() as s:
        forced = new_ticket.submit(s, world["ana"], sub(world, subject="No puedo llamar", captcha_payload=payload,
                                                         allow_duplicate=True))
        assert forced.ticket.number != first
    staged = attachments.stage(attachments.validate_upload("log.txt", b"SIP 503\n"))
    with session_scope() as s:
        out = new_ticket.add_to_existing(s, world["ana"], first, sub(world, description="Sigue igual, adjunto el registro.",
                                                                     files=[staged]))
        assert out.replied and out.ticket.number == first
    with session_scope() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == first)).one()
        bodies = [m.body for m in s.exec(select(Message).where(Message.ticket_id == ticket.id)).all()]
        assert bodies[-1] == "Sigue igual, adjunto el registro."
        assert s.exec(select(Attachment).where(Attachment.ticket_id == ticket.id)).one().filename == "log.txt"


def test_guests_are_not_told_about_other_peoples_tickets(world):
    with session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, subject="No puedo hacer llamadas"))
    # A guest typing ana's address is asked to sign in: no ticket lands in her account and
    # nothing about her tickets is revealed.
    with pytest.raises(ValidationError) as err, session_scope() as s:
        new_ticket.submit(s, None, sub(world, subject="No puedo llamar", guest_name="X", guest_email="ana@x.test"))
    assert err.value.errors == {"email": "tickets.email_has_account"}
    with session_scope() as s:
        number = s.exec(select(Ticket.number)).first()
    with pytest.raises(ServiceError), session_scope() as s:
        new_ticket.add_to_existing(s, None, number, sub(world))


def test_guests_learn_whether_an_address_has_an_account_only_after_a_solved_captcha(world):
    """Issue 13: "this address has an account, sign in" before the captcha let anyone test
    addresses for free. Now, without a solution, a customer's address and an unknown one get
    the very same answer; with one, the hint costs that solution (it cannot be replayed)."""
    answers = {}
    for email in ("ana@x.test", "nadie@x.test"):
        for payload in ("", "no-es-una-solucion"):
            with pytest.raises(ServiceError) as err, session_scope() as s:
                new_ticket.submit(s, None, sub(world, guest_name="X", guest_email=email, captcha_payload=payload))
            answers[(email, payload)] = (err.value.code, getattr(err.value, "errors", {}), err.value.field)
    assert answers[("ana@x.test", "")] == answers[("nadie@x.test", "")] == (
        "errors.form_invalid", {"captcha": "captcha.required"}, None)
    assert answers[("ana@x.test", "no-es-una-solucion")] == answers[("nadie@x.test", "no-es-una-solucion")] == (
        "captcha.invalid", {}, "captcha")
    # Another field wrong as well: still no word about the account.
    with pytest.raises(ValidationError) as err, session_scope() as s:
        new_ticket.submit(s, None, sub(world, subject="", guest_name="X", guest_email="ana@x.test"))
    assert "email" not in err.value.errors

    payload = solved()
    with pytest.raises(ValidationError) as err, session_scope() as s:
        new_ticket.submit(s, None, sub(world, guest_name="X", guest_email="ana@x.test", captcha_payload=payload))
    assert err.value.errors == {"email": "tickets.email_has_account"}
    with pytest.raises(ServiceError) as err, session_scope() as s:
        new_ticket.submit(s, None, sub(world, guest_name="X", guest_email="ana@x.test", captcha_payload=payload))
    assert err.value.code == "captcha.invalid"
    assert count(Ticket) == 0


def test_add_to_existing_needs_a_visible_ticket(world):
    with session_scope() as s:
        number = new_ticket.submit(s, world["ana"], sub(world)).ticket.number
    with pytest.raises(ServiceError) as exc, session_scope() as s:
        new_ticket.add_to_existing(s, world["bob"], number, sub(world, description="Me cuelo en un ticket ajeno."))
    assert exc.value.code == "tickets.not_found"


@pytest.fixture
def articles(world, monkeypatch):
    """Two published articles and a stand-in for the search engine (tested on its own),
    so these tests are about what the form does with the hits."""
    from helpdesk.services import search

    with session_scope() as s:
        rows = [Article(slug="cambiar-contrasena", title="Cambiar la contraseña", summary="Paso a paso."),
                Article(slug="recuperar-contrasena", title="Recuperar la contraseña", summary="Si la olvidaste.")]
        for row in rows:
            s.add(row)
        s.flush()
        hits = [search.SearchHit(id=a.id, slug=a.slug, title=a.title, summary=a.summary, category="",
                                 category_name="", locale="es", score=1.0) for a in rows]
    calls = []

    def fake_search(session, query, locale="es", limit=10, **kw):
        calls.append((query, locale, limit))
        return hits[:limit] if "contrase" in query else []

    monkeypatch.setattr(search, "search_articles", fake_search)
    return {"hits": hits, "calls": calls}


def test_suggestions_are_logged_and_linked_to_the_ticket(world, articles):
    with session_scope() as s:
        found = new_ticket.suggest(s, "Olvidé la contraseña", "no puedo entrar", "es", VISITOR)
        assert [h.slug for h in found.hits] == ["cambiar-contrasena", "recuperar-contrasena"]
        assert articles["calls"][-1] == ("Olvidé la contraseña no puedo entrar", "es", new_ticket.SUGGESTION_LIMIT)
        kb.mark_search_clicked(s, found.search_id, found.hits[0].id)
    with session_scope() as s:
        row = s.get(SearchQuery, found.search_id)
        assert (row.source, row.visitor_key, row.results) == ("ticket_form", VISITOR, 2)
        assert row.clicked_article_id == found.hits[0].id
    with session_scope() as s:
        out = new_ticket.submit(s, world["ana"], sub(world, subject="Olvidé mi contraseña", visitor_key=VISITOR))
        assert out.searches_linked == 1
    with session_scope() as s:
        assert s.get(SearchQuery, found.search_id).ticket_id == out.ticket.id
        funnel = kb.deflection_funnel(s, world["agent"])
    assert funnel["tickets_after_search"] == 1 and funnel["deflected"] == 0


def test_a_click_without_a_ticket_counts_as_deflected(world, articles):
    other = "w" * 24
    with session_scope() as s:
        found = new_ticket.suggest(s, "contraseña", "", "es", other)
        kb.mark_search_clicked(s, found.search_id, found.hits[1].id)
    with session_scope() as s:  # someone else's ticket does not claim this visitor's search
        new_ticket.submit(s, world["bob"], sub(world, subject="Otra cosa", visitor_key=VISITOR))
        assert kb.deflection_funnel(s, world["agent"])["deflected"] == 1


def test_short_or_forged_input_is_harmless(world, articles):
    with session_scope() as s:
        assert new_ticket.suggest(s, "ab", "", "es", VISITOR).hits == []
        forged = new_ticket.suggest(s, "contraseña", "", "es", "not a key!")
        assert s.get(SearchQuery, forged.search_id).visitor_key == ""
    assert new_ticket.valid_visitor_key("x" * 10) == ""
    assert new_ticket.valid_visitor_key("<script>" * 4) == ""
    assert new_ticket.parse_id("3") == 3 and new_ticket.parse_id("3; drop") is None and new_ticket.parse_id("9" * 20) is None
    assert new_ticket.normalized_category("peticion") == "peticion" and new_ticket.normalized_category("admin") == ""
    assert new_ticket.suggestion_query("  Asunto ", "texto\n largo ") == "Asunto texto largo"


def test_a_form_sent_twice_opens_one_ticket_and_the_second_send_is_shown_it(world):
    key = "k" * 22
    with session_scope() as s:
        first = new_ticket.submit(s, world["ana"], sub(world, submission_key=key))
        number = first.ticket.number
    # The retry after a lost connection: its captcha was spent by the first send, and the
    # duplicate guard would flag the same subject; neither matters, it is the same send.
    with session_scope() as s:
        again = new_ticket.submit(s, world["ana"], sub(world, submission_key=key, captcha_payload="spent"))
        assert again.ticket.number == number and again.link == f"/tickets/{number}"
        # Another requester holding the key learns nothing; nor does a stale key.
        assert new_ticket.submitted(s, world["bob"], key) is None
        assert new_ticket.submitted(s, world["ana"], key, since=utcnow() + timedelta(seconds=1)) is None
    assert count(Ticket) == 1


def test_two_tickets_racing_on_one_form_key_leave_one(world):
    key = "r" * 22
    with session_scope() as s:
        new_ticket.submit(s, world["ana"], sub(world, submission_key=key))
    # What the loser of a real race sees after its lookup missed: the unique outbox key.
    with pytest.raises(tickets.AlreadySubmitted):
        with session_scope() as s:
            tickets.create_ticket(
                s, world["bob"], tickets.TicketDraft(subject="Otra cosa distinta", description="Texto suficiente aquí.",
                                                    category="consulta", service_id=world["service"]),
                submission_key=key,
            )
    assert count(Ticket) == 1 and count(Message) == 1
