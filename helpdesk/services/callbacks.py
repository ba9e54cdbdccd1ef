"""Call-backs: a customer asks to be phoned about their ticket; agents aim to call within
5 minutes (seed 000), and the target counts like an SLA (ok / due soon / breached).

Call-backs are offered only inside business hours (the SLA engine's calendar). Outside them
the customer is told when calls resume instead. Every outcome is written on the ticket as an
internal note, so the call's history stays with the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import phonenumbers
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.business_hours import is_open, next_opening
from helpdesk.domain.chat import CallbackRequest
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.services import sla, tickets
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound, ServiceError, ValidationError

TARGET = timedelta(minutes=5)
DUE_SOON = timedelta(minutes=2)
DEFAULT_REGION = "ES"
MAX_OUTCOME = 2000
OPEN_STATES = ("pending", "taken")
MAX_PENDING_PER_TICKET = 1


def normalize_phone(raw: object, region: str = DEFAULT_REGION) -> str:
    """E.164 for a valid number ("600 123 456" -> "+34600123456"); ValidationError otherwise."""
    text = str(raw or "").strip()[:40]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": "callback.phone_invalid"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Availability:
    open_now: bool
    resumes_at: Optional[datetime]  # when calls resume (None while open, or with no hours at all)


def availability(session: Session, now: datetime | None = None) -> Availability:
    now = now or utcnow()
    cal = sla.load_calendar(session)
    if not cal.has_open_hours:
        return Availability(False, None)
    if is_open(now, cal):
        return Availability(True, None)
    return Availability(False, next_opening(now, cal))


def request(session: Session, requester: User, ticket: Ticket, phone: object, *, now: datetime | None = None
            ) -> CallbackRequest:
    """Ask for a call about `ticket`. The caller has already checked `requester` may see it."""
    now = now or utcnow()
    e164 = normalize_phone(phone)
    if not availability(session, now).open_now:
        raise ServiceError("callback.closed", field="phone")
    waiting = session.exec(
        select(CallbackRequest).where(CallbackRequest.ticket_id == ticket.id,
                                      col(CallbackRequest.status).in_(OPEN_STATES))
    ).first()
    if waiting is not None:
        return waiting  # asking twice does not queue two calls
    row = CallbackRequest(ticket_id=ticket.id, phone=e164, requested_by_id=requester.id, created_at=now,
                          due_at=now + TARGET)
    session.add(row)
    tickets.record_event(session, ticket, requester, "callback", "", "requested")
    session.flush()
    return row


def pending_for_ticket(session: Session, ticket_id: int) -> Optional[CallbackRequest]:
    return session.exec(
        select(CallbackRequest).where(CallbackRequest.ticket_id == ticket_id,
                                      col(CallbackRequest.status).in_(OPEN_STATES))
    ).first()


def target_state(row: CallbackRequest, now: datetime) -> str:
    """Like a ticket's SLA state: "ok", "due_soon" or "breached" while the call is not made."""
    due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=now.tzinfo)
    if now >= due:
        return "breached"
    return "due_soon" if due - now <= DUE_SOON else "ok"


@dataclass
class CallView:
    id: int
    ticket_number: int
    subject: str
    phone: str
    requester: str
    status: str
    created_at: datetime
    due_at: datetime
    taken_by: str
    state: str


def queue(session: Session, actor: Optional[User], *, now: datetime | None = None, limit: int = 100) -> list[CallView]:
    """Calls still to make (oldest deadline first), for agents."""
    require_staff(actor)
    now = now or utcnow()
    rows = session.exec(
        select(CallbackRequest, Ticket, User)
        .join(Ticket, Ticket.id == CallbackRequest.ticket_id)
        .join(User, User.id == Ticket.requester_id)
        .where(col(CallbackRequest.status).in_(OPEN_STATES))
        .order_by(CallbackRequest.due_at, CallbackRequest.id)
        .limit(limit)
    ).all()
    takers = {u.id: u.name for u in session.exec(
        select(User).where(col(User.id).in_({r.taken_by_id for r, _, _ in rows if r.taken_by_id}))
    ).all()} if rows else {}
    return [CallView(r.id, t.number, t.subject, r.phone, u.name or u.email, r.status, r.created_at, r.due_at,
                     takers.get(r.taken_by_id, ""), target_state(r, now)) for r, t, u in rows]


def _open_call(session: Session, call_id: int) -> tuple[CallbackRequest, Ticket]:
    row = session.get(CallbackRequest, call_id)
    if row is None or row.status not in OPEN_STATES:
        raise NotFound("callback.not_found")
    return row, session.get(Ticket, row.ticket_id)


def take(session: Session, actor: Optional[User], call_id: int, *, now: datetime | None = None) -> CallbackRequest:
    agent = require_staff(actor)
    row, ticket = _open_call(session, call_id)
    if row.status == "taken" and row.taken_by_id not in (None, agent.id):
        raise ServiceError("callback.taken_by_other")
    row.status, row.taken_by_id, row.taken_at = "taken", agent.id, now or utcnow()
    session.add(row)
    tickets.record_event(session, ticket, agent, "callback", "pending", "taken")
    session.flush()
    return row


def finish(session: Session, actor: Optional[User], call_id: int, result: str, outcome: str, *,
           now: datetime | None = None) -> CallbackRequest:
    """Mark the call done or missed; the outcome is written on the ticket as an internal note."""
    agent = require_staff(actor)
    if result not in ("done", "missed"):
        raise ValidationError({"result": "callback.result_invalid"})
    text = (outcome or "").strip()[:MAX_OUTCOME]
    if result == "done" and len(text) < 3:
        raise ValidationError({"outcome": "callback.outcome_required"})
    now = now or utcnow()
    row, ticket = _open_call(session, call_id)
    row.status, row.outcome, row.closed_at = result, text, now
    row.taken_by_id = row.taken_by_id or agent.id
    session.add(row)
    from helpdesk import i18n

    head = i18n.translate(f"callback.note_{result}", ticket.locale, phone=row.phone)
    session.add(Message(ticket_id=ticket.id, author_id=agent.id, body=f"{head}\n\n{text}".strip(),
                        is_internal=True, created_at=now))
    tickets.record_event(session, ticket, agent, "callback", "taken", result)
    ticket.last_activity_at = now
    session.add(ticket)
    session.flush()
    return row
