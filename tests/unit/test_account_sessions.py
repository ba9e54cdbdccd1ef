"""Sessions on /account: list mine, end one or all others; never someone else's."""

from __future__ import annotations

from sqlmodel import select

from helpdesk.domain.accounts import AuthSession
from helpdesk.infra.db import session_scope
from helpdesk.services import account_sessions, accounts


def test_list_end_one_and_end_others_only_touch_my_sessions(db):
    with session_scope() as s:
        ana = accounts.create_user(s, email="ana@example.com", password="password-123", name="Ana")
        bob = accounts.create_user(s, email="bob@example.com", password="password-123", name="Bob")
    ua = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    with session_scope() as s:
        _, here = accounts.authenticate(s, email="ana@example.com", password="password-123", ip="1.1.1.1", user_agent=ua)
        _, phone = accounts.authenticate(s, email="ana@example.com", password="password-123", ip="2.2.2.2")
        _, laptop = accounts.authenticate(s, email="ana@example.com", password="password-123", ip="3.3.3.3")
        _, bobs = accounts.authenticate(s, email="bob@example.com", password="password-123")
    with session_scope() as s:
        views = account_sessions.list_sessions(s, ana, here)
        assert len(views) == 3 and sum(v.current for v in views) == 1
        assert next(v for v in views if v.current).device == "Chrome · Windows"
        bob_row = s.exec(select(AuthSession).where(AuthSession.user_id == bob.id)).one()
        assert account_sessions.end_one(s, ana, bob_row.id) is False  # not mine
        phone_id = next(v.id for v in views if v.ip == "2.2.2.2")
        assert account_sessions.end_one(s, ana, phone_id) is True
    with session_scope() as s:
        assert accounts.user_for_token(s, phone) is None
        assert accounts.user_for_token(s, bobs).id == bob.id
        assert account_sessions.end_others(s, ana, here) == 1
    with session_scope() as s:
        assert accounts.user_for_token(s, laptop) is None
        assert accounts.user_for_token(s, here).id == ana.id
