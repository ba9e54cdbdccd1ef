"""Mi cuenta: profile, password, download my data, erase my account.

Every handler resolves the actor again from the session token (never from a var), and acts only
on that actor: there is no user id in any argument for a forged call to change.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, privacy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web import routes
from helpdesk.web.access import rule
from helpdesk.web.pages.guard import GuardedState

CLEAR_DOWNLOAD_COOKIE_SCRIPT = "fetch('/api/session', {method: 'DELETE', credentials: 'same-origin'})"


def _form(form: object) -> dict:
    return form if isinstance(form, dict) else {}


class AccountState(GuardedState):
    name: str = ""
    email: str = ""
    errors: dict[str, str] = {}
    notice: str = ""

    def _fill(self, user: User) -> None:
        self.name, self.email = user.name, user.email

    def _field_errors(self, err: ValidationError) -> None:
        self.errors = {k: self._tr(v) for k, v in err.errors.items()}

    @rule("signed_in")
    @rx.event
    def load(self):
        user, redirect = self._enter()
        if user is None:
            return redirect
        self._fill(user)

    @rule("signed_in")
    @rx.event
    def save_profile(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        name = " ".join(str(_form(form).get("name", ""))[:400].split())
        self.errors, self.notice = {}, ""
        if not name or len(name) > 200:
            self.errors = {"name": self._tr("errors.name_required")}
            return
        with session_scope() as s:
            row = s.get(User, user.id)
            row.name = name
            self._fill(row)
        self.user_name = name
        self.notice = self._tr("account.saved")

    @rule("signed_in")
    @rx.event
    def change_password(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        f = _form(form)
        self.errors, self.notice = {}, ""
        try:
            with session_scope() as s:
                # Other browsers are signed out; this one keeps its session.
                accounts.change_password(s, user, current=str(f.get("current_password", ""))[:300],
                                         new=str(f.get("new_password", ""))[:300], token=self.token)
        except ValidationError as err:
            self._field_errors(err)
            return
        except ServiceError as err:
            self.errors = {"form": self._error_text(err)}
            return
        self.notice = self._tr("account.password_changed")
        return [rx.set_value("input-current_password", ""), rx.set_value("input-new_password", "")]

    @rule("signed_in")
    @rx.event
    def download_my_data(self):
        user = self._allowed_actor()
        if user is None:
            return
        with session_scope() as s:
            data = privacy.export_my_data(s, user, ip=self._client_ip())
        return rx.download(data=data, filename="mis-datos.zip")

    @rule("signed_in")
    @rx.event
    async def request_deletion(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        f = _form(form)
        self.errors, self.notice = {}, ""
        try:
            with session_scope() as s:
                privacy.request_deletion(s, user, confirm_email=str(f.get("confirm_email", ""))[:320],
                                         password=str(f.get("password", ""))[:300], ip=self._client_ip())
        except ValidationError as err:
            self._field_errors(err)
            return
        except ServiceError as err:
            self.errors = {"form": self._error_text(err)}
            return
        # Signed out everywhere: forget the token and every page's data in this tab too.
        from helpdesk.web.pages.auth.state import _all_substates
        from helpdesk.web.app_state import AppState

        self.token = ""
        for state_cls in _all_substates(AppState):
            (await self.get_state(state_cls)).reset()
        self._refresh_identity()
        return [rx.call_script(CLEAR_DOWNLOAD_COOKIE_SCRIPT), rx.redirect(routes.HOME)]
