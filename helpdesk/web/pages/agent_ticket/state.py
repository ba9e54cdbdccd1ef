"""The agent's ticket page: conversation with internal notes, reply, note, status, priority,
category, assignee, canned responses, SLA due date, history, and who else is on the ticket."""

from __future__ import annotations

import uuid

import reflex as rx

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.tickets import Ticket
from helpdesk.infra import bus
from helpdesk.infra.db import session_scope
from helpdesk.services import attachments, canned, csat_view, fair_use, pause_notice, policy, presence, queue, sla, ticket_reads, tickets
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.services.inbound import originals
from helpdesk.web.access import rule, rules_for
from helpdesk.web.components.attachments import AttachmentView, by_message
from helpdesk.web.components.upload import UploadMixin
from helpdesk.web import relocalize, routes
from helpdesk.web.pages.agent import live
from helpdesk.web.pages.agent_ticket import history
from helpdesk.web.pages.agent_ticket.views import EventView, MailFailureView, MessageView, OptionView, OtherTicketView, ViewerView
from helpdesk.web.pages.guard import GuardedState

NOBODY = "none"
# What "send and ..." may leave the ticket as; anything else keeps the status the reply gives it.
THEN_STATUSES = ("pending", "solved")
OTHER_TICKETS = 8


@rules_for(receive_files="staff", remove_file="staff", upload_progressed="staff")  # UploadMixin's handlers
class AgentTicketState(UploadMixin, GuardedState):
    number: int = 0
    subject: str = ""
    status: str = ""
    priority: str = ""
    category: str = ""
    assignee: str = NOBODY
    mine: bool = False  # assigned to the agent looking: "take it" has nothing left to do
    requester_name: str = ""
    requester_email: str = ""
    organization: str = ""
    created: str = ""
    created_full: str = ""
    due: str = ""
    due_rel: str = ""
    sla_state: str = ""
    first_due: str = ""  # the first-answer target promised to the customer, while unanswered
    first_due_rel: str = ""
    clock_paused: str = ""  # why the clock is stopped now (holiday, after hours), "" while it runs
    fair_use_signals: list[str] = []  # fair-use signals with their reasons
    first_answered: str = ""  # when the first answer went out ("" while none)
    service: str = ""  # the service the customer chose, in the reader's language
    csat_rating: str = ""  # the customer's latest rating: "good" | "bad" | "" (none)
    csat_comment: str = ""
    messages: list[MessageView] = []
    events: list[EventView] = []
    mail_failures: list[MailFailureView] = []  # ticket mail that did not arrive (history.py)
    other_tickets: list[OtherTicketView] = []
    agents: list[OptionView] = []
    canned_responses: list[OptionView] = []
    viewers: list[ViewerView] = []
    reply_body: str = ""
    note_body: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    stale: bool = False
    sending: bool = False
    # Server-only: which ticket, what version the agent has seen, who the agent is.
    _ticket_id: int = 0
    _seen_version: int = 0
    _me_id: int = 0
    _me_name: str = ""
    _watch_id: str = ""
    _just_sent: dict[str, str] = {}

    def _may_enter(self, user: User) -> bool:
        return policy.user_may(user, policy.Action.STAFF_AREA)

    # ------------------------------------------------------------ loading

    def _load(self, actor: User, *, acknowledge: bool = True) -> None:
        with session_scope() as s:
            t = tickets.get_ticket(s, actor, self.number)
            self._fill_ticket(s, actor, t)
            if acknowledge:
                self._seen_version = t.version

    def _fill_ticket(self, s, actor: User, t: Ticket) -> None:
        loc = self.locale
        requester, org, service = ticket_reads.context(s, actor, t)
        self._ticket_id = t.id
        self.subject, self.status, self.priority, self.category = t.subject, t.status, t.priority or "", t.category
        self.assignee = str(t.assignee_id) if t.assignee_id else NOBODY
        self.mine = t.assignee_id == actor.id
        self.requester_name, self.requester_email = requester.name, requester.email
        self.organization = org.name if org else ""
        self.created, self.created_full = i18n.relative_time(t.created_at, loc), i18n.full_datetime(t.created_at, loc)
        cal = sla.load_calendar(s)
        self.sla_state = sla.sla_state(t, utcnow(), cal)
        self.due = i18n.short_date(t.due_at, loc, cal.tz) if t.due_at else ""
        self.due_rel = i18n.relative_time(t.due_at, loc) if t.due_at else ""
        waiting_first = t.first_response_at is None and t.first_response_due_at is not None
        self.first_due = i18n.short_date(t.first_response_due_at, loc, cal.tz) if waiting_first else ""
        self.first_due_rel = i18n.relative_time(t.first_response_due_at, loc) if waiting_first else ""
        self.first_answered = i18n.relative_time(t.first_response_at, loc) if t.first_response_at else ""
        self.clock_paused = pause_notice.describe(pause_notice.clock_pause(s, t), loc)
        self.fair_use_signals = [fair_use.describe(r, loc) for r in fair_use.signals_for(s, [t.id]).get(t.id, [])]
        self.service = ((service.name_en or service.name) if loc == "en" else service.name) if service else ""
        msgs = tickets.messages_for(s, actor, t)
        authors = ticket_reads.names(s, {m.author_id for m in msgs if m.author_id})
        staff = ticket_reads.staff_among(s, set(authors))
        files_of = by_message(tickets.attachments_for(s, actor, t))
        emls = originals.original_urls(s, actor, t.id)
        self.messages = [
            MessageView(
                id=m.id, author=authors.get(m.author_id, ""), body=m.body, internal=m.is_internal,
                from_staff=m.author_id in staff, at=i18n.relative_time(m.created_at, loc), at_full=i18n.full_datetime(m.created_at, loc),
                attachments=[AttachmentView(**a) for a in files_of.get(m.id, [])], eml_url=emls.get(m.id, ""),
            )
            for m in msgs
        ]
        self.events = history.event_views(s, actor, t, loc, self._tr)
        self.mail_failures = history.mail_failure_views(s, actor, t, loc, self._tr)
        rating = csat_view.latest(s, actor, t)
        self.csat_rating, self.csat_comment = (rating.rating, rating.comment) if rating else ("", "")
        others = ticket_reads.other_tickets(s, actor, t, OTHER_TICKETS)
        self.other_tickets = [
            OtherTicketView(number=o.number, subject=o.subject, status=o.status, at=i18n.relative_time(o.last_activity_at, loc)) for o in others
        ]

    def _load_choices(self, actor: User) -> None:
        with session_scope() as s:
            self.agents = [OptionView(id=str(c.id), name=c.name) for c in queue.agents(s, actor)]
            self.canned_responses = [OptionView(id=str(c.id), name=c.title) for c in canned.list_responses(s, actor)]

    def _read_presence(self) -> None:
        self.viewers = [ViewerView(name=v.name, typing=v.typing) for v in presence.viewers(self._ticket_id, exclude=self._me_id)]

    @rule("staff")
    @rx.event
    def load(self):
        actor, redirect = self._enter()
        if actor is None:
            return redirect
        number = tickets.parse_number(self.router.page.params.get("id", ""))
        try:
            if number is None:
                raise ServiceError("tickets.not_found")
            self.number = number
            self._load(actor)
        except ServiceError:
            self.access = "missing"
            self.number = 0
            return
        self._load_choices(actor)
        self._me_id, self._me_name = actor.id, actor.name
        presence.touch(self._ticket_id, actor.id, actor.name)
        self._read_presence()
        return AgentTicketState.watch

    def _actor_for_ticket(self):
        """Re-check identity and that a ticket is loaded: every handler starts here."""
        actor = self._allowed_actor()
        if actor is None or not self.number or self.access != "ok":
            return None
        return actor

    @rule("staff")
    @rx.event
    def relocalize(self):
        """The language switched: history, dates and names are made here, so draw them again."""
        actor = self._actor_for_ticket()
        if actor is None:
            return
        try:
            self._load(actor, acknowledge=False)
        except ServiceError:
            return

    # ------------------------------------------------------------ writing

    @rule("staff")
    @rx.event
    def set_reply(self, text: str):
        text = str(text)[: tickets.MAX_BODY]
        if self._is_late_echo("reply", text):
            return
        self.reply_body = text
        actor = self._actor_for_ticket()
        if actor is not None:
            if self.reply_body.strip():
                presence.touch(self._ticket_id, actor.id, actor.name, typing=True)
            else:
                presence.stop_typing(self._ticket_id, actor.id)

    @rule("staff")
    @rx.event
    def set_note(self, text: str):
        text = str(text)[: tickets.MAX_BODY]
        if not self._is_late_echo("note", text):
            self.note_body = text

    def _is_late_echo(self, box: str, text: str) -> bool:
        """The text box reports keystrokes debounced, so its last report can arrive after the
        form was sent (submit with the keyboard): that text must not come back into the box."""
        sent = self._just_sent.get(box)
        if sent is None:
            return False
        self._just_sent = {k: v for k, v in self._just_sent.items() if k != box}
        return text == sent

    # ------------------------------------------------------------ uploads (UploadMixin hooks)

    def _upload_allowed(self) -> bool:
        return self._actor_for_ticket() is not None

    def _ticket_bytes_used(self) -> int:
        with session_scope() as s:
            return attachments.ticket_bytes_used(s, self._ticket_id) if self._ticket_id else 0

    def _send(self, body: str, *, internal: bool, then_status: str = ""):
        actor = self._actor_for_ticket()
        if actor is None:
            return None
        self.errors, self.form_error = {}, ""
        # Files go with the reply only (the picker sits in the reply box). They stay staged
        # until the reply is stored, so a warning or an error never costs the agent the files.
        files = [] if internal else list(self._staged.values())
        try:
            with session_scope() as s:
                tickets.add_message(
                    s, actor, self.number, body, internal=internal, files=files,
                    expected_version=None if internal else self._seen_version,
                )
                if then_status:  # "send and set status": one transaction, one click
                    tickets.change_status(s, actor, self.number, then_status)
        except ValidationError as err:
            field = "note" if internal else "reply"
            self.errors = {field: self._tr(next(iter(err.errors.values())))}
            return None
        except ServiceError as err:
            if err.code == "tickets.changed_meanwhile":
                # Show what changed; the agent's text stays, and sending again is a conscious choice.
                self.stale = True
                self.form_error = self._tr(err.code)
                self._load(actor)
                return None
            self.form_error = self._error_text(err)
            return None
        self.stale = False
        self._load(actor)
        return actor

    @rule("staff")
    @rx.event
    def send_reply(self, form: dict):
        # The form carries what is in the box right now (typing reaches the state debounced).
        if isinstance(form, dict) and isinstance(form.get("body"), str):
            self.reply_body = form["body"][: tickets.MAX_BODY + 1]
        then = str(form.get("then_status") or "") if isinstance(form, dict) else ""
        actor = self._send(self.reply_body, internal=False, then_status=then if then in THEN_STATUSES else "")
        if actor is not None:
            self._just_sent = {**self._just_sent, "reply": self.reply_body}
            self.reply_body = ""
            self._clear_uploads()
            presence.stop_typing(self._ticket_id, actor.id)
            return rx.toast.success(self._tr("agent.reply_sent"))

    @rule("staff")
    @rx.event
    def send_note(self, form: dict):
        if isinstance(form, dict) and isinstance(form.get("body"), str):
            self.note_body = form["body"][: tickets.MAX_BODY + 1]
        if self._send(self.note_body, internal=True) is not None:
            self._just_sent = {**self._just_sent, "note": self.note_body}
            self.note_body = ""
            return rx.toast.success(self._tr("agent.note_saved"))

    @rule("staff")
    @rx.event
    def insert_canned(self, response_id: str):
        actor = self._actor_for_ticket()
        if actor is None or not str(response_id).isdigit():
            return
        try:
            with session_scope() as s:
                t = tickets.get_ticket(s, actor, self.number)
                text = canned.render(s, actor, int(response_id), t)
        except ServiceError as err:
            return rx.toast.error(self._error_text(err))
        self.reply_body = (self.reply_body.rstrip() + "\n\n" + text).strip() if self.reply_body.strip() else text

    # ------------------------------------------------------------ ticket fields

    def _change(self, fn, *args, done_key: str):
        actor = self._actor_for_ticket()
        if actor is None:
            return
        try:
            with session_scope() as s:
                # Our own change must not make our next reply look stale, unless the agent had
                # not seen the ticket's latest state before making it.
                up_to_date = tickets.get_ticket(s, actor, self.number).version == self._seen_version
                fn(s, actor, self.number, *args)
        except ServiceError as err:
            self._load(actor, acknowledge=False)
            if isinstance(err, ValidationError):
                return rx.toast.error(self._tr(next(iter(err.errors.values()))))
            return rx.toast.error(self._error_text(err))
        self._load(actor, acknowledge=up_to_date)
        return rx.toast.success(self._tr(done_key))

    @rule("staff")
    @rx.event
    def set_status(self, status: str):
        return self._change(tickets.change_status, str(status), done_key="agent.status_saved")

    @rx.var
    def unset_priority_option(self) -> list[OptionView]:
        return [OptionView(id="none", name=self._tr("agent.priority_none"))] if self.access == "ok" and not self.priority else []

    @rule("staff")
    @rx.event
    def set_priority(self, priority: str):
        if priority == "none":
            return  # the placeholder of an untriaged ticket: nothing to change
        return self._change(tickets.set_priority, str(priority), done_key="agent.priority_saved")

    @rule("staff")
    @rx.event
    def set_category(self, category: str):
        return self._change(tickets.set_category, str(category), done_key="agent.category_saved")

    @rule("staff")
    @rx.event
    def set_assignee(self, assignee: str):
        raw = str(assignee)
        if raw != NOBODY and not raw.isdigit():
            return
        return self._change(tickets.assign, None if raw == NOBODY else int(raw), done_key="agent.assignee_saved")

    @rule("staff")
    @rx.event
    def assign_me(self):
        actor = self._actor_for_ticket()
        if actor is None:
            return
        return self._change(tickets.assign, actor.id, done_key="agent.assignee_saved")

    # ------------------------------------------------------------ live

    @rule("staff")
    @rx.event(background=True)
    async def watch(self):
        # Checked before taking the state lock too: a forged call from a customer ends here.
        if self._actor_for_ticket() is None:
            return
        async with self:
            if self._actor_for_ticket() is None:
                return
            self._watch_id = watch_id = uuid.uuid4().hex
            ticket_id = self._ticket_id

        def changed() -> None:
            actor = self._actor_for_ticket()
            if actor is None:
                self._watch_id = ""
                return
            # Someone else's change is shown at once, but if the agent is writing a reply it
            # stays "unseen", so sending warns first.
            self._load(actor, acknowledge=not self.reply_body.strip())
            self._read_presence()

        def heartbeat() -> None:
            if self._me_id:
                presence.touch(self._ticket_id, self._me_id, self._me_name)
                self._read_presence()

        try:
            await live.follow(self, watch_id, (bus.ticket_topic(ticket_id), presence.topic(ticket_id)), changed, heartbeat)
        finally:
            async with self:
                if self._watch_id in ("", watch_id) and self._me_id:
                    presence.leave(ticket_id, self._me_id)

    @rule("staff")
    @rx.event
    def stop_watch(self):
        self._watch_id = ""
        if self._ticket_id and self._me_id:
            presence.leave(self._ticket_id, self._me_id)


relocalize.register(routes.AGENT_TICKET, AgentTicketState)
