"""Chat intake: the script as data, the conversation service, the ticket it opens, expiry."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from altcha import Challenge, Payload, solve_challenge
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import RequestType, Service
from helpdesk.domain.chat import ChatConversation
from helpdesk.domain.chat_script import Question, next_step, subject_from, suggested_priority
from helpdesk.domain.tickets import Message, Ticket, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.services import accounts, captcha, chat, chat_config, chat_submit, seed
from helpdesk.services.errors import ServiceError, ValidationError

KEY_A = "a" * 43
KEY_B = "b" * 43


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setenv("HELPDESK_CAPTCHA_MAX_NUMBER", "500")
    get_settings.cache_clear()
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony", position=1))
        s.add(RequestType(name="Devolución", name_en="Refund"))
        ana = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        admin = accounts.create_user(s, email="admin@x.test", password="password-123", name="Admin", role=Role.ADMIN)
        service_id = s.exec(select(Service.id).where(Service.name == "Telefonía")).one()
    yield {"service": service_id, "ana": ana, "admin": admin}
    get_settings.cache_clear()


def solved() -> str:
    challenge = Challenge.from_dict(json.loads(json.dumps(captcha.new_challenge())))
    return Payload(challenge, solve_challenge(challenge, timeout=20)).to_base64()


# ------------------------------------------------------------------ pure script


def test_script_order_and_priority_rules():
    qs = [Question(1, "¿Bloquea?", "Blocks?", "high"), Question(2, "¿Varios?", "Several?", "medium")]
    a: dict = {}
    assert next_step(a, qs, needs_contact=True).name == "reason"
    a["reason"] = "peticion"
    a["service"] = 3
    assert next_step(a, qs, needs_contact=True).name == "request_type"
    a["request_type"] = 1
    assert next_step(a, qs, needs_contact=True).key == "q1"
    a["questions"] = {"1": "no", "2": "yes"}
    assert next_step(a, qs, needs_contact=True).name == "description"
    a.update(description="x" * 20, attachments=True)
    assert next_step(a, qs, needs_contact=True).name == "name"
    assert next_step(a, qs, needs_contact=False).name == "confirm"
    assert suggested_priority(a, qs) == ("medium", qs[1])
    a["questions"]["1"] = "yes"
    assert suggested_priority(a, qs)[0] == "high"
    # "urgent" is the premium lane: no answer may suggest it.
    assert suggested_priority({"questions": {"9": "yes"}}, [Question(9, "x", "x", "urgent")]) == (None, None)
    assert subject_from("Primera línea\nsegunda") == "Primera línea"
    assert len(subject_from("palabra " * 40)) <= 81


# ------------------------------------------------------------------ the conversation


def _walk_to_confirm(s, row, actor, service_id, *, block="yes"):
    chat.choose(s, row, actor, "anomalia", "es")
    chat.choose(s, row, actor, str(service_id), "es")
    chat.choose(s, row, actor, block, "es")  # the default question: blocks 100% use?
    chat.send_text(s, row, actor, "No puedo entrar en el sistema desde esta mañana", "es")
    if chat._step(s, row, actor).name == "suggest":
        chat.choose(s, row, actor, "continue", "es")
    chat.choose(s, row, actor, "continue", "es")  # no attachments
    if actor is None:
        chat.send_text(s, row, actor, "Invitada Pérez", "es")
        chat.send_text(s, row, actor, "invitada@x.test", "es")
        chat.send_text(s, row, actor, "600 123 456", "es")


def test_guest_goes_from_reason_to_ticket_with_suggested_high_priority(world):
    with session_scope() as s:
        row = chat.start(s, None, KEY_A, "es")
        assert chat.view(s, row, None, "es").step.name == "reason"
        _walk_to_confirm(s, row, None, world["service"])
        assert chat.view(s, row, None, "es").step.name == "confirm"
        ticket = chat_submit.confirm(s, row, None, solved(), locale="es")
        number = ticket.number
    with session_scope() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).one()
        assert ticket.priority == "high" and ticket.category == "anomalia"
        assert ticket.first_response_due_at is not None
        note = s.exec(select(Message).where(Message.ticket_id == ticket.id, Message.is_internal == True)).one()  # noqa: E712
        assert "Alta" in note.body and "100" in note.body and "+34600123456" in note.body
        assert s.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "priority")).first()
        row = chat.find(s, None, KEY_A)
        v = chat.view(s, row, None, "es")
        assert v.step.name == "done" and v.ticket.number == number and "?k=" in v.ticket_link
        assert any(f"#{number}" in t.get("es", "") for t in v.turns)


def test_answers_are_checked_against_the_current_step(world):
    with session_scope() as s:
        row = chat.start(s, None, KEY_A, "es")
        for forged in ("high", "urgent", str(world["service"]), "solved", ""):
            with pytest.raises(ServiceError):
                chat.choose(s, row, None, forged, "es")
        with pytest.raises(ServiceError):
            chat.send_text(s, row, None, "texto libre cuando toca elegir", "es")
        with pytest.raises(ServiceError):
            chat_submit.confirm(s, row, None, solved())
        chat.choose(s, row, None, "consulta", "es")
        chat.choose(s, row, None, str(world["service"]), "es")
        chat.choose(s, row, None, "no", "es")
        with pytest.raises(ValidationError):
            chat.send_text(s, row, None, "corto", "es")
        assert chat.view(s, row, None, "es").step.name == "description"


def test_guests_only_reach_their_own_conversation(world):
    with session_scope() as s:
        a = chat.start(s, None, KEY_A, "es")
        chat.choose(s, a, None, "consulta", "es")
        b = chat.start(s, None, KEY_B, "es")
        assert a.id != b.id
        assert chat.find(s, None, KEY_A).id == a.id
        assert chat.find(s, None, "not-a-key") is None
        assert chat.find(s, None, "c" * 43) is None
        stored = s.get(ChatConversation, a.id)
        assert KEY_A not in (stored.guest_key_hash or "")  # only the hash is kept


def test_signed_in_user_resumes_on_another_device_and_claims_guest_draft(world):
    with session_scope() as s:
        ana = s.get(type(world["ana"]), world["ana"].id)
        row = chat.start(s, None, KEY_A, "es")
        chat.choose(s, row, None, "consulta", "es")
        # Signs in on this browser: the draft follows the account...
        assert chat.find(s, ana, KEY_A).id == row.id
        # ...and another device (another guest key) resumes it.
        assert chat.find(s, ana, KEY_B).id == row.id
        # Signed out again, the account's conversation is not shown to the browser's key.
        assert chat.find(s, None, KEY_A) is None
        v = chat.view(s, row, ana, "es")
        assert v.step.name == "service"


def test_this_solved_it_counts_as_deflection(world):
    with session_scope() as s:
        from helpdesk.services import kb

        kb.create_article(s, world["admin"], title="No puedo entrar en el sistema", summary="Acceso",
                          body="Restablece la contraseña desde la pantalla de entrada del sistema.", locale="es",
                          is_published=True)
        row = chat.start(s, None, KEY_A, "es")
        chat.choose(s, row, None, "consulta", "es")
        chat.choose(s, row, None, str(world["service"]), "es")
        chat.choose(s, row, None, "no", "es")
        chat.send_text(s, row, None, "No puedo entrar en el sistema", "es")
        v = chat.view(s, row, None, "es")
        assert v.step.name == "suggest" and any(t.get("articles") for t in v.turns)
        chat.choose(s, row, None, "solved", "es")
        funnel = kb.deflection_funnel(s, world["admin"])
        assert funnel["deflected"] == 1
        assert chat.view(s, row, None, "es").step.name == "done" and row.ticket_id is None


def test_admin_questions_per_service_and_retention(world):
    with session_scope() as s:
        admin = world["admin"]
        q = chat_config.add_question(s, admin, text_es="¿Afecta a varios usuarios?", service_id=world["service"],
                                     raises_to="medium")
        assert [x.id for x in chat_config.questions_for(s, world["service"])][-1] == q.id
        assert q.id not in [x.id for x in chat_config.questions_for(s, None)]
        with pytest.raises(ServiceError):
            chat_config.add_question(s, world["ana"], text_es="¿Intruso?")
        with pytest.raises(ValidationError):
            chat_config.add_question(s, admin, text_es="¿Urgente?", raises_to="urgent")
        chat_config.remove_question(s, admin, q.id)
        assert q.id not in [x.id for x in chat_config.questions_for(s, world["service"])]
        assert chat_config.set_guest_retention_days(s, admin, "3") == 3
        with pytest.raises(ValidationError):
            chat_config.set_guest_retention_days(s, admin, "0")


def test_expiry_abandons_drafts_and_deletes_old_guest_conversations(world):
    with session_scope() as s:
        chat_config.set_guest_retention_days(s, world["admin"], "10")
        old = chat.start(s, None, KEY_A, "es")
        ana = s.get(type(world["ana"]), world["ana"].id)
        mine = chat.start(s, ana, KEY_B, "es")
        old.updated_at = mine.updated_at = utcnow() - timedelta(days=8)
        s.add_all([old, mine])
        s.flush()
        assert chat_config.expire_conversations(s) == (2, 0)
        assert chat.find(s, None, KEY_A) is None and chat.find(s, ana, KEY_B) is None
        assert chat_config.expire_conversations(s, now=utcnow() + timedelta(days=3)) == (0, 1)
        assert s.get(ChatConversation, mine.id) is not None  # accounts' conversations are kept


def test_widget_identity_hmac(world, monkeypatch):
    monkeypatch.setenv("HELPDESK_WIDGET_SECRET", "shh")
    ts = 1_800_000_000
    sig = chat_config.identity_signature("Ana@Host.test", "Ana", ts, "shh")
    assert chat_config.verify_identity("Ana@Host.test", "Ana", ts, sig, now=ts + 10) == ("ana@host.test", "Ana")
    assert chat_config.verify_identity("eve@host.test", "Ana", ts, sig, now=ts) is None
    assert chat_config.verify_identity("Ana@Host.test", "Ana", ts, sig, now=ts + 3 * 86400) is None
    monkeypatch.setenv("HELPDESK_WIDGET_SECRET", "")
    assert chat_config.verify_identity("Ana@Host.test", "Ana", ts, sig, now=ts) is None


def test_frame_ancestors_lists_only_configured_origins(monkeypatch):
    monkeypatch.setenv("HELPDESK_WIDGET_ORIGINS", "https://shop.example, http://127.0.0.1:8123 'unsafe-inline'")
    assert chat_config.frame_ancestors() == "frame-ancestors 'self' https://shop.example http://127.0.0.1:8123"
    monkeypatch.delenv("HELPDESK_WIDGET_ORIGINS")
    assert chat_config.frame_ancestors() == "frame-ancestors 'self'"


def test_the_email_step_does_not_tell_whether_an_address_has_an_account(world):
    """Account enumeration (issue 13): the answer comes only after a solved captcha."""
    from helpdesk.services.errors import ValidationError

    with session_scope() as s:
        row = chat.start(s, None, KEY_A, "es")
        chat.choose(s, row, None, "anomalia", "es")
        chat.choose(s, row, None, str(world["service"]), "es")
        chat.choose(s, row, None, "yes", "es")
        chat.send_text(s, row, None, "No puedo entrar en el sistema desde esta mañana", "es")
        if chat._step(s, row, None).name == "suggest":
            chat.choose(s, row, None, "continue", "es")
        chat.choose(s, row, None, "continue", "es")
        chat.send_text(s, row, None, "Alguien", "es")
        chat.send_text(s, row, None, "ana@x.test", "es")  # Ana has an account: same answer as anyone
        assert chat._step(s, row, None).name == "phone"
        chat.send_text(s, row, None, "", "es")
        with pytest.raises(ValidationError) as err:
            chat_submit.confirm(s, row, None, solved(), locale="es")
        assert err.value.errors == {"email": "tickets.email_has_account"}
