"""Single-use, expiring tokens mailed to a person (verify address, reset password, change
address, undo a change) and the hashed two-step recovery codes. Only hashes are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow


class AccountToken(SQLModel, table=True):
    __tablename__ = "account_tokens"

    id: Optional[int] = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=16, index=True)  # verify | reset | email_change | email_undo
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    # Purpose data: the new address (email_change) or the old one (email_undo).
    data: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = None


class RecoveryCode(SQLModel, table=True):
    """One two-step recovery code: HMAC-SHA256 (app secret, user id, code); works once (0011, 0018)."""

    __tablename__ = "recovery_codes"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    used_at: Optional[datetime] = None
