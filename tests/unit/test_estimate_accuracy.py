"""The first-reply estimate is kept at creation (every channel) and the dashboard's report of how
often it came true counts on-time, late, unanswered-past-estimate, and skips pending ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.estimate_record import TicketEstimate
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, estimate_accuracy, seed, tickets
from helpdesk.services.errors import PermissionDenied
from helpdesk.services.inbound import receive
from tests.support.mailbuild import build


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.delenv("HELPDESK_SUPPORT_ADDRESS", raising=False)
    monkeypatch.delenv("HELPDESK_INBOUND_NEW", raising=False)
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        customer = accounts.create_user(s, email="ana@x.test", password="password-123", name="Ana")
        agent = accounts.create_user(s, email="agente@x.test", password="password-123", name="Agente", role=Role.AGENT)
        service_id = s.exec(select(Service.id)).first()
    return {"customer": customer, "agent": agent, "service": service_id}


def _draft(world, subject="Sin línea"):
    return tickets.TicketDraft(subject=subject, description="No hay tono desde ayer por la tarde.", category="anomalia",
                               service_id=world["service"])


def _mailed_and_stored(s, ticket_id: int) -> tuple[str, TicketEstimate]:
    body = s.exec(select(OutboxMail.text_body).where(OutboxMail.ticket_id == ticket_id)).first()
    return body, s.get(TicketEstimate, ticket_id)


def test_the_mailed_estimate_is_stored_for_form_and_mail_tickets(world):
    with session_scope() as s:
        form = tickets.create_ticket(s, world["customer"], _draft(world), submission_key="k-1")
        form_id = form.id
    assert receive(build(sender="ana@x.test", subject="El router no enciende", quoted=False)).outcome == "ticket"
    with session_scope() as s:
        mailed_id = s.exec(select(Ticket.id).where(Ticket.subject == "El router no enciende")).one()
        for ticket_id in (form_id, mailed_id):
            body, row = _mailed_and_stored(s, ticket_id)
            ticket = s.get(Ticket, ticket_id)
            assert row is not None and row.created_at == ticket.created_at
            assert row.expected_at > ticket.created_at
            # The customer read exactly this time in the confirmation mail.
            assert i18n.full_datetime(row.expected_at, ticket.locale) in body


def _ticket(s, world, opened, expected_in, answered_in=None, priority=None):
    """A ticket opened at `opened`, estimated `expected_in` later, answered `answered_in` later."""
    ticket = tickets.create_ticket(s, world["customer"], _draft(world), now=opened)
    s.get(TicketEstimate, ticket.id).expected_at = opened + expected_in
    if answered_in is not None:
        tickets.add_message(s, world["agent"], ticket.number, "Hola, lo miramos.", now=opened + answered_in)
    if priority is not None:
        ticket.priority = priority
    s.flush()
    return ticket


def test_on_time_late_unanswered_pending_and_no_estimate(world):
    now = utcnow()
    h = lambda n: timedelta(hours=n)  # noqa: E731
    with session_scope() as s:
        # on time: answered 30 min before the estimate; another exactly at it
        _ticket(s, world, now - h(10), h(2), h(1.5), priority="high")
        _ticket(s, world, now - h(10), h(2), h(2), priority="high")
        # late: answered 90 min after the estimate
        _ticket(s, world, now - h(10), h(1), h(2.5))
        # unanswered and 3 h past the estimate: late by the wait so far
        _ticket(s, world, now - h(5), h(2), priority="urgent")
        # still pending, estimate ahead: not counted yet
        _ticket(s, world, now - h(1), h(4))
        # no stored estimate (opened before it was kept): never counted
        old = _ticket(s, world, now - h(6), h(1), h(3))
        s.delete(s.get(TicketEstimate, old.id))
        # outside the period
        _ticket(s, world, now - timedelta(days=9), h(1), h(5))
    with session_scope() as s:
        acc = estimate_accuracy.accuracy(s, world["agent"], days=7, now=now)
        with pytest.raises(PermissionDenied):
            estimate_accuracy.accuracy(s, world["customer"], days=7, now=now)
    o = acc.overall
    assert (o.kept, o.late, o.unanswered, o.total) == (2, 2, 1, 4)
    assert o.share_kept == 50.0
    # deltas -30, 0, +90, +180 minutes: nearest-rank median is 0, p90 is 180
    assert (o.median_minutes, o.p90_minutes) == (0.0, 180.0)
    assert list(acc.by_priority) == ["urgent", "high", "none"]
    assert (acc.by_priority["high"].kept, acc.by_priority["high"].late) == (2, 0)
    assert (acc.by_priority["urgent"].unanswered, acc.by_priority["none"].late) == (1, 1)
    assert dict(acc.buckets) == {"early_over_1h": 0, "early_within_1h": 2, "late_within_1h": 0, "late_1_4h": 2,
                                 "late_over_4h": 0}


def test_nothing_known_yet_gives_empty_figures(world):
    now = utcnow()
    with session_scope() as s:
        _ticket(s, world, now - timedelta(minutes=5), timedelta(hours=3))
    with session_scope() as s:
        acc = estimate_accuracy.accuracy(s, world["agent"], days=30, now=now)
    assert acc.overall.total == 0 and acc.overall.share_kept is None and acc.overall.median_minutes is None
    assert acc.by_priority == {} and sum(n for _, n in acc.buckets) == 0


def test_card_texts_in_both_languages():
    from helpdesk.services.estimate_accuracy import Accuracy, Figures
    from helpdesk.web.pages.agent_dashboard import estimates_view

    def of(outcomes):
        f = Figures()
        for minute, answered in outcomes:
            f.add(minute, answered, minute <= 0)
        return f

    overall = of([(-30, True), (0, True), (90, True), (180, False), (-5, True), (-150, True)])
    high = Figures(kept=2, late=1)
    acc = Accuracy(days=30, overall=overall, by_priority={"high": high, "none": Figures(kept=1)},
                   buckets=[("early_over_1h", 1), ("early_within_1h", 3), ("late_within_1h", 0), ("late_1_4h", 2),
                            ("late_over_4h", 0)])
    es = estimates_view.fields(acc, "es")
    assert es["est_share"] == "66,7\u00a0%"
    assert es["est_counts"] == "4 de 6 tickets respondidos a tiempo"
    assert es["est_late"] == "2 tarde · 1 sigue sin respuesta"
    assert (es["est_median"], es["est_p90"]) == ("5 min antes", "3 h tarde")
    assert [(r.label, r.share, r.value, r.counts) for r in es["est_rows"]] == [
        ("Alta", "66,7\u00a0%", 67, "2 de 3"), ("Sin prioridad", "100\u00a0%", 100, "1 de 1")]
    assert es["est_buckets"][1] == {"name": "Hasta 1 h antes", "early": 3, "late": 0}
    assert es["est_buckets"][3] == {"name": "1–4 h tarde", "early": 0, "late": 2}
    one = of([(0, True)])
    en = estimates_view.fields(Accuracy(days=7, overall=one, by_priority={}, buckets=[]), "en")
    assert (en["est_share"], en["est_counts"], en["est_median"]) == ("100%", "1 of 1 ticket answered on time", "right on time")
