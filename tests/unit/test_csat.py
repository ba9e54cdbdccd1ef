"""Satisfaction survey rules: one answer per solve round, by the requester or the mail link."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import SatisfactionRating
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, csat, links, seed, tickets
from helpdesk.services.errors import NotFound, ServiceError, ValidationError


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Telefonía", name_en="Telephony"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", name=email.split("@")[0], **kw)  # noqa: E731
        people = {"ana": mk("ana@x.test"), "bob": mk("bob@x.test"), "agent": mk("agente@x.test", role=Role.AGENT),
                  "boss": mk("jefa@acme.test", org_name="Acme", org_admin=True), "worker": mk("obrero@acme.test", org_name="Acme")}
        service = s.exec(select(Service.id)).first()
        draft = tickets.TicketDraft(subject="Sin línea", description="No funciona nada desde ayer.", category="anomalia", service_id=service)
        number = tickets.create_ticket(s, people["ana"], draft).number
        wnumber = tickets.create_ticket(s, people["worker"], draft).number
    return {"number": number, "wnumber": wnumber, **people}


def _solve(world, number=None):
    with session_scope() as s:
        tickets.change_status(s, world["agent"], number or world["number"], "solved")


def _ratings():
    with session_scope() as s:
        return [(r.solve_round, r.rating, r.comment) for r in s.exec(select(SatisfactionRating).order_by(SatisfactionRating.id)).all()]


def test_no_survey_until_solved(world):
    with session_scope() as s:
        t = tickets.get_ticket(s, world["ana"], world["number"])
        assert csat.current_survey(s, t) is None
        with pytest.raises(ServiceError) as err:
            csat.rate_as_user(s, world["ana"], world["number"], "good")
    assert err.value.code == "customer.csat_round_over"


def test_requester_rates_once_then_only_the_comment_changes(world):
    _solve(world)
    with session_scope() as s:
        csat.rate_as_user(s, world["ana"], world["number"], "good")
    with session_scope() as s:
        csat.rate_as_user(s, world["ana"], world["number"], "bad", "Tardaron un poco")
    assert _ratings() == [(1, "good", "Tardaron un poco")]
    with pytest.raises(ServiceError) as err, session_scope() as s:
        csat.rate_as_user(s, world["ana"], world["number"], "bad")
    assert err.value.code == "customer.csat_already"
    with pytest.raises(ValidationError), session_scope() as s:
        csat.rate_as_user(s, world["ana"], world["number"], "excellent")
    with session_scope() as s:
        t = tickets.get_ticket(s, world["ana"], world["number"])
        assert csat.current_survey(s, t) == csat.Survey(1, "good", "Tardaron un poco")


def test_only_the_requester_answers(world):
    _solve(world, world["wnumber"])
    for who, number in (("bob", world["number"]), ("agent", world["wnumber"]), ("boss", world["wnumber"])):
        with pytest.raises(NotFound), session_scope() as s:
            csat.rate_as_user(s, world[who], number, "bad")
    assert _ratings() == []


def test_mail_link_rates_without_signing_in_for_its_round_only(world):
    _solve(world)
    with session_scope() as s:
        mail = s.exec(select(OutboxMail).where(OutboxMail.idempotency_key.startswith("solved:"))).one()
    token = mail.text_body.split("csat=")[1].split("&")[0]
    with session_scope() as s:
        csat.rate_with_token(s, token, "bad")
    with session_scope() as s:
        csat.comment_with_token(s, token, "No me llamaron")
    assert _ratings() == [(1, "bad", "No me llamaron")]
    # Reopened and solved again: the old link no longer answers the new round.
    with session_scope() as s:
        tickets.reopen(s, world["ana"], world["number"])
    with pytest.raises(ServiceError) as err, session_scope() as s:
        csat.rate_with_token(s, token, "good")
    assert err.value.code == "customer.csat_round_over"
    _solve(world)
    with pytest.raises(ServiceError), session_scope() as s:
        csat.rate_with_token(s, token, "good")
    with session_scope() as s:
        csat.rate_with_token(s, links.csat_token(world["number"], "ana@x.test", 2), "good")
    assert _ratings() == [(1, "bad", "No me llamaron"), (2, "good", "")]


def test_forged_or_foreign_tokens_are_refused(world):
    _solve(world)
    for token in ("", "nope", links.csat_token(world["number"], "bob@x.test", 1),
                  links.ticket_link_token(world["number"], "ana@x.test")):
        with pytest.raises(NotFound), session_scope() as s:
            csat.rate_with_token(s, token, "good")
    assert _ratings() == []
