"""What agents see of the customers' satisfaction answers: on a ticket, in the queue, on the
dashboard. Staff only; the answers themselves are recorded by services/csat.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.tickets import SatisfactionRating, Ticket
from helpdesk.services.authz import require_staff


@dataclass(frozen=True)
class RatingView:
    number: int
    subject: str
    rating: str  # good | bad
    comment: str
    at: datetime


def latest(session: Session, actor: Optional[User], ticket: Ticket) -> Optional[SatisfactionRating]:
    """The customer's latest answer on this ticket (the last time it was solved)."""
    require_staff(actor)
    return session.exec(
        select(SatisfactionRating).where(SatisfactionRating.ticket_id == ticket.id).order_by(SatisfactionRating.solve_round.desc()).limit(1)
    ).first()


def latest_by_ticket(session: Session, actor: Optional[User], ticket_ids: list[int]) -> dict[int, str]:
    """ticket id -> latest rating, for one page of the queue."""
    require_staff(actor)
    if not ticket_ids:
        return {}
    rows = session.exec(
        select(SatisfactionRating.ticket_id, SatisfactionRating.rating)
        .where(SatisfactionRating.ticket_id.in_(ticket_ids))
        .order_by(SatisfactionRating.solve_round.asc())
    ).all()
    return {ticket_id: rating for ticket_id, rating in rows}  # later rounds overwrite earlier ones


def recent(session: Session, actor: Optional[User], limit: int = 8) -> list[RatingView]:
    """The latest answers, newest first, for the dashboard."""
    require_staff(actor)
    rows = session.exec(
        select(SatisfactionRating, Ticket.number, Ticket.subject)
        .join(Ticket, Ticket.id == SatisfactionRating.ticket_id)
        .order_by(SatisfactionRating.created_at.desc(), SatisfactionRating.id.desc())
        .limit(limit)
    ).all()
    return [RatingView(number=n, subject=subj, rating=r.rating, comment=r.comment, at=r.created_at) for r, n, subj in rows]
