"""What merging, splitting and undoing them share: the record of what moved, the customer's
mail, closing a ticket without the survey, and the search index of a ticket whose messages left."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import String, cast
from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.ticket_moves import TicketMerge
from helpdesk.domain.tickets import Message, Ticket, TicketStatus
from helpdesk.services import tickets
from helpdesk.services.search import tickets as ticket_search


def close_quietly(session: Session, ticket: Ticket, actor: Optional[User], now: datetime) -> None:
    """Solved then closed through the one status setter (history, SLA clock), no survey mail."""
    if ticket.status_enum is TicketStatus.CLOSED:
        return
    if ticket.status_enum is not TicketStatus.SOLVED:
        tickets._set_status(session, ticket, actor, TicketStatus.SOLVED, now)  # noqa: SLF001 - the single status setter
    tickets._set_status(session, ticket, actor, TicketStatus.CLOSED, now)  # noqa: SLF001


def touch(ticket: Ticket, now: datetime) -> None:
    ticket.updated_at = ticket.last_activity_at = now
    ticket.version = (ticket.version or 0) + 1


def reindex(session: Session, ticket: Ticket) -> None:
    """Messages left this ticket: its search entry is rebuilt from what it holds now, so a
    search no longer finds it by words that moved away."""
    bodies = session.exec(select(Message.body).where(Message.ticket_id == ticket.id).order_by(Message.id)).all()
    ticket_search.index_ticket(session, ticket.id, ticket.subject, *bodies)


def ticket_link(ticket: Ticket, email: str) -> str:
    """The signed link the mail's reader opens the ticket with (as every ticket mail)."""
    from helpdesk.infra.settings import get_settings
    from helpdesk.services import links

    return f"{get_settings().base_url}/tickets/{ticket.number}?k={links.ticket_link_token(ticket.number, email)}"


def tell_customer(session: Session, *, about: Ticket, locale: str, template: str, key: str, to: User, **ctx: object) -> bool:
    """Queue the customer's mail in this transaction (the outbox sends it once it commits).
    `about` is the ticket the conversation continues on: its number, subject, link and Reply-To."""
    from helpdesk.services import mail

    return mail.queue_template(
        session, to=to.email, template=template, locale=locale if locale in mail.LOCALES else mail.DEFAULT_LOCALE,
        idempotency_key=key, ticket_id=about.id, name=to.name, ticket_number=about.number, subject=about.subject,
        link=ticket_link(about, to.email), **ctx,
    )


def record(session: Session, kind: str, source: Ticket, target: Ticket, actor: User, now: datetime, *,
           message_ids: list[int], attachment_ids: list[int], cc_emails: list[str] = (), source_status: str = "",
           note_message_id: Optional[int] = None) -> TicketMerge:
    row = TicketMerge(kind=kind, source_id=source.id, target_id=target.id, message_ids=sorted(message_ids),
                      attachment_ids=sorted(attachment_ids), cc_emails=list(cc_emails), source_status=source_status,
                      note_message_id=note_message_id, actor_id=actor.id, created_at=now)
    session.add(row)
    session.flush()
    return row


def forget_address(session: Session, email: str) -> None:
    """Erasure (services/privacy): a merge's record of the CCs it added holds the address too.
    Dropping it only means an undo leaves that (already deleted) CC alone."""
    rows = session.exec(select(TicketMerge).where(cast(TicketMerge.cc_emails, String).like(f'%"{email}"%'))).all()
    for row in rows:
        row.cc_emails = [e for e in row.cc_emails if e != email]
