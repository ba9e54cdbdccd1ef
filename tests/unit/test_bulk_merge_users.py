"""Bulk queue actions, merging tickets and the admins' user list (services, no Reflex)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Role, User
from helpdesk.domain.catalog import Service
from helpdesk.domain.mail import AuditEvent, OutboxMail
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketCC, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, bulk, merge, seed, tickets, users_admin
from helpdesk.services.bulk import BulkChange
from helpdesk.services.errors import NotFound, PermissionDenied, ServiceError, ValidationError


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
            "other": mk("otro@globex.test", org_name="Globex"),
            "agent": mk("agente@x.test", role=Role.AGENT),
            "agent2": mk("agente2@x.test", role=Role.AGENT),
            "admin": mk("admin@x.test", role=Role.ADMIN),
        }
        service_id = s.exec(select(Service.id)).first()
    return {"service": service_id, **people}


def _open(world, who, subject="No puedo llamar") -> int:
    draft = tickets.TicketDraft(subject=subject, description="Desde esta mañana no salen las llamadas.",
                                category="anomalia", service_id=world["service"])
    with session_scope() as s:
        return tickets.create_ticket(s, world[who], draft).number


def _ticket(s, number) -> Ticket:
    return s.exec(select(Ticket).where(Ticket.number == number)).one()


# ---------------------------------------------------------------- bulk


def test_bulk_changes_each_ticket_with_its_own_history(world):
    numbers = [_open(world, "ana"), _open(world, "bob"), _open(world, "boss")]
    with session_scope() as s:
        result = bulk.apply(s, world["agent"], numbers, BulkChange(status="pending", priority="high", assignee="me"))
    assert sorted(result.changed) == sorted(numbers) and result.skipped == []
    with session_scope() as s:
        for n in numbers:
            t = _ticket(s, n)
            assert (t.status, t.priority, t.assignee_id) == ("pending", "high", world["agent"].id)
            kinds = {e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id)).all()}
            assert {"status", "priority", "assignee"} <= kinds
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "tickets.bulk")).first() is not None


def test_bulk_skips_what_a_ticket_refuses_and_what_is_unchanged(world):
    a, b = _open(world, "ana"), _open(world, "bob")
    with session_scope() as s:
        tickets.change_status(s, world["agent"], a, "solved")
        tickets.change_status(s, world["agent"], a, "closed")
    with session_scope() as s:
        result = bulk.apply(s, world["agent"], [a, b, "#999999", "basura"], BulkChange(status="pending"))
    assert result.changed == [b] and result.skipped == [a, 999999]
    with session_scope() as s:
        result = bulk.apply(s, world["agent"], [b], BulkChange(status="pending"))
    assert result.changed == [] and result.skipped == [b]


def test_bulk_assigns_to_another_agent_or_nobody_and_rejects_non_agents(world):
    n = _open(world, "ana")
    with session_scope() as s:
        bulk.apply(s, world["agent"], [n], BulkChange(assignee=str(world["agent2"].id)))
        assert _ticket(s, n).assignee_id == world["agent2"].id
        bulk.apply(s, world["agent"], [n], BulkChange(assignee="none"))
        assert _ticket(s, n).assignee_id is None
    for bad in (str(world["ana"].id), "x"):
        with pytest.raises(ValidationError), session_scope() as s:
            bulk.apply(s, world["agent"], [n], BulkChange(assignee=bad))
    with pytest.raises(ValidationError), session_scope() as s:
        bulk.apply(s, world["agent"], [n], BulkChange())
    with pytest.raises(ValidationError), session_scope() as s:
        bulk.apply(s, world["agent"], [n], BulkChange(priority="extreme"))


@pytest.mark.parametrize("who", [None, "ana", "boss"])
def test_bulk_is_for_staff_only(world, who):
    n = _open(world, "ana")
    with pytest.raises(PermissionDenied), session_scope() as s:
        bulk.apply(s, world[who] if who else None, [n], BulkChange(status="solved"))


def test_bulk_caps_the_number_of_tickets():
    assert len(bulk.clean_numbers(range(1000, 1500))) == bulk.MAX_TICKETS
    assert bulk.clean_numbers(["#1001", 1001, "1002", None, "x"]) == [1001, 1002]


# ---------------------------------------------------------------- merge


def test_merge_moves_the_conversation_closes_the_source_and_copies_its_requester(world):
    source, target = _open(world, "bob", "Segundo aviso"), _open(world, "ana", "Primer aviso")
    with session_scope() as s:
        tickets.add_message(s, world["bob"], source, "Sigue sin funcionar")
        tickets.add_cc(s, world["bob"], source, "socio@x.test")
        src = _ticket(s, source)
        s.add(Attachment(ticket_id=src.id, filename="a.txt", content_type="text/plain", size=1, sha256="0" * 64))
    with session_scope() as s:
        merge.merge(s, world["agent"], source, f"#{target}")
    with session_scope() as s:
        src, tgt = _ticket(s, source), _ticket(s, target)
        assert src.status == "closed"
        bodies = [m.body for m in s.exec(select(Message).where(Message.ticket_id == tgt.id)).all()]
        assert "Sigue sin funcionar" in bodies and len(bodies) == 3
        left = s.exec(select(Message).where(Message.ticket_id == src.id)).all()
        assert len(left) == 1 and f"#{target}" in left[0].body
        assert s.exec(select(Attachment).where(Attachment.ticket_id == tgt.id)).one().filename == "a.txt"
        ccs = {c.email for c in s.exec(select(TicketCC).where(TicketCC.ticket_id == tgt.id)).all()}
        assert ccs == {"bob@x.test", "socio@x.test"}
        kinds = {(e.ticket_id, e.kind, e.to_value) for e in s.exec(select(TicketEvent)).all()}
        assert (src.id, "merged_into", f"#{target}") in kinds and (tgt.id, "merged_from", f"#{source}") in kinds
        # Closed quietly: no satisfaction survey for a merge.
        assert not [m for m in s.exec(select(OutboxMail)).all() if "solved" in (m.idempotency_key or "")]
    # The target's requester now sees the moved message; the source's requester is in CC.
    with session_scope() as s:
        assert tickets.get_ticket(s, world["bob"], target).number == target


def test_merge_refusals(world):
    a, b = _open(world, "boss"), _open(world, "other")
    c = _open(world, "ana")
    cases = [(a, a, ValidationError), (a, "abc", ValidationError), (a, 999999, ValidationError), (a, b, ValidationError)]
    for source, target, exc in cases:
        with pytest.raises(exc), session_scope() as s:
            merge.merge(s, world["agent"], source, target)
    with pytest.raises(PermissionDenied), session_scope() as s:
        merge.merge(s, world["boss"], a, c)
    with pytest.raises(PermissionDenied), session_scope() as s:
        merge.merge(s, None, a, c)
    # No organization on one side is fine; a closed source or target is not.
    with session_scope() as s:
        merge.merge(s, world["agent"], c, a)
    with pytest.raises(ServiceError), session_scope() as s:
        merge.merge(s, world["agent"], c, a)
    d = _open(world, "bob")
    with pytest.raises(ValidationError), session_scope() as s:
        merge.merge(s, world["agent"], d, c)


# ---------------------------------------------------------------- users admin


def test_user_list_pages_searches_and_counts(world):
    with session_scope() as s:
        for i in range(25):
            accounts.create_user(s, email=f"persona{i}@y.test", password="password-123", name=f"Persona {i}")
    with session_scope() as s:
        page = users_admin.list_page(s, world["admin"], query="PERSONA")
        assert page.total == 25 and page.pages == 2 and len(page.users) == users_admin.PAGE_SIZE
        second = users_admin.list_page(s, world["admin"], query="persona", page=9)
        assert second.page == 2 and len(second.users) == 5
        assert page.counts["agent"] == 2 and page.counts["admin"] == 1 and page.counts["inactive"] == 0
        assert users_admin.list_page(s, world["admin"], query="agente2@").users[0].email == "agente2@x.test"


@pytest.mark.parametrize("who", [None, "ana", "agent"])
def test_user_admin_is_for_admins_only(world, who):
    actor = world[who] if who else None
    calls = [
        lambda s: users_admin.list_page(s, actor),
        lambda s: users_admin.set_role(s, actor, world["ana"].id, "admin"),
        lambda s: users_admin.set_active(s, actor, world["ana"].id, False),
        lambda s: users_admin.invite(s, actor, name="X", email="x@evil.test"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied), session_scope() as s:
            call(s)


def test_role_change_is_audited_and_self_demotion_refused(world):
    with session_scope() as s:
        users_admin.set_role(s, world["admin"], world["ana"].id, "agent")
        assert s.get(User, world["ana"].id).role == "agent"
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "role.changed")).first().target == "ana@x.test"
    with pytest.raises(ServiceError), session_scope() as s:
        users_admin.set_role(s, world["admin"], world["admin"].id, "agent")
    with pytest.raises(ValidationError), session_scope() as s:
        users_admin.set_role(s, world["admin"], world["ana"].id, "god")
    with pytest.raises(NotFound), session_scope() as s:
        users_admin.set_role(s, world["admin"], 999999, "agent")


def test_deactivation_ends_sessions_and_blocks_sign_in_and_keeps_tickets(world):
    n = _open(world, "ana")
    with session_scope() as s:
        token = accounts.start_session(s, s.get(User, world["ana"].id))
    with session_scope() as s:
        users_admin.set_active(s, world["admin"], world["ana"].id, False)
    with session_scope() as s:
        assert accounts.user_for_token(s, token) is None
        assert _ticket(s, n).requester_id == world["ana"].id
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "user.deactivated")).first() is not None
    with pytest.raises(ServiceError), session_scope() as s:
        accounts.authenticate(s, email="ana@x.test", password="password-123")
    with session_scope() as s:
        users_admin.set_active(s, world["admin"], world["ana"].id, True)
    with session_scope() as s:
        assert accounts.authenticate(s, email="ana@x.test", password="password-123")[0].id == world["ana"].id
    with pytest.raises(ServiceError), session_scope() as s:
        users_admin.set_active(s, world["admin"], world["admin"].id, False)


def test_invite_creates_an_agent_and_mails_a_set_password_link(world):
    from helpdesk.services import trust

    with session_scope() as s:
        user = users_admin.invite(s, world["admin"], name="  Nueva   Agente ", email="Nueva@X.test", role="agent")
        assert (user.email, user.name, user.role) == ("nueva@x.test", "Nueva Agente", "agent")
    with session_scope() as s:
        mail = s.exec(select(OutboxMail).where(OutboxMail.to_email == "nueva@x.test")).one()
    token = mail.text_body.split("/reset/")[1].split()[0]
    with session_scope() as s:
        trust.reset_password(s, token, "una-clave-nueva-1")
    with session_scope() as s:
        assert accounts.authenticate(s, email="nueva@x.test", password="una-clave-nueva-1")[0].role == "agent"
    for bad in (dict(email="nueva@x.test"), dict(email="no-es-correo"), dict(role="customer", email="c@x.test"), dict(name="", email="d@x.test")):
        args = {"name": "Alguien", "role": "agent", **bad}
        with pytest.raises(ValidationError), session_scope() as s:
            users_admin.invite(s, world["admin"], **args)


def test_bulk_undo_puts_tickets_back(world):
    a, b = _open(world, "ana"), _open(world, "bob")
    with session_scope() as s:
        tickets.change_status(s, world["agent"], a, "open")
        tickets.set_priority(s, world["agent"], a, "low")
    with session_scope() as s:
        result = bulk.apply(s, world["agent"], [a, b], BulkChange(status="pending", priority="high", assignee="me"))
    with session_scope() as s:
        undone = bulk.undo(s, world["agent"], result.before)
    assert sorted(undone.changed) == sorted([a, b])
    with session_scope() as s:
        ta, tb = _ticket(s, a), _ticket(s, b)
        assert (ta.status, ta.priority, ta.assignee_id) == ("open", "low", None)
        # "new" cannot come back and "no priority" neither: the rest is undone.
        assert (tb.status, tb.priority, tb.assignee_id) == ("pending", "high", None)
    with pytest.raises(PermissionDenied), session_scope() as s:
        bulk.undo(s, world["ana"], result.before)
