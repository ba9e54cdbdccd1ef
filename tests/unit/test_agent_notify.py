"""Agents told by mail: notices from ticket history, one digest mail per ticket."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.mail import OutboxMail
from helpdesk.infra.db import session_scope
from helpdesk.services import tickets
from helpdesk.services.inbound import addresses, agent_notify, receive
from tests.support.mailbuild import build
from tests.unit.test_inbound import world  # noqa: F401


def test_assignment_and_customer_replies_arrive_as_one_digest(world):  # noqa: F811
    number = world["ticket"].number
    with session_scope() as s:
        agent_notify.collect(s)  # the ticket's creation: new-ticket mails are off by default
    with session_scope() as s:
        tickets.assign(s, world["agent"], number, world["agent"].id)
    assert receive(build(to=addresses.reply_address(number), body="Uno.", message_id="<n1@x.test>")).outcome == "message"
    assert receive(build(to=addresses.reply_address(number), body="Dos.", message_id="<n2@x.test>")).outcome == "message"
    with session_scope() as s:
        assert agent_notify.collect(s) == 2  # two replies; assigning yourself is no news
        assert agent_notify.send_digests(s) == 0  # still within the quiet time
    with session_scope() as s:
        assert agent_notify.send_digests(s, utcnow() + timedelta(minutes=5)) == 1
    with session_scope() as s:
        mails = s.exec(select(OutboxMail).where(OutboxMail.to_email == "agente@x.test")).all()
    assert len(mails) == 1 and mails[0].text_body.count("Respuesta del cliente") == 2
    assert mails[0].ticket_id == world["ticket"].id  # so it carries the ticket's signed Reply-To
