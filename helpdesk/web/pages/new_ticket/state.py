"""The new-ticket form: a thin layer over services/new_ticket.py.

Identity comes from the server-side session only. The form data a browser sends (any
browser may call these handlers with anything) is read for what the person typed; a
signed-in user's name or address in it is ignored. The captcha payload is read from the
form data and never kept in a var.
"""

from __future__ import annotations

import logging
import secrets
import json
from datetime import datetime, timedelta
from typing import Optional

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.catalog import Category
from helpdesk.infra import faults
from helpdesk.infra.db import session_scope
from helpdesk.services import kb, new_ticket, tickets
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web import relocalize, routes
from helpdesk.web.access import rule, rules_for
from helpdesk.web.app_state import AppState
from helpdesk.web.components.altcha import FIELD as CAPTCHA_FIELD
from helpdesk.web.components.altcha import RESET_SCRIPT
from helpdesk.web.components.upload import UploadMixin
from helpdesk.web.pages.new_ticket.draft import MAX_LOST_FILES, lost_file_names, parse_draft

log = logging.getLogger("helpdesk.web.new_ticket")

VISITOR_STORAGE_KEY = "hd_visitor"
SENDING_STORAGE_KEY = "hd_ticket_sending"
SENDING_DRAFT_STORAGE_KEY = "hd_ticket_sending_draft"
# How long after a lost send the tab may still be shown the ticket that send opened.
RECOVERY_WINDOW = timedelta(minutes=15)
_DRAFT_FIELDS = {"name": 200, "email": 320, "service": 12, "category": 16, "request_type": 12,
                 "subject": tickets.MAX_SUBJECT * 2, "description": tickets.MAX_BODY + 1}
HONEYPOT_FIELD = "website"
FORM_ID = "new-ticket-form"
FOCUS_FIRST_ERROR_SCRIPT = (
    f"setTimeout(() => document.querySelector('#{FORM_ID} [aria-invalid=true]')?.focus(), 60)"
)
MAX_TYPED = 4000  # what deflection needs of a description; the form itself sends it all


class Option(BaseModel):
    value: str
    label: str


class Suggestion(BaseModel):
    slug: str
    title: str
    summary: str


def _text(form: dict, key: str, limit: int) -> str:
    value = form.get(key, "")
    return value[:limit] if isinstance(value, str) else ""


@rules_for(receive_files="public", remove_file="public", upload_progressed="public")  # UploadMixin's handlers
class NewTicketState(UploadMixin, AppState):
    # A random id per browser for the search funnel; never used to decide anything.
    visitor_key: str = rx.LocalStorage("", name=VISITOR_STORAGE_KEY, sync=True)

    # While a send is in flight the tab's sessionStorage holds its idempotency key and what was
    # typed. If the worker handling the send dies, the event, its reply and (with Redis) the
    # tab's server-side state are gone: Reflex sees the dead socket's record and gives the
    # reconnecting tab a new token, i.e. a fresh state, and the form remounts empty. The
    # browser still sends these two values with the hydration, so `load` can tell the person
    # what happened, refill the form, or show the ticket if it did open.
    sending: str = rx.SessionStorage("", name=SENDING_STORAGE_KEY)
    sending_draft: str = rx.SessionStorage("", name=SENDING_DRAFT_STORAGE_KEY)
    # Defaults of the uncontrolled inputs, for a form refilled after a lost send.
    name_default: str = ""
    email_default: str = ""
    service_default: str = ""
    request_type_default: str = ""
    description_default: str = ""

    ready: bool = False
    is_guest: bool = True
    services: list[Option] = []
    request_types: list[Option] = []
    category: str = ""
    subject_default: str = ""
    form_key: int = 0

    busy: bool = False
    errors: dict[str, str] = {}
    form_error: str = ""

    suggestions: list[Suggestion] = []

    duplicate_number: str = ""
    duplicate_message: str = ""
    duplicate_add_label: str = ""

    created_id: str = ""
    created_link: str = ""
    created_due: str = ""
    created_mail: str = ""
    created_files_text: str = ""
    created_replied: bool = False

    _typed_subject: str = ""
    _typed_description: str = ""
    _search_id: Optional[int] = None
    _suggested: dict[str, int] = {}
    _duplicate: Optional[int] = None
    _intent: str = ""  # "" | "force" | "reply": chosen after a duplicate warning
    # One per filled-in form: the idempotency key of its send (tickets.find_submitted).
    _form_token: str = ""
    _settled_token: str = ""  # the last send whose outcome this state recorded

    # ------------------------------------------------------------ UploadMixin hooks

    def _upload_allowed(self) -> bool:
        # Uploads are staged by hash only; anyone who may open a ticket may attach files.
        return True

    # ------------------------------------------------------------ helpers

    def _reset_form(self) -> None:
        self.errors, self.form_error, self.busy = {}, "", False
        self.name_default = self.email_default = self.service_default = ""
        self.request_type_default = self.description_default = ""
        self.suggestions, self._suggested, self._search_id = [], {}, None
        self._typed_subject = self._typed_description = ""
        self._forget_duplicate()
        self.created_id = self.created_link = self.created_due = self.created_mail = ""
        self.created_files_text, self.created_replied = "", False
        self.category = ""
        self._clear_uploads()

    def _new_form_token(self) -> None:
        self._form_token = secrets.token_urlsafe(16)

    def _recover_lost_send(self, key: str, draft_json: str) -> None:
        """The tab reconnected while a send was in flight (its worker died, or the connection
        dropped). Either that send opened a ticket, or the form comes back filled in with a
        message saying it was not sent. `key` and the draft come from the browser: the key only
        finds a recent ticket of this requester, and the draft is only put back in the form."""
        actor = self._actor()
        with session_scope() as s:
            outcome = new_ticket.submitted(s, actor, key, since=utcnow() - RECOVERY_WINDOW)
            if outcome is not None:
                due = outcome.ticket.first_response_due_at
                requester = s.get(User, outcome.ticket.requester_id)
                email = requester.email if requester is not None else ""
        if outcome is None:
            log.warning("ticket form: a send was lost with its connection; asking to resend")
            draft = parse_draft(draft_json)
            self._refill(draft)
            # The same key again: should the lost send still be running somewhere, the two
            # can open one ticket between them.
            self._form_token = key
            self.form_error = self._tr("new_ticket.connection_lost")
            lost_files = lost_file_names(draft)
            if lost_files:
                self.form_error += " " + self._tr("new_ticket.connection_lost_files", files=", ".join(lost_files))
            return
        log.warning("ticket form: a send was lost with its connection after #%s opened", outcome.ticket.number)
        self._take_staged()
        self._forget_duplicate()
        self._show_created(outcome, due, 0, actor, email)

    def _refill(self, draft: dict) -> None:
        value = lambda k: _text(draft, k, _DRAFT_FIELDS[k])  # noqa: E731
        self.name_default, self.email_default = value("name"), value("email")
        self.service_default = value("service") if new_ticket.parse_id(value("service")) else ""
        self.request_type_default = value("request_type") if new_ticket.parse_id(value("request_type")) else ""
        self.category = new_ticket.normalized_category(value("category"))
        self.subject_default = value("subject")
        self.description_default = value("description")
        self._typed_subject, self._typed_description = self.subject_default, self.description_default[:MAX_TYPED]

    def _forget_duplicate(self) -> None:
        self.duplicate_number = self.duplicate_message = self.duplicate_add_label = ""
        self._duplicate, self._intent = None, ""

    def _load_choices(self) -> None:
        with session_scope() as s:
            self.services = [Option(value=str(c.id), label=c.name) for c in new_ticket.service_choices(s, self.locale)]
            self.request_types = [
                Option(value=str(c.id), label=c.name) for c in new_ticket.request_type_choices(s, self.locale)
            ]

    def _ensure_visitor_key(self) -> str:
        key = new_ticket.valid_visitor_key(self.visitor_key)
        if not key:
            key = secrets.token_urlsafe(18)
            self.visitor_key = key
        return key

    def _show_errors(self, err: ServiceError) -> None:
        if isinstance(err, ValidationError):
            self.errors = {f: self._tr(k) for f, k in err.errors.items()}
            self.form_error = self._tr(err.code)
        elif err.field:
            self.errors = {err.field: self._error_text(err)}
            self.form_error = self._tr("errors.form_invalid")
        else:
            self.errors = {}
            self.form_error = self._error_text(err)

    # ------------------------------------------------------------ events

    @rule("public")
    @rx.event
    def relocalize(self):
        """The language switch: service and request-type names in the reader's language."""
        self._load_choices()

    @rule("public", why="guests may file tickets (contract: /tickets/new is for everyone)")
    @rx.event
    def load(self):
        sending = new_ticket.valid_visitor_key(self.sending)  # same shape: token_urlsafe
        draft = self.sending_draft
        self.sending = self.sending_draft = ""
        if sending and sending == self._settled_token:
            return  # that send finished in this very state: its outcome is on screen
        self._reset_form()
        self.ready = False
        user = self._actor()
        self.is_guest = user is None
        self._load_choices()
        self._ensure_visitor_key()
        # The help center's "no results" link sends what was searched as ?q=.
        q = self.router.url.query_parameters.get("q", "")
        self.subject_default = " ".join(str(q).split())[: tickets.MAX_SUBJECT] if isinstance(q, str) else ""
        self._typed_subject = self.subject_default
        self._new_form_token()
        self.form_key += 1
        # The uncontrolled inputs read their defaults when they mount: show the form only now.
        self.ready = True
        if sending:
            self._recover_lost_send(sending, draft)
        if self.subject_default and not self.created_id:
            self._suggest()

    @rule("public")
    @rx.event
    def choose_category(self, value: str):
        self.category = new_ticket.normalized_category(value)
        self.errors = {k: v for k, v in self.errors.items() if k not in ("category", "request_type")}

    @rule("public")
    @rx.event
    def typed_subject(self, value: str):
        self._typed_subject = str(value or "")[: tickets.MAX_SUBJECT + 50]
        if self._duplicate is not None:
            self._forget_duplicate()
        self._suggest()

    @rule("public")
    @rx.event
    def typed_description(self, value: str):
        self._typed_description = str(value or "")[:MAX_TYPED]
        self._suggest()

    def _suggest(self) -> None:
        try:
            with session_scope() as s:
                found = new_ticket.suggest(
                    s, self._typed_subject, self._typed_description, self.locale, self._ensure_visitor_key()
                )
        except Exception:  # noqa: BLE001 - suggestions are a help, never a reason the form fails
            log.exception("ticket-form suggestions failed")
            self.suggestions, self._suggested, self._search_id = [], {}, None
            return
        self._search_id = found.search_id
        self._suggested = {h.slug: h.id for h in found.hits}
        self.suggestions = [Suggestion(slug=h.slug, title=h.title, summary=h.summary or "") for h in found.hits]

    @rule("public")
    @rx.event
    def opened_suggestion(self, slug: str):
        """The visitor opened a suggested article (another tab): record the click."""
        article_id = self._suggested.get(str(slug)) if isinstance(slug, str) else None
        if article_id is None or self._search_id is None:
            return
        with session_scope() as s:
            kb.mark_search_clicked(s, self._search_id, article_id)

    @rule("public")
    @rx.event
    def create_anyway(self):
        if self._duplicate is None:
            return
        self._intent = "force"
        return rx.call_script(f"document.getElementById('{FORM_ID}')?.requestSubmit()")

    @rule("public")
    @rx.event
    def add_to_duplicate(self):
        if self._duplicate is None:
            return
        self._intent = "reply"
        return rx.call_script(f"document.getElementById('{FORM_ID}')?.requestSubmit()")

    @rule("public")
    @rx.event
    def start_over(self):
        """'Open another ticket': a fresh form (new captcha, no files, no suggestions)."""
        self._reset_form()
        self.subject_default = ""
        self._new_form_token()
        self.form_key += 1

    @rule("public", why="guests may file tickets (contract: /tickets/new is for everyone)")
    @rx.event
    def submit(self, form: dict):
        if self.busy or self.created_id:
            return
        if not self._form_token:
            self._new_form_token()
        self.busy = True
        self.sending = self._form_token
        typed = form if isinstance(form, dict) else {}
        draft = {k: _text(typed, k, n) for k, n in _DRAFT_FIELDS.items()}
        # File bytes cannot come back after a lost send (they are staged server-side): only
        # their names, so the message can say which ones to attach again.
        draft["files"] = [f.filename for f in self._staged.values()][:MAX_LOST_FILES]
        self.sending_draft = json.dumps(draft, ensure_ascii=False)
        self.errors, self.form_error = {}, ""
        yield
        try:
            yield from self._submit(form if isinstance(form, dict) else {})
        finally:
            self.busy = False
            self.sending = self.sending_draft = ""
            self._settled_token = self._form_token

    def _submit(self, form: dict):
        actor = self._actor()
        self.is_guest = actor is None
        category = new_ticket.normalized_category(form.get("category"))
        draft = tickets.TicketDraft(
            subject=_text(form, "subject", tickets.MAX_SUBJECT * 2),
            description=_text(form, "description", tickets.MAX_BODY + 1),
            category=category,
            service_id=new_ticket.parse_id(form.get("service")),
            request_type_id=new_ticket.parse_id(form.get("request_type")) if category == Category.REQUEST.value else None,
            guest_name=_text(form, "name", 200) if actor is None else "",
            guest_email=_text(form, "email", 320) if actor is None else "",
            attachments=list(self._staged.values()),
            urgent=form.get("urgent") not in (None, "", False),  # services/plans decides who may
        )
        sub = new_ticket.Submission(
            draft=draft,
            captcha_payload=_text(form, CAPTCHA_FIELD, 8192),
            honeypot=_text(form, HONEYPOT_FIELD, 200),
            ip=self._client_ip(),
            visitor_key=self.visitor_key,
            locale=self.locale,
            allow_duplicate=self._intent == "force",
            submission_key=self._form_token,
        )
        intent, duplicate = self._intent, self._duplicate
        self._intent = ""
        try:
            with session_scope() as s:
                if intent == "reply" and duplicate is not None and actor is not None:
                    outcome = new_ticket.add_to_existing(s, actor, duplicate, sub)
                else:
                    outcome = new_ticket.submit(s, actor, sub)
                due = outcome.ticket.first_response_due_at
                files = len(draft.attachments)
                faults.stall("submit-before-commit")
            faults.stall("submit-after-commit")
        except tickets.AlreadySubmitted:
            # Another send of this same form won the race; show what it opened.
            with session_scope() as s:
                outcome = new_ticket.submitted(s, actor, self._form_token, since=utcnow() - RECOVERY_WINDOW)
                due = outcome.ticket.first_response_due_at if outcome is not None else None
            if outcome is None:
                self.form_error = self._tr("new_ticket.connection_lost")
                return
            files = 0
        except new_ticket.DuplicateSuspected as err:
            self._duplicate = err.number
            self.duplicate_number = f"#{err.number}"
            self.duplicate_message = self._error_text(err)
            self.duplicate_add_label = self._tr("new_ticket.duplicate_add", number=err.number)
            return
        except ServiceError as err:
            self._show_errors(err)
            if err.code == "captcha.invalid":
                yield rx.call_script(RESET_SCRIPT)
            elif self.errors:
                # Take keyboard and screen-reader users to the first field to fix (after render).
                yield rx.call_script(FOCUS_FIRST_ERROR_SCRIPT)
            return
        # Only now are the files spent: any refusal above kept them staged for the next try.
        self._take_staged()
        self._forget_duplicate()
        self._show_created(outcome, due, files, actor, draft.guest_email)
        key = "new_ticket.toast_replied" if outcome.replied else "new_ticket.toast_created"
        yield rx.toast.success(self._tr(key, id=outcome.ticket.public_id))

    def _show_created(
        self, outcome: new_ticket.Outcome, due: Optional[datetime], files: int, actor: Optional[User], guest_email: str
    ) -> None:
        self.created_id = outcome.ticket.public_id
        self.created_link = outcome.link
        self.created_replied = outcome.replied
        self.created_files_text = self._tr("new_ticket.created_files", count=files) if files else ""
        self.created_due = (
            self._tr("new_ticket.created_due", date=i18n.short_date(due, self.locale), relative=i18n.relative_time(due, self.locale))
            if due is not None and not outcome.replied
            else ""
        )
        if outcome.replied:
            self.created_mail = ""
        elif actor is None:
            self.created_mail = self._tr("new_ticket.created_mail", email=normalize_email(guest_email))
        else:
            self.created_mail = self._tr("new_ticket.created_mail_user")
        self.suggestions, self._suggested = [], {}


relocalize.register(routes.NEW_TICKET, NewTicketState)
