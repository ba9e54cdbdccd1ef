"""Help-center services: articles, votes, search log, analytics and the demo content loader."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import Article, ArticleCategory, ArticleVote, SearchQuery
from helpdesk.domain.tickets import Ticket
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, kb_content, kb_votes, search
from helpdesk.services.errors import NotFound, PermissionDenied, ValidationError


def _user(email, role):
    with session_scope() as s:
        user = User(email=email, name=email.split("@")[0], role=role, password_hash="x")
        s.add(user)
        s.flush()
        return user


@pytest.fixture
def staff(db):
    return _user("agente@example.com", "agent")


@pytest.fixture
def customer(db):
    return _user("cliente@example.com", "customer")


@pytest.fixture
def category(db):
    with session_scope() as s:
        cat = ArticleCategory(slug="cuenta", name="Cuenta", name_en="Account", position=1)
        s.add(cat)
        s.flush()
        return cat


def _article(staff, title="Cambiar la contraseña", body="Abre Mi perfil.", **kw):
    kw.setdefault("is_published", True)
    with session_scope() as s:
        return kb.create_article(s, staff, title=title, body=body, **kw)


# --- Editing ---------------------------------------------------------------------------


def test_only_staff_can_edit(staff, customer):
    article = _article(staff)
    inactive = _user("baja@example.com", "agent")
    with session_scope() as s:
        s.get(User, inactive.id).is_active = False
    inactive.is_active = False
    for actor in (None, customer, inactive):
        with pytest.raises(PermissionDenied), session_scope() as s:
            kb.create_article(s, actor, title="X", body="Y")
        with pytest.raises(PermissionDenied), session_scope() as s:
            kb.update_article(s, actor, article.id, title="X")
        with pytest.raises(PermissionDenied), session_scope() as s:
            kb.set_published(s, actor, article.id, False)
        with pytest.raises(PermissionDenied), session_scope() as s:
            kb.delete_article(s, actor, article.id)
        with pytest.raises(PermissionDenied), session_scope() as s:
            kb.staff_articles(s, actor)


def test_create_validates_and_derives_the_slug(staff, category):
    article = _article(staff, title="  Cómo añadir un compañero  ", summary=" Resumen ", category_id=category.id,
                       related_slugs=" a, b ,a,,", is_published=False)
    assert article.slug == "como-anadir-un-companero"
    assert (article.title, article.summary, article.related_slugs) == ("Cómo añadir un compañero", "Resumen", "a,b")
    assert article.is_published is False and article.created_at.tzinfo is not None

    with pytest.raises(ValidationError) as err, session_scope() as s:
        kb.create_article(s, staff, title="", body="", slug="Mal Slug!", locale="fr", category_id=999)
    assert err.value.errors == {"title": "errors.required", "body": "errors.required", "slug": "errors.invalid_slug",
                                "locale": "errors.invalid_choice", "category_id": "errors.invalid_choice"}
    with pytest.raises(ValidationError) as err, session_scope() as s:
        kb.create_article(s, staff, title="Otro", body="x", slug=article.slug)
    assert err.value.errors == {"slug": "errors.slug_taken"}
    with pytest.raises(ValidationError) as err, session_scope() as s:
        kb.create_article(s, staff, title="x" * 201, body="x", slug="largo")
    assert err.value.errors == {"title": "errors.too_long"}


def test_update_changes_fields_and_timestamp_and_refuses_bad_values_whole(staff):
    article = _article(staff)
    other = _article(staff, title="Otro artículo")
    with session_scope() as s:
        updated = kb.update_article(s, staff, article.id, title="Nuevo título", body="Nuevo cuerpo")
    assert updated.title == "Nuevo título" and updated.updated_at > article.updated_at
    assert updated.updated_at.tzinfo is not None

    with pytest.raises(ValidationError) as err, session_scope() as s:
        kb.update_article(s, staff, article.id, title="Cambio válido", slug=other.slug)
    assert err.value.errors == {"slug": "errors.slug_taken"}
    with session_scope() as s:
        assert s.get(Article, article.id).title == "Nuevo título"  # nothing half-applied

    with session_scope() as s:
        same = kb.update_article(s, staff, article.id, title="Nuevo título")
    assert same.updated_at == updated.updated_at  # no change, no new timestamp
    with pytest.raises(TypeError), session_scope() as s:
        kb.update_article(s, staff, article.id, views=1000)
    with pytest.raises(NotFound), session_scope() as s:
        kb.update_article(s, staff, 99999, title="x")


def test_get_article_hides_drafts_and_counts_public_views(staff, customer):
    draft = _article(staff, title="Borrador", is_published=False)
    published = _article(staff, title="Publicado")
    for actor in (None, customer):
        with pytest.raises(NotFound), session_scope() as s:
            kb.get_article(s, draft.slug, actor)
    with pytest.raises(NotFound), session_scope() as s:
        kb.get_article(s, "no-existe", None)
    with session_scope() as s:
        assert kb.get_article(s, draft.slug, staff).id == draft.id

    for expected in (1, 2):
        with session_scope() as s:
            assert kb.get_article(s, published.slug, customer).views == expected
    with session_scope() as s:
        kb.get_article(s, published.slug, staff)  # editors previewing do not count
        kb.get_article(s, published.slug, None, count_view=False)
    with session_scope() as s:
        assert s.get(Article, published.id).views == 2


def test_categories_and_listings(staff, category):
    a = _article(staff, title="Artículo A", category_id=category.id, related_slugs="articulo-c,articulo-b")
    b = _article(staff, title="Artículo B", category_id=category.id)
    c = _article(staff, title="Artículo C", category_id=category.id)
    _article(staff, title="Borrador D", category_id=category.id, is_published=False)
    en = _article(staff, title="Article B", slug="article-b-en", locale="en", translation_key="b",
                  category_id=category.id)
    with session_scope() as s:
        s.get(Article, b.id).translation_key = "b"
        s.get(Article, b.id).views = 10
        s.get(Article, c.id).views = 5

    with session_scope() as s:
        [view] = kb.list_categories(s, "es")
        assert (view.slug, view.name, view.article_count) == ("cuenta", "Cuenta", 3)
        assert kb.list_categories(s, "en")[0].name == "Account"
        info, articles = kb.category_articles(s, "cuenta", "es")
        assert info.article_count == 3 and [x.slug for x in articles] == ["articulo-a", "articulo-b", "articulo-c"]
        with pytest.raises(NotFound):
            kb.category_articles(s, "nada", "es")
        assert [x.slug for x in kb.popular_articles(s, "es", limit=2)] == ["articulo-b", "articulo-c"]
        # Own links first, in their order, then the category's most read.
        assert [x.slug for x in kb.related_articles(s, s.get(Article, a.id))] == ["articulo-c", "articulo-b"]
        assert [x.slug for x in kb.related_articles(s, s.get(Article, c.id))] == ["articulo-b", "articulo-a"]
        assert kb.article_translation(s, s.get(Article, b.id), "en").id == en.id
        assert kb.article_translation(s, s.get(Article, a.id), "en") is None


def test_delete_removes_votes_and_keeps_search_history(staff):
    article = _article(staff)
    with session_scope() as s:
        kb.vote(s, article.id, "b:1", False, "mal")
        search_id = kb.log_search(s, "contraseña", 1, "helpcenter", "b:1")
        kb.mark_search_clicked(s, search_id, article.id)
    with session_scope() as s:
        kb.delete_article(s, staff, article.id)
    with session_scope() as s:
        assert s.get(Article, article.id) is None
        assert s.exec(select(ArticleVote)).all() == []
        assert s.get(SearchQuery, search_id).clicked_article_id is None


# --- Votes -----------------------------------------------------------------------------


def test_votes_are_one_per_voter_and_never_double_counted(staff):
    article = _article(staff)
    with session_scope() as s:
        kb.vote(s, article.id, "u:1", True)
        kb.vote(s, article.id, "u:1", True)
        kb.vote(s, article.id, "b:abc", False, "No explica el paso 3")
        assert kb.vote_counts(s, article.id) == {"helpful": 1, "not_helpful": 1, "total": 2}
        kb.vote(s, article.id, "u:1", False)  # changed their mind
        assert kb.vote_counts(s, article.id) == {"helpful": 0, "not_helpful": 2, "total": 2}
        assert kb.my_vote(s, article.id, "u:1") is False and kb.my_vote(s, article.id, "u:2") is None
        assert s.exec(select(func.count()).select_from(ArticleVote)).one() == 2


def test_vote_comments_only_on_no_and_capped(staff):
    article = _article(staff)
    with session_scope() as s:
        assert kb.vote(s, article.id, "u:1", True, "genial").comment == ""
        row = kb.vote(s, article.id, "u:1", False, "x" * 5000)
        assert row.comment == "x" * kb.COMMENT_MAX
        assert kb.vote(s, article.id, "u:1", False).comment == "x" * kb.COMMENT_MAX  # a bare "no" keeps it
        assert kb.vote(s, article.id, "u:1", True).comment == ""


def test_votes_need_a_voter_and_a_published_article(staff):
    draft = _article(staff, is_published=False)
    published = _article(staff, title="Otro")
    with pytest.raises(NotFound), session_scope() as s:
        kb.vote(s, draft.id, "u:1", True)
    with pytest.raises(NotFound), session_scope() as s:
        kb.vote(s, 99999, "u:1", True)
    with pytest.raises(ValidationError), session_scope() as s:
        kb.vote(s, published.id, "  ", True)
    with pytest.raises(ValidationError), session_scope() as s:
        kb.vote(s, published.id, "x" * 81, True)


def test_concurrent_first_votes_leave_one_row(staff, monkeypatch):
    article = _article(staff)
    with pytest.raises(IntegrityError), session_scope() as s:
        s.add(ArticleVote(article_id=article.id, voter_key="u:7", helpful=True))
        s.add(ArticleVote(article_id=article.id, voter_key="u:7", helpful=False))
    with session_scope() as s:
        kb.vote(s, article.id, "u:7", True)
    # The other request looked before this row existed, then tries to insert its own.
    original, calls = kb_votes._vote_row, []

    def stale_first_look(*args):
        calls.append(args)
        return None if len(calls) == 1 else original(*args)

    monkeypatch.setattr(kb_votes, "_vote_row", stale_first_look)
    with session_scope() as s:
        row = kb.vote(s, article.id, "u:7", False, "ya no")
        assert (row.helpful, row.comment) == (False, "ya no")
    with session_scope() as s:
        assert kb.vote_counts(s, article.id) == {"helpful": 0, "not_helpful": 1, "total": 1}


# --- Search log and analytics ----------------------------------------------------------


def _ticket(requester):
    with session_scope() as s:
        ticket = Ticket(number=1000 + requester.id, subject="Ayuda", category="consulta", requester_id=requester.id)
        s.add(ticket)
        s.flush()
        return ticket


def test_log_search_normalizes_and_collapses_typing(staff):
    with session_scope() as s:
        first = kb.log_search(s, "  Contras", 3, "helpcenter", "b:1")
        again = kb.log_search(s, "Contraseña  olvidada", 1, "helpcenter", "b:1")
        other_visitor = kb.log_search(s, "contraseña", 1, "helpcenter", "b:2")
        other_source = kb.log_search(s, "contraseña", 1, "ticket_form", "b:1")
        anonymous = [kb.log_search(s, "factura", 2), kb.log_search(s, "factura", 2)]
        assert kb.log_search(s, " ¿? ", 0) is None
        with pytest.raises(ValueError):
            kb.log_search(s, "x", 0, "otro")
    assert first == again
    assert len({first, other_visitor, other_source, *anonymous}) == 5
    with session_scope() as s:
        row = s.get(SearchQuery, first)
        assert (row.query, row.normalized, row.results) == ("Contraseña olvidada", "contraseña olvidada", 1)


def test_log_search_starts_a_new_row_after_a_click_or_a_pause(staff):
    article = _article(staff)
    with session_scope() as s:
        first = kb.log_search(s, "contraseña", 1, "helpcenter", "b:1")
        kb.mark_search_clicked(s, first, article.id)
        second = kb.log_search(s, "contraseña nueva", 1, "helpcenter", "b:1")
        s.get(SearchQuery, second).created_at = utcnow() - timedelta(minutes=5)
        s.flush()
        third = kb.log_search(s, "contraseña nueva larga", 1, "helpcenter", "b:1")
        kb.mark_search_clicked(s, 99999, article.id)  # unknown ids are ignored
        kb.mark_search_clicked(s, third, 99999)
    assert len({first, second, third}) == 3
    with session_scope() as s:
        assert s.get(SearchQuery, first).clicked_article_id == article.id
        assert s.get(SearchQuery, third).clicked_article_id is None


def test_searches_are_linked_to_the_ticket_that_followed(staff, customer):
    ticket = _ticket(customer)
    with session_scope() as s:
        old = kb.log_search(s, "factura duplicada", 0, "helpcenter", "b:1")
        s.get(SearchQuery, old).created_at = utcnow() - timedelta(hours=3)
        recent = kb.log_search(s, "cobro doble", 0, "ticket_form", "b:1")
        stranger = kb.log_search(s, "cobro doble", 0, "ticket_form", "b:2")
    with session_scope() as s:
        assert kb.link_searches_to_ticket(s, "b:1", ticket.id, utcnow() - timedelta(hours=1)) == 1
        assert kb.link_searches_to_ticket(s, "", ticket.id, utcnow() - timedelta(days=1)) == 0
    with session_scope() as s:
        assert s.get(SearchQuery, recent).ticket_id == ticket.id
        assert s.get(SearchQuery, old).ticket_id is None and s.get(SearchQuery, stranger).ticket_id is None


def test_analytics_are_for_staff_only(customer):
    calls = [kb.top_queries, kb.no_result_queries, kb.worst_articles, kb.searches_followed_by_ticket,
             kb.deflection_funnel]
    for call in calls:
        for actor in (None, customer):
            with pytest.raises(PermissionDenied), session_scope() as s:
                call(s, actor)


def test_analytics_figures(staff, customer):
    good = _article(staff, title="Bueno")
    bad = _article(staff, title="Malo")
    ticket = _ticket(customer)
    with session_scope() as s:
        for visitor in ("b:1", "b:2", "b:3"):
            kb.log_search(s, "Contraseña", 2, "helpcenter", visitor)
        clicked = kb.log_search(s, "factura", 1, "helpcenter", "b:4")
        kb.mark_search_clicked(s, clicked, good.id)
        kb.log_search(s, "zzz", 0, "helpcenter", "b:5")
        kb.log_search(s, "zzz", 0, "helpcenter", "b:6")
        kb.log_search(s, "baja", 0, "ticket_form", "b:7")
        kb.link_searches_to_ticket(s, "b:7", ticket.id, utcnow() - timedelta(minutes=5))
        kb.vote(s, good.id, "u:1", True)
        kb.vote(s, good.id, "u:2", True)
        kb.vote(s, bad.id, "u:1", False, "Falta el paso 2")
        kb.vote(s, bad.id, "u:2", True)

    with session_scope() as s:
        top = kb.top_queries(s, staff)
        assert top[0] == {"query": "contraseña", "searches": 3, "avg_results": 2.0, "clicks": 0}
        assert {"query": "factura", "searches": 1, "avg_results": 1.0, "clicks": 1} in top
        assert kb.no_result_queries(s, staff)[0]["query"] == "zzz"
        assert kb.no_result_queries(s, staff)[0]["searches"] == 2
        worst = kb.worst_articles(s, staff)
        assert [w["slug"] for w in worst] == [bad.slug, good.slug]
        assert worst[0]["helpful_ratio"] == 0.5 and worst[0]["comments"] == ["Falta el paso 2"]
        followed = kb.searches_followed_by_ticket(s, staff)
        assert [(f["query"], f["ticket_number"]) for f in followed] == [("baja", ticket.number)]
        funnel = kb.deflection_funnel(s, staff)
        assert funnel == {"searches": 7, "with_results": 4, "clicked": 1, "tickets_after_search": 1,
                          "deflected": 1, "deflection_rate": round(1 / 7, 3)}
        assert kb.deflection_funnel(s, staff, since=utcnow() + timedelta(days=1))["searches"] == 0


# --- Demo content ----------------------------------------------------------------------


def _write_content(root: Path) -> Path:
    (root / "articles" / "es").mkdir(parents=True)
    (root / "articles" / "en").mkdir(parents=True)
    (root / "categories.json").write_text(
        '[{"slug": "cuenta", "name": "Cuenta", "name_en": "Account", "icon": "key", "position": 1}]',
        encoding="utf-8",
    )
    (root / "articles" / "es" / "cambiar-clave.md").write_text(
        "---\nslug: cambiar-clave\ntitle: Cambiar la contraseña\nsummary: \"Desde Mi perfil: rápido\"\n"
        "category: cuenta\ntranslation_key: change-password\nrelated: otra, mas\n---\n\n"
        "# Pasos\n\nAbre **Mi perfil**.\n",
        encoding="utf-8",
    )
    (root / "articles" / "en" / "change-password.md").write_text(
        "---\nslug: change-password\ntitle: Change your password\ncategory: cuenta\n"
        "translation_key: change-password\n---\nOpen your profile.\n",
        encoding="utf-8",
    )
    return root


def test_front_matter_parser():
    meta, body = kb_content.parse_front_matter("---\ntitle: A: B\nsummary: 'x'\n# note\n---\nHola\n")
    assert meta == {"title": "A: B", "summary": "x"} and body == "Hola\n"
    for bad in ("sin cabecera", "---\ntitle: x\n", "---\nsin dos puntos\n---\n"):
        with pytest.raises(kb_content.ContentError):
            kb_content.parse_front_matter(bad)


def test_load_content_is_idempotent(db, tmp_path):
    root = _write_content(tmp_path / "content")
    with session_scope() as s:
        assert kb_content.load_demo_content(s, root) == 2
    with session_scope() as s:
        article = s.exec(select(Article).where(Article.slug == "cambiar-clave")).one()
        stamp, article_id = article.updated_at, article.id
        assert (article.summary, article.related_slugs, article.locale) == ("Desde Mi perfil: rápido", "otra,mas", "es")
        assert article.body.startswith("# Pasos") and article.is_published
        assert s.get(ArticleCategory, article.category_id).slug == "cuenta"
    with session_scope() as s:
        assert kb_content.load_demo_content(s, root) == 0
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(Article)).one() == 2
        assert s.exec(select(func.count()).select_from(ArticleCategory)).one() == 1
        again = s.get(Article, article_id)
        assert again.updated_at == stamp
        assert [h.slug for h in search.search_articles(s, "contraseña", "es")] == ["cambiar-clave"]
        assert [h.slug for h in search.search_articles(s, "password", "en")] == ["change-password"]


def test_real_demo_content_loads_twice_without_changes(db):
    files = kb_content.read_articles()
    with session_scope() as s:
        assert kb_content.load_demo_content(s) == len(files)
    with session_scope() as s:
        assert kb_content.load_demo_content(s) == 0
        assert s.exec(select(func.count()).select_from(Article)).one() == len(files)
        assert {a.locale for a in s.exec(select(Article))} <= {"es", "en"}
        slugs = {a.slug for a in s.exec(select(Article))}
        for article in s.exec(select(Article)):
            missing = {r for r in article.related_slugs.split(",") if r} - slugs
            assert not missing, (article.slug, missing)
