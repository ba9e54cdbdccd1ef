"""The two pages the address-change mails open (services/email_change):

- `/account/email/[token]`, mailed to the new address: opened signed in as the account, it
  completes the change on load (like /verify). Signed out, the guard sends the visitor to the
  login page and back.
- `/account/email-undo/[token]`, mailed to the old address: no sign-in (a hijacked account's
  owner cannot sign in), and it acts only on a click, since it signs the account out everywhere.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import email_change
from helpdesk.services.errors import ServiceError
from helpdesk.web import routes
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, form_error, guarded, loading_block, tid
from helpdesk.web.pages.guard import GuardedState
from helpdesk.web.pages.trust.page import _card, _invalid_link, _ok
from helpdesk.web.pages.trust.state import _route_token


class EmailConfirmState(GuardedState):
    outcome: str = ""  # "" checking, "ok", "invalid"
    confirm_error: str = ""
    new_email: str = ""

    @rule("signed_in", why="the change is completed only by the account that asked for it (services/email_change)")
    @rx.event
    def load(self):
        user, redirect = self._enter()
        if user is None:
            return redirect
        try:
            with session_scope() as s:
                self.new_email = email_change.confirm(s, user, _route_token(self), ip=self._client_ip()).email
        except ServiceError as err:
            self.outcome, self.confirm_error = "invalid", self._error_text(err)
            return
        self.outcome = "ok"
        self._refresh_identity()


class EmailUndoState(AppState):
    stage: str = ""  # "" → "ask" → "done" | "invalid"
    undo_error: str = ""
    restored_email: str = ""

    @rule("public", why="a mailed-link page: acts on the link's token, never on an id")
    @rx.event
    def open(self):
        self.stage, self.undo_error, self.restored_email = "ask", "", ""

    @rule("public", why="a mailed-link page: acts on the link's token, never on an id")
    @rx.event
    def undo(self):
        try:
            with session_scope() as s:
                self.restored_email = email_change.undo(s, _route_token(self), ip=self._client_ip()).email
        except ServiceError as err:
            self.stage, self.undo_error = "invalid", self._error_text(err)
            return
        self.stage = "done"
        self._refresh_identity()  # this tab too, if it was signed in as the account


def _failed(error) -> rx.Component:
    return rx.vstack(form_error(error), _invalid_link(), width="100%")


def email_confirm_page() -> rx.Component:
    S = EmailConfirmState
    body = _card(
        rx.heading(T["account.email_confirm_title"], size="7", as_="h1"),
        rx.match(
            S.outcome,
            ("ok", rx.vstack(_ok(T["account.email_confirm_ok"].replace("{email}", S.new_email), "email-change-done"),
                             rx.link(T["account.back_to_account"], href=routes.ACCOUNT, size="2"), width="100%")),
            ("invalid", _failed(S.confirm_error)),
            loading_block(),
        ),
    )
    return shell(guarded(S.access, body))


def email_undo_page() -> rx.Component:
    S = EmailUndoState
    return shell(_card(
        rx.heading(T["account.email_undo_title"], size="7", as_="h1"),
        rx.match(
            S.stage,
            ("ask", rx.vstack(
                rx.text(T["account.email_undo_help"], color_scheme="gray"),
                rx.button(T["account.email_undo_button"], type="button", size="3", width="100%", on_click=S.undo,
                          custom_attrs=tid("email-undo-submit")),
                width="100%", spacing="4",
            )),
            ("done", rx.vstack(_ok(T["account.email_undo_ok"].replace("{email}", S.restored_email), "email-undo-done"),
                               rx.link(T["trust.go_login"], href=routes.LOGIN, size="2"), width="100%")),
            ("invalid", _failed(S.undo_error)),
            loading_block(),
        ),
    ))
