"""/api/health: database always, Redis only when configured; 503 when either is down."""

from __future__ import annotations

import os

from starlette.testclient import TestClient

from helpdesk.web.api import build_api


def test_reports_database_and_worker_without_redis(db, monkeypatch):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    resp = TestClient(build_api()).get("/api/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "worker": os.getpid(), "database": "ok"}


def test_unreachable_redis_makes_it_degraded(db, monkeypatch):
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("REFLEX_REDIS_URL", f"redis://127.0.0.1:{port}/0")
    resp = TestClient(build_api()).get("/api/health")
    assert resp.status_code == 503
    assert resp.json()["redis"] == "unreachable" and resp.json()["database"] == "ok"


def test_unreachable_database_makes_it_degraded(data_dir, monkeypatch):
    from tests.conftest import _reset_caches

    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.setenv("HELPDESK_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    _reset_caches()
    try:
        resp = TestClient(build_api()).get("/api/health")
    finally:
        _reset_caches()
    assert resp.status_code == 503 and resp.json()["database"] == "unreachable"
