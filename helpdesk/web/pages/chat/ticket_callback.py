"""The call-back offer on the customer's ticket page (/tickets/[id]).

A sub-state of the ticket page's State: it reuses that page's access decision (session or
signed link), re-checked on every call through `_viewer`, and keeps nothing of the ticket.
"""

from __future__ import annotations

import reflex as rx

from helpdesk import i18n
from helpdesk.domain.tickets import TicketStatus
from helpdesk.infra.db import session_scope
from helpdesk.services import callbacks, tickets
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web.access import rule
from helpdesk.web.components.ui import T, tid
from helpdesk.web.pages.ticket.state import TicketState

_OPEN = {s.value for s in TicketStatus if s.is_open}


class TicketCallbackState(TicketState):
    cb_ready: bool = False
    cb_open_now: bool = False
    cb_notice: str = ""
    cb_requested: str = ""
    cb_error: str = ""

    def _cb_ticket(self, s):
        viewer = self._viewer(s)
        ticket = tickets.get_ticket(s, viewer, self._number)
        if viewer is None or viewer.id != ticket.requester_id or ticket.status not in _OPEN:
            raise ServiceError("callback.not_found")
        return viewer, ticket

    def _cb_show(self, s, ticket) -> None:
        avail = callbacks.availability(s)
        self.cb_open_now = avail.open_now
        if avail.open_now:
            self.cb_notice = ""
        elif avail.resumes_at is None:
            self.cb_notice = self._tr("callback.closed_nohours")
        else:
            self.cb_notice = self._tr("callback.closed", date=i18n.full_datetime(avail.resumes_at, self.locale))
        pending = callbacks.pending_for_ticket(s, ticket.id)
        self.cb_requested = self._tr("callback.requested", phone=pending.phone) if pending else ""
        self.cb_ready = True

    @rule("owner")
    @rx.event
    def load_callback(self):
        self.cb_ready, self.cb_error = False, ""
        try:
            with session_scope() as s:
                _, ticket = self._cb_ticket(s)
                self._cb_show(s, ticket)
        except ServiceError:
            self.cb_ready = False

    @rule("owner")
    @rx.event
    def request_callback(self, form: dict):
        phone = form.get("phone", "") if isinstance(form, dict) else ""
        self.cb_error = ""
        try:
            with session_scope() as s:
                viewer, ticket = self._cb_ticket(s)
                callbacks.request(s, viewer, ticket, phone)
                self._cb_show(s, ticket)
        except ValidationError as err:
            self.cb_error = " ".join(self._tr(k) for k in err.errors.values())
        except ServiceError as err:
            self.cb_error = self._error_text(err)


S = TicketCallbackState


def ticket_callback_box() -> rx.Component:
    return rx.box(
        rx.cond(
            S.cb_ready,
            rx.card(
                rx.vstack(
                    rx.hstack(rx.icon("phone", size=16, aria_hidden="true"),
                              rx.heading(T["callback.title"], size="3", as_="h2"), align="center", spacing="2"),
                    rx.cond(
                        S.cb_requested != "",
                        rx.text(S.cb_requested, size="2", role="status", custom_attrs=tid("callback-requested")),
                        rx.cond(
                            S.cb_open_now,
                            rx.form(
                                rx.vstack(
                                    rx.text(T["callback.hint"], size="2", color=rx.color("gray", 11)),
                                    rx.hstack(
                                        rx.input(name="phone", type="tel", auto_complete="tel", placeholder="600 123 456",
                                                 aria_label=T["callback.phone_label"], flex="1",
                                                 custom_attrs=tid("callback-phone")),
                                        rx.button(T["callback.submit"], type="submit", custom_attrs=tid("callback-submit")),
                                        width="100%",
                                    ),
                                    rx.cond(S.cb_error != "", rx.text(S.cb_error, color_scheme="red", size="2",
                                                                       role="alert", custom_attrs=tid("field-error-phone"))),
                                    width="100%",
                                    spacing="2",
                                ),
                                on_submit=S.request_callback,
                                width="100%",
                            ),
                            rx.text(S.cb_notice, size="2", color=rx.color("gray", 11), custom_attrs=tid("hours-notice")),
                        ),
                    ),
                    width="100%",
                    spacing="2",
                ),
                width="100%",
                custom_attrs=tid("callback-box"),
            ),
        ),
        width="100%",
        on_mount=S.load_callback,
    )
