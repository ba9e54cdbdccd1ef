"""Live updates for agent pages: a background task waits on the change bus (no DB polling)
and refreshes the page's state when something it shows has changed.

A page starts one loop per visit with a fresh id; leaving the page (on_unmount), a new visit
or a closed tab ends it, at the latest after one heartbeat.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Callable, Optional

from helpdesk.infra import bus

HEARTBEAT_S = 15.0
DEBOUNCE_S = 0.3  # a reply changes the ticket and the queue at once: refresh once


def client_connected(state) -> bool:
    """Whether this tab still has a socket on this worker (its page may have been closed)."""
    # The app module is looked up, not imported: importing it from a page would make a cycle
    # (the app imports every page). It is loaded in a running server; elsewhere (tests) the
    # tab counts as connected.
    app_module = sys.modules.get("helpdesk.helpdesk")
    app = getattr(app_module, "app", None)
    namespace = getattr(app, "event_namespace", None)
    if namespace is None:
        return True
    return state.router.session.client_token in namespace.token_to_sid


async def follow(
    state,
    watch_id: str,
    topics: tuple[str, ...],
    on_change: Callable[[], None],
    on_heartbeat: Optional[Callable[[], None]] = None,
) -> None:
    """Run until the page's `_watch_id` changes. Callbacks run inside `async with state`."""
    stream = bus.subscribe(*topics)
    pending: Optional[asyncio.Future] = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(stream.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_S)
            changed = pending in done
            if changed:
                pending = None
                await asyncio.sleep(DEBOUNCE_S)
            async with state:
                if state._watch_id != watch_id or not client_connected(state):
                    return
                if changed:
                    on_change()
                elif on_heartbeat is not None:
                    on_heartbeat()
    finally:
        await bus.stop_reading(stream, pending)
