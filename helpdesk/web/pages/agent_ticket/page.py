from __future__ import annotations

import reflex as rx

from helpdesk.web import routes
from helpdesk.web.components.attachments import attachment_list
from helpdesk.web.components.layout import shell
from helpdesk.web.components.ui import T, access_denied, empty_state, loading_block, tid
from helpdesk.web.pages.agent.widgets import choice, priority_badge, sla_badge, status_badge, subnav
from helpdesk.web.pages.agent_ticket.compose import note_box, reply_box
from helpdesk.web.pages.agent_ticket.kb_draft import kb_draft_card
from helpdesk.web.pages.agent_ticket.mail_warning import mail_warning
from helpdesk.web.pages.agent_ticket.merge import merge_card
from helpdesk.web.pages.agent_ticket.moves import split_button, split_dialog, undo_card
from helpdesk.web.pages.agent_ticket.promises import clock_paused
from helpdesk.web.pages.agent_ticket.state import NOBODY, AgentTicketState
from helpdesk.web.pages.agent_ticket.views import EventView, MessageView, OtherTicketView, ViewerView

S = AgentTicketState
STATUSES = ("new", "open", "pending", "solved", "closed")
PRIORITIES = ("low", "medium", "high", "urgent")
CATEGORIES = ("consulta", "peticion", "anomalia")


def _message(m: MessageView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.avatar(fallback=m.author[:1], size="2", radius="full", color_scheme=rx.cond(m.from_staff, "indigo", "gray")),
            rx.text(m.author, weight="bold", size="2"),
            rx.cond(
                m.internal,
                rx.badge(rx.icon("lock", size=12), T["agent.internal_note"], color_scheme="amber", variant="solid", custom_attrs=tid("internal-note-badge")),
                rx.cond(m.from_staff, rx.badge(T["agent.from_agent"], color_scheme="indigo", variant="soft", high_contrast=True)),
            ),
            rx.spacer(),
            rx.text(m.at, size="1", color_scheme="gray", title=m.at_full),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.text(m.body, size="2", white_space="pre-wrap", overflow_wrap="anywhere", margin_top="0.5rem"),
        attachment_list(m.attachments),
        split_button(m.id),
        rx.cond(
            m.eml_url != "",
            rx.link(rx.icon("mail", size=13, aria_hidden="true"), T["agent.original_mail"], href=m.eml_url, size="1",
                    color_scheme="gray", display="inline-flex", align_items="center", gap="0.3rem", margin_top="0.4rem",
                    custom_attrs=tid("message-original-eml")),
        ),
        padding="0.9rem 1rem",
        border_radius="var(--radius-4)",
        border=rx.cond(m.internal, f"1px dashed {rx.color('amber', 8)}", f"1px solid {rx.color('gray', 5)}"),
        background=rx.cond(m.internal, rx.color("amber", 3), rx.cond(m.from_staff, rx.color("indigo", 2), rx.color("gray", 1))),
        width="100%",
        custom_attrs={"data-testid": "ticket-message", "data-internal": rx.cond(m.internal, "true", "false")},
    )


def _viewer(v: ViewerView) -> rx.Component:
    return rx.badge(
        rx.icon(rx.cond(v.typing, "pencil", "eye"), size=12, aria_hidden="true"),
        v.name,
        rx.cond(v.typing, rx.text.span(" · ", T["agent.typing"], custom_attrs=tid("presence-typing"))),
        color_scheme=rx.cond(v.typing, "amber", "blue"),
        variant="soft",
        radius="full",
        high_contrast=True,
        custom_attrs=tid("presence-viewer"),
    )


def _presence() -> rx.Component:
    return rx.cond(
        S.viewers.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("users")),
            rx.callout.text(
                rx.hstack(rx.text(T["agent.also_here"], size="2"), rx.foreach(S.viewers, _viewer), spacing="2", wrap="wrap", align="center"),
            ),
            color_scheme="blue",
            size="1",
            width="100%",
            custom_attrs=tid("presence"),
            role="status",
        ),
    )


def _due() -> rx.Component:
    return rx.cond(
        S.due != "",
        rx.hstack(
            rx.icon(rx.cond(S.sla_state == "paused", "pause", "alarm-clock"), size=15, aria_hidden="true"),
            rx.text(
                T["agent.due_on"], " ", S.due,
                rx.match(
                    S.sla_state,
                    ("paused", rx.text.span(" · ", T["agent.sla_paused"])),
                    # Once solved, "in 3 days" would read as a pending promise: say how it ended.
                    ("met", rx.text.span(" · ", T["agent.sla.met"])),
                    rx.cond(
                        (S.status == "solved") | (S.status == "closed"),
                        rx.fragment(),
                        rx.text.span(" (", S.due_rel, ")"),
                    ),
                ),
                size="2",
                title=S.due,
            ),
            sla_badge(S.sla_state),
            spacing="2",
            align="center",
            wrap="wrap",
            custom_attrs=tid("ticket-due"),
        ),
    )


def _first_response() -> rx.Component:
    """The first-answer target the customer was promised, beside the resolution one."""
    return rx.cond(
        (S.first_due != "") | (S.first_answered != ""),
        rx.hstack(
            rx.icon("message-square-reply", size=15, aria_hidden="true"),
            rx.cond(
                S.first_due != "",
                rx.text(T["agent.first_due_on"], " ", S.first_due, " (", S.first_due_rel, ")", size="2"),
                rx.text(T["agent.first_answered"], " ", S.first_answered, size="2", color_scheme="gray"),
            ),
            spacing="2",
            align="center",
            custom_attrs=tid("ticket-first-response-due"),
        ),
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text(T["agent.back_to_queue"], size="2"), spacing="1", align="center"), href=routes.AGENT),
        rx.hstack(
            rx.heading(rx.text.span("#", S.number, color=rx.color("gray", 10)), " ", S.subject, size="6", as_="h1"),
            width="100%",
        ),
        rx.hstack(
            status_badge(S.status, "ticket-status"),
            priority_badge(S.priority, "ticket-priority"),
            rx.text(T["agent.opened"], " ", rx.text.span(S.created, title=S.created_full), size="2", color_scheme="gray"),
            rx.cond(S.service != "", rx.badge(rx.icon("layers", size=12, aria_hidden="true"), S.service, variant="outline", color_scheme="gray",
                                              high_contrast=True, custom_attrs=tid("agent-service"))),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        _first_response(),
        _due(),
        clock_paused(),
        spacing="2",
        width="100%",
    )


def _field(label, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", weight="medium", color_scheme="gray"), control, spacing="1", width="100%")


def _solve() -> rx.Component:
    """Solve in one step, keyboard `s` included, after a confirmation."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("circle-check", size=15, aria_hidden="true"),
                T["a11y.solve"],
                color_scheme="green",
                variant="soft",
                high_contrast=True,
                width="100%",
                disabled=(S.status == "solved") | (S.status == "closed"),
                aria_keyshortcuts="s",
                custom_attrs=tid("agent-solve"),
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T["a11y.solve_title"]),
            rx.alert_dialog.description(T["a11y.solve_body"], size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(T["common.cancel"], variant="soft", color_scheme="gray", custom_attrs=tid("agent-solve-cancel"))),
                rx.alert_dialog.action(
                    rx.button(T["a11y.solve_confirm"], color_scheme="green", high_contrast=True, on_click=S.set_status("solved"), custom_attrs=tid("agent-solve-confirm"))
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
    )


def _properties() -> rx.Component:
    return rx.box(
        rx.vstack(
            _solve(),
            _field(T["agent.field.status"], choice("agent-status", S.status, S.set_status, [(s, T[f"agent.status.{s}"]) for s in STATUSES], label=T["agent.field.status"])),
            _field(
                T["agent.field.priority"],
                # Untriaged tickets say so, like the badge (their clock runs on the default target);
                # the "none" option exists only then, as one cannot go back to no priority.
                choice("agent-priority", rx.cond(S.priority == "", "none", S.priority), S.set_priority, [(p, T[f"priority.{p}"]) for p in PRIORITIES],
                       dynamic=S.unset_priority_option, label=T["agent.field.priority"]),
            ),
            _field(T["agent.field.category"], choice("agent-category", S.category, S.set_category, [(c, T[f"category.{c}"]) for c in CATEGORIES], label=T["agent.field.category"])),
            _field(
                T["agent.field.assignee"],
                rx.vstack(
                    choice("agent-assignee", S.assignee, S.set_assignee, [(NOBODY, T["agent.nobody"])], dynamic=S.agents, label=T["agent.field.assignee"]),
                    rx.button(rx.icon(rx.cond(S.mine, "check", "hand"), size=14), rx.cond(S.mine, T["agent.assigned_to_you"], T["agent.assign_me"]),
                              on_click=S.assign_me, disabled=S.mine, variant="soft", size="2", width="100%", custom_attrs=tid("agent-assign-me")),
                    spacing="2",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        class_name="hd-card",
        padding="1rem",
        width="100%",
    )


def _other(o: OtherTicketView) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.text("#", o.number, size="1", color_scheme="gray"),
            rx.text(o.subject, size="2", flex="1", overflow="hidden", text_overflow="ellipsis", white_space="nowrap"),
            status_badge(o.status),
            spacing="2",
            align="center",
            width="100%",
        ),
        href="/agent/tickets/" + o.number.to_string(),
        underline="none",
        color="inherit",
        width="100%",
    )


def _event(e: EventView) -> rx.Component:
    return rx.hstack(
        rx.box(width="6px", height="6px", border_radius="50%", background=rx.color("gray", 8), margin_top="0.45rem", flex_shrink="0"),
        rx.vstack(rx.text(e.text, size="1"), rx.text(e.at, size="1", color_scheme="gray", title=e.at_full), spacing="0"),
        spacing="2",
        align="start",
    )


def _requester() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(T["agent.requester"], size="2", as_="h2"),
            rx.hstack(
                rx.avatar(fallback=S.requester_name[:1], size="3", radius="full"),
                rx.vstack(
                    rx.text(S.requester_name, weight="bold", size="2", overflow_wrap="anywhere"),
                    rx.text(S.requester_email, size="1", color_scheme="gray", overflow_wrap="anywhere"),
                    spacing="0",
                    min_width="0",
                ),
                spacing="2",
                align="center",
            ),
            rx.cond(S.organization != "", rx.hstack(rx.icon("building-2", size=14), rx.text(S.organization, size="2"), spacing="1", align="center")),
            rx.separator(size="4"),
            rx.text(T["agent.other_tickets"], size="1", weight="medium", color_scheme="gray"),
            rx.cond(
                S.other_tickets.length() > 0,
                rx.vstack(rx.foreach(S.other_tickets, _other), spacing="2", width="100%"),
                rx.text(T["agent.no_other_tickets"], size="1", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        class_name="hd-card",
        padding="1rem",
        width="100%",
    )


def _history() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(T["agent.history"], size="2", as_="h2"),
            rx.vstack(rx.foreach(S.events, _event), spacing="2", width="100%"),
            spacing="2",
            width="100%",
        ),
        class_name="hd-card",
        padding="1rem",
        width="100%",
        custom_attrs=tid("ticket-history"),
    )


def _csat() -> rx.Component:
    """The customer's satisfaction answer, where the agent works (not only in the history)."""
    good = S.csat_rating == "good"
    return rx.cond(
        S.csat_rating != "",
        rx.callout.root(
            rx.callout.icon(rx.icon(rx.cond(good, "thumbs-up", "thumbs-down"), size=16)),
            rx.callout.text(
                rx.text.strong(T["agent.csat_title"], ": ", T["agent.csat." + S.csat_rating]),
                rx.cond(S.csat_comment != "", rx.text.span(" — «", S.csat_comment, "»"), rx.text.span(" — ", T["agent.csat_none"])),
            ),
            color_scheme=rx.cond(good, "green", "red"),
            variant="surface",
            high_contrast=True,
            size="1",
            width="100%",
            custom_attrs=tid("agent-csat"),
        ),
    )


def _content() -> rx.Component:
    return rx.vstack(
        subnav("queue"),
        _header(),
        _csat(),
        _presence(),
        rx.grid(
            rx.vstack(
                mail_warning(),
                rx.vstack(rx.foreach(S.messages, _message), spacing="3", width="100%", role="log", aria_label=T["agent.conversation"]),
                split_dialog(),
                reply_box(),
                note_box(),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            rx.vstack(_properties(), _requester(), _history(), kb_draft_card((S.status == "solved") | (S.status == "closed")),
                      undo_card(), merge_card(S.status == "closed"), spacing="4", width="100%", min_width="0"),
            grid_template_columns=["minmax(0,1fr)", "minmax(0,1fr)", "minmax(0,1fr) 19rem"],
            gap="1.25rem",
            width="100%",
        ),
        spacing="4",
        width="100%",
        on_unmount=S.stop_watch,
    )


def agent_ticket_page() -> rx.Component:
    return shell(
        rx.match(
            S.access,
            ("ok", _content()),
            ("denied", access_denied()),
            ("missing", empty_state("search-x", T["agent.ticket_missing_title"], T["agent.ticket_missing_body"], rx.link(rx.button(T["agent.back_to_queue"], variant="soft"), href=routes.AGENT))),
            loading_block(),
        )
    )
