"""The knowledge loop's States in-process: gaps, synonyms and article figures on /agent/articles,
and "draft an article" on the agent ticket page; refused to a customer by every handler."""

from __future__ import annotations

import inspect

import pytest
from reflex.istate.data import RouterData
from sqlmodel import select

from helpdesk.domain.catalog import Service
from helpdesk.domain.kb import Article, Synonym
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, kb_content, tickets
from helpdesk.web.pages.agent_ticket.kb_draft import KbDraftState
from helpdesk.web.pages.kb_admin.loop_state import KbLoopState
from helpdesk.web.pages.kb_admin.state import KbAdminState
from helpdesk.web.pages.kb_admin.stats_state import KbStatsState
from tests.state.conftest import sign_in, state_of


def drain(result):
    """Run a handler's result to the end (generators yield their intermediate updates)."""
    return list(result) if inspect.isgenerator(result) else result


def on_ticket_page(root, number: int) -> None:
    root.router = RouterData.from_router_data({
        "pathname": "/agent/tickets/[id]", "asPath": f"/agent/tickets/{number}", "query": {"id": str(number)},
        "headers": {"origin": "http://localhost:3000"}, "token": "tab-token",
    })


@pytest.fixture
def solved(db, people):
    with session_scope() as s:
        kb_content.load_demo_content(s)
        s.add(Service(name="Facturación"))
        s.flush()
        service_id = s.exec(select(Service.id)).first()
        t = tickets.create_ticket(s, people["customer"]["user"], tickets.TicketDraft(
            subject="No encuentro la factura", description="Soy Customer, escribid a cliente@x.test",
            category="consulta", service_id=service_id))
        tickets.add_message(s, people["agent"]["user"], t.number, "Está en Mi cuenta > Facturas.")
        tickets.change_status(s, people["agent"]["user"], t.number, "solved")
        kb.log_search(s, "alquiler de furgonetas", 0)
        return t.number


def test_a_customer_gets_nothing_from_any_knowledge_handler(root, people, solved):
    sign_in(root, people["customer"]["token"])
    with session_scope() as s:
        before = (s.exec(select(Article.id)).all(), s.exec(select(Synonym.id, Synonym.terms)).all())
    loop, stats, admin = state_of(root, KbLoopState), state_of(root, KbStatsState), state_of(root, KbAdminState)
    drain(loop.load_loop())
    loop.syn_terms = "factura, recibo, cuponcito"
    drain(loop.save_synonyms())
    drain(loop.delete_synonyms(1))
    drain(stats.load_stats(1))
    drain(admin.draft_from_ticket(solved))
    on_ticket_page(root, solved)
    drafter = state_of(root, KbDraftState)
    drain(drafter.draft_article())
    assert loop.gaps == [] and loop.synonym_groups == [] and loop.synonym_hits == []
    assert stats.weeks == [] and stats.stats_id == 0
    assert drafter.draft_href == "" and admin.edit_id == 0
    with session_scope() as s:
        after = (s.exec(select(Article.id)).all(), s.exec(select(Synonym.id, Synonym.terms)).all())
    assert after == before


def test_agent_sees_gaps_manages_synonyms_and_reads_figures(root, people, solved):
    sign_in(root, people["agent"]["token"])
    loop = state_of(root, KbLoopState)
    drain(loop.load_loop())
    assert not loop.gaps_loading and loop.gaps_loaded
    assert [g.question for g in loop.gaps] == ["alquiler de furgonetas"]
    assert loop.synonym_groups  # the shipped groups (migration 0016)
    loop.set_syn_terms("furgoneta, camioneta")
    drain(loop.save_synonyms())
    assert loop.syn_error == "" and any(g.terms == "furgoneta, camioneta" for g in loop.synonym_groups)
    loop.set_syn_terms("solo")
    drain(loop.save_synonyms())
    assert loop.syn_error  # one entry is not a group

    with session_scope() as s:
        article_id = s.exec(select(Article.id).where(Article.slug == "descargar-facturas")).one()
    admin = state_of(root, KbAdminState)
    admin.load()
    admin.edit_article(article_id)
    stats = state_of(root, KbStatsState)
    drain(stats.load_stats(article_id))
    assert stats.stats_id == article_id and len(stats.weeks) == 12 and not stats.stats_loading


def test_agent_drafts_from_the_solved_ticket_page(root, people, solved):
    sign_in(root, people["agent"]["token"])
    on_ticket_page(root, solved)
    drafter = state_of(root, KbDraftState)
    drain(drafter.draft_article())
    assert drafter.draft_error == "" and drafter.draft_href.startswith("/agent/articles?edit=")
    article_id = int(drafter.draft_href.rsplit("=", 1)[1])
    with session_scope() as s:
        article = s.get(Article, article_id)
        assert not article.is_published and "cliente@x.test" not in article.body
    # Another ticket's page in the same tab forgets the link.
    on_ticket_page(root, solved + 1)
    drafter.forget_draft()
    assert drafter.draft_href == ""
