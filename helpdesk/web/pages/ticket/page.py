from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, guarded, loading_block, tid
from helpdesk.web.components.attachments import attachment_list
from helpdesk.web.components.upload import attachment_picker
from helpdesk.web.pages.my_tickets.page import status_badge
from helpdesk.web.pages.ticket.state import TicketState as S
from helpdesk.web.pages.ticket.views import MessageView
from helpdesk.web.pages.chat.ticket_callback import ticket_callback_box

CARD = dict(
    background="var(--color-panel-solid)",
    border="1px solid var(--gray-a5)",
    border_radius="var(--radius-4)",
    padding="1.25rem",
    width="100%",
)


def _message(m: MessageView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.avatar(fallback=m.author[:1], size="2", radius="full", color_scheme=rx.cond(m.from_support, "teal", "gray")),
            rx.vstack(
                rx.hstack(
                    rx.text(m.author, weight="bold", size="2"),
                    rx.badge(m.role, variant="soft", high_contrast=True, color_scheme=rx.cond(m.from_support, "indigo", "gray"), size="1"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.tooltip(rx.text(m.created, size="1", color_scheme="gray", title=m.created_full), content=m.created_full),
                spacing="0",
            ),
            spacing="2",
            align="center",
        ),
        # Plain text: nothing anyone typed is ever interpreted as markup.
        rx.text(m.body, as_="div", size="3", white_space="pre-wrap", overflow_wrap="anywhere", margin_top="0.75rem"),
        attachment_list(m.attachments),
        **{**CARD, "padding": "1rem"},
        border_left=rx.cond(m.from_support, "3px solid var(--accent-9)", "3px solid var(--gray-a6)"),
        custom_attrs=tid("ticket-message"),
    )


def _header() -> rx.Component:
    t = S.ticket
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text(T["customer.back_to_list"], size="2"), spacing="1", align="center"),
                href=routes.MY_TICKETS, color_scheme="gray"),
        rx.hstack(
            rx.text(t["public_id"], size="3", color_scheme="gray", weight="bold", custom_attrs=tid("ticket-id")),
            status_badge(t["status"], t["status_label"], t["group_label"]),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.heading(t["subject"], size="7", as_="h1", overflow_wrap="anywhere", custom_attrs=tid("ticket-subject")),
        rx.flex(
            rx.text(T["customer.priority"], ": ", rx.text.strong(t["priority_label"]), size="2", custom_attrs=tid("ticket-priority")),
            rx.text(T["customer.category"], ": ", rx.text.strong(t["category_label"]), size="2"),
            rx.text(T["customer.requested_by"], " ", rx.text.strong(t["requester"]), size="2"),
            rx.tooltip(rx.text(T["customer.created"], " ", t["created"], size="2", color_scheme="gray", title=t["created_full"]),
                       content=t["created_full"]),
            gap="1rem",
            wrap="wrap",
        ),
        rx.cond(
            t["promise"] != "",
            rx.callout(t["promise"], icon="clock", color_scheme="indigo", variant="surface", high_contrast=True, size="1", custom_attrs=tid("ticket-sla")),
        ),
        rx.cond(
            t["paused"] != "",
            rx.callout(t["paused"], icon="pause", color_scheme="amber", variant="surface", high_contrast=True, size="1",
                       custom_attrs=tid("ticket-paused")),
        ),
        rx.cond(
            t["follow_up_of"] != "",
            rx.text(T["customer.follow_up_of"], " ", rx.link("#", t["follow_up_of"], href="/tickets/" + t["follow_up_of"]), size="2"),
        ),
        spacing="2",
        width="100%",
    )


def _csat() -> rx.Component:
    comment = rx.text_area(
        id="csat-comment",
        name="comment",
        default_value=S.csat_comment,
        placeholder=T["customer.csat_comment_placeholder"],
        on_blur=S.remember_comment,
        rows="3",
        width="100%",
        custom_attrs=tid("csat-comment"),
    )
    return rx.cond(
        S.csat_state != "",
        rx.box(
            rx.form(
                rx.vstack(
                    rx.cond(
                        S.csat_state == "thanks",
                        rx.callout(T["customer.csat_thanks"], icon="heart", color_scheme="green", high_contrast=True, width="100%", custom_attrs=tid("csat-thanks")),
                        rx.vstack(
                            rx.heading(T["customer.csat_question"], size="4", as_="h2"),
                            rx.hstack(
                                rx.button(rx.icon("thumbs-up", size=16), T["customer.csat_good"], type="button", size="3", variant="soft",
                                          color_scheme="green", on_click=S.rate("good"), custom_attrs=tid("csat-good")),
                                rx.button(rx.icon("thumbs-down", size=16), T["customer.csat_bad"], type="button", size="3", variant="soft",
                                          color_scheme="red", on_click=S.rate("bad"), custom_attrs=tid("csat-bad")),
                                spacing="3",
                                wrap="wrap",
                            ),
                            spacing="2",
                        ),
                    ),
                    rx.text(T["customer.csat_comment_label"], size="2", as_="label", html_for="csat-comment"),
                    comment,
                    rx.cond(S.csat_error != "", rx.text(S.csat_error, color_scheme="red", size="2", role="alert", custom_attrs=tid("field-error-csat"))),
                    rx.button(T["customer.csat_submit"], type="submit", variant="soft", custom_attrs=tid("csat-submit")),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.submit_csat,
                reset_on_submit=False,
            ),
            **{**CARD, "border": "1px solid var(--accent-a7)"},
            custom_attrs=tid("csat"),
        ),
    )


def _reply() -> rx.Component:
    return rx.cond(
        S.can_reply,
        rx.box(
            rx.form(
                rx.vstack(
                    rx.el.label(T["customer.reply_label"], html_for="reply-body", class_name="hd-label"),
                    rx.text_area(
                        id="reply-body",
                        name="body",
                        placeholder=T["customer.reply_placeholder"],
                        rows="5",
                        width="100%",
                        aria_describedby="body-error",
                        aria_invalid=rx.cond(S.reply_error != "", "true", "false"),
                        custom_attrs={**tid("reply-body"), "data-draft": "reply"},
                    ),
                    rx.cond(S.reply_error != "", rx.text(S.reply_error, color_scheme="red", size="2", role="alert", id="body-error",
                                                          custom_attrs=tid("field-error-body"))),
                    attachment_picker(S, "reply-files", "reply-attachments"),
                    rx.hstack(
                        rx.spacer(),
                        rx.button(rx.icon("send", size=16), T["customer.reply_submit"], type="submit", size="3",
                                  loading=S.uploading, custom_attrs=tid("reply-submit")),
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.send_reply,
                reset_on_submit=False,
                width="100%",
            ),
            **CARD,
        ),
        rx.cond(
            S.link_mode & ~S.can_reopen,
            rx.callout(T["customer.link_read_only"], icon="info", color_scheme="gray", width="100%"),
        ),
    )


def _side() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.can_reopen,
            rx.box(
                rx.vstack(
                    rx.text(T["customer.reopen_hint"], size="2", color_scheme="gray"),
                    rx.button(rx.icon("rotate-ccw", size=16), T["customer.reopen"], variant="soft", width="100%",
                              on_click=S.reopen, custom_attrs=tid("ticket-reopen")),
                    spacing="2",
                ),
                **CARD,
            ),
        ),
        rx.box(
            rx.vstack(
                rx.heading(T["customer.cc_title"], size="3", as_="h2"),
                rx.cond(
                    S.ccs.length() > 0,
                    rx.vstack(rx.foreach(S.ccs, lambda e: rx.text(e, size="2", overflow_wrap="anywhere", custom_attrs=tid("ticket-cc"))), spacing="1"),
                    rx.text(T["customer.cc_none"], size="2", color_scheme="gray"),
                ),
                rx.cond(
                    S.can_add_cc,
                    rx.form(
                        rx.vstack(
                            rx.el.label(T["customer.cc_label"], html_for="cc-email", class_name="hd-label"),
                            rx.input(id="cc-email", name="cc", type="email", placeholder="nombre@empresa.com", width="100%",
                                     custom_attrs=tid("cc-email")),
                            rx.cond(S.cc_error != "", rx.text(S.cc_error, color_scheme="red", size="2", role="alert", custom_attrs=tid("field-error-cc"))),
                            rx.button(rx.icon("user-plus", size=14), T["customer.cc_add"], type="submit", variant="soft", width="100%",
                                      custom_attrs=tid("cc-submit")),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=S.add_cc,
                        reset_on_submit=False,
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            **CARD,
        ),
        spacing="3",
        width="100%",
    )


def _content() -> rx.Component:
    return rx.cond(
        ~S.loaded,
        loading_block(),
        rx.vstack(
            _header(),
            rx.cond(S.notice != "", rx.callout(S.notice, icon="info", high_contrast=True, width="100%", custom_attrs=tid("ticket-notice"))),
            rx.grid(
                rx.vstack(
                    _csat(),
                    rx.vstack(rx.foreach(S.messages, _message), spacing="3", width="100%", custom_attrs=tid("conversation"),
                              aria_live="polite"),
                    _reply(),
                    rx.cond(S.is_requester & S.can_reply, ticket_callback_box()),
                    spacing="4",
                    width="100%",
                    min_width="0",
                ),
                _side(),
                columns={"initial": "1", "md": "minmax(0, 1fr) 18rem"},
                gap="1.25rem",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
    )


def ticket_page() -> rx.Component:
    return shell(guarded(S.access, _content()))
