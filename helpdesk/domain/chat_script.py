"""The chat's script as data, and the pure rules that walk it.

A conversation is a dict of answers. `next_step` reads which answer is missing next; the
service asks it, checks the reply against the step's choices and stores it. Nothing here
touches the database or Reflex, so the whole flow is tested directly.

Steps: reason -> service -> request type (peticiones only) -> the admin's yes/no questions
for that service -> description (articles offered) -> attachments -> name, e-mail, phone
(guests) -> confirm (captcha) -> done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

REASONS = ("consulta", "peticion", "anomalia")
PRIORITY_ORDER = ("low", "medium", "high", "urgent")
# What a customer's answers may suggest at most: "urgent" is the premium lane, never self-served.
RAISABLE = ("medium", "high")

# Which input each step takes. "options": buttons; "text": the free-text box; "upload":
# the file picker plus a "continue" button; "confirm": captcha and send.
STEP_KINDS = {
    "reason": "options",
    "service": "options",
    "request_type": "options",
    "question": "options",
    "description": "text",
    "suggest": "options",
    "attachments": "upload",
    "name": "text",
    "email": "text",
    "phone": "text",
    "confirm": "confirm",
    "done": "done",
}

MIN_DESCRIPTION = 10
SUBJECT_CHARS = 80


@dataclass(frozen=True)
class Question:
    id: int
    text_es: str
    text_en: str
    raises_to: str = "high"

    def text(self, locale: str) -> str:
        return (self.text_en or self.text_es) if locale == "en" else self.text_es


@dataclass(frozen=True)
class Step:
    name: str  # one of STEP_KINDS
    question_id: Optional[int] = None

    @property
    def kind(self) -> str:
        return STEP_KINDS[self.name]

    @property
    def key(self) -> str:
        return f"q{self.question_id}" if self.name == "question" else self.name


def next_step(answers: dict, questions: list[Question], *, needs_contact: bool) -> Step:
    """The first unanswered step. `needs_contact`: a guest with no verified identity."""
    if answers.get("done"):
        return Step("done")
    for name in ("reason", "service"):
        if name not in answers:
            return Step(name)
    if answers["reason"] == "peticion" and "request_type" not in answers:
        return Step("request_type")
    replies = answers.get("questions", {})
    for q in questions:
        if str(q.id) not in replies:
            return Step("question", q.id)
    if "description" not in answers:
        return Step("description")
    if answers.get("suggested") and "suggest" not in answers:
        return Step("suggest")
    if "attachments" not in answers:
        return Step("attachments")
    if needs_contact:
        for name in ("name", "email", "phone"):
            if name not in answers:
                return Step(name)
    return Step("confirm")


def suggested_priority(answers: dict, questions: list[Question]) -> tuple[Optional[str], Optional[Question]]:
    """The highest priority a "yes" suggests, and the question that decided it."""
    replies = answers.get("questions", {})
    best: tuple[Optional[str], Optional[Question]] = (None, None)
    for q in questions:
        if replies.get(str(q.id)) != "yes" or q.raises_to not in RAISABLE:
            continue
        if best[0] is None or PRIORITY_ORDER.index(q.raises_to) > PRIORITY_ORDER.index(best[0]):
            best = (q.raises_to, q)
    return best


def subject_from(description: str) -> str:
    """A subject for the ticket: the description's first line, cut at a word."""
    first = " ".join((description or "").strip().splitlines()[0].split()) if (description or "").strip() else ""
    if len(first) <= SUBJECT_CHARS:
        return first
    cut = first[:SUBJECT_CHARS].rsplit(" ", 1)[0]
    return (cut or first[:SUBJECT_CHARS]) + "…"


def forget_from(answers: dict, step_key: str) -> dict:
    """Answers with `step_key` and everything asked after it removed ("change my answer")."""
    order = ["reason", "service", "request_type", "questions", "description", "suggested", "suggest",
             "search_id", "attachments", "name", "email", "phone"]
    if step_key not in order:
        return dict(answers)
    drop = set(order[order.index(step_key):])
    return {k: v for k, v in answers.items() if k not in drop}
