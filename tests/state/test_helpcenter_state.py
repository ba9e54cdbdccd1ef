"""Help center States in-process: search logging and clicks, one vote per voter, drafts for
staff only, safe Markdown, and the article editor refusing customers in every handler."""

from __future__ import annotations

import asyncio
import functools
import inspect

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import select

from helpdesk.domain.kb import Article, SearchQuery
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, kb_content
from helpdesk.web.pages.help_center.markdown import safe_markdown, safe_url
from helpdesk.web.pages.help_center.state import ArticleState, CategoryState, HelpCenterState
from helpdesk.web.pages.kb_admin.state import KbAdminState
from tests.state.conftest import sign_in, state_of
from tests.state.test_role_gates import HOSTILE_ARGS, _arity, _own_handlers

SCRIPT_BODY = "Hola <script>window.__pwned=1</script> mundo\n\n[pulsa](javascript:alert(1)) [bien](https://ejemplo.es)\n"


def run(result):
    return asyncio.run(result) if inspect.isawaitable(result) else result


def visit(root: rx.State, route: str, path: str, **params: str) -> None:
    root.router = RouterData.from_router_data({
        "pathname": route,
        "asPath": path,
        "query": params,
        "headers": {"origin": "http://localhost:3000"},
        "token": "tab-token",
    })


@pytest.fixture
def content(db):
    with session_scope() as s:
        kb_content.load_demo_content(s)


def _article_id(slug: str) -> int:
    with session_scope() as s:
        return s.exec(select(Article.id).where(Article.slug == slug)).one()


# ------------------------------------------------------------------ staff gate


def test_customer_is_denied_the_editor_on_load_and_by_every_handler(root, people, content):
    sign_in(root, people["customer"]["token"])
    state = state_of(root, KbAdminState)
    state.load()
    assert state.access == "denied"
    assert state.articles == [] and state.funnel == []
    with session_scope() as s:
        before = s.exec(select(Article.id, Article.title, Article.is_published)).all()
    handlers = _own_handlers(KbAdminState)
    assert {"save", "edit_article", "edit_field", "new_article"} <= set(handlers)
    for name in handlers:
        handler = getattr(KbAdminState, name)
        bound = functools.partial(handler.fn, state) if handler.is_background else getattr(state, name)
        nargs = _arity(KbAdminState, name)
        run(bound(*HOSTILE_ARGS[:nargs]) if nargs else bound())
    # A forged "edit, fill, save" sequence changes nothing and loads nothing into the tab.
    state.editing = True
    state.f_title, state.f_body, state.f_published = "Hackeado", "x", True
    state.edit_id = _article_id("recuperar-contrasena")
    state.save()
    with session_scope() as s:
        assert s.exec(select(Article.id, Article.title, Article.is_published)).all() == before
    assert state.articles == [] and state.top_queries == [] and state.worst == []


def test_agent_creates_a_draft_that_only_staff_can_read(root, people, content):
    sign_in(root, people["agent"]["token"])
    editor = state_of(root, KbAdminState)
    editor.load()
    assert editor.access == "ok" and editor.articles
    editor.new_article()
    editor.edit_field("title", "Borrador con HTML")
    editor.edit_body(SCRIPT_BODY)
    editor.save()
    assert editor.errors == {}, editor.errors
    assert editor.f_slug == "borrador-con-html"
    assert any(r.slug == "borrador-con-html" and not r.published for r in editor.articles)
    assert "javascript:" not in editor.preview

    reader = state_of(root, ArticleState)
    visit(root, "/articles/[slug]", "/articles/borrador-con-html", slug="borrador-con-html")
    run(reader.load())
    assert reader.found and reader.is_draft

    sign_in(root, people["customer"]["token"])
    run(reader.load())
    assert reader.loaded and not reader.found
    assert reader.title == "" and reader.body == ""


def test_invalid_slug_is_reported_on_the_field(root, people, content):
    sign_in(root, people["agent"]["token"])
    editor = state_of(root, KbAdminState)
    editor.load()
    editor.new_article()
    editor.edit_field("title", "Otro")
    editor.edit_field("slug", "recuperar-contrasena")
    editor.edit_body("texto")
    editor.save()
    assert "slug" in editor.errors and editor.form_error


# ------------------------------------------------------------------ reading and voting


def test_article_is_rendered_from_safe_markdown(root, people, content):
    with session_scope() as s:
        agent = s.get(type(people["agent"]["user"]), people["agent"]["user"].id)
        kb.create_article(s, agent, title="Con script", slug="con-script", body=SCRIPT_BODY, is_published=True)
    state = state_of(root, ArticleState)
    visit(root, "/articles/[slug]", "/articles/con-script", slug="con-script")
    run(state.load())
    assert state.found and not state.is_draft
    # The <script> stays in the text (rx.markdown(use_raw=False) shows it as text) ...
    assert "<script>window.__pwned=1</script>" in state.body
    # ... and the javascript: link is no link any more.
    assert "javascript:" not in state.body
    assert "(https://ejemplo.es)" in state.body


def test_one_vote_per_user_changeable_never_double_counted(root, people, content):
    sign_in(root, people["customer"]["token"])
    state = state_of(root, ArticleState)
    visit(root, "/articles/[slug]", "/articles/recuperar-contrasena", slug="recuperar-contrasena")
    run(state.load())
    article_id = _article_id("recuperar-contrasena")
    run(state.vote(True))
    run(state.vote(True))
    assert state.my_vote == "yes"
    with session_scope() as s:
        assert kb.vote_counts(s, article_id) == {"helpful": 1, "not_helpful": 0, "total": 1}
    # A reload remembers the answer.
    run(state.load())
    assert state.my_vote == "yes"
    run(state.vote(False))
    run(state.send_comment({"comment": "Faltan capturas"}))
    assert state.comment_sent
    with session_scope() as s:
        assert kb.vote_counts(s, article_id) == {"helpful": 0, "not_helpful": 1, "total": 1}
        assert kb.my_vote(s, article_id, f"u:{people['customer']['user'].id}") is False

    # A guest votes with this browser's key: a second, separate vote.
    sign_in(root, "")
    run(state.load())
    assert state.my_vote == ""
    run(state.vote(True))
    with session_scope() as s:
        assert kb.vote_counts(s, article_id)["total"] == 2


def test_unknown_article_and_category_are_friendly_not_found(root, content):
    article = state_of(root, ArticleState)
    visit(root, "/articles/[slug]", "/articles/nope", slug="nope")
    run(article.load())
    assert article.loaded and not article.found
    category = state_of(root, CategoryState)
    visit(root, "/categories/[slug]", "/categories/nope", slug="nope")
    category.load()
    assert category.loaded and not category.found
    visit(root, "/categories/[slug]", "/categories/cuenta-y-contrasenas", slug="cuenta-y-contrasenas")
    category.load()
    assert category.found and any(a.slug == "recuperar-contrasena" for a in category.articles)


# ------------------------------------------------------------------ home search


def test_search_logs_once_per_settled_query_and_records_the_click(root, content):
    home = state_of(root, HelpCenterState)
    home.load_home()
    assert home.categories and home.popular
    assert all(c.count >= 0 for c in home.categories)
    run(home.search("olvide mi contrasena"))
    assert home.searched and home.results[0].slug == "recuperar-contrasena"
    assert any(seg.hit for seg in home.results[0].snippet)
    home.opened_result("recuperar-contrasena")
    with session_scope() as s:
        rows = s.exec(select(SearchQuery)).all()
    assert len(rows) == 1
    assert rows[0].clicked_article_id == _article_id("recuperar-contrasena")
    assert rows[0].visitor_key  # the per-browser key shared with the ticket form

    run(home.search("xyzzy plutonio"))
    assert home.searched and home.results == []
    assert home.new_ticket_href == "/tickets/new?q=xyzzy%20plutonio"
    # Forged clicks on articles that were not in the results are ignored.
    home.opened_result("cambiar-contrasena")
    with session_scope() as s:
        assert s.exec(select(SearchQuery).where(SearchQuery.results == 0)).one().clicked_article_id is None


def test_english_reader_gets_english_results_first(root, content):
    home = state_of(root, HelpCenterState)
    home.locale_pref = "en"  # the language switch's LocalStorage choice
    home.load_home()
    run(home.search("forgot password"))
    assert home.results and home.results[0].locale == "en"


def test_home_page_load_is_one_handler_that_also_does_load_apps_part(root, content, people):
    """`/` runs only load_home (one state cycle less per page load with Redis), so it must
    set language and header identity exactly as load_app would."""
    import helpdesk.helpdesk as app_module
    from helpdesk.web.app_state import AppState

    assert [h.fn.__name__ for h in app_module.app.get_load_events("/")] == ["load_home"]
    assert [h.fn.__name__ for h in app_module.app.get_load_events("/tickets")][0] == "load_app"
    sign_in(root, people["customer"]["token"])
    home = state_of(root, HelpCenterState)
    home.locale_pref = "en"
    spec = home.load_home()
    app = state_of(root, AppState)
    assert (app.user_name, app.user_role, app.identity_loaded) == ("Customer", "customer", True)
    assert app.locale == "en" and home.home_loaded and home.categories
    assert "lang = 'en'" in str(spec)
    # Anonymous again (e.g. after logout in another tab): the header follows.
    app.token = ""
    home.load_home()
    assert (app.user_name, app.user_role) == ("", "")


# ------------------------------------------------------------------ markdown sanitizer


@pytest.mark.parametrize(
    "url,safe",
    [
        ("https://ejemplo.es/a", True),
        ("/articles/x", True),
        ("#apartado", True),
        ("mailto:soporte@ejemplo.es", True),
        ("otra-pagina", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("vbscript:msgbox", False),
        ("//elsewhere.example/x", True),  # an ordinary external link, not script
    ],
)
def test_safe_url(url, safe):
    assert (safe_url(url) == url) is safe
    if not safe:
        assert safe_url(url) == "#"


def test_safe_markdown_rewrites_every_link_form():
    md = "[a](javascript:alert(1)) ![i](data:image/svg+xml,x)\n\n[r]: javascript:alert(2)\n\n<javascript:alert(3)>\n<https://ok.es>"
    out = safe_markdown(md)
    assert "javascript:alert(1)" not in out.replace("`javascript:alert(3)`", "")
    assert "[a](#)" in out and "![i](#)" in out and "[r]: #" in out
    assert "`javascript:alert(3)`" in out and "<https://ok.es>" in out


def test_english_reader_is_offered_the_translation(root, content):
    state = state_of(root, ArticleState)
    state._apply_locale("en")
    visit(root, "/articles/[slug]", "/articles/recuperar-contrasena", slug="recuperar-contrasena")
    run(state.load())
    assert state.article_locale == "es"
    assert state.translation_href == "/articles/recover-password"
    state._apply_locale("es")
    run(state.load())
    assert state.translation_href == ""


def test_typo_is_corrected_shown_and_searchable_as_typed(root, content):
    home = state_of(root, HelpCenterState)
    home.load_home()
    run(home.search("olvide mi contrasela"))
    assert home.corrected == "olvide mi contraseña"
    assert home.results and home.results[0].slug == "recuperar-contrasena"
    with session_scope() as s:
        assert s.exec(select(SearchQuery)).one().corrected == "olvide mi contraseña"
    run(home.search_as_typed())
    assert home.corrected == "" and home.query == "olvide mi contrasela"
