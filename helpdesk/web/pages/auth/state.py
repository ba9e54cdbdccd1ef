"""Sign in, sign up and sign out."""

from __future__ import annotations

import json
import time

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import account_mail, accounts, known_devices, totp
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web import routes
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.altcha import FIELD as CAPTCHA_FIELD
from helpdesk.web.components.altcha import RESET_SCRIPT, submit_when_solved_script


def set_download_cookie_script(token: str) -> str:
    """Give this browser an HttpOnly cookie tied to its session so attachment links work here only."""
    body = json.dumps({"token": token})
    return (
        "fetch('/api/session', {method: 'POST', credentials: 'same-origin', "
        f"headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(body)}}})"
    )


CLEAR_DOWNLOAD_COOKIE_SCRIPT = "fetch('/api/session', {method: 'DELETE', credentials: 'same-origin'})"
REGISTER_FORM_ID = "register-form"
# How long the second step may wait after the password was accepted.
PENDING_LOGIN_S = 5 * 60


class AuthState(AppState):
    form_error: str = ""
    # Neutral "check your inbox" after a sign-up with an address that already has an account.
    register_notice: str = ""
    errors: dict[str, str] = {}
    email_value: str = ""
    name_value: str = ""
    busy: bool = False
    # Two-step sign-in: the password was accepted, the code is asked for. Who is signing in is
    # kept only server-side (private vars): no event argument can name the account.
    totp_step: bool = False
    totp_error: str = ""
    # Issued at each sign-in, sent back with the next one (services/known_devices): a flood of
    # wrong passwords from elsewhere does not lock this browser's owner out. Signed; names the
    # account by a hash only.
    known_device: str = rx.LocalStorage("", name="hd_known_device", sync=True)
    _pending_user_id: int = 0
    _pending_until: float = 0.0

    def _forget_pending(self) -> None:
        self.totp_step, self.totp_error = False, ""
        self._pending_user_id, self._pending_until = 0, 0.0

    def _landing(self, role: str) -> str:
        default = routes.AGENT if role in ("agent", "admin") else routes.HOME
        return routes.safe_next(self.router.url.query_parameters.get("next"), default)

    @rule("public")
    @rx.event
    def open_form(self):
        self.form_error = ""
        self.errors = {}
        self.busy = False
        self.register_notice = ""
        self._forget_pending()
        if self._actor() is not None and self.router.url.path in (routes.LOGIN, routes.REGISTER):
            return rx.redirect(self._landing(self.user_role))

    @rule("public")
    @rx.event
    def login(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.form_error, self.errors = "", {}
        self._forget_pending()
        self.email_value = str(form.get("email", ""))[:320]
        try:
            with session_scope() as s:
                user, token = accounts.authenticate(
                    s,
                    email=self.email_value,
                    password=str(form.get("password", ""))[:accounts.MAX_PASSWORD + 1],
                    ip=self._client_ip(),
                    user_agent=self.router.headers.user_agent,
                    device_token=str(self.known_device or "")[:400],
                )
        except accounts.SecondStepRequired as pending:
            self._pending_user_id, self._pending_until = pending.user_id, time.time() + PENDING_LOGIN_S
            self.totp_step = True
            return
        except ServiceError as err:
            self.form_error = self._error_text(err)
            return
        return self._signed_in(token, user.role, user.email)

    @rule("public", why="acts only on the account whose password this tab gave (private var)")
    @rx.event
    def login_totp(self, form: dict):
        """Second step: a current code (or a recovery code) for the account held server-side."""
        form = form if isinstance(form, dict) else {}
        self.form_error, self.totp_error = "", ""
        user_id = self._pending_user_id
        if not self.totp_step or not user_id or time.time() > self._pending_until:
            self._forget_pending()
            self.form_error = self._tr("totp.login_expired")
            return
        code = str(form.get("totp_code", ""))[:64].strip()
        if not code:
            self.totp_error = self._tr("totp.code_required")
            return
        try:
            with session_scope() as s:
                user, token = totp.complete_login(s, user_id, code, ip=self._client_ip(),
                                                  user_agent=self.router.headers.user_agent)
        except ServiceError as err:
            if err.code == "totp.login_expired":
                self._forget_pending()
                self.form_error = self._error_text(err)
            else:
                self.totp_error = self._error_text(err)
            return [rx.set_value("input-totp_code", "")]
        self._forget_pending()
        return self._signed_in(token, user.role, user.email)

    @rule("public", why="forgets only this tab's pending second step")
    @rx.event
    def cancel_totp(self):
        self.form_error = ""
        self._forget_pending()

    @rule("public")
    @rx.event
    def register(self, form: dict):
        form = form if isinstance(form, dict) else {}
        self.form_error, self.errors, self.register_notice = "", {}, ""
        # What was typed stays in the form (default values) whatever the answer; only the
        # password field is emptied by the browser's re-render.
        self.email_value = str(form.get("email", ""))[:320]
        self.name_value = str(form.get("name", ""))[:200]
        try:
            with session_scope() as s:
                user, token = accounts.register(
                    s,
                    name=self.name_value,
                    email=self.email_value,
                    password=str(form.get("password", ""))[:accounts.MAX_PASSWORD + 1],
                    captcha_payload=str(form.get(CAPTCHA_FIELD, "") or "")[:8192],
                    locale=self.locale,
                    ip=self._client_ip(),
                )
        except ValidationError as err:
            self.errors = {field: self._tr(key) for field, key in err.errors.items()}
            self.form_error = self._tr(err.code)
            if set(err.errors) == {"captcha"}:
                # Sent before the widget finished its proof of work: send again once it has.
                self.form_error = ""
                return rx.call_script(submit_when_solved_script(REGISTER_FORM_ID))
            return
        except account_mail.AlreadyRegistered as err:
            # Same words a new account gets in its mail notice; the owner got a mail instead.
            self.register_notice = self._error_text(err)
            return rx.call_script(RESET_SCRIPT)  # that solution is spent: a fresh puzzle
        except ServiceError as err:
            if err.field == "captcha":
                self.errors = {"captcha": self._error_text(err)}
                return rx.call_script(RESET_SCRIPT)
            self.form_error = self._error_text(err)
            return
        events = self._signed_in(token, user.role, user.email)
        return [rx.toast.info(self._tr("trust.verify_pending"), duration=10000), *events]

    def _signed_in(self, token: str, role: str, email: str = ""):
        self.token = token
        if email:
            self.known_device = known_devices.issue(email)
        self._refresh_identity()
        self.email_value = self.name_value = ""
        return [rx.call_script(set_download_cookie_script(token)), rx.redirect(self._landing(role))]

    @rule("public")
    @rx.event
    async def logout(self):
        with session_scope() as s:
            accounts.end_session(s, self.token)
        self.token = ""
        device = self.known_device  # a browser stays known after signing out (that is its point)
        # The tab's state outlives the sign-out: drop every page's data, not just ours.
        for state_cls in _all_substates(AppState):
            state = await self.get_state(state_cls)
            state.reset()
        self.known_device = device
        self._refresh_identity()
        return [rx.call_script(CLEAR_DOWNLOAD_COOKIE_SCRIPT), rx.redirect(routes.LOGIN)]


def _all_substates(cls: type[rx.State]) -> list[type[rx.State]]:
    found = []
    for sub in cls.get_substates():
        found.append(sub)
        found.extend(_all_substates(sub))
    return found
