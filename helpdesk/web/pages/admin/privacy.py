"""/admin → Privacidad: erase an account (the address typed twice), how long attachments are kept
after a ticket closes, and the newest audit events. Handlers re-check the admin role; the
services (privacy, privacy_admin) check it again."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.infra.db import session_scope
from helpdesk.services import policy, privacy, privacy_admin, staff_totp
from helpdesk.services.errors import NotFound, ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, tid

AUDIT_ROWS = 30


class AuditView(BaseModel):
    at: str
    at_full: str
    action: str
    actor: str
    target: str


class PrivacyAdminState(AppState):
    retention: str = ""
    staff_totp_on: bool = False
    audit: list[AuditView] = []
    errors: dict[str, str] = {}

    def _admin(self):
        user = self._actor()
        return user if policy.user_may(user, Action.ADMIN_SETTINGS) else None

    def _reload(self, actor) -> None:
        loc = self.locale
        with session_scope() as s:
            self.retention = str(privacy.retention_days(s))
            self.staff_totp_on = staff_totp.is_required(s)
            rows = privacy_admin.audit_rows(s, actor, AUDIT_ROWS)
        self.audit = [AuditView(at=i18n.relative_time(r.at, loc), at_full=i18n.full_datetime(r.at, loc), action=r.action,
                                actor=r.actor or "—", target=r.target) for r in rows]

    @rule("admin")
    @rx.event
    def load(self):
        self.errors = {}
        actor = self._admin()
        if actor is None:
            self.retention, self.audit = "", []
            return
        self._reload(actor)

    @rule("admin")
    @rx.event
    def relocalize(self):
        """The language switch: the log's relative dates are made here, on the server."""
        actor = self._admin()
        if actor is not None:
            self._reload(actor)

    @rule("admin")
    @rx.event
    def save_retention(self, form: dict):
        actor = self._admin()
        if actor is None:
            return
        days = str((form or {}).get("days", "") if isinstance(form, dict) else "")[:8]
        self.errors = {}
        try:
            with session_scope() as s:
                privacy.set_retention_days(s, actor, days)
        except ValidationError as err:
            self.errors = {"days": self._tr(next(iter(err.errors.values())))}
            return
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self._reload(actor)
        return rx.toast.success(self._tr("admin.saved"))

    @rule("admin")
    @rx.event
    def set_staff_totp(self, on: bool):
        actor = self._admin()
        if actor is None:
            return
        try:
            with session_scope() as s:
                staff_totp.set_required(s, actor, on is True, ip=self._client_ip())
        except ServiceError as err:
            self._reload(actor)
            return rx.toast.error(self._error_text(err))
        staff_totp.invalidate()  # after the commit: this worker knows at once
        self._reload(actor)
        return rx.toast.success(self._tr("totp.staff_rule_on" if self.staff_totp_on else "totp.staff_rule_off"))

    @rule("admin")
    @rx.event
    def anonymize(self, form: dict):
        actor = self._admin()
        if actor is None:
            return
        form = form if isinstance(form, dict) else {}
        email, confirm = str(form.get("email", ""))[:320], str(form.get("confirm", ""))[:320]
        self.errors = {}
        try:
            with session_scope() as s:
                privacy_admin.anonymize_by_email(s, actor, email, confirm, ip=self._client_ip())
        except ValidationError as err:
            self.errors = {k: self._tr(v) for k, v in err.errors.items()}
            return
        except NotFound:
            self.errors = {"email": self._tr("privacy_admin.no_account")}
            return
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self._reload(actor)
        return [rx.set_value("privacy-email", ""), rx.set_value("privacy-confirm", ""),
                rx.toast.success(self._tr("privacy_admin.anonymized"))]


S = PrivacyAdminState
# /admin's other tabs make no relative dates; the audit log does ("hace 2 minutos").
relocalize.register(routes.ADMIN, PrivacyAdminState)


def _card(*children, testid: str) -> rx.Component:
    return rx.box(rx.vstack(*children, spacing="3", width="100%"), class_name="hd-card", padding="1.1rem", width="100%",
                  custom_attrs=tid(testid))


def _input(name: str, label_key: str, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(T[label_key], html_for=f"privacy-{name}", font_size="0.875rem"),
        rx.input(id=f"privacy-{name}", name=name, aria_describedby=f"privacy-{name}-error",
                 aria_invalid=rx.cond(S.errors.get(name, "") != "", "true", "false"),
                 custom_attrs=tid(f"privacy-{name}"), **props),
        rx.text(S.errors.get(name, ""), id=f"privacy-{name}-error", size="1", color=rx.color("red", 11)),
        spacing="1",
    )


CELL = {"padding": "0.4rem 0.6rem", "border_bottom": "1px solid var(--gray-a5)", "text_align": "left",
        "font_size": "var(--font-size-1)", "vertical_align": "top"}


def _audit_row(r: AuditView) -> rx.Component:
    return rx.el.tr(
        rx.el.td(rx.el.span(r.at, title=r.at_full), style={**CELL, "white_space": "nowrap"}),
        rx.el.td(rx.code(r.action, size="1"), style=CELL),
        rx.el.td(r.actor, style=CELL),
        rx.el.td(r.target, style={**CELL, "overflow_wrap": "anywhere"}),
        custom_attrs=tid("privacy-audit-row"),
    )


def privacy_section() -> rx.Component:
    return rx.vstack(
        _card(
            rx.heading(T["privacy_admin.retention_title"], size="4", as_="h2"),
            rx.text(T["privacy_admin.retention_hint"], size="2", color_scheme="gray"),
            rx.form(
                rx.flex(
                    _input("days", "privacy_admin.retention_days", type="number", min="0", max=str(privacy.MAX_RETENTION_DAYS),
                           width="8rem", default_value=S.retention, key=S.retention),
                    rx.button(T["privacy_admin.save"], type="submit", custom_attrs=tid("privacy-retention-save")),
                    gap="1rem", align="center", wrap="wrap",
                ),
                on_submit=S.save_retention, reset_on_submit=False,
            ),
            testid="privacy-retention",
        ),
        _card(
            rx.heading(T["totp.staff_rule_title"], size="4", as_="h2"),
            rx.text(T["totp.staff_rule_help"], size="2", color_scheme="gray"),
            rx.el.label(
                rx.hstack(
                    rx.switch(checked=S.staff_totp_on, on_change=S.set_staff_totp, custom_attrs=tid("staff-totp-required")),
                    rx.text(T["totp.staff_rule_label"], size="2"),
                    align="center", spacing="2",
                ),
            ),
            testid="staff-totp-card",
        ),
        _card(
            rx.heading(T["privacy_admin.erase_title"], size="4", as_="h2"),
            rx.text(T["privacy_admin.erase_hint"], size="2", color_scheme="gray"),
            rx.form(
                rx.flex(
                    _input("email", "privacy_admin.erase_email", type="email", width="18rem", autocomplete="off"),
                    _input("confirm", "privacy_admin.erase_confirm", type="email", width="18rem", autocomplete="off"),
                    rx.button(rx.icon("user-x", size=14), T["privacy_admin.erase_button"], type="submit", color_scheme="red",
                              variant="soft", high_contrast=True, custom_attrs=tid("privacy-erase")),
                    gap="1rem", align="center", wrap="wrap",
                ),
                on_submit=S.anonymize, reset_on_submit=False,  # a mistyped confirmation keeps the address
            ),
            testid="privacy-erase-card",
        ),
        _card(
            rx.heading(T["privacy_admin.audit_title"], size="4", as_="h2"),
            rx.cond(
                S.audit.length() > 0,
                # A plain table in a scrolling region the keyboard can reach (axe: scrollable-region-focusable).
                rx.box(
                    rx.el.table(
                        rx.el.thead(rx.el.tr(*[rx.el.th(T[f"privacy_admin.col_{c}"], scope="col", style={**CELL, "font_weight": "600"})
                                               for c in ("when", "action", "who", "target")])),
                        rx.el.tbody(rx.foreach(S.audit, _audit_row)),
                        style={"border_collapse": "collapse", "width": "100%"},
                    ),
                    overflow_x="auto", width="100%", tab_index=0, role="region", aria_label=T["privacy_admin.audit_title"],
                ),
                rx.text(T["privacy_admin.audit_empty"], size="2", color_scheme="gray"),
            ),
            testid="privacy-audit",
        ),
        on_mount=S.load,
        spacing="3",
        width="100%",
    )
