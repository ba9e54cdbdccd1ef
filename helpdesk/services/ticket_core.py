"""What every ticket change shares: limits, settings, numbering, the history entry, stored files,
SLA and round-robin on open, ticket mails with their link, and the live-update publish.

Used by services/ticket_create.py and services/tickets.py (which re-exports the public names).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Sequence

from sqlalchemy import update
from sqlmodel import Session, select

from helpdesk.domain.accounts import Role, User, normalize_email
from helpdesk.domain.sla import Setting
from helpdesk.domain.tickets import Attachment, Counter, Message, Ticket, TicketCC, TicketEvent
from helpdesk.infra import bus
from helpdesk.services import webhook_outbox  # noqa: F401 - announces every ticket change to webhooks, in its transaction

FIRST_TICKET_NUMBER = 1001
MAX_SUBJECT = 200
MAX_BODY = 20_000
AUTO_CLOSE_DAYS_DEFAULT = 7
REOPEN_WINDOW_DAYS_DEFAULT = 30
MAX_CCS = 10


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


def _clean(text: str, limit: int) -> str:
    return (text or "").replace("\x00", "").strip()[:limit]


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


def _apply_sla(session: Session, ticket: Ticket, now: datetime) -> None:
    from helpdesk.services import sla

    sla.apply_sla(session, ticket, now)


def _auto_assign(session: Session, ticket: Ticket) -> None:
    from helpdesk.services import queue

    assigned = queue.auto_assign(session, ticket)
    if assigned is not None:
        record_event(session, ticket, None, "assignee", "", assigned)


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


def _ccs(session: Session, ticket: Ticket) -> list[TicketCC]:
    return list(session.exec(select(TicketCC).where(TicketCC.ticket_id == ticket.id).order_by(TicketCC.id)).all())


def _publish(ticket: Ticket) -> None:
    bus.publish(bus.ticket_topic(ticket.id), ticket_id=ticket.id, version=ticket.version)
    bus.publish(bus.QUEUE_TOPIC, ticket_id=ticket.id)
