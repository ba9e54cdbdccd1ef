"""Escalation: when a deadline is X % consumed (or missed), notify the assignee or the team,
reassign, or raise the priority. Run by the background jobs; each rule fires at most once per
ticket (a unique row per pair, so two workers racing cannot both act), and every action is
recorded in the ticket's history.

Speed: one pass reads the open, running tickets as plain rows (no ORM objects) and measures
consumed business time on a precomputed number line per calendar (domain/business_clock), so
100,000 open tickets take well under two seconds (bench/escalation.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.domain.accounts import Role, User
from helpdesk.domain.business_clock import BusinessLine
from helpdesk.domain.business_hours import calendar_for
from helpdesk.domain.escalation import ACTIONS, DEADLINES, EscalationRule, EscalationRun
from helpdesk.domain.tickets import Priority, Ticket
from helpdesk.infra import clock
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import ValidationError

log = logging.getLogger("helpdesk.escalation")
UTC = timezone.utc
MAX_TEAM_MAILS = 50
# Instants come back as POSIX seconds computed by the database: parsing 300,000 timestamps in
# Python would cost more than the whole evaluation.
_EPOCH = {"sqlite": "(julianday({c}) - 2440587.5) * 86400.0", "postgresql": "EXTRACT(EPOCH FROM {c})::float8"}


def _scan_sql(dialect: str):
    e = _EPOCH.get(dialect, _EPOCH["postgresql"])
    cols = ", ".join(e.format(c=c) for c in ("created_at", "first_response_due_at", "due_at"))
    return text(f"SELECT id, {cols}, first_response_at IS NULL, priority, category FROM tickets"
                " WHERE status IN ('new', 'open') AND paused_at IS NULL")


# ---------------------------------------------------------------- admin


def list_rules(session: Session, actor: Optional[User]) -> list[EscalationRule]:
    require_admin(actor)
    return list(session.exec(select(EscalationRule).order_by(EscalationRule.id)).all())


def create_rule(session: Session, actor: Optional[User], name: str, deadline: str, threshold_pct: object,
                action: str, target_user_id: Optional[int] = None) -> EscalationRule:
    require_admin(actor)
    errors = {}
    name = " ".join(str(name or "").split())[:120]
    if not name:
        errors["name"] = "escalation.name_required"
    if deadline not in DEADLINES:
        errors["deadline"] = "escalation.invalid"
    if isinstance(threshold_pct, bool) or not isinstance(threshold_pct, int) or not 1 <= threshold_pct <= 100:
        errors["threshold"] = "escalation.threshold_invalid"
    if action not in ACTIONS:
        errors["action"] = "escalation.invalid"
    if action == "reassign":
        target = session.get(User, target_user_id) if target_user_id is not None else None
        if target is None or not target.is_staff or not target.is_active:
            errors["target"] = "escalation.target_invalid"
    if errors:
        raise ValidationError(errors)
    rule = EscalationRule(name=name, deadline=deadline, threshold_pct=threshold_pct, action=action,
                          target_user_id=target_user_id if action == "reassign" else None)
    session.add(rule)
    session.flush()
    return rule


def delete_rule(session: Session, actor: Optional[User], rule_id: int) -> bool:
    """Switch a rule off (its history stays)."""
    require_admin(actor)
    rule = session.get(EscalationRule, rule_id)
    if rule is None or not rule.is_active:
        return False
    rule.is_active = False
    session.add(rule)
    session.flush()
    return True


def count_since(session: Session, since: datetime) -> int:
    """Escalations fired since `since` (the dashboard's figure)."""
    return session.exec(select(func.count(EscalationRun.id)).where(col(EscalationRun.created_at) >= since)).one()


# ---------------------------------------------------------------- the pass


def _ts(raw: object) -> Optional[float]:
    """A stored instant as a POSIX timestamp (PostgreSQL gives datetimes, SQLite naive UTC text)."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return (raw if raw.tzinfo else raw.replace(tzinfo=UTC)).timestamp()
    return datetime.fromisoformat(str(raw)).replace(tzinfo=UTC).timestamp()


# Deadlines further ahead than this are not measured yet (the number line stops there); a
# pass a few months on measures them. Keeps the line a few hundred intervals long.
HORIZON = timedelta(days=120)


def due_pairs(session: Session, now: datetime) -> list[tuple[EscalationRule, int]]:
    """(rule, ticket id) pairs whose threshold is reached and that have not fired yet."""
    rule_rows = list(session.exec(select(EscalationRule).where(col(EscalationRule.is_active).is_(True))).all())
    if not rule_rows:
        return []
    by_id = {r.id: r for r in rule_rows}
    # Plain tuples: ORM attribute access costs more than the arithmetic over 100,000 tickets.
    rules = [(r.id, r.deadline == "first_response", r.threshold_pct / 100) for r in rule_rows]
    done = set(session.connection().execute(
        select(EscalationRun.rule_id, EscalationRun.ticket_id).where(col(EscalationRun.rule_id).in_(list(by_id)))).all())
    return [(by_id[key], ticket_id) for key, ticket_id in reached(session, now, rules, done)]


def reached(session: Session, now: datetime, rules: list[tuple[object, bool, float]],
            done: set[tuple[object, int]]) -> list[tuple[object, int]]:
    """(key, ticket id) for each rule (key, first-response deadline?, fraction consumed; 1 means
    missed) an open, running ticket has reached, leaving out the pairs in `done`. The one
    deadline engine: escalation rules and the slipping-promise watch both use it."""
    from helpdesk.services import sla

    conn = session.connection()
    rows = conn.execute(_scan_sql(conn.dialect.name)).all()
    if not rows:
        return []
    team = sla.load_calendar(session)
    now_ts = now.timestamp()
    horizon_ts = (now + HORIZON).timestamp()
    lines: dict[tuple[bool, bool], BusinessLine] = {}
    lo: Optional[datetime] = None
    out = []
    for ticket_id, created, fr_due, due, unanswered, priority, category in rows:
        ends = (fr_due if unanswered else None, due)
        line = None
        opened_ts = None
        for rule_id, first, fraction in rules:
            end_ts = ends[0] if first else ends[1]
            if end_ts is None or (rule_id, ticket_id) in done:
                continue
            if now_ts > end_ts:
                out.append((rule_id, ticket_id))
                continue
            if fraction >= 1 or end_ts > horizon_ts:
                continue
            if line is None:
                key = (priority == "urgent", category == "anomalia")
                line = lines.get(key)
                if line is None:
                    lo = lo or datetime.fromtimestamp(min(r[1] for r in rows), UTC) - timedelta(days=1)
                    line = lines[key] = BusinessLine(calendar_for(team, priority, category), lo, now + HORIZON)
                opened_ts = created
            start = line.position(opened_ts)
            window = line.position(end_ts) - start
            if window > 0 and line.position(now_ts) - start >= window * fraction:
                out.append((rule_id, ticket_id))
    return out


def run_pass(session_factory=None, now: Optional[datetime] = None) -> int:
    """One escalation pass; each firing in its own transaction. Returns how many fired."""
    from helpdesk.infra.db import session_scope

    factory = session_factory or session_scope
    now = now or clock.now()
    with factory() as s:
        pairs = [(r.id, t) for r, t in due_pairs(s, now)]
    fired = 0
    for rule_id, ticket_id in pairs:
        try:
            with factory() as s:
                if _fire(s, s.get(EscalationRule, rule_id), ticket_id, now):
                    fired += 1
        except IntegrityError:
            continue  # another worker fired this pair first
    return fired


def _fire(session: Session, rule: EscalationRule, ticket_id: int, now: datetime) -> bool:
    from helpdesk.services import tickets

    ticket = session.get(Ticket, ticket_id)
    if ticket is None or rule is None:
        return False
    session.add(EscalationRun(rule_id=rule.id, ticket_id=ticket_id, created_at=now))
    session.flush()  # the unique pair: a second worker stops here
    tickets.record_event(session, ticket, None, "escalation", rule.name, rule.action)
    if rule.action in ("notify_assignee", "notify_team"):
        _notify(session, rule, ticket)
    elif rule.action == "reassign" and rule.target_user_id and ticket.assignee_id != rule.target_user_id:
        tickets.record_event(session, ticket, None, "assignee", ticket.assignee_id or "", rule.target_user_id)
        ticket.assignee_id = rule.target_user_id
    elif rule.action == "raise_priority":
        _raise(session, ticket, now)
    ticket.version = (ticket.version or 0) + 1
    session.add(ticket)
    session.flush()
    return True


def _raise(session: Session, ticket: Ticket, now: datetime) -> None:
    """One step up, to "high" at most: urgent is the premium lane (services/plans)."""
    from helpdesk.services import sla, tickets

    order = [p.value for p in Priority]
    current = ticket.priority or Priority.MEDIUM.value
    new = order[min(order.index(current) + 1, order.index(Priority.HIGH.value))] if current != "urgent" else current
    if new == ticket.priority:
        return
    old, ticket.priority = ticket.priority, new
    sla.apply_sla(session, ticket, now, previous_priority=old)
    tickets.record_event(session, ticket, None, "priority", old or "", new)


def _notify(session: Session, rule: EscalationRule, ticket: Ticket) -> None:
    from helpdesk import i18n
    from helpdesk.services import mail

    people: list[User] = []
    if rule.action == "notify_assignee" and ticket.assignee_id:
        assignee = session.get(User, ticket.assignee_id)
        people = [assignee] if assignee is not None and assignee.is_active else []
    if not people:  # no assignee: the team hears about it
        people = list(session.exec(select(User).where(
            col(User.role).in_([Role.AGENT.value, Role.ADMIN.value]), col(User.is_active).is_(True)
        ).limit(MAX_TEAM_MAILS)).all())
    for person in people:
        loc = person.locale or "es"
        subject = i18n.translate("escalation.mail_subject", loc, number=ticket.number, rule=rule.name)
        body = i18n.translate("escalation.mail_body", loc, number=ticket.number, subject=ticket.subject, rule=rule.name)
        mail.queue_mail(session, to=person.email, subject=subject, text=body, ticket_id=ticket.id,
                        idempotency_key=f"escalation:{rule.id}:{ticket.id}:{person.id}")
