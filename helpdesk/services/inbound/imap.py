"""Polling a mailbox over IMAP (imap-tools), for companies that only have a mailbox.

`HELPDESK_IMAP_URL` is `imaps://user:pass@host[:port]/INBOX` (`imap://` for plain or, with
`?starttls=1`, STARTTLS; `?move=Folder` moves handled mail there instead of flagging it seen).
Only unseen messages are read, without marking them, and each is flagged (or moved) only
after `receive` has committed it. A crash in between leaves it unseen; the next poll reads it
again and `receive` recognises it by its dedupe key, so no mail is lost or taken twice.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

from helpdesk.services.inbound import addresses
from helpdesk.services.inbound.service import receive

log = logging.getLogger("helpdesk.inbound.imap")

BATCH = 50


@dataclass(frozen=True)
class ImapTarget:
    secure: bool
    starttls: bool
    host: str
    port: int
    user: str
    password: str
    folder: str
    move_to: str


def parse_url(url: str) -> ImapTarget:
    u = urlparse(url)
    if u.scheme not in ("imap", "imaps") or not u.hostname:
        raise ValueError("HELPDESK_IMAP_URL must look like imaps://user:pass@host/INBOX")
    query = parse_qs(u.query)
    secure = u.scheme == "imaps"
    return ImapTarget(
        secure=secure,
        starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        host=u.hostname,
        port=u.port or (993 if secure else 143),
        user=unquote(u.username or ""),
        password=unquote(u.password or ""),
        folder=unquote(u.path.lstrip("/")) or "INBOX",
        move_to=query.get("move", [""])[0],
    )


def _mailbox(target: ImapTarget):
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    if target.secure:
        return MailBox(target.host, target.port)
    if target.starttls:
        return MailBoxStartTls(target.host, target.port)
    return MailBoxUnencrypted(target.host, target.port)


def poll_once(url: str | None = None, session_factory=None) -> int:
    """Take every unseen mail of the mailbox; returns how many were handled."""
    from imap_tools import AND, MailMessageFlags

    target = parse_url(url or os.environ.get("HELPDESK_IMAP_URL", ""))
    handled = 0
    with _mailbox(target).login(target.user, target.password, initial_folder=target.folder) as box:
        if target.move_to and not box.folder.exists(target.move_to):
            box.folder.create(target.move_to)
        for msg in box.fetch(AND(seen=False), mark_seen=False, limit=BATCH, bulk=True):
            raw = bytes(msg.obj)
            result = receive(raw, recipients=[addresses.support_address()], source="imap",
                             session_factory=session_factory)
            if target.move_to:
                box.move(msg.uid, target.move_to)
            else:
                box.flag(msg.uid, MailMessageFlags.SEEN, True)
            handled += 1
            log.debug("imap uid %s: %s", msg.uid, result.outcome)
    return handled
