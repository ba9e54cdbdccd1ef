"""Cutting quoted history and signatures off a reply (Spanish and English).

mail-parser-reply does the bulk (its own header and signature patterns for both languages);
a few patterns it misses are cut here too: Gmail's Spanish "El ... escribió:" header (the
library's pattern wants two spaces before "escribió"), a header wrapped over two lines,
Outlook's "De:/Enviado:" block, "-----Mensaje original-----", and a trailing "> " quote.
"""

from __future__ import annotations

import re

_HEADER_LINES = [
    re.compile(r"^\s*(El|On)\s.{0,300}(escribió|wrote)\s*:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Mensaje original|Original Message|Forwarded message|Mensaje reenviado)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
]
_WRAPPED_END = re.compile(r"(escribió|wrote)\s*:\s*$", re.IGNORECASE)
_WRAPPED_START = re.compile(r"^\s*(El|On)\s", re.IGNORECASE)
_OUTLOOK = re.compile(r"^\s*\*?(De|From)\s*:\*?\s.+$", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Enviado|Sent|Fecha|Date|Para|To|Asunto|Subject)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(r"^(-- ?|—)$")
_SENT_FROM = re.compile(r"^\s*(Enviado desde mi|Sent from my)\s.{0,80}$", re.IGNORECASE)


def _library_cut(text: str) -> str:
    try:
        from mailparser_reply import EmailReplyParser

        reply = EmailReplyParser(languages=["es", "en"]).parse_reply(text=text)
    except Exception:  # noqa: BLE001 - the library on hostile input: keep our own cut only
        return text
    return reply if reply and reply.strip() else text


def _cut_at(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if any(p.match(line) for p in _HEADER_LINES):
            return i
        if i > 0 and _WRAPPED_END.search(line) and _WRAPPED_START.match(lines[i - 1]) and not lines[i - 1].strip().endswith(":"):
            return i - 1
        if _OUTLOOK.match(line) and i + 1 < len(lines) and _OUTLOOK_NEXT.match(lines[i + 1]):
            return i
        if _SIGNATURE.match(line.rstrip()) or _SENT_FROM.match(line):
            return i
    return len(lines)


def strip_reply(text: str) -> str:
    """The new part of a reply: no quoted history, no signature block."""
    text = (text or "").replace("\r\n", "\n")
    lines = _library_cut(text).split("\n")
    lines = lines[: _cut_at(lines)]
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()  # a quote left at the end (top posting without a header line)
    return "\n".join(line.rstrip() for line in lines).strip()
