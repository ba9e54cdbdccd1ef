"""Ticket mail that did not arrive: one history entry when the outbox gives a mail up for good,
and the agent's warning (issue 13 §6, issue 16)."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Ticket, TicketEvent
from helpdesk.infra.db import session_scope
from helpdesk.services import mail, mail_failures
from helpdesk.services.errors import PermissionDenied
from helpdesk.services.inbound import receive
from tests.support.mailbuild import dsn
from tests.unit.test_inbound import world  # noqa: F401
from tests.unit.test_mail import Sink, free_port, queue, start_server, use_smtp


def _events(kind: str = "mail_failed") -> list[TicketEvent]:
    with session_scope() as s:
        return list(s.exec(select(TicketEvent).where(TicketEvent.kind == kind).order_by(TicketEvent.id)).all())


def _row(to: str = "ana@x.test") -> OutboxMail:
    with session_scope() as s:
        return s.exec(select(OutboxMail).where(OutboxMail.to_email == to).order_by(OutboxMail.id)).all()[-1]


@pytest.fixture
def refusing(monkeypatch):
    controller, port = start_server(Sink(reject_rcpt=True))
    use_smtp(monkeypatch, port)
    yield
    controller.stop()


def _unresolved(world, actor_key: str = "agent") -> list[mail_failures.Failure]:  # noqa: F811
    with session_scope() as s:
        ticket = s.get(Ticket, world["ticket"].id)
        return mail_failures.unresolved(s, world[actor_key], ticket)


# --- the history entry ---------------------------------------------------------------------


def test_a_permanent_refusal_marks_the_ticket_once(world, refusing):  # noqa: F811
    assert mail.deliver_pending() == 0  # the ticket's confirmation to ana, refused with 550
    row = _row()
    assert (row.status, row.attempts) == ("failed", 1)
    [event] = _events()
    assert (event.ticket_id, event.to_value, event.actor_id) == (world["ticket"].id, "ana@x.test", None)
    assert event.from_value == "rejected:550 5.1.1 No such user"
    # Later rounds find nothing due: the mail is not retried and the ticket is not marked again.
    assert mail.deliver_pending(now=utcnow() + timedelta(days=1)) == 0
    assert len(_events()) == 1


def test_a_transient_failure_marks_nothing_until_the_outbox_gives_up(world, monkeypatch):  # noqa: F811
    use_smtp(monkeypatch, free_port())  # nothing listens there: every attempt fails, none for good
    now = utcnow()
    for attempt in range(1, mail.MAX_ATTEMPTS):
        mail.deliver_pending(now=now)
        assert (_row().status, _row().attempts) == ("queued", attempt)
        assert _events() == []
        now = _row().next_attempt_at
    mail.deliver_pending(now=now)
    assert _row().status == "failed"
    [event] = _events()
    why, reason = mail_failures.why_and_reason(event)
    assert why == "gave_up" and reason.startswith("ConnectionRefusedError")
    assert event.created_at == now  # the moment it was given up, as the outbox row says


def test_a_late_worker_whose_claim_lapsed_cannot_mark_the_ticket_again(world):  # noqa: F811
    """Two workers held the same mail (the first one's lease lapsed mid-send); both fail it."""
    row = _row()
    now = utcnow()
    first = mail._claim(session_scope, row.id, now)
    later = now + mail.LEASE + timedelta(seconds=1)
    second = mail._claim(session_scope, row.id, later)
    refused = smtplib.SMTPRecipientsRefused({"ana@x.test": (550, b"5.1.1 No such user")})
    mail._record_failure(session_scope, second, refused, later)
    mail._record_failure(session_scope, first, refused, now)  # its update matches no lease: nothing
    assert _row().status == "failed"
    assert len(_events()) == 1


def test_a_mail_without_ticket_fails_without_marking_anything(world, refusing):  # noqa: F811
    with session_scope() as s:
        s.exec(select(OutboxMail)).one().status = "sent"  # the ticket's confirmation is out of the way
        queue(s, "welcome:luis", to="luis@x.test")
    mail.deliver_pending()
    assert _row("luis@x.test").status == "failed"
    assert _events() == []


def test_the_reason_is_the_servers_answer_in_short_never_the_transcript():
    multi = smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"5.1.1 The email account does not exist.\n5.1.1 Please check "
                                                               + b"x" * 2000)})
    assert mail_failures.short_reason(multi) == "550 5.1.1 The email account does not exist."
    long = smtplib.SMTPDataError(554, "5.7.1 " + "rejected " * 100)
    assert len(mail_failures.short_reason(long)) == mail_failures.MAX_REASON
    assert mail_failures.short_reason(long).startswith("554 5.7.1 rejected") and mail_failures.short_reason(long).endswith("…")
    assert mail_failures.short_reason(ConnectionRefusedError(111, "Connection refused")) == \
        "ConnectionRefusedError: [Errno 111] Connection refused"


def test_an_address_the_server_cannot_take_is_not_retried():
    # Raised by smtp_client when an international address meets a server without SMTPUTF8.
    assert mail._is_permanent(smtplib.SMTPNotSupportedError("one of the addresses needs SMTPUTF8"))
    assert not mail._is_permanent(smtplib.SMTPServerDisconnected("gone"))


# --- what the agent is warned about --------------------------------------------------------


def test_the_warning_names_address_reason_and_goes_once_a_later_mail_arrives(world, refusing, monkeypatch):  # noqa: F811
    mail.deliver_pending()
    [failure] = _unresolved(world)
    assert (failure.address, failure.why, failure.reason) == ("ana@x.test", "rejected", "550 5.1.1 No such user")
    # The address works again (say the customer's mailbox was full): a later mail is delivered.
    sink = Sink()
    controller, port = start_server(sink)
    try:
        use_smtp(monkeypatch, port)
        with session_scope() as s:
            queue(s, "later:ana", to="ana@x.test", ticket_id=world["ticket"].id)
            queue(s, "later:bob", to="bob@x.test", ticket_id=world["ticket"].id)
        assert mail.deliver_pending(now=utcnow() + timedelta(minutes=5)) == 2
    finally:
        controller.stop()
    assert _unresolved(world) == []
    assert len(_events()) == 1  # the history keeps what happened


def test_a_delivery_to_someone_else_or_before_the_failure_does_not_hide_it(world, monkeypatch):  # noqa: F811
    sink = Sink()
    controller, port = start_server(sink)
    try:
        use_smtp(monkeypatch, port)
        assert mail.deliver_pending() == 1  # the confirmation reached ana
    finally:
        controller.stop()
    with session_scope() as s:
        queue(s, "cc:bob", to="bob@x.test", ticket_id=world["ticket"].id)
        queue(s, "reply:ana", to="ana@x.test", ticket_id=world["ticket"].id)
    controller, port = start_server(Sink(reject_rcpt=True))
    try:
        use_smtp(monkeypatch, port)
        mail.deliver_pending(now=utcnow() + timedelta(minutes=1))
    finally:
        controller.stop()
    assert {f.address for f in _unresolved(world)} == {"ana@x.test", "bob@x.test"}


def test_a_bounce_is_shown_and_several_failures_of_one_address_read_as_one(world):  # noqa: F811
    row = _row()
    with session_scope() as s:
        mail_failures.record_failure(s, world["ticket"].id, "ana@x.test", "gave_up", "TimeoutError: timed out",
                                     utcnow() - timedelta(hours=1))
    original = mail._build_message(mail._Claimed(row.id, row.idempotency_key, row.to_email, row.subject, row.text_body,
                                                 "", 0, row.next_attempt_at, ticket_number=world["ticket"].number), utcnow())
    assert receive(dsn(original.as_bytes()), envelope_from="").outcome == "bounce"
    [failure] = _unresolved(world)
    assert (failure.address, failure.why, failure.reason) == ("ana@x.test", "bounced", "")


def test_only_staff_read_the_warnings(world):  # noqa: F811
    with pytest.raises(PermissionDenied):
        _unresolved(world, "ana")
