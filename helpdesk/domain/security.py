"""Abuse protection records: spent captcha challenges and rate-limit hits."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow


class UsedChallenge(SQLModel, table=True):
    """A solved captcha, kept until it expires so the same solution cannot be replayed."""

    __tablename__ = "used_challenges"

    id: Optional[int] = Field(default=None, primary_key=True)
    signature: str = Field(max_length=128, unique=True)
    expires_at: datetime = Field(index=True)


class RateLimitHit(SQLModel, table=True):
    """One counted action under a key such as 'ticket:ip:1.2.3.4' or 'ticket:user:7'."""

    __tablename__ = "rate_limit_hits"

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
