"""A short-lived, per-process cache for public, non-personal data that every visitor's page
load reads: the help-center home's categories (with article counts) and popular articles.

Without it every hydrate of `/` ran eight queries for the same answer. Correctness:
- Any ORM write to an article or category (admin editor, demo content, deletes) clears the
  cache once its transaction commits, in this worker at once and in the other workers through
  the change bus (Redis pub/sub when REFLEX_REDIS_URL is set).
- A value loaded while a change committed is not kept (generation check), so a reader that
  raced an admin's save cannot pin the old answer for a whole TTL.
- Article view counters are bumped with a bulk UPDATE, not through the ORM, so popularity
  order only refreshes with the TTL: "popular" lagging by half a minute is harmless.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.domain.kb import Article, ArticleCategory
from helpdesk.infra import bus

T = TypeVar("T")

TTL_SECONDS = 30.0
TOPIC = "kb:public"
_SESSION_FLAG = "helpdesk_kb_public_changed"

_lock = threading.Lock()
_entries: dict[str, tuple[float, object]] = {}
_generation = 0


def get(key: str, loader: Callable[[], T]) -> T:
    bus.ensure_listening()
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
        generation = _generation
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]  # type: ignore[return-value]
    value = loader()
    with _lock:
        if _generation == generation:
            _entries[key] = (now, value)
    return value


def invalidate() -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def _on_bus_message(_message: dict) -> None:
    invalidate()


bus.add_listener(TOPIC, _on_bus_message)


def _flag(_mapper, connection, _target) -> None:  # noqa: ANN001
    session = Session.object_session(_target)
    if session is not None:
        session.info[_SESSION_FLAG] = True


for _model in (Article, ArticleCategory):
    for _name in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _name, _flag)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_SESSION_FLAG, False):
        # publish() also delivers locally, which invalidates this worker's copy.
        bus.publish(TOPIC)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous_transaction) -> None:  # noqa: ANN001
    session.info.pop(_SESSION_FLAG, None)
