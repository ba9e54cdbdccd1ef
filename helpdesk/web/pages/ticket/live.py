"""The ticket page's live updates: which ticket a URL names, and whether a tab is still there."""

from __future__ import annotations

import re
from typing import Optional

_ROUTE_RE = re.compile(r"^/tickets/(\d{1,12})/?$")
# A watcher wakes this often while idle to notice a closed tab or a page left behind.
WATCH_IDLE_CHECK_S = 60
WATCH_MAX_S = 4 * 3600


def _route_number(path: str) -> Optional[int]:
    match = _ROUTE_RE.match(path or "")
    return int(match.group(1)) if match else None


def _tab_connected(client_token: str) -> bool:
    """False only when this worker knows the tab's socket is gone."""
    try:
        from reflex.utils.prerequisites import get_app

        namespace = get_app().app.event_namespace
        return namespace is None or client_token in namespace.token_to_sid
    except Exception:  # noqa: BLE001 - unknown means keep watching; the time cap still applies
        return True
