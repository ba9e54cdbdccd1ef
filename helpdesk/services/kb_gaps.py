"""Gaps for the people who write articles: the questions the help center did not answer.

A search is unanswered when it found nothing, when nothing it found was opened, or when a
ticket followed it within 30 minutes. Searches are grouped by meaning (their sorted stems,
computed by `search.meaning` when logged, synonyms folded), so "no me llega la factura" and
"factura no llegó" are one gap, shown with how it was asked and the tickets it led to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import SearchQuery
from helpdesk.domain.tickets import Ticket, TicketStatus
from helpdesk.services import search
from helpdesk.services.authz import require_staff

TICKET_WINDOW = timedelta(minutes=30)
DEFAULT_PERIOD = timedelta(days=90)
TICKETS_SHOWN = 5
PHRASINGS_SHOWN = 3
DRAFTABLE = (TicketStatus.SOLVED.value, TicketStatus.CLOSED.value)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def meaning_of(query: str, locale: str = "es") -> str:
    """The group a query falls in (same analysis as the search log)."""
    return search.meaning(query, locale) or search.normalize_query(query)[:200]


def gaps(
    session: Session, actor: Optional[User], since: Optional[datetime] = None, limit: int = 15,
    now: Optional[datetime] = None,
) -> list[dict]:
    """The top unanswered questions since `since` (default: the last 90 days), most first:
    [{meaning, question, phrasings, unanswered, searches, no_results, no_click, tickets_after,
      last_at, tickets: [{number, subject, status, draftable}]}].

    `question` is the most frequent way it was typed; `tickets` are the tickets opened within
    30 minutes of one of its searches, newest first.
    """
    require_staff(actor)
    now = now or utcnow()
    since = since if since is not None else now - DEFAULT_PERIOD
    limit = max(1, min(int(limit), 100))
    key = SearchQuery.meaning
    in_period = col(SearchQuery.created_at) >= since

    # 1. Searches followed by a ticket (few): which came within the window, per group.
    ticket_hits: dict[str, dict] = defaultdict(lambda: {"count": 0, "clicked": 0, "tickets": {}})
    for gap, clicked, searched_at, number, subject, status, ticket_at in session.exec(
        select(key, SearchQuery.clicked_article_id, SearchQuery.created_at, Ticket.number, Ticket.subject,
               Ticket.status, Ticket.created_at)
        .join(Ticket, Ticket.id == SearchQuery.ticket_id)
        .where(in_period)
    ):
        delay = _aware(ticket_at) - _aware(searched_at)
        if delay > TICKET_WINDOW or delay < -TICKET_WINDOW:
            continue
        hit = ticket_hits[gap]
        hit["count"] += 1
        hit["clicked"] += clicked is not None
        if number not in hit["tickets"]:
            hit["tickets"][number] = {"number": int(number), "subject": subject, "status": status,
                                      "draftable": status in DRAFTABLE, "at": ticket_at}

    # 2. Searches with no result or no click, per group, in SQL.
    unanswered = func.sum(case((or_(SearchQuery.results == 0, col(SearchQuery.clicked_article_id).is_(None)), 1),
                               else_=0)).label("unanswered")
    columns = (key, func.count(), unanswered, func.sum(case((SearchQuery.results == 0, 1), else_=0)),
               func.max(SearchQuery.created_at))
    rows = list(session.exec(
        select(*columns).where(in_period).group_by(key).having(unanswered > 0)
        .order_by(unanswered.desc(), key).limit(limit + len(ticket_hits))
    ).all())
    seen = {row[0] for row in rows}
    missing = [gap for gap in ticket_hits if gap not in seen]
    if missing:
        rows += list(session.exec(select(*columns).where(in_period, col(key).in_(missing)).group_by(key)).all())

    found = []
    for gap, searches, no_answer, no_results, last_at in rows:
        hit = ticket_hits.get(gap, {"count": 0, "clicked": 0, "tickets": {}})
        # A ticket after a search that found nothing is already counted in `no_answer`.
        total = int(no_answer or 0) + hit["clicked"]
        if total <= 0:
            continue
        tickets = sorted(hit["tickets"].values(), key=lambda t: _aware(t["at"]), reverse=True)[:TICKETS_SHOWN]
        found.append({
            "meaning": gap, "unanswered": total, "searches": int(searches), "no_results": int(no_results or 0),
            "no_click": int(no_answer or 0) - int(no_results or 0), "tickets_after": hit["count"],
            "last_at": last_at, "tickets": [{k: v for k, v in t.items() if k != "at"} for t in tickets],
        })
    found.sort(key=lambda g: (-g["unanswered"], -g["tickets_after"], g["meaning"]))
    found = found[:limit]

    # 3. How each gap was typed, most frequent first (one pass over the covering index).
    count = func.count().label("n")
    typed: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for gap, query, n in session.exec(
        select(key, SearchQuery.query, count).where(in_period, col(key).in_([g["meaning"] for g in found]))
        .group_by(key, SearchQuery.query)
    ):
        typed[gap].append((-int(n), query))
    for gap in found:
        gap["phrasings"] = [q for _, q in sorted(typed[gap["meaning"]])[:PHRASINGS_SHOWN]]
        gap["question"] = gap["phrasings"][0] if gap["phrasings"] else gap["meaning"]
    return found
