"""Admin configuration of what tickets are about and who handles them: organizations, services,
request types and agents' availability for round-robin. Every function requires an admin."""

from __future__ import annotations

from typing import Optional, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.domain.accounts import Organization, User
from helpdesk.domain.catalog import RequestType, Service
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import NotFound, ValidationError

MAX_NAME = 120
MAX_ORG_NAME = 200
Named = TypeVar("Named", Service, RequestType)


def _clean_name(name: str, limit: int) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "catalog.name_required"})
    if len(name) > limit:
        raise ValidationError({"name": "catalog.name_too_long"})
    return name


# ---------------------------------------------------------------- organizations


def list_organizations(session: Session, actor: Optional[User], *, limit: int = 200) -> list[tuple[Organization, int]]:
    """Organizations with their number of members."""
    require_admin(actor)
    members = (
        select(User.organization_id, func.count().label("n")).where(User.organization_id.is_not(None)).group_by(User.organization_id).subquery()
    )
    rows = session.exec(
        select(Organization, func.coalesce(members.c.n, 0))
        .join(members, members.c.organization_id == Organization.id, isouter=True)
        .order_by(Organization.name)
        .limit(limit)
    ).all()
    return [(org, int(n)) for org, n in rows]


def create_organization(session: Session, actor: Optional[User], name: str) -> Organization:
    require_admin(actor)
    name = _clean_name(name, MAX_ORG_NAME)
    if session.exec(select(Organization.id).where(func.lower(Organization.name) == name.lower())).first() is not None:
        raise ValidationError({"name": "catalog.name_taken"})
    org = Organization(name=name)
    session.add(org)
    session.flush()
    return org


# ---------------------------------------------------------------- services and request types


def _list(session: Session, model: type[Named]) -> list[Named]:
    return list(session.exec(select(model).order_by(model.position, model.name)).all())


def _create(session: Session, model: type[Named], name: str, name_en: str) -> Named:
    name = _clean_name(name, MAX_NAME)
    name_en = " ".join((name_en or "").split())[:MAX_NAME]
    if session.exec(select(model.id).where(func.lower(model.name) == name.lower())).first() is not None:
        raise ValidationError({"name": "catalog.name_taken"})
    last = session.exec(select(func.max(model.position))).one()
    row = model(name=name, name_en=name_en, position=(last or 0) + 1)
    session.add(row)
    session.flush()
    return row


def _set_active(session: Session, model: type[Named], row_id: int, active: bool) -> Named:
    row = session.get(model, int(row_id))
    if row is None:
        raise NotFound()
    row.is_active = bool(active)
    session.add(row)
    session.flush()
    return row


def list_services(session: Session, actor: Optional[User]) -> list[Service]:
    require_admin(actor)
    return _list(session, Service)


def create_service(session: Session, actor: Optional[User], name: str, name_en: str = "") -> Service:
    require_admin(actor)
    return _create(session, Service, name, name_en)


def set_service_active(session: Session, actor: Optional[User], service_id: int, active: bool) -> Service:
    require_admin(actor)
    return _set_active(session, Service, service_id, active)


def list_request_types(session: Session, actor: Optional[User]) -> list[RequestType]:
    require_admin(actor)
    return _list(session, RequestType)


def create_request_type(session: Session, actor: Optional[User], name: str, name_en: str = "") -> RequestType:
    require_admin(actor)
    return _create(session, RequestType, name, name_en)


def set_request_type_active(session: Session, actor: Optional[User], type_id: int, active: bool) -> RequestType:
    require_admin(actor)
    return _set_active(session, RequestType, type_id, active)


# ---------------------------------------------------------------- agents


def set_available(session: Session, actor: Optional[User], user_id: int, available: bool) -> User:
    """Include or exclude a staff member from round-robin assignment."""
    require_admin(actor)
    user = session.get(User, int(user_id))
    if user is None or not user.is_staff:
        raise NotFound()
    user.available_for_assignment = bool(available)
    session.add(user)
    session.flush()
    return user
