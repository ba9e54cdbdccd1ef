"""Mi cuenta: profile, password, download my data, erase my account."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, form_error, guarded, labeled_input, tid
from helpdesk.web.pages.account.state import AccountState as S
from helpdesk.web.pages.trust.page import verify_banner
from helpdesk.web.pages.trust.sessions import sessions_section
from helpdesk.web.pages.account.agent_mail import agent_mail_section
from helpdesk.web.pages.account.email import email_section
from helpdesk.web.pages.account.security import security_section
from helpdesk.web.pages.account.tokens import tokens_section


def _err(field: str):
    return S.errors.get(field, "")


def _section(title, *children) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, as_="h2", size="4"), *children, spacing="3", width="100%"), width="100%")


def account_page() -> rx.Component:
    body = rx.vstack(
        rx.heading(T["nav.account"], as_="h1"),
        verify_banner(),
        rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", role="status",
                                           custom_attrs=tid("account-notice"))),
        form_error(_err("form")),
        _section(
            T["account.profile"],
            rx.text(S.email, custom_attrs=tid("account-email")),
            rx.form(
                labeled_input("name", T["account.name"], testid="account-name", error=_err("name"), default_value=S.name),
                rx.button(T["account.save"], type="submit", custom_attrs=tid("account-save")),
                on_submit=S.save_profile,
            ),
        ),
        email_section(),
        _section(
            T["account.password"],
            rx.form(
                labeled_input("current_password", T["account.current_password"], testid="account-current-password",
                              error=_err("current_password"), type_="password", autocomplete="current-password"),
                labeled_input("new_password", T["account.new_password"], testid="account-new-password",
                              error=_err("new_password"), type_="password", autocomplete="new-password"),
                rx.button(T["account.change_password"], type="submit", custom_attrs=tid("account-change-password")),
                on_submit=S.change_password,
            ),
        ),
        security_section(),
        sessions_section(),
        _section(
            T["account.my_data"],
            rx.text(T["account.my_data_help"], size="2"),
            rx.button(T["account.download"], type="button", on_click=S.download_my_data,
                      custom_attrs=tid("account-download")),
        ),
        agent_mail_section(),
        tokens_section(),
        _section(
            T["account.delete"],
            rx.text(T["account.delete_help"], size="2"),
            rx.form(
                labeled_input("confirm_email", T["account.confirm_email"], testid="account-confirm-email",
                              error=_err("confirm_email"), type_="email", autocomplete="off"),
                labeled_input("password", T["account.current_password"], testid="account-delete-password",
                              error=_err("password"), type_="password", autocomplete="current-password"),
                rx.button(T["account.delete_button"], type="submit", color_scheme="red",
                          custom_attrs=tid("account-delete")),
                on_submit=S.request_deletion,
            ),
        ),
        spacing="4",
        width="100%",
        max_width="40rem",
    )
    return shell(guarded(S.access, body))
