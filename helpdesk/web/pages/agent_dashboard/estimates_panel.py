"""The dashboard card «¿Se cumplen nuestras estimaciones?»: share kept, counts, median and p90,
where replies landed against the estimate (chart) and the share per priority (bars)."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.agent_dashboard.estimates_view import EstimateRow
from helpdesk.web.pages.agent_dashboard.state import DashboardState as S


def _figure(label, value) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="3", weight="bold"), spacing="0")


def _chart() -> rx.Component:
    # Horizontal bars: the five bucket names stay readable at phone width.
    return rx.vstack(
        rx.heading(T["estimates.chart"], size="2", as_="h3"),
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", horizontal=False),
            rx.recharts.x_axis(type_="number", allow_decimals=False, font_size=12),
            rx.recharts.y_axis(data_key="name", type_="category", width=150, font_size=12),
            rx.recharts.tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(data_key="early", name=T["estimates.series_early"], stack_id="a", fill="var(--green-9)",
                            is_animation_active=False),
            rx.recharts.bar(data_key="late", name=T["estimates.series_late"], stack_id="a", fill="var(--red-9)",
                            radius=[0, 4, 4, 0], is_animation_active=False),
            data=S.est_buckets,
            layout="vertical",
            width="100%",
            height=240,
        ),
        spacing="2",
        width="100%",
        custom_attrs=tid("estimate-accuracy-chart"),
    )


def _row(row: EstimateRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.label, size="2", width="7rem", flex_shrink="0"),
        rx.progress(value=row.value, max=100, color_scheme="green", aria_label=row.aria, flex="1"),
        rx.text(row.share, size="2", weight="medium", white_space="nowrap"),
        rx.text(row.counts, size="1", color_scheme="gray", white_space="nowrap"),
        width="100%",
        align="center",
        spacing="3",
        custom_attrs=tid("estimate-accuracy-priority"),
    )


def _figures() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(S.est_share, size="8", weight="bold", custom_attrs=tid("estimate-accuracy-share")),
                rx.text(T["estimates.share_label"], size="2", color_scheme="gray"),
                spacing="0",
            ),
            rx.vstack(
                rx.text(S.est_counts, size="2", weight="medium", custom_attrs=tid("estimate-accuracy-counts")),
                rx.text(S.est_late, size="2", color_scheme="gray"),
                rx.hstack(_figure(T["estimates.median"], S.est_median), _figure(T["estimates.p90"], S.est_p90),
                          spacing="5", wrap="wrap"),
                spacing="1",
            ),
            spacing="6",
            align="center",
            wrap="wrap",
        ),
        rx.grid(
            _chart(),
            rx.vstack(
                rx.heading(T["estimates.by_priority"], size="2", as_="h3"),
                rx.foreach(S.est_rows, _row),
                spacing="3",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            gap="1.5rem",
            width="100%",
        ),
        rx.text(T["estimates.wall_clock"], size="1", color_scheme="gray"),
        spacing="4",
        width="100%",
    )


def estimates_card() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(T["estimates.title"], size="3", as_="h2"),
            rx.text(T["estimates.hint"], size="1", color_scheme="gray"),
            rx.cond(S.est_total > 0, _figures(),
                    rx.text(T["estimates.empty"], size="2", color_scheme="gray", custom_attrs=tid("estimate-accuracy-empty"))),
            spacing="2",
            width="100%",
        ),
        class_name="hd-card",
        padding="1.1rem",
        width="100%",
        custom_attrs=tid("estimate-accuracy"),
    )
