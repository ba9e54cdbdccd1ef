"""/agent/articles: staff list and editor of help-center articles, plus search analytics.

Agents and admins only: decided on load (GuardedState) and re-checked in every handler,
because any browser can call any handler. Drafts and analytics are loaded only after the
check, so a customer's tab never holds them.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, kb_drafts, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule
from helpdesk.web.pages.guard import GuardedState
from helpdesk.web.pages.kb_admin.loop_state import KbLoopState
from helpdesk.web.pages.kb_admin.stats_state import KbStatsState
from helpdesk.web.pages.help_center.markdown import safe_markdown

FIELDS = ("title", "slug", "summary", "category", "locale", "body")
LIMITS = {"title": kb.TITLE_MAX, "slug": kb.SLUG_MAX, "summary": kb.SUMMARY_MAX, "body": kb.BODY_MAX,
          "category": 12, "locale": 2}


class AdminRow(BaseModel):
    id: int
    title: str
    slug: str
    href: str
    locale: str
    published: bool
    category: str
    updated: str
    updated_full: str
    views: int


class Option(BaseModel):
    value: str
    label: str


class QueryRow(BaseModel):
    query: str
    searches: int
    detail: str


class WorstRow(BaseModel):
    title: str
    href: str
    helpful: int
    not_helpful: int
    ratio: str
    comments: list[str]


class FollowedRow(BaseModel):
    query: str
    ticket: str
    href: str
    when: str
    when_full: str


class FunnelStep(BaseModel):
    label: str
    value: int
    percent: int


class KbAdminState(GuardedState):
    articles: list[AdminRow] = []
    category_options: list[Option] = []

    # The editor: open for a new article (edit_id 0) or an existing one.
    editing: bool = False
    edit_id: int = 0
    f_title: str = ""
    f_slug: str = ""
    f_summary: str = ""
    f_category: str = ""
    f_locale: str = "es"
    f_body: str = ""
    f_published: bool = False
    f_source_ticket: int = 0  # a draft written from this solved ticket (kb_drafts)
    drafting: int = 0  # the ticket number being drafted from the gaps panel
    draft_error: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    saving: bool = False
    form_key: int = 0

    top_queries: list[QueryRow] = []
    no_result_queries: list[QueryRow] = []
    worst: list[WorstRow] = []
    followed: list[FollowedRow] = []
    funnel: list[FunnelStep] = []
    deflection_rate: str = ""

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, Action.STAFF_AREA)

    @rx.var
    def preview(self) -> str:
        # Same transformation and renderer (use_raw=False) as the public article page.
        return safe_markdown(self.f_body)

    # ------------------------------------------------------------ helpers

    def _staff(self) -> User | None:
        user = self._allowed_actor()
        if user is None:
            # Lost the role or signed out since the page loaded: drop everything shown.
            self.reset()
            self.access = "denied"
        return user

    def _load_all(self, actor: User) -> None:
        loc = self.locale
        with session_scope() as s:
            categories = kb.list_categories(s, loc)
            names = {c.id: c.name for c in categories}
            self.category_options = [Option(value=str(c.id), label=c.name) for c in categories]
            self.articles = [
                AdminRow(
                    id=a.id, title=a.title, slug=a.slug, href=f"/articles/{a.slug}", locale=a.locale,
                    published=a.is_published, category=names.get(a.category_id, ""),
                    updated=i18n.relative_time(a.updated_at, loc), updated_full=i18n.full_datetime(a.updated_at, loc),
                    views=a.views,
                )
                for a in kb.staff_articles(s, actor)
            ]
            self._load_analytics(s, actor)

    def _load_analytics(self, s, actor: User) -> None:
        loc = self.locale
        self.top_queries = [
            QueryRow(query=r["query"], searches=r["searches"],
                     detail=self._tr("kbadmin.top.detail", results=r["avg_results"], clicks=r["clicks"]))
            for r in kb.top_queries(s, actor, limit=10)
        ]
        self.no_result_queries = [
            QueryRow(query=r["query"], searches=r["searches"], detail=i18n.relative_time(r["last_at"], loc))
            for r in kb.no_result_queries(s, actor, limit=10)
        ]
        self.worst = [
            WorstRow(title=r["title"], href=f"/articles/{r['slug']}", helpful=r["helpful"],
                     not_helpful=r["not_helpful"], ratio=f"{round(r['helpful_ratio'] * 100)} %",
                     comments=[c[:300] for c in r["comments"]])
            for r in kb.worst_articles(s, actor, limit=8)
        ]
        self.followed = [
            FollowedRow(query=r["query"], ticket=f"#{r['ticket_number']}", href=f"/agent/tickets/{r['ticket_number']}",
                        when=i18n.relative_time(r["created_at"], loc), when_full=i18n.full_datetime(r["created_at"], loc))
            for r in kb.searches_followed_by_ticket(s, actor, limit=15)
        ]
        f = kb.deflection_funnel(s, actor)
        total = f["searches"] or 1
        self.funnel = [
            FunnelStep(label=self._tr(f"kbadmin.funnel.{key}"), value=f[key], percent=round(100 * f[key] / total))
            for key in ("searches", "with_results", "clicked", "deflected", "tickets_after_search")
        ]
        self.deflection_rate = f"{round(f['deflection_rate'] * 100)} %"

    def _clear_form(self) -> None:
        self.edit_id, self.errors, self.form_error = 0, {}, ""
        self.f_title = self.f_slug = self.f_summary = self.f_category = self.f_body = ""
        self.f_locale, self.f_published, self.f_source_ticket = self.locale, False, 0
        self.form_key += 1

    # ------------------------------------------------------------ events

    @rule("staff", why="agents and admins write articles (issue 3: admin/agent editing with preview)")
    @rx.event
    def load(self):
        actor, redirect = self._enter()
        if actor is None:
            return redirect
        self._clear_form()
        self._load_all(actor)
        events = [KbLoopState.load_loop]
        # /agent/articles?edit=<id> opens that article in the editor (the link after drafting).
        wanted = parse_qs(self.router.url.query or "").get("edit", [""])[0]
        if wanted.isdigit():
            events.append(KbAdminState.edit_article(int(wanted)))
        return events

    @rule("staff")
    @rx.event
    def new_article(self):
        if self._staff() is None:
            return
        self._clear_form()
        self.editing = True
        return KbStatsState.clear_stats

    @rule("staff")
    @rx.event
    def edit_article(self, article_id: int):
        actor = self._staff()
        if actor is None or not isinstance(article_id, int):
            return
        with session_scope() as s:
            article = next((a for a in kb.staff_articles(s, actor) if a.id == article_id), None)
            if article is None:
                return rx.toast.error(self._tr("errors.not_found"))
            self._clear_form()
            self.edit_id = article.id
            self.f_title, self.f_slug, self.f_summary = article.title, article.slug, article.summary
            self.f_category = str(article.category_id or "")
            self.f_locale, self.f_body, self.f_published = article.locale, article.body, article.is_published
            self.f_source_ticket = kb_drafts.source_ticket_number(s, actor, article.id)
        self.editing = True
        return KbStatsState.load_stats(article_id)

    @rule("staff", why="services/kb_drafts re-checks the role")
    @rx.event
    def draft_from_ticket(self, number: int):
        """The gaps panel's "draft an article" on a solved ticket: write it, open it here."""
        actor = self._staff()
        if actor is None or not isinstance(number, int) or self.drafting:
            return
        self.drafting, self.draft_error = number, ""
        yield
        try:
            with session_scope() as s:
                draft = kb_drafts.draft_from_ticket(s, actor, number)
        except ValidationError as err:
            self.draft_error = self._tr(next(iter(err.errors.values())))
            return
        except ServiceError as err:
            self.draft_error = self._error_text(err)
            return
        finally:
            self.drafting = 0
        self._load_all(actor)
        yield [rx.toast.success(self._tr("kbdraft.created" if draft.created else "kbdraft.existing")),
               KbAdminState.edit_article(draft.article_id)]

    @rule("staff")
    @rx.event
    def cancel_edit(self):
        if self._staff() is None:
            return
        self._clear_form()
        self.editing = False
        return KbStatsState.clear_stats

    @rule("staff")
    @rx.event
    def edit_field(self, field: str, value: str):
        self._edit(field, value)

    def _edit(self, field: str, value: str) -> None:
        if field not in FIELDS or not isinstance(value, str) or self._staff() is None:
            return
        setattr(self, f"f_{field}", value[: LIMITS[field] + 1])
        if field in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != field}

    @rule("staff")
    @rx.event
    def edit_body(self, value: str):
        self._edit("body", value)

    @rule("staff")
    @rx.event
    def set_published(self, value: bool):
        if self._staff() is None:
            return
        self.f_published = bool(value)

    @rule("staff", why="agents and admins write articles (issue 3: admin/agent editing with preview)")
    @rx.event
    def save(self):
        actor = self._staff()
        if actor is None or self.saving or not self.editing:
            return
        self.saving, self.errors, self.form_error = True, {}, ""
        fields = dict(
            title=self.f_title, slug=self.f_slug, summary=self.f_summary, body=self.f_body, locale=self.f_locale,
            category_id=int(self.f_category) if self.f_category.isdigit() else None,
        )
        try:
            with session_scope() as s:
                if self.edit_id:
                    article = kb.update_article(s, actor, self.edit_id, **fields)
                    kb.set_published(s, actor, self.edit_id, self.f_published)
                else:
                    article = kb.create_article(s, actor, **fields, is_published=self.f_published)
                saved_id, saved_slug = article.id, article.slug
        except ValidationError as err:
            self.errors = {("category" if f == "category_id" else f): self._tr(f"kbadmin.{k}") for f, k in err.errors.items()}
            self.form_error = self._tr(err.code)
            return
        except ServiceError as err:
            self.form_error = self._error_text(err)
            return
        finally:
            self.saving = False
        self.edit_id, self.f_slug = saved_id, saved_slug
        self._load_all(actor)
        return rx.toast.success(self._tr("kbadmin.saved"))

    @rule("staff")
    @rx.event
    def refresh(self):
        actor = self._staff()
        if actor is not None:
            self._load_all(actor)

    @rule("staff")
    @rx.event
    def relocalize(self):
        """The language switch: redraw the server-made texts (dates, analytics, gaps, figures)."""
        actor = self._staff()
        if actor is None:
            return
        self._load_all(actor)
        return [KbLoopState.load_loop, *([KbStatsState.load_stats(self.edit_id)] if self.edit_id else [])]


relocalize.register(routes.KB_ADMIN, KbAdminState)

