"""The queue's view, filters, search, sort and page in the address bar, so that a reload or a
shared link shows the same list: `/agent?view=all&status=open&assignee=7&q=router&page=2`.

Plain functions (no Reflex): reading accepts anything and keeps only well-formed values (the
service validates again); writing makes the query string. They live below the web floor so the
saved views (services/saved_views.py) store exactly what the queue reads back; the script that
puts the URL in the address bar stays in web/pages/agent/url_filters.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

# URL name -> the queue state's filter key
FILTER_PARAMS = {
    "status": "status",
    "priority": "priority",
    "category": "category",
    "service": "service_id",
    "organization": "organization_id",
    "assignee": "assignee_id",
}
MAX_VALUE = 20
MAX_Q = 200


def read(params: dict, *, views, sorts, default_view: str = "open") -> dict:
    """Query parameters -> {"view", "sort", "page", "filters", "search"} with safe values."""
    def one(key: str) -> str:
        value = params.get(key, "")
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        return str(value or "").strip()

    view = one("view")
    sort = one("sort")
    page = one("page")
    filters = {}
    for name, key in FILTER_PARAMS.items():
        value = one(name)[:MAX_VALUE]
        if value and (value.isalnum() or value.replace("_", "").isalnum()):
            filters[key] = value
    return {
        "view": view if view in views else default_view,
        "sort": sort if sort in sorts else "activity",
        "page": int(page) if page.isdigit() and len(page) < 6 and int(page) > 0 else 1,
        "filters": filters,
        "search": " ".join(one("q").split())[:MAX_Q],
    }


def query(view: str, sort: str, page: int, filters: dict, search: str, *, all_value: str = "all") -> str:
    """The query string for the current list (defaults left out, so a plain queue stays `/agent`)."""
    pairs: list[tuple[str, str]] = []
    if view and view != "open":
        pairs.append(("view", view))
    for name, key in FILTER_PARAMS.items():
        value = str(filters.get(key, "") or "")
        if value and value != all_value:
            pairs.append((name, value))
    if search:
        pairs.append(("q", search))
    if sort and sort != "activity":
        pairs.append(("sort", sort))
    if page and int(page) > 1:
        pairs.append(("page", str(int(page))))
    return urlencode(pairs)

