"""Splitting one customer message off a ticket into a ticket of its own (the reverse of a merge).

The customer wrote about something else in the same conversation: the agent moves that message
(with its attachments) to a new ticket for the same requester, service, category and
organization, with the original's subject marked "(separado de #N)". Both tickets name each
other in their history, the requester is told by mail (outbox: it leaves once this commits),
and the move is recorded (ticket_merges, kind "split") so that an admin can undo it.

Refused: staff messages and internal notes (only what the customer wrote opens a ticket for
them), the ticket's first message (the original would be left without its description), and
closed tickets (nothing is handled there any more).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import update
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.principals import of_actor
from helpdesk.domain.ticket_moves import SPLIT
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketStatus
from helpdesk.infra import bus
from helpdesk.services import audit, policy, ticket_core, ticket_moves, tickets
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound, ServiceError
from helpdesk.services.policy import Action

MARK = {"es": "(separado de #{number})", "en": "(split from #{number})"}


def _first_message_id(session: Session, ticket: Ticket) -> Optional[int]:
    return session.exec(select(Message.id).where(Message.ticket_id == ticket.id).order_by(Message.created_at, Message.id)).first()


def splittable_ids(session: Session, actor: Optional[User], ticket: Ticket) -> list[int]:
    """The messages of `ticket` the agent may split off (what the page offers the control on)."""
    if not policy.user_may(actor, Action.SPLIT_TICKET, tickets.facts(session, ticket)) or ticket.status_enum is TicketStatus.CLOSED:
        return []
    first = _first_message_id(session, ticket)
    rows = session.exec(select(Message).where(Message.ticket_id == ticket.id, Message.is_internal == False)).all()  # noqa: E712
    return [m.id for m in rows if m.id != first and m.author_id == ticket.requester_id]


def _message(session: Session, ticket: Ticket, message_id: object) -> Message:
    try:
        mid = int(message_id)
    except (TypeError, ValueError):
        raise NotFound("split.message_not_found") from None
    message = session.get(Message, mid)
    if message is None or message.ticket_id != ticket.id:
        raise NotFound("split.message_not_found")
    if message.is_internal or message.author_id != ticket.requester_id:
        raise ServiceError("split.not_customer_message")
    if message.id == _first_message_id(session, ticket):
        raise ServiceError("split.first_message")
    return message


def subject_for(original: Ticket) -> str:
    mark = MARK.get(original.locale, MARK["es"]).format(number=original.number)
    room = ticket_core.MAX_SUBJECT - len(mark) - 1
    base = original.subject if len(original.subject) <= room else original.subject[: room - 1].rstrip() + "…"
    return f"{base} {mark}"


def split(session: Session, actor: Optional[User], number: object, message_id: object, *,
          now: datetime | None = None) -> Ticket:
    """Move one customer message of ticket `number` into a new ticket; returns the new ticket."""
    now = now or utcnow()
    actor = require_staff(actor)
    original = tickets.get_ticket(session, actor, number)
    policy.require(of_actor(actor), Action.SPLIT_TICKET, tickets.facts(session, original))
    if original.status_enum is TicketStatus.CLOSED:
        raise ServiceError("split.ticket_closed")
    message = _message(session, original, message_id)

    new = Ticket(
        number=ticket_core._next_number(session),  # noqa: SLF001 - the one ticket numbering
        subject=subject_for(original), category=original.category, service_id=original.service_id,
        request_type_id=original.request_type_id, priority=original.priority, status=TicketStatus.OPEN.value,
        requester_id=original.requester_id, organization_id=original.organization_id, assignee_id=original.assignee_id,
        created_at=now, updated_at=now, last_activity_at=now, locale=original.locale,
    )
    session.add(new)
    session.flush()
    files = list(session.exec(select(Attachment.id).where(Attachment.message_id == message.id)).all())
    session.exec(update(Message).where(Message.id == message.id).values(ticket_id=new.id))
    if files:
        session.exec(update(Attachment).where(Attachment.id.in_(files)).values(ticket_id=new.id))
    session.flush()
    ticket_core._apply_sla(session, new, now)  # noqa: SLF001 - a new ticket runs on its own clock
    ticket_moves.reindex(session, new)
    ticket_moves.reindex(session, original)

    tickets.record_event(session, new, actor, "split_from", "", f"#{original.number}")
    tickets.record_event(session, original, actor, "split_into", "", f"#{new.number}")
    ticket_moves.touch(original, now)
    row = ticket_moves.record(session, SPLIT, original, new, actor, now, message_ids=[message.id], attachment_ids=files)
    requester = session.get(User, original.requester_id)
    if requester is not None and requester.email:
        ticket_moves.tell_customer(session, about=new, locale=new.locale, template="ticket_split",
                                   key=f"split:{row.id}", to=requester, source_number=original.number)
    audit.record(session, "ticket.split", actor.id, target=f"#{original.number} -> #{new.number}", detail=f"message={message.id}")
    session.flush()
    for t in (original, new):
        bus.publish(bus.ticket_topic(t.id), ticket_id=t.id, version=t.version)
    bus.publish(bus.QUEUE_TOPIC, ticket_id=new.id)
    return new
