"""Opening a ticket from the public form: the checks around `tickets.create_ticket`.

The form is open to everyone, so before a ticket exists this module stops bots (honeypot,
ALTCHA proof of work, rate limits), stops the same person filing the same problem twice
(seeds 001/003: one ticket per topic), and afterwards ties the visitor's help-center
searches to the ticket so the deflection funnel can tell "read an article and left" from
"read an article and still needed us".

Everything runs in the caller's transaction. Any refusal raises, so the caller's rollback
also undoes a spent captcha or a counted rate-limit hit: a person who mistyped a field can
send the same solved captcha again, and only tickets that really open are counted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Optional

from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User, normalize_email
from helpdesk.domain.catalog import Category, RequestType, Service
from helpdesk.domain.tickets import Ticket, TicketStatus
from helpdesk.services import captcha, kb, links, ratelimit, tickets
from helpdesk.services.errors import ServiceError, ValidationError

# Per account (or guest address) and per IP. The IP limit is looser because an office
# behind one NAT address is many people; the captcha is what makes each try cost a bot.
ACCOUNT_LIMIT = (10, 600)
IP_LIMIT = (30, 600)
# Searches this recent are taken as the ones that led to the ticket.
SEARCH_LINK_WINDOW = timedelta(hours=2)
# Subjects at least this alike (token overlap, or difflib ratio of the normalised text)
# count as the same topic.
SIMILAR_TOKENS = 0.6
SIMILAR_RATIO = 0.85
DUPLICATE_SCAN = 50
VISITOR_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SUGGESTION_LIMIT = 5
MAX_QUERY_CHARS = 200

_OPEN = (TicketStatus.NEW.value, TicketStatus.OPEN.value, TicketStatus.PENDING.value)
_STOPWORDS = frozenset(
    """
    para por con sin los las del que una uno unos unas este esta esto estos estas ese esa
    eso mis mio tus sus nos muy mas pero como cuando donde porque hay hola gracias favor
    the and for with from this that have has not but are was can cannot you your our
    """.split()
)


class DuplicateSuspected(ServiceError):
    """The requester already has an open ticket about (very nearly) the same thing."""

    def __init__(self, number: int, subject: str):
        super().__init__("new_ticket.duplicate", field="subject", number=number, subject=subject)
        self.number = number
        self.subject = subject


class Refused(ServiceError):
    """A bot tripped the honeypot. Deliberately vague: it must not learn why."""

    def __init__(self) -> None:
        super().__init__("new_ticket.not_sent")


@dataclass
class Submission:
    draft: tickets.TicketDraft
    captcha_payload: str = ""
    honeypot: str = ""
    ip: str = ""
    visitor_key: str = ""
    locale: str = "es"
    allow_duplicate: bool = False
    # One per filled-in form, kept server-side: sending the same form twice (a retry after a
    # lost connection) opens one ticket, and the second send is shown that ticket.
    submission_key: str = ""


@dataclass
class Outcome:
    ticket: Ticket
    link: str  # path of the ticket page; guests get the signed `?k=` link
    replied: bool = False  # True when the text went into an existing ticket instead
    searches_linked: int = 0
    files: int = 0


# ------------------------------------------------------------------ choices for the form


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def service_choices(session: Session, locale: str) -> list[Choice]:
    rows = session.exec(select(Service).where(col(Service.is_active).is_(True)).order_by(Service.position, Service.id)).all()
    return [Choice(r.id, (r.name_en or r.name) if locale == "en" else r.name) for r in rows]


def request_type_choices(session: Session, locale: str) -> list[Choice]:
    rows = session.exec(
        select(RequestType).where(col(RequestType.is_active).is_(True)).order_by(RequestType.position, RequestType.id)
    ).all()
    return [Choice(r.id, (r.name_en or r.name) if locale == "en" else r.name) for r in rows]


def parse_id(raw: object) -> Optional[int]:
    """A select's value ("3") as an id; anything else (empty, text, huge) as None."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def valid_visitor_key(raw: object) -> str:
    """The browser's random visitor id, or "" when it is missing or not one of ours."""
    text = str(raw or "")
    return text if VISITOR_KEY_RE.match(text) else ""


# ------------------------------------------------------------------ duplicate guard


def _tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", (text or "").casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[a-z0-9]+", folded)
    # A five-letter prefix is a crude stem: "llamar", "llamadas" and "llamada" meet at "llama".
    return [w[:5] for w in words if (len(w) >= 3 or w.isdigit()) and w not in _STOPWORDS]


def _scores(a: str, b: str) -> tuple[float, float]:
    """(token overlap as Jaccard, difflib ratio of the normalised text), both 0..1."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0, 0.0
    sa, sb = set(ta), set(tb)
    return len(sa & sb) / len(sa | sb), SequenceMatcher(None, " ".join(ta), " ".join(tb)).ratio()


def is_similar(a: str, b: str) -> bool:
    jaccard, ratio = _scores(a, b)
    return jaccard >= SIMILAR_TOKENS or ratio >= SIMILAR_RATIO


def find_similar_open_ticket(session: Session, requester: User, subject: str) -> Optional[Ticket]:
    """The requester's most recently active open ticket about the same thing, if any."""
    rows = session.exec(
        select(Ticket)
        .where(Ticket.requester_id == requester.id, col(Ticket.status).in_(_OPEN))
        .order_by(col(Ticket.last_activity_at).desc(), col(Ticket.id).desc())
        .limit(DUPLICATE_SCAN)
    ).all()
    return next((t for t in rows if is_similar(subject, t.subject)), None)


# ------------------------------------------------------------------ the checks


ACCOUNT_HINT = "tickets.email_has_account"


def _precheck(session: Session, actor: Optional[User], sub: Submission, field_errors: dict[str, str]) -> None:
    """Honeypot, then field errors (with a missing captcha among them), then the captcha, and
    only then "this address has an account"."""
    if (sub.honeypot or "").strip():
        raise Refused()
    errors = dict(field_errors)
    # Told before the captcha, that hint answered "is X a customer?" for free (issue 13).
    has_account = errors.get("email") == ACCOUNT_HINT
    if has_account:
        del errors["email"]
    if not (sub.captcha_payload or "").strip():
        errors["captcha"] = "captcha.required"
    if errors:
        raise ValidationError(errors)
    captcha.require_valid(session, sub.captcha_payload, field="captcha")
    if has_account:
        # Spend the solution and count the try although the caller rolls back: each address
        # probed costs a proof of work and a hit on the per-IP ticket limit.
        if sub.ip:
            ratelimit.hit(session, f"ticket:ip:{sub.ip}", *IP_LIMIT)
        session.commit()
        raise ValidationError({"email": ACCOUNT_HINT})


def _count(session: Session, actor: Optional[User], sub: Submission) -> None:
    who = f"user:{actor.id}" if actor is not None else f"email:{normalize_email(sub.draft.guest_email)}"
    ratelimit.hit(session, f"ticket:{who}", *ACCOUNT_LIMIT)
    if sub.ip:
        ratelimit.hit(session, f"ticket:ip:{sub.ip}", *IP_LIMIT)


def ticket_path(ticket: Ticket, actor: Optional[User], requester_email: str) -> str:
    """Where the person who just wrote can follow the ticket. A guest has no session, so
    they get the same signed link the confirmation mail carries."""
    if actor is not None:
        return f"/tickets/{ticket.number}"
    return f"/tickets/{ticket.number}?k={links.ticket_link_token(ticket.number, requester_email)}"


def _link_searches(session: Session, visitor_key: str, ticket: Ticket, now: datetime) -> int:
    key = valid_visitor_key(visitor_key)
    if not key:
        return 0
    return kb.link_searches_to_ticket(session, key, ticket.id, now - SEARCH_LINK_WINDOW)


def submit(session: Session, actor: Optional[User], sub: Submission, *, now: datetime | None = None) -> Outcome:
    """Open a ticket for `actor` (None: a guest, whose name and e-mail are in the draft).

    Raises Refused (honeypot), ValidationError (fields, missing captcha), ServiceError
    "captcha.invalid", RateLimited, or DuplicateSuspected unless `allow_duplicate`.
    Identity comes only from `actor`: for a signed-in user, name and e-mail in the draft
    are ignored.
    """
    now = now or utcnow()
    # Before the captcha: the first send already spent it.
    done = submitted(session, actor, sub.submission_key)
    if done is not None:
        return done
    draft = sub.draft
    if actor is not None:
        draft = replace(draft, guest_name="", guest_email="")
    _precheck(session, actor, sub, tickets.validate_draft(session, actor, draft))
    _count(session, actor, sub)
    # Guests are not checked: anyone can type any address, and telling them about that
    # person's open tickets (or letting them write into one) would leak and impersonate.
    if actor is not None and not sub.allow_duplicate:
        same = find_similar_open_ticket(session, actor, draft.subject)
        if same is not None:
            raise DuplicateSuspected(same.number, same.subject)
    ticket = tickets.create_ticket(session, actor, draft, locale=sub.locale, now=now, submission_key=sub.submission_key)
    linked = _link_searches(session, sub.visitor_key, ticket, now)
    email = actor.email if actor is not None else normalize_email(draft.guest_email)
    return Outcome(ticket, ticket_path(ticket, actor, email), searches_linked=linked, files=len(draft.attachments))


def submitted(
    session: Session, actor: Optional[User], submission_key: str, *, since: datetime | None = None
) -> Optional[Outcome]:
    """What an earlier send of this form opened (at or after `since`), or None. Only its own
    requester is told; a guest form's key is only ever known to the tab that filled it in."""
    ticket = tickets.find_submitted(session, submission_key)
    if ticket is None or (since is not None and ticket.created_at < since):
        return None
    requester = session.get(User, ticket.requester_id)
    if requester is None or (actor is not None and actor.id != requester.id):
        return None
    return Outcome(ticket, ticket_path(ticket, actor, requester.email))


def add_to_existing(
    session: Session, actor: Optional[User], number: int, sub: Submission, *, now: datetime | None = None
) -> Outcome:
    """Instead of a duplicate: the description (and files) become a reply on `number`.

    Signed-in requesters only; the ticket must be one they may see and still open.
    """
    now = now or utcnow()
    if actor is None:
        raise ServiceError("errors.login_required")
    body = (sub.draft.description or "").strip()
    errors = {}
    if len(body) < 10:
        errors["description"] = "tickets.description_required"
    elif len(body) > tickets.MAX_BODY:
        errors["description"] = "tickets.description_too_long"
    _precheck(session, actor, sub, errors)
    _count(session, actor, sub)
    ticket = tickets.get_ticket(session, actor, number)
    if ticket.status not in _OPEN:
        raise ServiceError("new_ticket.duplicate_closed")
    tickets.add_message(session, actor, ticket.number, body, files=list(sub.draft.attachments), now=now)
    linked = _link_searches(session, sub.visitor_key, ticket, now)
    return Outcome(ticket, ticket_path(ticket, actor, actor.email), replied=True, searches_linked=linked,
                   files=len(sub.draft.attachments))


# ------------------------------------------------------------------ deflection


@dataclass
class Suggestions:
    search_id: Optional[int]
    hits: list = field(default_factory=list)  # search.SearchHit


def suggestion_query(subject: str, description: str) -> str:
    """What to search for while the form is typed: the subject first, then the description."""
    text = " ".join(f"{subject or ''} {description or ''}".split())
    return text[:MAX_QUERY_CHARS]


def suggest(session: Session, subject: str, description: str, locale: str, visitor_key: str) -> Suggestions:
    """Up to five articles for what is being typed, logged as a "ticket_form" search."""
    query = suggestion_query(subject, description)
    if len(query) < 3:
        return Suggestions(None, [])
    from helpdesk.services import search

    hits = search.search_articles(session, query, locale, limit=SUGGESTION_LIMIT)
    search_id = kb.log_search(session, query, len(hits), source="ticket_form", visitor_key=valid_visitor_key(visitor_key))
    return Suggestions(search_id, list(hits)[:SUGGESTION_LIMIT])


def normalized_category(raw: object) -> str:
    value = str(raw or "").strip()
    return value if value in {c.value for c in Category} else ""
