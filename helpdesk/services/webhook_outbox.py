"""Webhook outbox: every ticket change writes its deliveries in the SAME transaction as the change.

The domain events are the rows the ticket services already write: a new Ticket, a TicketEvent
(status, priority, assignee, category... with from -> to), a new public Message, a new
SatisfactionRating. A session listener notes them as they are flushed and, just before the
transaction commits, turns them into one WebhookDelivery row per subscribed endpoint. So a
rollback sends nothing (the rows go with it) and a crash after commit loses nothing (the rows
are in the database; the delivery worker picks them up). No code path that changes a ticket
can forget to announce it.

Internal notes never become events, and payloads carry no message other than the one announced.
"""

from __future__ import annotations

import json
import uuid
from datetime import timezone

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Service
from helpdesk.domain.integrations import WebhookDelivery, WebhookEndpoint
from helpdesk.domain.tickets import Message, SatisfactionRating, Ticket, TicketEvent

_NOTED = "webhook_outbox.noted"
_CREATED = "webhook_outbox.created_tickets"
# TicketEvent kinds whose values are announced; other kinds are announced by name only.
_WITH_VALUES = ("status", "priority", "category", "assignee")
_NOT_UPDATES = ("created", "follow_up_of", "csat")  # csat: announced as csat.received


def _iso(value) -> str | None:
    if value is None:
        return None
    value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return value.isoformat().replace("+00:00", "Z")


@event.listens_for(OrmSession, "after_flush")
def _note(session, _flush_context) -> None:
    """Remember which domain rows this flush wrote (their ids exist now)."""
    noted = None
    for obj in session.new:
        item = None
        if isinstance(obj, Ticket):
            item = ("ticket.created", obj.id, obj.id)
            session.info.setdefault(_CREATED, set()).add(obj.id)
        elif isinstance(obj, TicketEvent) and obj.kind not in _NOT_UPDATES:
            item = ("ticket.updated", obj.ticket_id, obj.id)
        elif isinstance(obj, Message) and not obj.is_internal:
            item = ("message.created", obj.ticket_id, obj.id)
        elif isinstance(obj, SatisfactionRating):
            item = ("csat.received", obj.ticket_id, obj.id)
        if item is not None:
            noted = noted if noted is not None else session.info.setdefault(_NOTED, [])
            noted.append(item)


@event.listens_for(OrmSession, "before_commit")
def _write(session) -> None:
    if not session.info.get(_NOTED):
        session.info.pop(_CREATED, None)
        return
    session.flush()  # everything of this transaction is noted and visible to the queries below
    noted = session.info.pop(_NOTED, [])
    created = session.info.pop(_CREATED, set())
    with session.no_autoflush:
        endpoints = session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events)).all()
        if not endpoints:
            return
        for name, body in _events(session, noted, created):
            for endpoint_id, events in endpoints:
                if name in events.split(","):
                    session.add(WebhookDelivery(endpoint_id=endpoint_id, event=name, delivery_uuid=str(uuid.uuid4()), payload=body))


@event.listens_for(OrmSession, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_NOTED, None)
    session.info.pop(_CREATED, None)


def _events(session: Session, noted: list[tuple[str, int, int]], created: set[int]) -> list[tuple[str, str]]:
    """(event name, JSON body) in the order things happened; one ticket.updated per ticket."""
    out: list[tuple[str, dict]] = []
    updates: dict[int, dict] = {}
    cache: dict[int, dict] = {}
    for name, ticket_id, row_id in noted:
        if name == "message.created" and ticket_id in created:
            continue  # the description: already in ticket.created
        if name == "ticket.updated" and ticket_id in created:
            continue  # assignment or SLA while opening: part of the creation
        if name == "ticket.updated":
            if ticket_id not in updates:
                updates[ticket_id] = {"ticket": _ticket(session, ticket_id, cache), "changes": []}
                out.append((name, updates[ticket_id]))
            change = _change(session, row_id)
            if change is not None:
                updates[ticket_id]["changes"].append(change)
            continue
        data: dict = {"ticket": _ticket(session, ticket_id, cache)}
        if name == "ticket.created":
            data["description"] = _first_message(session, ticket_id)
        elif name == "message.created":
            message = session.get(Message, row_id)
            if message is None or message.is_internal:
                continue
            data["message"] = _message(session, message)
        elif name == "csat.received":
            rating = session.get(SatisfactionRating, row_id)
            if rating is None:
                continue
            data["csat"] = {"rating": rating.rating, "comment": rating.comment, "round": rating.solve_round,
                            "created_at": _iso(rating.created_at)}
        out.append((name, data))
    now = _iso(utcnow())
    return [
        (name, json.dumps({"event": name, "event_id": str(uuid.uuid4()), "occurred_at": now, "data": data},
                          ensure_ascii=False, separators=(",", ":")))
        for name, data in out
    ]


def _person(session: Session, user_id) -> dict | None:
    user = session.get(User, user_id) if user_id else None
    if user is None:
        return None
    return {"name": user.name, "email": user.email, "role": user.role}


def _ticket(session: Session, ticket_id: int, cache: dict[int, dict]) -> dict:
    if ticket_id in cache:
        return cache[ticket_id]
    from helpdesk.infra.settings import get_settings

    t = session.get(Ticket, ticket_id)
    service = session.get(Service, t.service_id) if t.service_id else None
    cache[ticket_id] = {
        "number": t.number,
        "subject": t.subject,
        "status": t.status,
        "priority": t.priority or None,
        "category": t.category,
        "service": service.name if service else None,
        "requester": _person(session, t.requester_id),
        "assignee": _person(session, t.assignee_id),
        "created_at": _iso(t.created_at),
        "updated_at": _iso(t.updated_at),
        "url": f"{get_settings().base_url}/agent/tickets/{t.number}",
    }
    return cache[ticket_id]


def _first_message(session: Session, ticket_id: int) -> str:
    first = session.exec(
        select(Message.body).where(Message.ticket_id == ticket_id, col(Message.is_internal).is_(False))
        .order_by(Message.created_at, Message.id).limit(1)
    ).first()
    return first or ""


def _message(session: Session, message: Message) -> dict:
    return {"id": message.id, "body": message.body, "author": _person(session, message.author_id),
            "created_at": _iso(message.created_at)}


def _change(session: Session, event_id: int) -> dict | None:
    ev = session.get(TicketEvent, event_id)
    if ev is None:
        return None
    if ev.kind not in _WITH_VALUES:
        return {"field": ev.kind, "from": None, "to": None}
    old, new = ev.from_value or None, ev.to_value or None
    if ev.kind == "assignee":
        old = (_person(session, int(old)) or {}).get("email") if old and old.isdigit() else None
        new = (_person(session, int(new)) or {}).get("email") if new and new.isdigit() else None
    return {"field": ev.kind, "from": old, "to": new}
