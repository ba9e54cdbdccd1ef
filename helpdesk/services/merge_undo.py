"""An admin undoes a merge or a split, from what it recorded (ticket_merges).

Undoing a merge moves the messages and attachments it moved back to the source, removes from
the target only the CC addresses the merge added, reopens the source to the status it had (a
merged source was closed) and turns the merge's "continues in #B" note into an internal note. Undoing a split moves the message back and closes the new ticket
quietly (no survey). Replies written on the other ticket since stay where they were written.
Both tickets get a history entry naming the other, and the audit log who undid what.

Refused: by anyone but an admin (policy Action.UNDO_MERGE), twice (a conditional update claims
the row, so two admins clicking at once cannot both undo), or when either ticket is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import delete, or_, update
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.principals import of_actor
from helpdesk.domain.ticket_moves import MERGE, SPLIT, TicketMerge
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketCC, TicketStatus
from helpdesk.infra import bus
from helpdesk.services import audit, policy, ticket_moves, tickets
from helpdesk.services.errors import NotFound, ServiceError
from helpdesk.services.policy import Action


@dataclass(frozen=True)
class Undoable:
    """What the ticket page offers an admin to undo."""

    id: int
    kind: str  # merge | split
    source_number: int
    target_number: int


def undoable_for(session: Session, actor: Optional[User], ticket: Ticket) -> Optional[Undoable]:
    """The latest merge or split involving `ticket` not undone yet, if `actor` may undo it."""
    if not policy.user_may(actor, Action.UNDO_MERGE, tickets.facts(session, ticket)):
        return None
    row = session.exec(
        select(TicketMerge)
        .where(or_(TicketMerge.source_id == ticket.id, TicketMerge.target_id == ticket.id), TicketMerge.undone_at.is_(None))
        .order_by(TicketMerge.id.desc())
    ).first()
    if row is None or row.source_id is None or row.target_id is None:
        return None
    source, target = session.get(Ticket, row.source_id), session.get(Ticket, row.target_id)
    if source is None or target is None:
        return None
    return Undoable(id=row.id, kind=row.kind, source_number=source.number, target_number=target.number)


def _reopen_to(session: Session, ticket: Ticket, actor: User, before: str, now: datetime) -> None:
    """Back to the status it had before the merge, through the one status setter where the
    lifecycle allows it. "new" has no way back in the lifecycle: it is set here directly, as both
    run the same SLA clock, and the history says so."""
    if ticket.status_enum in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        tickets._set_status(session, ticket, actor, TicketStatus.OPEN, now)  # noqa: SLF001 - the single status setter
    try:
        wanted = TicketStatus(before)
    except ValueError:
        return
    if wanted is TicketStatus.NEW and ticket.status_enum is TicketStatus.OPEN:
        ticket.status = TicketStatus.NEW.value
        tickets.record_event(session, ticket, actor, "status", TicketStatus.OPEN.value, TicketStatus.NEW.value)
    elif wanted in (TicketStatus.PENDING, TicketStatus.SOLVED) and ticket.status_enum is TicketStatus.OPEN:
        tickets._set_status(session, ticket, actor, wanted, now)  # noqa: SLF001


def undo(session: Session, actor: Optional[User], record_id: object, *, now: datetime | None = None) -> TicketMerge:
    """Undo merge or split `record_id`; returns its row (now with undone_at)."""
    now = now or utcnow()
    principal = of_actor(actor)
    policy.require(principal, Action.UNDO_MERGE)
    try:
        row = session.get(TicketMerge, int(record_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound("merge_undo.not_found")
    if row.undone_at is not None:
        raise ServiceError("merge_undo.already_undone")
    source = session.get(Ticket, row.source_id) if row.source_id else None
    target = session.get(Ticket, row.target_id) if row.target_id else None
    if source is None or target is None:
        raise ServiceError("merge_undo.ticket_gone")
    policy.require(principal, Action.UNDO_MERGE, tickets.facts(session, source))
    policy.require(principal, Action.UNDO_MERGE, tickets.facts(session, target))
    claimed = session.exec(
        update(TicketMerge).where(TicketMerge.id == row.id, TicketMerge.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=actor.id)
    )
    if claimed.rowcount != 1:
        raise ServiceError("merge_undo.already_undone")

    # Only what is still on the target goes back (nothing else may have moved it since).
    back = list(session.exec(select(Message.id).where(Message.id.in_(row.message_ids or [-1]), Message.ticket_id == target.id)).all())
    if back:
        session.exec(update(Message).where(Message.id.in_(back)).values(ticket_id=source.id))
    if row.attachment_ids:
        session.exec(update(Attachment).where(Attachment.id.in_(row.attachment_ids), Attachment.ticket_id == target.id)
                     .values(ticket_id=source.id))
    for email in row.cc_emails or []:
        gone = session.exec(delete(TicketCC).where(TicketCC.ticket_id == target.id, TicketCC.email == email))
        if gone.rowcount:
            tickets.record_event(session, target, actor, "cc_removed", email, "")
    session.flush()
    if row.kind == SPLIT:
        ticket_moves.close_quietly(session, target, actor, now)
    else:
        _reopen_to(session, source, actor, row.source_status, now)
        # "The conversation continues in #B" is no longer true: agents keep it as a note, the
        # customer no longer reads it (the history says the merge was undone).
        if row.note_message_id:
            session.exec(update(Message).where(Message.id == row.note_message_id, Message.ticket_id == source.id)
                         .values(is_internal=True))
    kind = "split_undone" if row.kind == SPLIT else "merge_undone"
    tickets.record_event(session, source, actor, kind, "", f"#{target.number}")
    tickets.record_event(session, target, actor, kind, "", f"#{source.number}")
    for t in (source, target):
        ticket_moves.touch(t, now)
        ticket_moves.reindex(session, t)
    audit.record(session, f"ticket.{kind}", actor.id, target=f"#{source.number} -> #{target.number}",
                 detail=f"record={row.id} messages={len(back)}")
    session.flush()
    session.refresh(row)
    for t in (source, target):
        bus.publish(bus.ticket_topic(t.id), ticket_id=t.id, version=t.version)
    bus.publish(bus.QUEUE_TOPIC, ticket_id=source.id)
    return row


__all__ = ["MERGE", "SPLIT", "Undoable", "undo", "undoable_for"]
