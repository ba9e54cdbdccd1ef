"""/admin section: share of promises kept over the last 30 days, per plan. The handler re-checks
the admin role; services/promise_stats checks it again."""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import policy, promise_stats
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.ui import T, tid


def _cell(pct, kept: int, total: int) -> str:
    return f"{pct:.1f} % ({kept}/{total})" if pct is not None else "—"


class PromiseStatsState(AppState):
    rows: list[dict[str, str]] = []

    @rule("admin")
    @rx.event
    def load(self):
        user = self._actor()
        if not policy.user_may(user, Action.ADMIN_AREA):
            self.rows = []
            return
        with session_scope() as s:
            figures = promise_stats.kept_by_plan(s, user)
        self.rows = [{"plan": f.plan, "first": _cell(f.first_pct, f.first_kept, f.first_total),
                      "resolution": _cell(f.resolution_pct, f.resolution_kept, f.resolution_total)} for f in figures]


def promise_stats_card() -> rx.Component:
    S = PromiseStatsState
    return rx.box(
        rx.vstack(
            rx.heading(T["promise_stats.title"], size="4", as_="h2"),
            rx.text(T["promise_stats.hint"], size="2", color_scheme="gray"),
            rx.table.root(
                rx.table.header(rx.table.row(
                    rx.table.column_header_cell(T["promise_stats.plan"]),
                    rx.table.column_header_cell(T["promise_stats.first"]),
                    rx.table.column_header_cell(T["promise_stats.resolution"]),
                )),
                rx.table.body(rx.foreach(S.rows, lambda r: rx.table.row(
                    rx.table.cell(rx.match(r["plan"], ("premium", T["promise_stats.premium"]), T["promise_stats.standard"])),
                    rx.table.cell(r["first"]),
                    rx.table.cell(r["resolution"]),
                    custom_attrs=tid("promise-stats-row"),
                ))),
                size="1", width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_mount=S.load,
        class_name="hd-card", padding="1.1rem", width="100%", overflow_x="auto",
        custom_attrs=tid("promise-stats"),
    )
