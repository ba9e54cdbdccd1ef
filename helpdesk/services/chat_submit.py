"""The chat's last step: open the ticket through the web form's own service (new_ticket),
then tell agents what the conversation found out (suggested priority and why, phone)."""

from __future__ import annotations

from typing import Optional

from sqlmodel import Session, select

from helpdesk import i18n
from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.catalog import Category
from helpdesk.domain.chat import ChatConversation
from helpdesk.domain.chat_script import subject_from, suggested_priority
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.services import attachments, chat, chat_config, new_ticket, sla, tickets
from helpdesk.services.errors import ServiceError


def _staged(answers: dict) -> list[attachments.StagedFile]:
    return [attachments.StagedFile(f["name"], f["type"], int(f["size"]), f["sha256"])
            for f in answers.get("files", []) if isinstance(f, dict)]


def _requester(session: Session, row: ChatConversation, actor: Optional[User]) -> Optional[User]:
    """Who the ticket belongs to as an actor: the signed-in user, or the host site's verified
    user when that address already has an account here (the host vouched for them)."""
    if actor is not None or not row.identity_email:
        return actor
    user = session.exec(select(User).where(User.email == normalize_email(row.identity_email))).first()
    return user if user is not None and user.is_active and user.password_hash else None


def confirm(session: Session, row: ChatConversation, actor: Optional[User], captcha_payload: str, *,
            ip: str = "", locale: str = "es") -> Ticket:
    """Open the ticket. Raises what new_ticket.submit raises (captcha, limits, fields)."""
    now = utcnow()
    step = chat._step(session, row, actor)
    if step.name != "confirm" or row.status != "open":
        raise ServiceError("chat.option_invalid")
    answers = chat._answers(row)
    owner = _requester(session, row, actor)
    guest_name = answers.get("name") or row.identity_name
    guest_email = answers.get("email") or row.identity_email
    category = answers["reason"] if answers["reason"] in {c.value for c in Category} else ""
    draft = tickets.TicketDraft(
        subject=subject_from(answers.get("description", "")),
        description=answers.get("description", ""),
        category=category,
        service_id=answers.get("service"),
        request_type_id=answers.get("request_type") if category == Category.REQUEST.value else None,
        guest_name=guest_name if owner is None else "",
        guest_email=guest_email if owner is None else "",
        attachments=_staged(answers),
    )
    outcome = new_ticket.submit(session, owner, new_ticket.Submission(
        draft=draft, captcha_payload=captcha_payload, ip=ip, visitor_key=answers.get("visitor", ""),
        locale=i18n.normalize_locale(locale), allow_duplicate=True, submission_key=f"chat-{row.id}-{answers.get('visitor', '')}",
    ), now=now)
    ticket = outcome.ticket
    _brief_agents(session, row, ticket, answers)
    answers["done"] = True
    row.status, row.ticket_id, row.step = "done", ticket.id, "done"
    chat._save(row, answers, now)
    due = ticket.first_response_due_at
    chat._say(row, "chat.created", id=ticket.public_id)
    if due is not None:
        _append_due(row, due)
    session.add(row)
    session.flush()
    return ticket


def _append_due(row: ChatConversation, due) -> None:
    chat._append(row, {"who": "bot", **{loc: i18n.translate("chat.created_due", loc, date=i18n.full_datetime(due, loc))
                                        for loc in i18n.LOCALES}})


def _brief_agents(session: Session, row: ChatConversation, ticket: Ticket, answers: dict) -> None:
    """Suggested priority (and the answer that decided it) and what else the chat learnt, as
    an internal note: agents see it on the ticket, the customer never does."""
    questions = chat_config.questions_for(session, answers.get("service"))
    priority, because = suggested_priority(answers, questions)
    loc = ticket.locale
    lines = [i18n.translate("chat.note_head", loc)]
    replies = answers.get("questions", {})
    for q in questions:
        if str(q.id) in replies:
            lines.append(f"- {q.text(loc)} {i18n.translate('chat.' + replies[str(q.id)], loc)}")
    if priority is not None:
        previous = ticket.priority
        ticket.priority = priority
        sla.apply_sla(session, ticket, utcnow(), previous_priority=previous)
        tickets.record_event(session, ticket, None, "priority", previous or "", priority)
        lines.append(i18n.translate("chat.note_priority", loc, priority=i18n.translate(f"priority.{priority}", loc),
                                    reason=because.text(loc)))
    if answers.get("phone"):
        lines.append(i18n.translate("chat.note_phone", loc, phone=answers["phone"]))
    if row.identity_email:
        lines.append(i18n.translate("chat.note_identity", loc, email=row.identity_email))
    session.add(Message(ticket_id=ticket.id, author_id=None, body="\n".join(lines), is_internal=True,
                        created_at=ticket.created_at))
    session.add(ticket)
    session.flush()

