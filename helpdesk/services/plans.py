"""Plans and earned priority (seed 003): only members of a premium organization may mark a
new ticket urgent, and each one spends a unit of the organization's monthly allowance.

This is the one gate every channel goes through (form, websocket, chat, API): the ticket
creation service calls `check_urgent` before and `spend_urgent` after it opens the ticket,
whatever the caller sent. An agent lowering an urgent ticket gives the unit back and the
customer is told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.domain.accounts import Organization, Role, User
from helpdesk.domain.promises import DEFAULT_URGENT_ALLOWANCE, PLAN_PREMIUM, PLAN_STANDARD, PLANS, OrgPlan, UrgentUse
from helpdesk.domain.tickets import Ticket
from helpdesk.infra import clock
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import ValidationError

MAX_ALLOWANCE = 10_000


@dataclass(frozen=True)
class UrgentStatus:
    """What the new-ticket form shows a customer about the urgent lane."""

    premium: bool
    allowance: int
    used: int

    @property
    def left(self) -> int:
        return max(0, self.allowance - self.used)

    @property
    def may_mark(self) -> bool:
        return self.premium and self.left > 0


NO_URGENT = UrgentStatus(False, 0, 0)


def _month(session: Session, at: datetime) -> str:
    from helpdesk.services.sla import load_calendar

    return at.astimezone(load_calendar(session).zone).strftime("%Y-%m")


def plan_of(session: Session, organization_id: Optional[int]) -> OrgPlan:
    row = session.get(OrgPlan, organization_id) if organization_id is not None else None
    return row or OrgPlan(organization_id=organization_id or 0, plan=PLAN_STANDARD, urgent_allowance=0)


def plans_by_org(session: Session) -> dict[int, OrgPlan]:
    return {p.organization_id: p for p in session.exec(select(OrgPlan)).all()}


def _used(session: Session, organization_id: int, month: str) -> int:
    return session.exec(
        select(func.count(UrgentUse.id)).where(
            UrgentUse.organization_id == organization_id, UrgentUse.month == month,
            col(UrgentUse.returned_at).is_(None),
        )
    ).one()


def urgent_status(session: Session, user: Optional[User], now: Optional[datetime] = None) -> UrgentStatus:
    """Whether `user` may mark a new ticket urgent, and the allowance left this month."""
    if user is None or user.role != Role.CUSTOMER.value or user.organization_id is None or not user.is_active:
        return NO_URGENT
    plan = session.get(OrgPlan, user.organization_id)
    if plan is None or plan.plan != PLAN_PREMIUM:
        return NO_URGENT
    used = _used(session, user.organization_id, _month(session, now or clock.now()))
    return UrgentStatus(True, plan.urgent_allowance, used)


def check_urgent(session: Session, requester: Optional[User], now: Optional[datetime] = None) -> None:
    """Raise a field error unless `requester` may mark a ticket urgent right now."""
    if requester is not None and requester.organization_id is not None:
        # Serialize spends of one organization (PostgreSQL row lock; SQLite writes are serial).
        session.exec(select(OrgPlan).where(OrgPlan.organization_id == requester.organization_id).with_for_update()).first()
    status = urgent_status(session, requester, now)
    if not status.premium:
        raise ValidationError({"urgent": "promises.urgent_not_premium"})
    if status.left <= 0:
        raise ValidationError({"urgent": "promises.urgent_none_left"})


def spend_urgent(session: Session, requester: User, ticket: Ticket, now: Optional[datetime] = None) -> UrgentUse:
    """Mark the just-opened `ticket` urgent and spend one unit (check_urgent ran before)."""
    at = now or clock.now()
    use = UrgentUse(organization_id=requester.organization_id, ticket_id=ticket.id, user_id=requester.id,
                    month=_month(session, at), used_at=at)
    ticket.priority = "urgent"
    session.add(use)
    session.add(ticket)
    session.flush()
    return use


def on_priority_change(session: Session, ticket: Ticket, old: Optional[str], new: str,
                       reason: str, now: datetime) -> Optional[str]:
    """An agent lowered an urgent ticket: give the unit back.

    Returns the message that tells the customer why (None when no unit went back); the caller,
    tickets.set_priority for every channel, records it on the ticket. Returning it, rather than
    writing it here, keeps plans below tickets (no import cycle).
    """
    if old != "urgent" or new == "urgent":
        return None
    use = session.exec(select(UrgentUse).where(UrgentUse.ticket_id == ticket.id)).first()
    if use is None or use.returned_at is not None:
        return None
    from helpdesk import i18n

    reason = " ".join((reason or "").split())[:500]
    use.returned_at = now
    use.return_reason = reason
    session.add(use)
    return i18n.translate("promises.downgrade_message", ticket.locale, priority=i18n.translate(f"priority.{new}", ticket.locale),
                          reason=reason or i18n.translate("promises.downgrade_default_reason", ticket.locale))


# ---------------------------------------------------------------- admin


def set_plan(session: Session, actor: Optional[User], organization_id: int, plan: str,
             urgent_allowance: Optional[int] = None) -> OrgPlan:
    require_admin(actor)
    errors = {}
    if plan not in PLANS:
        errors["plan"] = "promises.plan_invalid"
    if urgent_allowance is not None and (isinstance(urgent_allowance, bool) or not isinstance(urgent_allowance, int)
                                         or not 0 <= urgent_allowance <= MAX_ALLOWANCE):
        errors["allowance"] = "promises.allowance_invalid"
    if session.get(Organization, organization_id) is None:
        errors["plan"] = "promises.plan_invalid"
    if errors:
        raise ValidationError(errors)
    row = session.get(OrgPlan, organization_id) or OrgPlan(organization_id=organization_id,
                                                           urgent_allowance=DEFAULT_URGENT_ALLOWANCE)
    row.plan = plan
    if urgent_allowance is not None:
        row.urgent_allowance = urgent_allowance
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    return row
