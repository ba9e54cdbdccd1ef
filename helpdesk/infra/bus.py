"""Change notifications between requests: "ticket 42 changed" reaches every open page that cares.

In one process an asyncio fan-out is enough. With REFLEX_REDIS_URL (several workers) every
publish also goes through a Redis channel and each worker re-broadcasts what it hears, so a page
served by worker A learns about a reply saved by worker B. Subscribers wait on an event, they do
not poll the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import uuid
from collections import defaultdict
from typing import AsyncIterator

log = logging.getLogger("helpdesk.bus")

CHANNEL = "helpdesk:changes"
_WORKER_ID = uuid.uuid4().hex


def _new_worker_id() -> None:
    # Granian forks its workers from a process that already imported the app: without a fresh
    # id per child, every worker took the others' messages for its own echoes and dropped them.
    global _WORKER_ID
    _WORKER_ID = uuid.uuid4().hex


os.register_at_fork(after_in_child=_new_worker_id)

_lock = threading.Lock()
_subscribers: dict[str, set[asyncio.Queue]] = defaultdict(set)
_loops: dict[asyncio.Queue, asyncio.AbstractEventLoop] = {}
_redis_thread: threading.Thread | None = None
_listeners: dict[str, list] = defaultdict(list)


def _redis_url() -> str | None:
    return os.environ.get("REFLEX_REDIS_URL") or None


def _deliver_local(topic: str, payload: dict) -> None:
    with _lock:
        queues = list(_subscribers.get(topic, ()))
        callbacks = list(_listeners.get(topic, ()))
    for callback in callbacks:
        try:
            callback(payload)
        except Exception:  # noqa: BLE001 - one bad listener must not stop the fan-out
            log.exception("bus listener for %s failed", topic)
    for queue in queues:
        loop = _loops.get(queue)
        if loop is None or loop.is_closed():
            continue
        loop.call_soon_threadsafe(_put_nowait, queue, payload)


def _put_nowait(queue: asyncio.Queue, payload: dict) -> None:
    try:
        queue.put_nowait(payload)
    except asyncio.QueueFull:  # a slow page only needs to know "something changed"
        pass


def publish(topic: str, **payload: object) -> None:
    """Tell everyone watching `topic` (e.g. "ticket:42" or "queue") that it changed."""
    message = {"topic": topic, **payload}
    _deliver_local(topic, message)
    url = _redis_url()
    if url:
        try:
            import redis

            redis.Redis.from_url(url, socket_timeout=2).publish(
                CHANNEL, json.dumps({"origin": _WORKER_ID, **message}, default=str)
            )
        except Exception as exc:  # noqa: BLE001 - live updates are best effort; data is in the DB
            log.warning("redis publish failed: %s", exc)


def _redis_listener(url: str) -> None:
    import time

    import redis

    while True:
        try:
            pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(CHANNEL)
            for item in pubsub.listen():
                try:
                    message = json.loads(item["data"])
                except (ValueError, TypeError):
                    continue
                if message.pop("origin", None) == _WORKER_ID:
                    continue  # already delivered locally when published
                _deliver_local(str(message.get("topic", "")), message)
        except Exception as exc:  # noqa: BLE001 - reconnect after Redis restarts
            log.warning("redis listener reconnecting: %s", exc)
            time.sleep(1)


def _ensure_redis_listener() -> None:
    global _redis_thread
    url = _redis_url()
    if not url or (_redis_thread is not None and _redis_thread.is_alive()):
        return
    _redis_thread = threading.Thread(target=_redis_listener, args=(url,), name="helpdesk-bus", daemon=True)
    _redis_thread.start()


def add_listener(topic: str, callback) -> None:
    """Call `callback(message)` (in whatever thread delivers it, so keep it quick) for every
    message on `topic`, from this worker or, through Redis, from the others."""
    with _lock:
        if callback not in _listeners[topic]:
            _listeners[topic].append(callback)


def ensure_listening() -> None:
    """Start hearing the other workers (a no-op without Redis or when already listening).
    Called lazily: a thread started before Granian forks its workers would not survive."""
    _ensure_redis_listener()


async def subscribe(*topics: str) -> AsyncIterator[dict]:
    """Yield change messages for any of `topics` until the consumer stops iterating."""
    _ensure_redis_listener()
    queue: asyncio.Queue = asyncio.Queue(maxsize=100)
    with _lock:
        _loops[queue] = asyncio.get_running_loop()
        for topic in topics:
            _subscribers[topic].add(queue)
    try:
        while True:
            yield await queue.get()
    finally:
        with _lock:
            for topic in topics:
                _subscribers[topic].discard(queue)
            _loops.pop(queue, None)


async def stop_reading(stream: AsyncIterator[dict], pending: "asyncio.Future | None") -> None:
    """End a subscription that a page reads with a pending `__anext__()` task.

    The read must have finished before the stream can close: closing it while the read is
    still running fails ("aclose(): asynchronous generator is already running") and leaves the
    queue subscribed for good."""
    if pending is not None:
        pending.cancel()
        with contextlib.suppress(BaseException):
            await pending
    with contextlib.suppress(BaseException):
        await stream.aclose()


def subscriber_count(topic: str) -> int:
    with _lock:
        return len(_subscribers.get(topic, ()))


def ticket_topic(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


QUEUE_TOPIC = "queue"
