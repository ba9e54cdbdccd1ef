"""Webhooks against a real local HTTP receiver: signature, order, retries, rollback, privacy."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.integrations import DELIVERED, FAILED, PENDING, WebhookDelivery, WebhookEndpoint
from helpdesk.domain.mail import OutboxMail
from helpdesk.infra.db import session_scope
from helpdesk.services import csat, tickets, webhook_delivery, webhooks
from helpdesk.services.errors import ValidationError
from tests.support.api_world import build_world
from tests.support.receiver import Receiver

SECRET = "s3cret-for-the-tests-0123456789"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def world(db, monkeypatch, receiver):
    monkeypatch.setenv("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    w = build_world()
    with session_scope() as s:
        endpoint, _ = webhooks.add_endpoint(s, w["users"]["admin"], url=receiver.url, secret=SECRET,
                                            events="ticket.created,ticket.updated,message.created,csat.received")
        w["endpoint_id"] = endpoint.id
    return w


def _draft(s, subject="No puedo llamar"):
    from helpdesk.domain.catalog import Service

    return tickets.TicketDraft(subject=subject, description="Desde esta mañana no salen llamadas.", category="anomalia",
                               service_id=s.exec(select(Service.id)).first())


def test_signed_json_posts_in_order_with_the_contract_headers(world, receiver):
    with session_scope() as s:
        number = tickets.create_ticket(s, world["users"]["customer"], _draft(s)).number
    with session_scope() as s:
        tickets.add_message(s, world["users"]["agent"], number, "Lo revisamos ahora mismo.")
    with session_scope() as s:
        tickets.set_priority(s, world["users"]["agent"], number, "high")
    webhook_delivery.deliver_due()
    got = receiver.delivered()
    assert [r["headers"]["x-helpdesk-event"] for r in got] == ["ticket.created", "message.created", "ticket.updated", "ticket.updated"]
    for r in got:
        expected = "sha256=" + hmac.new(SECRET.encode(), r["raw"], hashlib.sha256).hexdigest()
        assert r["headers"]["x-helpdesk-signature"] == expected
        assert r["headers"]["content-type"] == "application/json"
        assert r["json"]["event"] == r["headers"]["x-helpdesk-event"]
        assert r["json"]["data"]["ticket"]["number"] == number
    assert len({r["headers"]["x-helpdesk-delivery"] for r in got}) == len(got)
    assert got[0]["json"]["data"]["description"].startswith("Desde esta mañana")
    assert got[1]["json"]["data"]["message"]["body"] == "Lo revisamos ahora mismo."
    # The agent's reply opened the ticket; then the priority changed: each announced with from -> to.
    assert {"field": "status", "from": "new", "to": "open"} in got[2]["json"]["data"]["changes"]
    assert got[3]["json"]["data"]["changes"] == [{"field": "priority", "from": None, "to": "high"}]


def test_rolled_back_change_sends_nothing(world, receiver):
    with pytest.raises(RuntimeError), session_scope() as s:
        tickets.create_ticket(s, world["users"]["customer"], _draft(s))
        raise RuntimeError("crash before commit")
    with session_scope() as s:
        assert s.exec(select(WebhookDelivery)).all() == []
    assert webhook_delivery.deliver_due() == 0
    assert receiver.requests == []


def test_internal_notes_never_leave(world, receiver):
    with session_scope() as s:
        tickets.add_message(s, world["users"]["agent"], world["ticket"], "SECRETO: nota interna del equipo", internal=True)
        tickets.add_message(s, world["users"]["customer"], world["ticket"], "¿Alguna novedad?")
    webhook_delivery.deliver_due()
    assert [r["json"]["event"] for r in receiver.requests] == ["message.created"]
    for r in receiver.requests:
        assert b"SECRETO" not in r["raw"] and b"cliente moroso" not in r["raw"]


def test_a_500_is_retried_later_and_holds_the_queue_in_order(world, receiver):
    receiver.statuses = [500]
    with session_scope() as s:
        first = tickets.create_ticket(s, world["users"]["customer"], _draft(s, "Primero")).number
    with session_scope() as s:
        second = tickets.create_ticket(s, world["users"]["customer"], _draft(s, "Segundo, otro tema distinto")).number
    assert webhook_delivery.deliver_due() == 1  # the first failed; the second waits behind it
    assert [r["answered"] for r in receiver.requests] == [500]
    assert webhook_delivery.deliver_due() == 0  # not yet due again
    later = utcnow() + timedelta(seconds=31)
    assert webhook_delivery.deliver_due(clock=lambda: later) == 2
    numbers = [r["json"]["data"]["ticket"]["number"] for r in receiver.requests]
    assert numbers == [first, first, second]
    assert receiver.requests[0]["headers"]["x-helpdesk-delivery"] == receiver.requests[1]["headers"]["x-helpdesk-delivery"]
    with session_scope() as s:
        rows = s.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        assert [(r.state, r.attempts) for r in rows] == [(DELIVERED, 2), (DELIVERED, 1)]
        assert rows[0].last_status == 200 and rows[0].last_duration_ms is not None


def test_backoff_doubles_and_gives_up_after_a_day(world, receiver):
    assert [webhook_delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert webhook_delivery.backoff(30) == timedelta(hours=6)
    receiver.statuses = [503] * 3
    with session_scope() as s:
        tickets.create_ticket(s, world["users"]["customer"], _draft(s))
    tomorrow = utcnow() + timedelta(hours=25)
    webhook_delivery.deliver_due(clock=lambda: tomorrow)
    with session_scope() as s:
        (row,) = s.exec(select(WebhookDelivery)).all()
        assert row.state == FAILED and row.last_status == 503


def test_endpoint_that_keeps_failing_is_paused_and_admins_are_told(world, receiver, monkeypatch):
    monkeypatch.setattr(webhook_delivery, "PAUSE_AFTER_FAILURES", 3)
    receiver.statuses = [500] * 10
    with session_scope() as s:
        tickets.create_ticket(s, world["users"]["customer"], _draft(s))
    t = utcnow()
    for _ in range(5):
        t += timedelta(hours=1)
        webhook_delivery.deliver_due(clock=lambda t=t: t)
    assert len(receiver.requests) == 3
    with session_scope() as s:
        endpoint = s.get(WebhookEndpoint, world["endpoint_id"])
        assert endpoint.paused_at is not None
        mails = s.exec(select(OutboxMail).where(OutboxMail.to_email == "admin@x.test")).all()
        assert any("pausa" in m.subject for m in mails)
        webhooks.resume(s, world["users"]["admin"], endpoint.id)
    receiver.statuses = []
    webhook_delivery.deliver_due()
    assert receiver.requests[-1]["answered"] == 200


def test_csat_is_announced(world, receiver):
    with session_scope() as s:
        tickets.change_status(s, world["users"]["agent"], world["ticket"], "solved")
    with session_scope() as s:
        csat.rate_as_user(s, world["users"]["customer"], world["ticket"], "good", "Muy rápidos")
    webhook_delivery.deliver_due()
    events = [r["json"]["event"] for r in receiver.requests]
    assert events == ["ticket.updated", "csat.received"]
    assert receiver.requests[1]["json"]["data"]["csat"]["rating"] == "good"


def test_only_subscribed_events_are_queued(world, receiver):
    with session_scope() as s:
        endpoint = s.get(WebhookEndpoint, world["endpoint_id"])
        endpoint.events = "ticket.created"
    with session_scope() as s:
        tickets.add_message(s, world["users"]["customer"], world["ticket"], "Otra cosa más que contar")
        tickets.create_ticket(s, world["users"]["customer"], _draft(s))
    with session_scope() as s:
        assert [d.event for d in s.exec(select(WebhookDelivery)).all()] == ["ticket.created"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/x", "http://192.168.1.1/",
                                 "http://169.254.169.254/latest", "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "ftp://example.com/x",
                                 "notaurl"])
def test_private_and_odd_urls_are_refused(db, monkeypatch, url):
    monkeypatch.delenv("HELPDESK_WEBHOOK_ALLOW_PRIVATE", raising=False)
    with session_scope() as s, pytest.raises(ValidationError) as err:
        webhooks.add_endpoint(s, None, url=url, events="ticket.created", trusted=True)
    assert err.value.errors["url"] in ("webhooks.url_private", "webhooks.url_invalid")


def test_admin_test_ping_and_redeliver(world, receiver):
    with session_scope() as s:
        row = webhook_delivery.send_test(s, world["users"]["admin"], world["endpoint_id"])
        assert row.state == DELIVERED and row.last_status == 200
    assert receiver.requests[-1]["json"]["event"] == "ping"
    with session_scope() as s:
        again = webhooks.redeliver(s, world["users"]["admin"], row.id)
        assert again.state == PENDING and again.delivery_uuid != row.delivery_uuid
    webhook_delivery.deliver_due()
    assert [r["json"]["event"] for r in receiver.requests] == ["ping", "ping"]
    with session_scope() as s:
        log = webhooks.deliveries(s, world["users"]["admin"])
        assert {d.state for d in log} == {DELIVERED}


def test_only_admins_manage_webhooks(world, receiver):
    from helpdesk.services.errors import PermissionDenied

    for who in ("agent", "customer"):
        with session_scope() as s, pytest.raises(PermissionDenied):
            webhooks.add_endpoint(s, world["users"][who], url=receiver.url + "2", events="ticket.created")
        with session_scope() as s, pytest.raises(PermissionDenied):
            webhooks.list_endpoints(s, world["users"][who])


def test_cli_add_and_remove(db, monkeypatch, receiver, capsys):
    from helpdesk import cli

    monkeypatch.delenv("HELPDESK_WEBHOOK_ALLOW_PRIVATE", raising=False)
    assert cli.main(["webhook", "add", "--url", receiver.url, "--events", "ticket.created"]) == 2
    monkeypatch.setenv("HELPDESK_WEBHOOK_ALLOW_PRIVATE", "1")
    assert cli.main(["webhook", "add", "--url", receiver.url, "--events", "ticket.created,message.created", "--secret", SECRET]) == 0
    assert cli.main(["webhook", "add", "--url", receiver.url + "x", "--events", "nope"]) == 2
    with session_scope() as s:
        (endpoint,) = s.exec(select(WebhookEndpoint)).all()
        assert endpoint.events == "ticket.created,message.created" and endpoint.secret == SECRET
    assert cli.main(["webhook", "remove", "--url", receiver.url]) == 0
    with session_scope() as s:
        assert s.exec(select(WebhookEndpoint)).all() == []
