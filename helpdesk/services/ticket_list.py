"""The customer's ticket list ("Mis tickets"): one filtered page at a time, straight from SQL.

Visibility is tickets.visibility_filter, the single rule shared with every other ticket read;
this module only narrows it (filters) and pages it. It reads the rule's alternatives (own, CC,
organization) as separate branches merged with a UNION: as one OR they match through several
indexes at once, and the database then sorts every match (all 50,000 tickets of a large
organization) to return 20, while each branch alone walks its own index in list order. Filters arrive from the browser, so each is
validated here and an unusable value is reported as a field error instead of being guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlalchemy import func, or_, union
from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Category
from helpdesk.domain.tickets import Ticket, TicketStatus
from helpdesk.services import tickets
from helpdesk.services.authz import require_user

PAGE_SIZE = 20
MAX_PAGE = 10_000
MAX_TEXT = 100
# Counting every match of a 50,000-ticket organization on each page view costs more than the
# page itself; past this the UI just says "more than N".
COUNT_CAP = 1000

OPEN_STATUSES = (TicketStatus.NEW.value, TicketStatus.OPEN.value, TicketStatus.PENDING.value)
CLOSED_STATUSES = (TicketStatus.SOLVED.value, TicketStatus.CLOSED.value)
GROUP_OPEN, GROUP_CLOSED = "group_open", "group_closed"
STATUS_FILTERS = ("", GROUP_OPEN, GROUP_CLOSED, *(s.value for s in TicketStatus))
CATEGORY_FILTERS = ("", *(c.value for c in Category))


@dataclass(frozen=True)
class Filters:
    number: Optional[int] = None
    status: str = ""  # "", GROUP_OPEN, GROUP_CLOSED or one TicketStatus value
    category: str = ""
    text: str = ""
    requester_id: Optional[int] = None  # org admins: the colleague who opened it

    @property
    def active(self) -> bool:
        return bool(self.number or self.status or self.category or self.text or self.requester_id)


@dataclass(frozen=True)
class Row:
    number: int
    subject: str
    status: str
    category: str
    priority: str
    created_at: datetime
    last_activity_at: datetime
    requester_id: int
    requester_name: str


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    page: int = 1
    page_size: int = PAGE_SIZE
    has_next: bool = False
    total: int = 0  # capped at COUNT_CAP (total_capped tells)
    total_capped: bool = False


def parse_filters(raw: dict) -> tuple[Filters, dict[str, str]]:
    """Browser input -> (filters, field errors as translation keys). Bad fields are dropped."""
    raw = raw if isinstance(raw, dict) else {}
    errors: dict[str, str] = {}

    number = None
    id_text = str(raw.get("id") or "").strip()
    if id_text:
        number = tickets.parse_number(id_text)
        if number is None:
            errors["id"] = "customer.filter_id_invalid"

    status = str(raw.get("status") or "").strip()
    if status == "all" or status not in STATUS_FILTERS:
        status = ""
    category = str(raw.get("category") or "").strip()
    if category == "all" or category not in CATEGORY_FILTERS:
        category = ""
    # NUL never matches a subject, and PostgreSQL refuses it in a query parameter.
    text = " ".join(str(raw.get("q") or "").replace("\x00", "").split())[:MAX_TEXT]

    requester_id = None
    req = str(raw.get("requester") or "").strip()
    if req and req != "all":
        if req.isdigit() and len(req) < 12:
            requester_id = int(req)
        else:
            errors["requester"] = "customer.filter_requester_invalid"
    return Filters(number, status, category, text, requester_id), errors


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _branches_and_conditions(actor: User, filters: Filters) -> tuple[list, list]:
    """(visibility branches to merge, the filters' conditions applied to each branch)."""
    branches = tickets.visibility_branches(actor)
    conds = []
    if filters.number is not None:
        conds.append(Ticket.number == filters.number)
    if filters.status == GROUP_OPEN:
        conds.append(Ticket.status.in_(OPEN_STATUSES))
    elif filters.status == GROUP_CLOSED:
        conds.append(Ticket.status.in_(CLOSED_STATUSES))
    elif filters.status:
        conds.append(Ticket.status == filters.status)
    if filters.category:
        conds.append(Ticket.category == filters.category)
    if filters.text:
        conds.append(func.lower(Ticket.subject).like(_like_pattern(filters.text), escape="\\"))
    if filters.requester_id is not None:
        # Only an org admin picks a colleague; for anyone else the filter could only probe
        # which user ids exist, so it is limited to the actor's own organization.
        # Either way the narrowed set lies inside one visibility branch (the organization's,
        # or the actor's own tickets), so only that branch is read: the others would each
        # walk their whole index looking for rows this condition then rejects.
        if actor.is_org_admin and actor.organization_id is not None:
            conds.append(Ticket.requester_id == filters.requester_id)
            conds.append(Ticket.organization_id == actor.organization_id)
            branches = [Ticket.organization_id == actor.organization_id]
        else:
            conds.append(Ticket.requester_id == actor.id)
            conds.append(Ticket.requester_id == filters.requester_id)
            branches = [tickets.own_tickets_condition(actor)]
    if filters.text or filters.number is not None:
        # These match few tickets and no index gives them in list order: one pass over the
        # visible tickets (OR) reads each once and sorts only the matches, where the branches
        # would read an admin's own tickets twice (own and organization).
        branches = [or_(*branches)]
    return branches, conds


def _visible_union(branches: list, conds: list, columns: tuple, limit: int, ordered: bool):
    """UNION of one limited SELECT per visibility branch, each with `conds` applied.

    Every branch is capped at `limit`, which is exact for the merged top `limit` rows: a row
    among the first `limit` of the union is among the first `limit` of its own branch. UNION
    (not UNION ALL) drops a ticket found by two branches (an admin's own org ticket).
    """
    parts = []
    for branch in branches:
        part = select(*columns).where(branch, *conds)
        if ordered:
            part = part.order_by(Ticket.last_activity_at.desc(), Ticket.id.desc())
        # Wrapped in a subquery because SQLite accepts LIMIT only once, after the whole compound.
        sub = part.limit(limit).subquery()
        parts.append(select(*sub.c))
    return (union(*parts) if len(parts) > 1 else parts[0]).subquery("visible")


def list_tickets(session: Session, actor: Optional[User], filters: Filters = Filters(), page: int = 1,
                 page_size: int = PAGE_SIZE) -> Page:
    """One page of the tickets `actor` may see, most recent activity first."""
    actor = require_user(actor)
    page = max(1, min(int(page or 1), MAX_PAGE))
    page_size = max(1, min(int(page_size or PAGE_SIZE), 100))
    branches, conds = _branches_and_conditions(actor, filters)
    offset = (page - 1) * page_size
    wanted = page_size + 1  # one extra row says whether there is a next page

    visible = _visible_union(branches, conds, (Ticket.id, Ticket.last_activity_at), offset + wanted, ordered=True)
    stmt = (
        select(
            Ticket.number, Ticket.subject, Ticket.status, Ticket.category, Ticket.priority,
            Ticket.created_at, Ticket.last_activity_at, Ticket.requester_id, User.name,
        )
        .select_from(visible)
        .join(Ticket, Ticket.id == visible.c.id)
        .join(User, User.id == Ticket.requester_id)
        .order_by(visible.c.last_activity_at.desc(), visible.c.id.desc())
        .offset(offset)
        .limit(wanted)
    )
    found = session.exec(stmt).all()
    rows = [
        Row(number=r[0], subject=r[1], status=r[2], category=r[3], priority=r[4] or "",
            created_at=r[5], last_activity_at=r[6], requester_id=r[7], requester_name=r[8])
        for r in found[:page_size]
    ]
    if page == 1 and len(found) <= page_size:
        total = len(found)  # the whole list fits in this page: nothing left to count
    else:
        ids = _visible_union(branches, conds, (Ticket.id,), COUNT_CAP + 1, ordered=False)
        total = int(session.exec(select(func.count()).select_from(select(ids.c.id).limit(COUNT_CAP + 1).subquery())).one())
    return Page(
        rows=rows,
        page=page,
        page_size=page_size,
        has_next=len(found) > page_size,
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
    )


def org_requesters(session: Session, actor: Optional[User]) -> list[tuple[int, str]]:
    """(id, name) of the people in an org admin's organization, for the "opened by" filter.

    Names only: an org admin already sees these colleagues' tickets, not their addresses.
    """
    actor = require_user(actor)
    if not actor.is_org_admin or actor.organization_id is None:
        return []
    rows = session.exec(
        select(User.id, User.name).where(User.organization_id == actor.organization_id, User.is_active == True)  # noqa: E712
        .order_by(User.name, User.id).limit(500)
    ).all()
    return [(r[0], r[1]) for r in rows]
