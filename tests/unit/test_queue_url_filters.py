"""The queue's settings in the address bar: read safely, written back without defaults."""

from __future__ import annotations

from helpdesk.web.pages.agent import url_filters

VIEWS = ("unassigned", "mine", "open", "all")
SORTS = ("activity", "due", "priority")


def test_round_trip():
    qs = url_filters.query("all", "due", 2, {"status": "open", "assignee_id": "7", "priority": "all"}, "router roto")
    assert qs == "view=all&status=open&assignee=7&q=router+roto&sort=due&page=2"
    from urllib.parse import parse_qs

    back = url_filters.read({k: v[0] for k, v in parse_qs(qs).items()}, views=VIEWS, sorts=SORTS)
    assert back == {"view": "all", "sort": "due", "page": 2, "filters": {"status": "open", "assignee_id": "7"}, "search": "router roto"}


def test_defaults_leave_a_plain_url():
    assert url_filters.query("open", "activity", 1, {}, "") == ""
    assert url_filters.read({}, views=VIEWS, sorts=SORTS)["view"] == "open"


def test_hostile_values_are_dropped():
    got = url_filters.read({"view": "<script>", "sort": "x", "page": "-3", "status": "open'--", "assignee": ["none"], "q": "a" * 500},
                           views=VIEWS, sorts=SORTS)
    assert got["view"] == "open" and got["sort"] == "activity" and got["page"] == 1
    assert got["filters"] == {"assignee_id": "none"} and len(got["search"]) == url_filters.MAX_Q
    script = url_filters.replace_script("/agent", url_filters.query("open", "activity", 1, {}, "'); alert(1); //\""))
    literal = script.split("'', ", 1)[1].rstrip(")")
    assert literal.startswith('"/agent?q=') and "'" not in literal and '"' not in literal[1:-1] and "(" not in literal
