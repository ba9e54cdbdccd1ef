"""The agent ticket page's two writing boxes: the reply to the customer (with files, canned
responses and "send and set status") and the internal note."""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.upload import attachment_picker
from helpdesk.web.components.ui import T, field_error, form_error, tid
from helpdesk.web.pages.agent_ticket.state import AgentTicketState as S


def _body_area(box: str, value, on_change, *, rows: str, shortcut: str, hint_id: str = "", **props) -> tuple[rx.Component, rx.Component]:
    """The text area of the reply or the note form (field `body`), and its error line."""
    error = S.errors.get(box, "")
    return (
        rx.text_area(
            name="body",
            value=value,
            on_change=on_change,
            placeholder=T[f"agent.{box}_placeholder"],
            rows=rows,
            width="100%",
            id=f"agent-{box}-body",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{box}-error {hint_id}".strip(),
            aria_keyshortcuts=shortcut,
            custom_attrs=tid(f"agent-{box}-body"),
            **props,
        ),
        field_error(box, error),
    )


def reply_box() -> rx.Component:
    return rx.box(
        rx.form(rx.vstack(
            rx.hstack(
                rx.heading(rx.el.label(T["agent.reply_title"], html_for="agent-reply-body"), size="3", as_="h2"),
                rx.spacer(),
                rx.box(
                    rx.select.root(
                        rx.select.trigger(placeholder=T["agent.canned_pick"], custom_attrs=tid("agent-canned"), aria_label=T["agent.canned_pick"]),
                        rx.select.content(rx.foreach(S.canned_responses, lambda o: rx.select.item(o.name, value=o.id))),
                        value="",
                        on_change=S.insert_canned,
                        size="1",
                    ),
                    display=rx.cond(S.canned_responses.length() > 0, "block", "none"),
                ),
                rx.cond(
                    S.canned_responses.length() == 0,
                    rx.text(T["agent.canned_empty"], size="1", color_scheme="gray", custom_attrs=tid("agent-canned-empty")),
                ),
                width="100%",
                align="center",
            ),
            *_body_area("reply", S.reply_body, S.set_reply, rows="5", shortcut="r", resize="vertical"),
            attachment_picker(S, "agent-reply-files", "agent-reply-attachments"),
            form_error(S.form_error),
            rx.hstack(
                rx.text(T["agent.reply_hint"], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.select.root(
                    rx.select.trigger(aria_label=T["agent.then_label"], custom_attrs=tid("agent-reply-then")),
                    rx.select.content(
                        rx.select.item(T["agent.then_keep"], value="keep"),
                        rx.select.item(T["agent.then_pending"], value="pending"),
                        rx.select.item(T["agent.then_solved"], value="solved"),
                    ),
                    name="then_status",
                    default_value="keep",
                    size="2",
                ),
                rx.button(
                    rx.icon("send", size=15),
                    rx.cond(S.stale, T["agent.send_anyway"], T["agent.send_reply"]),
                    type="submit",
                    color_scheme=rx.cond(S.stale, "amber", "indigo"),
                    loading=S.uploading,
                    custom_attrs=tid("agent-reply-submit"),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ), on_submit=S.send_reply, reset_on_submit=False, width="100%"),
        class_name="hd-card",
        padding="1rem",
        width="100%",
    )


def note_box() -> rx.Component:
    return rx.box(
        rx.form(rx.vstack(
            rx.hstack(rx.icon("lock", size=15, color=rx.color("amber", 11)), rx.heading(rx.el.label(T["agent.note_title"], html_for="agent-note-body"), size="3", as_="h2"), spacing="2", align="center"),
            rx.text(T["agent.note_hint"], size="1", color_scheme="gray", id="note-hint"),
            *_body_area("note", S.note_body, S.set_note, rows="3", shortcut="n", hint_id="note-hint"),
            rx.hstack(
                rx.spacer(),
                rx.button(rx.icon("sticky-note", size=15), T["agent.add_note"], type="submit", variant="soft", color_scheme="amber", high_contrast=True, custom_attrs=tid("agent-note-submit")),
                width="100%",
            ),
            spacing="2",
            width="100%",
        ), on_submit=S.send_note, reset_on_submit=False, width="100%"),
        padding="1rem",
        width="100%",
        border_radius="var(--radius-4)",
        background=rx.color("amber", 2),
        border=f"1px dashed {rx.color('amber', 7)}",
    )
