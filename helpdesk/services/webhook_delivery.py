"""Sending the webhook outbox: signed POSTs, in order per endpoint, with backoff for about a day.

Each endpoint's queue is sent oldest first by one worker at a time (a short lease on the
endpoint row, so several server processes can run this job). A failing delivery holds the
queue behind it, so receivers always see events in the order they happened; it is retried
with exponential backoff and given up after about a day. An endpoint that keeps failing is
paused and the admins are told by e-mail; its deliveries wait until an admin resumes it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

import httpx
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role, User
from helpdesk.domain.integrations import DELIVERED, FAILED, PENDING, WebhookDelivery, WebhookEndpoint
from helpdesk.infra.db import session_scope
from helpdesk.services import audit, webhooks

log = logging.getLogger("helpdesk.webhooks")

TIMEOUT_S = 10.0
FIRST_RETRY_S = 30
MAX_RETRY_S = 6 * 3600
GIVE_UP_AFTER = timedelta(hours=24)
PAUSE_AFTER_FAILURES = 10
LEASE = timedelta(seconds=60)
USER_AGENT = "Helpdesk-Webhooks/1"


def signature(secret: str, body: bytes) -> str:
    """The X-Helpdesk-Signature value: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... doubling, at most 6 h between tries."""
    return timedelta(seconds=min(FIRST_RETRY_S * 2 ** max(0, attempts - 1), MAX_RETRY_S))


@dataclass
class Answer:
    status: Optional[int]
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def send(client: httpx.Client, url: str, secret: str, event: str, delivery_uuid: str, body: str) -> Answer:
    problem = webhooks.url_problem(url)
    if problem:
        return Answer(None, 0, problem)
    raw = body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event": event,
        "X-Helpdesk-Delivery": delivery_uuid,
        "X-Helpdesk-Signature": signature(secret, raw),
    }
    started = time.perf_counter()
    try:
        resp = client.post(url, content=raw, headers=headers)
        return Answer(resp.status_code, int((time.perf_counter() - started) * 1000))
    except httpx.HTTPError as exc:
        return Answer(None, int((time.perf_counter() - started) * 1000), type(exc).__name__)


def _client() -> httpx.Client:
    # No redirects: a 3xx to an internal address must not be followed.
    return httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False)


def _take_lease(endpoint_id: int, now: datetime) -> bool:
    with session_scope() as s:
        result = s.exec(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, col(WebhookEndpoint.paused_at).is_(None),
                   or_(col(WebhookEndpoint.lease_until).is_(None), WebhookEndpoint.lease_until < now))
            .values(lease_until=now + LEASE)
        )
        return result.rowcount == 1


def _release(endpoint_id: int) -> None:
    with session_scope() as s:
        s.exec(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(lease_until=None))


def _due_endpoints(now: datetime) -> list[int]:
    with session_scope() as s:
        rows = s.exec(
            select(WebhookDelivery.endpoint_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.state == PENDING, WebhookDelivery.next_attempt_at <= now,
                   col(WebhookEndpoint.paused_at).is_(None))
            .distinct()
        ).all()
    return list(rows)


def _notify_admins(s: Session, endpoint: WebhookEndpoint) -> None:
    from helpdesk.services import mail

    admins = s.exec(select(User).where(User.role == Role.ADMIN.value, col(User.is_active).is_(True))).all()
    for admin in admins:
        es = admin.locale != "en"
        subject = "Webhook en pausa" if es else "Webhook paused"
        text = (
            f"El webhook {endpoint.url} ha fallado {endpoint.failure_streak} veces seguidas y está en pausa. "
            "Revisa el registro de entregas en Administración y reanúdalo cuando el destino funcione."
            if es else
            f"The webhook {endpoint.url} failed {endpoint.failure_streak} times in a row and is paused. "
            "Check the delivery log in Administration and resume it once the receiver works."
        )
        try:
            mail.queue_mail(s, to=admin.email, subject=subject, text=text,
                            idempotency_key=f"webhook-paused:{endpoint.id}:{endpoint.paused_at.isoformat()}:{admin.id}")
        except ValueError:
            continue


def _record(delivery_id: int, answer: Answer, now: datetime) -> bool:
    """Store one attempt's outcome; True when the queue may go on to the next delivery."""
    with session_scope() as s:
        d = s.get(WebhookDelivery, delivery_id)
        endpoint = s.get(WebhookEndpoint, d.endpoint_id)
        d.attempts += 1
        d.last_status, d.last_duration_ms, d.last_error = answer.status, answer.duration_ms, answer.error[:300]
        if answer.ok:
            d.state, d.delivered_at = DELIVERED, now
            endpoint.failure_streak = 0
            return True
        endpoint.failure_streak += 1
        created = d.created_at if d.created_at.tzinfo else d.created_at.replace(tzinfo=now.tzinfo)
        if now - created >= GIVE_UP_AFTER:
            d.state = FAILED
        else:
            d.next_attempt_at = now + backoff(d.attempts)
        if endpoint.failure_streak >= PAUSE_AFTER_FAILURES and endpoint.paused_at is None:
            endpoint.paused_at = now
            audit.record(s, "webhook.paused", None, target=endpoint.url[:200], detail=str(endpoint.failure_streak))
            _notify_admins(s, endpoint)
            log.warning("webhook endpoint %s paused after %s failures", endpoint.id, endpoint.failure_streak)
            return False
        return d.state == FAILED


def _drain(client: httpx.Client, endpoint_id: int, limit: int, clock: Callable[[], datetime]) -> int:
    """Send this endpoint's due deliveries in order; stop at the first one that must wait."""
    sent = 0
    while sent < limit:
        now = clock()
        with session_scope() as s:
            endpoint = s.get(WebhookEndpoint, endpoint_id)
            if endpoint is None or endpoint.paused_at is not None:
                return sent
            head = s.exec(
                select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.state == PENDING)
                .order_by(WebhookDelivery.id).limit(1)
            ).first()
            if head is None or head.next_attempt_at > now:
                return sent
            job = (endpoint.url, endpoint.secret, head.event, head.delivery_uuid, head.payload, head.id)
        answer = send(client, *job[:5])
        sent += 1
        if not _record(job[5], answer, clock()):
            return sent
    return sent


def deliver_due(*, limit: int = 500, clock: Callable[[], datetime] = utcnow, client: httpx.Client | None = None) -> int:
    """One pass of the worker: every endpoint with due deliveries. Returns how many were attempted."""
    own = client is None
    client = client or _client()
    total = 0
    try:
        for endpoint_id in _due_endpoints(clock()):
            if not _take_lease(endpoint_id, clock()):
                continue  # another process is on it
            try:
                total += _drain(client, endpoint_id, limit, clock)
            finally:
                _release(endpoint_id)
    finally:
        if own:
            client.close()
    return total


def send_test(session: Session, actor: Optional[User], endpoint_id: object) -> WebhookDelivery:
    """Admins: POST a `ping` right now and log it like any delivery."""
    import json
    import uuid

    from helpdesk.services.authz import require_admin

    require_admin(actor)
    endpoint = webhooks._endpoint(session, endpoint_id)
    now = utcnow()
    body = json.dumps({"event": "ping", "event_id": str(uuid.uuid4()), "occurred_at": now.isoformat().replace("+00:00", "Z"),
                       "data": {"endpoint": endpoint.url}}, separators=(",", ":"))
    row = WebhookDelivery(endpoint_id=endpoint.id, event="ping", delivery_uuid=str(uuid.uuid4()), payload=body, created_at=now)
    with _client() as client:
        answer = send(client, endpoint.url, endpoint.secret, row.event, row.delivery_uuid, body)
    row.attempts, row.last_status, row.last_duration_ms, row.last_error = 1, answer.status, answer.duration_ms, answer.error[:300]
    row.state = DELIVERED if answer.ok else FAILED
    row.delivered_at = now if answer.ok else None
    session.add(row)
    session.flush()
    return row


def run_worker_forever(stop_after_s: float | None = None) -> None:  # pragma: no cover - used by benches
    started = time.monotonic()
    while stop_after_s is None or time.monotonic() - started < stop_after_s:
        if not deliver_due():
            time.sleep(0.2)


__all__ = ["Answer", "backoff", "deliver_due", "send", "send_test", "signature"]
