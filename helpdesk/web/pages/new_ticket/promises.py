"""The new-ticket form's service promises: the urgent checkbox for premium members (with the
allowance left), the out-of-hours notice (`hours-notice`) and the reply estimate.

Showing the checkbox decides nothing: services/plans checks every urgent ticket again when it
is created, whatever the browser sends.
"""

from __future__ import annotations

import logging

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import estimates, plans
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, field_error, tid

log = logging.getLogger("helpdesk.web.promises")


class PromiseFormState(AppState):
    premium: bool = False
    may_mark: bool = False
    allowance_text: str = ""
    urgent_checked: bool = False
    notice: str = ""
    estimate_text: str = ""
    urgent_estimate: str = ""

    @rule("public")
    @rx.event
    def load(self):
        actor = self._actor()
        try:
            with session_scope() as s:
                status = plans.urgent_status(s, actor)
                self.notice, self.estimate_text = estimates.before_sending(s, self.locale)
                self.urgent_estimate = (
                    estimates.before_sending(s, self.locale, priority="urgent")[1] if status.premium else ""
                )
        except Exception:  # noqa: BLE001 - a missing estimate must never stop someone writing
            log.exception("promise estimate failed")
            return
        self.premium, self.may_mark = status.premium, status.may_mark
        self.urgent_checked = False
        if status.may_mark:
            self.allowance_text = self._tr("promises.urgent_left", left=status.left, allowance=status.allowance)
        elif status.premium:
            self.allowance_text = self._tr("promises.urgent_none_left_hint", allowance=status.allowance)
        else:
            self.allowance_text = ""

    @rule("public")
    @rx.event
    def set_urgent(self, checked: bool):
        self.urgent_checked = bool(checked) and self.may_mark


def promise_fields(errors) -> rx.Component:
    """Inside the form: `errors` is the form state's field-error dict (for the urgent field)."""
    S = PromiseFormState
    return rx.vstack(
        rx.cond(
            S.premium,
            rx.vstack(
                rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        name="urgent",
                        value="1",
                        id="input-urgent",
                        disabled=~S.may_mark,
                        checked=S.urgent_checked,
                        on_change=S.set_urgent,
                        custom_attrs={**tid("ticket-urgent"), "aria-describedby": "urgent-hint urgent-error"},
                        style={"width": "1.1rem", "height": "1.1rem"},
                    ),
                    rx.text.span(T["promises.urgent_label"], weight="medium"),
                    html_for="input-urgent",
                    style={"display": "flex", "gap": "0.5rem", "align_items": "center", "cursor": "pointer"},
                ),
                rx.text(S.allowance_text, size="1", color_scheme="gray", id="urgent-hint",
                        custom_attrs=tid("urgent-allowance")),
                field_error("urgent", errors.get("urgent", "")),
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(
            (S.notice != "") & ~S.urgent_checked,
            rx.callout(S.notice, icon="moon", color_scheme="amber", variant="surface", width="100%",
                       role="status", custom_attrs=tid("hours-notice")),
        ),
        rx.cond(
            S.estimate_text != "",
            rx.text(rx.cond(S.urgent_checked, S.urgent_estimate, S.estimate_text), size="2", color_scheme="gray",
                    custom_attrs=tid("reply-estimate")),
        ),
        on_mount=S.load,
        spacing="3",
        width="100%",
    )
