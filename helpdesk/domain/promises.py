"""Service promises: organization plans and the urgent allowance they carry (seed 003)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

PLAN_STANDARD = "standard"
PLAN_PREMIUM = "premium"
PLANS = (PLAN_STANDARD, PLAN_PREMIUM)
DEFAULT_URGENT_ALLOWANCE = 5


class OrgPlan(SQLModel, table=True):
    """An organization's plan. No row means standard."""

    __tablename__ = "org_plans"

    organization_id: int = Field(primary_key=True, foreign_key="organizations.id")
    plan: str = Field(default=PLAN_STANDARD, max_length=16)
    urgent_allowance: int = Field(default=DEFAULT_URGENT_ALLOWANCE)  # urgent tickets per month
    updated_at: datetime = Field(default_factory=utcnow)


class UrgentUse(SQLModel, table=True):
    """One unit of a premium organization's monthly allowance, spent on one ticket."""

    __tablename__ = "urgent_uses"

    id: Optional[int] = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organizations.id", index=True)
    ticket_id: int = Field(foreign_key="tickets.id", unique=True)
    user_id: int = Field(foreign_key="users.id")
    month: str = Field(max_length=7, index=True)  # "2026-12", in the calendar's time zone
    used_at: datetime = Field(default_factory=utcnow)
    returned_at: Optional[datetime] = None  # an agent decided it was not urgent
    return_reason: str = Field(default="", max_length=500)
