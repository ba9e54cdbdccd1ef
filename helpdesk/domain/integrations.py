"""API tokens, webhook endpoints and the webhook outbox: how other systems talk to the help desk."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow

SCOPE_READ = "read"
SCOPE_WRITE = "write"  # read and write
SCOPES = (SCOPE_READ, SCOPE_WRITE)

EVENTS = ("ticket.created", "ticket.updated", "message.created", "csat.received")

# Delivery states of the outbox.
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"  # gave up after about a day of retries


class ApiToken(SQLModel, table=True):
    """A personal API token. Only the SHA-256 of the secret is stored; the holder keeps the secret."""

    __tablename__ = "api_tokens"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)  # first characters, so people can tell tokens apart
    scope: str = Field(default=SCOPE_READ, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: Optional[datetime] = None
    expires_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ApiIdempotency(SQLModel, table=True):
    """The first answer to a POST carrying an Idempotency-Key, written in the POST's own transaction."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_api_idempotency_user_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    status_code: int
    body: str
    created_at: datetime = Field(default_factory=utcnow, index=True)


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: Optional[int] = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000, unique=True)
    secret: str = Field(max_length=200)  # needed in clear to sign; never shown after creation
    events: str = Field(max_length=200)  # comma-separated subset of EVENTS
    created_at: datetime = Field(default_factory=utcnow)
    paused_at: Optional[datetime] = None  # set after too many failures in a row (or by an admin)
    failure_streak: int = Field(default=0)
    # One worker at a time delivers an endpoint's queue, in order (lease, not a lock).
    lease_until: Optional[datetime] = None

    @property
    def event_list(self) -> list[str]:
        return [e for e in self.events.split(",") if e]


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: the outbox row, written in the transaction of the change."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_endpoint_state", "endpoint_id", "state", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id", index=True)
    event: str = Field(max_length=40)
    delivery_uuid: str = Field(max_length=36, unique=True)
    payload: str  # the exact JSON body that is signed and sent
    state: str = Field(default=PENDING, max_length=12)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    delivered_at: Optional[datetime] = None
    last_status: Optional[int] = None  # HTTP status of the last answer (None: no answer)
    last_duration_ms: Optional[int] = None
    last_error: str = Field(default="", max_length=300)
