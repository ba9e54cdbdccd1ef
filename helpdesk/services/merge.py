"""Merging one ticket into another (Zendesk's "merge"): the conversation moves, the source closes.

- Messages and attachments of the source move to the target, keeping their dates and authors.
- The source gets a note naming the target, and is closed (solved, then closed: the lifecycle's
  only way to close), without the "solved" survey mail.
- The source's requester (if someone else) and its CCs are copied on the target.
- Refused: into itself, into or from a closed ticket, into a ticket the agent may not see
  (reported as not found), and across two different organizations (the target's people would
  read another organization's conversation).
Each ticket records the merge in its history, and the audit log records who merged what.
The source's requester gets a mail saying where their conversation continues (outbox, so it
leaves only once the merge commits). What moved is recorded (ticket_merges) so that an admin
can undo it (services/merge_undo.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import update
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.ticket_moves import MERGE
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketCC, TicketStatus, parse_number
from helpdesk.infra import bus
from helpdesk.services import audit, ticket_moves, tickets
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.search import tickets as ticket_search

NOTE = {
    "es": "Este ticket se ha fusionado con el ticket #{target}. La conversación continúa allí.",
    "en": "This ticket was merged into ticket #{target}. The conversation continues there.",
}


def _cc_emails(session: Session, ticket: Ticket) -> list[str]:
    return list(session.exec(select(TicketCC.email).where(TicketCC.ticket_id == ticket.id).order_by(TicketCC.id)).all())


def check(session: Session, actor: Optional[User], source_number: object, target_number: object) -> tuple[Ticket, Ticket]:
    """The two tickets, if this merge is allowed; raises the reason otherwise."""
    actor = require_staff(actor)
    target_n = parse_number(target_number)
    if target_n is None:
        raise ValidationError({"merge_target": "merge.target_invalid"})
    source = tickets.get_ticket(session, actor, source_number)
    if target_n == source.number:
        raise ValidationError({"merge_target": "merge.into_itself"})
    try:
        target = tickets.get_ticket(session, actor, target_n)
    except ServiceError:
        raise ValidationError({"merge_target": "merge.target_not_found"}) from None
    if source.status_enum is TicketStatus.CLOSED:
        raise ServiceError("merge.source_closed")
    if target.status_enum is TicketStatus.CLOSED:
        raise ValidationError({"merge_target": "merge.target_closed"})
    if source.organization_id and target.organization_id and source.organization_id != target.organization_id:
        raise ValidationError({"merge_target": "merge.other_organization"})
    return source, target


def merge(session: Session, actor: Optional[User], source_number: object, target_number: object, *,
          now: datetime | None = None) -> Ticket:
    """Merge `source_number` into `target_number`; returns the target."""
    now = now or utcnow()
    actor = require_staff(actor)
    source, target = check(session, actor, source_number, target_number)

    source_status = source.status
    moved = session.exec(select(Message).where(Message.ticket_id == source.id)).all()
    files = session.exec(select(Attachment.id).where(Attachment.ticket_id == source.id)).all()
    session.exec(update(Message).where(Message.ticket_id == source.id).values(ticket_id=target.id))
    session.exec(update(Attachment).where(Attachment.ticket_id == source.id).values(ticket_id=target.id))
    for message in moved:
        ticket_search.add_text(session, target.id, message.body)

    copied = [session.get(User, source.requester_id).email] if source.requester_id != target.requester_id else []
    copied += [cc.email for cc in session.exec(select(TicketCC).where(TicketCC.ticket_id == source.id)).all()]
    target_requester = session.get(User, target.requester_id)
    had = set(_cc_emails(session, target))
    for email in dict.fromkeys(copied):
        if email and email != target_requester.email:
            try:
                tickets.add_cc(session, actor, target.number, email)
            except ServiceError:
                pass  # full CC list or an address that is no longer valid: the merge still happens

    note = NOTE.get(source.locale, NOTE["es"]).format(target=target.number)
    note_message = Message(ticket_id=source.id, author_id=actor.id, body=note, created_at=now)
    session.add(note_message)
    session.flush()
    tickets.record_event(session, source, actor, "merged_into", "", f"#{target.number}")
    tickets.record_event(session, target, actor, "merged_from", "", f"#{source.number}")
    ticket_moves.close_quietly(session, source, actor, now)
    ticket_moves.touch(target, now)
    # Only the CCs this merge added: undoing it must not drop someone who was already there.
    added = [e for e in _cc_emails(session, target) if e not in had]
    row = ticket_moves.record(session, MERGE, source, target, actor, now, message_ids=[m.id for m in moved],
                              attachment_ids=list(files), cc_emails=added, source_status=source_status,
                              note_message_id=note_message.id)
    requester = session.get(User, source.requester_id)
    if requester is not None and requester.email:
        ticket_moves.tell_customer(session, about=target, locale=source.locale, template="ticket_merged",
                                   key=f"merged:{row.id}", to=requester, source_number=source.number)
    audit.record(session, "ticket.merged", actor.id, target=f"#{source.number} -> #{target.number}",
                 detail=f"messages={len(moved)}")
    session.flush()
    for t in (source, target):
        bus.publish(bus.ticket_topic(t.id), ticket_id=t.id, version=t.version)
    bus.publish(bus.QUEUE_TOPIC, ticket_id=target.id)
    return target
