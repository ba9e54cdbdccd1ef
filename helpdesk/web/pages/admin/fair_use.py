"""/admin section: fair-use limits (per customer and per organization). Handlers re-check the
admin role; services/fair_use checks it again."""

from __future__ import annotations

import reflex as rx

from helpdesk.domain.fair_use import FairUseLimits
from helpdesk.infra.db import session_scope
from helpdesk.services import fair_use, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, field_error, tid

FIELDS = tuple(FairUseLimits().as_dict())


def _number(raw: object) -> object:
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else text  # the service explains anything else


class FairUseAdminState(AppState):
    limits: dict[str, str] = {}
    errors: dict[str, str] = {}

    def _admin(self):
        user = self._actor()
        return user if policy.user_may(user, Action.ADMIN_SETTINGS) else None

    @rule("admin")
    @rx.event
    def load(self):
        self.errors = {}
        if self._admin() is None:
            self.limits = {}
            return
        with session_scope() as s:
            self.limits = {k: str(v) for k, v in fair_use.limits(s).as_dict().items()}

    @rule("admin")
    @rx.event
    def save(self, form: dict):
        actor = self._admin()
        if actor is None:
            return
        form = form if isinstance(form, dict) else {}
        raw = {name: _number(form.get(name)) for name in FIELDS}
        self.errors = {}
        try:
            with session_scope() as s:
                saved = fair_use.set_limits(s, actor, raw)
        except ValidationError as err:
            self.errors = {k: self._tr(v) for k, v in err.errors.items()}
            return
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self.limits = {k: str(v) for k, v in saved.as_dict().items()}
        return rx.toast.success(self._tr("admin.saved"))


def _field(name: str) -> rx.Component:
    S = FairUseAdminState
    return rx.vstack(
        rx.el.label(T[f"fair_use.admin_{name}"], html_for=f"fair-use-{name}", font_size="0.875rem"),
        rx.input(id=f"fair-use-{name}", name=name, type="number", min="0", max="10000", width="7rem",
                 default_value=S.limits.get(name, ""), key=S.limits.get(name, ""), custom_attrs=tid(f"fair-use-{name}")),
        spacing="1",
    )


def fair_use_card() -> rx.Component:
    S = FairUseAdminState
    return rx.box(
        rx.vstack(
            rx.heading(T["fair_use.admin_title"], size="4", as_="h2"),
            rx.text(T["fair_use.admin_hint"], size="2", color_scheme="gray"),
            rx.form(
                rx.flex(*[_field(n) for n in FIELDS],
                        rx.button(T["fair_use.admin_save"], type="submit", custom_attrs=tid("fair-use-save")),
                        gap="1rem", wrap="wrap", align="end"),
                on_submit=S.save,
                reset_on_submit=False,
            ),
            rx.foreach(S.errors, lambda kv: field_error("fair-use-" + kv[0], kv[1])),
            spacing="3",
            width="100%",
        ),
        on_mount=S.load,
        class_name="hd-card", padding="1.1rem", width="100%",
        custom_attrs=tid("fair-use-admin"),
    )
