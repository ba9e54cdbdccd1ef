"""Issue 13: `POST /_upload` to the public new-ticket form stored files for anyone, with any
made-up tab, without limit. Staged uploads are now counted per client (IP for visitors) and
for the whole server before their bytes are written (services/upload_guard.py)."""

from __future__ import annotations

import asyncio
import io

import pytest
from reflex.istate.data import RouterData
from sqlmodel import select
from starlette.datastructures import UploadFile

from helpdesk.domain.security import RateLimitHit
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings
from helpdesk.infra.storage import get_store, sha256_hex
from helpdesk.services import upload_guard
from helpdesk.web.pages.chat.state import ChatState
from helpdesk.web.pages.new_ticket.state import NewTicketState
from tests.state.conftest import sign_in, state_of


def _tab(root, ip: str, path: str = "/tickets/new") -> None:
    # The address as Reflex resolves it (HELPDESK_TRUSTED_PROXY_HOPS) lands in router data "ip".
    root.router = RouterData.from_router_data({"pathname": path, "asPath": path, "query": {}, "headers": {},
                                               "token": "made-up-tab", "ip": ip})


def _post(state, *contents: bytes) -> None:
    files = [UploadFile(io.BytesIO(c), filename=f"registro-{i}.txt") for i, c in enumerate(contents)]
    asyncio.run(state.receive_files(files))


def _stored(content: bytes) -> bool:
    return get_store().exists(sha256_hex(content))


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(upload_guard, "FILES_LIMIT", 3)
    monkeypatch.setattr(upload_guard, "MIB_LIMIT", 4)


def test_a_visitor_past_the_per_ip_file_cap_is_refused_and_nothing_is_stored(root, db, small_limits):
    _tab(root, "203.0.113.7")
    state = state_of(root, NewTicketState)
    first = [f"linea {i}\n".encode() for i in range(3)]
    _post(state, *first)
    assert len(state.staged_files) == 3 and all(_stored(c) for c in first)

    extra = b"uno de mas\n"
    _post(state, extra)
    assert not _stored(extra)
    assert len(state.staged_files) == 3
    assert "demasiados archivos" in state.upload_error and "registro-0.txt" in state.upload_error

    # A fresh tab (a made-up client token) from the same address is the same client.
    state.reset()
    _post(state, extra)
    assert not _stored(extra) and state.staged_files == []

    # Another address is another client.
    _tab(root, "198.51.100.9")
    _post(state, extra)
    assert _stored(extra) and len(state.staged_files) == 1


def test_the_per_ip_byte_cap_counts_every_started_mib(root, db, small_limits):
    _tab(root, "203.0.113.8")
    state = state_of(root, NewTicketState)
    big = [(f"{i}" * 1024 + "\n").encode() * 1500 for i in range(3)]  # ~1.5 MB each: 2 units
    _post(state, big[0], big[1])
    assert len(state.staged_files) == 2
    _post(state, big[2])
    assert not _stored(big[2]) and len(state.staged_files) == 2
    assert "demasiados archivos" in state.upload_error


def test_signed_in_users_are_counted_per_account_not_per_shared_address(root, world, small_limits):
    sign_in(root, world["outsider"]["token"])
    _tab(root, "192.0.2.50")
    state = state_of(root, NewTicketState)
    _post(state, *[f"cliente {i}\n".encode() for i in range(4)])
    assert len(state.staged_files) == 3
    with session_scope() as s:
        keys = set(s.exec(select(RateLimitHit.key)).all())
    assert f"upload:files:user:{world['outsider']['id']}" in keys
    assert not any("192.0.2.50" in k for k in keys)


def test_the_staging_area_has_a_total_cap_for_all_clients(root, db, monkeypatch):
    monkeypatch.setenv("HELPDESK_STAGED_MAX_BYTES", str(2 * 1024 * 1024))
    get_settings.cache_clear()
    try:
        state = state_of(root, NewTicketState)
        for i in range(2):
            _tab(root, f"203.0.113.{20 + i}")
            _post(state, f"cliente {i}\n".encode())
        _tab(root, "203.0.113.30")
        state.reset()
        last = b"ya no cabe\n"
        _post(state, last)
        assert not _stored(last) and state.staged_files == []
        assert "no podemos recibir más archivos" in state.upload_error
    finally:
        get_settings.cache_clear()


def test_the_chat_upload_is_capped_the_same_way(root, db, small_limits):
    _tab(root, "203.0.113.40", path="/chat")
    chat = state_of(root, ChatState)
    sent = [f"chat {i}\n".encode() for i in range(4)]
    asyncio.run(chat.chat_files([UploadFile(io.BytesIO(c), filename=f"c{i}.txt") for i, c in enumerate(sent)]))
    assert [_stored(c) for c in sent] == [True, True, True, False]
    assert "demasiados archivos" in chat.error
