from __future__ import annotations

import reflex as rx

from helpdesk.services.queue import VIEWS
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, empty_state, guarded, tid
from helpdesk.web.pages.agent.bulk import bulk_bar, row_checkbox, select_all
from helpdesk.web.pages.agent.saved import saved_views_bar
from helpdesk.web.pages.agent.state import ALL, AgentQueueState, QueueRowView
from helpdesk.web.pages.agent.widgets import choice, priority_badge, sla_badge, status_badge, subnav

S = AgentQueueState

VIEW_ICONS = {"unassigned": "inbox", "mine": "user", "open": "list", "pending": "hourglass", "due": "alarm-clock", "solved": "circle-check"}


def _view_tab(view: str) -> rx.Component:
    active = S.view == view
    return rx.button(
        rx.icon(VIEW_ICONS[view], size=15, aria_hidden="true"),
        T[f"agent.view.{view}"],
        rx.badge(S.counts.get(view, 0), variant=rx.cond(active, "solid", "soft"), radius="full", size="1"),
        on_click=S.set_view(view),
        variant=rx.cond(active, "soft", "ghost"),
        color_scheme=rx.cond(active, "indigo", "gray"),
        size="2",
        aria_pressed=rx.cond(active, "true", "false"),
        custom_attrs=tid(f"queue-view-{view}"),
    )


def _filter(key: str, label_key: str, static: list[tuple[str, object]], dynamic=None) -> rx.Component:
    return rx.box(
        choice(
            f"queue-filter-{key.replace('_id', '')}",
            S.filters.get(key, ALL),
            lambda v: S.set_filter(key, v),
            [(ALL, T[label_key]), *static],
            dynamic=dynamic,
            label=T[label_key],
            size="2",
        ),
        min_width="9rem",
        flex="1 1 9rem",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                placeholder=T["agent.search_placeholder"],
                default_value=S.search,
                # Remounted when the settings come from the URL (?q=) or a saved view, so the box
                # shows that search.
                key=S.search_key,
                on_change=S.set_search.debounce(350),
                type="search",
                size="3",
                flex="1 1 18rem",
                aria_label=T["agent.search_label"],
                custom_attrs=tid("queue-search"),
            ),
            rx.box(
                choice(
                    "queue-sort",
                    S.sort,
                    S.set_sort,
                    [("activity", T["agent.sort.activity"]), ("due", T["agent.sort.due"]), ("priority", T["agent.sort.priority"]), ("signals", T["agent.sort.signals"])],
                    label=T["agent.sort_label"],
                    size="3",
                ),
                min_width="12rem",
            ),
            width="100%",
            spacing="2",
            wrap="wrap",
        ),
        rx.hstack(
            _filter("status", "agent.filter.status", [(s, T[f"agent.status.{s}"]) for s in ("new", "open", "pending", "solved", "closed")]),
            _filter("priority", "agent.filter.priority", [(p, T[f"priority.{p}"]) for p in ("urgent", "high", "medium", "low")] + [("none", T["priority.none"])]),
            _filter("category", "agent.filter.category", [(c, T[f"category.{c}"]) for c in ("consulta", "peticion", "anomalia")]),
            _filter("service_id", "agent.filter.service", [], S.services),
            _filter("organization_id", "agent.filter.organization", [], S.organizations),
            _filter("assignee_id", "agent.filter.assignee", [("none", T["agent.nobody"])], S.agents),
            rx.button(rx.icon("x", size=14), T["agent.clear_filters"], on_click=S.clear_filters, variant="ghost", color_scheme="gray", size="2"),
            width="100%",
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        width="100%",
        spacing="2",
    )


def _row(r: QueueRowView) -> rx.Component:
    return rx.hstack(
        row_checkbox(S, r.number),
        _row_link(r),
        spacing="0",
        align="center",
        width="100%",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.cond(S.selected.contains(r.number), rx.color("accent", 2), "transparent"),
    )


def _row_link(r: QueueRowView) -> rx.Component:
    return rx.link(
        rx.box(
            rx.hstack(
                rx.text("#", r.number, weight="bold", color_scheme="gray", size="2", custom_attrs=tid("ticket-id"), min_width="3.5rem"),
                rx.vstack(
                    rx.text(r.subject, weight="medium", size="3", custom_attrs=tid("queue-subject"), overflow="hidden", text_overflow="ellipsis", white_space="nowrap", max_width="100%"),
                    rx.hstack(
                        rx.text(r.requester, size="2", color_scheme="gray", custom_attrs=tid("queue-requester")),
                        rx.cond(r.organization != "", rx.text("· ", r.organization, size="2", color_scheme="gray")),
                        spacing="1",
                        wrap="wrap",
                    ),
                    spacing="0",
                    flex="1 1 14rem",
                    min_width="0",
                ),
                rx.hstack(
                    status_badge(r.status, "queue-status"),
                    priority_badge(r.priority, "queue-priority"),
                    sla_badge(r.sla_state),
                    rx.cond(
                        r.csat != "",
                        rx.badge(
                            rx.icon(rx.cond(r.csat == "good", "thumbs-up", "thumbs-down"), size=12, aria_hidden="true"),
                            rx.cond(r.csat == "good", T["agent.csat_badge_good"], T["agent.csat_badge_bad"]),
                            color_scheme=rx.cond(r.csat == "good", "green", "red"),
                            variant="soft",
                            high_contrast=True,
                            custom_attrs=tid("queue-csat"),
                        ),
                    ),
                    rx.cond(
                        r.fair_use != "",
                        rx.badge(rx.icon("gauge", size=12, aria_hidden="true"), T["fair_use.queue_badge"], title=r.fair_use,
                                 aria_label=r.fair_use, color_scheme="orange", variant="soft", high_contrast=True,
                                 custom_attrs=tid("queue-fair-use")),
                    ),
                    spacing="1",
                    wrap="wrap",
                    align="center",
                ),
                rx.vstack(
                    rx.hstack(
                        rx.icon("user-round", size=13, aria_hidden="true"),
                        rx.text(rx.cond(r.assignee != "", r.assignee, T["agent.nobody"]), size="1", custom_attrs=tid("queue-assignee")),
                        spacing="1",
                        align="center",
                    ),
                    rx.text(r.activity, size="1", color_scheme="gray", title=r.activity_full, custom_attrs=tid("queue-activity")),
                    rx.cond(
                        r.due != "",
                        rx.text(T["agent.due_short"], " ", r.due, size="1", weight="medium",
                                color_scheme=rx.cond(r.sla_state == "breached", "red", "gray"), custom_attrs=tid("queue-due")),
                    ),
                    spacing="0",
                    align="end",
                    min_width="8rem",
                ),
                align="center",
                spacing="3",
                width="100%",
                wrap="wrap",
            ),
            padding="0.75rem 1rem",
            _hover={"background": rx.color("accent", 2)},
        ),
        href="/agent/tickets/" + r.number.to_string(),
        underline="none",
        color="inherit",
        display="block",
        flex="1 1 auto",
        min_width="0",
        custom_attrs=tid("queue-row"),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(S.total, rx.cond(S.total_capped, "+", ""), " ", rx.cond((S.total == 1) & ~S.total_capped, T["agent.result_one"], T["agent.results"]),
                size="2", color_scheme="gray", custom_attrs=tid("queue-total")),
        rx.spacer(),
        rx.button(rx.icon("chevron-left", size=16), T["agent.prev"], on_click=S.go_to_page(S.page - 1), disabled=S.page <= 1, variant="soft", size="2"),
        rx.text(S.page, " / ", S.pages, size="2"),
        rx.button(T["agent.next"], rx.icon("chevron-right", size=16), on_click=S.go_to_page(S.page + 1), disabled=S.page >= S.pages, variant="soft", size="2"),
        width="100%",
        align="center",
        spacing="2",
        padding_top="0.75rem",
    )


def _content() -> rx.Component:
    return rx.vstack(
        subnav("queue"),
        rx.hstack(
            rx.vstack(
                rx.heading(T["agent.title"], size="7", as_="h1"),
                rx.text(T["agent.subtitle"], color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.badge(rx.icon("radio", size=12), T["agent.live"], color_scheme="green", variant="soft", high_contrast=True, title=T["agent.live_hint"]),
            width="100%",
            align="end",
        ),
        rx.hstack(*[_view_tab(v) for v in VIEWS], spacing="1", wrap="wrap", width="100%", role="toolbar", aria_label=T["agent.views_label"]),
        saved_views_bar(S),
        _filters(),
        bulk_bar(S),
        rx.box(
            rx.cond(
                S.rows.length() > 0,
                rx.box(select_all(S), rx.foreach(S.rows, _row), width="100%"),
                empty_state("inbox", T["agent.empty_title"], T["agent.empty_body"]),
            ),
            class_name="hd-card",
            width="100%",
            overflow="hidden",
        ),
        _pager(),
        width="100%",
        spacing="4",
        on_unmount=S.stop_watch,
    )


def agent_page() -> rx.Component:
    return shell(guarded(S.access, _content()))
