"""Mi cuenta → Seguridad: two-step sign-in (status, setup with QR code and key, recovery codes
shown once, turning it off).

Its own State: every handler resolves the actor from the session again and acts only on that
actor; nothing in an event argument names an account. The pending secret lives in the database
(services/totp.py); the copy here is only for display while the setup is open.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.domain.accounts import User
from helpdesk.infra.db import session_scope
from helpdesk.services import staff_totp_rule, totp
from helpdesk.services.errors import ServiceError
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, form_error, labeled_input, tid
from helpdesk.web.pages.guard import GuardedState


def _form(form: object) -> dict:
    return form if isinstance(form, dict) else {}


class SecurityState(GuardedState):
    totp_on: bool = False
    totp_since: str = ""
    recovery_left: int = 0
    setup_open: bool = False
    totp_secret: str = ""  # the pending key, shown while the setup is open
    totp_qr: str = ""  # SVG data URI made on the server
    recovery_codes: list[str] = []  # shown once, right after turning it on; never reloaded
    sec_errors: dict[str, str] = {}
    sec_notice: str = ""
    totp_required: bool = False  # the admin requires it of staff and this account has not turned it on

    def _reload(self, user) -> None:
        with session_scope() as s:
            row = s.get(User, user.id)
            self.totp_on = totp.is_enabled(row)
            self.totp_since = row.totp_enabled_at.strftime("%Y-%m-%d") if row.totp_enabled_at else ""
            self.recovery_left = totp.recovery_codes_left(s, row) if self.totp_on else 0
            self.totp_required = staff_totp_rule.enrollment_due(row)

    def _close_setup(self) -> None:
        self.setup_open, self.totp_secret, self.totp_qr = False, "", ""

    @rule("signed_in")
    @rx.event
    def load_security(self):
        user = self._allowed_actor()
        self.sec_errors, self.sec_notice, self.recovery_codes = {}, "", []
        self._close_setup()
        if user is None:
            self.totp_on = False
            return
        self._reload(user)

    @rule("signed_in")
    @rx.event
    def start_totp_setup(self):
        user = self._allowed_actor()
        if user is None:
            return
        self.sec_errors, self.sec_notice = {}, ""
        try:
            with session_scope() as s:
                setup = totp.begin_setup(s, user)
        except ServiceError as err:
            self.sec_errors = {"form": self._error_text(err)}
            self._reload(user)
            return
        self.setup_open, self.totp_secret, self.totp_qr = True, setup.secret, setup.qr_data_uri

    @rule("signed_in")
    @rx.event
    def cancel_totp_setup(self):
        user = self._allowed_actor()
        self._close_setup()
        self.sec_errors = {}
        if user is not None:
            with session_scope() as s:
                totp.cancel_setup(s, user)

    @rule("signed_in")
    @rx.event
    def enable_totp(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        self.sec_errors, self.sec_notice = {}, ""
        code = str(_form(form).get("totp_code", ""))[:64].strip()
        if not code:
            self.sec_errors = {"totp_code": self._tr("totp.code_required")}
            return
        try:
            with session_scope() as s:
                codes = totp.enable(s, user, code, ip=self._client_ip())
        except ServiceError as err:
            self.sec_errors = {"totp_code": self._error_text(err)}
            return [rx.set_value("input-totp_code", "")]
        self._close_setup()
        self.recovery_codes = codes
        self.sec_notice = self._tr("totp.enabled_notice")
        self._reload(user)

    @rule("signed_in", why="only this tab's own one-time display of its recovery codes")
    @rx.event
    def dismiss_recovery_codes(self):
        self.recovery_codes = []

    @rule("signed_in", why="only this tab's own one-time display of its recovery codes")
    @rx.event
    def copy_recovery_codes(self):
        if not self.recovery_codes:
            return
        return [rx.set_clipboard("\n".join(self.recovery_codes)), rx.toast.success(self._tr("totp.recovery_copied"))]

    @rule("signed_in")
    @rx.event
    def disable_totp(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        self.sec_errors, self.sec_notice = {}, ""
        proof = str(_form(form).get("totp_proof", ""))[:300]
        if not proof.strip():
            self.sec_errors = {"totp_proof": self._tr("totp.code_required")}
            return
        compact = "".join(proof.split())
        # Six digits are a code; anything else may be a recovery code or the password.
        looks_like_code = compact.isdigit() and len(compact) == totp.DIGITS
        try:
            with session_scope() as s:
                totp.disable(s, user, code=compact, password="" if looks_like_code else proof, ip=self._client_ip())
        except ServiceError as err:
            self.sec_errors = {"totp_proof": self._error_text(err)}
            return [rx.set_value("input-totp_proof", "")]
        self.recovery_codes = []
        self.sec_notice = self._tr("totp.disabled_notice")
        self._reload(user)
        return [rx.set_value("input-totp_proof", "")]


def _status() -> rx.Component:
    S = SecurityState
    return rx.hstack(
        rx.badge(
            rx.icon(rx.cond(S.totp_on, "shield-check", "shield-off"), size=14),
            rx.cond(S.totp_on, T["totp.status_on"], T["totp.status_off"]),
            color_scheme=rx.cond(S.totp_on, "green", "gray"), size="2", variant="soft",
            custom_attrs=tid("totp-status"),
        ),
        rx.cond(S.totp_on & (S.totp_since != ""), rx.text(S.totp_since, size="1", color_scheme="gray")),
        spacing="2",
        wrap="wrap",
        align="center",
    )


def _setup_panel() -> rx.Component:
    S = SecurityState
    return rx.vstack(
        rx.text(T["totp.scan"], size="2"),
        rx.flex(
            rx.image(src=S.totp_qr, alt=T["totp.qr_alt"], width="176px", height="176px",
                     border="1px solid var(--gray-a5)", border_radius="var(--radius-3)",
                     custom_attrs=tid("totp-qr")),
            rx.vstack(
                rx.text(T["totp.secret_label"], size="1", color_scheme="gray"),
                rx.code(S.totp_secret, size="3", word_break="break-all", custom_attrs=tid("totp-secret")),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            spacing="4",
            align=rx.breakpoints(initial="start", sm="center"),
            direction=rx.breakpoints(initial="column", sm="row"),
            width="100%",
        ),
        rx.form(
            rx.vstack(
                labeled_input("totp_code", T["totp.code"], testid="totp-code", error=S.sec_errors.get("totp_code", ""),
                              autocomplete="one-time-code", max_length=32),
                rx.hstack(
                    rx.button(T["totp.enable"], type="submit", custom_attrs=tid("totp-enable")),
                    rx.button(T["totp.cancel"], type="button", variant="soft", color_scheme="gray",
                              on_click=S.cancel_totp_setup, custom_attrs=tid("totp-cancel")),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.enable_totp,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="3",
        width="100%",
        custom_attrs=tid("totp-setup-panel"),
    )


def _recovery_panel() -> rx.Component:
    S = SecurityState
    return rx.callout.root(
        rx.callout.icon(rx.icon("key-round")),
        rx.vstack(
            rx.text(T["totp.recovery_title"], weight="bold"),
            rx.text(T["totp.recovery_help"], size="2"),
            rx.grid(
                rx.foreach(S.recovery_codes, lambda c: rx.code(c, size="2", custom_attrs=tid("totp-recovery-code"))),
                columns=rx.breakpoints(initial="1", xs="2"),
                gap="2",
                width="100%",
            ),
            rx.hstack(
                rx.button(rx.icon("copy", size=14), T["totp.recovery_copy"], type="button", variant="soft",
                          on_click=S.copy_recovery_codes, custom_attrs=tid("totp-recovery-copy")),
                rx.button(T["totp.recovery_done"], type="button", variant="ghost", on_click=S.dismiss_recovery_codes),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        color_scheme="amber",
        role="status",
        width="100%",
        custom_attrs=tid("totp-recovery"),
    )


def _disable_panel() -> rx.Component:
    S = SecurityState
    return rx.vstack(
        rx.text(T["totp.recovery_left"].replace("{count}", S.recovery_left.to_string()), size="2", color_scheme="gray"),
        rx.heading(T["totp.disable_title"], as_="h3", size="3"),
        rx.text(T["totp.disable_help"], size="2"),
        rx.form(
            rx.vstack(
                labeled_input("totp_proof", T["totp.disable_code"], testid="totp-disable-code",
                              error=S.sec_errors.get("totp_proof", ""), type_="password", autocomplete="off"),
                rx.button(T["totp.disable"], type="submit", color_scheme="red", variant="soft",
                          custom_attrs=tid("totp-disable")),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=S.disable_totp,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def security_section() -> rx.Component:
    S = SecurityState
    return rx.card(
        rx.vstack(
            rx.heading(T["totp.title"], as_="h2", size="4"),
            rx.cond(S.totp_required, rx.callout(T["totp.required_notice"], icon="shield-alert", color_scheme="amber",
                                                role="alert", width="100%", custom_attrs=tid("totp-required"))),
            _status(),
            rx.text(T["totp.help"], size="2"),
            form_error(S.sec_errors.get("form", "")),
            rx.cond(S.sec_notice != "", rx.callout(S.sec_notice, icon="check", color_scheme="green", role="status",
                                                   width="100%", custom_attrs=tid("totp-notice"))),
            rx.cond(S.recovery_codes.length() > 0, _recovery_panel()),
            rx.cond(
                S.totp_on,
                _disable_panel(),
                rx.cond(
                    S.setup_open,
                    _setup_panel(),
                    rx.button(rx.icon("shield-check", size=16), T["totp.setup"], type="button",
                              on_click=S.start_totp_setup, custom_attrs=tid("totp-setup")),
                ),
            ),
            spacing="3",
            width="100%",
            on_mount=S.load_security,
        ),
        width="100%",
        id="security",
        custom_attrs=tid("security-section"),
    )
