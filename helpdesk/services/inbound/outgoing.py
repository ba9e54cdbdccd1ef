"""Headers that tie an outgoing ticket mail to its ticket, so the answer finds its way back.

Called by services/mail.py while composing: Reply-To carries the signed ticket address,
In-Reply-To/References the ticket's signed thread id (mail clients keep both in the answer), and
automatic mails say `Auto-Submitted: auto-replied` (RFC 3834) so that vacation responders stay
quiet. A person's reply (an agent's answer) is not automatic.
"""

from __future__ import annotations

from email.message import EmailMessage

from helpdesk.services.inbound import addresses

# Outbox keys of mails a person wrote; every other ticket mail is sent by the machine.
HUMAN_KEY_PREFIXES = ("reply:",)


def is_automatic(idempotency_key: str) -> bool:
    return not (idempotency_key or "").startswith(HUMAN_KEY_PREFIXES)


def _set(msg: EmailMessage, name: str, value: str) -> None:
    if name in msg:
        msg.replace_header(name, value)
    else:
        msg[name] = value


def add_ticket_headers(msg: EmailMessage, ticket_number: int, idempotency_key: str) -> None:
    root = addresses.thread_id(ticket_number)
    _set(msg, "Reply-To", addresses.reply_address(ticket_number))
    _set(msg, "In-Reply-To", root)
    _set(msg, "References", root)
    if is_automatic(idempotency_key):
        _set(msg, "Auto-Submitted", "auto-replied")
