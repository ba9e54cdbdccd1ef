"""Escalation rules (admin-set) and the record that each rule ran once per ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

DEADLINES = ("first_response", "resolution")
ACTIONS = ("notify_assignee", "notify_team", "reassign", "raise_priority")


class EscalationRule(SQLModel, table=True):
    """When `threshold_pct` of a deadline's business time is consumed (100: missed), act."""

    __tablename__ = "escalation_rules"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    deadline: str = Field(default="first_response", max_length=16)
    threshold_pct: int = Field(default=80)
    action: str = Field(default="notify_assignee", max_length=24)
    target_user_id: Optional[int] = Field(default=None, foreign_key="users.id")  # for reassign
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class EscalationRun(SQLModel, table=True):
    """A rule fired on a ticket. The unique pair makes "exactly once" hold across workers."""

    __tablename__ = "escalation_runs"
    __table_args__ = (UniqueConstraint("rule_id", "ticket_id", name="uq_escalation_rule_ticket"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="escalation_rules.id", index=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
