"""Per-article figures for editors: views, votes, the "no" reasons and the tickets the article
headed off, by week; and the searches that synonyms widened.

"Headed off" (issue 20): a search that opened this article and was not followed by a ticket
within 24 hours. Only searches whose 24 hours are over count; younger ones are `pending`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import Article, ArticleVote, ArticleViewDay, SearchQuery
from helpdesk.domain.tickets import Ticket
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound

HEADED_OFF_WINDOW = timedelta(hours=24)
MAX_WEEKS = 52
REASONS_SHOWN = 10


def record_view(session: Session, article_id: int, day: Optional[date] = None) -> None:
    """Count one reader view of the article on `day` (today, UTC): one upsert, safe under
    concurrent readers on SQLite and PostgreSQL."""
    day = day or utcnow().date()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ArticleViewDay.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(article_id=article_id, day=day, views=1)
    session.exec(stmt.on_conflict_do_update(  # type: ignore[call-overload]
        index_elements=["article_id", "day"], set_={"views": table.c.views + 1}))


def delete_views(session: Session, article_id: int) -> None:
    for row in session.exec(select(ArticleViewDay).where(ArticleViewDay.article_id == article_id)):
        session.delete(row)


def week_of(moment: date | datetime) -> date:
    """The Monday that starts the (UTC) week of `moment`."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def article_stats(
    session: Session, actor: Optional[User], article_id: int, weeks: int = 12, now: Optional[datetime] = None
) -> dict:
    """{article_id, title, views_total, views, helpful, not_helpful, headed_off, pending,
    reasons: [{comment, at}], weeks: [{week (Monday, date), views, helpful, not_helpful, headed_off}]}.

    Totals cover the whole life of the article (views_total is the article's counter, `views`
    the days counted since migration 0019); `weeks` the last `weeks` weeks, oldest first.
    """
    require_staff(actor)
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound()
    now = now or utcnow()
    weeks = max(1, min(int(weeks), MAX_WEEKS))
    first = week_of(now) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    series = {first + timedelta(weeks=i): {"views": 0, "helpful": 0, "not_helpful": 0, "headed_off": 0}
              for i in range(weeks)}

    views_all = 0
    for day, views in session.exec(
        select(ArticleViewDay.day, ArticleViewDay.views).where(ArticleViewDay.article_id == article_id)
    ):
        views_all += int(views)
        bucket = series.get(week_of(day))
        if bucket is not None:
            bucket["views"] += int(views)

    helpful = not_helpful = 0
    for is_yes, at in session.exec(
        select(ArticleVote.helpful, ArticleVote.updated_at).where(ArticleVote.article_id == article_id)
    ):
        helpful += bool(is_yes)
        not_helpful += not is_yes
        bucket = series.get(week_of(at))
        if bucket is not None:
            bucket["helpful" if is_yes else "not_helpful"] += 1

    headed_off = pending = 0
    for searched_at, ticket_at in session.exec(
        select(SearchQuery.created_at, Ticket.created_at)
        .select_from(SearchQuery)
        .outerjoin(Ticket, Ticket.id == SearchQuery.ticket_id)
        .where(SearchQuery.clicked_article_id == article_id)
    ):
        searched_at = _aware(searched_at)
        if now - searched_at < HEADED_OFF_WINDOW:
            pending += 1
            continue
        if ticket_at is not None and _aware(ticket_at) - searched_at <= HEADED_OFF_WINDOW:
            continue
        headed_off += 1
        if searched_at >= start:
            bucket = series.get(week_of(searched_at))
            if bucket is not None:
                bucket["headed_off"] += 1

    reasons = session.exec(
        select(ArticleVote.comment, ArticleVote.updated_at)
        .where(ArticleVote.article_id == article_id, col(ArticleVote.helpful).is_(False), ArticleVote.comment != "")
        .order_by(col(ArticleVote.updated_at).desc(), col(ArticleVote.id).desc())
        .limit(REASONS_SHOWN)
    ).all()
    return {
        "article_id": article_id, "title": article.title, "views_total": int(article.views), "views": views_all,
        "helpful": helpful, "not_helpful": not_helpful, "headed_off": headed_off, "pending": pending,
        "reasons": [{"comment": c, "at": at} for c, at in reasons],
        "weeks": [{"week": week, **counts} for week, counts in series.items()],
    }


def synonym_hits(
    session: Session, actor: Optional[User], since: Optional[datetime] = None, limit: int = 20
) -> list[dict]:
    """Searches that synonyms widened, by the words that were widened:
    [{words, searches, clicks, no_results}] (SearchQuery.synonyms, written by log_search)."""
    require_staff(actor)
    searches = func.count().label("searches")
    query = (
        select(SearchQuery.synonyms, searches, func.count(SearchQuery.clicked_article_id),
               func.sum(case((SearchQuery.results == 0, 1), else_=0)))
        .where(SearchQuery.synonyms != "")
        .group_by(SearchQuery.synonyms)
        .order_by(searches.desc(), SearchQuery.synonyms)
        .limit(limit)
    )
    if since is not None:
        query = query.where(col(SearchQuery.created_at) >= since)
    return [
        {"words": words.replace(",", ", "), "searches": int(n), "clicks": int(clicks), "no_results": int(empty or 0)}
        for words, n, clicks, empty in session.exec(query).all()
    ]
