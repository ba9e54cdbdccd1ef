"""Slipping promises: agents hear by mail when a ticket's deadline is close or missed, and the
customer hears once, with a new estimate, when the first answer we promised will be late.

A background pass finds open, running tickets whose first-response or resolution deadline has
used WARN_FRACTION of its business time ("close") or has passed ("missed"), with the same
engine the escalation rules use (escalation.reached). For each ticket, deadline and stage it
records one PromiseNotice (unique: two workers racing, the second stops there) and leaves an
AgentNotice for the assignee, or for every active agent when nobody is assigned, if that agent
keeps the "deadline" choice on /account. The agent-mail digest then sends them through the
outbox, with the other events of the ticket in the same mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.domain.accounts import Role, User
from helpdesk.domain.escalation import DEADLINES
from helpdesk.domain.inbound import AgentNotice
from helpdesk.domain.promise_watch import STAGE_CLOSE, STAGE_MISSED, WARN_FRACTION, PromiseNotice
from helpdesk.domain.tickets import Ticket
from helpdesk.infra import clock

MAX_TEAM = 50
# A deadline missed longer ago than this when first seen (the watch was off, or just deployed
# over a backlog) is recorded without mailing: news that old would only flood the team.
STALE = timedelta(hours=24)
_RULES = [(f"{deadline}:{stage}", deadline == "first_response", 1.0 if stage == STAGE_MISSED else WARN_FRACTION)
          for deadline in DEADLINES for stage in (STAGE_CLOSE, STAGE_MISSED)]


def due(session: Session, now: datetime) -> list[tuple[str, str, int]]:
    """(deadline, stage, ticket id) still to tell, at most one stage per ticket and deadline."""
    from helpdesk.services.escalation import reached

    done: set[tuple[str, int]] = set()
    for ticket_id, deadline, stage in session.connection().execute(
            select(PromiseNotice.ticket_id, PromiseNotice.deadline, PromiseNotice.stage)):
        done.add((f"{deadline}:{stage}", ticket_id))
        if stage == STAGE_MISSED:  # told as missed: never "close" afterwards
            done.add((f"{deadline}:{STAGE_CLOSE}", ticket_id))
    found = [(*key.split(":"), t) for key, t in reached(session, now, _RULES, done)]
    # A deadline already missed when first seen is told as missed only, not also as close.
    missed = {(d, t) for d, st, t in found if st == STAGE_MISSED}
    return [(d, st, t) for d, st, t in found if st == STAGE_MISSED or (d, t) not in missed]


def run_pass(session_factory=None, now: Optional[datetime] = None) -> int:
    """One pass; each notice in its own transaction. Returns how many tickets were told about."""
    from helpdesk.infra.db import session_scope

    factory = session_factory or session_scope
    now = now or clock.now()
    with factory() as s:
        todo = due(s, now)
    told = 0
    for deadline, stage, ticket_id in todo:
        try:
            with factory() as s:
                if _tell(s, deadline, stage, ticket_id, now):
                    told += 1
        except IntegrityError:
            continue  # another worker told this one first
    return told


def _people(session: Session, ticket: Ticket) -> list[User]:
    if ticket.assignee_id:
        assignee = session.get(User, ticket.assignee_id)
        if assignee is not None and assignee.is_active and assignee.is_staff:
            return [assignee]
    return list(session.exec(select(User).where(
        col(User.role).in_([Role.AGENT.value, Role.ADMIN.value]), col(User.is_active).is_(True)
    ).order_by(User.id).limit(MAX_TEAM)).all())


def _tell(session: Session, deadline: str, stage: str, ticket_id: int, now: datetime) -> bool:
    from helpdesk import i18n
    from helpdesk.services.inbound.agent_notify import prefs_for

    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        return False
    session.add(PromiseNotice(ticket_id=ticket_id, deadline=deadline, stage=stage, created_at=now))
    session.flush()  # the unique triple: a second worker stops here
    at = ticket.first_response_due_at if deadline == "first_response" else ticket.due_at
    if at is not None and now - (at if at.tzinfo else at.replace(tzinfo=timezone.utc)) > STALE:
        return False
    if deadline == "first_response":
        _tell_customer(session, ticket, stage, at, now)
    for person in _people(session, ticket):
        if not prefs_for(session, person).sla:
            continue
        loc = person.locale or "es"
        detail = i18n.translate(f"promise_watch.{deadline}_{stage}", loc,
                                when=i18n.full_datetime(at, loc) if at else "",
                                relative=i18n.relative_time(at, loc, now=now) if at else "")
        session.add(AgentNotice(dedupe_key=f"promise:{ticket_id}:{deadline}:{stage}:{person.id}"[:120], user_id=person.id,
                                ticket_id=ticket_id, kind=f"sla_{stage}", detail=detail[:500], created_at=now))
    session.flush()
    return True


def _tell_customer(session: Session, ticket: Ticket, stage: str, due_at: Optional[datetime], now: datetime) -> None:
    """One plain mail per ticket when the first answer we promised will be late, with a new estimate.

    Only when it is honest to say so: at "close" the queue and the team's pace must predict a
    time past the deadline (else the agents' warning is enough); at "missed" it is a fact.
    """
    from helpdesk import i18n
    from helpdesk.services import estimates
    from helpdesk.services.ticket_core import _mail_about

    requester = session.get(User, ticket.requester_id)
    if requester is None or not requester.email or due_at is None:
        return
    due = due_at if due_at.tzinfo else due_at.replace(tzinfo=timezone.utc)
    est = estimates.estimate(session, priority=ticket.priority, category=ticket.category, now=now, before=ticket.created_at)
    if stage == STAGE_CLOSE and est.expected_at <= due:
        return
    loc = ticket.locale or "es"
    new_estimate = f"{i18n.full_datetime(est.expected_at, loc)} ({i18n.relative_time(est.expected_at, loc, now=now)})"
    # The same ticket mail every notice uses: number, subject, the signed link, the ticket's language.
    _mail_about(session, ticket, to=requester.email, name=requester.name, template="promise_slipping",
                key=f"slipping:{ticket.id}", new_estimate=new_estimate)
