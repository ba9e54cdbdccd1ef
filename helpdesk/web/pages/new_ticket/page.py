"""/tickets/new: the form, its deflection suggestions, the duplicate warning, the success panel."""

from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.app_state import AppState
from helpdesk.web.components.altcha import captcha_field
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, field_error, form_error, loading_block, tid
from helpdesk.web.components.upload import attachment_picker
from helpdesk.web.pages.new_ticket.promises import promise_fields
from helpdesk.web.pages.new_ticket.state import FORM_ID, HONEYPOT_FIELD, NewTicketState as S

_SELECT_STYLE = {
    "width": "100%",
    "height": "var(--space-7)",
    "padding": "0 0.75rem",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-2)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
    "font_size": "var(--font-size-3)",
    "font_family": "inherit",
}
_SR_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}
_DEBOUNCE_MS = 450


def _err(field: str):
    return S.errors.get(field, "")


def _label(text, field: str, required: bool) -> rx.Component:
    return rx.el.label(
        text,
        rx.cond(
            required,
            # Said in words, not only by colour or an asterisk.
            rx.text.span(" (", T["common.required"], ")", color_scheme="gray", weight="regular"),
            rx.text.span(" ", T["new_ticket.optional"], color_scheme="gray", weight="regular"),
        ),
        html_for=f"input-{field}",
        class_name="hd-label",
    )


def _field(field: str, label, control: rx.Component, *, hint=None, required: bool = True) -> rx.Component:
    return rx.vstack(
        _label(label, field, required),
        control,
        rx.text(hint, size="1", color_scheme="gray") if hint is not None else rx.fragment(),
        field_error(field, _err(field)),
        spacing="1",
        width="100%",
        align="stretch",
    )


def _aria(field: str) -> dict:
    return {
        "aria-invalid": rx.cond(_err(field) != "", "true", "false"),
        "aria-describedby": f"{field}-error",
        "aria-required": "true",
    }


def _text_input(field: str, testid: str, *, type_: str = "text", autocomplete: str = "off", **props) -> rx.Component:
    return rx.input(
        id=f"input-{field}",
        name=field,
        type=type_,
        auto_complete=autocomplete,
        size="3",
        width="100%",
        custom_attrs={**tid(testid), **_aria(field)},
        **props,
    )


def _select(field: str, testid: str, placeholder, options, **props) -> rx.Component:
    return rx.el.select(
        rx.el.option(placeholder, value=""),
        rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
        id=f"input-{field}",
        name=field,
        style=_SELECT_STYLE,
        custom_attrs={**tid(testid), **_aria(field)},
        **props,
    )


def _category_select() -> rx.Component:
    return rx.el.select(
        rx.el.option(T["new_ticket.category_placeholder"], value=""),
        rx.el.option(T["category.consulta"], value="consulta"),
        rx.el.option(T["category.peticion"], value="peticion"),
        rx.el.option(T["category.anomalia"], value="anomalia"),
        id="input-category",
        name="category",
        value=S.category,
        on_change=S.choose_category,
        style=_SELECT_STYLE,
        custom_attrs={**tid("ticket-category"), **_aria("category")},
    )


def _category_help() -> rx.Component:
    """The selected kind's one-line explanation, or all three while none is chosen."""
    item = lambda key: rx.text(  # noqa: E731
        rx.text.strong(T[f"category.{key}"]), " — ", T[f"new_ticket.cat_help.{key}"], size="1", color_scheme="gray"
    )
    return rx.match(
        S.category,
        ("consulta", item("consulta")),
        ("peticion", item("peticion")),
        ("anomalia", item("anomalia")),
        rx.vstack(item("consulta"), item("peticion"), item("anomalia"), spacing="0"),
    )


def _honeypot() -> rx.Component:
    # Invisible to people and to assistive technology, never reached with Tab; bots that
    # fill every field fill this one too.
    return rx.box(
        rx.el.label(T["new_ticket.honeypot"], html_for=f"input-{HONEYPOT_FIELD}"),
        rx.el.input(id=f"input-{HONEYPOT_FIELD}", name=HONEYPOT_FIELD, type="text", tab_index=-1, auto_complete="off", default_value=""),
        aria_hidden="true",
        style={**_SR_ONLY, "left": "-10000px"},
    )


def _suggestions() -> rx.Component:
    return rx.cond(
        S.suggestions.length() > 0,
        rx.box(
            rx.hstack(
                rx.icon("lightbulb", size=18, color=rx.color("amber", 10), aria_hidden="true"),
                rx.heading(T["new_ticket.suggestions_title"], size="3", as_="h2"),
                align="center",
                spacing="2",
            ),
            rx.text(T["new_ticket.suggestions_body"], size="1", color_scheme="gray"),
            rx.el.ul(
                rx.foreach(
                    S.suggestions,
                    lambda s: rx.el.li(
                        rx.link(
                            rx.hstack(
                                rx.icon("file-text", size=16, aria_hidden="true", flex_shrink="0", margin_top="2px"),
                                rx.vstack(
                                    rx.text(s.title, weight="medium", size="2"),
                                    rx.text(s.summary, size="1", color_scheme="gray", style={"display": "-webkit-box", "-webkit-line-clamp": "2", "-webkit-box-orient": "vertical", "overflow": "hidden"}),
                                    spacing="0",
                                ),
                                spacing="2",
                                align="start",
                            ),
                            href="/articles/" + s.slug,
                            is_external=True,
                            underline="none",
                            on_click=S.opened_suggestion(s.slug),
                            custom_attrs=tid("ticket-suggestion"),
                        ),
                        padding_y="0.375rem",
                    ),
                ),
                style={"list_style": "none", "margin": 0, "padding": 0},
            ),
            aria_live="polite",
            padding="0.875rem 1rem",
            border_radius="var(--radius-3)",
            background="var(--amber-a2)",
            border="1px solid var(--amber-a5)",
            width="100%",
            custom_attrs=tid("ticket-suggestions"),
        ),
    )


def _duplicate_warning() -> rx.Component:
    return rx.cond(
        S.duplicate_number != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("copy", size=18)),
            rx.vstack(
                rx.text(T["new_ticket.duplicate_title"], weight="bold"),
                rx.text(S.duplicate_message),
                rx.text(T["new_ticket.duplicate_body"], size="2"),
                rx.flex(
                    rx.button(
                        S.duplicate_add_label,
                        type="button",
                        on_click=S.add_to_duplicate,
                        loading=S.busy,
                        custom_attrs=tid("duplicate-add"),
                    ),
                    rx.button(
                        T["new_ticket.duplicate_create"],
                        type="button",
                        variant="soft",
                        on_click=S.create_anyway,
                        loading=S.busy,
                        custom_attrs=tid("duplicate-create"),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="2",
            ),
            color_scheme="amber",
            role="alert",
            width="100%",
            custom_attrs=tid("duplicate-warning"),
        ),
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(S.form_error),
            rx.cond(
                S.is_guest,
                rx.vstack(
                    rx.callout(
                        rx.hstack(
                            rx.text(T["new_ticket.guest_note"]),
                            rx.link(T["new_ticket.guest_login"], href=routes.LOGIN + "?next=%2Ftickets%2Fnew"),
                            spacing="2",
                            wrap="wrap",
                        ),
                        icon="info",
                        variant="surface",
                        width="100%",
                    ),
                    rx.flex(
                        _field("name", T["new_ticket.name"], _text_input("name", "ticket-name", autocomplete="name", default_value=S.name_default)),
                        _field(
                            "email",
                            T["new_ticket.email"],
                            _text_input("email", "ticket-email", type_="email", autocomplete="email", default_value=S.email_default),
                            hint=T["new_ticket.email_hint"],
                        ),
                        direction={"initial": "column", "sm": "row"},
                        spacing="4",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            rx.flex(
                _field("service", T["new_ticket.service"], _select("service", "ticket-service", T["new_ticket.service_placeholder"], S.services, default_value=S.service_default)),
                rx.vstack(
                    _field("category", T["new_ticket.category"], _category_select()),
                    spacing="1",
                    width="100%",
                ),
                direction={"initial": "column", "sm": "row"},
                spacing="4",
                width="100%",
            ),
            _category_help(),
            rx.cond(
                S.category == "peticion",
                _field(
                    "request_type",
                    T["new_ticket.request_type"],
                    _select("request_type", "ticket-request-type", T["new_ticket.request_type_placeholder"], S.request_types, default_value=S.request_type_default),
                    required=False,
                ),
            ),
            _field(
                "subject",
                T["new_ticket.subject"],
                _text_input(
                    "subject",
                    "ticket-subject",
                    default_value=S.subject_default,
                    max_length=200,
                    on_change=S.typed_subject.debounce(_DEBOUNCE_MS),
                ),
                hint=T["new_ticket.subject_hint"],
            ),
            _field(
                "description",
                T["new_ticket.description"],
                rx.text_area(
                    id="input-description",
                    name="description",
                    rows="7",
                    resize="vertical",
                    default_value=S.description_default,
                    size="3",
                    width="100%",
                    placeholder=rx.cond(
                        S.category == "anomalia",
                        T["new_ticket.description_placeholder_anomalia"],
                        T["new_ticket.description_placeholder"],
                    ),
                    on_change=S.typed_description.debounce(_DEBOUNCE_MS),
                    custom_attrs={**tid("ticket-description"), **_aria("description")},
                ),
                hint=rx.cond(S.category == "anomalia", T["new_ticket.description_hint_anomalia"], ""),
            ),
            _suggestions(),
            rx.vstack(
                rx.el.label(T["new_ticket.attachments"], rx.text.span(" ", T["new_ticket.optional"], color_scheme="gray"), class_name="hd-label"),
                attachment_picker(S, "ticket-files", "ticket-attachments"),
                spacing="1",
                width="100%",
            ),
            captcha_field(T["new_ticket.captcha"], T["new_ticket.captcha_hint"], _err("captcha"),
                          rx.cond(AppState.locale == "en", "en", "es-es"), testid="ticket-captcha"),
            promise_fields(S.errors),
            _honeypot(),
            _duplicate_warning(),
            rx.flex(
                rx.text(T["new_ticket.required_note"], size="1", color_scheme="gray"),
                rx.button(
                    rx.icon("send", size=16, aria_hidden="true"),
                    T["new_ticket.submit"],
                    type="submit",
                    size="3",
                    loading=S.busy | S.uploading,
                    custom_attrs=tid("ticket-submit"),
                ),
                justify="between",
                align="center",
                spacing="3",
                direction={"initial": "column-reverse", "sm": "row"},
                width="100%",
            ),
            spacing="4",
            width="100%",
            position="relative",
        ),
        id=FORM_ID,
        key=S.form_key,
        on_submit=S.submit,
        reset_on_submit=False,
        no_validate=True,
        width="100%",
    )


def _created() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.box(rx.icon("circle-check", size=36, color=rx.color("grass", 10)), aria_hidden="true"),
            rx.heading(
                rx.cond(S.created_replied, T["new_ticket.replied_title"], T["new_ticket.created_title"]),
                size="6",
                as_="h2",
                text_align="center",
            ),
            rx.text(T["new_ticket.created_body"], color_scheme="gray"),
            rx.text(S.created_id, size="8", weight="bold", custom_attrs=tid("ticket-created-id")),
            rx.cond(S.created_due != "", rx.text(S.created_due, text_align="center", custom_attrs=tid("ticket-created-due"))),
            rx.cond(S.created_mail != "", rx.text(S.created_mail, color_scheme="gray", size="2", text_align="center")),
            rx.cond(S.created_files_text != "", rx.text(S.created_files_text, color_scheme="gray", size="2")),
            rx.flex(
                # asChild: one focusable link styled as a button, not a button inside a link.
                rx.button(
                    rx.link(
                        rx.icon("external-link", size=16, aria_hidden="true"),
                        T["new_ticket.view_ticket"],
                        href=S.created_link,
                        underline="none",
                        custom_attrs=tid("ticket-created-link"),
                    ),
                    as_child=True,
                    size="3",
                ),
                rx.button(
                    rx.icon("plus", size=16, aria_hidden="true"),
                    T["new_ticket.another"],
                    size="3",
                    variant="soft",
                    on_click=S.start_over,
                    custom_attrs=tid("ticket-new-another"),
                ),
                spacing="3",
                wrap="wrap",
                justify="center",
            ),
            align="center",
            spacing="3",
            padding="2rem 1.25rem",
            width="100%",
        ),
        class_name="hd-card",
        role="status",
        custom_attrs=tid("ticket-created"),
    )


def new_ticket_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.heading(T["new_ticket.title"], size="7", as_="h1"),
            rx.text(T["new_ticket.subtitle"], color_scheme="gray"),
            rx.cond(
                S.created_id != "",
                _created(),
                rx.cond(
                    S.ready,
                    rx.box(_form(), class_name="hd-card", padding="clamp(1rem, 4vw, 2rem)", width="100%"),
                    loading_block(),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="46rem",
    )
