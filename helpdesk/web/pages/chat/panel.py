"""The chat panel: a launcher in the bottom-right corner of help-center pages that opens the
conversation, and the same conversation as the /chat page (also inside the widget's iframe).

Accessibility: the turns are a `role=log` region with aria-live, so each new bot turn is
announced; the open panel is a labelled dialog that keeps Tab inside it and closes on Escape,
giving focus back to the launcher.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.web.components.altcha import altcha_widget
from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.chat.state import INPUT_ID, LOG_ID, ChatState as S

PANEL_ID = "chat-panel"
# Tab wraps inside the open panel; Escape presses its close button. Installed once per page.
_TRAP_SCRIPT = f"""
(() => {{
  if (window.__hdChatTrap) return; window.__hdChatTrap = true;
  document.addEventListener('keydown', (e) => {{
    const p = document.getElementById('{PANEL_ID}');
    if (!p || !p.contains(document.activeElement) && e.key !== 'Escape') return;
    if (!p) return;
    if (e.key === 'Escape') {{ const c = p.querySelector('[data-chat-close]'); if (c) {{ e.preventDefault(); c.click(); }} return; }}
    if (e.key !== 'Tab') return;
    const f = [...p.querySelectorAll('a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), textarea, [tabindex]:not([tabindex="-1"])')]
      .filter(el => el.offsetParent !== null);
    if (!f.length) return;
    const first = f[0], last = f[f.length - 1];
    if (e.shiftKey && document.activeElement === first) {{ e.preventDefault(); last.focus(); }}
    else if (!e.shiftKey && document.activeElement === last) {{ e.preventDefault(); first.focus(); }}
  }});
}})()
"""


_SR_STYLE = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
             "clip": "rect(0 0 0 0)", "white_space": "nowrap"}


def _sr(text) -> rx.Component:
    """Read by screen readers only: who said the turn."""
    return rx.el.span(text, ": ", style=_SR_STYLE)


def _turn(turn) -> rx.Component:
    return rx.cond(
        turn.bot,
        rx.box(
            _sr(T["chat.bot"]),
            rx.text(turn.text, size="2"),
            rx.cond(
                turn.articles.length() > 0,
                rx.vstack(
                    rx.foreach(
                        turn.articles,
                        lambda a: rx.link(
                            rx.hstack(rx.icon("book-open", size=14, aria_hidden="true"), rx.text(a.title, size="2"),
                                      spacing="1", align="center"),
                            href="/articles/" + a.slug,
                            is_external=True,
                            on_click=S.opened(a.slug),
                            custom_attrs=tid("chat-suggestion"),
                        ),
                    ),
                    spacing="1",
                    padding_top="0.4rem",
                ),
            ),
            background=rx.color("gray", 3),
            border_radius="12px 12px 12px 2px",
            padding="0.5rem 0.75rem",
            max_width="88%",
            align_self="flex-start",
            custom_attrs=tid("chat-bot-message"),
        ),
        rx.box(
            _sr(T["chat.you"]),
            rx.text(turn.text, size="2", white_space="pre-wrap"),
            background=rx.color("accent", 4),
            border_radius="12px 12px 2px 12px",
            padding="0.5rem 0.75rem",
            max_width="88%",
            align_self="flex-end",
            custom_attrs=tid("chat-user-message"),
        ),
    )


def _files() -> rx.Component:
    return rx.vstack(
        rx.upload(
            rx.hstack(rx.icon("paperclip", size=16, aria_hidden="true"), rx.text(T["upload.drop"], size="2"),
                      spacing="2", align="center"),
            id="chat-upload",
            multiple=True,
            on_drop=S.chat_files(rx.upload_files(upload_id="chat-upload")),
            padding="0.6rem",
            border="2px dashed var(--gray-a7)",
            width="100%",
            aria_label=T["upload.drop"],
            custom_attrs=tid("chat-attachments"),
        ),
        rx.foreach(
            S.files,
            lambda f: rx.badge(
                rx.icon("file", size=12, aria_hidden="true"), f.name, f.size,
                rx.icon_button(rx.icon("x", size=12), size="1", variant="ghost", type="button",
                               on_click=S.drop_file(f.index), aria_label=T["upload.remove"]),
                variant="surface", custom_attrs=tid("chat-file"),
            ),
        ),
        width="100%",
        spacing="1",
    )


def _options() -> rx.Component:
    return rx.flex(
        rx.foreach(
            S.options,
            lambda o: rx.button(o.label, on_click=S.choose(o.value), variant="soft", size="2", type="button",
                                white_space="normal", height="auto", min_height="2rem", padding_y="0.3rem",
                                custom_attrs=tid("chat-option")),
        ),
        wrap="wrap",
        gap="2",
    )


def _created() -> rx.Component:
    return rx.vstack(
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check")),
            rx.vstack(
                rx.text(T["chat.ticket_title"], weight="bold", size="2"),
                rx.text(S.ticket_id, size="4", weight="bold", custom_attrs=tid("ticket-created-id")),
                rx.text(S.ticket_due, size="2"),
                rx.link(T["chat.ticket_link"], href=S.ticket_link, is_external=S.embed, size="2",
                        custom_attrs=tid("chat-ticket-link")),
                spacing="1",
            ),
            color_scheme="green",
            width="100%",
            custom_attrs=tid("chat-ticket-created"),
        ),
        _callback(),
        width="100%",
        spacing="2",
    )


def _callback() -> rx.Component:
    return rx.cond(
        S.callback_requested != "",
        rx.text(S.callback_requested, size="2", role="status", custom_attrs=tid("callback-requested")),
        rx.cond(
            S.callback_open,
            rx.form(
                rx.vstack(
                    rx.text(T["callback.title"], size="2", weight="medium"),
                    rx.text(T["callback.hint"], size="1", color=rx.color("gray", 11)),
                    rx.hstack(
                        rx.input(name="phone", type="tel", auto_complete="tel", placeholder="600 123 456",
                                 aria_label=T["callback.phone_label"], custom_attrs=tid("callback-phone"), flex="1"),
                        rx.button(T["callback.submit"], type="submit", size="2", custom_attrs=tid("callback-submit")),
                        width="100%",
                    ),
                    rx.cond(S.callback_error != "", rx.text(S.callback_error, color_scheme="red", size="2",
                                                            role="alert", custom_attrs=tid("field-error-phone"))),
                    spacing="1",
                    width="100%",
                ),
                on_submit=S.request_callback,
                width="100%",
            ),
            rx.text(S.callback_notice, size="2", color=rx.color("gray", 11), custom_attrs=tid("hours-notice")),
        ),
    )


def _composer() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(S.kind == "confirm", altcha_widget(S.locale, testid="captcha")),
            rx.hstack(
                rx.cond(
                    S.kind == "text",
                    rx.input(id=INPUT_ID, name="text", flex="1", size="2", auto_complete="off",
                             aria_label=T["chat.input_label"], placeholder=T["chat.input_label"],
                             custom_attrs=tid("chat-input")),
                ),
                rx.cond(
                    (S.kind == "text") | (S.kind == "confirm"),
                    rx.button(rx.cond(S.kind == "confirm", T["chat.open_ticket"], T["chat.send"]),
                              rx.icon("send", size=14, aria_hidden="true"), type="submit", size="2",
                              loading=S.busy, custom_attrs=tid("chat-send")),
                ),
                width="100%",
            ),
            width="100%",
            spacing="2",
        ),
        on_submit=S.send,
        width="100%",
    )


def chat_body() -> rx.Component:
    """The conversation: turns, the current step's input, errors, the outcome."""
    return rx.vstack(
        rx.box(
            rx.cond(
                S.loaded,
                rx.vstack(rx.foreach(S.turns, _turn), spacing="2", width="100%"),
                rx.text(T["chat.loading"], size="2", color=rx.color("gray", 11)),
            ),
            id=LOG_ID,
            role="log",
            aria_live="polite",
            aria_label=T["chat.title"],
            tab_index=0,
            flex="1",
            overflow_y="auto",
            width="100%",
            padding="0.25rem",
        ),
        rx.cond(S.error != "", rx.text(S.error, color_scheme="red", size="2", role="alert",
                                        custom_attrs=tid("chat-error"))),
        rx.cond(S.kind == "upload", _files()),
        rx.cond(S.kind != "done", _options()),
        _composer(),
        rx.cond(S.ticket_id != "", _created()),
        rx.cond(S.kind == "done",
                rx.button(rx.icon("rotate-ccw", size=14, aria_hidden="true"), T["chat.restart"], variant="ghost",
                          size="2", type="button", on_click=S.restart, custom_attrs=tid("chat-restart"))),
        width="100%",
        flex="1",
        min_height="0",
        spacing="2",
    )


def _header(closable: bool) -> rx.Component:
    return rx.hstack(
        rx.hstack(rx.icon("message-circle", size=18, aria_hidden="true"),
                  rx.heading(T["chat.title"], size="3", as_="h2", id="chat-title"), spacing="2", align="center"),
        rx.spacer(),
        rx.cond(closable, rx.icon_button(rx.icon("x", size=16), variant="ghost", size="2", type="button",
                                         on_click=S.close, aria_label=T["chat.close"],
                                         custom_attrs={"data-chat-close": "1", "data-testid": "chat-close"})),
        width="100%",
        align="center",
    )


def chat_widget() -> rx.Component:
    """Launcher and floating panel for help-center pages."""
    return rx.fragment(
        rx.cond(
            S.is_open,
            rx.box(
                _header(True),
                chat_body(),
                id=PANEL_ID,
                role="dialog",
                aria_labelledby="chat-title",
                position="fixed",
                bottom=rx.breakpoints(initial="0", sm="5.5rem"),
                right=rx.breakpoints(initial="0", sm="1.5rem"),
                width=rx.breakpoints(initial="100vw", sm="24rem"),
                height=rx.breakpoints(initial="85vh", sm="34rem"),
                max_height="calc(100vh - 6rem)",
                background="var(--color-panel-solid)",
                border="1px solid var(--gray-a6)",
                border_radius=rx.breakpoints(initial="12px 12px 0 0", sm="12px"),
                box_shadow="0 12px 32px rgba(0,0,0,0.18)",
                padding="0.75rem",
                display="flex",
                flex_direction="column",
                gap="0.5rem",
                z_index="50",
                custom_attrs=tid("chat-panel"),
            ),
        ),
        rx.icon_button(
            rx.cond(S.is_open, rx.icon("x", size=22), rx.icon("message-circle", size=22)),
            on_click=S.toggle,
            size="4",
            radius="full",
            position="fixed",
            bottom="1.5rem",
            right="1.5rem",
            z_index="49",
            box_shadow="0 6px 18px rgba(0,0,0,0.2)",
            display=rx.cond(S.is_open, rx.breakpoints(initial="none", sm="flex"), "flex"),
            aria_label=rx.cond(S.is_open, T["chat.close"], T["chat.open"]),
            aria_expanded=rx.cond(S.is_open, "true", "false"),
            custom_attrs=tid("chat-launcher"),
        ),
        rx.box(on_mount=[S.page_mounted, rx.call_script(_TRAP_SCRIPT)], display="none"),
    )


def chat_page_body() -> rx.Component:
    """The /chat page: the conversation filling the page (embed=1: no header, in an iframe)."""
    return rx.box(
        _header(S.embed),
        chat_body(),
        id=PANEL_ID,
        role="region",
        aria_labelledby="chat-title",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
        height=rx.cond(S.embed, "100vh", "calc(100vh - 12rem)"),
        min_height="28rem",
        padding="0.75rem",
        background="var(--color-panel-solid)",
        border=rx.cond(S.embed, "none", "1px solid var(--gray-a6)"),
        border_radius="12px",
        custom_attrs=tid("chat-panel"),
        on_mount=rx.call_script(_TRAP_SCRIPT),
    )
