"""Which tickets, messages and files a caller may read: services/policy.py decides, this module
loads. Re-exported by services/tickets.py (callers use `tickets.get_ticket`, `tickets.can_view`…).

A ticket the actor may not see is reported as NotFound, never as "forbidden", so its existence
does not leak. `actor` is the acting User (None for a guest) or a principal.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, true
from sqlalchemy.sql import Select
from sqlmodel import Session, select

from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.principals import of_actor
from helpdesk.domain.tickets import Attachment, Message, Ticket, TicketCC, parse_number
from helpdesk.services import policy
from helpdesk.services.authz import require_user
from helpdesk.services.errors import NotFound
from helpdesk.services.policy import Action


def facts(session: Session, ticket: Ticket) -> policy.TicketFacts:
    """The policy's view of `ticket`; the CC and requester look-ups run only if a rule asks."""

    def is_cc(email: str) -> bool:
        row = session.exec(select(TicketCC.id).where(TicketCC.ticket_id == ticket.id, TicketCC.email == email)).first()
        return row is not None

    def is_on_ticket(email: str) -> bool:
        address = normalize_email(email)
        requester = session.get(User, ticket.requester_id)
        return (requester is not None and requester.email == address) or is_cc(address)

    return policy.TicketFacts(
        number=ticket.number, requester_id=ticket.requester_id, organization_id=ticket.organization_id,
        created_at=ticket.created_at, is_cc=is_cc, is_on_ticket=is_on_ticket,
    )


# ---------------------------------------------------------------- lists (the policy's SQL twin)


def visibility_branches(actor: User) -> list:
    """The alternatives of visibility_filter, one SQL condition each (staff: just `true`).

    The SQL form of policy.sees_ticket: keep the two in step. Exposed separately so a list can
    read each alternative from its own index and merge them (ticket_list): OR-ed together they
    leave the database no ordered index to walk.
    """
    if actor.is_staff:
        return [true()]
    conditions = [own_tickets_condition(actor)]
    if actor.email_verified_at is not None:
        conditions.append(Ticket.id.in_(select(TicketCC.ticket_id).where(TicketCC.email == actor.email)))
    if actor.is_org_admin and actor.organization_id is not None:
        conditions.append(Ticket.organization_id == actor.organization_id)
    return conditions


def own_tickets_condition(actor: User):
    """The tickets `actor` opened, in SQL (policy.sees_as_requester): until their address is
    verified, not the ones opened as a guest with it before the account existed."""
    condition = Ticket.requester_id == actor.id
    if actor.email_verified_at is None and actor.registered_at is not None:
        condition = and_(condition, Ticket.created_at >= actor.registered_at)
    return condition


def visibility_filter(actor: User):
    """SQL condition for the tickets `actor` may see (staff: all)."""
    if actor.is_staff:
        return True
    return or_(*visibility_branches(actor))


def visible_tickets(actor: User) -> Select:
    require_user(actor)
    return select(Ticket).where(visibility_filter(actor))


# ---------------------------------------------------------------- one ticket


def can_view(session: Session, actor: object, ticket: Ticket) -> bool:
    return policy.can(of_actor(actor), Action.VIEW_TICKET, facts(session, ticket))


def get_ticket(session: Session, actor: object, number: object) -> Ticket:
    num = parse_number(number)
    ticket = session.exec(select(Ticket).where(Ticket.number == num)).first() if num is not None else None
    if ticket is None or not can_view(session, actor, ticket):
        raise NotFound("tickets.not_found")
    return ticket


def messages_for(session: Session, actor: object, ticket: Ticket) -> list[Message]:
    """The conversation as this actor may see it: internal notes only for staff."""
    principal = of_actor(actor)
    ticket_facts = facts(session, ticket)
    if not policy.can(principal, Action.VIEW_TICKET, ticket_facts):
        raise NotFound("tickets.not_found")
    stmt = select(Message).where(Message.ticket_id == ticket.id)
    if not policy.can(principal, Action.VIEW_INTERNAL_NOTES, ticket_facts):
        stmt = stmt.where(Message.is_internal == False)  # noqa: E712
    return list(session.exec(stmt.order_by(Message.created_at, Message.id)).all())


def attachments_for(session: Session, actor: object, ticket: Ticket) -> list[Attachment]:
    visible_ids = {m.id for m in messages_for(session, actor, ticket)}
    rows = session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)).all()
    return [a for a in rows if a.message_id is None or a.message_id in visible_ids]


def get_attachment(session: Session, actor: object, attachment_id: int) -> Attachment:
    """An attachment the actor may download (its ticket and message are visible to them)."""
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound()
    ticket = session.get(Ticket, att.ticket_id)
    if ticket is None:
        raise NotFound()
    principal = of_actor(actor)
    ticket_facts = facts(session, ticket)
    if not policy.can(principal, Action.VIEW_TICKET, ticket_facts):
        raise NotFound()
    internal = False
    if att.message_id is not None and not policy.can(principal, Action.VIEW_INTERNAL_NOTES, ticket_facts):
        msg = session.get(Message, att.message_id)
        if msg is None:
            raise NotFound()
        internal = msg.is_internal
    if not policy.can(principal, Action.VIEW_ATTACHMENT, policy.AttachmentFacts(ticket_facts, internal)):
        raise NotFound()
    return att


__all__ = [
    "attachments_for", "can_view", "facts", "get_attachment", "get_ticket", "messages_for",
    "own_tickets_condition", "visibility_branches", "visibility_filter", "visible_tickets",
]
