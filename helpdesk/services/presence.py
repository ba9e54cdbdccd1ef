"""Who is looking at a ticket and who is typing a reply: agents' collision warnings.

An in-memory registry per process with expiry: every open ticket page refreshes its entry
(heartbeat) and the entry dies on its own when the page goes away without saying so. With
REFLEX_REDIS_URL set (several workers), entries live in a Redis hash per ticket instead, so
every worker sees the same people. Each change is announced on the bus topic
`presence:<ticket_id>` (see infra/bus.py); pages re-read the list when they hear it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable

from helpdesk.infra import bus

log = logging.getLogger("helpdesk.presence")

VIEW_TTL = 40.0  # seconds: pages send a heartbeat well within this
TYPING_TTL = 6.0
_KEY = "helpdesk:presence:{}"

clock: Callable[[], float] = time.time  # replaced in tests


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str
    typing: bool


def topic(ticket_id: int) -> str:
    return f"presence:{ticket_id}"


class _Memory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, dict[int, tuple[str, float, float]]] = {}

    def put(self, ticket_id: int, user_id: int, name: str, seen_until: float, typing_until: float) -> None:
        with self._lock:
            self._entries.setdefault(ticket_id, {})[user_id] = (name, seen_until, typing_until)

    def remove(self, ticket_id: int, user_id: int) -> bool:
        with self._lock:
            return self._entries.get(ticket_id, {}).pop(user_id, None) is not None

    def get(self, ticket_id: int) -> dict[int, tuple[str, float, float]]:
        now = clock()
        with self._lock:
            entries = self._entries.get(ticket_id, {})
            for uid in [u for u, (_, seen, _) in entries.items() if seen < now]:
                del entries[uid]
            if not entries:
                self._entries.pop(ticket_id, None)
            return dict(entries)


class _Redis:
    def __init__(self, url: str) -> None:
        import redis

        self._r = redis.Redis.from_url(url, socket_timeout=2)

    def put(self, ticket_id: int, user_id: int, name: str, seen_until: float, typing_until: float) -> None:
        key = _KEY.format(ticket_id)
        self._r.hset(key, str(user_id), json.dumps([name, seen_until, typing_until]))
        self._r.expire(key, int(VIEW_TTL) + 5)

    def remove(self, ticket_id: int, user_id: int) -> bool:
        return bool(self._r.hdel(_KEY.format(ticket_id), str(user_id)))

    def get(self, ticket_id: int) -> dict[int, tuple[str, float, float]]:
        now = clock()
        out = {}
        for uid, raw in self._r.hgetall(_KEY.format(ticket_id)).items():
            name, seen, typing = json.loads(raw)
            if seen >= now:
                out[int(uid)] = (name, seen, typing)
            else:
                self._r.hdel(_KEY.format(ticket_id), uid)
        return out


_memory = _Memory()


def _store():
    url = os.environ.get("REFLEX_REDIS_URL")
    if url:
        try:
            return _Redis(url)
        except Exception as exc:  # noqa: BLE001 - presence is a hint; fall back to this process
            log.warning("presence falls back to memory: %s", exc)
    return _memory


def touch(ticket_id: int, user_id: int, name: str, *, typing: bool = False) -> None:
    """Record that `user_id` has the ticket open (and is typing). Announces only real changes,
    so heartbeats and keystrokes do not flood the bus."""
    store = _store()
    now = clock()
    before = store.get(ticket_id).get(user_id)
    was_typing = bool(before and before[2] >= now)
    typing_until = now + TYPING_TTL if typing else (before[2] if before and was_typing else 0.0)
    store.put(ticket_id, user_id, name, now + VIEW_TTL, typing_until)
    if before is None or typing != was_typing:
        bus.publish(topic(ticket_id), ticket_id=ticket_id)


def stop_typing(ticket_id: int, user_id: int) -> None:
    store = _store()
    entry = store.get(ticket_id).get(user_id)
    if entry and entry[2] >= clock():
        store.put(ticket_id, user_id, entry[0], entry[1], 0.0)
        bus.publish(topic(ticket_id), ticket_id=ticket_id)


def leave(ticket_id: int, user_id: int) -> None:
    if _store().remove(ticket_id, user_id):
        bus.publish(topic(ticket_id), ticket_id=ticket_id)


def viewers(ticket_id: int, *, exclude: int | None = None) -> list[Viewer]:
    now = clock()
    return sorted(
        (
            Viewer(user_id=uid, name=name, typing=typing_until >= now)
            for uid, (name, _seen, typing_until) in _store().get(ticket_id).items()
            if uid != exclude
        ),
        key=lambda v: (v.name, v.user_id),
    )
