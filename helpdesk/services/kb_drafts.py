"""One click turns a solved ticket into an article draft for an editor to finish.

The customer's question (subject + first message) and the agent's last public answer become an
UNPUBLISHED article in the ticket's language. Customer data never reaches it: e-mail
addresses, phone numbers, the requester's name (and their organization's) and ticket numbers
are replaced by placeholders before anything is stored. Drafting the same ticket again returns
the draft already made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk.domain.accounts import Organization, User
from helpdesk.domain.kb import Article
from helpdesk.domain.tickets import Message, Ticket
from helpdesk.services import kb, tickets
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import ValidationError
from helpdesk.services.kb_gaps import DRAFTABLE
from helpdesk.services.kb_scrub import PLACEHOLDERS, names_of, scrub

@dataclass(frozen=True)
class Draft:
    article_id: int
    slug: str
    title: str
    created: bool  # False: this ticket had been drafted before


def _names(session: Session, requester: Optional[User]) -> tuple[list[str], list[str]]:
    """The requester's name (whole and in parts) and their organization's name. The e-mail
    address goes by its own pattern; its local part is not a name ("cliente@…")."""
    if requester is None:
        return [], []
    orgs = []
    if requester.organization_id is not None:
        org = session.get(Organization, requester.organization_id)
        if org is not None and org.name:
            orgs.append(org.name)
    return names_of(requester.name or ""), orgs


def existing_draft(session: Session, actor: Optional[User], ticket_id: int) -> Optional[Article]:
    require_staff(actor)
    return session.exec(
        select(Article).where(Article.source_ticket_id == ticket_id).order_by(col(Article.id))
    ).first()


def source_ticket_number(session: Session, actor: Optional[User], article_id: int) -> int:
    """The number of the ticket an article was drafted from (0 if none)."""
    require_staff(actor)
    article = session.get(Article, article_id)
    if article is None or article.source_ticket_id is None:
        return 0
    ticket = session.get(Ticket, article.source_ticket_id)
    return ticket.number if ticket is not None else 0


def draft_from_ticket(session: Session, actor: Optional[User], number: object) -> Draft:
    """Write (or find) the unpublished draft for a solved or closed ticket.

    Raises NotFound for a ticket the actor may not see, PermissionDenied for non-staff and
    ValidationError({"ticket": key}) when the ticket is not solved or has no public answer.
    """
    agent = require_staff(actor)
    ticket: Ticket = tickets.get_ticket(session, agent, number)
    if ticket.status not in DRAFTABLE:
        raise ValidationError({"ticket": "kbdraft.errors.not_solved"})
    found = existing_draft(session, agent, ticket.id)  # type: ignore[arg-type]
    if found is not None:
        return Draft(article_id=found.id, slug=found.slug, title=found.title, created=False)  # type: ignore[arg-type]
    public = [m for m in tickets.messages_for(session, agent, ticket) if not m.is_internal]
    question = next((m for m in public if m.author_id == ticket.requester_id), public[0] if public else None)
    answer = next((m for m in reversed(public) if m.author_id not in (None, ticket.requester_id)), None)
    if question is None or answer is None:
        raise ValidationError({"ticket": "kbdraft.errors.no_answer"})
    locale = ticket.locale if ticket.locale in PLACEHOLDERS else "es"
    marks = PLACEHOLDERS[locale]
    people, orgs = _names(session, session.get(User, ticket.requester_id))

    def clean(text: str) -> str:
        out = scrub(text, names=people, numbers=[ticket.number], locale=locale)
        for org in sorted(orgs, key=len, reverse=True):
            out = re.sub(rf"(?<!\w){re.escape(org)}(?!\w)", marks["org"], out, flags=re.IGNORECASE)
        return out.strip()

    title = clean(ticket.subject)[: kb.TITLE_MAX] or marks["question"]
    body = "\n\n".join([
        f"## {marks['question']}", clean(_text(question)), f"## {marks['answer']}", clean(_text(answer)),
    ])[: kb.BODY_MAX]
    article = kb.create_article(session, agent, title=title, body=body, slug=_free_slug(session, title),
                                locale=locale, is_published=False)
    article.source_ticket_id = ticket.id
    session.add(article)
    session.flush()
    return Draft(article_id=article.id, slug=article.slug, title=article.title, created=True)  # type: ignore[arg-type]


def _text(message: Message) -> str:
    return (message.body or "").strip()


def _free_slug(session: Session, title: str) -> str:
    base = (kb.slugify(title) or "borrador")[: kb.SLUG_MAX - 12].strip("-") or "borrador"
    slug, n = base, 1
    while session.exec(select(Article.id).where(Article.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug
