"""Canned responses: reusable replies with placeholders, managed by admins, used by agents."""

from __future__ import annotations

import re
from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.agent import CannedResponse
from helpdesk.domain.tickets import Ticket
from helpdesk.services.authz import require_admin, require_staff
from helpdesk.services.errors import NotFound, ValidationError

MAX_TITLE = 120
MAX_BODY = 5000
PLACEHOLDERS = ("customer_name", "ticket_id", "agent_name", "subject")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def list_responses(session: Session, actor: Optional[User], locale: str = "") -> list[CannedResponse]:
    require_staff(actor)
    stmt = select(CannedResponse).order_by(CannedResponse.title).limit(200)
    if locale:
        stmt = stmt.where(CannedResponse.locale == locale)
    return list(session.exec(stmt).all())


def _validate(title: str, body: str, locale: str) -> tuple[str, str, str]:
    title = " ".join((title or "").split())
    body = (body or "").replace("\x00", "").strip()
    errors = {}
    if not title:
        errors["title"] = "canned.title_required"
    elif len(title) > MAX_TITLE:
        errors["title"] = "canned.title_too_long"
    if not body:
        errors["body"] = "canned.body_required"
    elif len(body) > MAX_BODY:
        errors["body"] = "canned.body_too_long"
    unknown = sorted(set(_PLACEHOLDER.findall(body)) - set(PLACEHOLDERS))
    if unknown and "body" not in errors:
        errors["body"] = "canned.placeholder_unknown"
    if errors:
        raise ValidationError(errors)
    return title, body, locale if locale in ("es", "en") else "es"


def create(session: Session, actor: Optional[User], title: str, body: str, locale: str = "es") -> CannedResponse:
    actor = require_admin(actor)
    title, body, locale = _validate(title, body, locale)
    row = CannedResponse(title=title, body=body, locale=locale, created_by_id=actor.id)
    session.add(row)
    session.flush()
    return row


def update(session: Session, actor: Optional[User], response_id: int, title: str, body: str, locale: str = "es") -> CannedResponse:
    require_admin(actor)
    row = session.get(CannedResponse, int(response_id))
    if row is None:
        raise NotFound()
    row.title, row.body, row.locale = _validate(title, body, locale)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def delete(session: Session, actor: Optional[User], response_id: int) -> bool:
    require_admin(actor)
    row = session.get(CannedResponse, int(response_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def render(session: Session, actor: Optional[User], response_id: int, ticket: Ticket) -> str:
    """The response's text for this ticket, placeholders filled in. Unknown ones stay as typed."""
    actor = require_staff(actor)
    row = session.get(CannedResponse, int(response_id))
    if row is None:
        raise NotFound()
    requester = session.get(User, ticket.requester_id)
    values = {
        "customer_name": requester.name if requester else "",
        "ticket_id": ticket.public_id,
        "agent_name": actor.name,
        "subject": ticket.subject,
    }
    # The public id already carries its "#": "#{ticket_id}" must read «#1019», not «##1019».
    body = row.body.replace("#{ticket_id}", "{ticket_id}")
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)
