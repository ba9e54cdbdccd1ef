"""Webhook endpoints: admins (or the operator's CLI) add, list, test, pause/resume and remove them.

An endpoint receives a signed POST for each subscribed event (see webhook_outbox for what is
announced and webhook_delivery for how it is sent). URLs that resolve to loopback, private,
link-local or otherwise non-public addresses are refused (the server must not become a way to
reach the internal network) unless HELPDESK_WEBHOOK_ALLOW_PRIVATE=1.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
import uuid
from datetime import timedelta
from typing import Optional
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.integrations import EVENTS, PENDING, WebhookDelivery, WebhookEndpoint
from helpdesk.services import audit
from helpdesk.services.authz import require_admin
from helpdesk.services.errors import NotFound, ValidationError

MAX_URL = 2000
LOG_LIMIT = 100


def allow_private() -> bool:
    return os.environ.get("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "").strip().lower() in ("1", "true", "yes")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_problem(url: str) -> Optional[str]:
    """None when `url` may receive webhooks now, else the translation key of the reason.

    Checked when the endpoint is added and again before every delivery (a name can start
    resolving to an internal address later)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "webhooks.url_invalid"
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL or any(c.isspace() for c in url):
        return "webhooks.url_invalid"
    if allow_private():
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return "webhooks.url_invalid"
    if not infos or not all(_is_public(info[4][0]) for info in infos):
        return "webhooks.url_private"
    return None


def parse_events(raw: object) -> list[str]:
    items = raw if isinstance(raw, (list, tuple)) else str(raw or "").split(",")
    events = list(dict.fromkeys(str(e).strip() for e in items if str(e).strip()))
    if not events or any(e not in EVENTS for e in events):
        raise ValidationError({"events": "webhooks.events_invalid"})
    return events


def add_endpoint(session: Session, actor: Optional[User], *, url: str, events: object, secret: str = "",
                 trusted: bool = False) -> tuple[WebhookEndpoint, str]:
    """Returns (endpoint, secret). `trusted` is the operator's CLI (no signed-in admin there)."""
    if not trusted:
        require_admin(actor)
    url = (url or "").strip()
    errors: dict[str, str] = {}
    problem = url_problem(url)
    if problem:
        errors["url"] = problem
    elif session.exec(select(WebhookEndpoint.id).where(WebhookEndpoint.url == url)).first() is not None:
        errors["url"] = "webhooks.url_exists"
    try:
        names = parse_events(events)
    except ValidationError as err:
        errors.update(err.errors)
        names = []
    secret = (secret or "").strip()
    if secret and not (16 <= len(secret) <= 200):
        errors["secret"] = "webhooks.secret_invalid"
    if errors:
        raise ValidationError(errors)
    secret = secret or secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(url=url, secret=secret, events=",".join(names))
    session.add(endpoint)
    session.flush()
    audit.record(session, "webhook.added", actor.id if actor else None, target=url[:200], detail=endpoint.events)
    return endpoint, secret


def _endpoint(session: Session, endpoint_id: object) -> WebhookEndpoint:
    text = str(endpoint_id)
    endpoint = session.get(WebhookEndpoint, int(text)) if text.isdigit() and len(text) < 12 else None
    if endpoint is None:
        raise NotFound()
    return endpoint


def remove_endpoint(session: Session, actor: Optional[User], endpoint_id: object = None, *, url: str = "",
                    trusted: bool = False) -> bool:
    """Remove an endpoint (by id, or by URL for the CLI) and its delivery log."""
    if not trusted:
        require_admin(actor)
    if url:
        endpoint = session.exec(select(WebhookEndpoint).where(WebhookEndpoint.url == url.strip())).first()
        if endpoint is None:
            return False
    else:
        endpoint = _endpoint(session, endpoint_id)
    session.exec(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    audit.record(session, "webhook.removed", actor.id if actor else None, target=endpoint.url[:200])
    session.flush()
    return True


def list_endpoints(session: Session, actor: Optional[User]) -> list[WebhookEndpoint]:
    require_admin(actor)
    return list(session.exec(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all())


def resume(session: Session, actor: Optional[User], endpoint_id: object) -> WebhookEndpoint:
    """Un-pause: the queued deliveries go out again, oldest first."""
    require_admin(actor)
    endpoint = _endpoint(session, endpoint_id)
    endpoint.paused_at = None
    endpoint.failure_streak = 0
    session.exec(
        WebhookDelivery.__table__.update()
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == PENDING)
        .values(next_attempt_at=utcnow())
    )
    return endpoint


def deliveries(session: Session, actor: Optional[User], endpoint_id: object = None, limit: int = LOG_LIMIT) -> list[WebhookDelivery]:
    """The delivery log, newest first."""
    require_admin(actor)
    stmt = select(WebhookDelivery).order_by(col(WebhookDelivery.id).desc()).limit(max(1, min(int(limit), 500)))
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == _endpoint(session, endpoint_id).id)
    return list(session.exec(stmt).all())


def redeliver(session: Session, actor: Optional[User], delivery_id: object) -> WebhookDelivery:
    """Queue the same body again, as a new delivery (new X-Helpdesk-Delivery id) at the end of the queue."""
    require_admin(actor)
    text = str(delivery_id)
    old = session.get(WebhookDelivery, int(text)) if text.isdigit() and len(text) < 12 else None
    if old is None:
        raise NotFound()
    row = WebhookDelivery(endpoint_id=old.endpoint_id, event=old.event, delivery_uuid=str(uuid.uuid4()), payload=old.payload)
    session.add(row)
    session.flush()
    return row


def purge_old(session: Session, days: int = 30) -> int:
    """Forget finished deliveries after a month (the log is for recent trouble)."""
    cutoff = utcnow() - timedelta(days=days)
    result = session.exec(
        delete(WebhookDelivery).where(WebhookDelivery.created_at < cutoff, WebhookDelivery.state != PENDING)
    )
    return int(result.rowcount or 0)
