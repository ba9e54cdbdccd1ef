from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, guarded, tid
from helpdesk.web.pages.agent.widgets import subnav
from helpdesk.web.pages.agent_dashboard.estimates_panel import estimates_card
from helpdesk.web.pages.agent_dashboard.state import DashboardState, FailedSearch, RatingRow

S = DashboardState


def _card(*children, **props) -> rx.Component:
    return rx.box(rx.vstack(*children, spacing="2", width="100%"), class_name="hd-card", padding="1.1rem", width="100%", **props)


def _kpi(icon: str, title, value, hint, testid: str) -> rx.Component:
    return _card(
        rx.hstack(rx.icon(icon, size=16, color=rx.color("accent", 10)), rx.text(title, size="2", weight="medium", color_scheme="gray"), spacing="2", align="center"),
        rx.text(rx.cond(value != "", value, "—"), size="7", weight="bold", custom_attrs=tid(testid)),
        rx.text(rx.cond(value != "", hint, T["dashboard.no_data"]), size="1", color_scheme="gray"),
    )


def _volume_chart() -> rx.Component:
    return _card(
        rx.heading(T["dashboard.volume"], size="3", as_="h2"),
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="day", font_size=12),
            rx.recharts.y_axis(allow_decimals=False, width=30, font_size=12),
            rx.recharts.tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(data_key="created", name=T["dashboard.created"], fill="var(--indigo-9)", radius=[4, 4, 0, 0], is_animation_active=False),
            rx.recharts.bar(data_key="solved", name=T["dashboard.solved"], fill="var(--blue-8)", radius=[4, 4, 0, 0], is_animation_active=False),
            data=S.volume,
            width="100%",
            height=260,
        ),
        custom_attrs=tid("chart-volume"),
    )


def _response_chart() -> rx.Component:
    return _card(
        rx.heading(T["dashboard.first_response_series"], size="3", as_="h2"),
        rx.recharts.line_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="day", font_size=12),
            rx.recharts.y_axis(width=44, font_size=12),
            rx.recharts.tooltip(),
            rx.recharts.line(data_key="hours", name=T["dashboard.first_response_series"], stroke="var(--amber-9)", stroke_width=2, connect_nulls=True, type_="monotone", is_animation_active=False),
            data=S.response,
            width="100%",
            height=220,
        ),
    )


def _csat_chart() -> rx.Component:
    return _card(
        rx.heading(T["dashboard.csat"], size="3", as_="h2"),
        rx.cond(
            S.csat_total > 0,
            rx.recharts.pie_chart(
                rx.recharts.pie(data=S.csat, data_key="value", name_key="name", inner_radius=50, outer_radius=80, label=True,
                                is_animation_active=False),
                rx.recharts.tooltip(),
                rx.recharts.legend(),
                width="100%",
                height=220,
            ),
            rx.center(rx.text(T["dashboard.no_ratings"], size="2", color_scheme="gray"), height="220px"),
        ),
    )


def _failed(f: FailedSearch) -> rx.Component:
    return rx.hstack(
        rx.text(f.query, size="2", flex="1"),
        rx.badge(f.label, variant="soft", color_scheme="gray"),
        width="100%",
        align="center",
        custom_attrs=tid("failed-search"),
    )


def _rating(r: RatingRow) -> rx.Component:
    good = r.rating == "good"
    return rx.hstack(
        rx.badge(rx.icon(rx.cond(good, "thumbs-up", "thumbs-down"), size=12, aria_hidden="true"), T["agent.csat." + r.rating],
                 color_scheme=rx.cond(good, "green", "red"), variant="soft", high_contrast=True),
        rx.vstack(
            rx.link("#", r.number, " ", r.subject, href="/agent/tickets/" + r.number.to_string(), size="2", weight="medium"),
            rx.text(rx.cond(r.comment != "", r.comment, T["agent.csat_none"]), size="2", color_scheme="gray"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.text(r.at, size="1", color_scheme="gray", white_space="nowrap"),
        width="100%",
        align="start",
        custom_attrs=tid("dashboard-rating"),
    )


def _content() -> rx.Component:
    return rx.vstack(
        subnav("dashboard"),
        rx.hstack(
            rx.vstack(
                rx.heading(T["dashboard.title"], size="7", as_="h1"),
                rx.text(T["dashboard.subtitle"].to(str).replace("{days}", S.days.to_string()), color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item(T["dashboard.days_7"], value="7"),
                rx.segmented_control.item(T["dashboard.days_14"], value="14"),
                rx.segmented_control.item(T["dashboard.days_30"], value="30"),
                value=S.days.to_string(),
                on_change=S.set_days,
                aria_label=T["dashboard.period"],
            ),
            width="100%",
            align="end",
            wrap="wrap",
            spacing="3",
        ),
        rx.grid(
            _kpi("shield-check", T["dashboard.sla"], S.sla_compliance, T["dashboard.sla_hint"], "kpi-sla"),
            _kpi("timer", T["dashboard.first_response"], S.first_response, T["dashboard.first_response_hint"], "kpi-first-response"),
            _kpi("smile", T["dashboard.csat"], S.csat_percent, T["dashboard.csat_hint"], "kpi-csat"),
            columns=rx.breakpoints(initial="1", sm="3"),
            gap="1rem",
            width="100%",
        ),
        _volume_chart(),
        rx.grid(_response_chart(), _csat_chart(), columns=rx.breakpoints(initial="1", md="2"), gap="1rem", width="100%"),
        estimates_card(),
        _card(
            rx.heading(T["dashboard.recent_ratings"], size="3", as_="h2"),
            rx.cond(
                S.recent_ratings.length() > 0,
                rx.vstack(rx.foreach(S.recent_ratings, _rating), spacing="3", width="100%"),
                rx.text(T["dashboard.recent_ratings_none"], size="2", color_scheme="gray"),
            ),
        ),
        _card(
            rx.heading(T["dashboard.failed_searches"], size="3", as_="h2"),
            rx.text(T["dashboard.failed_searches_hint"], size="1", color_scheme="gray"),
            rx.cond(
                S.failed_searches.length() > 0,
                rx.vstack(rx.foreach(S.failed_searches, _failed), spacing="2", width="100%"),
                rx.text(T["dashboard.no_failed_searches"], size="2", color_scheme="gray"),
            ),
        ),
        spacing="4",
        width="100%",
    )


def dashboard_page() -> rx.Component:
    return shell(guarded(S.access, _content()))
