"""Bulk actions on the queue: a checkbox per row, select-all for the page, and a bar that sets
assignee, status and priority of every selected ticket at once (services/bulk does the work).

The selection holds public ticket numbers only; the service re-checks the caller and each ticket.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import bulk
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.agent.widgets import choice

KEEP = "keep"  # Radix selects need a non-empty value for "leave as it is"
FIELDS = ("assignee", "status", "priority")
STATUSES = ("open", "pending", "solved", "closed")
PRIORITIES = ("urgent", "high", "medium", "low")


class BulkMixin(rx.State, mixin=True):
    selected: list[int] = []
    bulk_choice: dict[str, str] = {}
    bulk_notice: str = ""  # the last result, also read out by screen readers (role=status)
    can_undo: bool = False
    _undo: list = []  # bulk.Before of the last change made from this tab (server-side only)

    def _prune_selection(self, numbers: set[int]) -> None:
        """Rows changed (page, filter, live update): keep only what is still on screen."""
        kept = [n for n in self.selected if n in numbers]
        if kept != self.selected:
            self.selected = kept

    @rule("staff")
    @rx.event
    def toggle_select(self, number: int, checked: bool):
        if self._allowed_actor() is None:
            return
        try:
            n = int(number)
        except (TypeError, ValueError):
            return
        on_page = {r.number for r in self.rows}
        rest = [x for x in self.selected if x != n]
        self.selected = rest + [n] if checked and n in on_page else rest

    @rule("staff")
    @rx.event
    def toggle_all(self, checked: bool):
        if self._allowed_actor() is None:
            return
        self.selected = [r.number for r in self.rows] if checked else []

    @rule("staff")
    @rx.event
    def clear_selection(self):
        self.selected, self.bulk_choice, self.bulk_notice = [], {}, ""

    @rule("staff")
    @rx.event
    def set_bulk_choice(self, field: str, value: str):
        if self._allowed_actor() is None or field not in FIELDS:
            return
        self.bulk_choice = {**self.bulk_choice, field: str(value)[:20]}

    @rx.var
    def all_selected(self) -> bool:
        return bool(self.rows) and len(self.selected) >= len(self.rows)

    @rule("staff", why="services/bulk re-checks the role and every ticket id")
    @rx.event
    def apply_bulk(self):
        actor = self._allowed_actor()
        if actor is None:
            return
        if not self.selected:
            return rx.toast.error(self._tr("bulk.none_selected"))
        pick = {f: v for f, v in self.bulk_choice.items() if f in FIELDS and v and v != KEEP}
        change = bulk.BulkChange(status=pick.get("status"), priority=pick.get("priority"), assignee=pick.get("assignee"))
        try:
            with session_scope() as s:
                result = bulk.apply(s, actor, list(self.selected), change)
        except ValidationError as err:
            return rx.toast.error(self._tr(next(iter(err.errors.values()))))
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self.selected, self.bulk_choice = [], {}
        self._refresh()
        n = len(result.changed)
        text = self._tr("bulk.done_one") if n == 1 else self._tr("bulk.done_many", n=n)
        if result.skipped:
            text = f"{text}. {self._tr('bulk.skipped', n=len(result.skipped))}"
        self.bulk_notice = text
        self._undo, self.can_undo = list(result.before), bool(result.before)
        return rx.toast.success(text) if n else rx.toast.warning(text)

    @rule("staff", why="services/bulk re-checks the role and every ticket id")
    @rx.event
    def undo_bulk(self):
        actor = self._allowed_actor()
        if actor is None or not self._undo:
            return
        before, self._undo, self.can_undo = self._undo, [], False
        try:
            with session_scope() as s:
                result = bulk.undo(s, actor, before)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self._refresh()
        n = len(result.changed)
        self.bulk_notice = self._tr("bulk.undone_one") if n == 1 else self._tr("bulk.undone_many", n=n)
        return rx.toast.success(self.bulk_notice)


# ---------------------------------------------------------------- components


def row_checkbox(S, number) -> rx.Component:
    return rx.box(
        rx.checkbox(
            checked=S.selected.contains(number),
            on_change=lambda checked: S.toggle_select(number, checked),
            aria_label=T["bulk.select_row"].replace("{id}", number.to_string()),
            size="3",  # 20 px, and the gap below: axe's 24 px touch-target rule
            custom_attrs=tid("queue-select"),
        ),
        padding_left="1rem",
        padding_right="0.5rem",
        display="flex",
        align_items="center",
    )


def select_all(S) -> rx.Component:
    return rx.el.label(
        rx.checkbox(checked=S.all_selected, on_change=S.toggle_all, size="3", aria_label=T["bulk.select_all"],
                    custom_attrs=tid("queue-select-all")),
        rx.text(T["bulk.select_all"], size="2", color_scheme="gray"),
        display="flex",
        align_items="center",
        gap="0.5rem",
        padding="0.6rem 1rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        cursor="pointer",
    )


def _field(S, field: str, placeholder_key: str, options: list, dynamic=None) -> rx.Component:
    return rx.box(
        choice(
            f"bulk-{field}",
            S.bulk_choice.get(field, KEEP),
            lambda v: S.set_bulk_choice(field, v),
            [(KEEP, T[placeholder_key]), *options],
            dynamic=dynamic,
            label=T[placeholder_key],
            size="2",
        ),
        min_width="10rem",
        flex="1 1 10rem",
    )


def bulk_bar(S) -> rx.Component:
    return rx.fragment(
        rx.hstack(
            rx.box(S.bulk_notice, role="status", font_size="var(--font-size-2)", custom_attrs=tid("bulk-result")),
            rx.cond(
                S.can_undo,
                rx.button(rx.icon("undo-2", size=14), T["bulk.undo"], on_click=S.undo_bulk, variant="soft", size="1",
                          custom_attrs=tid("bulk-undo")),
            ),
            display=rx.cond(S.bulk_notice == "", "none", "flex"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        _bar(S),
    )


def _bar(S) -> rx.Component:
    count = S.selected.length()
    return rx.cond(
        count > 0,
        rx.hstack(
            rx.text(
                rx.cond(count == 1, T["bulk.selected_one"], T["bulk.selected_many"].replace("{n}", count.to_string())),
                weight="medium", size="2", custom_attrs=tid("bulk-count"), role="status",
            ),
            _field(S, "assignee", "bulk.assign", [(bulk.ME, T["bulk.assign_me"]), (bulk.UNASSIGN, T["bulk.unassign"])], S.agents),
            _field(S, "status", "bulk.status", [(s, T[f"agent.status.{s}"]) for s in STATUSES]),
            _field(S, "priority", "bulk.priority", [(p, T[f"priority.{p}"]) for p in PRIORITIES]),
            rx.button(rx.icon("check", size=14), T["bulk.apply"], on_click=S.apply_bulk, size="2", custom_attrs=tid("bulk-apply")),
            rx.button(rx.icon("x", size=14), T["bulk.clear"], on_click=S.clear_selection, variant="soft", color_scheme="gray",
                      size="2", custom_attrs=tid("bulk-clear")),
            role="toolbar",
            aria_label=T["bulk.bar_label"],
            width="100%",
            wrap="wrap",
            spacing="2",
            align="center",
            padding="0.6rem 1rem",
            background=rx.color("accent", 3),
            border_radius="var(--radius-3)",
            position="sticky",
            top="0.5rem",
            z_index="5",
            custom_attrs=tid("bulk-bar"),
        ),
    )
