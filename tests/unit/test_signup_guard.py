"""Issue 13: sign-up needs the same ALTCHA proof of work as the new-ticket form, checked before
anything is looked up or created, and it never says whether an address has an account."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from helpdesk.domain.accounts import AuthSession, User
from helpdesk.domain.mail import OutboxMail
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.services import account_mail, accounts
from helpdesk.services.errors import ServiceError, ValidationError
from tests.support.captcha import solved


@pytest.fixture(autouse=True)
def easy_captcha(monkeypatch):
    monkeypatch.setenv("HELPDESK_CAPTCHA_MAX_NUMBER", "500")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _counts() -> tuple[int, int, int]:
    with session_scope() as s:
        return (s.exec(select(func.count()).select_from(User)).one(),
                s.exec(select(func.count()).select_from(AuthSession)).one(),
                s.exec(select(func.count()).select_from(OutboxMail)).one())


def _register(email: str, payload: str, **kw):
    with session_scope() as s:
        return accounts.register(s, name="Bot", email=email, password="password-123", captcha_payload=payload,
                                 ip="6.6.6.6", **kw)


def test_sign_up_without_a_solved_captcha_creates_nothing(db):
    before = _counts()
    with pytest.raises(ValidationError) as err:
        _register("bot@example.com", "")
    assert err.value.errors == {"captcha": "captcha.required"}
    for junk in ("no-es-una-solucion", "eyJjaGFsbGVuZ2UiOnt9fQ==", "x" * 9000):
        with pytest.raises(ServiceError) as err:
            _register("bot@example.com", junk)
        assert (err.value.code, err.value.field) == ("captcha.invalid", "captcha")
    assert _counts() == before


def test_a_solution_signs_up_once_and_cannot_be_replayed(db):
    payload = solved()
    user, token = _register("una@example.com", payload)
    assert user.id and token
    with pytest.raises(ServiceError) as err:
        _register("otra@example.com", payload)
    assert err.value.code == "captcha.invalid"
    with session_scope() as s:
        assert s.exec(select(User.email)).all() == ["una@example.com"]


def test_field_errors_come_first_and_do_not_spend_the_solution(db):
    payload = solved()
    with pytest.raises(ValidationError) as err, session_scope() as s:
        accounts.register(s, name="Ana", email="ana@example.com", password="corta", captcha_payload=payload)
    assert set(err.value.errors) == {"password"}
    user, _ = _register("ana@example.com", payload)  # fixed the password, same solved widget
    assert user.email == "ana@example.com"


def test_a_taken_address_answers_like_a_new_one_before_and_after_the_captcha(db):
    with session_scope() as s:
        accounts.create_user(s, email="duena@example.com", password="su-clave-123", name="Dueña")
    # Without the captcha: the very same refusal as for a free address, and no mail to the owner.
    answers = []
    for email in ("duena@example.com", "libre@example.com"):
        with pytest.raises(ValidationError) as err:
            _register(email, "")
        answers.append(err.value.errors)
    assert answers[0] == answers[1] == {"captcha": "captcha.required"}
    with session_scope() as s:
        assert s.exec(select(OutboxMail).where(OutboxMail.to_email == "duena@example.com")).first() is None
    # With it: the neutral "we sent you an e-mail", never "email taken"; the owner is told.
    payload = solved()
    with pytest.raises(account_mail.AlreadyRegistered) as err:
        _register("DUENA@example.com", payload)
    assert err.value.code == "trust.register_sent" and not isinstance(err.value, ValidationError)
    with session_scope() as s:
        assert s.exec(select(OutboxMail).where(OutboxMail.to_email == "duena@example.com")).first() is not None
        assert s.exec(select(func.count()).select_from(AuthSession)).one() == 0
    # That answer spent the solution: probing address after address costs a proof of work each.
    with pytest.raises(ServiceError) as err:
        _register("libre@example.com", payload)
    assert err.value.code == "captcha.invalid"
