"""Every table, imported in one place so Alembic and tests see the whole metadata."""

from helpdesk.domain.agent import CannedResponse  # noqa: F401
from helpdesk.domain.accounts import AuthSession, LoginAttempt, Organization, User  # noqa: F401
from helpdesk.domain.catalog import RequestType, Service  # noqa: F401
from helpdesk.domain.kb import Article, ArticleCategory, ArticleVote, SearchQuery  # noqa: F401
from helpdesk.domain.mail import AuditEvent, OutboxMail  # noqa: F401
from helpdesk.domain.security import RateLimitHit, UsedChallenge  # noqa: F401
from helpdesk.domain.sla import BusinessDay, Holiday, Setting, SlaTarget  # noqa: F401
from helpdesk.domain.tickets import (  # noqa: F401
    Attachment,
    Counter,
    Message,
    SatisfactionRating,
    Ticket,
    TicketCC,
    TicketEvent,
)
from sqlmodel import SQLModel

metadata = SQLModel.metadata
