"""/agent/articles, the knowledge loop: the gaps (questions with no good answer, with the
tickets they led to; drafting from one of them is KbAdminState.draft_from_ticket) and the synonym groups editors own.

Staff only: every handler re-checks the caller (any browser can call any handler); the
services check again. Nothing here touches the database directly.
"""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import kb_gaps, kb_stats, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.search import synonyms
from helpdesk.web.access import rule
from helpdesk.web.pages.guard import GuardedState

SYN_LOCALES = ("es", "en")


class GapTicket(BaseModel):
    number: int
    label: str
    href: str
    subject: str
    status: str
    draftable: bool


class GapRow(BaseModel):
    question: str
    phrasings: list[str]
    unanswered: int
    detail: str
    last: str
    tickets: list[GapTicket]


class SynonymRow(BaseModel):
    id: int
    locale: str
    terms: str


class SynonymHit(BaseModel):
    words: str
    searches: int
    detail: str


class KbLoopState(GuardedState):
    gaps: list[GapRow] = []
    gaps_loading: bool = False
    gaps_loaded: bool = False

    synonym_groups: list[SynonymRow] = []
    synonym_hits: list[SynonymHit] = []
    syn_edit_id: int = 0
    syn_terms: str = ""
    syn_locale: str = "es"
    syn_error: str = ""

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, policy.Action.STAFF_AREA)

    def _load_gaps(self, actor: User) -> None:
        loc = self.locale
        with session_scope() as s:
            found = kb_gaps.gaps(s, actor, limit=12)
        self.gaps = [
            GapRow(
                question=g["question"], phrasings=[p for p in g["phrasings"] if p != g["question"]],
                unanswered=g["unanswered"],
                detail=self._tr("kbgaps.detail", no_results=g["no_results"], no_click=g["no_click"],
                                tickets=g["tickets_after"]),
                last=i18n.relative_time(g["last_at"], loc),
                tickets=[GapTicket(number=t["number"], label=f"#{t['number']}", href=f"/agent/tickets/{t['number']}",
                                   subject=t["subject"], status=self._tr(f"agent.status.{t['status']}"),
                                   draftable=t["draftable"]) for t in g["tickets"]],
            )
            for g in found
        ]
        self.gaps_loaded = True

    def _load_synonyms(self, actor: User) -> None:
        with session_scope() as s:
            groups = synonyms.list_groups(s, actor)
            hits = kb_stats.synonym_hits(s, actor, limit=8)
        self.synonym_groups = [SynonymRow(id=g.id, locale=g.locale, terms=g.terms) for g in groups]
        self.synonym_hits = [
            SynonymHit(words=h["words"], searches=h["searches"],
                       detail=self._tr("kbsyn.hit_detail", clicks=h["clicks"], no_results=h["no_results"]))
            for h in hits
        ]

    @rule("staff", why="services kb_gaps and kb_drafts re-check the role")
    @rx.event
    def load_loop(self):
        actor = self._allowed_actor()
        if actor is None:
            return
        self.gaps_loading = True
        if not self.syn_edit_id and not self.syn_terms:
            self.syn_locale = self.locale if self.locale in SYN_LOCALES else "es"
        yield
        try:
            self._load_gaps(actor)
            self._load_synonyms(actor)
        finally:
            self.gaps_loading = False

    # ------------------------------------------------------------ synonyms

    @rule("staff")
    @rx.event
    def edit_synonyms(self, group_id: int):
        if self._allowed_actor() is None or not isinstance(group_id, int):
            return
        found = next((g for g in self.synonym_groups if g.id == group_id), None)
        if found is not None:
            self.syn_edit_id, self.syn_terms, self.syn_locale, self.syn_error = found.id, found.terms, found.locale, ""

    @rule("staff")
    @rx.event
    def set_syn_terms(self, value: str):
        if isinstance(value, str):
            self.syn_terms, self.syn_error = value[: synonyms.TERMS_MAX + 1], ""

    @rule("staff")
    @rx.event
    def set_syn_locale(self, value: str):
        if value in SYN_LOCALES:
            self.syn_locale = value

    @rule("staff")
    @rx.event
    def cancel_synonyms(self):
        self.syn_edit_id, self.syn_terms, self.syn_error = 0, "", ""

    @rule("staff", why="search.synonyms re-checks the role")
    @rx.event
    def save_synonyms(self):
        actor = self._allowed_actor()
        if actor is None:
            return
        try:
            with session_scope() as s:
                synonyms.save_group(s, actor, self.syn_terms, self.syn_locale, self.syn_edit_id or None)
        except ValidationError as err:
            self.syn_error = self._tr(next(iter(err.errors.values())))
            return
        except ServiceError as err:
            self.syn_error = self._error_text(err)
            return
        self.syn_edit_id, self.syn_terms, self.syn_error = 0, "", ""
        self._load_synonyms(actor)
        return rx.toast.success(self._tr("kbsyn.saved"))

    @rule("staff", why="search.synonyms re-checks the role")
    @rx.event
    def delete_synonyms(self, group_id: int):
        actor = self._allowed_actor()
        if actor is None or not isinstance(group_id, int):
            return
        try:
            with session_scope() as s:
                synonyms.delete_group(s, actor, group_id)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        if self.syn_edit_id == group_id:
            self.syn_edit_id, self.syn_terms = 0, ""
        self._load_synonyms(actor)
        return rx.toast.success(self._tr("kbsyn.deleted"))
