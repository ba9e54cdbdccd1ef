"""/account section: the account's signed-in browsers; end one or all the others."""

from __future__ import annotations

import reflex as rx

from helpdesk import i18n
from helpdesk.infra.db import session_scope
from helpdesk.services import account_sessions
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, tid


class SessionsState(AppState):
    # What the list shows; ids are only used as arguments the service checks against the actor.
    rows: list[dict[str, str]] = []

    def _reload(self) -> None:
        user = self._actor()
        if user is None:
            self.rows = []
            return
        with session_scope() as s:
            views = account_sessions.list_sessions(s, user, self.token)
        self.rows = [
            {"id": str(v.id), "device": v.device, "ip": v.ip or "?", "seen": i18n.relative_time(v.last_seen_at, self.locale),
             "current": "1" if v.current else ""}
            for v in views
        ]

    @rule("public", why="only the caller's own sessions (none when signed out)")
    @rx.event
    def load_sessions(self):
        self._reload()

    @rule("public", why="reloads only the caller's own sessions (none when signed out)")
    @rx.event
    def relocalize(self):
        self._reload()  # "hace 2 minutos" becomes "2 minutes ago" with the language switch

    @rule("signed_in", why="services/account_sessions checks the owner of the id")
    @rx.event
    def end_one(self, session_id: str):
        user = self._actor()
        if user is None:
            return
        with session_scope() as s:
            account_sessions.end_one(s, user, session_id, ip=self._client_ip())
        self._reload()

    @rule("signed_in", why="only the caller's own sessions")
    @rx.event
    def end_others(self):
        user = self._actor()
        if user is None:
            return
        with session_scope() as s:
            account_sessions.end_others(s, user, self.token, ip=self._client_ip())
        self._reload()


# /account is the page that lists them; its other cards carry no server-made texts.
relocalize.register(routes.ACCOUNT, SessionsState)


def _row(row) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row["device"], weight="medium"),
            rx.text(row["ip"], " · ", row["seen"], size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            row["current"] != "",
            rx.badge(T["trust.session_this"], color_scheme="green"),
            rx.button(T["trust.session_end"], type="button", size="1", variant="soft", color_scheme="red",
                      on_click=SessionsState.end_one(row["id"]), custom_attrs=tid("session-end")),
        ),
        width="100%", align="center", custom_attrs=tid("session-row"),
    )


def sessions_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["trust.sessions_title"], as_="h2", size="4"),
            rx.foreach(SessionsState.rows, _row),
            rx.button(T["trust.sessions_end_others"], type="button", variant="soft", on_click=SessionsState.end_others,
                      custom_attrs=tid("sessions-end-others")),
            spacing="3", width="100%",
        ),
        on_mount=SessionsState.load_sessions,
        width="100%",
    )
