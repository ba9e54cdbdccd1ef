"""Ticket mail that did not arrive, marked on its ticket so that the agent knows (issues 13, 16).

A ticket mail is lost in one of two ways: the outbox gives it up (the server refused it for
good, or every attempt failed: services/mail.py calls `record_failure` in the transaction that
marks the row failed), or the server took it and a bounce report came back later
(services/inbound/service.py records "mail_bounced"). Each leaves one ticket event:

    mail_failed    to_value: the address   from_value: "<why>:<short reason>" (rejected | gave_up)
    mail_bounced   to_value: the address   from_value: ""

`unresolved` is what the agent's ticket page warns about: per address, the newest such event
that no later delivery to that address on the same ticket has made moot.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk.domain.accounts import User
from helpdesk.domain.mail import SENT, OutboxMail
from helpdesk.domain.tickets import Ticket, TicketEvent
from helpdesk.services.authz import require_staff

FAILED_EVENT, BOUNCED_EVENT = "mail_failed", "mail_bounced"
REJECTED, GAVE_UP, BOUNCED = "rejected", "gave_up", "bounced"
# A reason people read at a glance in a callout and in the history, never a whole transcript.
MAX_REASON = 120
# A ticket with more lost mails than this has a problem the newest ones already show.
MAX_EVENTS = 50


def short_reason(exc: BaseException) -> str:
    """'550 5.1.1 No such user' for a server's answer, else the error's kind and first line."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
        raw = f"{code} {_text(text)}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        raw = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        raw = f"{type(exc).__name__}: {exc}"
    # Multi-line SMTP answers repeat their code on every line; the first says what happened.
    line = " ".join((raw.splitlines() or [""])[0].split())
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def record_failure(session: Session, ticket_id: int, address: str, why: str, reason: str, at: datetime) -> None:
    """The history entry of a ticket mail given up for good. The caller writes it in the same
    transaction as the outbox row's failed status, and only when its update won (once)."""
    session.add(TicketEvent(ticket_id=ticket_id, actor_id=None, kind=FAILED_EVENT,
                            from_value=f"{why}:{reason}"[:200], to_value=address[:200], created_at=at))


def why_and_reason(event: TicketEvent) -> tuple[str, str]:
    """(rejected | gave_up | bounced, short reason) of a mail_failed or mail_bounced event."""
    if event.kind == BOUNCED_EVENT:
        return BOUNCED, ""
    why, _, reason = (event.from_value or "").partition(":")
    return (why if why in (REJECTED, GAVE_UP) else GAVE_UP), reason.strip()


@dataclass(frozen=True)
class Failure:
    address: str
    why: str      # rejected | gave_up | bounced
    reason: str   # the server's short answer ("" for a bounce)
    at: datetime


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def unresolved(session: Session, actor: Optional[User], ticket: Ticket) -> list[Failure]:
    """Mail of this ticket that did not arrive, newest first, one per address; an address that
    got a mail of this ticket after its failure is left out (it works again). Agents only."""
    require_staff(actor)
    events = session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, col(TicketEvent.kind).in_((FAILED_EVENT, BOUNCED_EVENT)))
        .order_by(col(TicketEvent.created_at).desc(), col(TicketEvent.id).desc()).limit(MAX_EVENTS)
    ).all()
    if not events:
        return []
    delivered: dict[str, datetime] = {}
    # A bounced mail's row is no longer "sent" (the bounce marked it failed), so it never counts.
    for address, sent_at in session.exec(
        select(OutboxMail.to_email, OutboxMail.sent_at).where(OutboxMail.ticket_id == ticket.id, OutboxMail.status == SENT)
    ).all():
        if sent_at is not None and (address not in delivered or _aware(sent_at) > delivered[address]):
            delivered[address] = _aware(sent_at)
    out: list[Failure] = []
    seen: set[str] = set()
    for ev in events:
        address = ev.to_value
        if address in seen:
            continue
        seen.add(address)
        if address in delivered and delivered[address] >= _aware(ev.created_at):
            continue
        why, reason = why_and_reason(ev)
        out.append(Failure(address=address, why=why, reason=reason, at=_aware(ev.created_at)))
    return out
