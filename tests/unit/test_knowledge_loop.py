"""Issue 20's knowledge loop: gaps for writers (kb_gaps), drafts from solved tickets with the
customer's data scrubbed (kb_drafts), per-article figures over time (kb_stats)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.domain.kb import Article, ArticleViewDay, SearchQuery
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, kb, kb_drafts, kb_gaps, kb_stats, seed, tickets
from helpdesk.services.errors import NotFound, PermissionDenied, ValidationError


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        s.add(Service(name="Facturación", name_en="Billing"))
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", **kw)  # noqa: E731
        people = {
            "lucia": mk("lucia.perez@cliente.test", name="Lucía Pérez Gil", org_name="Talleres Ruiz"),
            "agent": mk("agente@x.test", name="Marta Agente", role=Role.AGENT),
            "other": mk("otra@x.test", name="Otra Persona"),
        }
        service_id = s.exec(select(Service.id)).first()
    return {"service": service_id, **people}


def _solved_ticket(world, status="solved"):
    draft = tickets.TicketDraft(
        subject="Lucía Pérez: no me llega la factura de marzo (ticket #77)",
        description=("Hola, soy Lucía Pérez de Talleres Ruiz. No me llega la factura a lucia.perez@cliente.test; "
                     "llamadme al +34 612 345 678 o al 91 555 12 34."),
        category="consulta", service_id=world["service"],
    )
    with session_scope() as s:
        t = tickets.create_ticket(s, world["lucia"], draft)
        tickets.add_message(s, world["agent"], t.number, "Nota interna: cliente de Talleres Ruiz", internal=True)
        tickets.add_message(s, world["agent"], t.number, "Primera respuesta provisional.")
        tickets.add_message(
            s, world["agent"], t.number,
            f"Hola Lucía: las facturas se descargan en Mi cuenta > Facturas. Te la reenvié a lucia.perez@cliente.test "
            f"(referencia #{t.number}). Un saludo.",
        )
        if status:
            tickets.change_status(s, world["agent"], t.number, status)
        return t


def _log(s, query, results, *, ago=timedelta(hours=1), clicked=None, ticket=None, ticket_after=None):
    search_id = kb.log_search(s, query, results)
    row = s.get(SearchQuery, search_id)
    row.created_at = utcnow() - ago
    row.clicked_article_id = clicked
    if ticket is not None:
        row.ticket_id = ticket.id
        t = s.get(Ticket, ticket.id)
        t.created_at = row.created_at + ticket_after
        s.add(t)
    s.add(row)
    s.flush()
    return search_id


# --- Gaps -------------------------------------------------------------------------------


def test_gaps_group_questions_by_meaning_with_the_tickets_they_led_to(world):
    ticket = _solved_ticket(world)
    with session_scope() as s:
        article = kb.create_article(s, world["agent"], title="Descargar facturas", body="Mi cuenta > Facturas",
                                    is_published=True)
        for query in ("no me llega la factura", "factura no llega", "no me llegan las facturas"):
            _log(s, query, 0)
        _log(s, "facturas no llegan", 2, clicked=article.id, ticket=ticket, ticket_after=timedelta(minutes=10))
        _log(s, "cambiar contraseña", 3)  # no click
        _log(s, "cambiar contraseña", 3, clicked=article.id)  # answered
        _log(s, "horario", 2, clicked=article.id)  # answered, and a ticket much later: not a gap
        _log(s, "dirección fiscal", 0, ago=timedelta(days=200))  # outside the period
    with session_scope() as s:
        found = kb_gaps.gaps(s, world["agent"])
    by_question = {g["meaning"]: g for g in found}
    invoice = found[0]
    assert invoice["meaning"] == kb_gaps.meaning_of("no me llega la factura")
    assert invoice["unanswered"] == 4 and invoice["no_results"] == 3 and invoice["tickets_after"] == 1
    assert invoice["question"] in invoice["phrasings"] and len(invoice["phrasings"]) == 3
    assert invoice["tickets"] == [{"number": ticket.number, "subject": ticket.subject, "status": "solved",
                                   "draftable": True}]
    password = by_question[kb_gaps.meaning_of("cambiar contraseña")]
    assert (password["unanswered"], password["no_click"], password["searches"]) == (1, 1, 2)
    assert kb_gaps.meaning_of("horario") not in by_question
    assert kb_gaps.meaning_of("dirección fiscal") not in by_question


def test_a_ticket_long_after_the_search_is_not_a_gap(world):
    ticket = _solved_ticket(world)
    with session_scope() as s:
        article = kb.create_article(s, world["agent"], title="Horario", body="De 9 a 18", is_published=True)
        _log(s, "horario de atención", 1, clicked=article.id, ticket=ticket, ticket_after=timedelta(minutes=45))
    with session_scope() as s:
        assert kb_gaps.gaps(s, world["agent"]) == []


def test_gaps_are_for_staff_only(world):
    with session_scope() as s:
        _log(s, "factura", 0)
        with pytest.raises(PermissionDenied):
            kb_gaps.gaps(s, world["lucia"])
        with pytest.raises(PermissionDenied):
            kb_gaps.gaps(s, None)


# --- Drafts -----------------------------------------------------------------------------


def test_scrub_replaces_customer_data_with_placeholders():
    text = ("Soy Lucía Pérez, lucia.perez@cliente.test, móvil +34 612 345 678, fijo 91-555-12-34, "
            "ticket #1042 y tique 1043. En 2026 pagué 10 euros por 3 líneas.")
    out = kb_drafts.scrub(text, names=["Lucía Pérez", "Lucía"], numbers=[1042], locale="es")
    assert out == ("Soy [cliente], [correo], móvil [teléfono], fijo [teléfono], ticket [n.º de ticket] y tique "
                   "[n.º de ticket]. En 2026 pagué 10 euros por 3 líneas.")
    english = kb_drafts.scrub("Call John on 0044 20 7946 0958 about case 5521", names=["John"], locale="en")
    assert english == "Call [customer] on [phone] about case [ticket no.]"


def test_draft_from_a_solved_ticket_is_unpublished_and_holds_no_customer_data(world):
    ticket = _solved_ticket(world)
    with session_scope() as s:
        draft = kb_drafts.draft_from_ticket(s, world["agent"], ticket.number)
    assert draft.created
    with session_scope() as s:
        article = s.get(Article, draft.article_id)
        assert article.is_published is False and article.source_ticket_id == ticket.id
        assert article.locale == "es"
        text = f"{article.title}\n{article.slug}\n{article.body}"
        for secret in ("Lucía", "lucia", "Pérez", "perez", "@", "612 345 678", "91 555 12 34", "Talleres Ruiz",
                       str(ticket.number), "#77", "Nota interna", "provisional"):
            assert secret not in text, secret
        assert "las facturas se descargan en Mi cuenta > Facturas" in article.body
        assert "No me llega la factura" in article.body
        assert article.body.index("## La pregunta") < article.body.index("## La respuesta")
        assert "[cliente]" in article.title and "[correo]" in article.body and "[teléfono]" in article.body
        # Drafts are not public.
        with pytest.raises(NotFound):
            kb.get_article(s, article.slug, None)
    with session_scope() as s:
        again = kb_drafts.draft_from_ticket(s, world["agent"], f"#{ticket.number}")
    assert (again.article_id, again.created) == (draft.article_id, False)


def test_a_draft_from_a_ticket_is_published_only_without_customer_data(world):
    ticket = _solved_ticket(world)
    with session_scope() as s:
        draft = kb_drafts.draft_from_ticket(s, world["agent"], ticket.number)
    for leak in ("Escríbenos a lucia.perez@cliente.test", "Llama al 612 345 678", "Gracias, Lucía",
                 f"Como en el ticket {ticket.number}"):
        with session_scope() as s:
            kb.update_article(s, world["agent"], draft.article_id, body=f"Mi cuenta > Facturas. {leak}")
            with pytest.raises(ValidationError) as err:
                kb.set_published(s, world["agent"], draft.article_id, True)
            assert err.value.errors == {"body": "errors.customer_data"}, leak
    with session_scope() as s:
        kb.update_article(s, world["agent"], draft.article_id, body="Las facturas están en Mi cuenta > Facturas.")
        assert kb.set_published(s, world["agent"], draft.article_id, True).is_published
    # Articles not drafted from a ticket are not checked (an address like soporte@… is fine there).
    with session_scope() as s:
        other = kb.create_article(s, world["agent"], title="Contacto", body="Escribe a soporte@empresa.test")
        assert kb.set_published(s, world["agent"], other.id, True).is_published


def test_only_solved_or_closed_tickets_with_an_answer_are_drafted(world):
    open_ticket = _solved_ticket(world, status=None)
    with session_scope() as s:
        with pytest.raises(ValidationError) as err:
            kb_drafts.draft_from_ticket(s, world["agent"], open_ticket.number)
        assert err.value.errors == {"ticket": "kbdraft.errors.not_solved"}
    with session_scope() as s:
        t = tickets.create_ticket(s, world["lucia"], tickets.TicketDraft(
            subject="Sin respuesta", description="Nadie me contesta nunca.", category="consulta",
            service_id=world["service"]))
        tickets.change_status(s, world["agent"], t.number, "solved")
    with session_scope() as s:
        with pytest.raises(ValidationError) as err:
            kb_drafts.draft_from_ticket(s, world["agent"], t.number)
        assert err.value.errors == {"ticket": "kbdraft.errors.no_answer"}
        with pytest.raises(NotFound):
            kb_drafts.draft_from_ticket(s, world["agent"], 99999)


def test_drafting_is_staff_only(world):
    ticket = _solved_ticket(world)
    with session_scope() as s:
        for who in (world["lucia"], world["other"], None):
            with pytest.raises((PermissionDenied, NotFound)):
                kb_drafts.draft_from_ticket(s, who, ticket.number)
        assert s.exec(select(Article)).all() == []


# --- Article figures ----------------------------------------------------------------------


def test_article_stats_by_week_views_votes_reasons_and_headed_off(world):
    ticket = _solved_ticket(world)
    now = utcnow()
    with session_scope() as s:
        article = kb.create_article(s, world["agent"], title="Descargar facturas", body="Mi cuenta", is_published=True)
        kb.get_article(s, article.slug, None)
        kb.get_article(s, article.slug, world["lucia"])
        kb.get_article(s, article.slug, world["agent"])  # staff previews do not count
        kb_stats.record_view(s, article.id, (now - timedelta(weeks=2)).date())
        kb.vote(s, article.id, "b:1", True)
        kb.vote(s, article.id, "b:2", False, "No dice dónde está el botón")
        kb.vote(s, article.id, "b:3", False)
        _log(s, "factura", 1, ago=timedelta(days=3), clicked=article.id)  # headed off
        _log(s, "facturas", 1, ago=timedelta(days=15), clicked=article.id)  # headed off, 2 weeks ago
        _log(s, "factura marzo", 1, ago=timedelta(days=2), clicked=article.id, ticket=ticket,
             ticket_after=timedelta(hours=5))  # a ticket followed: not headed off
        _log(s, "factura hoy", 1, ago=timedelta(hours=2), clicked=article.id)  # its 24 h are not over
        _log(s, "factura", 0, ago=timedelta(days=1))  # did not open it
    with session_scope() as s:
        stats = kb_stats.article_stats(s, world["agent"], article.id, weeks=4, now=now)
    assert (stats["views_total"], stats["views"]) == (2, 3)
    assert (stats["helpful"], stats["not_helpful"], stats["headed_off"], stats["pending"]) == (1, 2, 2, 1)
    assert [r["comment"] for r in stats["reasons"]] == ["No dice dónde está el botón"]
    assert len(stats["weeks"]) == 4 and stats["weeks"][-1]["week"] == kb_stats.week_of(now)
    assert sum(w["headed_off"] for w in stats["weeks"]) == 2
    assert stats["weeks"][-1]["views"] == 2 and stats["weeks"][-3]["views"] == 1
    assert stats["weeks"][-1]["helpful"] == 1 and stats["weeks"][-1]["not_helpful"] == 2
    with session_scope() as s:
        with pytest.raises(PermissionDenied):
            kb_stats.article_stats(s, world["lucia"], article.id)
        with pytest.raises(NotFound):
            kb_stats.article_stats(s, world["agent"], 999999)
        kb.delete_article(s, world["agent"], article.id)
    with session_scope() as s:
        assert s.exec(select(ArticleViewDay)).all() == []


def test_synonym_hits_show_in_the_analytics(world):
    with session_scope() as s:
        kb.log_search(s, "recibo de marzo", 2, synonyms=("recibo",))
        kb.log_search(s, "recibo", 0, synonyms=("recibo",))
        kb.log_search(s, "factura", 2)
    with session_scope() as s:
        assert kb_stats.synonym_hits(s, world["agent"]) == [
            {"words": "recibo", "searches": 2, "clicks": 0, "no_results": 1}]
        with pytest.raises(PermissionDenied):
            kb_stats.synonym_hits(s, world["lucia"])
