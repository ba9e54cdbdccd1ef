"""The reads the ticket pages need beside the ticket itself, so pages run no SQL of their own:
`customer_view` is the customer's page in one call.

Each takes a ticket the caller already obtained through `tickets.get_ticket` (which asked the
policy whether the actor may see it); the agent-only reads check the staff rule again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk.domain.accounts import Organization, Role, User
from helpdesk.domain.catalog import Service
from helpdesk.domain.principals import of_actor
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketCC, TicketEvent
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import ServiceError


def people(session: Session, ids: set[int]) -> dict[int, User]:
    """Accounts by id (authors and requester of a conversation)."""
    if not ids:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids))).all()}


def names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all())


def staff_among(session: Session, ids: set[int]) -> set[int]:
    """Which of these accounts are agents or admins (to mark their messages)."""
    if not ids:
        return set()
    return set(session.exec(select(User.id).where(col(User.id).in_(ids), User.role != Role.CUSTOMER.value)).all())


def cc_emails(session: Session, ticket: Ticket) -> list[str]:
    return list(session.exec(select(TicketCC.email).where(TicketCC.ticket_id == ticket.id).order_by(TicketCC.id)).all())


def ticket_by_id(session: Session, ticket_id: Optional[int]) -> Optional[Ticket]:
    """A ticket by its row id (a follow-up's original); callers still ask `can_view` before showing it."""
    return session.get(Ticket, ticket_id) if ticket_id else None


def context(session: Session, actor: Optional[User], ticket: Ticket) -> tuple[User, Optional[Organization], Optional[Service]]:
    """The agent page's header: requester, organization and service."""
    require_staff(actor)
    requester = session.get(User, ticket.requester_id)
    org = session.get(Organization, ticket.organization_id) if ticket.organization_id else None
    service = session.get(Service, ticket.service_id) if ticket.service_id else None
    return requester, org, service


def other_tickets(session: Session, actor: Optional[User], ticket: Ticket, limit: int) -> list[Ticket]:
    """The requester's other tickets, most recently active first (agents)."""
    require_staff(actor)
    return list(session.exec(
        select(Ticket).where(Ticket.requester_id == ticket.requester_id, Ticket.id != ticket.id)
        .order_by(col(Ticket.last_activity_at).desc()).limit(limit)
    ).all())


def history(session: Session, actor: Optional[User], ticket: Ticket, limit: int) -> list[TicketEvent]:
    """The ticket's latest events, newest first (agents)."""
    require_staff(actor)
    return list(session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.created_at).desc(), col(TicketEvent.id).desc()).limit(limit)
    ).all())


@dataclass
class CustomerTicketView:
    """The customer's view of one ticket (also what staff see on the customer page): no internal
    notes, and what this viewer may do already decided by the policy."""

    ticket: Ticket
    messages: list[Message]            # public messages only
    files: list[Attachment]            # those the viewer may download
    people: dict[int, User]            # authors and requester
    follow_up_of: Optional[int]        # the original's number, when the viewer may see it
    ccs: list[str]
    pause: object                      # pause_notice.clock_pause
    may_write: bool                    # reply, reopen, add a CC: an account that sees the ticket
    is_requester: bool
    survey: Optional[object]           # csat.Survey for the requester of a solved ticket


def customer_view(session: Session, viewer: object, number: object) -> Optional[CustomerTicketView]:
    """None when `viewer` (a User, the link stand-in or a principal) may not see ticket `number`."""
    from helpdesk.services import csat, pause_notice, policy, tickets

    try:
        ticket = tickets.get_ticket(session, viewer, number)
        # Staff may open this page too; it is the customer's view, so notes stay out even for
        # them (messages_for already hides them from everyone else).
        messages = [m for m in tickets.messages_for(session, viewer, ticket) if not m.is_internal]
        files = tickets.attachments_for(session, viewer, ticket)
    except ServiceError:
        return None
    authors = people(session, {m.author_id for m in messages if m.author_id is not None} | {ticket.requester_id})
    original = ticket_by_id(session, ticket.follow_up_of_id)
    follow_up_of = original.number if original and tickets.can_view(session, viewer, original) else None
    # Only an account may write: the holder of a link without one reads.
    principal = of_actor(viewer)
    may_write = policy.can(principal, policy.Action.REPLY_TICKET, tickets.facts(session, ticket))
    user = principal.user
    is_requester = may_write and user is not None and user.id == ticket.requester_id
    return CustomerTicketView(
        ticket=ticket, messages=messages, files=files, people=authors, follow_up_of=follow_up_of,
        ccs=cc_emails(session, ticket), pause=pause_notice.clock_pause(session, ticket), may_write=may_write,
        is_requester=is_requester, survey=csat.current_survey(session, ticket) if is_requester else None,
    )
