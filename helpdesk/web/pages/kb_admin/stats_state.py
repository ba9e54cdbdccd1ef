"""/agent/articles, the article editor's figures: views, votes, the "no" reasons and the
tickets the article headed off, by week (services.kb_stats). Staff only, re-checked."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import kb_stats, policy
from helpdesk.services.errors import ServiceError
from helpdesk.web.access import rule
from helpdesk.web.pages.guard import GuardedState

WEEKS = 12


class Reason(BaseModel):
    comment: str
    when: str
    when_full: str


class KbStatsState(GuardedState):
    stats_id: int = 0  # the article these figures are for (0: none loaded)
    stats_loading: bool = False
    weeks: list[dict] = []
    reasons: list[Reason] = []
    views_total: int = 0
    helpful: int = 0
    not_helpful: int = 0
    headed_off: int = 0
    pending: int = 0

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, policy.Action.STAFF_AREA)

    @rule("staff", why="services/kb_stats re-checks the role")
    @rx.event
    def load_stats(self, article_id: int):
        actor = self._allowed_actor()
        if actor is None or not isinstance(article_id, int):
            return
        self.reset()
        if article_id <= 0:
            return
        self.stats_loading = True
        yield
        loc = self.locale
        try:
            with session_scope() as s:
                stats = kb_stats.article_stats(s, actor, article_id, weeks=WEEKS)
        except ServiceError:
            self.stats_loading = False
            return
        self.weeks = [
            # Weeks by their Monday, as short as the dashboard's axis labels ("7/12").
            {"week": f"{w['week'].day}/{w['week'].month}",
             "views": w["views"], "helpful": w["helpful"], "not_helpful": w["not_helpful"],
             "headed_off": w["headed_off"]}
            for w in stats["weeks"]
        ]
        self.reasons = [Reason(comment=r["comment"][:300], when=i18n.relative_time(r["at"], loc),
                               when_full=i18n.full_datetime(r["at"], loc)) for r in stats["reasons"]]
        self.views_total, self.helpful, self.not_helpful = stats["views_total"], stats["helpful"], stats["not_helpful"]
        self.headed_off, self.pending = stats["headed_off"], stats["pending"]
        self.stats_id, self.stats_loading = article_id, False

    @rule("staff", why="services/kb_stats re-checks the role")
    @rx.event
    def clear_stats(self):
        self.reset()
