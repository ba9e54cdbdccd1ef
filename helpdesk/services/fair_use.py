"""Fair use, enforced for every channel (seed 003; issue 19 "visible, never silent").

`tickets.create_ticket` and `tickets.add_message` are the one path the web form, the API, the
mail receiver and the chat use, and they call this module:

- `check_new_ticket` before a ticket opens: past a hard limit it raises `FairUseRefused`
  (a message the customer reads, with how long to wait); otherwise it returns the signals;
- `apply_new_ticket` after it opened: stores the signals, and past a soft limit the ticket
  waits longer (low priority, deadlines recomputed) and carries a message saying why;
- `check_message` for a customer's reply: the same two levels for messages per ticket per hour.

Admins set the limits (`set_limits`, a JSON setting); agents read the signals (`signals_for`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.domain.accounts import User
from helpdesk.domain.fair_use import FairUseLimits, FairUseSignal, Signal, count_questions, invalid_limits, judge
from helpdesk.domain.sla import Setting
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import RateLimited, ValidationError

SETTING_KEY = "fair_use_limits"
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
# Signals that make a ticket wait longer; "questions" only asks the customer to split them.
WAIT_LONGER = frozenset({"messages", "tickets", "org_tickets", "repeated"})
SLOW_PRIORITY = "low"
DEFAULT_LIMITS = FairUseLimits()  # until an admin saves others


class FairUseRefused(RateLimited):
    """Past a hard limit: nothing is stored, and the customer reads why and for how long (the
    API answers 429 with Retry-After, like any rate limit)."""

    def __init__(self, kind: str, count: int, limit: int, wait: timedelta):
        minutes = max(1, int(wait.total_seconds() + 59) // 60)
        super().__init__(f"fair_use.refused_{kind}", retry_after_s=minutes * 60)
        self.field = "body" if kind == "messages" else "subject"
        self.params = {"count": count, "limit": limit, "minutes": minutes}
        self.kind = kind


# ---------------------------------------------------------------- configuration


def limits(session: Session) -> FairUseLimits:
    row = session.get(Setting, SETTING_KEY)
    if row is None or not row.value:
        return DEFAULT_LIMITS
    try:
        raw = json.loads(row.value)
    except ValueError:
        raw = {}
    return FairUseLimits.from_dict(raw if isinstance(raw, dict) else {})


def set_limits(session: Session, actor: Optional[User], raw: dict) -> FairUseLimits:
    require_admin(actor)
    bad = invalid_limits(raw)
    if bad:
        raise ValidationError({name: "fair_use.limit_invalid" for name in bad})
    value = FairUseLimits.from_dict(raw)
    row = session.get(Setting, SETTING_KEY) or Setting(key=SETTING_KEY)
    row.value = json.dumps(value.as_dict())
    session.add(row)
    session.flush()
    return value


# ---------------------------------------------------------------- new tickets


def _words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return frozenset(w for w in re.findall(r"[a-z0-9]+", folded) if len(w) > 2 or w.isdigit())  # "Pedido 7" ≠ "Pedido 8"


def _alike(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= 0.6


def _wait_until_free(times: list[datetime], limit: int, window: timedelta, now: datetime) -> timedelta:
    """How long until fewer than limit * HARD_FACTOR of `times` lie inside the window."""
    from helpdesk.domain.fair_use import HARD_FACTOR

    ordered = sorted(_aware(t) for t in times)
    keep = limit * HARD_FACTOR
    if len(ordered) < keep:
        return timedelta(0)
    return max(timedelta(0), ordered[len(ordered) - keep] + window - now)


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def check_new_ticket(session: Session, requester: User, subject: str, description: str, now: datetime) -> list[Signal]:
    """The signals a new ticket from `requester` raises; FairUseRefused past a hard limit."""
    lim = limits(session)
    if requester.is_staff:
        return []
    signals: list[Signal] = []
    since = now - DAY
    mine = list(session.exec(select(Ticket.created_at, Ticket.subject).where(
        Ticket.requester_id == requester.id, Ticket.created_at >= now - WEEK)).all())
    today = [t for t, _ in mine if _aware(t) >= since]
    checks = [("tickets", today, lim.tickets_per_day, DAY)]
    if requester.organization_id is not None and lim.org_tickets_per_day > 0:
        org_today = list(session.exec(select(Ticket.created_at).where(
            Ticket.organization_id == requester.organization_id, Ticket.created_at >= since)).all())
        checks.append(("org_tickets", org_today, lim.org_tickets_per_day, DAY))
    words = _words(subject)
    same = [t for t, s in mine if _alike(words, _words(s))]
    checks.append(("repeated", same, lim.repeated_per_week, WEEK))
    for kind, times, limit, window in checks:
        signal = judge(kind, len(times) + 1, limit)
        if signal is None:
            continue
        if signal.hard:
            raise FairUseRefused(kind, signal.count, limit, _wait_until_free(times, limit, window, now))
        signals.append(signal)
    questions = judge("questions", count_questions(description), lim.questions_per_ticket)
    if questions is not None:
        signals.append(Signal("questions", questions.count, questions.limit, hard=False))  # never refused
    return signals


def _store(session: Session, ticket: Ticket, signal: Signal, now: datetime) -> bool:
    """Record the signal once per ticket and kind (a later count updates it). True when new."""
    row = session.exec(select(FairUseSignal).where(FairUseSignal.ticket_id == ticket.id,
                                                   FairUseSignal.kind == signal.kind)).first()
    if row is not None:
        row.count = max(row.count, signal.count)
        session.add(row)
        return False
    try:
        with session.begin_nested():
            session.add(FairUseSignal(ticket_id=ticket.id, requester_id=ticket.requester_id, kind=signal.kind,
                                      count=signal.count, limit=signal.limit, created_at=now))
    except IntegrityError:
        return False
    return True


def _explain(session: Session, ticket: Ticket, signals: list[Signal], now: datetime) -> None:
    """Make the ticket wait longer when a signal says so, and tell the customer why, on the ticket."""
    from helpdesk import i18n

    slows = [s for s in signals if s.kind in WAIT_LONGER]
    if slows and ticket.priority in (None, "medium", "low") and ticket.priority != SLOW_PRIORITY:
        from helpdesk.services import sla

        old, ticket.priority = ticket.priority, SLOW_PRIORITY
        sla.apply_sla(session, ticket, now, previous_priority=old)
        session.add(ticket)
    lines = [i18n.translate(f"fair_use.customer_{s.kind}", ticket.locale, count=s.count, limit=s.limit) for s in signals]
    if slows:
        lines.append(i18n.translate("fair_use.customer_waits_longer", ticket.locale))
    session.add(Message(ticket_id=ticket.id, author_id=None, body="\n\n".join(lines), created_at=now))
    session.flush()


def apply_new_ticket(session: Session, ticket: Ticket, signals: list[Signal], now: datetime) -> None:
    """After the ticket opened (before its SLA is applied): store and explain the signals."""
    fresh = [s for s in signals if _store(session, ticket, s, now)]
    if fresh:
        _explain(session, ticket, fresh, now)


# ---------------------------------------------------------------- replies


def check_message(session: Session, ticket: Ticket, author: User, now: datetime) -> None:
    """Before a customer's reply is stored: refuse past the hard limit, flag past the soft one."""
    if author.is_staff:
        return
    lim = limits(session)
    times = list(session.exec(select(Message.created_at).where(
        Message.ticket_id == ticket.id, Message.author_id == author.id, Message.created_at >= now - HOUR)).all())
    signal = judge("messages", len(times) + 1, lim.messages_per_ticket_hour)
    if signal is None:
        return
    if signal.hard:
        raise FairUseRefused("messages", signal.count, signal.limit,
                             _wait_until_free(times, lim.messages_per_ticket_hour, HOUR, now))
    if _store(session, ticket, signal, now):
        _explain(session, ticket, [signal], now)


# ---------------------------------------------------------------- for agents


def signals_for(session: Session, ticket_ids: list[int]) -> dict[int, list[FairUseSignal]]:
    if not ticket_ids:
        return {}
    out: dict[int, list[FairUseSignal]] = {}
    for row in session.exec(select(FairUseSignal).where(col(FairUseSignal.ticket_id).in_(ticket_ids))
                            .order_by(FairUseSignal.id)).all():
        out.setdefault(row.ticket_id, []).append(row)
    return out


def describe(row: FairUseSignal, locale: str) -> str:
    """The signal and its reason, for agents ("5 messages in an hour on this ticket (limit 6)")."""
    from helpdesk import i18n

    return i18n.translate(f"fair_use.agent_{row.kind}", locale, count=row.count, limit=row.limit)


def requester_signal_count(session: Session, requester_id: int, since: datetime) -> int:
    """How many signals a requester collected since `since` (a queue can order by it)."""
    return session.exec(select(func.count(FairUseSignal.id)).where(
        FairUseSignal.requester_id == requester_id, FairUseSignal.created_at >= since)).one()


MAIL_ANSWER_LIMIT = (1, 3600)


def tell_by_mail(session: Session, to: str, err: FairUseRefused, locale: str = "es") -> bool:
    """The mail channel's refusal: the sender reads the same sentence the web shows, at most one
    such mail an hour (a loop with an auto-responder stays short). False when none was queued."""
    from helpdesk import i18n
    from helpdesk.infra import clock
    from helpdesk.services import mail, ratelimit

    if not to or "@" not in to:
        return False
    try:
        ratelimit.hit(session, f"fair-use-answer:{to}", *MAIL_ANSWER_LIMIT)
    except RateLimited:
        return False
    return mail.queue_mail(session, to=to, subject=i18n.translate("fair_use.mail_subject", locale),
                           text=i18n.translate(err.code, locale, **err.params) + "\n",
                           idempotency_key=f"fair-use-answer:{to}:{clock.now().isoformat()}")


def reasons_by_number(session: Session, numbers: list[int], locale: str) -> dict[int, list[str]]:
    """Each listed ticket's fair-use signals as sentences (the queue's badge and its tooltip)."""
    if not numbers:
        return {}
    rows = session.exec(select(Ticket.number, FairUseSignal).join(FairUseSignal, FairUseSignal.ticket_id == Ticket.id)
                        .where(col(Ticket.number).in_(numbers)).order_by(FairUseSignal.id)).all()
    out: dict[int, list[str]] = {}
    for number, row in rows:
        out.setdefault(number, []).append(describe(row, locale))
    return out
