from __future__ import annotations

import asyncio

import pytest

from helpdesk.infra import bus
from helpdesk.services import presence


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(presence, "clock", lambda: now[0])
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.setattr(presence, "_memory", presence._Memory())
    return now


def test_viewers_typing_and_expiry(clock):
    presence.touch(7, 1, "Carlos")
    presence.touch(7, 2, "Ana", typing=True)
    assert presence.viewers(7, exclude=1) == [presence.Viewer(2, "Ana", True)]
    clock[0] += presence.TYPING_TTL + 1
    assert presence.viewers(7) == [presence.Viewer(2, "Ana", False), presence.Viewer(1, "Carlos", False)]
    clock[0] += presence.VIEW_TTL
    assert presence.viewers(7) == []  # closed tabs disappear on their own


def test_leave_and_stop_typing(clock):
    presence.touch(7, 1, "Carlos", typing=True)
    presence.stop_typing(7, 1)
    assert presence.viewers(7) == [presence.Viewer(1, "Carlos", False)]
    presence.leave(7, 1)
    assert presence.viewers(7) == []


def test_changes_are_announced_but_heartbeats_are_not(clock):
    async def scenario():
        stream = bus.subscribe(presence.topic(9))
        first = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0)
        presence.touch(9, 1, "Carlos")
        assert (await asyncio.wait_for(first, 1))["topic"] == "presence:9"
        presence.touch(9, 1, "Carlos")  # heartbeat: nothing new
        second = asyncio.ensure_future(stream.__anext__())
        done, _ = await asyncio.wait({second}, timeout=0.1)
        assert not done
        presence.touch(9, 1, "Carlos", typing=True)
        assert (await asyncio.wait_for(second, 1))["topic"] == "presence:9"
        await stream.aclose()

    asyncio.run(scenario())
