"""Service-layer access, from the test process, to the database of the app the e2e session
fixture runs (same data dir and settings), so tests can arrange data and check effects without
going through a browser."""

from __future__ import annotations

import contextlib

import pytest


@contextlib.contextmanager
def app_database(app_env: dict):
    from helpdesk.infra import db, settings

    with pytest.MonkeyPatch.context() as mp:
        for key in ("HELPDESK_DATA_DIR", "HELPDESK_BASE_URL", "HELPDESK_DB_URL", "HELPDESK_SECRET_KEY"):
            if key in app_env["env"]:
                mp.setenv(key, app_env["env"][key])
            else:
                mp.delenv(key, raising=False)
        settings.get_settings.cache_clear()
        db.get_engine.cache_clear()
        try:
            yield db.session_scope
        finally:
            db.get_engine().dispose()
            db.get_engine.cache_clear()
            settings.get_settings.cache_clear()


def mailed_path(session_scope, to: str, marker: str) -> str:
    """The path of the newest link starting with `marker` ("/verify/", "/reset/", ...) in the
    outbox mails to `to`: what the person would click."""
    from sqlmodel import select

    from helpdesk.domain.mail import OutboxMail

    with session_scope() as s:
        bodies = s.exec(select(OutboxMail.text_body).where(OutboxMail.to_email == to).order_by(OutboxMail.id)).all()
    body = [b for b in bodies if marker in b][-1]
    return marker + body.split(marker)[1].split()[0]
