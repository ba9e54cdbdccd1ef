"""Issue 15 (the first day): words and numbers per locale, the canned ticket id, and what
agents see of the customers' ratings."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from helpdesk import i18n
from helpdesk.domain.accounts import Role
from helpdesk.domain.catalog import Service
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, canned, csat, csat_view, queue, seed, tickets
from helpdesk.services.errors import PermissionDenied


def test_percent_follows_the_locale():
    assert i18n.percent(66.6667, "es") == "66,7\u00a0%"
    assert i18n.percent(66.6667, "en") == "66.7%"
    assert i18n.percent(100.0, "es") == "100\u00a0%"
    assert i18n.percent(None, "es") == ""


def test_plural_uses_the_one_form_for_one():
    assert i18n.plural("dashboard.searches", 1, "es") == "1 búsqueda"
    assert i18n.plural("dashboard.searches", 3, "es") == "3 búsquedas"
    assert i18n.plural("dashboard.searches", 1, "en") == "1 search"


def test_dates_show_no_seconds():
    at = datetime(2026, 12, 7, 15, 30, 42, tzinfo=timezone.utc)
    assert i18n.full_datetime(at, "es") == "7 dic 2026, 16:30"
    assert ":42" not in i18n.full_datetime(at, "en")


def test_every_new_key_exists_in_both_languages():
    es, en = i18n.catalog("es"), i18n.catalog("en")
    assert set(es) == set(en), sorted(set(es) ^ set(en))


@pytest.fixture
def world(db):
    with session_scope() as s:
        seed.ensure_configuration(s)
        service = Service(name="Internet")
        s.add(service)
        s.flush()
        mk = lambda email, **kw: accounts.create_user(s, email=email, password="password-123", **kw)  # noqa: E731
        out = {
            "customer": mk("ana@x.test", name="Ana"),
            "agent": mk("carlos@x.test", name="Carlos", role=Role.AGENT),
            "admin": mk("root@x.test", name="Root", role=Role.ADMIN),
        }
        ticket = tickets.create_ticket(
            s, out["customer"], tickets.TicketDraft(subject="Router", description="Se reinicia cada hora.", category="anomalia", service_id=service.id)
        )
    return {**out, "ticket": ticket}


def test_canned_hash_before_ticket_id_is_not_doubled(world):
    with session_scope() as s:
        row = canned.create(s, world["admin"], "Ref", "Tu referencia: #{ticket_id} ({ticket_id}).")
    with session_scope() as s:
        text = canned.render(s, world["agent"], row.id, world["ticket"])
    number = world["ticket"].number
    assert text == f"Tu referencia: #{number} (#{number})."


def test_agents_see_the_latest_rating_in_ticket_queue_and_dashboard(world):
    number = world["ticket"].number
    with session_scope() as s:
        tickets.change_status(s, world["agent"], number, "solved")
    with session_scope() as s:
        t = tickets.get_ticket(s, world["agent"], number)
        csat.record_rating(s, t, tickets.solve_round(s, t), "bad", "Muy lento")
    with session_scope() as s:
        t = tickets.get_ticket(s, world["agent"], number)
        rating = csat_view.latest(s, world["agent"], t)
        assert (rating.rating, rating.comment) == ("bad", "Muy lento")
        rows = queue.list_queue(s, world["agent"], view="solved").rows
        assert [(r.number, r.csat) for r in rows] == [(number, "bad")]
        recent = csat_view.recent(s, world["agent"])
        assert [(r.number, r.rating, r.comment) for r in recent] == [(number, "bad", "Muy lento")]
        with pytest.raises(PermissionDenied):
            csat_view.recent(s, world["customer"])


def test_demo_seed_brings_canned_responses_in_both_languages_once(db):
    from helpdesk.services.canned_seed import DEMO_CANNED, seed_canned_responses

    with session_scope() as s:
        assert seed_canned_responses(s) == len(DEMO_CANNED)
    with session_scope() as s:
        assert seed_canned_responses(s) == 0
        admin = accounts.create_user(s, email="a@x.test", password="password-123", name="A", role=Role.ADMIN)
        rows = canned.list_responses(s, admin)
    assert {r.locale for r in rows} == {"es", "en"}
    for r in rows:  # every placeholder they use is one the renderer knows
        canned._validate(r.title, r.body, r.locale)


def test_spanish_mails_say_tu_like_the_rest_of_the_product():
    import re
    from pathlib import Path

    import helpdesk

    for path in (Path(helpdesk.__file__).parent / "templates" / "mail").glob("*.es.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(usted|[Ss]u ticket|[Ss]u solicitud|[Ll]e (damos|hemos)|responda|ignore|valora )", text), path.name


def test_article_html_is_rendered_on_the_server_and_stays_safe():
    from helpdesk.web.pages.help_center.markdown import article_html

    html = article_html("## Pasos\n\n1. Uno\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://ejemplo.es)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Pasos</h2>" in html and "<ol>" in html and "<table>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html and 'href="https://ejemplo.es"' in html
