"""Read models for the JSON API: tickets with their conversation, the catalog with slugs, people.

Plain data (dicts) built with the same access rules as the web: every read goes through
services.tickets (visibility, internal notes for staff only) and ticket_list (the paginated
list). The web layer turns these dicts into its Pydantic schemas.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk import i18n
from helpdesk.domain.accounts import Organization, Role, User, normalize_email
from helpdesk.domain.catalog import Category, RequestType, Service
from helpdesk.domain.tickets import Ticket
from helpdesk.services import kb, ticket_list, tickets
from helpdesk.services.authz import require_staff, require_user
from helpdesk.services.errors import ValidationError

USERS_PAGE = 50


def utc(value: Optional[datetime]) -> Optional[datetime]:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def slug(text: str) -> str:
    return kb.slugify(text) or "x"


# ---------------------------------------------------------------- catalog


def _entries(rows) -> list[dict]:
    return [{"slug": slug(r.name), "name": r.name, "name_en": r.name_en or r.name} for r in rows]


def catalog(session: Session) -> dict:
    """Active services, the three categories and request types, each with a stable slug."""
    services = session.exec(select(Service).where(col(Service.is_active).is_(True)).order_by(Service.position, Service.id)).all()
    types = session.exec(
        select(RequestType).where(col(RequestType.is_active).is_(True)).order_by(RequestType.position, RequestType.id)
    ).all()
    categories = [
        {"slug": c.value, "name": i18n.translate(f"category.{c.value}", "es"), "name_en": i18n.translate(f"category.{c.value}", "en")}
        for c in Category
    ]
    return {"services": _entries(services), "categories": categories, "request_types": _entries(types)}


def _match(entries: list[dict], raw: str) -> Optional[str]:
    """The slug of the entry whose slug or name (either language) is `raw`, ignoring case and accents."""
    wanted = slug(raw)
    for e in entries:
        if wanted in (e["slug"], slug(e["name"]), slug(e["name_en"])):
            return e["slug"]
    return None


def resolve_draft(session: Session, *, service: str, category: str, request_type: Optional[str],
                  subject: str, description: str) -> tickets.TicketDraft:
    """Slugs or names from an API client -> the draft the web form would have built."""
    cat = catalog(session)
    errors: dict[str, str] = {}
    service_slug = _match(cat["services"], service)
    service_id = None
    if service_slug is None:
        errors["service"] = "tickets.service_required"
    else:
        active = session.exec(select(Service).where(col(Service.is_active).is_(True))).all()
        service_id = next(s.id for s in active if slug(s.name) == service_slug)
    category_slug = _match(cat["categories"], category) or ""
    if not category_slug:
        errors["category"] = "tickets.category_required"
    request_type_id = None
    if request_type:
        type_slug = _match(cat["request_types"], request_type)
        rows = session.exec(select(RequestType).where(col(RequestType.is_active).is_(True))).all()
        request_type_id = next((r.id for r in rows if slug(r.name) == type_slug), None)
        if request_type_id is None:
            errors["request_type"] = "tickets.request_type_invalid"
    if errors:
        raise ValidationError(errors)
    return tickets.TicketDraft(subject=subject, description=description, category=category_slug,
                               service_id=service_id, request_type_id=request_type_id)


# ---------------------------------------------------------------- people


def person(user: Optional[User], reader: User) -> Optional[dict]:
    """Name and role for everyone; the address only for staff or the person themselves."""
    if user is None:
        return None
    show_email = reader.is_staff or reader.id == user.id
    return {"name": user.name, "email": user.email if show_email else None, "role": user.role}


def staff_by_email(session: Session, email: str) -> Optional[int]:
    """The id of the active agent/admin with this address ("" -> None: unassign)."""
    address = normalize_email(email)
    if not address:
        return None
    user = session.exec(select(User).where(User.email == address)).first()
    if user is None or not user.is_staff or not user.is_active:
        raise ValidationError({"assignee": "tickets.assignee_invalid"})
    return user.id


def users(session: Session, actor: Optional[User], *, query: str = "", page: int = 1) -> dict:
    """Staff only: people, newest first, optionally filtered by name or e-mail."""
    require_staff(actor)
    page = max(1, min(int(page or 1), 10_000))
    stmt = select(User, Organization.name).join(Organization, Organization.id == User.organization_id, isouter=True)
    q = " ".join((query or "").replace("\x00", "").split()).lower()[:100]
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(func.lower(User.email).like(like) | func.lower(User.name).like(like))
    rows = session.exec(
        stmt.order_by(col(User.id).desc()).offset((page - 1) * USERS_PAGE).limit(USERS_PAGE + 1)
    ).all()
    items = [
        {"id": u.id, "email": u.email, "name": u.name, "role": u.role, "organization": org, "org_admin": u.is_org_admin,
         "active": u.is_active, "created_at": utc(u.created_at)}
        for u, org in rows[:USERS_PAGE]
    ]
    return {"items": items, "page": page, "has_next": len(rows) > USERS_PAGE}


def organizations(session: Session, actor: Optional[User]) -> list[dict]:
    require_staff(actor)
    members = (
        select(User.organization_id, func.count().label("n")).where(col(User.organization_id).is_not(None))
        .group_by(User.organization_id).subquery()
    )
    rows = session.exec(
        select(Organization, func.coalesce(members.c.n, 0))
        .join(members, members.c.organization_id == Organization.id, isouter=True)
        .order_by(Organization.name).limit(1000)
    ).all()
    return [{"id": o.id, "name": o.name, "members": int(n), "created_at": utc(o.created_at)} for o, n in rows]


def me(session: Session, actor: Optional[User]) -> dict:
    actor = require_user(actor)
    org = session.get(Organization, actor.organization_id) if actor.organization_id else None
    return {"id": actor.id, "email": actor.email, "name": actor.name, "role": actor.role,
            "organization": org.name if org else None, "org_admin": actor.is_org_admin, "locale": actor.locale}


# ---------------------------------------------------------------- tickets


def ticket_page(session: Session, actor: Optional[User], *, page: int, status: str, q: str, page_size: int) -> dict:
    filters, errors = ticket_list.parse_filters({"status": status, "q": q})
    if errors:
        raise ValidationError(errors)
    result = ticket_list.list_tickets(session, actor, filters, page=page, page_size=page_size)
    items = [
        {"number": r.number, "subject": r.subject, "status": r.status, "priority": r.priority or None,
         "category": r.category, "requester_name": r.requester_name, "created_at": utc(r.created_at),
         "last_activity_at": utc(r.last_activity_at)}
        for r in result.rows
    ]
    return {"items": items, "page": result.page, "page_size": result.page_size, "has_next": result.has_next,
            "total": result.total, "total_capped": result.total_capped}


def ticket_detail(session: Session, actor: Optional[User], number: object) -> dict:
    """One ticket as `actor` may see it; internal notes only for staff (tickets.messages_for)."""
    actor = require_user(actor)
    ticket = tickets.get_ticket(session, actor, number)
    return ticket_dict(session, actor, ticket)


def ticket_dict(session: Session, actor: User, ticket: Ticket) -> dict:
    messages = tickets.messages_for(session, actor, ticket)
    files: dict[int, list[dict]] = {}
    for a in tickets.attachments_for(session, actor, ticket):
        if a.message_id is not None:
            files.setdefault(a.message_id, []).append({"filename": a.filename, "content_type": a.content_type, "size": a.size})
    author_ids = {m.author_id for m in messages if m.author_id} | {ticket.requester_id}
    if ticket.assignee_id:
        author_ids.add(ticket.assignee_id)
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(author_ids))).all()}
    service = session.get(Service, ticket.service_id) if ticket.service_id else None
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority or None,
        "category": ticket.category,
        "service": {"slug": slug(service.name), "name": service.name, "name_en": service.name_en or service.name} if service else None,
        "requester": person(people.get(ticket.requester_id), actor) or {"name": "", "email": None, "role": Role.CUSTOMER.value},
        "assignee": person(people.get(ticket.assignee_id), actor) if ticket.assignee_id else None,
        "created_at": utc(ticket.created_at),
        "updated_at": utc(ticket.updated_at),
        "last_activity_at": utc(ticket.last_activity_at),
        "solved_at": utc(ticket.solved_at),
        "closed_at": utc(ticket.closed_at),
        "version": ticket.version,
        "messages": [
            {"id": m.id, "author": person(people.get(m.author_id), actor), "body": m.body, "internal": m.is_internal,
             "created_at": utc(m.created_at), "attachments": files.get(m.id, [])}
            for m in messages
        ],
    }


def message_dict(session: Session, actor: User, message) -> dict:
    author = session.get(User, message.author_id) if message.author_id else None
    return {"id": message.id, "author": person(author, actor), "body": message.body, "internal": message.is_internal,
            "created_at": utc(message.created_at), "attachments": []}


# ---------------------------------------------------------------- articles


def article_hits(session: Session, query: str, locale: str, limit: int = 20) -> list[dict]:
    from helpdesk.services import search

    text = " ".join((query or "").replace("\x00", "").split())[:200]
    if not text:
        return [
            {"slug": a.slug, "title": a.title, "summary": a.summary, "category": "", "locale": a.locale}
            for a in kb.popular_articles(session, locale, limit=limit)
        ]
    return [
        {"slug": h.slug, "title": h.title, "summary": h.summary, "category": h.category, "locale": h.locale}
        for h in search.search_articles(session, text, locale, limit=limit)
    ]


def article(session: Session, actor: Optional[User], slug_text: str) -> dict:
    from helpdesk.domain.kb import ArticleCategory

    a = kb.get_article(session, slug_text[:200], actor)
    cat = session.get(ArticleCategory, a.category_id) if a.category_id else None
    return {"slug": a.slug, "title": a.title, "summary": a.summary, "body": a.body,
            "category": cat.slug if cat else "", "locale": a.locale, "updated_at": utc(a.updated_at)}
