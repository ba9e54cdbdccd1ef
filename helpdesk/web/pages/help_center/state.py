"""Public help center: search-as-you-type home, one article, one category.

Thin layer over services/search and services/kb. Everything here is public, so the only
identity question is "who votes": the signed-in user ("u:<id>", from the server session) or
this browser ("b:<random visitor key>"). Drafts never reach these vars for non-staff: the
service raises NotFound for them.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Optional
from urllib.parse import quote

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import Article, ArticleCategory
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, public_cache, search
from helpdesk.services.errors import NotFound, ServiceError
from helpdesk.web import routes
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.pages.help_center.markdown import article_html, safe_markdown

log = logging.getLogger("helpdesk.web.help_center")

RESULTS_LIMIT = 8
POPULAR_LIMIT = 6
QUERY_MAX = 200
OTHER = {"es": "en", "en": "es"}


class Segment(BaseModel):
    text: str
    hit: bool


class ResultView(BaseModel):
    slug: str
    href: str
    title: str
    snippet: list[Segment]
    category_name: str
    locale: str


class CategoryCard(BaseModel):
    slug: str
    href: str
    name: str
    description: str
    icon: str
    count: int


class ArticleLink(BaseModel):
    slug: str
    href: str
    title: str
    summary: str
    locale: str


def _link(a: Article) -> ArticleLink:
    return ArticleLink(slug=a.slug, href=f"/articles/{a.slug}", title=a.title, summary=a.summary or "", locale=a.locale)


async def _visitor_key(state: rx.State) -> str:
    """The per-browser key of the search funnel, shared with the new-ticket form so a
    search here and a ticket there end up linked (one LocalStorage var: "hd_visitor")."""
    from helpdesk.web.pages.new_ticket.state import NewTicketState

    return (await state.get_state(NewTicketState))._ensure_visitor_key()


def _home_lists() -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    with session_scope() as s:
        cats, popular = {}, {}
        for loc in i18n.LOCALES:
            cats[loc] = [
                dict(slug=c.slug, href=f"/categories/{c.slug}", name=c.name, description=c.description,
                     icon=c.icon, count=c.article_count)
                for c in kb.list_categories(s, loc)
            ]
            # Reader's language first; an English reader still gets Spanish articles
            # rather than an empty list while translations are missing.
            found = kb.popular_articles(s, loc, POPULAR_LIMIT) or kb.popular_articles(s, OTHER[loc], POPULAR_LIMIT)
            popular[loc] = [_link(a).model_dump() for a in found]
    return cats, popular


class HelpCenterState(AppState):
    query: str = ""
    results: list[ResultView] = []
    # True once a search for the current text has settled: the no-results panel waits for it.
    searched: bool = False
    home_loaded: bool = False
    # Typo correction: the query the results are for, when it is not what was typed.
    corrected: str = ""

    # Both languages are loaded once so the language switch re-labels without a query.
    _categories: dict[str, list[dict]] = {}
    _popular: dict[str, list[dict]] = {}
    _search_id: Optional[int] = None
    _hit_ids: dict[str, int] = {}

    @rx.var
    def categories(self) -> list[CategoryCard]:
        rows = self._categories.get(self.locale, [])
        return [CategoryCard(**r) for r in rows]

    @rx.var
    def popular(self) -> list[ArticleLink]:
        return [ArticleLink(**r) for r in self._popular.get(self.locale, [])]

    @rx.var
    def new_ticket_href(self) -> str:
        return f"{routes.NEW_TICKET}?q={quote(self.query[:QUERY_MAX], safe='')}" if self.query else routes.NEW_TICKET

    @rule("public")
    @rx.event
    def load_home(self):
        """The home's only on_load handler: it does load_app's part itself. With Redis every
        handler in an on_load chain is its own lock/load/save cycle, and one on AppState loads
        every page's state (they all inherit from it), the costliest step of a page load."""
        script = self._load_app()
        self.query, self.results, self.searched, self.corrected = "", [], False, ""
        self._search_id, self._hit_ids = None, {}
        # The same for every visitor: shared (read-only) between tabs, see public_cache.
        self._categories, self._popular = public_cache.get("helpcenter.home", _home_lists)
        self.home_loaded = True
        # "/?q=…" (the 404 page's search, or back from an article): search it again.
        wanted = " ".join(str(self.router.url.query_parameters.get("q", "")).split())[:QUERY_MAX]
        if wanted:
            fill = f"(() => {{ const el = document.getElementById('kb-search-input'); if (el) el.value = {json.dumps(wanted)}; }})()"
            return [script, rx.call_script(fill), HelpCenterState.search(wanted)]
        return script

    @rule("public", why="searching is open to visitors")
    @rx.event
    async def search(self, value: str):
        """Runs once the typing settles (debounced in the page); every run is one logged search."""
        return await self._run_search(value, correct=True)

    @rule("public")
    @rx.event
    async def search_as_typed(self):
        """The "search exactly as typed" link under a correction."""
        return await self._run_search(self.query, correct=False)

    async def _run_search(self, value: str, correct: bool):
        text = " ".join(str(value or "").split())[:QUERY_MAX]
        self.query, self.corrected = text, ""
        # The query lives in the URL too, so back from an article (or a shared link) keeps it.
        in_url = f"/?q={quote(text, safe='')}" if text else "/"
        keep_in_url = rx.call_script(f"window.location.pathname === '/' && window.history.replaceState(window.history.state, '', {json.dumps(in_url)})")
        if not search.normalize_query(text):
            self.results, self.searched, self._search_id, self._hit_ids = [], False, None, {}
            return keep_in_url
        visitor = await _visitor_key(self)
        try:
            with session_scope() as s:
                outcome = search.search(s, text, self.locale, RESULTS_LIMIT, correct=correct)
                hits, self.corrected = outcome.hits, outcome.corrected
                self._search_id = kb.log_search(s, text, len(hits), "helpcenter", visitor,
                                                corrected=outcome.corrected, synonyms=outcome.synonyms,
                                                locale=self.locale)
        except Exception:  # noqa: BLE001 - a failed search shows "no results", never a broken page
            log.exception("help-center search failed")
            hits, self._search_id = [], None
        self._hit_ids = {h.slug: h.id for h in hits}
        self.results = [
            ResultView(
                slug=h.slug,
                href=f"/articles/{h.slug}",
                title=h.title,
                snippet=[Segment(**seg) for seg in h.snippet],
                category_name=h.category_name,
                locale=h.locale,
            )
            for h in hits
        ]
        self.searched = True
        return keep_in_url

    @rule("public")
    @rx.event
    def opened_result(self, slug: str):
        """The visitor opened a result: the search counts as clicked in the funnel."""
        article_id = self._hit_ids.get(slug) if isinstance(slug, str) else None
        if article_id is None or self._search_id is None:
            return
        with session_scope() as s:
            kb.mark_search_clicked(s, self._search_id, article_id)


class ArticleState(AppState):
    loaded: bool = False
    found: bool = False
    title: str = ""
    summary: str = ""
    body: str = ""
    body_html: str = ""  # rendered on the server (markdown.article_html): escaped, safe links
    article_locale: str = "es"
    is_draft: bool = False
    category_name: str = ""
    category_href: str = ""
    related: list[ArticleLink] = []
    my_vote: str = ""  # "" | "yes" | "no"
    comment_sent: bool = False
    # The same article in the reader's language, when this one is in the other language.
    translation_href: str = ""

    _article_id: Optional[int] = None
    _updated_at: Optional[datetime] = None

    @rx.var
    def updated(self) -> str:
        return i18n.relative_time(self._updated_at, self.locale) if self._updated_at else ""

    @rx.var
    def updated_full(self) -> str:
        return i18n.full_datetime(self._updated_at, self.locale) if self._updated_at else ""

    def _route_slug(self) -> str:
        raw = self.router.page.params.get("slug", "")
        return str(raw)[:kb.SLUG_MAX].strip().lower() if isinstance(raw, str) else ""

    async def _voter(self, actor: Optional[User]) -> str:
        return f"u:{actor.id}" if actor is not None else f"b:{await _visitor_key(self)}"

    @rule("public")
    @rx.event
    async def load(self):
        self.reset()
        slug = self._route_slug()
        actor = self._actor()
        try:
            with session_scope() as s:
                article = kb.get_article(s, slug, actor)
                category = s.get(ArticleCategory, article.category_id) if article.category_id else None
                related = kb.related_articles(s, article)
                vote = kb.my_vote(s, article.id, await self._voter(actor))
                self._fill(article, category, related, vote)
                translated = kb.article_translation(s, article, self.locale) if article.locale != self.locale else None
                self.translation_href = f"/articles/{translated.slug}" if translated is not None else ""
        except NotFound:
            self.found = False
        self.loaded = True

    def _fill(self, article: Article, category: Optional[ArticleCategory], related: list[Article], vote) -> None:
        self.found = True
        self._article_id = article.id
        self.title, self.summary = article.title, article.summary or ""
        self.body = safe_markdown(article.body)
        self.body_html = article_html(article.body)
        self.article_locale = article.locale
        self.is_draft = not article.is_published
        self._updated_at = article.updated_at
        if category is not None:
            english = article.locale == "en"
            self.category_name = (category.name_en or category.name) if english else category.name
            self.category_href = f"/categories/{category.slug}"
        self.related = [_link(a) for a in related]
        self.my_vote = "" if vote is None else ("yes" if vote else "no")

    @rule("public", why="a vote is keyed to the voter's own user or browser")
    @rx.event
    async def vote(self, helpful: bool):
        if self._article_id is None:
            return
        actor = self._actor()
        try:
            with session_scope() as s:
                kb.vote(s, self._article_id, await self._voter(actor), bool(helpful))
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self.my_vote = "yes" if helpful else "no"
        self.comment_sent = False

    @rule("public", why="a vote's comment is keyed to the voter's own user or browser")
    @rx.event
    async def send_comment(self, form: dict):
        """The optional "what was missing?" after a "no"; stored on the same vote row."""
        if self._article_id is None or self.my_vote != "no":
            return
        comment = form.get("comment", "") if isinstance(form, dict) else ""
        comment = comment[: kb.COMMENT_MAX] if isinstance(comment, str) else ""
        if not comment.strip():
            return
        actor = self._actor()
        try:
            with session_scope() as s:
                kb.vote(s, self._article_id, await self._voter(actor), False, comment)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self.comment_sent = True
        return rx.toast.success(self._tr("helpcenter.vote.comment_thanks"))


class CategoryState(AppState):
    loaded: bool = False
    found: bool = False
    name: str = ""
    description: str = ""
    icon: str = ""
    articles: list[ArticleLink] = []
    # True when the reader's language has none and the list is in the other one.
    other_language: bool = False

    @rule("public")
    @rx.event
    def load(self):
        self.reset()
        raw = self.router.page.params.get("slug", "")
        slug = str(raw)[:120].strip().lower() if isinstance(raw, str) else ""
        try:
            with session_scope() as s:
                view, articles = kb.category_articles(s, slug, self.locale)
                if not articles:
                    _, articles = kb.category_articles(s, slug, OTHER[self.locale])
                    self.other_language = bool(articles)
        except NotFound:
            self.loaded = True
            return
        self.found = True
        self.name, self.description, self.icon = view.name, view.description, view.icon
        self.articles = [_link(a) for a in articles]
        self.loaded = True
