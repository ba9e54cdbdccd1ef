"""The agents' queue: views, filters, sorting, one page at a time, counts per view; round-robin.

Built for large tables (see bench/queue_bench.py): every view and sort key maps to an indexed
column (status, assignee_id, last_activity_at, due_at; the generated priority_rank and
next_due_at), only one page of rows is loaded, and people's names are fetched for that page
alone. Free text goes through the ticket word index (search.tickets: subject and every message,
internal notes included, so staff only). A text search counts its matches only up to
COUNT_CAP: a common word matches most tickets and an exact count would read them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import and_, false, func, or_
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Organization, Role, User
from helpdesk.domain.catalog import Category, Service
from helpdesk.domain.fair_use import FairUseSignal
from helpdesk.domain.sla import Setting
from helpdesk.domain.tickets import Priority, Ticket, TicketStatus, parse_number
from helpdesk.services import csat_view, sla
from helpdesk.services.authz import require_admin, require_staff
from helpdesk.services.search import tickets as ticket_search

VIEWS = ("unassigned", "mine", "open", "pending", "due", "solved")
SORTS = ("activity", "due", "priority", "signals")
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_QUERY = 100
COUNT_CAP = 1000  # text searches: "1000+" rather than reading every match
DUE_HORIZON = timedelta(hours=4)  # "due" view: a deadline within this, or already passed
SOLVED_RECENTLY = timedelta(days=7)
ACTIVE = (TicketStatus.NEW.value, TicketStatus.OPEN.value, TicketStatus.PENDING.value)
WORKING = (TicketStatus.NEW.value, TicketStatus.OPEN.value)
ROUND_ROBIN_KEY = "round_robin"
ROUND_ROBIN_CURSOR = "round_robin_last_agent"


@dataclass
class QueueFilters:
    status: str = ""
    priority: str = ""  # a Priority value, or "none" for unset
    category: str = ""
    service_id: Optional[int] = None
    organization_id: Optional[int] = None
    assignee_id: Optional[int] = None  # 0 = nobody
    text: str = ""

    @classmethod
    def from_raw(cls, raw: dict) -> "QueueFilters":
        """Browser input -> filters; anything unknown is dropped rather than trusted."""

        def as_id(value: object) -> Optional[int]:
            text = str(value if value is not None else "").strip()
            return int(text) if text.isdigit() and len(text) < 12 else None

        status = str(raw.get("status") or "")
        priority = str(raw.get("priority") or "")
        category = str(raw.get("category") or "")
        return cls(
            status=status if status in {s.value for s in TicketStatus} else "",
            priority=priority if priority in {p.value for p in Priority} | {"none"} else "",
            category=category if category in {c.value for c in Category} else "",
            service_id=as_id(raw.get("service_id")),
            organization_id=as_id(raw.get("organization_id")),
            assignee_id=as_id(raw.get("assignee_id")),
            text=" ".join(str(raw.get("text") or "").replace("\x00", "").split())[:MAX_QUERY],
        )


@dataclass
class QueueRow:
    number: int
    subject: str
    requester: str
    organization: str
    status: str
    priority: str
    sla_state: str
    assignee: str
    last_activity_at: datetime
    due_at: Optional[datetime]
    csat: str = ""  # the customer's latest rating: good | bad | "" (none)
    next_due_at: Optional[datetime] = None  # the running deadline the "due" sort follows


@dataclass
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    total: int = 0  # capped at COUNT_CAP for text searches (total_capped tells)
    page: int = 1
    pages: int = 1
    total_capped: bool = False


def _view_condition(view: str, actor: User, now: datetime):
    if view == "unassigned":
        return and_(Ticket.status.in_(ACTIVE), Ticket.assignee_id.is_(None))
    if view == "mine":
        return and_(Ticket.status.in_(ACTIVE), Ticket.assignee_id == actor.id)
    if view == "pending":
        return Ticket.status == TicketStatus.PENDING.value
    if view == "due":
        # Paused (pending) tickets cannot breach, so they are left out. Exact badges come from
        # sla.sla_state per row; this bound only needs indexes. next_due_at is the earlier of
        # the resolution deadline and the first-response one while unanswered, so this is
        # "either deadline within the horizon" as one index range per status.
        return and_(Ticket.status.in_(WORKING), Ticket.next_due_at <= now + DUE_HORIZON)
    if view == "solved":
        return and_(Ticket.status == TicketStatus.SOLVED.value, Ticket.last_activity_at >= now - SOLVED_RECENTLY)
    return Ticket.status.in_(ACTIVE)  # "open": everything not yet solved


def _filter_conditions(session: Session, filters: QueueFilters) -> list:
    conds = []
    if filters.status:
        conds.append(Ticket.status == filters.status)
    if filters.priority == "none":
        conds.append(Ticket.priority.is_(None))
    elif filters.priority:
        conds.append(Ticket.priority == filters.priority)
    if filters.category:
        conds.append(Ticket.category == filters.category)
    if filters.service_id is not None:
        conds.append(Ticket.service_id == filters.service_id)
    if filters.organization_id is not None:
        conds.append(Ticket.organization_id == filters.organization_id)
    if filters.assignee_id is not None:
        conds.append(Ticket.assignee_id.is_(None) if filters.assignee_id == 0 else Ticket.assignee_id == filters.assignee_id)
    if filters.text:
        conds.append(_text_condition(session, filters.text))
    return conds


def _text_condition(session: Session, text: str):
    """Every typed word begins a word of the subject or of a message; or "#1042" / "1042"."""
    conds = []
    words = ticket_search.condition(session, text)
    if words is not None:
        conds.append(words)
    number = parse_number(text)
    if number is not None:
        conds.append(Ticket.number == number)
    # Punctuation alone ("%") has nothing to look for: no match, rather than every ticket.
    return or_(*conds) if conds else false()


def _order(sort: str) -> list:
    if sort == "due":
        # The soonest running deadline (first answer while unanswered, else resolution), so
        # breached tickets come first, then the nearest; tickets without one last. NULLS LAST
        # rather than an "is null" sort key, so the column's index can serve it.
        return [Ticket.next_due_at.asc().nulls_last(), Ticket.id.asc()]
    if sort == "priority":
        # priority_rank is Priority.rank, -1 for none (a generated column, indexed with activity).
        return [Ticket.priority_rank.desc(), Ticket.last_activity_at.desc(), Ticket.id.desc()]
    return [Ticket.last_activity_at.desc(), Ticket.id.desc()]


def _conditions(session: Session, actor: User, view: str, filters: QueueFilters, now: datetime) -> list:
    return [_view_condition(view if view in VIEWS else "open", actor, now), *_filter_conditions(session, filters)]


def list_queue(
    session: Session,
    actor: Optional[User],
    *,
    view: str = "open",
    filters: Optional[QueueFilters] = None,
    sort: str = "activity",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: Optional[datetime] = None,
) -> QueuePage:
    actor = require_staff(actor)
    now = now or utcnow()
    filters = filters or QueueFilters()
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    conds = _conditions(session, actor, view, filters, now)
    if filters.text:
        capped = select(Ticket.id).where(*conds).limit(COUNT_CAP + 1).subquery()
        found = session.exec(select(func.count()).select_from(capped)).one()
        total, total_capped = min(found, COUNT_CAP), found > COUNT_CAP
    else:
        total = session.exec(select(func.count()).select_from(Ticket).where(*conds)).one()
        total_capped = False
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), pages))
    offset = (page - 1) * page_size
    if sort == "signals":
        tickets = _by_signals(session, conds, offset, page_size)
    else:
        tickets = session.exec(
            select(Ticket).where(*conds).order_by(*_order(sort if sort in SORTS else "activity")).offset(offset).limit(page_size)
        ).all()
    return QueuePage(rows=_rows(session, actor, list(tickets), now), total=total, page=page, pages=pages, total_capped=total_capped)


def _by_signals(session: Session, conds: list, offset: int, limit: int) -> list[Ticket]:
    """Fair-use signals first, most first (seed 003: abuse waits longer, and agents see why), then
    the rest by activity. The flagged tickets are few, so they are ranked on their own and the
    rest keeps the activity index: no sort over every open ticket."""
    flags = select(FairUseSignal.ticket_id, func.count().label("n")).group_by(FairUseSignal.ticket_id).subquery()
    flagged = list(session.exec(
        select(Ticket).join(flags, flags.c.ticket_id == Ticket.id).where(*conds)
        .order_by(flags.c.n.desc(), Ticket.last_activity_at.desc(), Ticket.id.desc())
    ).all())
    head = flagged[offset:offset + limit]
    if len(head) == limit:
        return head
    rest = select(Ticket).where(*conds)
    if flagged:
        rest = rest.where(Ticket.id.not_in([t.id for t in flagged]))
    rest = rest.order_by(*_order("activity")).offset(max(0, offset - len(flagged))).limit(limit - len(head))
    return head + list(session.exec(rest).all())


def _rows(session: Session, actor: User, tickets: list[Ticket], now: datetime) -> list[QueueRow]:
    if not tickets:
        return []
    user_ids = {t.requester_id for t in tickets} | {t.assignee_id for t in tickets if t.assignee_id}
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    org_ids = {t.organization_id for t in tickets if t.organization_id}
    orgs = dict(session.exec(select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))).all()) if org_ids else {}
    cal = sla.load_calendar(session)
    ratings = csat_view.latest_by_ticket(session, actor, [t.id for t in tickets])
    return [
        QueueRow(
            number=t.number,
            subject=t.subject,
            requester=names.get(t.requester_id, ""),
            organization=orgs.get(t.organization_id, ""),
            status=t.status,
            priority=t.priority or "",
            sla_state=sla.sla_state(t, now, cal),
            assignee=names.get(t.assignee_id, "") if t.assignee_id else "",
            last_activity_at=t.last_activity_at,
            due_at=t.due_at,
            csat=ratings.get(t.id, ""),
            next_due_at=t.next_due_at if t.status in WORKING else None,
        )
        for t in tickets
    ]


def view_counts(session: Session, actor: Optional[User], *, now: Optional[datetime] = None) -> dict[str, int]:
    """How many tickets each view holds (without the page's filters: the tabs' badges)."""
    actor = require_staff(actor)
    now = now or utcnow()
    return {
        view: session.exec(select(func.count()).select_from(Ticket).where(_view_condition(view, actor, now))).one()
        for view in VIEWS
    }


# ---------------------------------------------------------------- choices for the filters


@dataclass
class Choice:
    id: int
    name: str


def agents(session: Session, actor: Optional[User]) -> list[Choice]:
    require_staff(actor)
    rows = session.exec(
        select(User.id, User.name)
        .where(User.role.in_((Role.AGENT.value, Role.ADMIN.value)), User.is_active == True)  # noqa: E712
        .order_by(User.name)
        .limit(200)
    ).all()
    return [Choice(id=i, name=n) for i, n in rows]


def services(session: Session, actor: Optional[User]) -> list[Choice]:
    require_staff(actor)
    return [Choice(id=i, name=n) for i, n in session.exec(select(Service.id, Service.name).order_by(Service.position, Service.name)).all()]


def organizations(session: Session, actor: Optional[User]) -> list[Choice]:
    require_staff(actor)
    rows = session.exec(select(Organization.id, Organization.name).order_by(Organization.name).limit(200)).all()
    return [Choice(id=i, name=n) for i, n in rows]


# ---------------------------------------------------------------- round-robin


def round_robin_enabled(session: Session) -> bool:
    row = session.get(Setting, ROUND_ROBIN_KEY)
    return bool(row and row.value == "1")


def set_round_robin(session: Session, actor: Optional[User], enabled: bool) -> None:
    require_admin(actor)
    row = session.get(Setting, ROUND_ROBIN_KEY) or Setting(key=ROUND_ROBIN_KEY)
    row.value = "1" if enabled else "0"
    session.add(row)
    session.flush()


def next_agent_id(session: Session) -> Optional[int]:
    """The available agent after the one who got the previous ticket (by id, wrapping around)."""
    candidates = list(
        session.exec(
            select(User.id)
            .where(
                User.role == Role.AGENT.value,
                User.is_active == True,  # noqa: E712
                User.available_for_assignment == True,  # noqa: E712
            )
            .order_by(User.id)
        ).all()
    )
    if not candidates:
        return None
    cursor = session.get(Setting, ROUND_ROBIN_CURSOR)
    last = int(cursor.value) if cursor and cursor.value.isdigit() else 0
    chosen = next((i for i in candidates if i > last), candidates[0])
    row = cursor or Setting(key=ROUND_ROBIN_CURSOR)
    row.value = str(chosen)
    session.add(row)
    return chosen


def auto_assign(session: Session, ticket: Ticket) -> Optional[int]:
    """Called by tickets.create_ticket: give a new ticket to the next agent if round-robin is on.

    Returns the agent's id; the caller records the history event (queue stays below tickets)."""
    if ticket.assignee_id is not None or not round_robin_enabled(session):
        return None
    agent_id = next_agent_id(session)
    if agent_id is None:
        return None
    ticket.assignee_id = agent_id
    return agent_id
