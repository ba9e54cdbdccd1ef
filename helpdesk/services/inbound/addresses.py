"""Signed ticket references in mail addresses and thread ids.

Every outgoing ticket mail says "answer here" with a Reply-To such as
`soporte+t1042.k3j9x2mq4r@example.com` (the support address's local part, a plus, the ticket
number and a signature), and joins the thread `<ticket.1042.k3j9x2mq4r@example.com>` through
In-Reply-To/References. The signature (HMAC-SHA256 of the number with the server secret) means
nobody can write into a ticket by guessing its number: a reference only counts when it verifies.
It proves the address came from one of our mails, not who is writing: the sender is still
checked against the ticket like a web user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from email.utils import parseaddr
from typing import Iterable, Optional

from helpdesk.infra.settings import get_settings

DEFAULT_SUPPORT_ADDRESS = "soporte@localhost"
SIG_CHARS = 10
_TAG_RE = re.compile(r"^t(\d{1,12})\.([a-z2-7]{%d})$" % SIG_CHARS)
_THREAD_RE = re.compile(r"<?ticket\.(\d{1,12})\.([a-z2-7]{%d})@[^>\s]*>?" % SIG_CHARS, re.IGNORECASE)
_MSGID_RE = re.compile(r"<[^<>\s]{1,500}>")


def support_address() -> str:
    """HELPDESK_SUPPORT_ADDRESS as a bare lower-case address."""
    raw = os.environ.get("HELPDESK_SUPPORT_ADDRESS", "").strip() or DEFAULT_SUPPORT_ADDRESS
    return (parseaddr(raw)[1] or DEFAULT_SUPPORT_ADDRESS).lower()


def _split(address: str) -> tuple[str, str]:
    local, _, domain = address.rpartition("@")
    return local, domain


def signature(number: int) -> str:
    key = get_settings().secret_key.encode()
    mac = hmac.new(key, f"helpdesk.reply.{int(number)}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode().lower()[:SIG_CHARS]


def _valid(number_text: str, sig: str) -> Optional[int]:
    number = int(number_text)
    return number if hmac.compare_digest(signature(number), sig.lower()) else None


def reply_address(number: int) -> str:
    """The Reply-To of every mail about ticket `number`."""
    local, domain = _split(support_address())
    return f"{local}+t{int(number)}.{signature(number)}@{domain}"


def thread_id(number: int) -> str:
    """The ticket's thread root, used as In-Reply-To/References of every mail about it."""
    domain = _split(support_address())[1] or "localhost"
    return f"<ticket.{int(number)}.{signature(number)}@{domain}>"


def number_from_address(address: str) -> Optional[int]:
    """The ticket number of a signed reply address, or None (plain, foreign or forged)."""
    local, domain = _split((address or "").strip().lower())
    base_local, base_domain = _split(support_address())
    if domain != base_domain:
        return None
    base, plus, tag = local.partition("+")
    if not plus or base != base_local:
        return None
    match = _TAG_RE.match(tag)
    return _valid(match.group(1), match.group(2)) if match else None


def is_support_address(address: str) -> bool:
    return (address or "").strip().lower() == support_address()


def numbers_from_references(values: Iterable[str]) -> list[int]:
    """Ticket numbers of our signed thread ids found in In-Reply-To/References, in order."""
    found: list[int] = []
    for value in values:
        for match in _THREAD_RE.finditer(value or ""):
            number = _valid(match.group(1), match.group(2))
            if number is not None and number not in found:
                found.append(number)
    return found


def message_ids(value: str) -> list[str]:
    """The `<...>` ids in a header value (References may hold many)."""
    return _MSGID_RE.findall(value or "")[:100]
