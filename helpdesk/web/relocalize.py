"""Which page state redraws its server-made texts when the reader switches language.

Labels come from the catalog in the browser and follow the switch at once; but some texts are
made on the server when a page loads (relative dates, history entries, service names). Pages
register their State here; the language switch then asks that State to redraw them.
"""

from __future__ import annotations

_PAGES: dict[str, list[type]] = {}


def register(route: str, state_cls: type) -> None:
    """`state_cls` has an event handler `relocalize` (it re-checks access itself). A page made of
    parts with their own States (/admin's tabs) registers each one."""
    states = _PAGES.setdefault(route, [])
    if state_cls not in states:
        states.append(state_cls)


def states_for(route: str) -> list[type]:
    return list(_PAGES.get(route, []))


def state_for(route: str):
    """The page's first registered State (most pages have one)."""
    states = _PAGES.get(route)
    return states[0] if states else None
