"""Dashboard: charts over the last days. Holds only the aggregated figures, never tickets."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import csat_view, dashboard, estimate_accuracy, policy
from helpdesk.services.policy import Action
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule
from helpdesk.web.pages.agent_dashboard import estimates_view
from helpdesk.web.pages.agent_dashboard.estimates_view import EstimateRow
from helpdesk.web.pages.guard import GuardedState

PERIODS = (7, 14, 30)


class FailedSearch(BaseModel):
    query: str
    count: int
    label: str = ""  # "1 búsqueda" / "3 búsquedas"


class RatingRow(BaseModel):
    number: int
    subject: str
    rating: str
    comment: str
    at: str


class DashboardState(GuardedState):
    days: int = dashboard.DEFAULT_DAYS
    volume: list[dict] = []
    response: list[dict] = []
    csat: list[dict] = []
    sla_compliance: str = ""
    first_response: str = ""
    csat_percent: str = ""
    csat_total: int = 0
    solved_total: int = 0
    failed_searches: list[FailedSearch] = []
    recent_ratings: list[RatingRow] = []
    # «¿Se cumplen nuestras estimaciones?»: texts made by estimates_view.fields.
    est_total: int = 0
    est_share: str = ""
    est_counts: str = ""
    est_late: str = ""
    est_median: str = ""
    est_p90: str = ""
    est_buckets: list[dict] = []
    est_rows: list[EstimateRow] = []

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, Action.STAFF_AREA)

    def _build(self, actor: User) -> None:
        with session_scope() as s:
            d = dashboard.build(s, actor, days=self.days)
            recent = csat_view.recent(s, actor)
            accuracy = estimate_accuracy.accuracy(s, actor, days=self.days)
        for name, value in estimates_view.fields(accuracy, self.locale).items():
            setattr(self, name, value)
        self.recent_ratings = [
            RatingRow(number=r.number, subject=r.subject, rating=r.rating, comment=r.comment, at=i18n.relative_time(r.at, self.locale))
            for r in recent
        ]
        label = lambda day: f"{day.day}/{day.month}"  # noqa: E731 - short axis labels
        self.volume = [{"day": label(x.day), "created": x.created, "solved": x.solved} for x in d.days]
        self.response = [{"day": label(x.day), "hours": x.first_response_hours} for x in d.days]
        self.csat = [
            {"name": self._tr("dashboard.good"), "value": d.csat_good, "fill": "var(--green-9)"},
            {"name": self._tr("dashboard.bad"), "value": d.csat_bad, "fill": "var(--red-9)"},
        ]
        self.sla_compliance = i18n.percent(d.sla_compliance, self.locale)
        self.first_response = i18n.duration_hours(d.first_response_avg_hours, self.locale)
        self.csat_total = d.csat_good + d.csat_bad
        self.csat_percent = i18n.percent(d.csat_percent, self.locale)
        self.solved_total = d.solved_total
        self.failed_searches = [
            FailedSearch(query=q, count=n, label=i18n.plural("dashboard.searches", n, self.locale)) for q, n in d.failed_searches
        ]

    @rule("staff")
    @rx.event
    def load(self):
        actor, redirect = self._enter()
        if actor is not None:
            self._build(actor)
        return redirect

    @rule("staff")
    @rx.event
    def relocalize(self):
        actor = self._allowed_actor()
        if actor is not None:
            self._build(actor)

    @rule("staff")
    @rx.event
    def set_days(self, days: str | list[str]):
        actor = self._allowed_actor()
        if actor is None:
            return
        try:
            value = int(days)
        except (TypeError, ValueError):
            return
        if value in PERIODS:
            self.days = value
            self._build(actor)


relocalize.register(routes.AGENT_DASHBOARD, DashboardState)
