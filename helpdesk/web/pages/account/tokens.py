"""Mi cuenta → API tokens: create one (shown once), see name/scope/last use/expiry, revoke.

Its own State: every handler resolves the actor from the session again and acts only on that
actor's tokens (a forged token id of someone else's token is NotFound in the service).
"""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk.infra.db import session_scope
from helpdesk.services import api_tokens
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, form_error, labeled_input, tid
from helpdesk.web.pages.guard import GuardedState


class TokenRow(BaseModel):
    id: int
    name: str
    prefix: str
    scope: str
    created: str
    last_used: str
    expires: str
    state: str


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def token_rows(rows) -> list[TokenRow]:
    return [
        TokenRow(id=t.id, name=t.name, prefix=t.prefix + "…", scope=t.scope, created=_when(t.created_at),
                 last_used=_when(t.last_used_at), expires=_when(t.expires_at), state=api_tokens.token_state(t))
        for t in rows
    ]


class TokensState(GuardedState):
    tokens: list[TokenRow] = []
    new_token: str = ""  # the secret, shown once right after creation; never reloaded
    token_errors: dict[str, str] = {}
    token_notice: str = ""

    def _reload(self, user) -> None:
        with session_scope() as s:
            self.tokens = token_rows(api_tokens.list_own(s, user))

    @rule("signed_in")
    @rx.event
    def load_tokens(self):
        user = self._allowed_actor()
        self.new_token, self.token_errors, self.token_notice = "", {}, ""
        if user is None:
            self.tokens = []
            return
        self._reload(user)

    @rule("signed_in")
    @rx.event
    def create_token(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        f = form if isinstance(form, dict) else {}
        self.token_errors, self.token_notice, self.new_token = {}, "", ""
        days_raw = str(f.get("expires_days", "")).strip()
        if days_raw and not (days_raw.isdigit() and len(days_raw) < 6):
            self.token_errors = {"expires_days": self._tr("api.expiry_invalid")}
            return
        try:
            with session_scope() as s:
                _, secret = api_tokens.create_token(s, user, name=str(f.get("token_name", ""))[:200],
                                                    scope=str(f.get("scope", "read")), expires_in_days=int(days_raw) if days_raw else None)
        except ValidationError as err:
            self.token_errors = {("expires_days" if k == "expires" else "token_name"): self._tr(v) for k, v in err.errors.items()}
            return
        self.new_token = secret
        self._reload(user)

    @rule("signed_in")
    @rx.event
    def revoke_token(self, token_id: int):
        user = self._allowed_actor()
        if user is None:
            return
        try:
            with session_scope() as s:
                api_tokens.revoke(s, user, token_id)
        except ServiceError as err:
            self.token_errors = {"form": self._error_text(err)}
            return
        self.new_token, self.token_notice = "", self._tr("api.token_revoked")
        self._reload(user)


def state_label(state) -> rx.Component:
    return rx.match(state, ("active", T["api.state_active"]), ("revoked", T["api.state_revoked"]), T["api.state_expired"])


def _row(t: TokenRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(t.name, weight="medium"), rx.text(t.prefix, size="1", color_scheme="gray", font_family="monospace")),
        rx.table.cell(rx.cond(t.scope == "write", T["api.scope_write"], T["api.scope_read"])),
        rx.table.cell(rx.cond(t.last_used != "", t.last_used, T["api.never"])),
        rx.table.cell(t.expires),
        rx.table.cell(state_label(t.state)),
        rx.table.cell(rx.cond(t.state == "active", rx.button(T["api.token_revoke"], size="1", variant="soft", color_scheme="red",
                                                             type="button", on_click=TokensState.revoke_token(t.id),
                                                             custom_attrs=tid("token-revoke")))),
        custom_attrs=tid("token-row"),
    )


def tokens_section() -> rx.Component:
    S = TokensState
    return rx.card(
        rx.vstack(
            rx.heading(T["api.tokens"], as_="h2", size="4"),
            rx.text(T["api.tokens_help"], size="2"),
            form_error(S.token_errors.get("form", "")),
            rx.cond(S.token_notice != "", rx.callout(S.token_notice, icon="check", color_scheme="green", role="status")),
            rx.cond(
                S.new_token != "",
                rx.callout(rx.vstack(rx.text(T["api.token_created"]),
                                     rx.code(S.new_token, custom_attrs=tid("token-secret"), word_break="break-all")),
                           icon="key-round", color_scheme="amber", role="status", custom_attrs=tid("token-created")),
            ),
            rx.form(
                labeled_input("token_name", T["api.token_name"], testid="token-name", error=S.token_errors.get("token_name", ""),
                              autocomplete="off"),
                rx.el.label(T["api.token_scope"], html_for="token-scope", class_name="hd-label"),
                rx.el.select(rx.el.option(T["api.scope_read"], value="read"), rx.el.option(T["api.scope_write"], value="write"),
                             name="scope", id="token-scope", custom_attrs=tid("token-scope")),
                labeled_input("expires_days", T["api.token_expiry"], testid="token-expiry", error=S.token_errors.get("expires_days", ""),
                              required=False, type_="number", autocomplete="off"),
                rx.button(T["api.token_create"], type="submit", custom_attrs=tid("token-create")),
                on_submit=S.create_token,
                reset_on_submit=True,
            ),
            rx.cond(
                S.tokens.length() > 0,
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[k]) for k in
                                                   ("api.col_name", "api.col_scope", "api.col_last_used", "api.col_expires", "api.col_state")],
                                                 rx.table.column_header_cell(""))),
                    rx.table.body(rx.foreach(S.tokens, _row)), size="1", width="100%"), overflow_x="auto", width="100%"),
                rx.text(T["api.no_tokens"], size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
            on_mount=S.load_tokens,
        ),
        width="100%",
    )
