from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, form_error, labeled_input, loading_block, tid
from helpdesk.web.components.altcha import captcha_field
from helpdesk.web.pages.auth.state import REGISTER_FORM_ID, AuthState


def _card(*children) -> rx.Component:
    return rx.center(
        rx.box(rx.vstack(*children, spacing="4", width="100%"), class_name="hd-card", padding="2rem", width="100%", max_width="28rem"),
        width="100%",
    )


def _password_form() -> rx.Component:
    return rx.fragment(
        rx.form(
            rx.vstack(
                labeled_input(
                    "email", T["auth.email"], testid="login-email", error=AuthState.errors.get("email", ""),
                    type_="email", autocomplete="email", default_value=AuthState.email_value,
                ),
                labeled_input(
                    "password", T["auth.password"], testid="login-password", error=AuthState.errors.get("password", ""),
                    type_="password", autocomplete="current-password",
                ),
                rx.button(T["auth.submit_login"], type="submit", size="3", width="100%", loading=AuthState.busy, custom_attrs=tid("login-submit")),
                spacing="4",
                width="100%",
            ),
            on_submit=AuthState.login,
            reset_on_submit=False,
            no_validate=True,
            width="100%",
        ),
        rx.link(T["trust.forgot_link"], href=routes.FORGOT, size="2", custom_attrs=tid("forgot-link")),
        rx.hstack(
            rx.text(T["auth.no_account"], size="2", color_scheme="gray"),
            rx.link(T["nav.register"], href=routes.REGISTER, size="2"),
            spacing="1",
        ),
    )


def _totp_form() -> rx.Component:
    """Second step: shown only after the server accepted the password of a two-step account."""
    return rx.vstack(
        rx.text(T["totp.login_help"], color_scheme="gray"),
        rx.form(
            rx.vstack(
                labeled_input(
                    "totp_code", T["totp.login_code"], testid="login-totp", error=AuthState.totp_error,
                    autocomplete="one-time-code", auto_focus=True, max_length=32, spell_check=False,
                ),
                rx.button(T["totp.login_submit"], type="submit", size="3", width="100%", custom_attrs=tid("login-totp-submit")),
                spacing="4",
                width="100%",
            ),
            on_submit=AuthState.login_totp,
            reset_on_submit=False,
            no_validate=True,
            width="100%",
        ),
        rx.button(T["totp.login_back"], type="button", variant="ghost", size="2", on_click=AuthState.cancel_totp,
                  custom_attrs=tid("login-totp-cancel")),
        spacing="4",
        width="100%",
        custom_attrs=tid("login-totp-step"),
    )


def login_page() -> rx.Component:
    return shell(
        _card(
            rx.heading(rx.cond(AuthState.totp_step, T["totp.login_title"], T["auth.login_title"]), size="7", as_="h1"),
            rx.cond(AuthState.totp_step, rx.fragment(), rx.text(T["auth.login_subtitle"], color_scheme="gray")),
            form_error(AuthState.form_error),
            rx.cond(AuthState.totp_step, _totp_form(), _password_form()),
        )
    )


def register_page() -> rx.Component:
    return shell(
        _card(
            rx.heading(T["auth.register_title"], size="7", as_="h1"),
            rx.text(T["auth.register_subtitle"], color_scheme="gray"),
            form_error(AuthState.form_error),
            rx.cond(AuthState.register_notice != "", rx.callout(AuthState.register_notice, icon="mail", color_scheme="green",
                                                                 role="status", width="100%", custom_attrs=tid("register-sent"))),
            rx.form(
                rx.vstack(
                    labeled_input(
                        "name", T["auth.name"], testid="register-name", error=AuthState.errors.get("name", ""),
                        autocomplete="name", default_value=AuthState.name_value,
                    ),
                    labeled_input(
                        "email", T["auth.email"], testid="register-email", error=AuthState.errors.get("email", ""),
                        type_="email", autocomplete="email", default_value=AuthState.email_value,
                    ),
                    labeled_input(
                        "password", T["auth.password"], testid="register-password", error=AuthState.errors.get("password", ""),
                        type_="password", autocomplete="new-password", hint=T["auth.password_hint"],
                    ),
                    captcha_field(T["new_ticket.captcha"], T["new_ticket.captcha_hint"], AuthState.errors.get("captcha", ""),
                                  rx.cond(AuthState.locale == "en", "en", "es-es"), testid="register-captcha"),
                    rx.button(T["auth.submit_register"], type="submit", size="3", width="100%", custom_attrs=tid("register-submit")),
                    spacing="4",
                    width="100%",
                ),
                on_submit=AuthState.register,
                reset_on_submit=False,
                no_validate=True,
                width="100%",
                id=REGISTER_FORM_ID,
            ),
            rx.hstack(
                rx.text(T["auth.have_account"], size="2", color_scheme="gray"),
                rx.link(T["nav.login"], href=routes.LOGIN, size="2"),
                spacing="1",
            ),
        )
    )


def logout_page() -> rx.Component:
    return shell(rx.vstack(rx.text(T["auth.signing_out"]), loading_block(), align="center"))
