"""/admin sections for service promises: each organization's plan (`org-plan`) and monthly
urgent allowance, and the holiday import. Every handler re-checks the admin role; the
services check it again."""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import holiday_import, plans, policy
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, field_error, tid
from helpdesk.web.pages.admin.state import AdminState, NamedRow


class PlansAdminState(AppState):
    plans: dict[str, str] = {}  # organization id -> plan
    allowances: dict[str, str] = {}
    import_error: str = ""

    def _admin(self):
        user = self._actor()
        return user if policy.user_may(user, Action.ADMIN_SETTINGS) else None

    def _reload(self) -> None:
        with session_scope() as s:
            rows = plans.plans_by_org(s)
        self.plans = {str(k): v.plan for k, v in rows.items()}
        self.allowances = {str(k): str(v.urgent_allowance) for k, v in rows.items()}

    @rule("admin")
    @rx.event
    def load(self):
        if self._admin() is None:
            self.plans, self.allowances = {}, {}
            return
        self._reload()

    def _save(self, org_id: object, plan: object, allowance: object):
        actor = self._admin()
        if actor is None or not str(org_id).isdigit():
            return None
        key = str(org_id)
        plan = plan if isinstance(plan, str) else self.plans.get(key, "standard")
        try:
            with session_scope() as s:
                plans.set_plan(s, actor, int(key), plan, allowance)
        except ValidationError as err:
            return rx.toast.error(self._tr(next(iter(err.errors.values()), err.code)))
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self._reload()
        return rx.toast.success(self._tr("admin.saved"))

    @rule("admin")
    @rx.event
    def set_plan(self, org_id: int, plan: str):
        return self._save(org_id, plan, None)

    @rule("admin")
    @rx.event
    def set_allowance(self, org_id: int, value: str):
        text = str(value or "").strip()
        return self._save(org_id, None, int(text) if text.isdigit() and len(text) < 7 else -1)

    @rule("admin")
    @rx.event
    async def import_holidays(self, form: dict):
        actor = self._admin()
        if actor is None:
            return
        form = form if isinstance(form, dict) else {}
        year = str(form.get("year", "")).strip()
        self.import_error = ""
        try:
            with session_scope() as s:
                added = holiday_import.import_holidays(
                    s, actor, str(form.get("country", ""))[:8], str(form.get("region", ""))[:8],
                    int(year) if year.isdigit() and len(year) == 4 else 0,
                )
        except ValidationError:
            self.import_error = self._tr("promises.import_invalid")
            return
        admin = await self.get_state(AdminState)
        admin._load_sla(actor)
        return rx.toast.success(self._tr("promises.imported", count=added))


def _plan_row(row: NamedRow) -> rx.Component:
    S = PlansAdminState
    key = row.id.to_string()
    return rx.table.row(
        rx.table.cell(row.name),
        rx.table.cell(row.detail),
        rx.table.cell(
            rx.el.select(
                rx.el.option(T["promises.plan.standard"], value="standard"),
                rx.el.option(T["promises.plan.premium"], value="premium"),
                value=rx.cond(S.plans.contains(key), S.plans[key], "standard"),
                on_change=lambda v: S.set_plan(row.id, v),
                aria_label=T["promises.plan"],
                custom_attrs=tid("org-plan"),
            )
        ),
        rx.table.cell(
            rx.input(
                default_value=rx.cond(S.allowances.contains(key), S.allowances[key], "5"),
                key=key + rx.cond(S.allowances.contains(key), S.allowances[key], "5"),
                type="number", min="0", width="6rem", size="1",
                on_blur=lambda v: S.set_allowance(row.id, v),
                aria_label=T["promises.allowance"],
                custom_attrs=tid("org-urgent-allowance"),
            )
        ),
        align="center",
    )


def org_plans_table() -> rx.Component:
    """The organizations table with each one's plan beside its name (replaces the plain one)."""
    return rx.box(
        rx.text(T["promises.plans_hint"], size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (
                T["admin.name"], T["admin.members"], T["promises.plan"], T["promises.allowance"])])),
            rx.table.body(rx.foreach(AdminState.organizations, _plan_row)),
            width="100%", variant="surface", size="1",
        ),
        on_mount=PlansAdminState.load,
        width="100%",
        overflow_x="auto",
    )


def holiday_import_card() -> rx.Component:
    S = PlansAdminState
    return rx.box(
        rx.vstack(
            rx.heading(T["promises.holiday_import_title"], size="4", as_="h2"),
            rx.text(T["promises.holiday_import_hint"], size="2", color_scheme="gray"),
            rx.form(
                rx.hstack(
                    rx.input(name="country", default_value="ES", aria_label=T["promises.country"], width="6rem",
                             custom_attrs=tid("holiday-import-country")),
                    rx.input(name="region", placeholder="MD", aria_label=T["promises.region"], width="6rem",
                             custom_attrs=tid("holiday-import-region")),
                    rx.input(name="year", type="number", placeholder="2026", aria_label=T["promises.year"], width="7rem",
                             custom_attrs=tid("holiday-import-year")),
                    rx.button(rx.icon("download", size=14), T["promises.import"], type="submit",
                              custom_attrs=tid("holiday-import-submit")),
                    spacing="2", wrap="wrap", align="center",
                ),
                on_submit=S.import_holidays,
                reset_on_submit=False,
            ),
            field_error("holiday-import", S.import_error),
            spacing="3",
            width="100%",
        ),
        class_name="hd-card", padding="1.1rem", width="100%",
    )
