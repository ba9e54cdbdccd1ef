"""Issue 16: the agents' digest mail follows its reader's language, dates included."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import User
from helpdesk.domain.mail import OutboxMail
from helpdesk.infra.db import session_scope
from helpdesk.services import tickets
from helpdesk.services.inbound import addresses, agent_notify, receive
from tests.support.mailbuild import build
from tests.unit.test_inbound import world  # noqa: F401

AT = datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc)  # 11:00 in Madrid, the team's default zone

EXPECTED = {
    "es": ("Respuesta del cliente", "5 dic 2026, 11:00", "Responde a este correo", ("Customer reply", "Reply to this mail")),
    "en": ("Customer reply", "Dec 5, 2026, 11:00", "Reply to this mail", ("Respuesta", "Responde", "dic")),
}


@pytest.mark.parametrize("locale", ["es", "en"])
def test_the_digest_is_in_the_agents_language_with_local_dates(world, locale):  # noqa: F811
    label, when, hint, foreign = EXPECTED[locale]
    number = world["ticket"].number
    with session_scope() as s:
        s.get(User, world["agent"].id).locale = locale  # as the language switch stores it
        agent_notify.collect(s)  # the ticket's creation: no mail for that by default
        tickets.assign(s, world["agent"], number, world["agent"].id)
    assert receive(build(to=addresses.reply_address(number), body="Sigue igual.", message_id="<d1@x.test>")).outcome == "message"
    with session_scope() as s:
        assert agent_notify.collect(s, now=AT) == 1
        assert agent_notify.send_digests(s, AT + timedelta(minutes=5)) == 1
    with session_scope() as s:
        [digest] = s.exec(select(OutboxMail).where(OutboxMail.to_email == "agente@x.test")).all()
    body = digest.text_body
    assert f"- {label} ({when}" in body
    assert hint in body and f"Ticket #{number}: No puedo llamar" in body
    assert not any(word in body for word in foreign)
