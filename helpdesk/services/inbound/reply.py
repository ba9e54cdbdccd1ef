"""A received mail added to a ticket exactly as its sender would reply on the web."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.domain.tickets import Ticket, TicketStatus
from helpdesk.domain.principals import MailSender
from helpdesk.services import attachments, policy, tickets
from helpdesk.services.errors import ServiceError
from helpdesk.services.policy import Action
from helpdesk.services.inbound.clean import strip_reply
from helpdesk.services.inbound.parse import ParsedMail

NOTE_MARK = "#note"


def _files(session: Session, mail: ParsedMail, ticket: Ticket) -> tuple[list, list[str]]:
    """Files checked like uploads; the refused ones are named in the message instead."""
    accepted, refused = [], []
    used = attachments.ticket_bytes_used(session, ticket.id)
    for name, data in mail.files:
        try:
            vf = attachments.validate_upload(name, data, already_in_ticket_bytes=used)
        except ServiceError:
            refused.append(attachments.safe_filename(name))
            continue
        used += vf.size
        accepted.append(vf)
    return accepted, refused


def _body(mail: ParsedMail, refused: list[str], locale: str, *, strip: bool = True) -> str:
    text = strip_reply(mail.text) if strip else mail.text.strip()
    if strip and not text:
        text = mail.text.strip()
    if refused or mail.dropped_files:
        names = ", ".join(refused + ([f"+{mail.dropped_files}"] if mail.dropped_files else []))
        text = f"{text}\n\n[{i18n.translate('mail_in.files_refused', locale, names=names)}]".strip()
    return text


def _reply(session: Session, user: User, ticket: Ticket, mail: ParsedMail) -> tuple[str, Ticket, int]:
    """Add the mail to `ticket` as `user` would from the web (reopening a closed one first)."""
    files, refused = _files(session, mail, ticket)
    body = _body(mail, refused, ticket.locale)
    internal = False
    sender = MailSender(email=user.email, account=user)
    if body.lower().startswith(NOTE_MARK) and policy.can(sender, Action.ADD_INTERNAL_NOTE, tickets.facts(session, ticket)):
        internal, body = True, body[len(NOTE_MARK):].strip()
    if not internal and ticket.status_enum is TicketStatus.CLOSED and not user.is_staff:
        ticket = tickets.reopen(session, user, ticket.number)  # past the window: a linked follow-up
    if not body and not files:
        body = i18n.translate("mail_in.no_subject", ticket.locale)
    message = tickets.add_message(session, user, ticket.number, body, internal=internal, files=files)
    return ("note" if internal else "message"), ticket, message.id
