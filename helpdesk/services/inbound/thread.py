"""Which ticket a received mail belongs to, and what bounces refer to.

Order (issue 16): a signed reply address among the recipients, then our signed thread id in
In-Reply-To/References, then `[#1042]` in the subject, the last one only when the sender may
write on that ticket (a subject is typed by anyone; the other two come from our own mails).
"""

from __future__ import annotations

import hashlib
import re
from email.parser import HeaderParser
from email.utils import parseaddr
from typing import Callable, Iterable, Optional

from sqlmodel import Session, select

from helpdesk.domain.mail import OutboxMail
from helpdesk.domain.tickets import Ticket
from helpdesk.services.inbound import addresses
from helpdesk.services.inbound.parse import ParsedMail

_SUBJECT_NUMBER = re.compile(r"\[#(\d{1,12})\]")


def by_address(recipients: Iterable[str]) -> Optional[int]:
    for rcpt in recipients:
        number = addresses.number_from_address(parseaddr(rcpt or "")[1] or rcpt or "")
        if number is not None:
            return number
    return None


def by_headers(mail: ParsedMail) -> Optional[int]:
    found = addresses.numbers_from_references([mail.in_reply_to, mail.references])
    return found[0] if found else None


def by_subject(subject: str) -> Optional[int]:
    match = _SUBJECT_NUMBER.search(subject or "")
    return int(match.group(1)) if match else None


def find_ticket(
    session: Session, mail: ParsedMail, recipients: Iterable[str], may_write: Callable[[Ticket], bool]
) -> tuple[Optional[Ticket], str]:
    """(ticket, how it was found) or (None, "")."""
    for how, number in (("address", by_address(recipients)), ("references", by_headers(mail))):
        if number is not None:
            ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
            if ticket is not None:
                return ticket, how
    number = by_subject(mail.subject)
    if number is not None:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is not None and may_write(ticket):
            return ticket, "subject"
    return None, ""


def _local_id(message_id: str) -> str:
    return message_id.strip().strip("<>").partition("@")[0].lower()


def bounced_mail(session: Session, dsn_headers: str) -> Optional[OutboxMail]:
    """The outgoing mail a bounce report returns, found through the ticket its headers name."""
    if not dsn_headers:
        return None
    try:
        headers = HeaderParser().parsestr(dsn_headers, headersonly=True)
        message_id = str(headers.get("Message-ID", "") or "")
        refs = [str(headers.get("References", "") or ""), str(headers.get("In-Reply-To", "") or "")]
        reply_to = str(headers.get("Reply-To", "") or "")
    except Exception:  # noqa: BLE001 - a mangled report refers to nothing
        return None
    numbers = addresses.numbers_from_references(refs)
    number = numbers[0] if numbers else by_address([reply_to])
    if number is None or not message_id:
        return None
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None:
        return None
    wanted = _local_id(message_id)
    # Message-IDs are derived from the outbox key (services/mail.py): recompute for this ticket's mails.
    for row in session.exec(select(OutboxMail).where(OutboxMail.ticket_id == ticket.id)).all():
        if hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:40] == wanted:
            return row
    return None
