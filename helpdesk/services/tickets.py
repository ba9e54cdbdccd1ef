"""Tickets: replying, the lifecycle, agent fields, CCs, reopening and auto-closing.

Every function takes the acting user (None for a guest) and asks services/policy.py what they
may do, so the web, e-mailed links, the API and the mail channel share one set of rules. This
module is also the tickets' front door: it re-exports the reads (services/ticket_access.py: who
sees which ticket, message and file), opening (services/ticket_create.py) and the shared helpers
(services/ticket_core.py). A ticket the actor may not see is NotFound, never "forbidden".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional, Sequence

from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User, is_valid_email, normalize_email
from helpdesk.domain.catalog import Category
from helpdesk.domain.tickets import parse_number  # noqa: F401 - re-exported: callers use tickets.parse_number
from helpdesk.domain.tickets import (
    InvalidTransition,
    Message,
    Priority,
    Ticket,
    TicketCC,
    TicketEvent,
    TicketStatus,
    check_transition,
    status_after_customer_reply,
)
from helpdesk.domain.principals import of_actor
from helpdesk.infra import bus
from helpdesk.services import policy
from helpdesk.services.authz import require_staff, require_user
from helpdesk.services.policy import Action
from helpdesk.services.ticket_access import (  # noqa: F401 - re-exported: callers use tickets.get_ticket…
    attachments_for,
    can_view,
    facts,
    get_attachment,
    get_ticket,
    messages_for,
    own_tickets_condition,
    visibility_branches,
    visibility_filter,
    visible_tickets,
)
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.ticket_core import (  # noqa: F401 - shared helpers; public names re-exported
    MAX_BODY,
    MAX_CCS,
    MAX_SUBJECT,
    _apply_sla,
    _ccs,
    _clean,
    _mail_about,
    _next_number,
    _publish,
    _store_files,
    _touch,
    auto_close_days,
    guest_requester,
    record_event,
    reopen_window_days,
)
from helpdesk.services.ticket_create import (  # noqa: F401 - re-exported: callers use tickets.create_ticket…
    AlreadySubmitted,
    TicketDraft,
    create_ticket,
    created_mail_key,
    find_submitted,
    validate_draft,
)
from helpdesk.services.search import tickets as ticket_search
from helpdesk.services import webhook_outbox  # noqa: F401 - announces every ticket change to webhooks, in its transaction


# ---------------------------------------------------------------- creation


# ---------------------------------------------------------------- conversation


def add_message(
    session: Session,
    actor: Optional[User],
    number: object,
    body: str,
    *,
    internal: bool = False,
    files: Sequence[object] = (),
    expected_version: Optional[int] = None,
    now: datetime | None = None,
) -> Message:
    """A reply (customer or agent) or an internal note (agents only)."""
    now = now or utcnow()
    principal, actor = actor, require_user(actor)
    ticket = get_ticket(session, principal, number)
    text = _clean(body, MAX_BODY + 1)
    if not text and not files:
        raise ValidationError({"body": "tickets.reply_required"})
    if len(text) > MAX_BODY:
        raise ValidationError({"body": "tickets.description_too_long"})
    policy.require(of_actor(principal), Action.ADD_INTERNAL_NOTE if internal else Action.REPLY_TICKET, facts(session, ticket))
    if expected_version is not None and ticket.version != expected_version:
        raise ServiceError("tickets.changed_meanwhile")
    status = ticket.status_enum
    if status is TicketStatus.CLOSED and not internal:
        raise ServiceError("tickets.closed_reopen_first")
    if not internal:
        from helpdesk.services import fair_use

        fair_use.check_message(session, ticket, actor, now)
    message = Message(ticket_id=ticket.id, author_id=actor.id, body=text, is_internal=internal, created_at=now)
    session.add(message)
    session.flush()
    ticket_search.add_text(session, ticket.id, text)  # notes too: the index is for agents only
    stored = _store_files(session, ticket, message, actor, files)
    if not internal:
        if actor.is_staff:
            if ticket.first_response_at is None:
                ticket.first_response_at = now
            if status is TicketStatus.NEW:
                _set_status(session, ticket, actor, TicketStatus.OPEN, now)
            _notify_reply(session, ticket, actor, message, [a.filename for a in stored])
        else:
            new_status = status_after_customer_reply(status)
            if new_status is not status:
                _set_status(session, ticket, actor, new_status, now)
    _touch(ticket, now)
    session.flush()
    _publish(ticket)
    return message


def _notify_reply(session: Session, ticket: Ticket, agent: User, message: Message, files: list[str]) -> None:
    # The mail names the files but never carries them: downloads stay behind the ticket's access check.
    requester = session.get(User, ticket.requester_id)
    recipients = [requester.email] + [cc.email for cc in _ccs(session, ticket)]
    for email in dict.fromkeys(recipients):
        _mail_about(
            session, ticket, to=email, name=requester.name if email == requester.email else email,
            template="agent_reply", key=f"reply:{message.id}:{email}", agent_name=agent.name, body=message.body, files=files,
        )


# ---------------------------------------------------------------- lifecycle


def _set_status(session: Session, ticket: Ticket, actor: Optional[User], target: TicketStatus, now: datetime) -> None:
    """The single place a status changes: validates the move, records it, keeps the SLA clock right."""
    current = ticket.status_enum
    if target is current:
        return
    check_transition(current, target)
    from helpdesk.services import sla

    sla.on_status_change(session, ticket, current, target, now)
    ticket.status = target.value
    if target is TicketStatus.SOLVED:
        ticket.solved_at = now
    if target is TicketStatus.CLOSED:
        ticket.closed_at = now
    if target is TicketStatus.OPEN:
        ticket.solved_at = None if current is not TicketStatus.SOLVED else ticket.solved_at
        ticket.closed_at = None
    record_event(session, ticket, actor, "status", current.value, target.value)
    _touch(ticket, now)


def solve_round(session: Session, ticket: Ticket) -> int:
    rows = session.exec(
        select(TicketEvent.id).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "status", TicketEvent.to_value == "solved"
        )
    ).all()
    return len(rows)


def change_status(session: Session, actor: Optional[User], number: object, status: str, *, now: datetime | None = None) -> Ticket:
    """Agents move tickets through the lifecycle (customers reply or reopen instead)."""
    now = now or utcnow()
    actor = require_staff(actor)
    ticket = get_ticket(session, actor, number)
    try:
        target = TicketStatus(status)
    except ValueError:
        raise ValidationError({"status": "tickets.status_invalid"}) from None
    try:
        _set_status(session, ticket, actor, target, now)
    except InvalidTransition:
        raise ServiceError("tickets.transition_invalid") from None
    if target in (TicketStatus.SOLVED, TicketStatus.PENDING):
        _notify_status(session, ticket, target)
    session.flush()
    _publish(ticket)
    return ticket


def _notify_status(session: Session, ticket: Ticket, status: TicketStatus) -> None:
    from helpdesk import i18n
    from helpdesk.services import links

    requester = session.get(User, ticket.requester_id)
    if status is TicketStatus.SOLVED:
        rnd = solve_round(session, ticket)
        from helpdesk.infra.settings import get_settings

        token = links.csat_token(ticket.number, requester.email, rnd)
        base = f"{get_settings().base_url}/tickets/{ticket.number}?csat={token}"
        _mail_about(
            session, ticket, to=requester.email, name=requester.name, template="ticket_solved_survey",
            key=f"solved:{ticket.id}:{rnd}", good_link=f"{base}&rating=good", bad_link=f"{base}&rating=bad",
        )
        return
    _mail_about(
        session, ticket, to=requester.email, name=requester.name, template="status_changed",
        key=f"status:{ticket.id}:{ticket.version}", status=i18n.translate(f"status.{status.value}", ticket.locale),
    )


def reopen(session: Session, actor: Optional[User], number: object, *, now: datetime | None = None) -> Ticket:
    """Reopen a solved/closed ticket. Past the window, a closed ticket gets a linked follow-up."""
    now = now or utcnow()
    actor = require_user(actor)
    ticket = get_ticket(session, actor, number)
    policy.require(of_actor(actor), Action.REOPEN_TICKET, facts(session, ticket))
    status = ticket.status_enum
    if status.is_open:
        return ticket
    if status is TicketStatus.CLOSED:
        closed = ticket.closed_at or ticket.updated_at
        if now - closed > timedelta(days=reopen_window_days(session)):
            return _follow_up(session, actor, ticket, now)
    _set_status(session, ticket, actor, TicketStatus.OPEN, now)
    record_event(session, ticket, actor, "reopened", status.value, TicketStatus.OPEN.value)
    session.flush()
    _publish(ticket)
    return ticket


def _follow_up(session: Session, actor: User, original: Ticket, now: datetime) -> Ticket:
    ticket = Ticket(
        number=_next_number(session),
        subject=original.subject,
        category=original.category,
        service_id=original.service_id,
        request_type_id=original.request_type_id,
        status=TicketStatus.NEW.value,
        priority=original.priority,
        requester_id=original.requester_id,
        organization_id=original.organization_id,
        follow_up_of_id=original.id,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        locale=original.locale,
    )
    session.add(ticket)
    session.flush()
    note = f"Seguimiento del ticket #{original.number}."
    session.add(Message(ticket_id=ticket.id, author_id=actor.id, body=note, created_at=now))
    ticket_search.index_ticket(session, ticket.id, ticket.subject, note)
    record_event(session, ticket, actor, "follow_up_of", "", f"#{original.number}")
    record_event(session, original, actor, "follow_up", "", f"#{ticket.number}")
    _apply_sla(session, ticket, now)
    session.flush()
    bus.publish(bus.QUEUE_TOPIC, ticket_id=ticket.id)
    return ticket


def auto_close_solved(session: Session, now: datetime | None = None) -> int:
    """Close tickets solved more than N days ago (run periodically)."""
    now = now or utcnow()
    limit = now - timedelta(days=auto_close_days(session))
    rows = session.exec(
        select(Ticket).where(Ticket.status == TicketStatus.SOLVED.value, Ticket.solved_at <= limit).limit(500)
    ).all()
    for ticket in rows:
        _set_status(session, ticket, None, TicketStatus.CLOSED, now)
        _publish(ticket)
    return len(rows)


# ---------------------------------------------------------------- agent fields


def set_priority(session: Session, actor: Optional[User], number: object, priority: str, *, now: datetime | None = None,
                 reason: str = "") -> Ticket:
    now = now or utcnow()
    actor = require_staff(actor)
    ticket = get_ticket(session, actor, number)
    try:
        new = Priority(priority).value
    except ValueError:
        raise ValidationError({"priority": "tickets.priority_invalid"}) from None
    if new == ticket.priority:
        return ticket
    old = ticket.priority
    ticket.priority = new
    from helpdesk.services import sla

    sla.apply_sla(session, ticket, now, previous_priority=old)
    record_event(session, ticket, actor, "priority", old or "", new)
    from helpdesk.services import plans

    returned = plans.on_priority_change(session, ticket, old, new, reason, now)
    if returned is not None:
        record_event(session, ticket, actor, "urgent_returned", "urgent", new)
        add_message(session, actor, ticket.number, returned, now=now)
    _touch(ticket, now)
    session.flush()
    _publish(ticket)
    return ticket


def assign(session: Session, actor: Optional[User], number: object, assignee_id: Optional[int], *, now: datetime | None = None) -> Ticket:
    now = now or utcnow()
    actor = require_staff(actor)
    ticket = get_ticket(session, actor, number)
    if assignee_id is not None:
        assignee = session.get(User, int(assignee_id))
        if assignee is None or not assignee.is_staff or not assignee.is_active:
            raise ValidationError({"assignee": "tickets.assignee_invalid"})
    if ticket.assignee_id == assignee_id:
        return ticket
    old = ticket.assignee_id
    ticket.assignee_id = assignee_id
    record_event(session, ticket, actor, "assignee", old or "", assignee_id or "")
    _touch(ticket, now)
    session.flush()
    _publish(ticket)
    return ticket


def set_category(session: Session, actor: Optional[User], number: object, category: str, *, now: datetime | None = None) -> Ticket:
    now = now or utcnow()
    actor = require_staff(actor)
    ticket = get_ticket(session, actor, number)
    if category not in {c.value for c in Category}:
        raise ValidationError({"category": "tickets.category_required"})
    if category != ticket.category:
        record_event(session, ticket, actor, "category", ticket.category, category)
        ticket.category = category
        _touch(ticket, now)
        session.flush()
        _publish(ticket)
    return ticket


def add_cc(session: Session, actor: Optional[User], number: object, email: str) -> TicketCC:
    """Requester, their org admin or staff may copy a colleague on a ticket."""
    actor = require_user(actor)
    ticket = get_ticket(session, actor, number)
    policy.require(of_actor(actor), Action.ADD_CC, facts(session, ticket))  # a CC'd person may not widen it
    address = normalize_email(email)
    if not is_valid_email(address):
        raise ValidationError({"cc": "errors.email_invalid"})
    existing = _ccs(session, ticket)
    if any(cc.email == address for cc in existing):
        return next(cc for cc in existing if cc.email == address)
    if len(existing) >= MAX_CCS:
        raise ValidationError({"cc": "tickets.too_many_ccs"})
    cc = TicketCC(ticket_id=ticket.id, email=address, added_by_id=actor.id)
    session.add(cc)
    record_event(session, ticket, actor, "cc", "", address)
    _touch(ticket, utcnow())
    session.flush()
    _publish(ticket)
    return cc


def remove_cc(session: Session, actor: Optional[User], number: object, email: str) -> bool:
    actor = require_user(actor)
    ticket = get_ticket(session, actor, number)
    policy.require(of_actor(actor), Action.REMOVE_CC, facts(session, ticket))
    address = normalize_email(email)
    cc = session.exec(select(TicketCC).where(TicketCC.ticket_id == ticket.id, TicketCC.email == address)).first()
    if cc is None:
        return False
    session.delete(cc)
    record_event(session, ticket, actor, "cc_removed", address, "")
    _touch(ticket, utcnow())
    _publish(ticket)
    return True
