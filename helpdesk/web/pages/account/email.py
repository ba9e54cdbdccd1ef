"""Mi cuenta → Dirección de correo: ask to move the account to a new address (services/email_change).

Its own State: the actor comes from the session in every handler; the only inputs are the new
address and the password, and the change itself happens on the page the mailed link opens.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import email_change
from helpdesk.services.errors import RateLimited, ServiceError, ValidationError
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, form_error, labeled_input, tid
from helpdesk.web.pages.guard import GuardedState


def _form(form: object) -> dict:
    return form if isinstance(form, dict) else {}


class EmailChangeState(GuardedState):
    current_email: str = ""
    pending_email: str = ""
    email_errors: dict[str, str] = {}
    # The notice is drawn from the catalog in the browser (kind + address), so it follows the
    # language switch like the rest of the page.
    notice_kind: str = ""  # "" | "sent" | "cancelled"
    notice_email: str = ""
    typed_email: str = ""  # kept on an error, so nothing typed is lost

    def _reload(self, user) -> None:
        self.current_email = user.email
        with session_scope() as s:
            self.pending_email = email_change.pending(s, user)

    @rule("signed_in")
    @rx.event
    def load_email(self):
        user = self._allowed_actor()
        self.email_errors, self.notice_kind, self.typed_email = {}, "", ""
        if user is not None:
            self._reload(user)

    @rule("signed_in")
    @rx.event
    def request_change(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        f = _form(form)
        self.typed_email = str(f.get("new_email", ""))[:320]
        self.email_errors, self.notice_kind = {}, ""
        try:
            address = email_change.request_change(user, new_email=self.typed_email,
                                                  password=str(f.get("email_password", ""))[:300], ip=self._client_ip())
        except ValidationError as err:
            self.email_errors = {k: self._tr(v) for k, v in err.errors.items()}
            return rx.set_value("input-email_password", "")
        except (RateLimited, ServiceError) as err:
            self.email_errors = {"form": self._error_text(err)}
            return rx.set_value("input-email_password", "")
        self.notice_kind, self.notice_email = "sent", address
        self.typed_email = ""
        self._reload(user)
        return [rx.set_value("input-new_email", ""), rx.set_value("input-email_password", "")]

    @rule("signed_in")
    @rx.event
    def cancel_change(self):
        user = self._allowed_actor()
        if user is None:
            return
        with session_scope() as s:
            email_change.cancel(s, user)
        self.notice_kind = "cancelled"
        self._reload(user)


def email_section() -> rx.Component:
    S = EmailChangeState
    return rx.card(
        rx.vstack(
            rx.heading(T["account.email_title"], as_="h2", size="4"),
            rx.text(T["account.email_current"].replace("{email}", S.current_email), size="2",
                    custom_attrs=tid("email-current")),
            rx.cond(S.notice_kind != "", rx.callout(
                rx.match(S.notice_kind, ("sent", T["account.email_sent"].replace("{email}", S.notice_email)),
                         T["account.email_cancelled"]),
                icon="mail-check", color_scheme="green", role="status", width="100%", custom_attrs=tid("email-change-sent"))),
            rx.cond(
                S.pending_email != "",
                rx.hstack(
                    rx.text(T["account.email_pending"].replace("{email}", S.pending_email), size="2",
                            custom_attrs=tid("email-pending")),
                    rx.button(T["account.email_cancel"], type="button", variant="soft", color_scheme="gray", size="1",
                              on_click=S.cancel_change, custom_attrs=tid("email-cancel")),
                    align="center", wrap="wrap", spacing="2",
                ),
            ),
            form_error(S.email_errors.get("form", "")),
            rx.text(T["account.email_help"], size="2", color_scheme="gray"),
            rx.form(
                labeled_input("new_email", T["account.email_new"], testid="email-new", error=S.email_errors.get("new_email", ""),
                              type_="email", autocomplete="email", default_value=S.typed_email),
                labeled_input("email_password", T["account.email_password"], testid="email-password",
                              error=S.email_errors.get("email_password", ""), type_="password",
                              autocomplete="current-password"),
                rx.button(T["account.email_send"], type="submit", custom_attrs=tid("email-change-submit")),
                on_submit=S.request_change,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        on_mount=S.load_email,
    )
