"""Customer data in article text: placeholders for it (drafts from tickets, kb_drafts) and a
check that a draft written from a ticket holds none before it is published (kb.set_published).

No database access: callers pass the names and ticket numbers to look for.
"""

from __future__ import annotations

import re
from typing import Iterable

PLACEHOLDERS = {
    "es": {"email": "[correo]", "phone": "[teléfono]", "name": "[cliente]", "org": "[empresa]",
           "ticket": "[n.º de ticket]", "question": "La pregunta", "answer": "La respuesta"},
    "en": {"email": "[email]", "phone": "[phone]", "name": "[customer]", "org": "[company]",
           "ticket": "[ticket no.]", "question": "The question", "answer": "The answer"},
}
EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# 9+ digits, maybe grouped by spaces, dots, dashes or brackets, maybe with +34 / 0034 in front.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[ .\-()/]{0,2}\d){8,14}(?!\w)")
TICKET_RE = re.compile(r"(?:#|\b(?:ticket|tique|incidencia|caso|case)\s*(?:n\.?\s*[º°o]?\.?\s*|no\.?\s*|#\s*)?)(\d{2,9})\b",
                       re.IGNORECASE)
MIN_NAME_PART = 3


def scrub(text: str, *, names: Iterable[str] = (), numbers: Iterable[int] = (), locale: str = "es") -> str:
    """`text` with e-mail addresses, phone numbers, the given names and ticket numbers replaced
    by placeholders in `locale`."""
    marks = PLACEHOLDERS.get(locale, PLACEHOLDERS["es"])
    out = EMAIL_RE.sub(marks["email"], text or "")
    out = TICKET_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)].rstrip("#") + marks["ticket"], out)
    for number in numbers:
        out = re.sub(rf"(?<![\w\[]){int(number)}(?!\w)", marks["ticket"], out)
    out = PHONE_RE.sub(marks["phone"], out)
    # Longest first, so "Lucía Pérez" goes as one before "Lucía" alone.
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= MIN_NAME_PART}, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", marks["name"], out, flags=re.IGNORECASE)
    return out


def names_of(full_name: str) -> list[str]:
    """What to look for of a person's name: the whole of it and each part of 3+ letters."""
    parts = [p for p in re.split(r"[\s,]+", full_name or "") if len(p) >= MIN_NAME_PART]
    return [n for n in [(full_name or "").strip(), *parts] if n]


def customer_data(text: str, *, names: Iterable[str] = (), numbers: Iterable[int] = ()) -> list[str]:
    """What in `text` still looks like customer data: ["email", "phone", "name", "ticket"]."""
    found = []
    if EMAIL_RE.search(text or ""):
        found.append("email")
    if PHONE_RE.search(text or ""):
        found.append("phone")
    lowered = (text or "").lower()
    if any(re.search(rf"(?<!\w){re.escape(n.strip().lower())}(?!\w)", lowered)
           for n in names if n and len(n.strip()) >= MIN_NAME_PART):
        found.append("name")
    if any(re.search(rf"(?<![\w\[]){int(n)}(?!\w)", text or "") for n in numbers):
        found.append("ticket")
    return found
