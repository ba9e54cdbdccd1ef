"""The page shell: header with navigation and language switch, main landmark, footer."""

from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.app_state import AppState
from helpdesk.web.components.shortcuts import a11y_hooks
from helpdesk.web.components.ui import T, tid


def _nav_link(label, href: str, testid: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16, aria_hidden="true"), rx.text(label, class_name="hd-nav-text"), spacing="1", align="center"),
        href=href,
        class_name="hd-nav-link",
        title=label,
        underline="none",
        custom_attrs=tid(testid),
    )


def header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.box(rx.icon("life-buoy", size=20, color="white"), class_name="hd-logo"),
                    rx.text(T["app.name"], weight="bold", size="4", class_name="hd-app-name"),
                    align="center",
                    spacing="2",
                ),
                href=routes.HOME,
                underline="none",
                color="inherit",
                aria_label=T["nav.home"],
            ),
            rx.spacer(),
            rx.el.nav(
                _nav_link(T["nav.new_ticket"], routes.NEW_TICKET, "nav-new-ticket", "circle-plus"),
                rx.cond(
                    AppState.signed_in & ~AppState.is_staff,
                    _nav_link(T["nav.my_tickets"], routes.MY_TICKETS, "nav-my-tickets", "inbox"),
                ),
                rx.cond(
                    AppState.is_staff,
                    _nav_link(T["nav.agent"], routes.AGENT, "nav-agent", "headset"),
                ),
                rx.cond(
                    AppState.is_admin,
                    _nav_link(T["nav.admin"], routes.ADMIN, "nav-admin", "settings"),
                ),
                rx.cond(
                    AppState.signed_in,
                    rx.hstack(
                        rx.link(
                            rx.badge(AppState.user_name, variant="soft", high_contrast=True, radius="full", class_name="hd-user-badge"),
                            href=routes.ACCOUNT,
                            underline="none",
                            aria_label=T["nav.account"],
                            custom_attrs=tid("nav-account"),
                        ),
                        _nav_link(T["nav.logout"], routes.LOGOUT, "nav-logout", "log-out"),
                        align="center",
                        spacing="2",
                    ),
                    _nav_link(T["nav.login"], routes.LOGIN, "nav-login", "log-in"),
                ),
                rx.button(
                    rx.icon("languages", size=16, aria_hidden="true"),
                    rx.text.span(T["nav.language"], class_name="hd-nav-text"),
                    on_click=AppState.toggle_locale,
                    variant="soft",
                    size="2",
                    aria_label=T["nav.language_label"],
                    custom_attrs=tid("lang-switch"),
                ),
                class_name="hd-nav",
                aria_label=T["nav.menu"],
            ),
            align="center",
            spacing="3",
            class_name="hd-header-inner",
        ),
        class_name="hd-header",
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.hstack(
            rx.text(T["footer.text"], size="2", color_scheme="gray"),
            rx.spacer(),
            rx.text(T["footer.hours"], size="2", color_scheme="gray"),
            wrap="wrap",
            spacing="2",
            class_name="hd-footer-inner",
        ),
        class_name="hd-footer",
    )


def shell(*children: rx.Component, width: str = "72rem") -> rx.Component:
    return rx.box(
        rx.el.a(T["nav.skip"], href="#main", class_name="hd-skip"),
        header(),
        rx.el.main(
            rx.box(*children, max_width=width, margin_x="auto", width="100%"),
            id="main",
            tab_index=-1,
            class_name="hd-main",
        ),
        footer(),
        a11y_hooks(),
        class_name="hd-page",
    )
