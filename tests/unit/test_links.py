"""Signed, expiring, purpose-bound link tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.domain import utcnow
from helpdesk.infra.settings import get_settings
from helpdesk.services import links


@pytest.fixture
def env(data_dir, monkeypatch):
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def tamper(token: str) -> str:
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def test_ticket_link_round_trip(env):
    token = links.ticket_link_token(1042, " Ana@Example.COM ")
    assert links.verify_ticket_link(token) == (1042, "ana@example.com")
    assert links.verify_ticket_link(token, "ticket") == (1042, "ana@example.com")


def test_tampered_and_garbage_tokens_fail(env):
    token = links.ticket_link_token(1042, "ana@example.com")
    assert links.verify_ticket_link(tamper(token)) is None
    assert links.verify_ticket_link(token + "x") is None
    # Swapping in another payload while keeping the signature must fail too.
    other = links.ticket_link_token(1043, "ana@example.com")
    forged = other.rsplit(".", 1)[0] + "." + token.rsplit(".", 1)[1]
    assert links.verify_ticket_link(forged) is None
    for garbage in ("", "abc", "a.b.c", "x" * 5000, None, 42):
        assert links.verify_ticket_link(garbage) is None


def test_purposes_do_not_mix(env):
    ticket = links.ticket_link_token(7, "ana@example.com")
    csat = links.csat_token(7, "ana@example.com", solve_round=2)
    dl = links.download_session_ticket("session:15")
    custom = links.ticket_link_token(7, "ana@example.com", purpose="cc")

    assert links.verify_ticket_link(ticket, "csat") is None
    assert links.verify_ticket_link(ticket, "cc") is None
    assert links.verify_csat_token(ticket) is None
    assert links.verify_download_session_ticket(ticket) is None
    assert links.verify_ticket_link(csat) is None
    assert links.verify_ticket_link(dl) is None
    assert links.verify_ticket_link(custom) is None
    assert links.verify_ticket_link(custom, "cc") == (7, "ana@example.com")
    assert links.verify_csat_token(csat) == (7, "ana@example.com", 2)
    assert links.verify_download_session_ticket(dl) == "session:15"


def test_ticket_links_expire(env):
    token = links.ticket_link_token(5, "ana@example.com", max_age_days=30)
    now = utcnow()
    assert links.verify_ticket_link(token, now=now + timedelta(days=29)) == (5, "ana@example.com")
    assert links.verify_ticket_link(token, now=now + timedelta(days=30, seconds=5)) is None
    short = links.ticket_link_token(5, "ana@example.com", max_age_days=1)
    assert links.verify_ticket_link(short, now=now + timedelta(days=2)) is None


def test_csat_tokens_carry_the_solve_round_and_expire(env):
    token = links.csat_token(9, "bob@example.com", solve_round=3, max_age_days=14)
    now = utcnow()
    assert links.verify_csat_token(token, now=now + timedelta(days=13)) == (9, "bob@example.com", 3)
    assert links.verify_csat_token(token, now=now + timedelta(days=15)) is None
    assert links.verify_csat_token(tamper(token)) is None


def test_download_session_ticket_lives_a_minute(env):
    token = links.download_session_ticket("42")
    now = utcnow()
    assert links.verify_download_session_ticket(token, now=now + timedelta(seconds=50)) == "42"
    assert links.verify_download_session_ticket(token, now=now + timedelta(seconds=61)) is None


def test_tokens_from_another_secret_fail(env):
    token = links.ticket_link_token(1, "ana@example.com")
    env.setenv("HELPDESK_SECRET_KEY", "rotated")
    get_settings.cache_clear()
    assert links.verify_ticket_link(token) is None


def test_generic_tokens(env):
    token = links.make_token("unsubscribe", {"u": 3}, timedelta(hours=1))
    assert links.read_token(token, "unsubscribe") == {"u": 3}
    assert links.read_token(token, "ticket") is None
    with pytest.raises(ValueError):
        links.make_token("bad purpose!", {}, timedelta(hours=1))
