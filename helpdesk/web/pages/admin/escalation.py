"""/admin section: escalation rules (create, switch off). Handlers re-check the admin role;
services/escalation checks it again."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from helpdesk.domain.escalation import ACTIONS, DEADLINES
from helpdesk.infra.db import session_scope
from helpdesk.services import escalation, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, field_error, tid


class RuleRow(BaseModel):
    id: int
    name: str
    deadline: str
    threshold: int
    action: str
    active: bool


class EscalationAdminState(AppState):
    rules: list[RuleRow] = []
    errors: dict[str, str] = {}

    def _admin(self):
        user = self._actor()
        return user if policy.user_may(user, Action.ADMIN_SETTINGS) else None

    def _reload(self, actor) -> None:
        with session_scope() as s:
            self.rules = [RuleRow(id=r.id, name=r.name, deadline=r.deadline, threshold=r.threshold_pct, action=r.action,
                                  active=r.is_active) for r in escalation.list_rules(s, actor)]

    @rule("admin")
    @rx.event
    def load(self):
        actor = self._admin()
        if actor is None:
            self.rules = []
            return
        self._reload(actor)

    @rule("admin")
    @rx.event
    def create_rule(self, form: dict):
        actor = self._admin()
        if actor is None:
            return
        form = form if isinstance(form, dict) else {}
        pct = str(form.get("threshold", "")).strip()
        target = str(form.get("target", "")).strip()
        self.errors = {}
        try:
            with session_scope() as s:
                escalation.create_rule(s, actor, str(form.get("name", ""))[:200], str(form.get("deadline", "")),
                                       int(pct) if pct.isdigit() and len(pct) < 4 else 0, str(form.get("action", "")),
                                       int(target) if target.isdigit() and len(target) < 10 else None)
        except ValidationError as err:
            self.errors = {k: self._tr(v) for k, v in err.errors.items()}
            return
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self._reload(actor)
        return rx.toast.success(self._tr("admin.saved"))

    @rule("admin")
    @rx.event
    def remove_rule(self, rule_id: int):
        actor = self._admin()
        if actor is None or not str(rule_id).isdigit():
            return
        with session_scope() as s:
            escalation.delete_rule(s, actor, int(rule_id))
        self._reload(actor)


def _select(name: str, options: tuple, prefix: str):
    return rx.el.select(*[rx.el.option(T[f"{prefix}.{o}"], value=o) for o in options], name=name,
                        aria_label=T[f"escalation.{name}"], custom_attrs=tid(f"escalation-{name}"))


def escalation_card() -> rx.Component:
    S = EscalationAdminState
    return rx.box(
        rx.vstack(
            rx.heading(T["escalation.title"], size="4", as_="h2"),
            rx.text(T["escalation.hint"], size="2", color_scheme="gray"),
            rx.form(
                rx.hstack(
                    rx.input(name="name", placeholder=T["escalation.name"], aria_label=T["escalation.name"],
                             custom_attrs=tid("escalation-name")),
                    _select("deadline", DEADLINES, "escalation.deadline"),
                    rx.input(name="threshold", type="number", min="1", max="100", default_value="80", width="5rem",
                             aria_label=T["escalation.threshold"], custom_attrs=tid("escalation-threshold")),
                    _select("action", ACTIONS, "escalation.action"),
                    rx.input(name="target", placeholder=T["escalation.target"], aria_label=T["escalation.target"], width="10rem"),
                    rx.button(rx.icon("plus", size=14), T["admin.add"], type="submit", custom_attrs=tid("escalation-submit")),
                    spacing="2", wrap="wrap", align="center",
                ),
                on_submit=S.create_rule,
                reset_on_submit=False,
            ),
            rx.foreach(S.errors, lambda kv: field_error("escalation-" + kv[0], kv[1])),
            rx.cond(
                S.rules.length() > 0,
                rx.vstack(rx.foreach(S.rules, lambda r: rx.hstack(
                    rx.text(r.name, weight="medium", size="2"),
                    rx.badge(r.threshold.to_string() + " %"),
                    rx.text(r.deadline, " → ", r.action, size="2", color_scheme="gray"),
                    rx.cond(r.active, rx.button(T["escalation.remove"], size="1", variant="soft", color_scheme="red",
                                                on_click=S.remove_rule(r.id))),
                    align="center", spacing="2", custom_attrs=tid("escalation-rule"),
                )), spacing="1", width="100%"),
                rx.text(T["escalation.none"], size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        on_mount=S.load,
        class_name="hd-card", padding="1.1rem", width="100%",
    )
