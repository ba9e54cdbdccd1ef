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
