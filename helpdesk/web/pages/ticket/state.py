"""One ticket as its requester (or org admin, CC, agent, e-mailed link holder) sees it.

Handlers take no ticket id: the ticket is the one verified at load (`_number`), and every
handler asks the ticket service again with the current identity, so a forged event can neither
name another ticket nor outlive a lost right (sign-out, removed CC).
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Optional
from urllib.parse import quote

import reflex as rx

from helpdesk import i18n
from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.tickets import TicketStatus
from helpdesk.infra import bus
from helpdesk.infra.db import session_scope
from helpdesk.services import accounts, attachments, csat, links, pause_notice, principals, ticket_links, ticket_reads, tickets
from helpdesk.services.errors import NotFound, ServiceError, ValidationError
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule, rules_for
from helpdesk.web.components.attachments import AttachmentView, by_message
from helpdesk.web.components.upload import UploadMixin
from helpdesk.web.pages.guard import GuardedState
from helpdesk.web.pages.ticket.live import WATCH_IDLE_CHECK_S, WATCH_MAX_S, _route_number, _tab_connected
from helpdesk.web.pages.ticket.views import MessageView


@rules_for(receive_files="owner", remove_file="owner", upload_progressed="owner")  # UploadMixin's handlers
class TicketState(UploadMixin, GuardedState):
    _number: int = 0
    _ticket_id: int = 0
    _via: str = ""  # "session" or "link"
    _link_email: str = ""
    _link_token: str = ""
    _csat_token: str = ""
    _gen: int = 0
    _watching: int = 0
    _ticket: dict = {}
    _messages: list[dict] = []

    loaded: bool = False
    link_mode: bool = False
    can_reply: bool = False
    can_reopen: bool = False
    can_add_cc: bool = False
    is_requester: bool = False
    ccs: list[str] = []
    reply_error: str = ""
    reply_busy: bool = False
    cc_error: str = ""
    csat_state: str = ""  # "" (no survey), "ask", "thanks"
    csat_rating: str = ""
    csat_comment: str = ""
    csat_error: str = ""
    notice: str = ""

    # ------------------------------------------------------------ views (follow the language)

    @rx.var
    def ticket(self) -> dict[str, str]:
        t, loc = self._ticket, self.locale
        if not t:
            return {}
        status = t["status"]
        open_ = status in (s.value for s in TicketStatus if s.is_open)
        promise = ""
        if open_ and status != TicketStatus.PENDING.value:
            if t["first_response_at"] is None and t["first_response_due_at"] is not None:
                promise = i18n.translate("customer.sla_first", loc, date=i18n.full_datetime(t["first_response_due_at"], loc))
            elif t["due_at"] is not None:
                promise = i18n.translate("customer.sla_due", loc, date=i18n.full_datetime(t["due_at"], loc))
        return {
            "number": str(t["number"]),
            "public_id": f"#{t['number']}",
            "subject": t["subject"],
            "status": status,
            "status_label": i18n.translate(f"status.{status}", loc),
            "group_label": i18n.translate("status.group_open" if open_ else "status.group_closed", loc),
            "priority_label": i18n.translate(f"priority.{t['priority'] or 'none'}", loc),
            "category_label": i18n.translate(f"category.{t['category']}", loc),
            "requester": t["requester"],
            "created": i18n.relative_time(t["created_at"], loc),
            "created_full": i18n.full_datetime(t["created_at"], loc),
            "activity": i18n.relative_time(t["last_activity_at"], loc),
            "activity_full": i18n.full_datetime(t["last_activity_at"], loc),
            "promise": promise,
            "paused": pause_notice.describe(t.get("pause"), loc),
            "follow_up_of": str(t["follow_up_of"] or ""),
        }

    @rx.var
    def messages(self) -> list[MessageView]:
        loc = self.locale
        now = datetime.now().astimezone()
        return [
            MessageView(
                id=m["id"],
                author=m["author"] or i18n.translate("customer.role_support" if m["from_support"] else "customer.someone", loc),
                role=i18n.translate("customer.role_support" if m["from_support"] else "customer.role_customer", loc),
                from_support=m["from_support"],
                body=m["body"],
                created=i18n.relative_time(m["created_at"], loc, now),
                created_full=i18n.full_datetime(m["created_at"], loc),
                attachments=[AttachmentView(**a) for a in m["attachments"]],
            )
            for m in self._messages
        ]

    # ------------------------------------------------------------ identity and loading

    def _viewer(self, s) -> Optional[User]:
        if not self._number:
            return None
        if self._via == "session":
            return accounts.user_for_token(s, self.token)
        if self._via == "link":
            return ticket_links.viewer(s, self._number, self._link_email)
        return None

    def _drop(self) -> None:
        """Access is gone (signed out, CC removed): keep nothing of the ticket."""
        self._ticket, self._messages, self.ccs = {}, [], []
        self.can_reply = self.can_reopen = self.can_add_cc = self.is_requester = False
        self.csat_state = ""
        self.access = "denied"

    def _reload(self) -> bool:
        with session_scope() as s:
            view = ticket_reads.customer_view(s, self._viewer(s), self._number)
        if view is None:
            self._drop()
            return False
        ticket, people, files_of = view.ticket, view.people, by_message(view.files)
        self._messages = [
            {
                "id": m.id,
                "author": people[m.author_id].name if m.author_id in people else "",
                # No author: the help desk itself wrote it (fair use, a returned urgent unit).
                "from_support": m.author_id is None or bool(m.author_id in people and people[m.author_id].is_staff),
                "body": m.body,
                "created_at": m.created_at,
                "attachments": files_of.get(m.id, []),
            }
            for m in view.messages
        ]
        requester = people.get(ticket.requester_id)
        self._ticket = {
            "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
            "priority": ticket.priority, "category": ticket.category,
            "requester": requester.name if requester else "",
            "created_at": ticket.created_at, "last_activity_at": ticket.last_activity_at,
            "first_response_at": ticket.first_response_at,
            "first_response_due_at": ticket.first_response_due_at, "due_at": ticket.due_at,
            "follow_up_of": view.follow_up_of,
            "pause": view.pause,
        }
        self._ticket_id, self.ccs = ticket.id, view.ccs
        status = ticket.status_enum
        self.can_reply = view.may_write and status is not TicketStatus.CLOSED
        self.can_reopen = view.may_write and status in (TicketStatus.SOLVED, TicketStatus.CLOSED)
        self.can_add_cc = view.may_write
        self.is_requester = view.is_requester
        if view.survey is None:
            self.csat_state = ""
        else:
            self.csat_state = "thanks" if view.survey.rating else "ask"
            self.csat_rating = view.survey.rating
            self.csat_comment = view.survey.comment
        self.loaded = True
        return True

    @rule("owner")
    @rx.event
    def relocalize(self):
        """The language switched: history, dates and labels are made here, redraw them."""
        if self._number:
            self._reload()

    @rule("owner")
    @rx.event
    def load(self):
        generation = self._gen + 1
        self.reset()
        # `access` lives on GuardedState, shared by every guarded page: reset() leaves it alone.
        self.access = ""
        self._gen = generation
        user = self._refresh_identity()
        number = _route_number(self.router.url.path)
        query = self.router.url.query_parameters
        link_token = str(query.get("k", ""))[:2048]
        csat_token = str(query.get("csat", ""))[:2048]
        via, email, token_used = "", "", ""
        if number is not None:
            with session_scope() as s:  # the caller, resolved once: session, e-mailed link or nobody
                via, email, token_used = principals.ticket_page_access(s, user, number, link_token, csat_token)
        if not via:
            if user is None:
                target = self.router.url.path or routes.MY_TICKETS
                return rx.redirect(f"{routes.LOGIN}?next={quote(target, safe='')}")
            self.access = "denied"
            return
        self.access = "ok"
        self._via, self._number = via, number
        self._link_email = email if via == "link" else ""
        self._link_token = token_used if via == "link" else ""
        self.link_mode = via == "link"
        csat_data = links.verify_csat_token(csat_token) if csat_token else None
        if csat_data is not None and csat_data[0] == number:
            self._csat_token = csat_token
        if not self._reload():
            return
        events: list = []
        if self._csat_token:
            events.extend(self._one_click_rating(str(query.get("rating", ""))) or [])
        if via == "link":
            body = json.dumps({"k": token_used, "n": number})
            events.append(rx.call_script(
                "fetch('/api/ticket-link', {method: 'POST', credentials: 'same-origin', "
                f"headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(body)}}})"
            ))
        events.append(TicketState.watch)
        return events

    def _one_click_rating(self, rating: str):
        if rating not in csat.RATINGS:
            return None
        try:
            with session_scope() as s:
                csat.rate_with_token(s, self._csat_token, rating)
        except ServiceError as err:
            if err.code != "customer.csat_already":
                self.csat_error = self._error_text(err)
                return None
        self._reload()
        if self.csat_state == "":
            # The survey belongs to the requester; a CC holding the link still gets its thanks.
            self.csat_state = "thanks"
            self.csat_rating = rating
        return None

    # ------------------------------------------------------------ live updates

    @rule("owner")
    @rx.event(background=True)
    async def watch(self):
        """Follow this ticket's change topic and reload on each change (no polling)."""
        async with self:
            generation, ticket_id = self._gen, self._ticket_id
            if not ticket_id or self.access != "ok" or self._watching == generation:
                return  # nothing to watch, or this view already has its watcher
            self._watching = generation
            client_token = self.router.session.client_token
        started = time.monotonic()
        changes = bus.subscribe(bus.ticket_topic(ticket_id))
        pending: Optional[asyncio.Task] = None
        try:
            while time.monotonic() - started < WATCH_MAX_S:
                if pending is None:
                    pending = asyncio.ensure_future(changes.__anext__())
                done, _ = await asyncio.wait({pending}, timeout=WATCH_IDLE_CHECK_S)
                changed = bool(done)
                if changed:
                    pending.result()
                    pending = None
                    # A burst (reply + status change) needs only one reload.
                    await asyncio.sleep(0.15)
                async with self:
                    if self._gen != generation or _route_number(self.router.url.path) != self._number:
                        return
                    if changed and not self._reload():
                        return
                if not changed and not _tab_connected(client_token):
                    return
        finally:
            await bus.stop_reading(changes, pending)

    # ------------------------------------------------------------ uploads (UploadMixin hooks)

    def _upload_allowed(self) -> bool:
        return self.can_reply and self._check_viewer() is not None

    def _ticket_bytes_used(self) -> int:
        with session_scope() as s:
            return attachments.ticket_bytes_used(s, self._ticket_id) if self._ticket_id else 0

    def _check_viewer(self) -> Optional[User]:
        with session_scope() as s:
            viewer = self._viewer(s)
            try:
                tickets.get_ticket(s, viewer, self._number)
            except ServiceError:
                return None
            return viewer

    # ------------------------------------------------------------ actions

    def _account_viewer(self, s) -> User:
        viewer = self._viewer(s)
        if viewer is None:
            raise NotFound("tickets.not_found")  # signed out meanwhile: handled as lost access
        if viewer.id is None:
            raise ServiceError("customer.reply_needs_account")
        return viewer

    @rule("owner")
    @rx.event
    def send_reply(self, form: dict):
        form = form if isinstance(form, dict) else {}
        body = str(form.get("body", ""))[: tickets.MAX_BODY + 1]
        self.reply_error = ""
        staged = dict(self._staged)
        try:
            with session_scope() as s:
                viewer = self._account_viewer(s)
                tickets.add_message(s, viewer, self._number, body, files=list(staged.values()))
        except ValidationError as err:
            self.reply_error = self._tr(next(iter(err.errors.values()), err.code))
            return
        except ServiceError as err:
            if err.code == "tickets.not_found":
                self._drop()
                return
            self.reply_error = self._error_text(err)
            return
        self._clear_uploads()
        self._reload()
        return [rx.set_value("reply-body", ""), rx.call_script("window.hdDraftClear && hdDraftClear('reply')"),
                rx.toast.success(self._tr("customer.reply_sent"))]

    @rule("owner")
    @rx.event
    def reopen(self):
        try:
            with session_scope() as s:
                viewer = self._account_viewer(s)
                ticket = tickets.reopen(s, viewer, self._number)
                new_number = ticket.number
        except ServiceError as err:
            if err.code == "tickets.not_found":
                self._drop()
                return
            return rx.toast.error(self._error_text(err))
        if new_number != self._number:
            if self._via == "session":
                return [rx.toast.success(self._tr("customer.follow_up_created", number=new_number)),
                        rx.redirect(f"/tickets/{new_number}")]
            self.notice = self._tr("customer.follow_up_created", number=new_number)
            return
        self._reload()
        return rx.toast.success(self._tr("customer.reopened"))

    @rule("owner")
    @rx.event
    def add_cc(self, form: dict):
        form = form if isinstance(form, dict) else {}
        email = str(form.get("cc", ""))[:320]
        self.cc_error = ""
        try:
            with session_scope() as s:
                viewer = self._account_viewer(s)
                tickets.add_cc(s, viewer, self._number, email)
        except ValidationError as err:
            self.cc_error = self._tr(next(iter(err.errors.values()), err.code))
            return
        except ServiceError as err:
            if err.code == "tickets.not_found":
                self._drop()
                return
            self.cc_error = self._error_text(err)
            return
        self._reload()
        return [rx.set_value("cc-email", ""), rx.toast.success(self._tr("customer.cc_added", email=normalize_email(email)))]

    @rule("owner")
    @rx.event
    def rate(self, rating: str):
        """One click on good/bad records the answer, with any comment typed so far."""
        rating = str(rating)
        self.csat_error = ""
        if rating not in csat.RATINGS:
            return
        try:
            with session_scope() as s:
                self._rate_or_comment(s, rating, self.csat_comment)
        except ServiceError as err:
            if err.code != "customer.csat_already":
                self.csat_error = self._error_text(err)
                return
        self._reload()
        if self.csat_state == "":
            self.csat_state, self.csat_rating = "thanks", rating

    @rule("owner")
    @rx.event
    def remember_comment(self, value: str):
        # Only a draft: kept so a click on good/bad right after typing sends it along.
        if self.csat_state:
            self.csat_comment = str(value)[: csat.MAX_COMMENT]

    @rule("owner")
    @rx.event
    def submit_csat(self, form: dict):
        form = form if isinstance(form, dict) else {}
        comment = str(form.get("comment", ""))[: csat.MAX_COMMENT]
        self.csat_comment = comment
        self.csat_error = ""
        if self.csat_state == "ask":
            self.csat_error = self._tr("customer.csat_rating_required")
            return
        if self.csat_state != "thanks" or not comment.strip():
            return
        try:
            with session_scope() as s:
                self._rate_or_comment(s, "", comment)
        except ServiceError as err:
            self.csat_error = self._error_text(err)
            return
        self._reload()
        return rx.toast.success(self._tr("customer.csat_comment_saved"))

    def _rate_or_comment(self, s, rating: str, comment: str) -> None:
        viewer = self._viewer(s)
        ticket = tickets.get_ticket(s, viewer, self._number)
        if self._csat_token:
            # Opened from the survey mail: the token is the proof, signed in or not.
            if rating:
                csat.rate_with_token(s, self._csat_token, rating, comment)
            else:
                csat.comment_with_token(s, self._csat_token, comment)
            return
        if viewer is None or viewer.id is None or viewer.id != ticket.requester_id:
            raise ServiceError("tickets.not_found")
        if rating:
            csat.rate_as_user(s, viewer, self._number, rating, comment)
        else:
            csat.comment_as_user(s, viewer, self._number, comment)


relocalize.register(routes.TICKET, TicketState)
