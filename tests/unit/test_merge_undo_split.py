"""Issue 15: a merge tells the customer and an admin can undo it; splitting a customer's
message into a ticket of its own, told by mail and undoable too (services, no Reflex)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.mail import AuditEvent, OutboxMail
from helpdesk.domain.ticket_moves import TicketMerge
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketCC, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, merge, merge_undo, seed, split, tickets
from helpdesk.services.errors import NotFound, PermissionDenied, ServiceError


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0], **kw)  # noqa: E731
        people = {
            "ana": mk("ana@x.test"),
            "bob": mk("bob@x.test"),
            "agent": mk("agente@x.test", role=Role.AGENT),
            "admin": mk("admin@x.test", role=Role.ADMIN),
        }
        service_id = s.exec(select(Service.id)).first()
    return {"service": service_id, **people}


def _open(world, who, subject="No puedo llamar", locale="es") -> int:
    draft = tickets.TicketDraft(subject=subject, description="Desde esta mañana no salen las llamadas.",
                                category="anomalia", service_id=world["service"])
    with session_scope() as s:
        return tickets.create_ticket(s, world[who], draft, locale=locale).number


def _ticket(s, number) -> Ticket:
    return s.exec(select(Ticket).where(Ticket.number == number)).one()


def _events(s, ticket) -> set[tuple[str, str]]:
    return {(e.kind, e.to_value) for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()}


def _mails(s, prefix) -> list[OutboxMail]:
    return [m for m in s.exec(select(OutboxMail)).all() if (m.idempotency_key or "").startswith(prefix)]


def _merged(world, *, source_locale="es"):
    """bob's ticket (pending, one reply, a CC, a file) merged into ana's, which already had a CC."""
    source, target = _open(world, "bob", "Segundo aviso", source_locale), _open(world, "ana", "Primer aviso")
    with session_scope() as s:
        tickets.add_message(s, world["bob"], source, "Sigue sin funcionar")
        tickets.add_cc(s, world["bob"], source, "socio@x.test")
        tickets.add_cc(s, world["ana"], target, "socio@x.test")  # already there: the merge does not add it
        tickets.change_status(s, world["agent"], source, "pending")
        src = _ticket(s, source)
        s.add(Attachment(ticket_id=src.id, filename="a.txt", content_type="text/plain", size=1, sha256="0" * 64))
    with session_scope() as s:
        merge.merge(s, world["agent"], source, target)
    return source, target


def test_merge_mails_the_source_requester_where_the_conversation_continues(world):
    source, target = _merged(world)
    with session_scope() as s:
        tgt = _ticket(s, target)
        [mail] = _mails(s, "merged:")
        assert mail.to_email == "bob@x.test" and mail.ticket_id == tgt.id
        assert f"#{source}" in mail.subject and f"#{target}" in mail.subject
        assert "continúa en" in mail.text_body and f"/tickets/{target}?k=" in mail.text_body


def test_merge_mail_speaks_the_source_tickets_language(world):
    source, target = _merged(world, source_locale="en")
    with session_scope() as s:
        [mail] = _mails(s, "merged:")
        assert f"Your ticket #{source} continues in #{target}" in mail.subject


def test_merge_records_what_it_moved(world):
    source, target = _merged(world)
    with session_scope() as s:
        row = s.exec(select(TicketMerge)).one()
        src, tgt = _ticket(s, source), _ticket(s, target)
        moved = s.exec(select(Message.id).where(Message.ticket_id == tgt.id, Message.author_id == world["bob"].id)).all()
        assert (row.kind, row.source_id, row.target_id, row.source_status) == ("merge", src.id, tgt.id, "pending")
        assert sorted(row.message_ids) == sorted(moved) and len(row.attachment_ids) == 1
        assert row.cc_emails == ["bob@x.test"]  # socio@ was on the target already
        assert row.undone_at is None


def test_admin_undoes_a_merge(world):
    source, target = _merged(world)
    with session_scope() as s:
        tickets.add_message(s, world["ana"], target, "Respuesta escrita después de fusionar")
        row_id = s.exec(select(TicketMerge.id)).one()
        offered = merge_undo.undoable_for(s, world["admin"], _ticket(s, source))
        assert offered == merge_undo.Undoable(row_id, "merge", source, target)
        assert merge_undo.undoable_for(s, world["admin"], _ticket(s, target)) == offered
    with session_scope() as s:
        merge_undo.undo(s, world["admin"], row_id)
    with session_scope() as s:
        src, tgt = _ticket(s, source), _ticket(s, target)
        assert src.status == "pending"
        bodies = [m.body for m in s.exec(select(Message).where(Message.ticket_id == src.id)).all()]
        assert "Sigue sin funcionar" in bodies and "Desde esta mañana no salen las llamadas." in bodies
        # The "continues in #target" note is no longer shown to the customer.
        shown = [m.body for m in tickets.messages_for(s, world["bob"], src)]
        assert not [b for b in shown if f"#{target}" in b] and "Sigue sin funcionar" in shown
        assert [m for m in s.exec(select(Message).where(Message.ticket_id == src.id, Message.is_internal == True)).all()  # noqa: E712
                if f"#{target}" in m.body]
        left = [m.body for m in s.exec(select(Message).where(Message.ticket_id == tgt.id)).all()]
        assert "Sigue sin funcionar" not in left and "Respuesta escrita después de fusionar" in left
        assert s.exec(select(Attachment).where(Attachment.ticket_id == src.id)).one().filename == "a.txt"
        ccs = {c.email for c in s.exec(select(TicketCC).where(TicketCC.ticket_id == tgt.id)).all()}
        assert ccs == {"socio@x.test"}  # only the CC the merge added is gone
        assert ("merge_undone", f"#{target}") in _events(s, src) and ("merge_undone", f"#{source}") in _events(s, tgt)
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "ticket.merge_undone")).one().actor_id == world["admin"].id
        assert s.exec(select(TicketMerge)).one().undone_by_id == world["admin"].id
        assert merge_undo.undoable_for(s, world["admin"], src) is None
        # The source's words are findable on the source again, not on the target.
        assert tickets.get_ticket(s, world["bob"], source).number == source


def test_undo_reopens_a_new_source_as_new(world):
    source, target = _open(world, "bob"), _open(world, "ana")
    with session_scope() as s:
        merge.merge(s, world["agent"], source, target)
        row_id = s.exec(select(TicketMerge.id)).one()
    with session_scope() as s:
        merge_undo.undo(s, world["admin"], row_id)
    with session_scope() as s:
        assert _ticket(s, source).status == "new"


def test_undo_refusals(world):
    source, target = _merged(world)
    with session_scope() as s:
        row_id = s.exec(select(TicketMerge.id)).one()
        assert merge_undo.undoable_for(s, world["agent"], _ticket(s, source)) is None
    for who in ("agent", "bob", None):
        with pytest.raises(PermissionDenied), session_scope() as s:
            merge_undo.undo(s, world[who] if who else None, row_id)
    with pytest.raises(NotFound), session_scope() as s:
        merge_undo.undo(s, world["admin"], 999999)
    with session_scope() as s:
        merge_undo.undo(s, world["admin"], row_id)
    with pytest.raises(ServiceError) as err, session_scope() as s:
        merge_undo.undo(s, world["admin"], row_id)
    assert err.value.code == "merge_undo.already_undone"


def test_undo_is_refused_when_a_ticket_is_gone(world):
    source, target = _merged(world)
    with session_scope() as s:
        row = s.exec(select(TicketMerge)).one()
        row.target_id = None  # what deleting the target leaves (ON DELETE SET NULL)
        row_id = row.id
    with pytest.raises(ServiceError) as err, session_scope() as s:
        merge_undo.undo(s, world["admin"], row_id)
    assert err.value.code == "merge_undo.ticket_gone"
    with session_scope() as s:
        assert _ticket(s, source).status == "closed"


# ---------------------------------------------------------------- split


def _with_second_message(world, text="Otra cosa: la factura de marzo está mal.") -> tuple[int, int]:
    number = _open(world, "bob", "No puedo llamar")
    with session_scope() as s:
        tickets.add_message(s, world["bob"], number, text)
        t = _ticket(s, number)
        mid = s.exec(select(Message.id).where(Message.ticket_id == t.id, Message.body == text)).one()
        s.add(Attachment(ticket_id=t.id, message_id=mid, filename="factura.pdf", content_type="application/pdf", size=1, sha256="1" * 64))
    return number, mid


def test_split_moves_the_message_to_a_new_ticket_and_tells_the_customer(world):
    number, mid = _with_second_message(world)
    with session_scope() as s:
        assert split.splittable_ids(s, world["agent"], _ticket(s, number)) == [mid]
        new = split.split(s, world["agent"], number, mid)
        new_number = new.number
    with session_scope() as s:
        orig, new = _ticket(s, number), _ticket(s, new_number)
        assert new.subject == f"No puedo llamar (separado de #{number})"
        assert (new.requester_id, new.service_id, new.category, new.organization_id) == (
            orig.requester_id, orig.service_id, orig.category, orig.organization_id)
        assert s.get(Message, mid).ticket_id == new.id
        assert s.exec(select(Attachment).where(Attachment.message_id == mid)).one().ticket_id == new.id
        assert ("split_into", f"#{new_number}") in _events(s, orig) and ("split_from", f"#{number}") in _events(s, new)
        [mail] = _mails(s, "split:")
        assert mail.to_email == "bob@x.test" and mail.ticket_id == new.id and f"/tickets/{new_number}?k=" in mail.text_body
        assert f"#{number}" in mail.text_body
        # The requester sees the new ticket.
        assert tickets.get_ticket(s, world["bob"], new_number).id == new.id


def test_split_refusals(world):
    number, mid = _with_second_message(world)
    with session_scope() as s:
        t = _ticket(s, number)
        first = s.exec(select(Message.id).where(Message.ticket_id == t.id).order_by(Message.id)).first()
        tickets.add_message(s, world["agent"], number, "Lo miramos", internal=False)
        tickets.add_message(s, world["agent"], number, "nota", internal=True)
        staff_ids = s.exec(select(Message.id).where(Message.ticket_id == t.id, Message.author_id == world["agent"].id)).all()
    for bad, code in [(first, "split.first_message"), (staff_ids[0], "split.not_customer_message"),
                      (staff_ids[1], "split.not_customer_message"), (999999, "split.message_not_found"),
                      ("x", "split.message_not_found")]:
        with pytest.raises(ServiceError) as err, session_scope() as s:
            split.split(s, world["agent"], number, bad)
        assert err.value.code == code
    other = _open(world, "ana")
    with pytest.raises(NotFound), session_scope() as s:
        split.split(s, world["agent"], other, mid)  # a message of another ticket
    for who in ("bob", None):
        with pytest.raises(PermissionDenied), session_scope() as s:
            split.split(s, world[who] if who else None, number, mid)
    with session_scope() as s:
        tickets.change_status(s, world["agent"], number, "solved")
        tickets.change_status(s, world["agent"], number, "closed")
    with pytest.raises(ServiceError) as err, session_scope() as s:
        split.split(s, world["agent"], number, mid)
    assert err.value.code == "split.ticket_closed"
    with session_scope() as s:
        assert s.exec(select(TicketMerge)).all() == []


def test_split_subject_fits_and_speaks_the_tickets_language(world):
    number = _open(world, "bob", "x" * 200, locale="en")
    with session_scope() as s:
        subject = split.subject_for(_ticket(s, number))
    assert len(subject) <= 200 and subject.endswith(f"(split from #{number})")


def test_admin_undoes_a_split(world):
    number, mid = _with_second_message(world)
    with session_scope() as s:
        new_number = split.split(s, world["agent"], number, mid).number
        row_id = s.exec(select(TicketMerge.id)).one()
        assert merge_undo.undoable_for(s, world["admin"], _ticket(s, new_number)).kind == "split"
    with session_scope() as s:
        merge_undo.undo(s, world["admin"], row_id)
    with session_scope() as s:
        orig, new = _ticket(s, number), _ticket(s, new_number)
        assert s.get(Message, mid).ticket_id == orig.id
        assert s.exec(select(Attachment).where(Attachment.message_id == mid)).one().ticket_id == orig.id
        assert new.status == "closed" and orig.status != "closed"
        assert ("split_undone", f"#{new_number}") in _events(s, orig) and ("split_undone", f"#{number}") in _events(s, new)
        assert not _mails(s, "solved:")  # closed quietly: no survey
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "ticket.split_undone")).one() is not None


def test_erasing_an_account_drops_its_address_from_the_merge_record(world):
    from helpdesk.services import privacy

    source, target = _merged(world)
    with session_scope() as s:
        assert s.exec(select(TicketMerge)).one().cc_emails == ["bob@x.test"]
        privacy.anonymize_user(s, world["admin"], world["bob"].id)
    with session_scope() as s:
        assert s.exec(select(TicketMerge)).one().cc_emails == []
