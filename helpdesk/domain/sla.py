"""SLA configuration tables. The due-date arithmetic lives in domain/business_hours.py."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlmodel import Field, SQLModel


class SlaTarget(SQLModel, table=True):
    """Targets per priority, in hours; calendar days (seed 000) are counted as 24 h each."""

    __tablename__ = "sla_targets"

    id: Optional[int] = Field(default=None, primary_key=True)
    priority: str = Field(max_length=16, unique=True)
    first_response_hours: float
    resolution_hours: float
    business_hours_only: bool = Field(default=False)


class BusinessDay(SQLModel, table=True):
    """Opening hours per weekday (0 = Monday). A day without a row is closed."""

    __tablename__ = "business_days"

    id: Optional[int] = Field(default=None, primary_key=True)
    weekday: int = Field(unique=True)
    opens: str = Field(max_length=5)  # "08:30"
    closes: str = Field(max_length=5)  # "18:00"


class Holiday(SQLModel, table=True):
    __tablename__ = "holidays"

    id: Optional[int] = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    name: str = Field(default="", max_length=120)


class Setting(SQLModel, table=True):
    """Small key/value settings editable by admins (time zone, auto-close days, ...)."""

    __tablename__ = "settings"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")
