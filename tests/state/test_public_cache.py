"""The help-center home reads categories and popular articles from a short-lived cache shared by
every tab: an admin's change must show on the next page load, not after the TTL."""

from __future__ import annotations

import copy
import pickle

import pytest
from sqlmodel import select

from helpdesk import i18n
from helpdesk.domain.kb import Article, ArticleCategory
from helpdesk.infra import bus
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, kb_content, public_cache
from helpdesk.web.app_state import AppState
from helpdesk.web.pages.help_center.state import HelpCenterState
from tests.state.conftest import state_of


@pytest.fixture
def content(db):
    with session_scope() as s:
        kb_content.load_demo_content(s)


@pytest.fixture(autouse=True)
def long_ttl(monkeypatch):
    # Invalidation, not expiry, must be what makes the change visible.
    monkeypatch.setattr(public_cache, "TTL_SECONDS", 3600.0)


def _home(root):
    home = state_of(root, HelpCenterState)
    home.load_home()
    return home


def _category(slug_part: str = "") -> ArticleCategory:
    with session_scope() as s:
        return s.exec(select(ArticleCategory).order_by(ArticleCategory.position)).first()


def test_home_is_served_from_the_cache_without_queries(root, content, monkeypatch):
    _home(root)
    calls = []
    monkeypatch.setattr(kb, "list_categories", lambda *a, **k: calls.append(a) or [])
    home = _home(root)
    assert calls == [] and home.categories


def test_publishing_an_article_shows_on_the_next_home_load(root, content, people):
    cat = _category()
    before = {c.slug: c.count for c in _home(root).categories}
    with session_scope() as s:
        kb.create_article(s, people["agent"]["user"], title="Artículo nuevo de caché", body="Texto.",
                          category_id=cat.id, is_published=True)
    after = {c.slug: c.count for c in _home(root).categories}
    assert after[cat.slug] == before[cat.slug] + 1


def test_unpublishing_and_deleting_show_on_the_next_home_load(root, content, people):
    agent = people["agent"]["user"]
    popular = _home(root).popular
    top = popular[0]
    with session_scope() as s:
        article_id = s.exec(select(Article.id).where(Article.slug == top.slug)).one()
        kb.set_published(s, agent, article_id, False)
    assert top.slug not in [a.slug for a in _home(root).popular]
    with session_scope() as s:
        kb.set_published(s, agent, article_id, True)
    assert top.slug in [a.slug for a in _home(root).popular]
    with session_scope() as s:
        kb.delete_article(s, agent, article_id)
    assert top.slug not in [a.slug for a in _home(root).popular]


def test_renaming_a_category_shows_on_the_next_home_load(root, content):
    cat = _category()
    _home(root)
    with session_scope() as s:
        row = s.get(ArticleCategory, cat.id)
        row.name = "Categoría renombrada"
        s.add(row)
    assert "Categoría renombrada" in [c.name for c in _home(root).categories]


def test_a_rolled_back_change_keeps_the_cache(root, content, monkeypatch):
    cat = _category()
    _home(root)
    with pytest.raises(RuntimeError):
        with session_scope() as s:
            row = s.get(ArticleCategory, cat.id)
            row.name = "No guardado"
            s.add(row)
            s.flush()
            raise RuntimeError("abort")
    calls = []
    monkeypatch.setattr(kb, "list_categories", lambda *a, **k: calls.append(a) or [])
    _home(root)
    assert calls == []


def test_another_workers_change_clears_this_workers_copy(root, content):
    _home(root)
    with session_scope() as s:
        # Written behind the ORM's back: as if another worker had saved it.
        s.exec(ArticleCategory.__table__.update().values(name="Otro worker"))
    assert "Otro worker" not in [c.name for c in _home(root).categories]
    bus._deliver_local(public_cache.TOPIC, {"topic": public_cache.TOPIC})  # what the Redis listener does
    assert "Otro worker" in [c.name for c in _home(root).categories]


def test_a_value_loaded_across_an_invalidation_is_not_kept():
    loads = []

    def loader():
        loads.append(1)
        public_cache.invalidate()  # a commit lands while this reader is still querying
        return "stale"

    assert public_cache.get("k", loader) == "stale"
    assert public_cache.get("k", lambda: "fresh") == "fresh"


# ------------------------------------------------------------------ the translation catalog


def test_catalog_pickles_as_a_reference_and_is_shared():
    es = i18n.catalog("es")
    assert len(pickle.dumps(es)) < 200
    assert pickle.loads(pickle.dumps(es)) is es
    assert copy.deepcopy(es) is es and pickle.loads(pickle.dumps(i18n.catalog("en"))) is i18n.catalog("en")


def test_load_app_does_not_resend_the_catalog_when_the_language_is_unchanged(root):
    app = state_of(root, AppState)
    app.dirty_vars.clear()
    app.load_app()
    assert "t" not in app.dirty_vars and "locale" not in app.dirty_vars
    app.locale_pref = "en"
    app.dirty_vars.clear()
    app.load_app()
    assert {"t", "locale"} <= app.dirty_vars and app.t["nav.login"] == i18n.catalog("en")["nav.login"]
