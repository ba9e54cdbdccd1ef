"""A mail that belongs to no ticket: a new ticket, an answer pointing to the portal, or nothing.

Only mail addressed to HELPDESK_SUPPORT_ADDRESS opens tickets. A known customer's mail opens
their own ticket, unless they already have an open ticket about the same thing (the web
form's duplicate check), which then gets the mail as a reply. An unknown address gets a guest
ticket; the confirmation mail carries the signed link and the expected answer time, as for the
web form. `HELPDESK_INBOUND_NEW=reject` answers with a pointer to the portal instead.
"""

from __future__ import annotations

import os
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk import i18n
from helpdesk.domain.accounts import User
from helpdesk.domain.catalog import Category, Service
from helpdesk.domain.tickets import Ticket
from helpdesk.domain.principals import MailSender
from helpdesk.services import new_ticket, policy, tickets
from helpdesk.services.errors import ServiceError
from helpdesk.services.policy import Action
from helpdesk.services.inbound import addresses, answers

MIN_DESCRIPTION = 10


def new_tickets_allowed() -> bool:
    return os.environ.get("HELPDESK_INBOUND_NEW", "").strip().lower() not in ("reject", "off", "0", "no")


def _default_service(session: Session) -> Optional[int]:
    return session.exec(
        select(Service.id).where(col(Service.is_active).is_(True)).order_by(Service.position, Service.id)
    ).first()


def _draft(session: Session, user: Optional[User], mail, files: list) -> tickets.TicketDraft:
    from helpdesk.services.inbound.clean import strip_reply

    subject = " ".join(mail.subject.split())[: tickets.MAX_SUBJECT]
    if len(subject) < 3:
        subject = i18n.translate("mail_in.no_subject", "es")
    body = (strip_reply(mail.text) or mail.text.strip())[: tickets.MAX_BODY]
    if len(body) < MIN_DESCRIPTION:
        body = f"{subject}\n\n{body}".strip()
    if len(body) < MIN_DESCRIPTION:
        body = f"{body}\n\n({i18n.translate('mail_in.from_mail', 'es')})"
    return tickets.TicketDraft(
        subject=subject,
        description=body,
        category=Category.QUESTION.value,
        service_id=_default_service(session),
        guest_name="" if user else (mail.from_name or mail.from_email.partition("@")[0]),
        guest_email="" if user else mail.from_email,
        attachments=files,
    )


def _validated_files(mail) -> tuple[list, list[str]]:
    from helpdesk.services import attachments

    accepted, refused, used = [], [], 0
    for name, data in mail.files:
        try:
            vf = attachments.validate_upload(name, data, already_in_ticket_bytes=used)
        except ServiceError:
            refused.append(attachments.safe_filename(name))
            continue
        used += vf.size
        accepted.append(vf)
    return accepted, refused


def open_or_refuse(session: Session, user: Optional[User], mail, recipients: list[str]):
    """(Result, ticket or None, message id or None) for a mail that matched no ticket."""
    from helpdesk.services.inbound.reply import _reply
    from helpdesk.services.inbound.result import Result

    if not any(addresses.is_support_address(r) for r in recipients):
        return Result("ignored", "not to the support address"), None, None
    if not new_tickets_allowed():
        answers.polite_answer(session, mail.from_email, "rejected_new")
        return Result("rejected", "HELPDESK_INBOUND_NEW=reject"), None, None
    if not policy.can(MailSender(email=mail.from_email, account=user), Action.OPEN_TICKET):
        return Result("ignored", "staff mail to the support address"), None, None
    registered = user is not None and bool(user.password_hash)
    if registered:
        same = new_ticket.find_similar_open_ticket(session, user, mail.subject)
        if same is not None:
            outcome, ticket, message_id = _reply(session, user, same, mail)
            return Result(outcome, "duplicate check"), ticket, message_id
    files, refused = _validated_files(mail)
    draft = _draft(session, user if registered else None, mail, files)
    if refused:
        names = ", ".join(refused)
        draft.description += f"\n\n[{i18n.translate('mail_in.files_refused', 'es', names=names)}]"
    try:
        ticket = tickets.create_ticket(session, user if registered else None, draft, locale="es")
    except ServiceError as err:
        from helpdesk.services import fair_use

        if isinstance(err, fair_use.FairUseRefused):
            fair_use.tell_by_mail(session, mail.from_email, err)
            return Result("refused", err.code), None, None
        return Result("ignored", f"not opened: {err.code}"), None, None
    first = session.exec(
        select(col(tickets.Message.id)).where(tickets.Message.ticket_id == ticket.id).order_by(tickets.Message.id)
    ).first()
    return Result("ticket", "registered" if registered else "guest"), ticket, first


def ticket_for_number(session: Session, number: int) -> Optional[Ticket]:
    return session.exec(select(Ticket).where(Ticket.number == number)).first()
