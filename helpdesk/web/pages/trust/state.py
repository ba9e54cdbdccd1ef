"""Verify an address, forgot password, reset password: thin states over services/trust.

The token of a mailed link comes from the route (`/verify/[token]`, `/reset/[token]`) or the
query (`?token=`); it is kept in a private var and checked by the service on every use.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import trust
from helpdesk.services.errors import RateLimited, ServiceError, ValidationError
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.pages.guard import GuardedState


def _route_token(state: rx.State) -> str:
    params = state.router.page.params or {}
    raw = params.get("token") or state.router.url.query_parameters.get("token") or ""
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return str(raw)[:200]


class VerifyState(GuardedState):
    """Signed in as the account is required (see trust.verify_email): a signed-out visitor is
    sent to the login page and comes back here."""

    outcome: str = ""  # "" checking, "ok", "invalid"

    @rule("signed_in", why="verifying needs the signed-in account the link was made for (services/trust)")
    @rx.event
    def load(self):
        user, redirect = self._enter()
        if user is None:
            return redirect
        try:
            with session_scope() as s:
                trust.verify_email(s, user, _route_token(self), ip=self._client_ip())
        except ServiceError:
            self.outcome = "invalid"
            return
        self.outcome = "ok"


class VerifyBannerState(AppState):
    """The "confirm your address" notice on /account, with a rate-limited resend."""

    unverified: bool = False
    banner_note: str = ""

    @rule("public")
    @rx.event
    def check(self):
        user = self._actor()
        self.unverified = bool(user and user.email_verified_at is None)
        self.banner_note = ""

    @rule("signed_in")
    @rx.event
    def resend(self):
        user = self._actor()
        if user is None:
            return
        try:
            with session_scope() as s:
                trust.resend_verification(s, user)
        except ServiceError as err:
            self.banner_note = self._error_text(err)
            return
        self.banner_note = self._tr("trust.verify_resent")


class ForgotState(AppState):
    sent: bool = False
    forgot_error: str = ""
    email_error: str = ""
    forgot_email: str = ""

    @rule("public")
    @rx.event
    def open(self):
        self.sent, self.forgot_error, self.email_error = False, "", ""

    @rule("public")
    @rx.event
    def submit(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.forgot_email = str(form.get("email", ""))[:320]
        self.forgot_error = self.email_error = ""
        try:
            trust.request_reset(self.forgot_email, ip=self._client_ip())
        except ValidationError as err:
            self.email_error = self._tr(err.errors.get("email", "errors.email_invalid"))
            return
        except RateLimited as err:
            self.forgot_error = self._error_text(err)
            return
        self.sent = True


class ResetState(AppState):
    stage: str = ""  # "" checking, "form", "invalid", "done"
    reset_error: str = ""
    password_error: str = ""

    @rule("public", why="a mailed-link page: acts on the link's token, never on an id")
    @rx.event
    def load(self):
        self.reset_error = self.password_error = ""
        with session_scope() as s:
            self.stage = "form" if trust.reset_link_is_live(s, _route_token(self)) else "invalid"

    @rule("public", why="a mailed-link page: acts on the link's token, never on an id")
    @rx.event
    def submit(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.reset_error = self.password_error = ""
        try:
            with session_scope() as s:
                trust.reset_password(s, _route_token(self), str(form.get("password", "")), ip=self._client_ip())
        except ValidationError as err:
            self.password_error = self._tr(err.errors.get("password", "errors.form_invalid"))
            return
        except ServiceError as err:
            self.reset_error = self._error_text(err)
            self.stage = "invalid"
            return
        self.stage = "done"
        # Every session of the account ended, this tab's too if it was signed in as it.
        self._refresh_identity()
