from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.status import status_badge as shared_status_badge
from helpdesk.web.components.ui import T, empty_state, field_error, guarded, loading_block, tid
from helpdesk.web.pages.my_tickets.state import MyTicketsState as S, TicketRowView



def status_badge(status, label=None, group_label=None, testid: str = "ticket-status") -> rx.Component:
    """Kept for callers of the old signature: one label per ticket (components/status.py)."""
    return shared_status_badge(status, testid)


def _dated(text, full, testid: str) -> rx.Component:
    return rx.tooltip(
        rx.text(text, size="2", color_scheme="gray", title=full, custom_attrs=tid(testid), white_space="nowrap"),
        content=full,
    )


def _row(r: TicketRowView) -> rx.Component:
    return rx.link(
        rx.box(
            rx.flex(
                rx.vstack(
                    rx.hstack(
                        rx.text(r.public_id, weight="bold", size="2", color_scheme="gray", custom_attrs=tid("ticket-id")),
                        rx.text(r.subject, weight="medium", size="3", overflow="hidden", text_overflow="ellipsis", white_space="nowrap", min_width="0", custom_attrs=tid("ticket-subject")),
                        spacing="2",
                        align="baseline",
                        min_width="0",
                        width="100%",
                    ),
                    rx.flex(
                        rx.badge(r.category_label, variant="outline", color_scheme="gray", custom_attrs=tid("ticket-category")),
                        rx.cond(
                            r.priority_label != "",
                            rx.badge(T["customer.priority"], ": ", r.priority_label, variant="outline", color_scheme="gray", custom_attrs=tid("ticket-priority")),
                        ),
                        rx.cond(
                            r.requester_name != "",
                            rx.text(T["customer.opened_by"], " ", r.requester_name, size="1", color_scheme="gray", custom_attrs=tid("ticket-requester")),
                        ),
                        rx.hstack(
                            rx.text(T["customer.created"], size="1", color_scheme="gray"),
                            _dated(r.created, r.created_full, "ticket-created"),
                            spacing="1",
                            align="center",
                        ),
                        gap="0.5rem",
                        wrap="wrap",
                        align="center",
                    ),
                    spacing="1",
                    min_width="0",
                    flex="1",
                ),
                rx.vstack(
                    status_badge(r.status, r.status_label, r.group_label),
                    rx.hstack(
                        rx.icon("clock", size=12, color=rx.color("gray", 9), aria_hidden="true"),
                        _dated(r.activity, r.activity_full, "ticket-last-activity"),
                        spacing="1",
                        align="center",
                    ),
                    align={"initial": "start", "sm": "end"},
                    spacing="1",
                    align_self={"initial": "start", "sm": "center"},
                ),
                gap="3",
                direction={"initial": "column", "sm": "row"},
                justify="between",
                width="100%",
            ),
            padding="0.875rem 1rem",
            background="var(--color-panel-solid)",
            border="1px solid var(--gray-a5)",
            border_radius="var(--radius-3)",
            _hover={"border_color": "var(--accent-8)", "box_shadow": "var(--shadow-2)"},
            width="100%",
        ),
        href=r.href,
        underline="none",
        color="inherit",
        width="100%",
        custom_attrs=tid("ticket-row"),
    )


def _select(testid: str, value, on_change, options: list[tuple[str, object]], label) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", as_="label"),
        rx.select.root(
            rx.select.trigger(custom_attrs=tid(testid), aria_label=label, min_width="10rem"),
            rx.select.content(*[rx.select.item(text, value=value_) for value_, text in options]),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    status_options = [
        ("all", T["customer.filter_all"]),
        ("group_open", T["customer.filter_group_open"]),
        ("group_closed", T["customer.filter_group_closed"]),
    ] + [(s, T[f"status.{s}"]) for s in ("new", "open", "pending", "solved", "closed")]
    category_options = [("all", T["customer.filter_all"])] + [(c, T[f"category.{c}"]) for c in ("consulta", "peticion", "anomalia")]
    return rx.box(
        rx.form(
            rx.flex(
                rx.vstack(
                    rx.text(T["customer.filter_id"], size="1", color_scheme="gray", as_="label", html_for="filter-id"),
                    rx.input(
                        id="filter-id", name="id", placeholder="#1042", default_value=S.f_id, width="8rem",
                        aria_invalid=rx.cond(S.errors.contains("id"), "true", "false"),
                        custom_attrs=tid("tickets-filter-id"),
                    ),
                    field_error("id", S.errors.get("id", "")),
                    spacing="1",
                ),
                rx.vstack(
                    rx.text(T["customer.filter_text"], size="1", color_scheme="gray", as_="label", html_for="filter-q"),
                    rx.input(
                        rx.input.slot(rx.icon("search", size=14)),
                        id="filter-q", name="q", placeholder=T["customer.filter_text_placeholder"], default_value=S.f_q,
                        custom_attrs=tid("tickets-filter-text"),
                    ),
                    spacing="1",
                    flex="1",
                    min_width="12rem",
                ),
                rx.button(T["customer.filter_apply"], type="submit", variant="soft", custom_attrs=tid("tickets-filter-apply")),
                gap="3",
                wrap="wrap",
                align="end",
            ),
            on_submit=S.apply_filters,
            reset_on_submit=False,
            width="100%",
        ),
        rx.flex(
            _select("tickets-filter-status", S.f_status, S.set_status_filter, status_options, T["customer.filter_status"]),
            _select("tickets-filter-category", S.f_category, S.set_category_filter, category_options, T["customer.filter_category"]),
            rx.cond(
                S.show_requester,
                rx.vstack(
                    rx.text(T["customer.filter_requester"], size="1", color_scheme="gray", as_="label"),
                    rx.select.root(
                        rx.select.trigger(custom_attrs=tid("tickets-filter-requester"), aria_label=T["customer.filter_requester"], min_width="12rem"),
                        rx.select.content(
                            rx.select.item(T["customer.filter_everyone"], value="all"),
                            rx.foreach(S.colleague_options, lambda o: rx.select.item(o.label, value=o.value)),
                        ),
                        value=S.f_requester,
                        on_change=S.set_requester_filter,
                    ),
                    spacing="1",
                ),
            ),
            rx.cond(
                S.filters_active,
                rx.button(rx.icon("x", size=14), T["customer.filter_clear"], variant="ghost", on_click=S.clear_filters, custom_attrs=tid("tickets-filter-clear")),
            ),
            gap="3",
            wrap="wrap",
            align="end",
            margin_top="0.75rem",
        ),
        class_name="hd-card",
        padding="1rem",
        width="100%",
    )


def _list() -> rx.Component:
    return rx.cond(
        ~S.loaded,
        loading_block(),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(
                rx.text(S.total_text, size="2", color_scheme="gray", custom_attrs=tid("tickets-total")),
                rx.vstack(rx.foreach(S.rows, _row), spacing="2", width="100%", custom_attrs=tid("ticket-list")),
                rx.hstack(
                    rx.button(rx.icon("chevron-left", size=16), T["customer.prev"], variant="soft", disabled=S.page <= 1, on_click=S.prev_page, custom_attrs=tid("tickets-prev")),
                    rx.text(T["customer.page"], " ", S.page, size="2", color_scheme="gray", custom_attrs=tid("tickets-page")),
                    rx.button(T["customer.next"], rx.icon("chevron-right", size=16), variant="soft", disabled=~S.has_next, on_click=S.next_page, custom_attrs=tid("tickets-next")),
                    justify="center",
                    align="center",
                    width="100%",
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                S.filters_active,
                empty_state("search-x", T["customer.no_match_title"], T["customer.no_match_body"],
                            rx.button(T["customer.filter_clear"], variant="soft", on_click=S.clear_filters)),
                empty_state(
                    "inbox", T["customer.empty_title"], T["customer.empty_body"],
                    rx.link(rx.button(rx.icon("circle-plus", size=16), T["nav.new_ticket"], size="3"), href=routes.NEW_TICKET,
                            custom_attrs=tid("tickets-empty-new")),
                ),
            ),
        ),
    )


def my_tickets_page() -> rx.Component:
    return shell(
        guarded(
            S.access,
            rx.vstack(
                rx.flex(
                    rx.vstack(
                        rx.heading(T["customer.my_tickets_title"], size="7", as_="h1"),
                        rx.text(T["customer.my_tickets_subtitle"], color_scheme="gray"),
                        spacing="1",
                    ),
                    rx.link(rx.button(rx.icon("circle-plus", size=16), T["nav.new_ticket"]), href=routes.NEW_TICKET),
                    justify="between",
                    align="end",
                    gap="3",
                    wrap="wrap",
                    width="100%",
                ),
                _filters(),
                _list(),
                spacing="4",
                width="100%",
            ),
        )
    )
