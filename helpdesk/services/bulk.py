"""Bulk actions on the agents' queue: one assignee, status or priority for many tickets at once.

Each ticket goes through the same single-ticket function as the ticket page (tickets.assign,
change_status, set_priority), so each gets its own history entry, its SLA bookkeeping, its mails
and its live update. A ticket that refuses the change (e.g. a transition the lifecycle does not
allow) is skipped in its own savepoint and counted; the rest still change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlmodel import Session

from helpdesk.domain.accounts import User
from helpdesk.domain.tickets import Priority, TicketStatus, parse_number
from helpdesk.services import audit, tickets
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import ServiceError, ValidationError

MAX_TICKETS = 100  # one queue page is 25; a forged call cannot ask for thousands
UNASSIGN = "none"
ME = "me"


@dataclass(frozen=True)
class BulkChange:
    """What to set; None leaves the field alone. `assignee`: "me", "none" or a user id."""

    status: Optional[str] = None
    priority: Optional[str] = None
    assignee: Optional[str] = None

    def is_empty(self) -> bool:
        return self.status is None and self.priority is None and self.assignee is None


@dataclass(frozen=True)
class Before:
    """A ticket's fields before a bulk change, so the change can be undone."""

    number: int
    status: str
    priority: Optional[str]
    assignee_id: Optional[int]


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)  # ticket numbers that changed
    skipped: list[int] = field(default_factory=list)  # refused, unknown or unchanged
    before: list[Before] = field(default_factory=list)  # of the changed ones


def clean_numbers(raw: Iterable[object]) -> list[int]:
    """Distinct ticket numbers, in the order given, at most MAX_TICKETS."""
    out: list[int] = []
    for item in raw or ():
        n = parse_number(item)
        if n is not None and n not in out:
            out.append(n)
        if len(out) >= MAX_TICKETS:
            break
    return out


def _validate(change: BulkChange, actor: User) -> tuple[Optional[str], Optional[str], object]:
    if change.is_empty():
        raise ValidationError({"bulk": "bulk.nothing_to_do"})
    status = priority = None
    assignee: object = "keep"
    if change.status is not None:
        try:
            status = TicketStatus(change.status).value
        except ValueError:
            raise ValidationError({"status": "tickets.status_invalid"}) from None
    if change.priority is not None:
        try:
            priority = Priority(change.priority).value
        except ValueError:
            raise ValidationError({"priority": "tickets.priority_invalid"}) from None
    if change.assignee is not None:
        raw = str(change.assignee)
        if raw == ME:
            assignee = actor.id
        elif raw == UNASSIGN:
            assignee = None
        elif raw.isdigit():
            assignee = int(raw)
        else:
            raise ValidationError({"assignee": "tickets.assignee_invalid"})
    return status, priority, assignee


def apply(session: Session, actor: Optional[User], numbers: Iterable[object], change: BulkChange) -> BulkResult:
    """Apply `change` to every ticket in `numbers` the actor may see. Staff only."""
    actor = require_staff(actor)
    status, priority, assignee = _validate(change, actor)
    if isinstance(assignee, int):
        person = session.get(User, assignee)
        if person is None or not person.is_staff or not person.is_active:
            raise ValidationError({"assignee": "tickets.assignee_invalid"})
    result = BulkResult()
    for number in clean_numbers(numbers):
        try:
            with session.begin_nested():
                ticket = tickets.get_ticket(session, actor, number)
                before = ticket.version
                snapshot = Before(ticket.number, ticket.status, ticket.priority, ticket.assignee_id)
                if assignee != "keep":
                    tickets.assign(session, actor, number, assignee)
                if priority is not None:
                    tickets.set_priority(session, actor, number, priority)
                if status is not None:
                    tickets.change_status(session, actor, number, status)
                changed = ticket.version != before
        except ServiceError:
            result.skipped.append(number)
            continue
        (result.changed if changed else result.skipped).append(number)
        if changed:
            result.before.append(snapshot)
    if result.changed:
        audit.record(
            session, "tickets.bulk", actor.id, target=",".join(f"#{n}" for n in result.changed),
            detail=f"status={status or ''} priority={priority or ''} assignee={'' if assignee == 'keep' else assignee or 'none'}",
        )
    return result


def undo(session: Session, actor: Optional[User], before: Iterable[Before]) -> BulkResult:
    """Put each ticket back as it was before a bulk change (each step recorded in its history).

    Best effort, like the change: a step the lifecycle refuses (e.g. back to "new") is left out,
    and a ticket that had no priority keeps the one it got (there is no way back to "none").
    """
    actor = require_staff(actor)
    result = BulkResult()
    for b in list(before)[:MAX_TICKETS]:
        try:
            with session.begin_nested():
                ticket = tickets.get_ticket(session, actor, b.number)
                version = ticket.version
                if ticket.assignee_id != b.assignee_id:
                    try:
                        with session.begin_nested():
                            tickets.assign(session, actor, b.number, b.assignee_id)
                    except ServiceError:
                        pass
                if b.priority and ticket.priority != b.priority:
                    tickets.set_priority(session, actor, b.number, b.priority)
                if ticket.status != b.status:
                    try:
                        with session.begin_nested():
                            tickets.change_status(session, actor, b.number, b.status)
                    except ServiceError:
                        pass
                changed = ticket.version != version
        except ServiceError:
            result.skipped.append(b.number)
            continue
        (result.changed if changed else result.skipped).append(b.number)
    if result.changed:
        audit.record(session, "tickets.bulk_undo", actor.id, target=",".join(f"#{n}" for n in result.changed))
    return result
