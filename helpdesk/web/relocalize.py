"""Which page state redraws its server-made texts when the reader switches language.

Labels come from the catalog in the browser and follow the switch at once; but some texts are
made on the server when a page loads (relative dates, history entries, service names). Pages
register their State here; the language switch then asks that State to redraw them.
"""

from __future__ import annotations

_PAGES: dict[str, type] = {}


def register(route: str, state_cls: type) -> None:
    """`state_cls` has an event handler `relocalize` (it re-checks access itself)."""
    _PAGES[route] = state_cls


def state_for(route: str):
    return _PAGES.get(route)
