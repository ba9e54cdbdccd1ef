"""Administración → Integraciones: every API token, and webhooks (add, test, resume, remove, log).

Its own State, admin-only: every handler checks the session's user is still an admin; the
services check it again.
"""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk.domain.accounts import User
from helpdesk.domain.integrations import EVENTS
from helpdesk.infra.db import session_scope
from helpdesk.services import api_tokens, policy, webhook_delivery, webhooks
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, form_error, labeled_input, tid
from helpdesk.web.pages.account.tokens import TokenRow, _when, state_label, token_rows
from helpdesk.web.pages.guard import GuardedState


class AdminTokenRow(BaseModel):
    owner: str
    token: TokenRow


class EndpointRow(BaseModel):
    id: int
    url: str
    events: str
    paused: bool
    failures: int


class DeliveryRow(BaseModel):
    id: int
    endpoint: str
    event: str
    state: str
    answer: str
    ms: str
    attempts: int
    when: str


class IntegrationsState(GuardedState):
    all_tokens: list[AdminTokenRow] = []
    endpoints: list[EndpointRow] = []
    deliveries: list[DeliveryRow] = []
    hook_errors: dict[str, str] = {}
    hook_notice: str = ""

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, Action.ADMIN_SETTINGS)

    def _reload(self, admin: User) -> None:
        with session_scope() as s:
            pairs = api_tokens.list_all(s, admin)
            rows = token_rows([t for t, _ in pairs])
            self.all_tokens = [AdminTokenRow(owner=u.email, token=r) for (_, u), r in zip(pairs, rows)]
            eps = webhooks.list_endpoints(s, admin)
            urls = {e.id: e.url for e in eps}
            self.endpoints = [EndpointRow(id=e.id, url=e.url, events=e.events.replace(",", ", "), paused=e.paused_at is not None,
                                          failures=e.failure_streak) for e in eps]
            self.deliveries = [
                DeliveryRow(id=d.id, endpoint=urls.get(d.endpoint_id, ""), event=d.event, state=d.state,
                            answer=str(d.last_status) if d.last_status is not None else (d.last_error or "—"),
                            ms=f"{d.last_duration_ms} ms" if d.last_duration_ms is not None else "—", attempts=d.attempts,
                            when=_when(d.created_at))
                for d in webhooks.deliveries(s, admin)
            ]

    @rule("admin")
    @rx.event
    def load_integrations(self):
        # Decides access like a page's on_load (the section has its own State).
        admin, redirect = self._enter()
        if admin is None:
            return redirect
        self._reload(admin)

    def _do(self, fn, *args, notice: str = "", **kwargs):
        admin = self._allowed_actor()
        if admin is None:
            return None
        self.hook_errors, self.hook_notice = {}, ""
        try:
            with session_scope() as s:
                result = fn(s, admin, *args, **kwargs)
        except ValidationError as err:
            self.hook_errors = {k: self._tr(v) for k, v in err.errors.items()}
            return None
        except ServiceError as err:
            self.hook_errors = {"form": self._error_text(err)}
            return None
        if notice:
            self.hook_notice = self._tr(notice)
        self._reload(admin)
        return result

    @rule("admin")
    @rx.event
    def add_webhook(self, form: dict):
        f = form if isinstance(form, dict) else {}
        events = [e for e in EVENTS if f.get(f"event_{e}") in ("on", True, "true")]
        added = self._do(webhooks.add_endpoint, url=str(f.get("url", ""))[:2100], events=events, secret=str(f.get("secret", ""))[:300])
        if added is not None:
            self.hook_notice = self._tr("webhooks.added", secret=added[1])

    @rule("admin")
    @rx.event
    def remove_webhook(self, endpoint_id: int):
        self._do(webhooks.remove_endpoint, endpoint_id, notice="webhooks.removed")

    @rule("admin")
    @rx.event
    def resume_webhook(self, endpoint_id: int):
        self._do(webhooks.resume, endpoint_id, notice="webhooks.resumed")

    @rule("admin")
    @rx.event
    def test_webhook(self, endpoint_id: int):
        row = self._do(webhook_delivery.send_test, endpoint_id)
        if row is not None:
            ok = row.last_status is not None and 200 <= row.last_status < 300
            self.hook_notice = (self._tr("webhooks.test_sent", status=row.last_status, ms=row.last_duration_ms) if ok
                                else self._tr("webhooks.test_failed", error=row.last_status or row.last_error))

    @rule("admin")
    @rx.event
    def redeliver(self, delivery_id: int):
        self._do(webhooks.redeliver, delivery_id, notice="webhooks.redelivered")

    @rule("admin")
    @rx.event
    def revoke_any_token(self, token_id: int):
        self._do(api_tokens.revoke, token_id, notice="api.token_revoked")


def _table(headers: list, body) -> rx.Component:
    return rx.box(rx.table.root(rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                                rx.table.body(body), size="1", width="100%", variant="surface"), overflow_x="auto", width="100%")


def _endpoint_row(e: EndpointRow) -> rx.Component:
    S = IntegrationsState
    return rx.table.row(
        rx.table.cell(rx.text(e.url, word_break="break-all")),
        rx.table.cell(e.events),
        rx.table.cell(rx.cond(e.paused, rx.badge(T["webhooks.paused"], color_scheme="red"), rx.badge(T["webhooks.active"], color_scheme="green"))),
        rx.table.cell(rx.hstack(
            rx.button(T["webhooks.test"], size="1", variant="soft", type="button", on_click=S.test_webhook(e.id), custom_attrs=tid("webhook-test")),
            rx.cond(e.paused, rx.button(T["webhooks.resume"], size="1", variant="soft", type="button", on_click=S.resume_webhook(e.id))),
            rx.button(T["webhooks.remove"], size="1", variant="soft", color_scheme="red", type="button", on_click=S.remove_webhook(e.id),
                      custom_attrs=tid("webhook-remove")),
            spacing="2")),
        custom_attrs=tid("webhook-row"),
    )


def _delivery_row(d: DeliveryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d.when), rx.table.cell(d.event), rx.table.cell(rx.text(d.endpoint, word_break="break-all")),
        rx.table.cell(d.state), rx.table.cell(d.answer), rx.table.cell(d.ms), rx.table.cell(d.attempts),
        rx.table.cell(rx.button(T["webhooks.redeliver"], size="1", variant="soft", type="button",
                                on_click=IntegrationsState.redeliver(d.id), custom_attrs=tid("webhook-redeliver"))),
        custom_attrs=tid("delivery-row"),
    )


def _token_row(r: AdminTokenRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.owner), rx.table.cell(r.token.name), rx.table.cell(r.token.scope), rx.table.cell(r.token.created),
        rx.table.cell(rx.cond(r.token.last_used != "", r.token.last_used, T["api.never"])), rx.table.cell(r.token.expires),
        rx.table.cell(state_label(r.token.state)),
        rx.table.cell(rx.cond(r.token.state == "active", rx.button(T["api.token_revoke"], size="1", variant="soft", color_scheme="red",
                                                                   type="button", on_click=IntegrationsState.revoke_any_token(r.token.id)))),
        custom_attrs=tid("admin-token-row"),
    )


def integrations_section() -> rx.Component:
    S = IntegrationsState
    return rx.vstack(
        rx.heading(T["webhooks.title"], size="4", as_="h2"),
        rx.text(T["webhooks.help"], size="2", color_scheme="gray"),
        form_error(S.hook_errors.get("form", "")),
        rx.cond(S.hook_notice != "", rx.callout(S.hook_notice, icon="check", role="status", width="100%", custom_attrs=tid("webhook-notice"))),
        rx.form(
            rx.vstack(
                labeled_input("url", T["webhooks.url"], testid="webhook-url", error=S.hook_errors.get("url", ""), type_="url", autocomplete="off"),
                rx.el.fieldset(
                    rx.el.legend(T["webhooks.events"], class_name="hd-label"),
                    rx.hstack(*[rx.el.label(rx.el.input(type="checkbox", name=f"event_{e}", default_checked=True,
                                                        custom_attrs=tid(f"webhook-event-{e}")), " " + e) for e in EVENTS],
                              spacing="4", wrap="wrap"),
                    rx.cond(S.hook_errors.get("events", "") != "", rx.text(S.hook_errors.get("events", ""), color_scheme="red", size="2", role="alert")),
                ),
                labeled_input("secret", T["webhooks.secret"], testid="webhook-secret", error=S.hook_errors.get("secret", ""),
                              required=False, autocomplete="off"),
                rx.button(T["webhooks.add"], type="submit", custom_attrs=tid("webhook-add")),
                spacing="2", width="100%",
            ),
            on_submit=S.add_webhook,
            width="100%",
        ),
        rx.cond(S.endpoints.length() > 0, _table([T["webhooks.url"], T["webhooks.events"], T["webhooks.col_status"], ""],
                                                 rx.foreach(S.endpoints, _endpoint_row)),
                rx.text(T["webhooks.none"], size="2", color_scheme="gray")),
        rx.heading(T["webhooks.log"], size="3", as_="h3"),
        rx.cond(S.deliveries.length() > 0,
                _table([T["webhooks.col_when"], T["webhooks.col_event"], T["webhooks.url"], T["webhooks.col_status"], T["webhooks.col_answer"],
                        T["webhooks.col_time"], T["webhooks.col_attempts"], ""], rx.foreach(S.deliveries, _delivery_row)),
                rx.text(T["webhooks.no_deliveries"], size="2", color_scheme="gray")),
        rx.heading(T["api.all_tokens"], size="4", as_="h2"),
        rx.cond(S.all_tokens.length() > 0,
                _table([T["api.col_owner"], T["api.col_name"], T["api.col_scope"], T["api.col_created"], T["api.col_last_used"],
                        T["api.col_expires"], T["api.col_state"], ""], rx.foreach(S.all_tokens, _token_row)),
                rx.text(T["api.no_tokens"], size="2", color_scheme="gray")),
        spacing="3",
        width="100%",
        on_mount=S.load_integrations,
    )
