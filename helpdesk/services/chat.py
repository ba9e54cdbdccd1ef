"""The chat intake: one guided conversation per person that ends in a ticket.

The conversation lives in the database, tied to an account or to the SHA-256 of a random
guest key the browser keeps, so a reload, another page, a closed tab (and, signed in,
another device) resume it. Callers pass the actor from the server-side session and the
browser's guest key; a conversation is only ever found through them, never by an id the
browser names. Replies are checked against the current step's own choices, so a browser
cannot skip a step, answer for another one or pick a priority: the priority is suggested
here from the admin's questions (chat_config) and shown to agents with its reason.

The ticket opens through services/new_ticket.submit, the same checks as the web form
(captcha, rate limits, validation, attachments already checked on upload).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User, is_valid_email, normalize_email
from helpdesk.domain.chat import ChatConversation
from helpdesk.domain.chat_script import MIN_DESCRIPTION, REASONS, Step, next_step, subject_from
from helpdesk.domain.tickets import Ticket
from helpdesk.services import attachments, callbacks, chat_config, kb, links, new_ticket, tickets
from helpdesk.services.errors import ServiceError, ValidationError

GUEST_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_TEXT = tickets.MAX_BODY
MAX_FILES = attachments.MAX_FILES_PER_MESSAGE


def new_guest_key() -> str:
    return secrets.token_urlsafe(32)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def valid_guest_key(raw: object) -> str:
    text = str(raw or "")
    return text if GUEST_KEY_RE.match(text) else ""


# ------------------------------------------------------------------ finding the conversation


def find(session: Session, actor: Optional[User], guest_key: str) -> Optional[ChatConversation]:
    """The person's current conversation (open, or finished and not yet restarted)."""
    if actor is not None:
        row = session.exec(
            select(ChatConversation)
            .where(ChatConversation.user_id == actor.id, col(ChatConversation.status).in_(("open", "done")))
            .order_by(col(ChatConversation.updated_at).desc(), col(ChatConversation.id).desc())
            .limit(1)
        ).first()
        if row is not None:
            return row
    key = valid_guest_key(guest_key)
    if not key:
        return None
    row = session.exec(select(ChatConversation).where(ChatConversation.guest_key_hash == _hash(key))).first()
    if row is None or row.status not in ("open", "done"):
        return None
    if row.user_id is not None and (actor is None or actor.id != row.user_id):
        return None  # signed out since: an account's conversation never shows to a guest
    if actor is not None and row.user_id is None:
        row.user_id = actor.id  # signed in mid-conversation: it follows the account now
        session.add(row)
    return row


def start(session: Session, actor: Optional[User], guest_key: str, locale: str,
          identity: Optional[tuple[str, str]] = None) -> ChatConversation:
    """Resume the person's conversation, or begin one (greeting and the first question)."""
    row = find(session, actor, guest_key)
    if row is not None:
        if identity and actor is None and not row.identity_email and row.status == "open":
            row.identity_email, row.identity_name = identity
            session.add(row)
        return row
    key = valid_guest_key(guest_key)
    if not key:
        raise ServiceError("chat.no_key")
    row = ChatConversation(guest_key_hash=_hash(key), user_id=actor.id if actor else None,
                           locale=i18n.normalize_locale(locale))
    if identity and actor is None:
        row.identity_email, row.identity_name = identity
    who = (actor.name if actor else row.identity_name) or ""
    _say(row, "chat.hello", name=f", {who}" if who else "")
    _ask(session, row, actor)
    session.add(row)
    session.flush()
    return row


def restart(session: Session, actor: Optional[User], guest_key: str, locale: str) -> ChatConversation:
    """Leave the current conversation (its ticket stays) and begin a new one."""
    row = find(session, actor, guest_key)
    identity = None
    if row is not None:
        identity = (row.identity_email, row.identity_name) if row.identity_email else None
        row.status, row.guest_key_hash = ("closed" if row.status == "done" else "abandoned"), None
        session.add(row)
        session.flush()
    return start(session, actor, guest_key, locale, identity)


# ------------------------------------------------------------------ transcript


def _answers(row: ChatConversation) -> dict:
    return json.loads(row.answers or "{}")


def _turns(row: ChatConversation) -> list[dict]:
    return json.loads(row.transcript or "[]")


def _append(row: ChatConversation, turn: dict) -> None:
    row.transcript = json.dumps([*_turns(row), turn], ensure_ascii=False)


def _say(row: ChatConversation, key: str, articles: list | None = None, **params: object) -> None:
    """A bot turn, kept in both languages so a language switch re-renders the history."""
    turn = {"who": "bot", **{loc: i18n.translate(key, loc, **params) for loc in i18n.LOCALES}}
    if articles:
        turn["articles"] = articles
    _append(row, turn)


def _needs_contact(row: ChatConversation, actor: Optional[User]) -> bool:
    return actor is None and not row.identity_email


def _step(session: Session, row: ChatConversation, actor: Optional[User]) -> Step:
    answers = _answers(row)
    questions = chat_config.questions_for(session, answers.get("service")) if "service" in answers else []
    return next_step(answers, questions, needs_contact=_needs_contact(row, actor))


def _ask(session: Session, row: ChatConversation, actor: Optional[User]) -> None:
    step = _step(session, row, actor)
    row.step = step.key
    if step.name == "question":
        q = next(q for q in chat_config.questions_for(session, _answers(row).get("service")) if q.id == step.question_id)
        _append(row, {"who": "bot", "es": q.text("es"), "en": q.text("en")})
    elif step.name != "done":
        _say(row, f"chat.ask_{step.name}")


# ------------------------------------------------------------------ the view


@dataclass
class Option:
    value: str
    label: str


@dataclass
class View:
    step: Step
    turns: list[dict]
    options: list[Option] = field(default_factory=list)
    ticket: Optional[Ticket] = None
    ticket_link: str = ""
    files: list[dict] = field(default_factory=list)


def options_for(session: Session, row: ChatConversation, step: Step, locale: str) -> list[Option]:
    tr = lambda key: i18n.translate(key, locale)  # noqa: E731
    if step.name == "reason":
        return [Option(r, tr(f"chat.reason_{r}")) for r in REASONS]
    if step.name == "service":
        return [Option(str(c.id), c.name) for c in new_ticket.service_choices(session, locale)]
    if step.name == "request_type":
        return [Option(str(c.id), c.name) for c in new_ticket.request_type_choices(session, locale)]
    if step.name == "question":
        return [Option("yes", tr("chat.yes")), Option("no", tr("chat.no"))]
    if step.name == "suggest":
        return [Option("solved", tr("chat.solved")), Option("continue", tr("chat.not_solved"))]
    if step.name == "attachments":
        return [Option("continue", tr("chat.attachments_continue"))]
    if step.name == "phone":
        return [Option("skip", tr("chat.phone_skip"))]
    return []


def view(session: Session, row: ChatConversation, actor: Optional[User], locale: str) -> View:
    step = _step(session, row, actor)
    answers = _answers(row)
    result = View(step, _turns(row), options_for(session, row, step, locale), files=answers.get("files", []))
    if row.ticket_id is not None:
        ticket = session.get(Ticket, row.ticket_id)
        if ticket is not None:
            result.ticket = ticket
            result.ticket_link = ticket_link(session, ticket, actor)
    return result


def ticket_link(session: Session, ticket: Ticket, actor: Optional[User]) -> str:
    """Signed-in requesters follow the ticket in their account; anyone else by signed link."""
    if actor is not None and actor.id == ticket.requester_id:
        return f"/tickets/{ticket.number}"
    requester = session.get(User, ticket.requester_id)
    return f"/tickets/{ticket.number}?k={links.ticket_link_token(ticket.number, requester.email)}"


# ------------------------------------------------------------------ answering


def _save(row: ChatConversation, answers: dict, now: datetime) -> None:
    row.answers = json.dumps(answers, ensure_ascii=False)
    row.updated_at = now


def choose(session: Session, row: ChatConversation, actor: Optional[User], value: object, locale: str,
           *, now: datetime | None = None) -> None:
    """A button answer. Only a value among the current step's own options is accepted."""
    now = now or utcnow()
    step = _step(session, row, actor)
    chosen = next((o for o in options_for(session, row, step, locale) if o.value == str(value)), None)
    if chosen is None or row.status != "open":
        raise ServiceError("chat.option_invalid")
    answers = _answers(row)
    _append(row, {"who": "user", "text": chosen.label})
    if step.name == "service":
        answers["service"] = int(chosen.value)
    elif step.name == "request_type":
        answers["request_type"] = int(chosen.value)
    elif step.name == "question":
        answers.setdefault("questions", {})[str(step.question_id)] = chosen.value
    elif step.name == "suggest":
        answers["suggest"] = chosen.value
        if chosen.value == "solved":
            _deflected(session, row, answers, now)
            return
    elif step.name == "attachments":
        answers["attachments"] = True
    elif step.name == "phone":
        answers["phone"] = ""
    else:
        answers[step.name] = chosen.value
    _save(row, answers, now)
    _ask(session, row, actor)


def _deflected(session: Session, row: ChatConversation, answers: dict, now: datetime) -> None:
    """"This solved it": the funnel counts a search with an opened article and no ticket."""
    search_id, articles = answers.get("search_id"), answers.get("articles") or {}
    slug = answers.get("opened") or next(iter(articles), None)
    if search_id is not None and slug in articles:
        kb.mark_search_clicked(session, int(search_id), int(articles[slug]))
    answers["done"], answers["deflected"] = True, True
    row.status = "done"
    _save(row, answers, now)
    _say(row, "chat.glad")


def opened_article(session: Session, row: ChatConversation, slug: object) -> None:
    answers = _answers(row)
    articles = answers.get("articles") or {}
    if isinstance(slug, str) and slug in articles and answers.get("search_id") is not None:
        kb.mark_search_clicked(session, int(answers["search_id"]), int(articles[slug]))
        answers["opened"] = slug
        row.answers = json.dumps(answers, ensure_ascii=False)
        session.add(row)


def send_text(session: Session, row: ChatConversation, actor: Optional[User], text: object, locale: str,
              *, now: datetime | None = None) -> None:
    """A typed answer (description, name, e-mail, phone). Bad input raises and keeps nothing."""
    now = now or utcnow()
    step = _step(session, row, actor)
    if step.kind != "text" or row.status != "open":
        raise ServiceError("chat.option_invalid")
    value = str(text or "").replace("\x00", "").strip()[: MAX_TEXT + 1]
    answers = _answers(row)
    shown = value
    if step.name == "description":
        if len(value) < MIN_DESCRIPTION:
            raise ValidationError({"text": "tickets.description_required"})
        if len(value) > MAX_TEXT:
            raise ValidationError({"text": "tickets.description_too_long"})
        answers["description"] = value
        _suggest(session, row, answers, value, locale)
    elif step.name == "name":
        value = " ".join(value.split())[:200]
        if not value:
            raise ValidationError({"text": "errors.name_required"})
        answers["name"] = shown = value
    elif step.name == "email":
        value = normalize_email(value)
        if not is_valid_email(value):
            raise ValidationError({"text": "errors.email_invalid"})
        # Whether the address has an account is said only after the captcha, by the ticket
        # service at the last step (as on the form): asked here, it told anyone who exists.
        answers["email"] = shown = value
    elif step.name == "phone":
        answers["phone"] = shown = callbacks.normalize_phone(value) if value else ""
    _append(row, {"who": "user", "text": shown})
    _save(row, answers, now)
    if step.name == "description" and answers.get("suggested"):
        return  # _suggest said its turn; the next question is "did it help?"
    _ask(session, row, actor)


def _suggest(session: Session, row: ChatConversation, answers: dict, description: str, locale: str) -> None:
    visitor = answers.setdefault("visitor", secrets.token_urlsafe(18))
    found = new_ticket.suggest(session, subject_from(description), description, locale, visitor)
    answers["search_id"] = found.search_id
    if not found.hits:
        return
    answers["suggested"] = True
    answers["articles"] = {h.slug: h.id for h in found.hits}
    _say(row, "chat.articles", articles=[{"slug": h.slug, "title": h.title} for h in found.hits])
    _say(row, "chat.ask_suggest")
    row.step = "suggest"


def attach(row: ChatConversation, staged: list[attachments.StagedFile], *, now: datetime | None = None) -> None:
    """Files checked on upload (UploadMixin); their metadata is kept with the conversation so
    a reload does not lose them (the bytes are stored by hash already)."""
    answers = _answers(row)
    files = answers.get("files", [])
    for f in staged:
        if len(files) < MAX_FILES:
            files.append({"name": f.filename, "type": f.content_type, "size": f.size, "sha256": f.sha256})
    answers["files"] = files
    _save(row, answers, now or utcnow())


def remove_file(row: ChatConversation, index: int) -> None:
    answers = _answers(row)
    files = answers.get("files", [])
    if 0 <= index < len(files):
        files.pop(index)
    answers["files"] = files
    row.answers = json.dumps(answers, ensure_ascii=False)
