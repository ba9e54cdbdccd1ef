"""What admins configure about the chat without a deploy, and the chat's housekeeping.

- The yes/no questions that decide a suggested priority, per service (or for all services).
- How long guests' conversations are kept, and when an untouched draft is abandoned.
- The widget's allowed embedding origins and its host-page identity check (HMAC).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.catalog import Service
from helpdesk.domain.chat import ChatConversation, ChatQuestion
from helpdesk.domain.chat_script import RAISABLE, Question
from helpdesk.domain.sla import Setting
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import NotFound, ValidationError

RETENTION_KEY = "chat_guest_retention_days"
SEEDED_KEY = "chat_questions_seeded"
RETENTION_DEFAULT_DAYS = 30
ABANDON_AFTER = timedelta(days=7)
IDENTITY_MAX_AGE_S = 24 * 3600
MAX_QUESTION = 300

# Seed 000: "if the situation prevents 100% use of the system, the ticket is High priority".
DEFAULT_QUESTION = (
    "¿Te impide usar el sistema por completo (al 100 %)?",
    "Does it stop you from using the system completely (100%)?",
)


# ------------------------------------------------------------------ questions


def ensure_default_questions(session: Session) -> None:
    """Seed the default question once; an admin who deletes it does not get it back."""
    if session.get(Setting, SEEDED_KEY) is not None:
        return
    from sqlalchemy.exc import IntegrityError

    try:
        # A savepoint: when two first conversations race, the loser's insert of the marker
        # fails alone and its turn goes on (the winner seeded the question).
        with session.begin_nested():
            session.add(Setting(key=SEEDED_KEY, value="1"))
            session.flush()
            if session.exec(select(ChatQuestion.id).limit(1)).first() is None:
                session.add(ChatQuestion(service_id=None, position=0, text_es=DEFAULT_QUESTION[0],
                                         text_en=DEFAULT_QUESTION[1], raises_to="high"))
                session.flush()
    except IntegrityError:
        pass


def questions_for(session: Session, service_id: Optional[int]) -> list[Question]:
    """Active questions asked for this service: the all-services ones, then its own."""
    ensure_default_questions(session)
    rows = session.exec(
        select(ChatQuestion)
        .where(col(ChatQuestion.is_active).is_(True),
               or_(col(ChatQuestion.service_id).is_(None), ChatQuestion.service_id == service_id))
        .order_by(col(ChatQuestion.service_id).is_not(None), ChatQuestion.position, ChatQuestion.id)
    ).all()
    return [Question(r.id, r.text_es, r.text_en, r.raises_to) for r in rows]


def list_questions(session: Session, actor) -> list[ChatQuestion]:
    require_admin(actor)
    ensure_default_questions(session)
    return list(session.exec(select(ChatQuestion).order_by(ChatQuestion.service_id, ChatQuestion.position,
                                                           ChatQuestion.id)).all())


def add_question(session: Session, actor, *, text_es: str, text_en: str = "", service_id: Optional[int] = None,
                 raises_to: str = "high") -> ChatQuestion:
    require_admin(actor)
    text_es, text_en = " ".join((text_es or "").split()), " ".join((text_en or "").split())
    errors = {}
    if len(text_es) < 5 or len(text_es) > MAX_QUESTION:
        errors["text_es"] = "chat_admin.question_required"
    if len(text_en) > MAX_QUESTION:
        errors["text_en"] = "chat_admin.question_too_long"
    if raises_to not in RAISABLE:
        errors["raises_to"] = "chat_admin.priority_invalid"
    if service_id is not None and session.get(Service, service_id) is None:
        errors["service"] = "tickets.service_required"
    if errors:
        raise ValidationError(errors)
    ensure_default_questions(session)
    last = session.exec(select(ChatQuestion.position).order_by(col(ChatQuestion.position).desc()).limit(1)).first()
    row = ChatQuestion(service_id=service_id, position=(last or 0) + 1, text_es=text_es, text_en=text_en,
                       raises_to=raises_to)
    session.add(row)
    session.flush()
    return row


def remove_question(session: Session, actor, question_id: int) -> None:
    require_admin(actor)
    row = session.get(ChatQuestion, question_id)
    if row is None:
        raise NotFound()
    # Deactivated, not deleted: conversations in progress may still hold an answer to it.
    row.is_active = False
    session.add(row)
    session.flush()


# ------------------------------------------------------------------ retention


def guest_retention_days(session: Session) -> int:
    row = session.get(Setting, RETENTION_KEY)
    try:
        return max(1, int(row.value)) if row and row.value.strip() else RETENTION_DEFAULT_DAYS
    except ValueError:
        return RETENTION_DEFAULT_DAYS


def set_guest_retention_days(session: Session, actor, days: object) -> int:
    require_admin(actor)
    text = str(days if days is not None else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise ValidationError({"retention": "chat_admin.retention_invalid"})
    row = session.get(Setting, RETENTION_KEY) or Setting(key=RETENTION_KEY)
    row.value = str(int(text))
    session.add(row)
    session.flush()
    return int(text)


def expire_conversations(session: Session, *, now: datetime | None = None) -> tuple[int, int]:
    """Drafts untouched for ABANDON_AFTER are closed (they no longer resume); guests'
    conversations older than the retention are deleted. Returns (abandoned, deleted)."""
    now = now or utcnow()
    abandoned = session.exec(
        update(ChatConversation)
        .where(ChatConversation.status == "open", col(ChatConversation.updated_at) < now - ABANDON_AFTER)
        .values(status="abandoned", guest_key_hash=None)
    ).rowcount or 0
    cutoff = now - timedelta(days=guest_retention_days(session))
    deleted = session.exec(
        delete(ChatConversation)
        .where(col(ChatConversation.user_id).is_(None), col(ChatConversation.updated_at) < cutoff)
    ).rowcount or 0
    return int(abandoned), int(deleted)


def run_expiry_job() -> tuple[int, int]:
    from helpdesk.infra.db import session_scope

    with session_scope() as s:
        return expire_conversations(s)


# ------------------------------------------------------------------ the widget


def widget_origins() -> list[str]:
    """HELPDESK_WIDGET_ORIGINS: space- or comma-separated origins allowed to embed /chat."""
    raw = os.environ.get("HELPDESK_WIDGET_ORIGINS", "")
    return [o.strip().rstrip("/") for o in raw.replace(",", " ").split() if o.strip()]


def frame_ancestors() -> str:
    """The CSP directive for /chat: our own origin plus the listed ones (nothing else)."""
    allowed = [o for o in widget_origins() if o.startswith(("http://", "https://")) and ";" not in o
               and "'" not in o]
    return "frame-ancestors " + " ".join(["'self'", *allowed])


def _widget_secret() -> str:
    return os.environ.get("HELPDESK_WIDGET_SECRET", "").strip()


def identity_signature(email: str, name: str, ts: int, secret: str) -> str:
    """What the host computes: hex HMAC-SHA256 of "email|name|ts" with the shared secret."""
    message = f"{email.strip().lower()}|{name.strip()}|{int(ts)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_identity(email: object, name: object, ts: object, sig: object, *, now: float | None = None
                    ) -> Optional[tuple[str, str]]:
    """(email, name) when the host page's signature is valid and fresh; None otherwise
    (also when no HELPDESK_WIDGET_SECRET is configured)."""
    from helpdesk.domain.accounts import is_valid_email, normalize_email

    secret = _widget_secret()
    email, name, ts, sig = (str(v or "")[:400] for v in (email, name, ts, sig))
    if not secret or not ts.isdigit() or not sig:
        return None
    now = time.time() if now is None else now
    if abs(now - int(ts)) > IDENTITY_MAX_AGE_S:
        return None
    if not hmac.compare_digest(identity_signature(email, name, int(ts), secret), sig.lower()):
        return None
    email = normalize_email(email)
    if not is_valid_email(email):
        return None
    return email, " ".join(name.split())[:200] or email.split("@")[0]
