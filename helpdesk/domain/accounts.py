"""Organizations, users, server-side sessions and sign-in attempts."""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import datetime
from typing import Optional

import email_validator
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow


class Role(str, enum.Enum):
    CUSTOMER = "customer"
    AGENT = "agent"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self in (Role.AGENT, Role.ADMIN)


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(default=Role.CUSTOMER.value, max_length=16, index=True)
    organization_id: Optional[int] = Field(default=None, foreign_key="organizations.id", index=True)
    is_org_admin: bool = Field(default=False)
    password_hash: str = Field(max_length=255)
    locale: str = Field(default="es", max_length=8)
    is_active: bool = Field(default=True)
    # Agents only: included in round-robin assignment of new tickets.
    available_for_assignment: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)
    # Set when the person was erased (GDPR): name/e-mail replaced, tickets kept (0007).
    anonymized_at: Optional[datetime] = None
    # Trusted accounts (0011). When the person first set a password (registered); None for a
    # guest who only opened tickets. Until `email_verified_at` is set, tickets opened as a
    # guest before `registered_at` and CC visibility by address stay hidden (takeover hole).
    registered_at: Optional[datetime] = None
    email_verified_at: Optional[datetime] = None
    # Two-step sign-in: the base32 secret once enabled (pending one while setting up).
    # Sealed at rest (services/totp_seal: "f1:" + Fernet token); older rows may be plain base32.
    totp_secret: str = Field(default="", max_length=255)
    totp_pending_secret: str = Field(default="", max_length=255)
    totp_enabled_at: Optional[datetime] = None
    # Last accepted 30 s time step: a code works once (no replay within its window).
    totp_last_step: int = Field(default=0)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_staff(self) -> bool:
        return self.role_enum.is_staff


class AuthSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the token is stored; the browser keeps the token."""

    __tablename__ = "sessions"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_seen_at: datetime = Field(default_factory=utcnow)
    revoked_at: Optional[datetime] = None
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins, kept to slow down guessing per account and per address."""

    __tablename__ = "login_attempts"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    ip: str = Field(default="", max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


# email-validator refuses special-use domains by default; `.test` (demo data, tests) and
# `.invalid` (anonymized accounts) were always accepted here and stay so (its docs allow editing
# this list). Real address confusion is what the library stops.
for _allowed in ("test", "invalid"):
    if _allowed in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_allowed)

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(raw: str) -> str:
    """Case-fold and strip an address, so 'Ana@X.com ' and 'ana@x.com' are one account.

    NUL bytes are dropped: PostgreSQL refuses them in text, so a forged sign-in with one used to
    raise a database error instead of "wrong e-mail or password" (tests/security form fuzz).
    """
    return unicodedata.normalize("NFKC", (raw or "").replace("\x00", "")).strip().lower()


def is_valid_email(email: str) -> bool:
    """A deliverable-looking address by RFC 5322/6531 rules (IDN domains included), checked by
    email-validator without any DNS look-up. A bare regex used to accept
    `<victim@example.com>x.co`, which mail software then delivered to the victim."""
    if not email or len(email) > 320 or not _EMAIL_RE.match(email):
        return False
    try:
        validate_email(email, check_deliverability=False,
                       allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError:
        return False
    return True
