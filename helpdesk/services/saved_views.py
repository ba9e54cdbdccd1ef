"""An agent's saved queue views ("Mis vistas"): list, save, rename, delete, find.

Each view belongs to one agent: every function takes the acting user (from the server-side
session) and only ever reads or changes that user's rows; another agent's view id is simply not
found (NotFound, no existence leak). Staff only: customers have no queue.

The stored query goes through the queue's own URL reader (services/queue_url.read) and filter
check (queue.QueueFilters.from_raw) and is written back by queue_url.query, so a stored view
holds only known keys with valid values, in one canonical order, and never a page number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional
from urllib.parse import parse_qs

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.domain.accounts import User
from helpdesk.domain.saved_views import MAX_NAME, SavedView
from helpdesk.services import queue, queue_url
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound, ServiceError, ValidationError

MAX_VIEWS = 30  # per agent: the list stays readable beside the queue
MAX_RAW_QUERY = 2000  # longer input is cut before parsing; a normalized query is far shorter


@dataclass(frozen=True)
class ViewItem:
    id: int
    name: str
    query: str


def normalize(raw_query: str) -> str:
    """Any query string -> the canonical one the queue would write for the same list (page 1)."""
    params = parse_qs(str(raw_query or "")[:MAX_RAW_QUERY].lstrip("?"), keep_blank_values=False)
    wanted = queue_url.read(params, views=queue.VIEWS, sorts=queue.SORTS)
    raw = dict(wanted["filters"])
    nobody = raw.get("assignee_id") == "none"
    checked = queue.QueueFilters.from_raw({**raw, "assignee_id": "0" if nobody else raw.get("assignee_id"), "text": wanted["search"]})
    filters = {key: getattr(checked, key) for key in ("status", "priority", "category") if getattr(checked, key)}
    for key in ("service_id", "organization_id"):
        if getattr(checked, key) is not None:
            filters[key] = str(getattr(checked, key))
    if checked.assignee_id is not None:
        filters["assignee_id"] = "none" if checked.assignee_id == 0 else str(checked.assignee_id)
    return queue_url.query(wanted["view"], wanted["sort"], 1, filters, checked.text)


def _clean_name(name: object) -> str:
    # Control characters and runs of spaces would make two names look alike in the list.
    text = "".join(ch for ch in str(name or "")[: MAX_NAME * 4] if ch.isprintable())
    return " ".join(text.split())


def _check_name(session: Session, user_id: int, name: object, *, except_id: Optional[int] = None) -> str:
    cleaned = _clean_name(name)
    if not cleaned:
        raise ValidationError({"name": "saved_views.name_required"})
    if len(cleaned) > MAX_NAME:
        raise ValidationError({"name": "saved_views.name_too_long"})
    same = select(SavedView.id).where(SavedView.user_id == user_id, func.lower(SavedView.name) == cleaned.lower())
    if except_id is not None:
        same = same.where(SavedView.id != except_id)
    if session.exec(same).first() is not None:
        raise ValidationError({"name": "saved_views.name_taken"})
    return cleaned


def _item(row: SavedView) -> ViewItem:
    return ViewItem(id=row.id, name=row.name, query=row.query)


def _own(session: Session, user: User, view_id: object) -> SavedView:
    try:
        wanted = int(view_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    row = session.exec(select(SavedView).where(SavedView.id == wanted, SavedView.user_id == user.id)).first()
    if row is None:
        raise NotFound()
    return row


def list_views(session: Session, actor: Optional[User]) -> list[ViewItem]:
    user = require_staff(actor)
    rows = session.exec(
        select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.position, SavedView.id).limit(MAX_VIEWS)
    ).all()
    return [_item(r) for r in rows]


def get_view(session: Session, actor: Optional[User], view_id: object) -> ViewItem:
    return _item(_own(session, require_staff(actor), view_id))


def save(session: Session, actor: Optional[User], name: object, raw_query: str) -> ViewItem:
    """A new view at the end of the actor's list, holding the normalized query."""
    user = require_staff(actor)
    cleaned = _check_name(session, user.id, name)
    count, last = session.exec(
        select(func.count(), func.max(SavedView.position)).where(SavedView.user_id == user.id)
    ).one()
    if count >= MAX_VIEWS:
        raise ServiceError("saved_views.limit", field="name", max=MAX_VIEWS)
    row = SavedView(user_id=user.id, name=cleaned, query=normalize(raw_query), position=(last or 0) + 1)
    session.add(row)
    session.flush()
    return _item(row)


def rename(session: Session, actor: Optional[User], view_id: object, name: object) -> ViewItem:
    user = require_staff(actor)
    row = _own(session, user, view_id)
    row.name = _check_name(session, user.id, name, except_id=row.id)
    session.add(row)
    session.flush()
    return _item(row)


def delete(session: Session, actor: Optional[User], view_id: object) -> ViewItem:
    """Removes the actor's view and returns what it was (the page names it in its notice)."""
    user = require_staff(actor)
    row = _own(session, user, view_id)
    gone = _item(row)
    session.delete(row)
    session.flush()
    return gone
