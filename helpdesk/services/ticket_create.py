"""Opening a ticket, from any channel (web form, chat, API, mail): validation, the guest's account,
numbering, first message and files, urgent allowance, SLA, fair use, round-robin, the
confirmation mail (which doubles as the form submission's idempotency record).

Re-exported by services/tickets.py (callers use `tickets.create_ticket`, `tickets.TicketDraft`…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional, Sequence

from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User, is_valid_email, normalize_email
from helpdesk.domain.catalog import Category, RequestType, Service
from helpdesk.domain.tickets import Message, Ticket, TicketStatus
from helpdesk.infra import bus
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.search import tickets as ticket_search
from helpdesk.services.ticket_core import (
    MAX_BODY,
    MAX_SUBJECT,
    _apply_sla,
    _auto_assign,
    _clean,
    _mail_about,
    _next_number,
    _store_files,
    guest_requester,
    record_event,
)


@dataclass
class TicketDraft:
    subject: str = ""
    description: str = ""
    category: str = ""
    service_id: Optional[int] = None
    request_type_id: Optional[int] = None
    guest_name: str = ""
    guest_email: str = ""
    attachments: Sequence[object] = field(default_factory=list)  # attachments.ValidatedFile
    urgent: bool = False  # premium members only; checked by services/plans for every channel


def validate_draft(session: Session, actor: Optional[User], draft: TicketDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    subject = " ".join((draft.subject or "").split())
    if len(subject) < 3:
        errors["subject"] = "tickets.subject_required"
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = "tickets.subject_too_long"
    description = (draft.description or "").strip()
    if len(description) < 10:
        errors["description"] = "tickets.description_required"
    elif len(description) > MAX_BODY:
        errors["description"] = "tickets.description_too_long"
    if draft.category not in {c.value for c in Category}:
        errors["category"] = "tickets.category_required"
    if draft.service_id is None or session.get(Service, draft.service_id) is None:
        errors["service"] = "tickets.service_required"
    elif not session.get(Service, draft.service_id).is_active:
        errors["service"] = "tickets.service_required"
    if draft.request_type_id is not None:
        rt = session.get(RequestType, draft.request_type_id)
        if rt is None or draft.category != Category.REQUEST.value:
            errors["request_type"] = "tickets.request_type_invalid"
    if actor is None:
        if not " ".join((draft.guest_name or "").split()):
            errors["name"] = "errors.name_required"
        email = normalize_email(draft.guest_email)
        if not is_valid_email(email):
            errors["email"] = "errors.email_invalid"
        elif session.exec(select(User.id).where(User.email == email, User.password_hash != "")).first() is not None:
            # Otherwise anyone could file tickets (and get their links) in someone else's account.
            errors["email"] = "tickets.email_has_account"
    if draft.urgent:
        _check_urgent(session, actor, errors)
    return errors


def _check_urgent(session: Session, actor: Optional[User], errors: dict[str, str]) -> None:
    from helpdesk.services import plans

    try:
        plans.check_urgent(session, actor)
    except ValidationError as err:
        errors.update(err.errors)


def create_ticket(
    session: Session,
    actor: Optional[User],
    draft: TicketDraft,
    *,
    locale: str = "es",
    now: datetime | None = None,
    submission_key: str = "",
) -> Ticket:
    """Open a ticket for a signed-in customer (actor) or a guest (actor None, name + e-mail).

    Captcha and rate limits are checked by the caller before this (they depend on the channel).
    With a `submission_key` (one per filled-in form) at most one ticket ever opens for it:
    a second try raises AlreadySubmitted, and the caller's rollback undoes everything else.
    """
    now = now or utcnow()
    errors = validate_draft(session, actor, draft)
    if errors:
        raise ValidationError(errors)
    requester = actor if actor is not None else guest_requester(session, draft.guest_name, draft.guest_email)
    from helpdesk.services import fair_use

    signals = fair_use.check_new_ticket(session, requester, draft.subject, draft.description, now)
    ticket = Ticket(
        number=_next_number(session),
        subject=" ".join(draft.subject.split())[:MAX_SUBJECT],
        category=draft.category,
        service_id=draft.service_id,
        request_type_id=draft.request_type_id if draft.category == Category.REQUEST.value else None,
        status=TicketStatus.NEW.value,
        requester_id=requester.id,
        organization_id=requester.organization_id,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        locale=locale if locale in ("es", "en") else "es",
    )
    session.add(ticket)
    session.flush()
    message = Message(ticket_id=ticket.id, author_id=requester.id, body=_clean(draft.description, MAX_BODY), created_at=now)
    session.add(message)
    session.flush()
    ticket_search.index_ticket(session, ticket.id, ticket.subject, message.body)
    _store_files(session, ticket, message, requester, draft.attachments)
    record_event(session, ticket, requester, "created", "", TicketStatus.NEW.value)
    if draft.urgent:
        from helpdesk.services import plans

        plans.spend_urgent(session, requester, ticket, now)
    _apply_sla(session, ticket, now)
    fair_use.apply_new_ticket(session, ticket, signals, now)
    _auto_assign(session, ticket)
    expected_at = _record_estimate(session, ticket)
    if not _notify_created(session, ticket, requester, expected_at, submission_key) and submission_key:
        raise AlreadySubmitted(submission_key)
    session.flush()
    bus.publish(bus.QUEUE_TOPIC, ticket_id=ticket.id)
    return ticket


def created_mail_key(submission_key: str) -> str:
    # The confirmation mail is queued exactly once per ticket, in the ticket's own transaction,
    # under a unique outbox key. Keyed by the form submission it doubles as that submission's
    # idempotency record: no separate table, and it goes when the ticket's mails go.
    return f"ticket-created:form:{submission_key}"


class AlreadySubmitted(ServiceError):
    def __init__(self, submission_key: str):
        super().__init__("new_ticket.already_submitted")
        self.submission_key = submission_key


def find_submitted(session: Session, submission_key: str) -> Optional[Ticket]:
    """The ticket a form submission opened, if it did."""
    from helpdesk.domain.mail import OutboxMail

    if not submission_key:
        return None
    ticket_id = session.exec(
        select(OutboxMail.ticket_id).where(OutboxMail.idempotency_key == created_mail_key(submission_key))
    ).first()
    return session.get(Ticket, ticket_id) if ticket_id is not None else None


def _record_estimate(session: Session, ticket: Ticket) -> datetime:
    """The first-reply estimate the customer is given, kept for the dashboard's accuracy card.

    The honest estimate (calendar, priority, queue ahead, team pace), never past the target:
    the same few-seconds-old counts the form and chat showed before sending (estimate_cache).
    Counting the queue afresh for every new ticket cost ~110 ms at 100,000 tickets
    (bench/compare); the cached count may miss the last seconds' tickets, minutes at most.
    Every channel opens tickets here, so the mailed and the stored estimate are one value.
    """
    from helpdesk.domain.estimate_record import TicketEstimate
    from helpdesk.services import estimates

    expected_at = estimates.estimate(session, priority=ticket.priority, category=ticket.category,
                                     now=ticket.created_at, cached=True).expected_at
    session.add(TicketEstimate(ticket_id=ticket.id, expected_at=expected_at, created_at=ticket.created_at))
    return expected_at


def _notify_created(session: Session, ticket: Ticket, requester: User, expected_at: datetime,
                    submission_key: str = "") -> bool:
    from helpdesk import i18n

    expected = i18n.full_datetime(expected_at, ticket.locale)
    return _mail_about(
        session, ticket, to=requester.email, name=requester.name, template="ticket_created",
        key=created_mail_key(submission_key) if submission_key else f"ticket-created:{ticket.id}",
        expected_response=expected,
    )
