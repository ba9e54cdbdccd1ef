"""Mis tickets: one page of the signed-in person's tickets, filtered on the server."""

from __future__ import annotations

from datetime import datetime

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.infra.db import session_scope
from helpdesk.services import ticket_list
from helpdesk.services.errors import ServiceError
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule
from helpdesk.web.pages.guard import GuardedState


class TicketRowView(BaseModel):
    number: int
    public_id: str
    href: str
    subject: str
    status: str
    status_label: str
    group_label: str
    is_open: bool
    category_label: str
    priority_label: str
    created: str
    created_full: str
    activity: str
    activity_full: str
    requester_name: str


class Option(BaseModel):
    value: str
    label: str


class MyTicketsState(GuardedState):
    # The page as loaded from the database, before wording; kept server-side so the text can
    # follow the language switch without a new query.
    _rows: list[dict] = []
    _colleagues: list[tuple[int, str]] = []
    _filters: ticket_list.Filters = ticket_list.Filters()

    page: int = 1
    has_next: bool = False
    total: int = 0
    total_capped: bool = False
    loaded: bool = False
    # Echo of what the person typed and picked, so nothing is lost on a re-render.
    f_id: str = ""
    f_q: str = ""
    f_status: str = "all"
    f_category: str = "all"
    f_requester: str = "all"
    errors: dict[str, str] = {}
    show_requester: bool = False

    # ------------------------------------------------------------ views

    @rx.var
    def rows(self) -> list[TicketRowView]:
        loc = self.locale
        now = datetime.now().astimezone()
        out = []
        for r in self._rows:
            status = r["status"]
            is_open = status in ticket_list.OPEN_STATUSES
            out.append(
                TicketRowView(
                    number=r["number"],
                    public_id=f"#{r['number']}",
                    href=f"/tickets/{r['number']}",
                    subject=r["subject"],
                    status=status,
                    status_label=i18n.translate(f"status.{status}", loc),
                    group_label=i18n.translate("status.group_open" if is_open else "status.group_closed", loc),
                    is_open=is_open,
                    category_label=i18n.translate(f"category.{r['category']}", loc),
                    priority_label=i18n.translate(f"priority.{r['priority']}", loc) if r["priority"] else "",
                    created=i18n.relative_time(r["created_at"], loc, now),
                    created_full=i18n.full_datetime(r["created_at"], loc),
                    activity=i18n.relative_time(r["last_activity_at"], loc, now),
                    activity_full=i18n.full_datetime(r["last_activity_at"], loc),
                    requester_name=r["requester_name"] if self.show_requester else "",
                )
            )
        return out

    @rx.var
    def colleague_options(self) -> list[Option]:
        return [Option(value=str(i), label=name) for i, name in self._colleagues]

    @rx.var
    def filters_active(self) -> bool:
        return bool(self.f_id or self.f_q or self.f_status != "all" or self.f_category != "all" or self.f_requester != "all")

    @rx.var
    def total_text(self) -> str:
        if self.total_capped:
            return i18n.translate("customer.total_many", self.locale, count=self.total)
        return i18n.translate("customer.total_one" if self.total == 1 else "customer.total", self.locale, count=self.total)

    # ------------------------------------------------------------ helpers

    def _query(self) -> None:
        user = self._allowed_actor()
        if user is None:
            self._rows, self.loaded = [], True
            self.access = "denied" if self.access == "ok" else self.access
            return
        try:
            with session_scope() as s:
                result = ticket_list.list_tickets(s, user, self._filters, self.page)
                if self.page > 1 and not result.rows and result.total:
                    # The list shrank under us (filters, closed tickets): show its last page.
                    self.page = max(1, (result.total + result.page_size - 1) // result.page_size)
                    result = ticket_list.list_tickets(s, user, self._filters, self.page)
        except ServiceError:
            self._rows, self.loaded = [], True
            return
        self._rows = [r.__dict__.copy() for r in result.rows]
        self.page = result.page
        self.has_next = result.has_next
        self.total = result.total
        self.total_capped = result.total_capped
        self.loaded = True

    def _set_filters(self, raw: dict) -> None:
        filters, errors = ticket_list.parse_filters(raw)
        self.errors = {k: self._tr(v) for k, v in errors.items()}
        self._filters = filters
        self.page = 1

    def _raw_filters(self) -> dict:
        return {"id": self.f_id, "q": self.f_q, "status": self.f_status, "category": self.f_category,
                "requester": self.f_requester}

    # ------------------------------------------------------------ events

    @rule("signed_in")
    @rx.event
    def relocalize(self):
        """The language switched: dates and labels of the rows are made here, redraw them."""
        self._query()

    @rule("signed_in")
    @rx.event
    def load(self):
        user, redirect = self._enter()
        if user is None:
            return redirect
        self.show_requester = bool(user.is_org_admin and user.organization_id is not None)
        if self.show_requester:
            with session_scope() as s:
                self._colleagues = ticket_list.org_requesters(s, user)
        self._query()

    @rule("signed_in")
    @rx.event
    def apply_filters(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.f_id = str(form.get("id", self.f_id) or "")[:40]
        self.f_q = str(form.get("q", self.f_q) or "")[:ticket_list.MAX_TEXT]
        self._set_filters(self._raw_filters())
        self._query()

    @rule("signed_in")
    @rx.event
    def set_status_filter(self, value: str):
        self.f_status = value if str(value) in ticket_list.STATUS_FILTERS + ("all",) else "all"
        self._set_filters(self._raw_filters())
        self._query()

    @rule("signed_in")
    @rx.event
    def set_category_filter(self, value: str):
        self.f_category = value if str(value) in ticket_list.CATEGORY_FILTERS + ("all",) else "all"
        self._set_filters(self._raw_filters())
        self._query()

    @rule("signed_in")
    @rx.event
    def set_requester_filter(self, value: str):
        allowed = {str(i) for i, _ in self._colleagues}
        self.f_requester = value if str(value) in allowed else "all"
        self._set_filters(self._raw_filters())
        self._query()

    @rule("signed_in")
    @rx.event
    def clear_filters(self):
        self.f_id = self.f_q = ""
        self.f_status = self.f_category = self.f_requester = "all"
        self._set_filters(self._raw_filters())
        self._query()
        return [rx.set_value("filter-id", ""), rx.set_value("filter-q", "")]

    @rule("signed_in")
    @rx.event
    def next_page(self):
        if self.has_next:
            self.page += 1
            self._query()

    @rule("signed_in")
    @rx.event
    def prev_page(self):
        if self.page > 1:
            self.page -= 1
            self._query()


relocalize.register(routes.MY_TICKETS, MyTicketsState)
