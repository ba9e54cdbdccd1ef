"""The agent ticket page's split control (per customer message) and an admin's undo card for a
merge or split (services/split and services/merge_undo do the work).

Its own State, loaded with the page: the ticket is the route parameter and the message or record
the browser names comes from the client, so each handler re-resolves the caller and the services
re-check everything (staff to split, admin to undo, the message on this ticket). Both actions ask
for confirmation first and act only on what was confirmed.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.infra.db import session_scope
from helpdesk.services import merge_undo, policy, split, tickets
from helpdesk.services.errors import ServiceError
from helpdesk.services.policy import Action
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.agent_ticket.state import AgentTicketState
from helpdesk.web.pages.guard import GuardedState


class MovesState(GuardedState):
    splittable: list[int] = []  # ids of the messages this agent may split off this ticket
    split_open: bool = False
    undo_kind: str = ""  # "merge" | "split" | "": what an admin may undo on this ticket
    undo_role: str = ""  # "source" | "target": which side of it this ticket is
    undo_other: int = 0  # the other ticket's number
    undo_open: bool = False
    undo_confirm_text: str = ""
    _split_message: int = 0
    _undo_id: int = 0

    def _may_enter(self, user) -> bool:
        return policy.user_may(user, Action.STAFF_AREA)

    def _number(self) -> int | None:
        return tickets.parse_number(self.router.page.params.get("id", ""))

    def _clear(self) -> None:
        self.splittable, self.split_open, self._split_message = [], False, 0
        self.undo_kind, self.undo_role, self.undo_other, self.undo_open, self._undo_id = "", "", 0, False, 0

    def _refresh(self, actor) -> None:
        self._clear()
        number = self._number()
        if actor is None or number is None:
            return
        try:
            with session_scope() as s:
                ticket = tickets.get_ticket(s, actor, number)
                self.splittable = split.splittable_ids(s, actor, ticket)
                offer = merge_undo.undoable_for(s, actor, ticket)
        except ServiceError:
            return
        if offer is not None:
            self._undo_id, self.undo_kind = offer.id, offer.kind
            self.undo_role = "source" if offer.source_number == number else "target"
            self.undo_other = offer.target_number if self.undo_role == "source" else offer.source_number

    @rule("staff", why="shows the split control to staff, the undo card only to admins (services decide)")
    @rx.event
    def load(self):
        self._refresh(self._allowed_actor())

    # ------------------------------------------------------------ split

    @rule("staff")
    @rx.event
    def ask_split(self, message_id: int):
        self.split_open, self._split_message = False, 0
        if self._allowed_actor() is None or not isinstance(message_id, int) or message_id not in self.splittable:
            return
        self._split_message, self.split_open = message_id, True

    @rule("staff")
    @rx.event
    def cancel_split(self):
        self.split_open, self._split_message = False, 0

    @rule("staff", why="services/split re-checks the role, the ticket and that the message is the customer's")
    @rx.event
    def confirm_split(self):
        actor, message_id = self._allowed_actor(), self._split_message
        self.split_open, self._split_message = False, 0
        number = self._number()
        if actor is None or not message_id or number is None:
            return
        try:
            with session_scope() as s:
                new_number = split.split(s, actor, number, message_id).number
        except ServiceError as err:
            self._refresh(actor)
            return rx.toast.error(self._error_text(err))
        self._refresh(actor)
        return [rx.toast.success(self._tr("moves.split_done", number=new_number)), AgentTicketState.relocalize]

    # ------------------------------------------------------------ undo (admins)

    @rule("admin")
    @rx.event
    def ask_undo(self):
        self.undo_open = False
        actor = self._allowed_actor(lambda u: policy.user_may(u, Action.UNDO_MERGE))
        if actor is None or not self._undo_id:
            return
        source, target = (self._number(), self.undo_other) if self.undo_role == "source" else (self.undo_other, self._number())
        self.undo_confirm_text = self._tr(f"moves.undo_confirm_{self.undo_kind}", source=source, target=target)
        self.undo_open = True

    @rule("admin")
    @rx.event
    def cancel_undo(self):
        self.undo_open = False

    @rule("admin", why="services/merge_undo re-checks the admin and both tickets, and refuses a second undo")
    @rx.event
    def confirm_undo(self):
        actor = self._allowed_actor(lambda u: policy.user_may(u, Action.UNDO_MERGE))
        record_id, kind, was_open = self._undo_id, self.undo_kind, self.undo_open
        source = self._number() if self.undo_role == "source" else self.undo_other
        self.undo_open = False
        if actor is None or not record_id or not was_open:
            return
        try:
            with session_scope() as s:
                merge_undo.undo(s, actor, record_id)
        except ServiceError as err:
            self._refresh(actor)
            return rx.toast.error(self._error_text(err))
        self._refresh(actor)
        return [rx.toast.success(self._tr(f"moves.undone_{kind}", source=source)), AgentTicketState.relocalize]


M = MovesState


def split_button(message_id) -> rx.Component:
    """On each message the agent may split off (the page's message loop)."""
    return rx.cond(
        M.splittable.contains(message_id),
        rx.button(rx.icon("split", size=13, aria_hidden="true"), T["moves.split_message"], on_click=M.ask_split(message_id),
                  variant="ghost", size="1", color_scheme="gray", high_contrast=True, margin_top="0.5rem",
                  custom_attrs=tid("split-message")),
    )


def _dialog(open_, title, text, yes, on_yes, on_cancel, name: str) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text, size="2", custom_attrs=tid(f"{name}-text")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(T["moves.cancel"], variant="soft", color_scheme="gray", on_click=on_cancel,
                                                 custom_attrs=tid(f"{name}-cancel"))),
                rx.alert_dialog.action(rx.button(yes, color_scheme="red", high_contrast=True, on_click=on_yes, custom_attrs=tid(f"{name}-confirm"))),
                justify="end",
                spacing="2",
                padding_top="1rem",
            ),
            max_width="28rem",
            on_escape_key_down=on_cancel,
        ),
        open=open_,
    )


def split_dialog() -> rx.Component:
    return _dialog(M.split_open, T["moves.split_title"], T["moves.split_confirm"], T["moves.split_yes"],
                   M.confirm_split, M.cancel_split, "split")


def _what() -> rx.Component:
    # Underlined: inside a sentence a link must not be told apart by its colour alone (axe).
    link = rx.link("#", M.undo_other, href="/agent/tickets/" + M.undo_other.to_string(), underline="always",
                   custom_attrs=tid("undo-other"))
    key = rx.match(
        M.undo_kind + "-" + M.undo_role,
        ("merge-source", T["moves.merged_into"]),
        ("merge-target", T["moves.merged_from"]),
        ("split-source", T["moves.split_into"]),
        T["moves.split_from"],
    )
    return rx.text(key, " ", link, size="2")


def undo_card() -> rx.Component:
    """Only for an admin, on either ticket of a merge or split not undone yet."""
    merge = M.undo_kind == "merge"
    return rx.cond(
        M.undo_kind != "",
        rx.box(
            rx.vstack(
                rx.heading(rx.cond(merge, T["moves.merge_heading"], T["moves.split_heading"]), size="3", as_="h2"),
                _what(),
                rx.text(rx.cond(merge, T["moves.undo_merge_hint"], T["moves.undo_split_hint"]), size="1", color_scheme="gray"),
                rx.button(rx.icon("undo-2", size=14, aria_hidden="true"), rx.cond(merge, T["moves.undo_merge"], T["moves.undo_split"]),
                          on_click=M.ask_undo, variant="soft", color_scheme="red", high_contrast=True, size="2", width="100%",
                          custom_attrs={"data-testid": rx.cond(merge, "merge-undo", "split-undo")}),
                spacing="2",
                width="100%",
            ),
            _dialog(M.undo_open, rx.cond(merge, T["moves.undo_merge"], T["moves.undo_split"]), M.undo_confirm_text, T["moves.undo_yes"],
                    M.confirm_undo, M.cancel_undo, "undo"),
            class_name="hd-card",
            padding="1rem",
            width="100%",
            custom_attrs=tid("undo-card"),
        ),
    )
