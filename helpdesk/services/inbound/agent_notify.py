"""Mailing agents about their tickets, several events of one ticket in one mail.

`collect` turns recent ticket history into notices for the agents who want them
(AgentMailPref; defaults: customer replies, assignments and SLA on, new tickets off): a new
ticket (to agents who asked for new tickets), a customer reply or an assignment (to the
assignee). `send_digests` mails each agent one message per ticket once its newest notice is
DIGEST_QUIET old, so a burst of events arrives as one mail, in the agent's language (the one
they last chose on the site), with each event's time in that language and the team's time zone.
The mail's Reply-To is the ticket's signed address: the agent's answer goes to the customer, or
with `#note` first becomes a note.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.inbound import AgentMailPref, AgentNotice
from helpdesk.domain.sla import Setting
from helpdesk.domain.tickets import Message, Ticket, TicketEvent
from helpdesk.infra.settings import get_settings
from helpdesk.services import mail

DIGEST_QUIET = timedelta(minutes=3)
CURSOR_KEY = "agent_mail_event_cursor"
MSG_CURSOR_KEY = "agent_mail_message_cursor"
KINDS = ("new_ticket", "customer_reply", "assignment", "sla")


def prefs_for(session: Session, user: User) -> AgentMailPref:
    return session.get(AgentMailPref, user.id) or AgentMailPref(user_id=user.id)


def save_prefs(session: Session, actor: Optional[User], choices: dict[str, bool]) -> AgentMailPref:
    from helpdesk.services.authz import require_staff

    user = require_staff(actor)
    row = session.get(AgentMailPref, user.id) or AgentMailPref(user_id=user.id)
    for kind in KINDS:
        if kind in choices:
            setattr(row, kind, bool(choices[kind]))
    session.add(row)
    session.flush()
    return row


def _cursor(session: Session, key: str) -> int:
    row = session.get(Setting, key)
    return int(row.value) if row and row.value.isdigit() else 0


def _set_cursor(session: Session, key: str, value: int) -> None:
    row = session.get(Setting, key) or Setting(key=key)
    row.value = str(value)
    session.add(row)


def _notice(session: Session, user_id: int, ticket_id: int, kind: str, key: str, now: datetime) -> None:
    try:
        with session.begin_nested():
            session.add(AgentNotice(dedupe_key=key[:120], user_id=user_id, ticket_id=ticket_id, kind=kind, created_at=now))
    except IntegrityError:
        pass


def _wants(session: Session, user_id: Optional[int], kind: str) -> bool:
    user = session.get(User, user_id) if user_id else None
    return user is not None and user.is_staff and user.is_active and getattr(prefs_for(session, user), kind)


def collect(session: Session, now: datetime | None = None) -> int:
    """New notices from ticket events and messages since the last run."""
    now = now or utcnow()
    made = 0
    start = _cursor(session, CURSOR_KEY)
    events = session.exec(select(TicketEvent).where(TicketEvent.id > start).order_by(TicketEvent.id).limit(500)).all()
    agents = None
    for ev in events:
        if ev.kind == "created":
            agents = agents if agents is not None else session.exec(select(User).where(col(User.role).in_(("agent", "admin")))).all()
            for agent in agents:
                if _wants(session, agent.id, "new_ticket"):
                    _notice(session, agent.id, ev.ticket_id, "new_ticket", f"new:{ev.ticket_id}:{agent.id}", now)
                    made += 1
        elif ev.kind == "assignee" and ev.to_value.isdigit() and _wants(session, int(ev.to_value), "assignment"):
            if ev.actor_id != int(ev.to_value):
                _notice(session, int(ev.to_value), ev.ticket_id, "assignment", f"assign:{ev.id}", now)
                made += 1
    if events:
        _set_cursor(session, CURSOR_KEY, events[-1].id)
    mstart = _cursor(session, MSG_CURSOR_KEY)
    messages = session.exec(select(Message).where(Message.id > mstart).order_by(Message.id).limit(500)).all()
    for msg in messages:
        ticket = session.get(Ticket, msg.ticket_id)
        author = session.get(User, msg.author_id) if msg.author_id else None
        if ticket is None or msg.is_internal or author is None or author.is_staff:
            continue
        first = session.exec(select(Message.id).where(Message.ticket_id == ticket.id).order_by(Message.id)).first()
        if msg.id != first and _wants(session, ticket.assignee_id, "customer_reply"):
            _notice(session, ticket.assignee_id, ticket.id, "customer_reply", f"reply:{msg.id}", now)
            made += 1
    if messages:
        _set_cursor(session, MSG_CURSOR_KEY, messages[-1].id)
    return made


def send_digests(session: Session, now: datetime | None = None) -> int:
    """One mail per (agent, ticket) whose notices have been quiet for DIGEST_QUIET."""
    now = now or utcnow()
    pending = session.exec(select(AgentNotice).where(AgentNotice.sent_at == None).order_by(AgentNotice.id)).all()  # noqa: E711
    groups: dict[tuple[int, int], list[AgentNotice]] = {}
    for n in pending:
        groups.setdefault((n.user_id, n.ticket_id), []).append(n)
    sent = 0
    tz = None
    for (user_id, ticket_id), notices in groups.items():
        if now - max(n.created_at for n in notices) < DIGEST_QUIET:
            continue
        user, ticket = session.get(User, user_id), session.get(Ticket, ticket_id)
        tz = tz or _team_tz(session)
        text = _digest_text(user, ticket, notices, tz)
        mail.queue_mail(session, to=user.email, subject=f"[#{ticket.number}] {ticket.subject}", text=text,
                        ticket_id=ticket.id, idempotency_key=f"agent-digest:{notices[-1].id}:{user_id}")
        for n in notices:
            n.sent_at = now
            session.add(n)
        sent += 1
    return sent


def _team_tz(session: Session) -> str:
    from helpdesk.services import sla

    return sla.load_calendar(session).tz


def _digest_text(user: User, ticket: Ticket, notices: list[AgentNotice], tz: str) -> str:
    loc = i18n.normalize_locale(user.locale)

    def label(kind: str) -> str:
        key = f"mail_in.digest.kind.{kind}"
        text = i18n.translate(key, loc)
        return kind if text == key else text

    # A mail is read later than it is sent: absolute times, not "5 minutes ago".
    lines = [f"- {label(n.kind)}" + (f": {n.detail}" if n.detail else "") + f" ({i18n.full_datetime(n.created_at, loc, tz)})"
             for n in notices]
    return (i18n.translate("mail_in.digest.ticket", loc, number=ticket.number, subject=ticket.subject) + "\n\n"
            + "\n".join(lines) + f"\n\n{get_settings().base_url}/agent/tickets/{ticket.number}\n\n"
            + i18n.translate("mail_in.digest.reply_hint", loc) + "\n")


def run_job() -> None:
    from helpdesk.infra.db import session_scope

    with session_scope() as s:
        collect(s)
    with session_scope() as s:
        send_digests(s)
