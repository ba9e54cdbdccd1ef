"""The queue page: one page of tickets for the chosen view, filters and sort; live updates."""

from __future__ import annotations

import uuid

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.infra import bus
from helpdesk.infra.db import session_scope
from helpdesk.services import fair_use, policy, queue, saved_views
from helpdesk.services.policy import Action
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule
from helpdesk.web.pages.agent import live, url_filters
from helpdesk.web.pages.agent.bulk import BulkMixin
from helpdesk.web.pages.agent.saved import SavedViewsMixin
from helpdesk.web.pages.guard import GuardedState

ALL = "all"  # Radix selects need a non-empty value for "no filter"
FILTER_KEYS = ("status", "priority", "category", "service_id", "organization_id", "assignee_id")


class QueueRowView(BaseModel):
    number: int
    subject: str
    requester: str
    organization: str
    status: str
    priority: str
    sla_state: str
    assignee: str
    activity: str
    activity_full: str
    due_full: str
    csat: str = ""
    due: str = ""  # "in 2 hours" / "3 hours ago" for the running deadline, "" when none
    fair_use: str = ""  # fair-use signals with their reasons, "" when none


class OptionView(BaseModel):
    id: str
    name: str


class AgentQueueState(SavedViewsMixin, BulkMixin, GuardedState):
    view: str = "open"
    sort: str = "activity"
    page: int = 1
    pages: int = 1
    total: int = 0
    total_capped: bool = False  # a text search with more than queue.COUNT_CAP matches
    counts: dict[str, int] = {}
    rows: list[QueueRowView] = []
    filters: dict[str, str] = {}
    search: str = ""
    agents: list[OptionView] = []
    services: list[OptionView] = []
    organizations: list[OptionView] = []
    loaded: bool = False
    _watch_id: str = ""

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, Action.STAFF_AREA)

    # ------------------------------------------------------------ loading

    def _filters(self) -> queue.QueueFilters:
        raw = {k: v for k, v in self.filters.items() if v != ALL}
        raw["assignee_id"] = "0" if raw.get("assignee_id") == "none" else raw.get("assignee_id")
        return queue.QueueFilters.from_raw({**raw, "text": self.search})

    def _load_page(self, actor: User) -> None:
        with session_scope() as s:
            result = queue.list_queue(s, actor, view=self.view, filters=self._filters(), sort=self.sort, page=self.page)
            self.counts = queue.view_counts(s, actor)
            flags = fair_use.reasons_by_number(s, [r.number for r in result.rows], self.locale)
        self.total, self.page, self.pages = result.total, result.page, result.pages
        self.total_capped = result.total_capped
        self.rows = [
            QueueRowView(
                number=r.number,
                subject=r.subject,
                requester=r.requester,
                organization=r.organization,
                status=r.status,
                priority=r.priority,
                sla_state=r.sla_state,
                assignee=r.assignee,
                activity=i18n.relative_time(r.last_activity_at, self.locale),
                activity_full=i18n.full_datetime(r.last_activity_at, self.locale),
                due_full=i18n.full_datetime(r.due_at, self.locale),
                csat=r.csat,
                due=i18n.relative_time(r.next_due_at, self.locale) if r.next_due_at else "",
                fair_use=" · ".join(flags.get(r.number, [])),
            )
            for r in result.rows
        ]
        self._prune_selection({r.number for r in self.rows})
        self.loaded = True

    def _load_choices(self, actor: User) -> None:
        with session_scope() as s:
            as_options = lambda items: [OptionView(id=str(c.id), name=c.name) for c in items]  # noqa: E731
            self.agents = as_options(queue.agents(s, actor))
            self.services = as_options(queue.services(s, actor))
            self.organizations = as_options(queue.organizations(s, actor))

    def _refresh(self):
        actor = self._allowed_actor()
        if actor is not None:
            self._load_page(actor)
        return actor

    def _apply_settings(self, params: dict) -> None:
        """Query parameters (the URL's, or a saved view's) -> the list's settings."""
        wanted = url_filters.read(params, views=queue.VIEWS, sorts=queue.SORTS)
        self.view, self.sort, self.page = wanted["view"], wanted["sort"], wanted["page"]
        self.filters, self.search = wanted["filters"], wanted["search"]
        self.search_key = uuid.uuid4().hex[:12]

    @rx.var
    def current_query(self) -> str:
        """The list's settings as a saved view holds them: the «Mis vistas» entry to highlight."""
        return saved_views.normalize(url_filters.query(self.view, self.sort, 1, self.filters, self.search, all_value=ALL))

    def _changed(self):
        """After user input: reload, and put the list's settings in the address bar."""
        if self._refresh() is None:
            return None
        qs = url_filters.query(self.view, self.sort, self.page, self.filters, self.search, all_value=ALL)
        return rx.call_script(url_filters.replace_script(routes.AGENT, qs))

    @rule("staff")
    @rx.event
    def load(self):
        actor, redirect = self._enter()
        if actor is None:
            return redirect
        self._apply_settings(self.router.url.query_parameters)
        self._load_choices(actor)
        self._load_saved(actor)
        self._load_page(actor)
        return AgentQueueState.watch

    # ------------------------------------------------------------ user input

    @rule("staff")
    @rx.event
    def set_view(self, view: str):
        if view in queue.VIEWS:
            self.view, self.page = view, 1
        return self._changed()

    @rule("staff")
    @rx.event
    def set_sort(self, sort: str):
        if sort in queue.SORTS:
            self.sort, self.page = sort, 1
        return self._changed()

    @rule("staff")
    @rx.event
    def set_filter(self, key: str, value: str):
        if key in FILTER_KEYS:
            self.filters = {**self.filters, key: str(value)[:20]}
            self.page = 1
        return self._changed()

    @rule("staff")
    @rx.event
    def set_search(self, text: str):
        self.search = str(text)[: queue.MAX_QUERY]
        self.page = 1
        return self._changed()

    @rule("staff")
    @rx.event
    def clear_filters(self):
        self.filters, self.search, self.page = {}, "", 1
        return self._changed()

    @rule("staff")
    @rx.event
    def go_to_page(self, page: int):
        try:
            self.page = max(1, int(page))
        except (TypeError, ValueError):
            return None
        return self._changed()

    @rule("staff")
    @rx.event
    def relocalize(self):
        """The language switched: relative dates are made here, so draw the rows again."""
        self._refresh()

    # ------------------------------------------------------------ live updates

    @rule("staff")
    @rx.event(background=True)
    async def watch(self):
        # Checked before taking the state lock too: a forged call from a customer ends here.
        if self._allowed_actor() is None:
            return
        async with self:
            self._watch_id = watch_id = uuid.uuid4().hex

        def changed() -> None:
            if self._refresh() is None:
                self._watch_id = ""

        await live.follow(self, watch_id, (bus.QUEUE_TOPIC,), changed)

    @rule("staff")
    @rx.event
    def stop_watch(self):
        self._watch_id = ""


relocalize.register(routes.AGENT, AgentQueueState)
