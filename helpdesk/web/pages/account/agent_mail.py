"""Mi cuenta → mail for agents: which events an agent wants by e-mail (issue 16).

Its own State: the actor comes from the session on every handler, and the service refuses anyone
who is not staff; the section is drawn only for staff.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import policy
from helpdesk.services.errors import ServiceError
from helpdesk.services.inbound import agent_notify
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, form_error, tid
from helpdesk.web.pages.guard import GuardedState


class AgentMailState(GuardedState):
    new_ticket: bool = False
    customer_reply: bool = True
    assignment: bool = True
    sla: bool = True
    mail_notice: str = ""
    mail_error: str = ""

    def _may_enter(self, user) -> bool:
        return policy.user_may(user, Action.STAFF_AREA)

    def _show(self, row) -> None:
        self.new_ticket, self.customer_reply = bool(row.new_ticket), bool(row.customer_reply)
        self.assignment, self.sla = bool(row.assignment), bool(row.sla)

    @rule("staff")
    @rx.event
    def load_mail_prefs(self):
        self.mail_notice, self.mail_error = "", ""
        user = self._allowed_actor()
        if user is None:
            return
        with session_scope() as s:
            self._show(agent_notify.prefs_for(s, user))

    @rule("staff")
    @rx.event
    def save_mail_prefs(self, form: dict):
        user = self._allowed_actor()
        if user is None:
            return
        f = form if isinstance(form, dict) else {}
        # A checkbox sends its value only when ticked: every kind is decided by its presence.
        choices = {kind: kind in f for kind in agent_notify.KINDS}
        self.mail_notice, self.mail_error = "", ""
        try:
            with session_scope() as s:
                row = agent_notify.save_prefs(s, user, choices)
                self._show(row)
        except ServiceError as err:
            self.mail_error = self._error_text(err)
            return
        self.mail_notice = self._tr("mail_in.prefs_saved")


def _choice(kind: str, checked) -> rx.Component:
    return rx.el.label(
        # Uncontrolled (default_checked): the form's key redraws it when the saved choices load.
        rx.el.input(type="checkbox", name=kind, default_checked=checked, custom_attrs=tid(f"agent-mail-{kind}")),
        rx.text(T[f"mail_in.prefs_{kind}"], size="2", as_="span"),
        style={"display": "flex", "gap": "0.5rem", "alignItems": "center"},
    )


def agent_mail_section() -> rx.Component:
    S = AgentMailState
    return rx.cond(
        AppState.is_staff,
        rx.card(
            rx.vstack(
                rx.heading(T["mail_in.prefs_title"], as_="h2", size="4"),
                rx.text(T["mail_in.prefs_help"], size="2"),
                form_error(S.mail_error),
                rx.cond(S.mail_notice != "", rx.callout(S.mail_notice, icon="check", color_scheme="green", role="status",
                                                        custom_attrs=tid("agent-mail-saved"))),
                rx.form(
                    rx.vstack(
                        rx.el.fieldset(
                            rx.el.legend(T["mail_in.prefs_legend"], class_name="hd-label"),
                            rx.vstack(*[_choice(k, getattr(S, k)) for k in agent_notify.KINDS], spacing="2"),
                            style={"border": "0", "padding": "0", "margin": "0"},
                        ),
                        rx.button(T["mail_in.prefs_save"], type="submit", custom_attrs=tid("agent-mail-save")),
                        spacing="3",
                    ),
                    on_submit=S.save_mail_prefs,
                    key=f"{S.new_ticket}{S.customer_reply}{S.assignment}{S.sla}",
                ),
                spacing="3",
                width="100%",
                on_mount=S.load_mail_prefs,
            ),
            width="100%",
        ),
    )
