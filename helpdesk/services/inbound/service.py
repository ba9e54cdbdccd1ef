"""The one place received mail becomes ticket messages: SMTP and IMAP both call `receive`.

Steps: parse; take each mail once (dedupe key); machine mail (auto-replies, lists, null
sender) and bounce reports never add anything (a bounce marks the returned outgoing mail
failed, on its ticket); a per-sender rate limit; thread to a ticket; decide with the same rule
as the web whether the sender may write there (an existing, active account that can see the
ticket, exactly `tickets.add_message`'s check); strip quotes; attach files checked like
uploads; keep the original .eml for agents. Live updates are published after the commit.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import AbstractContextManager
from typing import Callable, Iterable, Optional

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.inbound import InboundMail
from helpdesk.domain.tickets import Ticket
from helpdesk.infra import bus
from helpdesk.infra.db import session_scope
from helpdesk.infra.storage import get_store
from helpdesk.domain.principals import MailSender
from helpdesk.services import fair_use, policy, ratelimit, tickets
from helpdesk.services.errors import RateLimited
from helpdesk.services.policy import Action
from helpdesk.services.inbound import answers, thread
from helpdesk.services.inbound.parse import ParsedMail, parse
from helpdesk.services.inbound.reply import _reply
from helpdesk.services.inbound.result import Result

log = logging.getLogger("helpdesk.inbound")

SENDER_LIMIT = (30, 3600)  # mails per sender per hour that may add anything
MAX_RAW_BYTES = 40 * 1024 * 1024

SessionFactory = Callable[[], AbstractContextManager[Session]]


def dedupe_key(raw: bytes, mail: ParsedMail, key: str | None) -> str:
    if key:
        return key[:200]
    if mail.message_id:
        return "mid:" + hashlib.sha256(mail.message_id.encode("utf-8", "replace")).hexdigest()
    return "sha:" + hashlib.sha256(raw).hexdigest()


def already_received(session: Session, key: str) -> bool:
    return session.exec(select(InboundMail.id).where(InboundMail.dedupe_key == key)).first() is not None


def sender_user(session: Session, email: str) -> Optional[User]:
    if not email:
        return None
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    return user if user is not None and user.is_active else None


def sender(session: Session, email: str) -> MailSender:
    """The principal behind a mail's From (its active account, if any). Not authenticated:
    nothing checks SPF/DKIM here, so `verified` stays False."""
    return MailSender(email=normalize_email(email or ""), verified=False, account=sender_user(session, email))


def may_write(session: Session, user: Optional[User], ticket: Ticket) -> bool:
    """The web's rule, from services/policy.py: who can see a ticket may reply on it."""
    principal = MailSender(email=user.email if user is not None else "", account=user)
    return policy.can(principal, Action.REPLY_TICKET, tickets.facts(session, ticket))


def _record(session: Session, key: str, raw: bytes, mail: ParsedMail, source: str, result: Result,
            ticket: Optional[Ticket] = None, message_id: Optional[int] = None) -> None:
    keep = ticket is not None  # the .eml is kept where a dispute can arise: on a ticket
    row = InboundMail(
        dedupe_key=key, source=source, from_email=mail.from_email[:320], subject=mail.subject[:300],
        outcome=result.outcome, reason=result.reason[:200], ticket_id=ticket.id if ticket else None,
        message_id=message_id, eml_sha256=get_store().put(raw) if keep else "", size=len(raw),
    )
    session.add(row)
    session.flush()
    result.inbound_id = row.id
    result.ticket_number = ticket.number if ticket else None


def _bounce(session: Session, mail: ParsedMail) -> Result:
    row = thread.bounced_mail(session, mail.dsn_headers)
    if row is None:
        return Result("bounce", "unmatched")
    from helpdesk.services import mail as outbox

    row.status = outbox.FAILED
    row.last_error = f"bounced: {mail.subject}"[:1000]
    session.add(row)
    ticket = session.get(Ticket, row.ticket_id)
    tickets.record_event(session, ticket, None, "mail_bounced", "", row.to_email)
    return Result("bounce", f"outbox {row.id}")


def _process(session: Session, raw: bytes, mail: ParsedMail, recipients: list[str], source: str, key: str) -> Result:
    from helpdesk.services.inbound import new_mail

    if mail.is_dsn:
        result = _bounce(session, mail)
        _record(session, key, raw, mail, source, result)
        return result
    if mail.auto_submitted or not mail.from_email:
        result = Result("ignored", mail.auto_submitted or "no sender")
        _record(session, key, raw, mail, source, result)
        return result
    user = sender_user(session, mail.from_email)
    ticket, how = thread.find_ticket(session, mail, recipients, lambda t: may_write(session, user, t))
    if ticket is not None:
        if not may_write(session, user, ticket):
            answers.polite_answer(session, mail.from_email, "refused", ticket.locale)
            result = Result("refused", f"sender may not write ({how})")
            _record(session, key, raw, mail, source, result)
            return result
        try:
            with session.begin_nested():
                outcome, ticket, message_id = _reply(session, user, ticket, mail)
        except fair_use.FairUseRefused as err:  # told by mail, never silently dropped
            fair_use.tell_by_mail(session, mail.from_email, err, ticket.locale)
            result = Result("refused", err.code)
            _record(session, key, raw, mail, source, result)
            return result
        result = Result(outcome, how)
        _record(session, key, raw, mail, source, result, ticket, message_id)
        return result
    result, ticket, message_id = new_mail.open_or_refuse(session, user, mail, recipients)
    _record(session, key, raw, mail, source, result, ticket, message_id)
    return result


def _count_sender(session_factory: SessionFactory, email: str) -> bool:
    """Every mail counts, kept or not (its own transaction, like a guessing limit)."""
    if not email:
        return True
    try:
        with session_factory() as s:
            ratelimit.hit(s, f"inbound:{email}", *SENDER_LIMIT)
    except RateLimited:
        return False
    return True


def receive(
    raw: bytes,
    *,
    envelope_from: str | None = None,
    recipients: Iterable[str] = (),
    source: str = "smtp",
    key: str | None = None,
    session_factory: SessionFactory | None = None,
) -> Result:
    """Take one received mail (the bytes as they came). Safe to call twice with the same mail."""
    session_factory = session_factory or session_scope
    raw = raw[:MAX_RAW_BYTES]
    mail = parse(raw, envelope_from)
    key = dedupe_key(raw, mail, key)
    with session_factory() as s:
        if already_received(s, key):
            return Result("duplicate")
    machine = mail.is_dsn or bool(mail.auto_submitted)
    if not machine and not _count_sender(session_factory, mail.from_email):
        with session_factory() as s:
            result = Result("rate_limited", mail.from_email)
            _record(s, key, raw, mail, source, result)
        return result
    rcpts = [normalize_email(r) for r in recipients] + mail.recipients
    try:
        with session_factory() as s:
            result = _process(s, raw, mail, rcpts, source, key)
    except IntegrityError:
        return Result("duplicate")  # the same mail, taken by another worker at the same moment
    log.info("inbound mail from=%s outcome=%s reason=%s ticket=%s", mail.from_email, result.outcome,
             result.reason, result.ticket_number)
    if result.ticket_number is not None:
        _publish_after_commit(result.ticket_number, session_factory)
    return result


def _publish_after_commit(number: int, session_factory: SessionFactory) -> None:
    # add_message publishes inside the transaction; open pages re-read on this second signal,
    # which is sent only once the rows are committed and visible to every worker.
    with session_factory() as s:
        ticket = s.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is not None:
            bus.publish(bus.ticket_topic(ticket.id), ticket_id=ticket.id, version=ticket.version)
            bus.publish(bus.QUEUE_TOPIC, ticket_id=ticket.id)
