"""The ticket service: numbering, visibility, conversation, lifecycle, reopen, CC, auto-close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Message, Ticket, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, seed, tickets
from helpdesk.services.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from tests.support.captcha import solved


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0], **kw)  # noqa: E731
        people = {
            "ana": mk("ana@x.test"),
            "bob": mk("bob@x.test"),
            "boss": mk("jefa@acme.test", org_name="Acme", org_admin=True),
            "worker": mk("obrero@acme.test", org_name="Acme"),
            "worker2": mk("obrera@acme.test", org_name="Acme"),
            "agent": mk("agente@x.test", role=Role.AGENT),
            "agent2": mk("agente2@x.test", role=Role.AGENT),
        }
        service_id = s.exec(select(Service.id)).first()
    return {"service": service_id, **people}


def _open(world, who, subject="No puedo llamar", **kw) -> Ticket:
    draft = tickets.TicketDraft(
        subject=subject,
        description=kw.pop("description", "Desde esta mañana no salen las llamadas."),
        category=kw.pop("category", "anomalia"),
        service_id=world["service"],
        **kw,
    )
    with session_scope() as s:
        return tickets.create_ticket(s, world[who] if who else None, draft)


def test_numbers_are_sequential_and_public(world):
    a = _open(world, "ana")
    b = _open(world, "bob")
    assert (a.number, b.number) == (1001, 1002)
    assert a.public_id == "#1001"
    assert tickets.parse_number("#1002") == tickets.parse_number(" 1002 ") == 1002
    assert tickets.parse_number("1002; drop") is None


def test_creation_records_message_event_sla_and_confirmation_mail(world):
    t = _open(world, "ana")
    with session_scope() as s:
        assert s.exec(select(Message).where(Message.ticket_id == t.id)).one().body.startswith("Desde")
        assert s.exec(select(TicketEvent.kind).where(TicketEvent.ticket_id == t.id)).all() == ["created"]
        mail = s.exec(select(OutboxMail)).one()
    assert t.first_response_due_at is not None and t.due_at is not None
    assert mail.to_email == "ana@x.test" and "1001" in mail.subject
    assert "/tickets/1001?k=" in mail.text_body


def test_validation_lists_every_bad_field_and_creates_nothing(world):
    with pytest.raises(ValidationError) as err, session_scope() as s:
        tickets.create_ticket(s, None, tickets.TicketDraft(subject=" ", description="corto", category="x"))
    assert set(err.value.errors) == {"subject", "description", "category", "service", "name", "email"}
    with session_scope() as s:
        assert s.exec(select(Ticket)).all() == []


def test_registering_with_a_guests_address_does_not_take_over_their_tickets(world):
    """The takeover hole: whoever registers first with a guest's (or a CC'd person's) address
    sees nothing of theirs until they follow the link mailed to that address."""
    from helpdesk.domain.account_tokens import AccountToken
    from helpdesk.services import ticket_list, trust

    guest_ticket = _open(world, None, guest_name="Invitada", guest_email="Invitada@Correo.test")
    copied = _open(world, "ana")
    with session_scope() as s:
        tickets.add_cc(s, world["ana"], copied.number, "invitada@correo.test")
    with session_scope() as s:
        squatter, _ = accounts.register(s, captcha_payload=solved(), name="Quien Sea", email="invitada@correo.test", password="password-123")
        mine = tickets.create_ticket(s, squatter, tickets.TicketDraft(
            subject="Mi propio ticket", description="Lo abro con la cuenta nueva, ya registrada.",
            category="consulta", service_id=world["service"]))
    with session_scope() as s:
        for number in (guest_ticket.number, copied.number):
            with pytest.raises(NotFound):
                tickets.get_ticket(s, squatter, number)
        visible = {t.id for t in s.exec(tickets.visible_tickets(squatter)).all()}
        assert visible == {mine.id}
        listed = ticket_list.list_tickets(s, squatter, ticket_list.Filters(requester_id=squatter.id))
        assert [row.number for row in listed.rows] == [mine.number]
        # A link for another account (or a made-up one) verifies nothing.
        with pytest.raises(ServiceError):
            trust.verify_email(s, squatter, "made-up-token")
    # The guest's own e-mailed link still opens their ticket.
    from helpdesk.services import ticket_links
    with session_scope() as s:
        assert ticket_links.viewer(s, guest_ticket.number, "invitada@correo.test") is not None
        assert s.exec(select(AccountToken).where(AccountToken.user_id == squatter.id)).one().purpose == "verify"
        # Only the hash is stored: the mailed link carries a token the table does not contain.
        mail = s.exec(select(OutboxMail).where(OutboxMail.to_email == "invitada@correo.test",
                                               OutboxMail.text_body.contains("/verify/"))).one()
        token = mail.text_body.split("/verify/")[1].split()[0]
        assert s.exec(select(AccountToken).where(AccountToken.token_hash == token)).first() is None
    # Following the link (signed in as that account) attaches the guest ticket and the CC.
    with session_scope() as s:
        trust.verify_email(s, squatter, token)
    with session_scope() as s:
        owner = s.get(type(squatter), squatter.id)
        assert tickets.get_ticket(s, owner, guest_ticket.number).id == guest_ticket.id
        assert tickets.get_ticket(s, owner, copied.number).id == copied.id
        with pytest.raises(ServiceError):
            trust.verify_email(s, owner, token)  # single use


def test_visibility_requester_cc_org_admin_and_staff(world):
    t = _open(world, "worker")
    with session_scope() as s:
        for who, sees in (("worker", True), ("boss", True), ("worker2", False), ("ana", False), ("agent", True)):
            assert tickets.can_view(s, world[who], t) is sees, who
            visible = s.exec(tickets.visible_tickets(world[who])).all()
            assert (t.id in {v.id for v in visible}) is sees, who
        tickets.add_cc(s, world["worker"], t.number, "ANA@x.test")
    with session_scope() as s:
        assert tickets.get_ticket(s, world["ana"], "#1001").id == t.id
        with pytest.raises(NotFound):
            tickets.get_ticket(s, world["bob"], t.number)
        with pytest.raises(NotFound):
            tickets.get_ticket(s, None, t.number)


def test_internal_notes_are_staff_only(world):
    t = _open(world, "ana")
    with session_scope() as s:
        tickets.add_message(s, world["agent"], t.number, "Cliente VIP, ojo", internal=True)
        with pytest.raises(PermissionDenied):
            tickets.add_message(s, world["ana"], t.number, "quiero ser nota", internal=True)
    with session_scope() as s:
        ticket = tickets.get_ticket(s, world["ana"], t.number)
        assert [m.body for m in tickets.messages_for(s, world["ana"], ticket)] == [
            "Desde esta mañana no salen las llamadas."
        ]
        assert len(tickets.messages_for(s, world["agent"], ticket)) == 2
        assert s.exec(select(OutboxMail).where(OutboxMail.text_body.contains("VIP"))).all() == []


def test_lifecycle_agent_reply_pending_customer_reply_solve_close_reopen(world):
    t = _open(world, "ana")
    with session_scope() as s:
        tickets.add_message(s, world["agent"], t.number, "¿Qué modelo de teléfono usas?")
        assert tickets.get_ticket(s, world["agent"], t.number).status == "open"
        tickets.change_status(s, world["agent"], t.number, "pending")
        ticket = tickets.get_ticket(s, world["agent"], t.number)
        assert ticket.status == "pending" and ticket.paused_at is not None
        assert ticket.first_response_at is not None
    with session_scope() as s:
        tickets.add_message(s, world["ana"], t.number, "Un Yealink T46")
        ticket = tickets.get_ticket(s, world["ana"], t.number)
        assert ticket.status == "open" and ticket.paused_at is None
        tickets.change_status(s, world["agent"], t.number, "solved")
        tickets.change_status(s, world["agent"], t.number, "closed")
    with session_scope() as s:
        with pytest.raises(ServiceError) as err:
            tickets.add_message(s, world["ana"], t.number, "una cosa más")
        assert err.value.code == "tickets.closed_reopen_first"
        assert tickets.reopen(s, world["ana"], t.number).status == "open"
        kinds = s.exec(select(TicketEvent.to_value).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "status")).all()
    assert kinds == ["open", "pending", "open", "solved", "closed", "open"]


def test_customer_cannot_change_status_priority_or_assignee(world):
    t = _open(world, "ana")
    with session_scope() as s:
        for call in (
            lambda: tickets.change_status(s, world["ana"], t.number, "solved"),
            lambda: tickets.set_priority(s, world["ana"], t.number, "urgent"),
            lambda: tickets.assign(s, world["ana"], t.number, world["ana"].id),
        ):
            with pytest.raises(PermissionDenied):
                call()


def test_invalid_transition_is_refused(world):
    t = _open(world, "ana")
    with session_scope() as s:
        tickets.change_status(s, world["agent"], t.number, "solved")
        tickets.change_status(s, world["agent"], t.number, "closed")
        with pytest.raises(ServiceError) as err:
            tickets.change_status(s, world["agent"], t.number, "pending")
        assert err.value.code == "tickets.transition_invalid"


def test_reopen_after_window_creates_linked_follow_up(world):
    t = _open(world, "ana")
    long_ago = utcnow() - timedelta(days=60)
    with session_scope() as s:
        tickets.change_status(s, world["agent"], t.number, "solved", now=long_ago)
        tickets.change_status(s, world["agent"], t.number, "closed", now=long_ago)
    with session_scope() as s:
        follow = tickets.reopen(s, world["ana"], t.number)
        assert follow.number != t.number and follow.follow_up_of_id == t.id and follow.status == "new"
        assert tickets.get_ticket(s, world["ana"], t.number).status == "closed"


def test_stale_agent_reply_is_refused(world):
    t = _open(world, "ana")
    with session_scope() as s:
        version = tickets.get_ticket(s, world["agent"], t.number).version
        tickets.add_message(s, world["ana"], t.number, "Añado un dato más")
    with session_scope() as s, pytest.raises(ServiceError) as err:
        tickets.add_message(s, world["agent"], t.number, "Respuesta", expected_version=version)
    assert err.value.code == "tickets.changed_meanwhile"


def test_auto_close_after_configured_days(world):
    t = _open(world, "ana")
    with session_scope() as s:
        tickets.change_status(s, world["agent"], t.number, "solved", now=utcnow() - timedelta(days=8))
    with session_scope() as s:
        assert tickets.auto_close_solved(s) == 1
        assert tickets.get_ticket(s, world["ana"], t.number).status == "closed"


def test_priority_change_recomputes_due_date(world):
    t = _open(world, "ana")
    with session_scope() as s:
        before = tickets.get_ticket(s, world["agent"], t.number).due_at
        after = tickets.set_priority(s, world["agent"], t.number, "high").due_at
        assert after < before
        with pytest.raises(ValidationError):
            tickets.set_priority(s, world["agent"], t.number, "mega")
        tickets.assign(s, world["agent"], t.number, world["agent2"].id)
        with pytest.raises(ValidationError):
            tickets.assign(s, world["agent"], t.number, world["ana"].id)


def test_agent_reply_mails_requester_and_ccs_never_notes(world):
    t = _open(world, "ana")
    with session_scope() as s:
        tickets.add_cc(s, world["ana"], t.number, "bob@x.test")
        tickets.add_message(s, world["agent"], t.number, "Ya está resuelto")
        tickets.add_message(s, world["agent"], t.number, "nota secreta", internal=True)
    with session_scope() as s:
        to = sorted(m.to_email for m in s.exec(select(OutboxMail).where(OutboxMail.text_body.contains("Ya está"))).all())
        assert to == ["ana@x.test", "bob@x.test"]
        assert s.exec(select(OutboxMail).where(OutboxMail.text_body.contains("secreta"))).all() == []


def test_guest_cannot_file_under_a_registered_account(world):
    with pytest.raises(ValidationError) as err, session_scope() as s:
        tickets.create_ticket(
            s, None,
            tickets.TicketDraft(subject="Hola", description="Quiero ver sus tickets", category="consulta",
                                service_id=world["service"], guest_name="Intruso", guest_email="ANA@x.test"),
        )
    assert err.value.errors == {"email": "tickets.email_has_account"}
