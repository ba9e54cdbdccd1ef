"""The few automatic answers the mail channel sends, at most one per sender per hour.

Answers go out as plain text (no template needed) in the sender's transaction, through the
outbox. They carry `Auto-Submitted: auto-generated` (services/mail.py), so a well-behaved
autoresponder never answers them back.
"""

from __future__ import annotations

from sqlmodel import Session

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.infra.settings import get_settings
from helpdesk.services import mail, ratelimit
from helpdesk.services.errors import RateLimited

ANSWER_LIMIT = (1, 3600)


def polite_answer(session: Session, to: str, kind: str, locale: str = "es") -> bool:
    """Queue the answer `kind` (refused | rejected_new) to `to`; False when one went this hour."""
    if not to or "@" not in to:
        return False
    try:
        ratelimit.hit(session, f"inbound-answer:{to}", *ANSWER_LIMIT)
    except RateLimited:
        return False
    base = get_settings().base_url
    subject = i18n.translate(f"mail_in.{kind}_subject", locale)
    text = i18n.translate(f"mail_in.{kind}_body", locale, portal=f"{base}/tickets/new", login=f"{base}/login")
    return mail.queue_mail(
        session, to=to, subject=subject, text=text + "\n",
        idempotency_key=f"inbound-answer:{to}:{utcnow().isoformat()}",
    )
