"""Outgoing mail: render, queue in the caller's transaction (outbox), deliver in the background.

Rendering. `render_mail(name, locale, **ctx)` uses the Mako templates in
`helpdesk/templates/mail/<name>.<es|en>.html`; each defines `subject_line()`, `text_body()` and `html_body()`.
The HTML is rendered with every `${...}` HTML-escaped by default; subject and text are
rendered unescaped (they are not HTML). Context per template:

    ticket_created        name, ticket_number, subject, expected_response, link
    agent_reply           name, ticket_number, subject, agent_name, body, files, link
    status_changed        name, ticket_number, subject, status, link
    ticket_solved_survey  name, ticket_number, subject, good_link, bad_link, link
    welcome               name, link
    ticket_merged         name, ticket_number (the target), subject, source_number, link
    ticket_split          name, ticket_number (the new ticket), subject, source_number, link

Delivery. `deliver_pending` claims due rows one by one with a conditional UPDATE that moves
them to "sending" with a lease (next_attempt_at = now + lease), sends outside any
transaction, then marks them "sent" or schedules a retry. Two workers can never both claim
one row; a worker that dies mid-send leaves a lease that expires and the row is retried
(at-least-once: the Message-ID is derived from the idempotency key, so a duplicate is
recognisable). The SMTP connection itself (TLS, login, DKIM signature) is
services/smtp_client.py; its configuration errors (wrong password, no STARTTLS, untrusted
certificate) keep mails queued, retried with backoff, never failed for good.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Callable

from mako.lookup import TemplateLookup
from markupsafe import Markup
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import is_valid_email, normalize_email
from helpdesk.domain.mail import FAILED, QUEUED, SENDING, SENT, OutboxMail  # statuses: read here by callers too
from helpdesk.infra import bus
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.services import mail_failures, smtp_client

logger = logging.getLogger("helpdesk.mail")

TEMPLATES = frozenset({"ticket_created", "agent_reply", "status_changed", "ticket_solved_survey", "welcome"})
# Account mails (verify, reset, password changed, change of address): services/account_mail.py.
TEMPLATES = TEMPLATES | {"account_notice"}
# The customer's "your answer will be late" mail: services/promise_watch.py.
TEMPLATES = TEMPLATES | {"promise_slipping"}
# "Your ticket continues in #B" after a merge or a split: services/ticket_moves.py.
TEMPLATES = TEMPLATES | {"ticket_merged", "ticket_split"}
LOCALES = ("es", "en")
DEFAULT_LOCALE = "es"

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Far longer than one SMTP exchange can take, so a live worker's claim never lapses.
LEASE = timedelta(minutes=5)
MAX_KEY_CHARS = 120
MAX_SUBJECT_CHARS = 300

_TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates" / "mail"
_BRAND = {"es": "Centro de ayuda", "en": "Help center"}
_FOOTER = {
    "es": "Este es un mensaje automático del centro de ayuda.",
    "en": "This is an automatic message from the help center.",
}

SessionFactory = Callable[[], AbstractContextManager[Session]]


# --- rendering ---------------------------------------------------------------------------

_html_lookup = TemplateLookup(
    directories=[str(_TEMPLATE_DIR)], default_filters=["h"], strict_undefined=True, input_encoding="utf-8"
)
_text_lookup = TemplateLookup(
    directories=[str(_TEMPLATE_DIR)], default_filters=["str"], strict_undefined=True, input_encoding="utf-8"
)


def _nl2br(escaped: str) -> Markup:
    # Runs after the default "h" filter, so the text is already escaped.
    return Markup(str(escaped).replace("\n", "<br>\n"))


def _clean_text(raw: str) -> str:
    lines = [line.rstrip() for line in raw.strip("\n").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def normalize_locale(locale: str | None) -> str:
    lang = (locale or "").replace("_", "-").split("-")[0].lower()
    return lang if lang in LOCALES else DEFAULT_LOCALE


def render_mail(template_name: str, locale: str, **ctx: object) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a mail in the reader's language (es/en, else es)."""
    if template_name not in TEMPLATES:
        raise ValueError(f"unknown mail template {template_name!r}")
    lang = normalize_locale(locale)
    uri = f"/{template_name}.{lang}.html"
    ctx = {**ctx, "nl2br": _nl2br}
    text_tpl = _text_lookup.get_template(uri)
    subject = " ".join(text_tpl.get_def("subject_line").render(**ctx).split())[:MAX_SUBJECT_CHARS]
    text = _clean_text(text_tpl.get_def("text_body").render(**ctx))
    body = _html_lookup.get_template(uri).get_def("html_body").render(**ctx)
    html = _html_lookup.get_template("/_layout.html").render(
        lang=lang, title=subject, brand=_BRAND[lang], footer=_FOOTER[lang], body=body.strip()
    )
    return subject, text, html


# --- queueing ----------------------------------------------------------------------------


def _key(idempotency_key: str) -> str:
    if not idempotency_key:
        raise ValueError("idempotency_key is required")
    if len(idempotency_key) <= MAX_KEY_CHARS:
        return idempotency_key
    # Long keys (they may embed an address) are hashed: still deterministic, so still idempotent.
    return "sha256:" + hashlib.sha256(idempotency_key.encode()).hexdigest()


def queue_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    ticket_id: int | None = None,
    idempotency_key: str,
) -> bool:
    """Add a mail to the outbox in the caller's transaction. False if the key was already queued."""
    address = normalize_email(to)
    if not is_valid_email(address):
        raise ValueError(f"invalid recipient {to!r}")
    row = OutboxMail(
        idempotency_key=_key(idempotency_key),
        to_email=address,
        subject=" ".join(subject.split())[:MAX_SUBJECT_CHARS],
        text_body=text,
        html_body=html,
        ticket_id=ticket_id,
    )
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(OutboxMail)
        .values(**row.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMail.id)
    )
    # RETURNING, not rowcount: psycopg reports -1 for INSERT .. ON CONFLICT here.
    return session.exec(stmt).first() is not None


def queue_template(
    session: Session,
    *,
    to: str,
    template: str,
    locale: str,
    idempotency_key: str,
    ticket_id: int | None = None,
    **ctx: object,
) -> bool:
    """render_mail + queue_mail in one call."""
    subject, text, html = render_mail(template, locale, **ctx)
    return queue_mail(
        session, to=to, subject=subject, text=text, html=html, ticket_id=ticket_id, idempotency_key=idempotency_key
    )


# --- delivery ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    id: int
    key: str
    to: str
    subject: str
    text: str
    html: str
    attempts: int
    lease_until: datetime
    ticket_number: int | None = None  # ticket mails get Reply-To/References (inbound/outgoing.py)
    ticket_id: int | None = None  # a ticket mail given up for good is marked on its ticket


def _message_id(key: str, mail_from: str) -> str:
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def _build_message(mail: _Claimed, now: datetime) -> EmailMessage:
    mail_from = get_settings().mail_from
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = _message_id(mail.key, mail_from)
    # Tell autoresponders (vacation replies) not to answer, which could loop with our mails.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    # Quoted-printable keeps accented text 7-bit clean for relays without 8BITMIME.
    if mail.ticket_number is not None:
        from helpdesk.services.inbound.outgoing import add_ticket_headers

        add_ticket_headers(msg, mail.ticket_number, mail.key)
    msg.set_content(mail.text, cte="quoted-printable")
    if mail.html:
        msg.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    return msg


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4 ... minutes, at most 1 h."""
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_CAP)


def _is_permanent(exc: BaseException) -> bool:
    # 5xx replies (unknown mailbox, rejected sender) will not change by retrying. A 5xx
    # greeting is the server's state, not the mail's, so that one is retried; so are our own
    # setup's faults (wrong password, no STARTTLS, untrusted certificate: smtp_client).
    if isinstance(exc, smtplib.SMTPConnectError) or smtp_client.is_config_error(exc):
        return False
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return True  # an international address this server cannot take (no SMTPUTF8): no retry helps
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _claim(session_factory: SessionFactory, mail_id: int, now: datetime) -> _Claimed | None:
    lease_until = now + LEASE
    with session_factory() as s:
        result = s.exec(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.status.in_((QUEUED, SENDING)),
                OutboxMail.next_attempt_at <= now,
            )
            .values(status=SENDING, next_attempt_at=lease_until)
        )
        if result.rowcount != 1:
            return None  # another worker got it first
        row = s.exec(select(OutboxMail).where(OutboxMail.id == mail_id)).one()
        return _Claimed(
            id=row.id,
            key=row.idempotency_key,
            to=row.to_email,
            subject=row.subject,
            text=row.text_body,
            html=row.html_body,
            attempts=row.attempts,
            lease_until=lease_until,
            ticket_number=_ticket_number(s, row.ticket_id),
            ticket_id=row.ticket_id,
        )


def _ticket_number(session: Session, ticket_id: int | None) -> int | None:
    if ticket_id is None:
        return None
    from helpdesk.domain.tickets import Ticket

    return session.exec(select(Ticket.number).where(Ticket.id == ticket_id)).first()


def _finish(session_factory: SessionFactory, mail: _Claimed, then: Callable[[Session], None] | None = None,
            **values: object) -> bool:
    """Store the outcome; `then` writes what it causes in the same transaction, only if this
    worker's update landed. False when another worker had taken the row over."""
    with session_factory() as s:
        # Matching our own lease means nobody re-claimed the row after it lapsed.
        result = s.exec(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail.id,
                OutboxMail.status == SENDING,
                OutboxMail.next_attempt_at == mail.lease_until,
            )
            .values(**values)
        )
        landed = result.rowcount == 1
        if landed and then is not None:
            then(s)
    return landed


def _record_failure(session_factory: SessionFactory, mail: _Claimed, exc: BaseException, now: datetime) -> None:
    attempts = mail.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:1000]
    if smtp_client.is_config_error(exc):
        # Not this mail's fault: it waits (backoff up to an hour, never given up) until the
        # setup is fixed, and the log says what to fix.
        logger.error(
            "outgoing mail is misconfigured (%s): %s; check HELPDESK_SMTP_* settings. Mail %s to %s stays queued",
            smtp_client.describe(get_settings()), error, mail.id, mail.to,
        )
        _finish(session_factory, mail, status=QUEUED, attempts=attempts, last_error=f"config: {error}"[:1000],
                next_attempt_at=now + backoff(attempts))
        return
    if attempts >= MAX_ATTEMPTS or _is_permanent(exc):
        logger.error("mail %s to %s failed for good after %d attempt(s): %s", mail.id, mail.to, attempts, error)
        _give_up(session_factory, mail, exc, now, attempts=attempts, last_error=error)
    else:
        logger.warning("mail %s to %s failed (attempt %d), will retry: %s", mail.id, mail.to, attempts, error)
        _finish(session_factory, mail, status=QUEUED, attempts=attempts, last_error=error,
                next_attempt_at=now + backoff(attempts))


def _give_up(session_factory: SessionFactory, mail: _Claimed, exc: BaseException, now: datetime, **values: object) -> None:
    """Mark the row failed; a ticket's mail also leaves a history entry the agent sees, in the
    same transaction (a lost mail is never marked twice, nor marked without its status)."""
    mark = None
    if mail.ticket_id is not None:
        why = mail_failures.REJECTED if _is_permanent(exc) else mail_failures.GAVE_UP
        ticket_id, reason = mail.ticket_id, mail_failures.short_reason(exc)
        mark = lambda s: mail_failures.record_failure(s, ticket_id, mail.to, why, reason, now)  # noqa: E731
    if _finish(session_factory, mail, then=mark, status=FAILED, next_attempt_at=now, **values) and mark is not None:
        # After the commit: an agent's open ticket page re-reads and shows the warning.
        bus.publish(bus.ticket_topic(mail.ticket_id), ticket_id=mail.ticket_id)


def deliver_pending(session_factory: SessionFactory | None = None, now: datetime | None = None, limit: int = 50) -> int:
    """Send up to `limit` due mails; returns how many were sent (or logged, without SMTP)."""
    session_factory = session_factory or session_scope
    now = now or utcnow()
    settings = get_settings()
    with session_factory() as s:
        due = s.exec(
            select(OutboxMail.id)
            .where(OutboxMail.status.in_((QUEUED, SENDING)), OutboxMail.next_attempt_at <= now)
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(limit)
        ).all()
    conn = smtp_client.Connection(settings) if settings.smtp_host else None
    sent = 0
    try:
        for mail_id in due:
            mail = _claim(session_factory, mail_id, now)
            if mail is None:
                continue
            try:
                if conn is None:
                    logger.info("mail (no SMTP configured) to=%s subject=%s\n%s", mail.to, mail.subject, mail.text)
                else:
                    conn.send(_build_message(mail, now))
            except Exception as exc:  # noqa: BLE001 -- any failure is recorded and retried
                _record_failure(session_factory, mail, exc, now)
                if conn is not None and (conn.unreachable or smtp_client.is_config_error(exc)):
                    break  # the rest stay queued: no point trying a dead or refusing server 50 times
                continue
            _finish(session_factory, mail, status=SENT, sent_at=now, attempts=mail.attempts + 1, last_error="")
            sent += 1
    finally:
        if conn is not None:
            conn.close()
    return sent


def run_outbox_worker(
    stop_event: threading.Event,
    interval_s: float = 2,
    session_factory: SessionFactory | None = None,
    limit: int = 50,
) -> None:
    """Deliver the outbox until `stop_event` is set; meant for a daemon thread."""
    while not stop_event.is_set():
        try:
            sent = deliver_pending(session_factory, limit=limit)
        except Exception:  # noqa: BLE001 -- the worker must survive a DB hiccup
            logger.exception("outbox delivery round failed")
            sent = 0
        if sent < limit:  # a full batch means more mail may be waiting: go again at once
            stop_event.wait(interval_s)
