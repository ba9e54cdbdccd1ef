"""Reading a received mail: headers, body as plain text, files. Hostile input never raises.

Everything here is pure (no database). The body is always plain text: an HTML-only mail is
turned into text with inscriptis, and that text is shown escaped like any reply, never as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from helpdesk.domain.accounts import normalize_email

MAX_SUBJECT = 300
MAX_FILES = 10
MAX_HEADER_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BODY_TYPES = ("text/plain", "text/html")


@dataclass
class ParsedMail:
    from_email: str = ""
    from_name: str = ""
    recipients: list[str] = field(default_factory=list)  # To, Cc, Delivered-To (bare addresses)
    subject: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    auto_submitted: str = ""  # why this is machine mail ("" for a person's mail)
    is_dsn: bool = False
    dsn_headers: str = ""  # the returned mail's headers, from a bounce report
    text: str = ""
    html_only: bool = False
    files: list[tuple[str, bytes]] = field(default_factory=list)
    dropped_files: int = 0


def header(msg: Message, name: str) -> str:
    """One header as a single clean line; "" when missing or undecodable."""
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a malformed header is as good as none
        return ""
    if value is None:
        return ""
    text = _CONTROL.sub(" ", str(value))
    return " ".join(text.split())[:MAX_HEADER_CHARS]


def _address(msg: Message, name: str) -> tuple[str, str]:
    raw = header(msg, name)
    display, address = parseaddr(raw)
    address = normalize_email(address)
    if "@" not in address or any(ch in address for ch in " <>,;\"\\"):
        return display, ""
    return display[:200], address


def _addresses(msg: Message, *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        try:
            values = msg.get_all(name) or []
        except Exception:  # noqa: BLE001
            continue
        for _, addr in getaddresses([_CONTROL.sub(" ", str(v))[:MAX_HEADER_CHARS] for v in values]):
            addr = normalize_email(addr)
            if "@" in addr and addr not in out:
                out.append(addr)
    return out[:50]


def machine_reason(msg: Message, envelope_from: str | None) -> str:
    """Why this mail was sent by a machine (auto-reply, list, bounce), or "" for a person."""
    auto = header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "auto-submitted"
    if header(msg, "X-Autoreply") or header(msg, "X-Autorespond") or header(msg, "X-Auto-Response-Suppress").lower() == "all":
        return "autoreply"
    if header(msg, "Precedence").lower() in ("bulk", "list", "junk", "auto_reply"):
        return "precedence"
    if header(msg, "List-Id") or header(msg, "List-Unsubscribe"):
        return "list"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "null-sender"
    if header(msg, "Return-Path").strip() == "<>":
        return "null-sender"
    return ""


def _decode_text(part: Message) -> str:
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except Exception:  # noqa: BLE001 - unknown charset, broken transfer encoding
        pass
    payload = part.get_payload(decode=True) or b""
    if isinstance(payload, str):
        return payload
    for charset in (part.get_content_charset() or "utf-8", "utf-8"):
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


def html_to_text(html: str) -> str:
    from inscriptis import get_text

    try:
        return get_text(html[:2_000_000])
    except Exception:  # noqa: BLE001 - hostile markup falls back to tag stripping
        return re.sub(r"<[^>]*>", " ", html)


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if name:
        return str(name)
    subtype = (part.get_content_subtype() or "bin")[:10]
    return f"adjunto-{index}.{subtype}"


def _is_file(part: Message, body_part: Message | None) -> bool:
    if part is body_part or part.is_multipart():
        return False
    ctype = part.get_content_type()
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    if ctype.startswith("image/"):
        return True  # inline images (signatures, pasted screenshots) become attachments
    if ctype in _BODY_TYPES or ctype.startswith("message/") or ctype.startswith("multipart/"):
        return False
    return disposition == "inline" or bool(part.get_filename())


def _dsn_headers(msg: Message) -> str:
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/rfc822-headers":
            return _decode_text(part)[:20000]
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                return "\n".join(f"{k}: {v}" for k, v in inner.items())[:20000]
    return ""


def _is_dsn(msg: Message) -> bool:
    ctype = msg.get_content_type()
    if ctype == "multipart/report":
        return True
    return any(p.get_content_type() in ("message/delivery-status", "message/disposition-notification") for p in msg.walk())


def parse(raw: bytes, envelope_from: str | None = None) -> ParsedMail:
    """Everything the inbound service needs from a mail, tolerant of any bytes."""
    msg: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
    name, address = _address(msg, "From")
    out = ParsedMail(from_email=address, from_name=name)
    out.recipients = _addresses(msg, "To", "Cc", "Delivered-To", "X-Original-To")
    out.subject = header(msg, "Subject")[:MAX_SUBJECT]
    out.message_id = header(msg, "Message-ID")[:300]
    out.in_reply_to = header(msg, "In-Reply-To")
    out.references = header(msg, "References")
    out.auto_submitted = machine_reason(msg, envelope_from)
    try:
        out.is_dsn = _is_dsn(msg)
        if out.is_dsn:
            out.dsn_headers = _dsn_headers(msg)
            return out
        body_part = msg.get_body(preferencelist=("plain", "html")) if msg.is_multipart() else msg
        if body_part is not None and body_part.get_content_type() in _BODY_TYPES:
            text = _decode_text(body_part)
            if body_part.get_content_type() == "text/html":
                out.html_only, text = True, html_to_text(text)
            out.text = text.replace("\r\n", "\n").replace("\x00", "")
        else:
            body_part = None
        index = 0
        for part in msg.walk():
            if not _is_file(part, body_part):
                continue
            index += 1
            if len(out.files) >= MAX_FILES:
                out.dropped_files += 1
                continue
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                out.files.append((_filename(part, index), data))
    except Exception:  # noqa: BLE001 - broken MIME: keep what was read so far
        pass
    return out
