"""Sign in, sign up and sign out."""

from __future__ import annotations

import json

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import accounts
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web import routes
from helpdesk.web.app_state import AppState


def set_download_cookie_script(token: str) -> str:
    """Give this browser an HttpOnly cookie tied to its session so attachment links work here only."""
    body = json.dumps({"token": token})
    return (
        "fetch('/api/session', {method: 'POST', credentials: 'same-origin', "
        f"headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(body)}}})"
    )


CLEAR_DOWNLOAD_COOKIE_SCRIPT = "fetch('/api/session', {method: 'DELETE', credentials: 'same-origin'})"


class AuthState(AppState):
    form_error: str = ""
    errors: dict[str, str] = {}
    email_value: str = ""
    name_value: str = ""
    busy: bool = False

    def _landing(self, role: str) -> str:
        default = routes.AGENT if role in ("agent", "admin") else routes.HOME
        return routes.safe_next(self.router.url.query_parameters.get("next"), default)

    @rx.event
    def open_form(self):
        self.form_error = ""
        self.errors = {}
        self.busy = False
        if self._actor() is not None and self.router.url.path in (routes.LOGIN, routes.REGISTER):
            return rx.redirect(self._landing(self.user_role))

    @rx.event
    def login(self, form: dict):
        self.form_error, self.errors = "", {}
        self.email_value = str(form.get("email", ""))[:320]
        try:
            with session_scope() as s:
                user, token = accounts.authenticate(
                    s,
                    email=self.email_value,
                    password=str(form.get("password", "")),
                    ip=self._client_ip(),
                    user_agent=self.router.headers.user_agent,
                )
        except ServiceError as err:
            self.form_error = self._error_text(err)
            return
        return self._signed_in(token, user.role)

    @rx.event
    def register(self, form: dict):
        self.form_error, self.errors = "", {}
        self.email_value = str(form.get("email", ""))[:320]
        self.name_value = str(form.get("name", ""))[:200]
        try:
            with session_scope() as s:
                user, token = accounts.register(
                    s,
                    name=self.name_value,
                    email=self.email_value,
                    password=str(form.get("password", "")),
                    locale=self.locale,
                    ip=self._client_ip(),
                )
        except ValidationError as err:
            self.errors = {field: self._tr(key) for field, key in err.errors.items()}
            self.form_error = self._tr(err.code)
            return
        except ServiceError as err:
            self.form_error = self._error_text(err)
            return
        return self._signed_in(token, user.role)

    def _signed_in(self, token: str, role: str):
        self.token = token
        self._refresh_identity()
        self.email_value = self.name_value = ""
        return [rx.call_script(set_download_cookie_script(token)), rx.redirect(self._landing(role))]

    @rx.event
    async def logout(self):
        with session_scope() as s:
            accounts.end_session(s, self.token)
        self.token = ""
        # The tab's state outlives the sign-out: drop every page's data, not just ours.
        for state_cls in _all_substates(AppState):
            state = await self.get_state(state_cls)
            state.reset()
        self._refresh_identity()
        return [rx.call_script(CLEAR_DOWNLOAD_COOKIE_SCRIPT), rx.redirect(routes.LOGIN)]


def _all_substates(cls: type[rx.State]) -> list[type[rx.State]]:
    found = []
    for sub in cls.get_substates():
        found.append(sub)
        found.extend(_all_substates(sub))
    return found
