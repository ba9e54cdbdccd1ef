"""«Mis vistas» on the queue page, through AgentQueueState's handlers."""

from __future__ import annotations

from sqlmodel import select

from helpdesk.domain.saved_views import SavedView
from helpdesk.infra.db import session_scope
from helpdesk.services import saved_views
from helpdesk.web.pages.agent.state import AgentQueueState
from tests.state.conftest import sign_in, state_of


def _queue(root, token):
    sign_in(root, token)
    state = state_of(root, AgentQueueState)
    state.load()
    return state


def test_save_a_view_of_the_current_list_and_open_it_again(root, people):
    state = _queue(root, people["agent"]["token"])
    assert state.saved == [] and state.current_query == ""
    state.set_filter("priority", "urgent")
    state.set_view("mine")
    state.set_search("  router  ")
    state.start_save_view()
    assert state.view_dialog_open
    # The query comes from the State; a forged form field carrying one is ignored.
    state.submit_view_name({"name": "Mis urgentes", "query": "status=closed"})
    assert not state.view_dialog_open and state.saved_notice == "Vista «Mis urgentes» guardada."
    [item] = state.saved
    assert item.query == "view=mine&priority=urgent&q=router" and item.href == "/agent?view=mine&priority=urgent&q=router"
    assert state.current_query == item.query  # the page highlights it

    state.clear_filters()
    state.set_view("open")
    assert state.current_query != item.query
    before = state.search_key
    state.open_saved_view(item.id)
    assert (state.view, state.filters, state.search) == ("mine", {"priority": "urgent"}, "router")
    assert state.current_query == item.query and state.search_key != before


def test_a_refused_name_keeps_what_was_typed_and_says_why_in_the_agents_language(root, people):
    state = _queue(root, people["agent"]["token"])
    state.start_save_view()
    state.submit_view_name({"name": "Pendientes"})
    state.start_save_view()
    state.submit_view_name({"name": "   "})
    assert state.view_dialog_open and state.view_name_error == "Escribe un nombre para la vista."
    state.locale = "en"
    state.submit_view_name({"name": "pendientes"})
    assert state.view_dialog_open and state.view_name_draft == "pendientes"
    assert state.view_name_error == "You already have a view with that name. Pick another one."
    assert [v.name for v in state.saved] == ["Pendientes"]


def test_rename_and_delete_only_ones_own_views(root, people):
    with session_scope() as s:
        theirs = saved_views.save(s, people["admin"]["user"], "De la admin", "status=pending")
    state = _queue(root, people["agent"]["token"])
    state.start_save_view()
    state.submit_view_name({"name": "Mía"})
    mine = state.saved[0].id

    # Someone else's id: nothing opens, nothing is renamed or deleted.
    state.start_rename_view(theirs.id)
    assert not state.view_dialog_open
    state.ask_delete_view(theirs.id)
    assert not state.delete_dialog_open
    state.confirm_delete_view()
    state.open_saved_view(theirs.id)
    assert state.filters == {}
    with session_scope() as s:
        assert s.get(SavedView, theirs.id).name == "De la admin"

    state.start_rename_view(mine)
    assert state.view_dialog_open and state.view_name_draft == "Mía"
    state.submit_view_name({"name": "Nueva"})
    assert [v.name for v in state.saved] == ["Nueva"]
    state.ask_delete_view(mine)
    assert state.delete_dialog_open and state.delete_name == "Nueva"
    state.confirm_delete_view()
    assert state.saved == [] and not state.delete_dialog_open
    with session_scope() as s:
        assert s.get(SavedView, mine) is None and s.get(SavedView, theirs.id) is not None


def test_customers_cannot_save_or_see_views(root, people):
    with session_scope() as s:
        saved_views.save(s, people["agent"]["user"], "De la agente", "status=open")
    sign_in(root, people["customer"]["token"])
    state = state_of(root, AgentQueueState)
    state.load()
    assert state.saved == []
    state.start_save_view()
    state.submit_view_name({"name": "Colada"})
    assert not state.view_dialog_open and state.saved == []
    with session_scope() as s:
        assert list(s.exec(select(SavedView.name)).all()) == ["De la agente"]
