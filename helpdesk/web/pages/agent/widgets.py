"""Pieces shared by the agent pages: sub-navigation, badges, Radix selects with test hooks."""

from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.shortcuts import shortcuts_help
from helpdesk.web.components.status import status_badge as shared_status_badge
from helpdesk.web.components.ui import T, tid

PRIORITY_COLORS = {"urgent": "red", "high": "orange", "medium": "blue", "low": "gray"}
SLA_COLORS = {"breached": "red", "due_soon": "amber", "paused": "gray", "met": "green"}


def subnav(active: str) -> rx.Component:
    def item(key: str, href: str, icon: str) -> rx.Component:
        return rx.link(
            rx.hstack(rx.icon(icon, size=15, aria_hidden="true"), rx.text(T[f"agent.nav.{key}"], size="2"), spacing="1", align="center"),
            href=href,
            underline="none",
            padding="0.35rem 0.75rem",
            border_radius="var(--radius-3)",
            background=rx.color("accent", 4) if key == active else "transparent",
            color=rx.color("accent", 11) if key == active else rx.color("gray", 11),
            weight="medium",
            aria_current="page" if key == active else None,
            custom_attrs=tid(f"agent-nav-{key}"),
        )

    return rx.el.nav(
        rx.hstack(
            item("queue", routes.AGENT, "inbox"),
            item("dashboard", routes.AGENT_DASHBOARD, "chart-column"),
            item("articles", routes.KB_ADMIN, "book-open"),
            rx.spacer(),
            shortcuts_help(),
            spacing="1",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        aria_label=T["agent.nav.label"],
        width="100%",
        padding_bottom="0.75rem",
        margin_bottom="1rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def _color(mapping: dict[str, str], value, default: str = "gray"):
    return rx.match(value, *[(k, v) for k, v in mapping.items()], default)


def status_badge(status, testid: str | None = None) -> rx.Component:
    """The shared status label (components/status.py), in the agents' wording."""
    return shared_status_badge(status, testid, audience="agent")


def priority_badge(priority, testid: str | None = None) -> rx.Component:
    return rx.badge(
        rx.cond(priority == "", T["agent.priority_none"], T["priority." + priority]),
        color_scheme=_color(PRIORITY_COLORS, priority),
        variant=rx.cond(priority == "urgent", "solid", "outline"),
        radius="full",
        high_contrast=True,
        custom_attrs=tid(testid) if testid else {},
    )


def sla_badge(state) -> rx.Component:
    return rx.cond(
        (state == "breached") | (state == "due_soon") | (state == "paused"),
        rx.badge(
            rx.icon(rx.match(state, ("breached", "alarm-clock-off"), ("paused", "pause"), "clock"), size=12, aria_hidden="true"),
            T["agent.sla." + state],
            color_scheme=_color(SLA_COLORS, state),
            variant="soft",
            high_contrast=True,
            custom_attrs=tid("sla-badge"),
        ),
    )


def choice(testid: str, value, on_change, options: list[tuple[str, object]], *, dynamic=None, label=None, width: str = "100%", **props) -> rx.Component:
    """A Radix select: static (value, label) options, then optional dynamic ones (a list var of
    objects with `id` and `name`). Radix items need non-empty values: callers use sentinels."""
    items = [rx.select.item(text, value=val) for val, text in options]
    if dynamic is not None:
        items.append(rx.foreach(dynamic, lambda o: rx.select.item(o.name, value=o.id)))
    return rx.select.root(
        rx.select.trigger(custom_attrs=tid(testid), width=width, aria_label=label),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        **props,
    )
