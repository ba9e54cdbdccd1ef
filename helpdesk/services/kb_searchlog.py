"""The help-center search log and what staff read from it: top and unanswered queries, the
worst-rated articles, searches that still ended in a ticket, and the deflection funnel."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import Article, ArticleVote, SearchQuery
from helpdesk.domain.tickets import Ticket
from helpdesk.services import search
from helpdesk.services.authz import require_staff

SEARCH_SOURCES = ("helpcenter", "ticket_form")
# Searches a visitor refines while typing ("fac", "factu", "factura") within this
# window update one log row instead of flooding the analytics with fragments.
REFINE_WINDOW = timedelta(seconds=30)


# --- Search log ------------------------------------------------------------------------


def log_search(
    session: Session, query: str, results: int, source: str = "helpcenter", visitor_key: str = "",
    corrected: str = "", synonyms: tuple[str, ...] = (), locale: str = "es",
) -> Optional[int]:
    """Store a search for the analytics; returns its id (None for an empty query).

    A visitor refining the same search within REFINE_WINDOW updates their last row.
    """
    if source not in SEARCH_SOURCES:
        raise ValueError(f"unknown search source {source!r}")
    normalized = search.normalize_query(query)
    if not normalized:
        return None
    raw = " ".join((query or "").split())[:200]
    visitor_key = (visitor_key or "")[:80]
    now = utcnow()
    extra = {"corrected": (corrected or "")[:200], "synonyms": ",".join(synonyms)[:200],
             "meaning": search.meaning(corrected or query, locale) or normalized[:200]}
    if visitor_key:
        last = session.exec(
            select(SearchQuery)
            .where(SearchQuery.visitor_key == visitor_key, SearchQuery.source == source,
                   col(SearchQuery.created_at) >= now - REFINE_WINDOW)
            .order_by(col(SearchQuery.created_at).desc(), col(SearchQuery.id).desc())
            .limit(1)
        ).first()
        if (
            last is not None
            and last.clicked_article_id is None
            and last.ticket_id is None
            and (normalized.startswith(last.normalized) or last.normalized.startswith(normalized))
        ):
            last.query, last.normalized, last.results, last.created_at = raw, normalized, int(results), now
            for key, value in extra.items():
                setattr(last, key, value)
            session.add(last)
            session.flush()
            return last.id
    row = SearchQuery(query=raw, normalized=normalized, results=int(results), source=source,
                      visitor_key=visitor_key, created_at=now, **extra)
    session.add(row)
    session.flush()
    return row.id


def mark_search_clicked(session: Session, search_id: int, article_id: int) -> None:
    """The visitor opened `article_id` from the results of `search_id`. Unknown ids are ignored."""
    row = session.get(SearchQuery, search_id)
    if row is None or session.get(Article, article_id) is None:
        return
    row.clicked_article_id = article_id
    session.add(row)
    session.flush()


def link_searches_to_ticket(session: Session, visitor_key: str, ticket_id: int, since: datetime) -> int:
    """Mark the visitor's searches since `since` as followed by this ticket. Returns how many."""
    if not visitor_key:
        return 0
    result = session.exec(
        update(SearchQuery)
        .where(SearchQuery.visitor_key == visitor_key, col(SearchQuery.created_at) >= since,
               col(SearchQuery.ticket_id).is_(None))
        .values(ticket_id=ticket_id)
    )
    return result.rowcount or 0


# --- Analytics (staff) -----------------------------------------------------------------


def _since(query, since: Optional[datetime]):  # noqa: ANN001, ANN202
    return query.where(col(SearchQuery.created_at) >= since) if since is not None else query


def top_queries(
    session: Session, actor: Optional[User], since: Optional[datetime] = None, limit: int = 20
) -> list[dict]:
    """Most frequent searches: [{query, searches, avg_results, clicks}]."""
    require_staff(actor)
    searches = func.count().label("searches")
    rows = session.exec(
        _since(
            select(
                SearchQuery.normalized,
                searches,
                func.avg(SearchQuery.results),
                func.count(SearchQuery.clicked_article_id),
            ),
            since,
        )
        .group_by(SearchQuery.normalized)
        .order_by(searches.desc(), SearchQuery.normalized)
        .limit(limit)
    ).all()
    return [
        {"query": q, "searches": int(n), "avg_results": round(float(avg or 0), 1), "clicks": int(clicks)}
        for q, n, avg, clicks in rows
    ]


def no_result_queries(
    session: Session, actor: Optional[User], since: Optional[datetime] = None, limit: int = 20
) -> list[dict]:
    """Searches that found nothing — the articles still to write: [{query, searches, last_at}]."""
    require_staff(actor)
    searches = func.count().label("searches")
    rows = session.exec(
        _since(select(SearchQuery.normalized, searches, func.max(SearchQuery.created_at)), since)
        .where(SearchQuery.results == 0)
        .group_by(SearchQuery.normalized)
        .order_by(searches.desc(), SearchQuery.normalized)
        .limit(limit)
    ).all()
    return [{"query": q, "searches": int(n), "last_at": last} for q, n, last in rows]


def worst_articles(session: Session, actor: Optional[User], limit: int = 10, min_votes: int = 1) -> list[dict]:
    """Articles readers found least helpful, with their latest comments:
    [{id, slug, title, locale, helpful, not_helpful, total, helpful_ratio, comments}]."""
    require_staff(actor)
    helpful = func.sum(case((col(ArticleVote.helpful).is_(True), 1), else_=0))
    total = func.count()
    ratio = (helpful * 1.0 / total).label("ratio")
    rows = session.exec(
        select(Article.id, Article.slug, Article.title, Article.locale, helpful, total, ratio)
        .join(ArticleVote, ArticleVote.article_id == Article.id)
        .group_by(Article.id, Article.slug, Article.title, Article.locale)
        .having(total >= min_votes)
        .order_by(ratio, total.desc(), Article.id)
        .limit(limit)
    ).all()
    out = []
    for article_id, slug, title, locale, yes, n, r in rows:
        comments = session.exec(
            select(ArticleVote.comment)
            .where(ArticleVote.article_id == article_id, col(ArticleVote.helpful).is_(False), ArticleVote.comment != "")
            .order_by(col(ArticleVote.updated_at).desc())
            .limit(5)
        ).all()
        out.append({
            "id": article_id, "slug": slug, "title": title, "locale": locale,
            "helpful": int(yes), "not_helpful": int(n) - int(yes), "total": int(n),
            "helpful_ratio": round(float(r), 3), "comments": list(comments),
        })
    return out


def searches_followed_by_ticket(
    session: Session, actor: Optional[User], since: Optional[datetime] = None, limit: int = 50
) -> list[dict]:
    """Searches after which the visitor still opened a ticket, newest first:
    [{query, results, clicked_article_id, ticket_id, ticket_number, created_at}]."""
    require_staff(actor)
    rows = session.exec(
        _since(
            select(SearchQuery.query, SearchQuery.results, SearchQuery.clicked_article_id, SearchQuery.ticket_id,
                   Ticket.number, SearchQuery.created_at)
            .join(Ticket, Ticket.id == SearchQuery.ticket_id),
            since,
        )
        .order_by(col(SearchQuery.created_at).desc(), col(SearchQuery.id).desc())
        .limit(limit)
    ).all()
    keys = ("query", "results", "clicked_article_id", "ticket_id", "ticket_number", "created_at")
    return [dict(zip(keys, row)) for row in rows]


def deflection_funnel(session: Session, actor: Optional[User], since: Optional[datetime] = None) -> dict:
    """How many searches found something, were clicked, and still ended in a ticket.

    `deflected` counts searches with a click and no ticket afterwards: questions the
    help center most likely answered. `deflection_rate` is deflected / searches.
    """
    require_staff(actor)
    searches, with_results, clicked, tickets, deflected = session.exec(
        _since(
            select(
                func.count(),
                func.coalesce(func.sum(case((SearchQuery.results > 0, 1), else_=0)), 0),
                func.count(SearchQuery.clicked_article_id),
                func.count(SearchQuery.ticket_id),
                func.coalesce(func.sum(case(
                    (col(SearchQuery.clicked_article_id).is_not(None) & col(SearchQuery.ticket_id).is_(None), 1),
                    else_=0,
                )), 0),
            ),
            since,
        )
    ).one()
    searches = int(searches)
    return {
        "searches": searches,
        "with_results": int(with_results),
        "clicked": int(clicked),
        "tickets_after_search": int(tickets),
        "deflected": int(deflected),
        "deflection_rate": round(int(deflected) / searches, 3) if searches else 0.0,
    }
