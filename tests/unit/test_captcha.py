"""ALTCHA v2 challenges solved by the library's own solver: accepted once, replays refused."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from altcha import Challenge, Payload, Solution, create_challenge, solve_challenge
from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.security import UsedChallenge
from helpdesk.infra.settings import get_settings
from helpdesk.services import captcha
from helpdesk.services.errors import ServiceError

MAX_NUMBER = 2000


@pytest.fixture
def easy(db, monkeypatch):
    monkeypatch.setenv("HELPDESK_CAPTCHA_MAX_NUMBER", str(MAX_NUMBER))
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def solve(challenge: dict) -> str:
    """What the widget posts: base64 JSON of the challenge and the found solution."""
    parsed = Challenge.from_dict(json.loads(json.dumps(challenge)))
    solution = solve_challenge(parsed, timeout=20)
    assert solution is not None
    return Payload(parsed, solution).to_base64()


def b64(obj) -> str:
    return base64.b64encode(json.dumps(obj).encode()).decode()


def test_challenge_is_json_for_the_v3_widget(easy):
    challenge = captcha.new_challenge()
    assert json.loads(json.dumps(challenge)) == challenge
    params = challenge["parameters"]
    assert set(challenge) == {"parameters", "signature"}
    assert params["algorithm"] == "SHA-256"
    assert len(params["keyPrefix"]) == 32 and len(challenge["signature"]) == 64
    expires_in = params["expiresAt"] - utcnow().timestamp()
    assert 590 <= expires_in <= 600


def test_difficulty_follows_captcha_max_number(easy):
    counters = [solve_challenge(Challenge.from_dict(captcha.new_challenge())).counter for _ in range(5)]
    assert all(MAX_NUMBER // 2 <= c <= MAX_NUMBER for c in counters)


def test_real_solution_verifies_once_and_replay_fails(easy):
    payload = solve(captcha.new_challenge())
    with Session(easy) as s:
        assert captcha.verify(s, payload) is True
        assert captcha.verify(s, payload) is False
        s.commit()
    with Session(easy) as s:
        assert captcha.verify(s, payload) is False
        assert len(s.exec(select(UsedChallenge)).all()) == 1


def test_rolled_back_use_can_be_retried(easy):
    payload = solve(captcha.new_challenge())
    with Session(easy) as s:
        assert captcha.verify(s, payload) is True
        s.rollback()
    with Session(easy) as s:
        assert captcha.verify(s, payload) is True


def test_expired_challenge_is_refused(easy):
    old = captcha.new_challenge(now=utcnow() - timedelta(minutes=11))
    payload = solve(old)
    with Session(easy) as s:
        assert captcha.verify(s, payload) is False


def test_forged_and_garbage_payloads_are_refused(easy):
    challenge = captcha.new_challenge()
    parsed = Challenge.from_dict(challenge)
    solution = solve_challenge(parsed)
    good = Payload(parsed, solution).to_dict()

    easier = json.loads(json.dumps(good))
    easier["challenge"]["parameters"]["keyPrefix"] = "0"  # any key starting with 0 would do
    wrong_counter = json.loads(json.dumps(good))
    wrong_counter["solution"]["counter"] += 1
    no_signature = json.loads(json.dumps(good))
    del no_signature["challenge"]["signature"]
    later = json.loads(json.dumps(good))
    later["challenge"]["parameters"]["expiresAt"] += 3600

    # Correctly solved, but signed by somebody else's key, or not signed at all.
    foreign = create_challenge("SHA-256", 1, counter=5, expires_at=int(utcnow().timestamp()) + 600, hmac_secret="other")
    foreign_payload = Payload(foreign, solve_challenge(foreign)).to_base64()
    unsigned = create_challenge("SHA-256", 1, counter=5, expires_at=int(utcnow().timestamp()) + 600)
    unsigned_payload = Payload(unsigned, solve_challenge(unsigned)).to_base64()
    fake_solution = Payload(parsed, Solution(counter=1, derived_key="00" * 32)).to_base64()

    bad = [
        b64(easier), b64(wrong_counter), b64(no_signature), b64(later), foreign_payload, unsigned_payload,
        fake_solution, "", "not base64 at all!", b64([]), b64({"challenge": 1, "solution": 2}), b64("x"),
        "A" * 10_000, None, 12345,
    ]
    with Session(easy) as s:
        for payload in bad:
            assert captcha.verify(s, payload) is False, payload
        assert captcha.verify(s, b64(good)) is True


def test_challenge_from_another_secret_key_fails(easy, monkeypatch):
    payload = solve(captcha.new_challenge())
    monkeypatch.setenv("HELPDESK_SECRET_KEY", "a-different-server")
    get_settings.cache_clear()
    with Session(easy) as s:
        assert captcha.verify(s, payload) is False


def test_expired_spent_challenges_are_purged(easy):
    with Session(easy) as s:
        s.add(UsedChallenge(signature="old", expires_at=utcnow() - timedelta(minutes=1)))
        s.add(UsedChallenge(signature="live", expires_at=utcnow() + timedelta(minutes=5)))
        s.commit()
        assert captcha.verify(s, solve(captcha.new_challenge())) is True
        s.commit()
        left = {row.signature for row in s.exec(select(UsedChallenge)).all()}
    assert "old" not in left and "live" in left and len(left) == 2


def test_require_valid_raises_a_field_error(easy):
    with Session(easy) as s:
        with pytest.raises(ServiceError) as info:
            captcha.require_valid(s, "garbage")
        assert (info.value.code, info.value.field) == ("captcha.invalid", "captcha")
        captcha.require_valid(s, solve(captcha.new_challenge()))
