"""services/saved_views: an agent's own queue views, validated like the queue's URL."""

from __future__ import annotations

import pytest

from helpdesk.domain.accounts import Role
from helpdesk.domain.saved_views import SavedView
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, saved_views
from helpdesk.services.errors import NotFound, PermissionDenied, ServiceError, ValidationError


@pytest.fixture
def people(db):
    with session_scope() as s:
        made = {
            key: accounts.create_user(s, email=f"{key}@x.test", password="password-123", name=key.title(), role=role)
            for key, role in (("ana", Role.AGENT), ("beto", Role.AGENT), ("admin", Role.ADMIN), ("cliente", Role.CUSTOMER))
        }
    return made


def _error(excinfo) -> str:
    return excinfo.value.errors["name"]


def test_normalize_keeps_only_known_keys_with_valid_values_in_one_order():
    raw = "sort=due&q=++router+%20roto+&page=4&assignee=none&status=pending&priority=bogus&evil=1&view=mine&service=12&organization=x1"
    assert saved_views.normalize(raw) == "view=mine&status=pending&service=12&assignee=none&q=router+roto&sort=due"
    # Unknown statuses, views and sorts are dropped; defaults are left out; so is the page.
    assert saved_views.normalize("?status=deleted&view=hacked&sort=x&page=2&category=consulta") == "category=consulta"
    assert saved_views.normalize("view=open&sort=activity") == ""
    assert saved_views.normalize("assignee=7&assignee=8") == "assignee=7"
    assert saved_views.normalize("q=" + "a" * 5000).count("a") == 100


def test_save_list_and_order(people):
    with session_scope() as s:
        first = saved_views.save(s, people["ana"], "  Urgentes   míos ", "priority=urgent&view=mine&page=3&x=<script>")
        saved_views.save(s, people["ana"], "Pendientes", "status=pending")
    assert first.name == "Urgentes míos" and first.query == "view=mine&priority=urgent"
    with session_scope() as s:
        assert [v.name for v in saved_views.list_views(s, people["ana"])] == ["Urgentes míos", "Pendientes"]
        assert saved_views.list_views(s, people["beto"]) == []
        assert s.get(SavedView, first.id).position == 1


@pytest.mark.parametrize("name, code", [("", "saved_views.name_required"), ("   \x00\t", "saved_views.name_required"),
                                        ("x" * 61, "saved_views.name_too_long"), ("PENDIENTES", "saved_views.name_taken")])
def test_bad_names_are_refused_with_a_field_error(people, name, code):
    with session_scope() as s:
        saved_views.save(s, people["ana"], "Pendientes", "status=pending")
    with session_scope() as s, pytest.raises(ValidationError) as excinfo:
        saved_views.save(s, people["ana"], name, "status=open")
    assert _error(excinfo) == code
    with session_scope() as s:
        # Another agent may use the same name: names are unique per agent only.
        assert saved_views.save(s, people["beto"], "Pendientes", "").name == "Pendientes"
        assert len(saved_views.list_views(s, people["ana"])) == 1


def test_limit_per_agent(people):
    with session_scope() as s:
        for i in range(saved_views.MAX_VIEWS):
            saved_views.save(s, people["ana"], f"Vista {i}", f"service={i + 1}")
    with session_scope() as s, pytest.raises(ServiceError) as excinfo:
        saved_views.save(s, people["ana"], "Una más", "")
    assert excinfo.value.code == "saved_views.limit" and excinfo.value.params == {"max": saved_views.MAX_VIEWS}
    with session_scope() as s:
        saved_views.delete(s, people["ana"], saved_views.list_views(s, people["ana"])[0].id)
        assert saved_views.save(s, people["ana"], "Una más", "").name == "Una más"


def test_rename_checks_the_name_and_ignores_the_view_itself(people):
    with session_scope() as s:
        a = saved_views.save(s, people["ana"], "Uno", "status=open")
        saved_views.save(s, people["ana"], "Dos", "status=new")
    with session_scope() as s:
        assert saved_views.rename(s, people["ana"], a.id, "uno").name == "uno"  # only its case changes
        with pytest.raises(ValidationError) as excinfo:
            saved_views.rename(s, people["ana"], a.id, "dos")
        assert _error(excinfo) == "saved_views.name_taken"
    with session_scope() as s:
        assert [v.name for v in saved_views.list_views(s, people["ana"])] == ["uno", "Dos"]


def test_an_agent_can_never_touch_another_agents_view(people):
    with session_scope() as s:
        theirs = saved_views.save(s, people["beto"], "De Beto", "status=pending")
    for act in (lambda s: saved_views.rename(s, people["ana"], theirs.id, "Mía"),
                lambda s: saved_views.delete(s, people["ana"], theirs.id),
                lambda s: saved_views.get_view(s, people["ana"], theirs.id),
                lambda s: saved_views.get_view(s, people["ana"], "1 OR 1=1")):
        with session_scope() as s, pytest.raises(NotFound):
            act(s)
    with session_scope() as s:
        row = s.get(SavedView, theirs.id)
        assert (row.name, row.user_id) == ("De Beto", people["beto"].id)
        assert saved_views.get_view(s, people["beto"], theirs.id).query == "status=pending"
        assert saved_views.delete(s, people["beto"], theirs.id).name == "De Beto"
        assert s.get(SavedView, theirs.id) is None


def test_customers_and_guests_have_no_views(people):
    for actor in (people["cliente"], None):
        with session_scope() as s, pytest.raises(PermissionDenied):
            saved_views.save(s, actor, "Mía", "status=open")
        with session_scope() as s, pytest.raises(PermissionDenied):
            saved_views.list_views(s, actor)
    with session_scope() as s:
        assert saved_views.save(s, people["admin"], "Admin", "").query == ""
