"""/verify, /forgot, /reset pages and the "confirm your address" banner of /account."""

from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, form_error, guarded, labeled_input, loading_block, tid
from helpdesk.web.pages.trust.state import ForgotState, ResetState, VerifyBannerState, VerifyState


def _card(*children) -> rx.Component:
    return rx.center(
        rx.box(rx.vstack(*children, spacing="4", width="100%"), class_name="hd-card", padding="2rem", width="100%",
               max_width="28rem"),
        width="100%",
    )


def _ok(message, testid: str) -> rx.Component:
    return rx.callout(message, icon="circle-check", color_scheme="green", role="status", width="100%",
                      custom_attrs=tid(testid))


def _invalid_link() -> rx.Component:
    return rx.vstack(
        rx.callout(T["trust.link_invalid"], icon="triangle-alert", color_scheme="red", role="alert", width="100%",
                   custom_attrs=tid("link-invalid")),
        rx.link(T["trust.forgot_link"], href=routes.FORGOT, size="2"),
        width="100%",
    )


def verify_page() -> rx.Component:
    body = _card(
        rx.heading(T["trust.verify_title"], size="7", as_="h1"),
        rx.match(
            VerifyState.outcome,
            ("ok", rx.vstack(_ok(T["trust.verify_ok"], "verify-ok"),
                             rx.link(T["nav.my_tickets"], href=routes.MY_TICKETS, size="2"), width="100%")),
            ("invalid", _invalid_link()),
            loading_block(),
        ),
    )
    return shell(guarded(VerifyState.access, body))


def forgot_page() -> rx.Component:
    return shell(_card(
        rx.heading(T["trust.forgot_title"], size="7", as_="h1"),
        rx.cond(
            ForgotState.sent,
            rx.vstack(_ok(T["trust.forgot_sent"], "forgot-sent"), rx.link(T["trust.go_login"], href=routes.LOGIN, size="2"),
                      width="100%"),
            rx.vstack(
                rx.text(T["trust.forgot_help"], color_scheme="gray"),
                form_error(ForgotState.forgot_error),
                rx.form(
                    rx.vstack(
                        labeled_input("email", T["auth.email"], testid="forgot-email", error=ForgotState.email_error,
                                      type_="email", autocomplete="email", default_value=ForgotState.forgot_email),
                        rx.button(T["trust.forgot_submit"], type="submit", size="3", width="100%",
                                  custom_attrs=tid("forgot-submit")),
                        spacing="4", width="100%",
                    ),
                    on_submit=ForgotState.submit, reset_on_submit=False, no_validate=True, width="100%",
                ),
                spacing="4", width="100%",
            ),
        ),
    ))


def reset_page() -> rx.Component:
    form = rx.vstack(
        form_error(ResetState.reset_error),
        rx.form(
            rx.vstack(
                labeled_input("password", T["trust.reset_password"], testid="reset-password", error=ResetState.password_error,
                              type_="password", autocomplete="new-password", hint=T["auth.password_hint"]),
                rx.button(T["trust.reset_submit"], type="submit", size="3", width="100%", custom_attrs=tid("reset-submit")),
                spacing="4", width="100%",
            ),
            on_submit=ResetState.submit, reset_on_submit=False, no_validate=True, width="100%",
        ),
        width="100%",
    )
    return shell(_card(
        rx.heading(T["trust.reset_title"], size="7", as_="h1"),
        rx.match(
            ResetState.stage,
            ("form", form),
            ("invalid", _invalid_link()),
            ("done", rx.vstack(_ok(T["trust.reset_done"], "reset-done"),
                               rx.link(T["trust.go_login"], href=routes.LOGIN, size="2"), width="100%")),
            loading_block(),
        ),
    ))


def verify_banner() -> rx.Component:
    """One line on /account: shown while the address is unverified."""
    return rx.box(
        rx.cond(
            VerifyBannerState.unverified,
            rx.callout(
                rx.vstack(
                    rx.text(T["trust.verify_pending"]),
                    rx.hstack(
                        rx.button(T["trust.verify_resend"], type="button", variant="soft", size="2",
                                  on_click=VerifyBannerState.resend, custom_attrs=tid("verify-resend")),
                        rx.text(VerifyBannerState.banner_note, size="2", role="status", custom_attrs=tid("verify-resend-note")),
                        align="center", spacing="3", wrap="wrap",
                    ),
                    spacing="2",
                ),
                icon="mail", color_scheme="amber", width="100%", custom_attrs=tid("verify-pending"),
            ),
        ),
        on_mount=VerifyBannerState.check,
        width="100%",
    )
