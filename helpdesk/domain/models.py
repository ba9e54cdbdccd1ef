"""Every table, imported in one place so Alembic and tests see the whole metadata."""

from helpdesk.domain.agent import CannedResponse  # noqa: F401
from helpdesk.domain.accounts import AuthSession, LoginAttempt, Organization, User  # noqa: F401
from helpdesk.domain.catalog import RequestType, Service  # noqa: F401
from helpdesk.domain.integrations import ApiIdempotency, ApiToken, WebhookDelivery, WebhookEndpoint  # noqa: F401
from helpdesk.domain.inbound import AgentMailPref, AgentNotice, InboundMail  # noqa: F401
from helpdesk.domain.kb import Article, ArticleCategory, ArticleVote, ArticleViewDay, SearchQuery, Synonym  # noqa: F401
from helpdesk.domain.mail import AuditEvent, OutboxMail  # noqa: F401
from helpdesk.domain.promises import OrgPlan, UrgentUse  # noqa: F401
from helpdesk.domain.escalation import EscalationRule, EscalationRun  # noqa: F401
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
from helpdesk.domain.account_tokens import AccountToken, RecoveryCode  # noqa: F401
from helpdesk.domain.chat import CallbackRequest, ChatConversation, ChatQuestion  # noqa: F401,E402
from helpdesk.domain.fair_use import FairUseSignal  # noqa: F401,E402
from helpdesk.domain.promise_watch import PromiseNotice  # noqa: F401,E402
from helpdesk.domain.ticket_moves import TicketMerge  # noqa: F401,E402
from helpdesk.domain.saved_views import SavedView  # noqa: F401,E402
from helpdesk.domain.estimate_record import TicketEstimate  # noqa: F401,E402
