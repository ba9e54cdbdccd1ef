"""Tickets: who may see them, opening, replying, the lifecycle, CCs, reopening and auto-closing.

Every function takes the acting user (None for a guest) and checks access here, in the service
layer, so the UI, e-mail links and any future API share one set of rules. A ticket the actor may
not see is reported as NotFound, never as "forbidden", so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional, Sequence

from sqlalchemy import or_, true, update
from sqlalchemy.sql import Select
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role, User, is_valid_email, normalize_email
from helpdesk.domain.catalog import Category, RequestType, Service
from helpdesk.domain.sla import Setting
from helpdesk.domain.tickets import (
    Attachment,
    Counter,
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
from helpdesk.infra import bus
from helpdesk.services.authz import require_staff, require_user
from helpdesk.services.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from helpdesk.services.search import tickets as ticket_search

FIRST_TICKET_NUMBER = 1001
MAX_SUBJECT = 200
MAX_BODY = 20_000
AUTO_CLOSE_DAYS_DEFAULT = 7
REOPEN_WINDOW_DAYS_DEFAULT = 30
MAX_CCS = 10


# ---------------------------------------------------------------- visibility


def visibility_branches(actor: User) -> list:
    """The alternatives of visibility_filter, one SQL condition each (staff: just `true`).

    Exposed separately so a list can read each alternative from its own index and merge them
    (ticket_list): OR-ed together they leave the database no ordered index to walk.
    """
    if actor.is_staff:
        return [true()]
    cc_ids = select(TicketCC.ticket_id).where(TicketCC.email == actor.email)
    conditions = [Ticket.requester_id == actor.id, Ticket.id.in_(cc_ids)]
    if actor.is_org_admin and actor.organization_id is not None:
        conditions.append(Ticket.organization_id == actor.organization_id)
    return conditions


def visibility_filter(actor: User):
    """SQL condition for the tickets `actor` may see (staff: all)."""
    if actor.is_staff:
        return True
    return or_(*visibility_branches(actor))


def visible_tickets(actor: User) -> Select:
    require_user(actor)
    return select(Ticket).where(visibility_filter(actor))


def can_view(session: Session, actor: Optional[User], ticket: Ticket) -> bool:
    if actor is None or not actor.is_active:
        return False
    if actor.is_staff or ticket.requester_id == actor.id:
        return True
    if actor.is_org_admin and actor.organization_id is not None and ticket.organization_id == actor.organization_id:
        return True
    cc = session.exec(select(TicketCC.id).where(TicketCC.ticket_id == ticket.id, TicketCC.email == actor.email)).first()
    return cc is not None


def parse_number(raw: object) -> Optional[int]:
    """'#1042', '1042' or 1042 -> 1042; anything else -> None."""
    text = str(raw if raw is not None else "").strip().lstrip("#").strip()
    if not text.isdigit() or len(text) > 12:
        return None
    return int(text)


def get_ticket(session: Session, actor: Optional[User], number: object) -> Ticket:
    num = parse_number(number)
    ticket = session.exec(select(Ticket).where(Ticket.number == num)).first() if num is not None else None
    if ticket is None or not can_view(session, actor, ticket):
        raise NotFound("tickets.not_found")
    return ticket


def messages_for(session: Session, actor: Optional[User], ticket: Ticket) -> list[Message]:
    """The conversation as this actor may see it: internal notes only for staff."""
    if not can_view(session, actor, ticket):
        raise NotFound("tickets.not_found")
    stmt = select(Message).where(Message.ticket_id == ticket.id)
    if not actor.is_staff:
        stmt = stmt.where(Message.is_internal == False)  # noqa: E712
    return list(session.exec(stmt.order_by(Message.created_at, Message.id)).all())


def attachments_for(session: Session, actor: Optional[User], ticket: Ticket) -> list[Attachment]:
    visible_ids = {m.id for m in messages_for(session, actor, ticket)}
    rows = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)).all()
    return [a for a in rows if a.message_id is None or a.message_id in visible_ids]


def get_attachment(session: Session, actor: Optional[User], attachment_id: int) -> Attachment:
    """An attachment the actor may download (its ticket and message are visible to them)."""
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound()
    ticket = session.get(Ticket, att.ticket_id)
    if ticket is None or not can_view(session, actor, ticket):
        raise NotFound()
    if att.message_id is not None and not actor.is_staff:
        msg = session.get(Message, att.message_id)
        if msg is None or msg.is_internal:
            raise NotFound()
    return att


# ---------------------------------------------------------------- settings


def _setting_int(session: Session, key: str, default: int) -> int:
    row = session.get(Setting, key)
    try:
        return int(row.value) if row and row.value.strip() else default
    except ValueError:
        return default


def auto_close_days(session: Session) -> int:
    return _setting_int(session, "auto_close_days", AUTO_CLOSE_DAYS_DEFAULT)


def reopen_window_days(session: Session) -> int:
    return _setting_int(session, "reopen_window_days", REOPEN_WINDOW_DAYS_DEFAULT)


# ---------------------------------------------------------------- creation


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


def _clean(text: str, limit: int) -> str:
    return (text or "").replace("\x00", "").strip()[:limit]


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
    return errors


def _next_number(session: Session) -> int:
    """Atomically take the next public number (works the same on SQLite and PostgreSQL)."""
    if session.get(Counter, "ticket") is None:
        session.add(Counter(name="ticket", value=FIRST_TICKET_NUMBER - 1))
        session.flush()
    result = session.exec(
        update(Counter).where(Counter.name == "ticket").values(value=Counter.value + 1).returning(Counter.value)
    )
    return int(result.scalar_one())


def guest_requester(session: Session, name: str, email: str) -> User:
    """The account a guest's ticket belongs to. It has no password until the person registers
    with that address, which then claims it (and so every ticket opened as a guest)."""
    email = normalize_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is not None:
        return user
    user = User(email=email, name=" ".join(name.split())[:200], role=Role.CUSTOMER.value, password_hash="")
    session.add(user)
    session.flush()
    return user


def record_event(session: Session, ticket: Ticket, actor: Optional[User], kind: str, old: object = "", new: object = "") -> None:
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            actor_id=actor.id if actor else None,
            kind=kind,
            from_value=str(old if old is not None else "")[:200],
            to_value=str(new if new is not None else "")[:200],
        )
    )


def _touch(ticket: Ticket, now: datetime) -> None:
    ticket.updated_at = now
    ticket.last_activity_at = now
    ticket.version = (ticket.version or 0) + 1


def _store_files(session: Session, ticket: Ticket, message: Message, uploader: User, files: Sequence[object]) -> list[Attachment]:
    if not files:
        return []
    from helpdesk.services import attachments

    stored = []
    for f in files:
        if isinstance(f, attachments.StagedFile):
            stored.append(attachments.attach_staged(session, f, ticket.id, message.id, uploader.id))
        else:
            stored.append(attachments.store_validated(session, f, ticket.id, message.id, uploader.id))
    return stored


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
    _apply_sla(session, ticket, now)
    _auto_assign(session, ticket)
    if not _notify_created(session, ticket, requester, submission_key) and submission_key:
        raise AlreadySubmitted(submission_key)
    session.flush()
    bus.publish(bus.QUEUE_TOPIC, ticket_id=ticket.id)
    return ticket


def _apply_sla(session: Session, ticket: Ticket, now: datetime) -> None:
    from helpdesk.services import sla

    sla.apply_sla(session, ticket, now)


def _auto_assign(session: Session, ticket: Ticket) -> None:
    from helpdesk.services import queue

    queue.auto_assign(session, ticket)


def _ticket_link(ticket: Ticket, email: str) -> str:
    from helpdesk.infra.settings import get_settings
    from helpdesk.services import links

    token = links.ticket_link_token(ticket.number, email)
    return f"{get_settings().base_url}/tickets/{ticket.number}?k={token}"


def _mail_about(session: Session, ticket: Ticket, *, to: str, name: str, template: str, key: str, **ctx: object) -> bool:
    """Queue one ticket mail: every template gets the ticket's number, subject and a link for `to`.
    False when a mail with this key was queued before."""
    from helpdesk.services import mail

    return mail.queue_template(
        session,
        to=to,
        template=template,
        locale=ticket.locale,
        idempotency_key=key,
        ticket_id=ticket.id,
        name=name,
        ticket_number=ticket.number,
        subject=ticket.subject,
        link=_ticket_link(ticket, to),
        **ctx,
    )


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


def _notify_created(session: Session, ticket: Ticket, requester: User, submission_key: str = "") -> bool:
    from helpdesk import i18n

    expected = ""
    if ticket.first_response_due_at is not None:
        expected = i18n.full_datetime(ticket.first_response_due_at, ticket.locale)
    return _mail_about(
        session, ticket, to=requester.email, name=requester.name, template="ticket_created",
        key=created_mail_key(submission_key) if submission_key else f"ticket-created:{ticket.id}",
        expected_response=expected,
    )


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
    actor = require_user(actor)
    ticket = get_ticket(session, actor, number)
    text = _clean(body, MAX_BODY + 1)
    if not text and not files:
        raise ValidationError({"body": "tickets.reply_required"})
    if len(text) > MAX_BODY:
        raise ValidationError({"body": "tickets.description_too_long"})
    if internal and not actor.is_staff:
        raise PermissionDenied()
    if expected_version is not None and ticket.version != expected_version:
        raise ServiceError("tickets.changed_meanwhile")
    status = ticket.status_enum
    if status is TicketStatus.CLOSED and not internal:
        raise ServiceError("tickets.closed_reopen_first")
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


def _ccs(session: Session, ticket: Ticket) -> list[TicketCC]:
    return list(session.exec(select(TicketCC).where(TicketCC.ticket_id == ticket.id).order_by(TicketCC.id)).all())


def _publish(ticket: Ticket) -> None:
    bus.publish(bus.ticket_topic(ticket.id), ticket_id=ticket.id, version=ticket.version)
    bus.publish(bus.QUEUE_TOPIC, ticket_id=ticket.id)


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


def set_priority(session: Session, actor: Optional[User], number: object, priority: str, *, now: datetime | None = None) -> Ticket:
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
    address = normalize_email(email)
    cc = session.exec(select(TicketCC).where(TicketCC.ticket_id == ticket.id, TicketCC.email == address)).first()
    if cc is None:
        return False
    session.delete(cc)
    record_event(session, ticket, actor, "cc_removed", address, "")
    _touch(ticket, utcnow())
    _publish(ticket)
    return True
