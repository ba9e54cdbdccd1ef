"""How often the promises were kept, per plan (the /admin figure).

A promise counts once its outcome is known: the first answer came (kept when on or before its
deadline) or its deadline passed without one (missed); the same for the resolution. Tickets
whose deadline is still ahead and unmet are not counted yet. Organizations without a plan row
are standard; customers without an organization count as standard too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk.domain.promises import PLAN_STANDARD, PLANS, OrgPlan
from helpdesk.domain.tickets import Ticket
from helpdesk.domain.accounts import User
from helpdesk.infra import clock
from helpdesk.services.authz import require_admin

WINDOW_DAYS = 30


@dataclass
class PlanFigures:
    plan: str
    first_kept: int = 0
    first_total: int = 0
    resolution_kept: int = 0
    resolution_total: int = 0

    @staticmethod
    def _pct(kept: int, total: int) -> Optional[float]:
        return round(100 * kept / total, 1) if total else None

    @property
    def first_pct(self) -> Optional[float]:
        return self._pct(self.first_kept, self.first_total)

    @property
    def resolution_pct(self) -> Optional[float]:
        return self._pct(self.resolution_kept, self.resolution_total)


def _aware(value: Optional[datetime]) -> Optional[datetime]:
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def _judge(done: Optional[datetime], due: Optional[datetime], now: datetime) -> Optional[bool]:
    """True kept, False missed, None not known yet (or no promise)."""
    done, due = _aware(done), _aware(due)
    if due is None:
        return None
    if done is not None:
        return done <= due
    return False if now > due else None


def kept_by_plan(session: Session, actor: Optional[User], *, days: int = WINDOW_DAYS,
                 now: Optional[datetime] = None) -> list[PlanFigures]:
    """One row per plan, for tickets opened in the last `days` days."""
    require_admin(actor)
    now = now or clock.now()
    plan_of = {p.organization_id: p.plan for p in session.exec(select(OrgPlan)).all()}
    out = {plan: PlanFigures(plan) for plan in PLANS}
    rows = session.exec(select(Ticket.organization_id, Ticket.first_response_at, Ticket.first_response_due_at,
                               Ticket.solved_at, Ticket.due_at).where(col(Ticket.created_at) >= now - timedelta(days=days))).all()
    for org_id, first_at, first_due, solved_at, due in rows:
        fig = out[plan_of.get(org_id, PLAN_STANDARD) if org_id is not None else PLAN_STANDARD]
        first = _judge(first_at, first_due, now)
        if first is not None:
            fig.first_total += 1
            fig.first_kept += first
        resolved = _judge(solved_at, due, now)
        if resolved is not None:
            fig.resolution_total += 1
            fig.resolution_kept += resolved
    return list(out.values())
