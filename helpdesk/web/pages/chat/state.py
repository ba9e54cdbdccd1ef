"""The chat panel's State: thin over services/chat.py.

The browser holds a random guest key in localStorage (`hd_chat`); the server keeps only its
hash. Every handler finds the conversation again from the server-side session and that key,
never from an argument, so a browser can only ever talk in its own conversation.
"""

from __future__ import annotations

import logging
from typing import Optional

import reflex as rx
from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.domain.chat import ChatConversation
from helpdesk.infra.db import session_scope
from helpdesk.services import callbacks, chat, chat_config, chat_submit
from helpdesk.services.errors import ServiceError, ValidationError
from helpdesk.web.access import rule
from helpdesk.web.app_state import AppState
from helpdesk.web.components.altcha import FIELD as CAPTCHA_FIELD
from helpdesk.web.components.altcha import RESET_SCRIPT
from helpdesk.infra.settings import get_settings
from helpdesk.services import attachments
from helpdesk.web.components.upload import MAX_FILES, admit_upload, human_size, multipart_filename

log = logging.getLogger("helpdesk.web.chat")

CHAT_KEY_STORAGE = "hd_chat"
INPUT_ID = "chat-input"
LOG_ID = "chat-log"
SCROLL_SCRIPT = (
    f"setTimeout(() => {{ const l = document.getElementById('{LOG_ID}'); if (l) l.scrollTop = l.scrollHeight; }}, 50)"
)
CLEAR_INPUT_SCRIPT = f"(() => {{ const i = document.getElementById('{INPUT_ID}'); if (i) i.value = ''; }})()"
FOCUS_SCRIPT = (
    "setTimeout(() => { const p = document.getElementById('chat-panel');"
    " const f = p && (p.querySelector('#chat-input, [data-testid=chat-option], [data-testid=chat-send]')"
    " || p.querySelector('button')); if (f) f.focus(); }, 80)"
)


class ArticleLink(BaseModel):
    slug: str
    title: str


class Turn(BaseModel):
    bot: bool
    text: str
    articles: list[ArticleLink] = []


class ChatOption(BaseModel):
    value: str
    label: str


class ChatFile(BaseModel):
    index: int
    name: str
    size: str


class ChatState(AppState):
    chat_key: str = rx.LocalStorage("", name=CHAT_KEY_STORAGE)

    is_open: bool = False
    embed: bool = False
    loaded: bool = False
    busy: bool = False
    error: str = ""
    step: str = ""  # the script's step name (domain/chat_script.py)
    kind: str = ""  # options | text | upload | confirm | done
    files: list[ChatFile] = []
    ticket_id: str = ""
    ticket_link: str = ""
    deflected: bool = False
    callback_open: bool = False
    callback_requested: str = ""
    callback_error: str = ""
    _ticket_due: Optional[object] = None
    _resumes_at: Optional[object] = None
    _turns: list[dict] = []
    _file_bytes: int = 0
    _options: list[dict] = []
    _identity: Optional[tuple[str, str]] = None

    # ------------------------------------------------------------ views (follow the language)

    @rx.var
    def turns(self) -> list[Turn]:
        loc = self.locale
        return [
            Turn(bot=t.get("who") == "bot", text=t.get(loc) or t.get("es") or t.get("text", ""),
                 articles=[ArticleLink(**a) for a in t.get("articles", [])])
            for t in self._turns
        ]

    @rx.var
    def options(self) -> list[ChatOption]:
        loc = self.locale
        return [ChatOption(value=o["value"], label=o.get(loc) or o["es"]) for o in self._options]

    @rx.var
    def ticket_due(self) -> str:
        due = self._ticket_due
        return i18n.translate("chat.ticket_due", self.locale, date=i18n.full_datetime(due, self.locale)) if due else ""

    @rx.var
    def callback_notice(self) -> str:
        if self.callback_open:
            return ""
        when = self._resumes_at
        if when is None:
            return i18n.translate("callback.closed_nohours", self.locale)
        return i18n.translate("callback.closed", self.locale, date=i18n.full_datetime(when, self.locale))

    # ------------------------------------------------------------ helpers

    def _key(self) -> str:
        key = chat.valid_guest_key(self.chat_key)
        if not key:
            key = chat.new_guest_key()
            self.chat_key = key
        return key

    def _conversation(self, s, actor: Optional[User], *, create: bool) -> Optional[ChatConversation]:
        if create:
            return chat.start(s, actor, self._key(), self.locale, self._identity)
        return chat.find(s, actor, self.chat_key)

    def _show(self, s, row: ChatConversation, actor: Optional[User]) -> None:
        v = chat.view(s, row, actor, self.locale)
        self._turns = v.turns
        other = "en" if self.locale == "es" else "es"
        labels = {o.value: o.label for o in chat.options_for(s, row, v.step, other)}
        self._options = [{"value": o.value, self.locale: o.label, other: labels.get(o.value, o.label)}
                         for o in v.options]
        self.step, self.kind = v.step.name, v.step.kind
        self._file_bytes = sum(int(f["size"]) for f in v.files)
        self.files = [ChatFile(index=i, name=f["name"], size=human_size(int(f["size"]))) for i, f in enumerate(v.files)]
        self.deflected = row.status == "done" and row.ticket_id is None
        self.ticket_id = v.ticket.public_id if v.ticket is not None else ""
        self.ticket_link = v.ticket_link
        self._ticket_due = v.ticket.first_response_due_at if v.ticket is not None else None
        if v.ticket is not None:
            avail = callbacks.availability(s)
            self.callback_open, self._resumes_at = avail.open_now, avail.resumes_at
            pending = callbacks.pending_for_ticket(s, v.ticket.id)
            self.callback_requested = (
                i18n.translate("callback.requested", self.locale, phone=pending.phone) if pending else ""
            )
        else:
            self.callback_requested = ""
        self.loaded = True

    def _refresh(self, *, create: bool = True):
        actor = self._actor()
        with session_scope() as s:
            row = self._conversation(s, actor, create=create)
            if row is not None:
                self._show(s, row, actor)
        return rx.call_script(SCROLL_SCRIPT)

    def _act(self, fn) -> list:
        """Run one answer inside a transaction; a refused answer keeps what was typed."""
        actor = self._actor()
        self.error = ""
        try:
            with session_scope() as s:
                row = self._conversation(s, actor, create=True)
                fn(s, row, actor)
                self._show(s, row, actor)
        except ValidationError as err:
            self.error = " ".join(self._tr(k) for k in err.errors.values()) or self._tr(err.code)
            return []
        except ServiceError as err:
            self.error = self._error_text(err)
            return []
        return [rx.call_script(CLEAR_INPUT_SCRIPT), rx.call_script(SCROLL_SCRIPT), rx.call_script(FOCUS_SCRIPT)]

    # ------------------------------------------------------------ events

    @rule("public")
    @rx.event
    def toggle(self):
        self.is_open = not self.is_open
        if not self.is_open:
            return rx.call_script("setTimeout(() => document.querySelector('[data-testid=chat-launcher]')?.focus(), 30)")
        return [self._refresh(), rx.call_script(FOCUS_SCRIPT)]

    @rule("public")
    @rx.event
    def page_mounted(self):
        """A new page (or a reload): the panel starts closed; the conversation waits server-side."""
        self.is_open = False

    @rule("public")
    @rx.event
    def close(self):
        self.is_open = False
        if self.embed:
            return rx.call_script("window.parent && window.parent.postMessage('hd-chat-close', '*')")
        return rx.call_script("setTimeout(() => document.querySelector('[data-testid=chat-launcher]')?.focus(), 30)")

    @rule("public", why="the conversation is the caller's own, by a server-side key")
    @rx.event
    def load_page(self):
        """/chat (and /chat?embed=1 inside the widget's iframe): the panel, already open."""
        self._load_app()
        query = self.router.url.query_parameters
        self.embed = str(query.get("embed", "")) == "1"
        identity = chat_config.verify_identity(query.get("email"), query.get("name"), query.get("ts"), query.get("sig"))
        if identity is not None:
            self._identity = identity
        self.is_open = True
        events = [self._refresh(), rx.call_script(f"document.documentElement.lang = '{self.locale}'")]
        if self.embed:  # widget.js offers a new tab instead when this never arrives
            events.append(rx.call_script("window.parent && window.parent.postMessage('hd-chat-ready', '*')"))
        return events

    @rule("public")
    @rx.event
    def choose(self, value: str):
        if self.busy:
            return
        return self._act(lambda s, row, actor: chat.choose(s, row, actor, str(value)[:40], self.locale))

    @rule("public", why="the conversation is the caller's own, by a server-side key")
    @rx.event
    def send(self, form: dict):
        if self.busy:
            return
        form = form if isinstance(form, dict) else {}
        if self.kind == "confirm":
            return self._confirm(str(form.get(CAPTCHA_FIELD, "") or "")[:20_000])
        text = form.get("text", "")
        return self._act(lambda s, row, actor: chat.send_text(s, row, actor, text if isinstance(text, str) else "",
                                                              self.locale))

    def _confirm(self, payload: str):
        def do(s, row, actor):
            chat_submit.confirm(s, row, actor, payload, ip=self._client_ip(), locale=self.locale)

        self.busy = True
        try:
            events = self._act(do)
        finally:
            self.busy = False
        if self.error:
            return rx.call_script(RESET_SCRIPT)
        return [*events, rx.toast.success(self._tr("chat.created", id=self.ticket_id))]

    @rule("public")
    @rx.event
    def opened(self, slug: str):
        actor = self._actor()
        with session_scope() as s:
            row = chat.find(s, actor, self.chat_key)
            if row is not None:
                chat.opened_article(s, row, slug)

    @rule("public")
    @rx.event
    def restart(self):
        actor = self._actor()
        self.error = self.callback_error = ""
        with session_scope() as s:
            row = chat.restart(s, actor, self._key(), self.locale)
            self._show(s, row, actor)
        return [rx.call_script(SCROLL_SCRIPT), rx.call_script(FOCUS_SCRIPT)]

    @rule("public")
    @rx.event
    def drop_file(self, index: int):
        idx = index if isinstance(index, int) else -1
        return self._act(lambda s, row, actor: chat.remove_file(row, idx) if self.kind == "upload" else None)

    @rule("public")
    @rx.event
    async def chat_files(self, files: list[rx.UploadFile]):
        """Files for the ticket, checked like every upload (real type, size, total); their
        metadata goes with the conversation, so a reload does not lose them."""
        settings = get_settings()
        errors, staged = [], []
        used = self._file_bytes
        for upload in files[: MAX_FILES]:
            data = await upload.read(settings.max_file_bytes + 1)
            try:
                vf = attachments.validate_upload(multipart_filename(upload.filename), data, already_in_ticket_bytes=used)
            except ServiceError as err:
                errors.append(self._error_text(err))
                continue
            try:
                admit_upload(self, vf)
            except ServiceError as err:
                errors.append(self._error_text(err))
                break
            used += vf.size
            staged.append(attachments.stage(vf))
        events = self._act(lambda s, row, actor: chat.attach(row, staged)) if staged and self.kind == "upload" else []
        if errors:
            self.error = " ".join(errors)
        return events

    @rule("public")
    @rx.event
    def request_callback(self, form: dict):
        phone = (form or {}).get("phone", "") if isinstance(form, dict) else ""
        actor = self._actor()
        self.callback_error = ""
        try:
            with session_scope() as s:
                row = chat.find(s, actor, self.chat_key)
                if row is None or row.ticket_id is None:
                    raise ServiceError("callback.not_found")
                from helpdesk.domain.tickets import Ticket

                ticket = s.get(Ticket, row.ticket_id)
                requester = s.get(User, ticket.requester_id)
                callbacks.request(s, requester, ticket, phone)
                self._show(s, row, actor)
        except ValidationError as err:
            self.callback_error = " ".join(self._tr(k) for k in err.errors.values())
        except ServiceError as err:
            self.callback_error = self._error_text(err) if err.code != "callback.closed" else self.callback_notice
