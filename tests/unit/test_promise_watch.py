"""Slipping promises: the assignee (or the team) hears once per ticket, deadline and stage, by mail
through the outbox, and only agents who keep the "deadline" choice."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.inbound import AgentNotice
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.promise_watch import PromiseNotice
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, promise_watch, seed, tickets
from helpdesk.services.inbound import agent_notify

MADRID = ZoneInfo("Europe/Madrid")


def mad(*a):
    return datetime(*a, tzinfo=MADRID)


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía"))
        s.flush()
        ids = {"service": s.exec(select(Service.id)).first()}
        for key, spec in {"customer": dict(email="c@x.test", name="C"), "agent": dict(email="a@x.test", name="A", role=Role.AGENT),
                          "quiet": dict(email="q@x.test", name="Q", role=Role.AGENT),
                          "admin": dict(email="ad@x.test", name="Ad", role=Role.ADMIN)}.items():
            ids[key] = accounts.create_user(s, password="password-123", **spec).id
        agent_notify.save_prefs(s, s.get(accounts.User, ids["quiet"]), {"sla": False})
        # Monday 10:00, a medium consulta: first answer due after 8 business hours.
        t = tickets.create_ticket(s, s.get(accounts.User, ids["customer"]), tickets.TicketDraft(
            subject="Duda con la factura", description="No entiendo un cargo de la factura", category="consulta",
            service_id=ids["service"]), now=mad(2026, 3, 2, 10))
        ids["number"], ids["ticket"] = t.number, t.id
    return ids


def notices():
    with session_scope() as s:
        return [(n.user_id, n.kind) for n in s.exec(select(AgentNotice).where(AgentNotice.kind.like("sla_%"))).all()]


def test_close_then_missed_once_each_to_the_team_then_the_assignee(world):
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 13)) == 0
    # 6.5 of 8 business hours: past 80 %. Unassigned: the team hears, except the agent who opted out.
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 16, 30)) == 1
    assert sorted(notices()) == sorted([(world["agent"], "sla_close"), (world["admin"], "sla_close")])
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 16, 45)) == 0  # a second pass tells nothing
    assert len(notices()) == 2
    with session_scope() as s:
        tickets.assign(s, s.get(accounts.User, world["admin"]), world["number"], world["agent"], now=mad(2026, 3, 2, 17))
    assert promise_watch.run_pass(now=mad(2026, 3, 3, 10)) == 1  # missed: the assignee alone
    assert notices().count((world["agent"], "sla_missed")) == 1 and len(notices()) == 3
    assert promise_watch.run_pass(now=mad(2026, 3, 3, 11)) == 0
    with session_scope() as s:
        assert len(s.exec(select(PromiseNotice)).all()) == 2


def test_the_digest_mails_them_through_the_outbox_and_a_second_pass_sends_nothing(world):
    promise_watch.run_pass(now=mad(2026, 3, 2, 16, 30))
    later = mad(2026, 3, 2, 16, 30) + agent_notify.DIGEST_QUIET + timedelta(seconds=1)
    with session_scope() as s:
        assert agent_notify.send_digests(s, now=later) == 2
    with session_scope() as s:
        mails = s.exec(select(OutboxMail).where(OutboxMail.to_email.in_(["a@x.test", "ad@x.test"]))).all()
        assert len(mails) == 2
        assert all("Vencimiento próximo: la primera respuesta vence" in m.text_body and "80 %" in m.text_body for m in mails)
        before = len(s.exec(select(OutboxMail)).all())
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 16, 50)) == 0
    with session_scope() as s:
        assert agent_notify.send_digests(s, now=later + timedelta(minutes=10)) == 0
        assert len(s.exec(select(OutboxMail)).all()) == before


def test_two_workers_racing_tell_once(world):
    with session_scope() as s:
        todo = promise_watch.due(s, mad(2026, 3, 2, 16, 30))
    assert todo == [("first_response", "close", world["ticket"])]
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 16, 30)) == 1
    with pytest.raises(IntegrityError):  # the slower worker, with the same list, stops at the unique row
        with session_scope() as s:
            promise_watch._tell(s, "first_response", "close", world["ticket"], mad(2026, 3, 2, 16, 31))
    assert len(notices()) == 2


def test_a_deadline_first_seen_missed_is_told_as_missed_only(world):
    assert promise_watch.run_pass(now=mad(2026, 3, 3, 10)) == 1
    assert {k for _, k in notices()} == {"sla_missed"}
    assert promise_watch.run_pass(now=mad(2026, 3, 3, 11)) == 0


def test_a_deadline_missed_long_before_the_watch_saw_it_is_recorded_without_mail(world):
    assert promise_watch.run_pass(now=mad(2026, 3, 6, 10)) == 0  # missed on Monday evening: stale news
    assert notices() == []
    with session_scope() as s:
        assert {(n.deadline, n.stage) for n in s.exec(select(PromiseNotice)).all()} >= {("first_response", "missed")}
    assert promise_watch.run_pass(now=mad(2026, 3, 6, 11)) == 0


def test_an_assignee_who_opted_out_gets_nothing(world):
    with session_scope() as s:
        tickets.assign(s, s.get(accounts.User, world["admin"]), world["number"], world["quiet"], now=mad(2026, 3, 2, 11))
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 16, 30)) == 1
    assert notices() == []


def _customer_mails():
    with session_scope() as s:
        return [(m.subject, m.text_body) for m in s.exec(select(OutboxMail).where(OutboxMail.to_email == "c@x.test")
                                                             .order_by(OutboxMail.id)).all() if "tardar" in m.subject]


def test_the_customer_hears_once_with_a_new_estimate_when_the_first_answer_will_be_late(world):
    # No pace on record: the estimate is a full target from now, well past the deadline.
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 16, 30)) == 1
    mails = _customer_mails()
    assert len(mails) == 1
    subject, body = mails[0]
    assert subject.startswith(f"[#{world['number']}]") and "Nueva previsión:" in body and "no pierde su turno" in body
    assert "?k=" in body  # the ticket link works without signing in
    assert promise_watch.run_pass(now=mad(2026, 3, 3, 10)) == 1  # missed: agents hear again ...
    assert len(_customer_mails()) == 1  # ... the customer does not


def test_no_customer_mail_while_the_estimate_still_keeps_the_promise(world, monkeypatch):
    from helpdesk.services import estimates

    def on_time(session, **kw):  # a fast team: the queue says the answer comes before the deadline
        return estimates.Estimate(expected_at=mad(2026, 3, 2, 17, 0), ahead=0, notice=None)

    monkeypatch.setattr(estimates, "estimate", on_time)
    assert promise_watch.run_pass(now=mad(2026, 3, 2, 16, 30)) == 1
    assert _customer_mails() == []
    assert promise_watch.run_pass(now=mad(2026, 3, 3, 10)) == 1  # then it was missed after all: now they hear
    assert len(_customer_mails()) == 1
