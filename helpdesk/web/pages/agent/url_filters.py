"""The queue's settings in the address bar. Reading and writing the query string is
services/queue_url.py (saved views use it too); this adds the script that swaps the URL."""

from __future__ import annotations

import json

from helpdesk.services.queue_url import FILTER_PARAMS, MAX_Q, MAX_VALUE, query, read

__all__ = ["FILTER_PARAMS", "MAX_Q", "MAX_VALUE", "query", "read", "replace_script"]


def replace_script(path: str, qs: str) -> str:
    """JavaScript that swaps the address bar's URL (no navigation); the URL is JSON-quoted."""
    url = f"{path}?{qs}" if qs else path
    return f"window.history.replaceState(window.history.state, '', {json.dumps(url)})"
