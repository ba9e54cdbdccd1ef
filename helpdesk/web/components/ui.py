"""Small shared building blocks: test hooks, form fields, access and empty states."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.app_state import AppState

T = AppState.t


def tid(name: str) -> dict:
    """The data-testid hook of CONTRACT.md."""
    return {"data-testid": name}


def field_error(field: str, message) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(
            message,
            color_scheme="red",
            size="2",
            id=f"{field}-error",
            role="alert",
            custom_attrs=tid(f"field-error-{field}"),
        ),
    )


def form_error(message) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            width="100%",
            custom_attrs=tid("form-error"),
        ),
    )


def labeled_input(
    field: str,
    label,
    *,
    testid: str,
    error,
    type_: str = "text",
    hint=None,
    default_value=None,
    autocomplete: str | None = None,
    required: bool = True,
    **props,
) -> rx.Component:
    input_id = f"input-{field}"
    return rx.vstack(
        rx.el.label(
            label,
            # Said in words, not only by colour or an asterisk.
            rx.text.span(" (", T["common.required"], ")", color_scheme="gray", weight="regular") if required else rx.fragment(),
            html_for=input_id,
            class_name="hd-label",
        ),
        rx.input(
            id=input_id,
            name=field,
            type=type_,
            default_value=default_value,
            auto_complete=autocomplete,
            required=False,  # validated on the server so messages are ours, in the user's language
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{field}-error {field}-hint" if hint is not None else f"{field}-error",
            size="3",
            width="100%",
            custom_attrs=tid(testid),
            **props,
        ),
        rx.text(hint, size="1", color_scheme="gray", id=f"{field}-hint") if hint is not None else rx.fragment(),
        field_error(field, error),
        spacing="1",
        width="100%",
        align="stretch",
    )


def access_denied() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("shield-x", size=40, color=rx.color("red", 9)),
            rx.heading(T["access.denied_title"], size="6", as_="h1"),
            rx.text(T["access.denied_body"], color_scheme="gray", text_align="center"),
            rx.link(rx.button(T["common.back_home"], variant="soft"), href="/"),
            align="center",
            spacing="3",
            max_width="32rem",
            custom_attrs=tid("access-denied"),
        ),
        padding_y="4rem",
    )


def loading_block() -> rx.Component:
    return rx.center(
        rx.hstack(rx.spinner(size="3"), rx.text(T["common.loading"], color_scheme="gray"), align="center"),
        padding_y="4rem",
        aria_busy="true",
    )


def guarded(access, content: rx.Component) -> rx.Component:
    """Render `content` only once the server has said "ok" for this user and page."""
    return rx.match(
        access,
        ("ok", content),
        ("denied", access_denied()),
        loading_block(),
    )


def empty_state(icon: str, title, body, action: rx.Component | None = None) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("gray", 9)),
            rx.heading(title, size="4", as_="h2"),
            rx.text(body, color_scheme="gray", text_align="center"),
            action if action is not None else rx.fragment(),
            align="center",
            spacing="2",
            max_width="28rem",
        ),
        padding_y="3rem",
        width="100%",
    )
