"""Satisfaction survey: one good/bad answer per time a ticket is solved.

Only the requester answers (the e-mail with the one-click links goes to them alone). The rating
of a round is fixed once given; a later attempt may only set the comment, so the one-click link
followed by "tell us more" works, and a replayed or mistaken second click changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.tickets import SatisfactionRating, Ticket, TicketStatus
from helpdesk.domain.principals import of_actor
from helpdesk.services import links, policy, tickets
from helpdesk.services.errors import NotFound, ServiceError, ValidationError
from helpdesk.services.policy import Action

GOOD = "good"
BAD = "bad"
RATINGS = (GOOD, BAD)
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Survey:
    """What the ticket page shows for the current round."""

    round: int
    rating: str  # "" when not answered yet
    comment: str


def _clean_comment(comment: object) -> str:
    return str(comment or "").replace("\x00", "").strip()[:MAX_COMMENT]


def survey_open(ticket: Ticket) -> bool:
    return ticket.status_enum in (TicketStatus.SOLVED, TicketStatus.CLOSED)


def rating_for(session: Session, ticket: Ticket, solve_round: int) -> Optional[SatisfactionRating]:
    return session.exec(
        select(SatisfactionRating)
        .where(SatisfactionRating.ticket_id == ticket.id, SatisfactionRating.solve_round == solve_round)
        .order_by(SatisfactionRating.id)
    ).first()


def current_survey(session: Session, ticket: Ticket) -> Optional[Survey]:
    """The survey of the latest solve round, or None while the ticket is not solved."""
    if not survey_open(ticket):
        return None
    rnd = tickets.solve_round(session, ticket)
    if rnd < 1:
        return None
    row = rating_for(session, ticket, rnd)
    return Survey(rnd, row.rating if row else "", row.comment if row else "")


def record_rating(session: Session, ticket: Ticket, solve_round: int, rating: str, comment: str = "") -> SatisfactionRating:
    """Record the answer for `solve_round`. Access is the caller's job (see rate_as_*).

    - the round must be the ticket's latest one and the ticket still solved/closed: a link from
      an earlier solve, after the ticket was reopened, no longer counts;
    - a second answer for the round keeps the first rating and may only replace the comment.
    """
    if rating not in RATINGS:
        raise ValidationError({"rating": "customer.csat_rating_required"})
    text = _clean_comment(comment)
    # Serialise concurrent answers for one ticket (two clicks, mail scanners) on PostgreSQL;
    # SQLite already runs one writer at a time.
    locked = session.exec(select(Ticket).where(Ticket.id == ticket.id).with_for_update()).one()
    if not survey_open(locked) or solve_round != tickets.solve_round(session, locked):
        raise ServiceError("customer.csat_round_over")
    existing = rating_for(session, locked, solve_round)
    if existing is not None:
        if text:
            existing.comment = text
            session.add(existing)
            session.flush()
            return existing
        raise ServiceError("customer.csat_already")
    row = SatisfactionRating(ticket_id=locked.id, solve_round=solve_round, rating=rating, comment=text)
    session.add(row)
    tickets.record_event(session, locked, None, "csat", "", rating)
    session.flush()
    return row


def add_comment(session: Session, ticket: Ticket, solve_round: int, comment: str) -> SatisfactionRating:
    if not survey_open(ticket) or solve_round != tickets.solve_round(session, ticket):
        raise ServiceError("customer.csat_round_over")
    existing = rating_for(session, ticket, solve_round)
    if existing is None:
        raise ServiceError("customer.csat_rating_required")
    text = _clean_comment(comment)
    if not text:
        raise ValidationError({"comment": "customer.csat_comment_required"})
    existing.comment = text
    session.add(existing)
    session.flush()
    return existing


def _requester_email(session: Session, ticket: Ticket) -> str:
    requester = session.get(User, ticket.requester_id)
    return normalize_email(requester.email) if requester else ""


def _rated_by(session: Session, actor: Optional[User], number: object) -> Ticket:
    """The ticket, when `actor` may answer its survey (services/policy.py: its requester)."""
    ticket = tickets.get_ticket(session, actor, number)
    if not policy.can(of_actor(actor), Action.RATE_TICKET, tickets.facts(session, ticket)):
        raise NotFound("tickets.not_found")
    return ticket


def rate_as_user(session: Session, actor: Optional[User], number: object, rating: str, comment: str = "") -> SatisfactionRating:
    """A signed-in requester answering on the ticket page."""
    ticket = _rated_by(session, actor, number)
    return record_rating(session, ticket, tickets.solve_round(session, ticket), rating, comment)


def comment_as_user(session: Session, actor: Optional[User], number: object, comment: str) -> SatisfactionRating:
    ticket = _rated_by(session, actor, number)
    return add_comment(session, ticket, tickets.solve_round(session, ticket), comment)


def ticket_for_token(session: Session, token: str) -> tuple[Ticket, int]:
    """(ticket, round) named by a valid survey token sent to that ticket's requester."""
    data = links.verify_csat_token(token)
    if data is None:
        raise NotFound("customer.csat_link_invalid")
    number, email, solve_round = data
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None or _requester_email(session, ticket) != normalize_email(email):
        raise NotFound("customer.csat_link_invalid")
    return ticket, solve_round


def rate_with_token(session: Session, token: str, rating: str, comment: str = "") -> SatisfactionRating:
    """The e-mail's one-click link: no sign-in, the signed token is the proof."""
    ticket, solve_round = ticket_for_token(session, token)
    return record_rating(session, ticket, solve_round, rating, comment)


def comment_with_token(session: Session, token: str, comment: str) -> SatisfactionRating:
    ticket, solve_round = ticket_for_token(session, token)
    return add_comment(session, ticket, solve_round, comment)
