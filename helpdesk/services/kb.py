"""Help-center use cases: articles (public reading, staff editing), votes, search log, analytics.

Public functions take the acting user (None for a guest) where access depends on it.
Every change to an article updates the search index in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Optional

from sqlalchemy import case, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import Article, ArticleCategory, ArticleVote, SearchQuery
from helpdesk.domain.tickets import Ticket
from helpdesk.services import search
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound, ValidationError
from helpdesk.services.search.analysis import fold, loosen

LOCALES = search.LOCALES
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TITLE_MAX = 200
SLUG_MAX = 160
SUMMARY_MAX = 500
BODY_MAX = 100_000
COMMENT_MAX = 1000
SEARCH_SOURCES = ("helpcenter", "ticket_form")
# Searches a visitor refines while typing ("fac", "factu", "factura") within this
# window update one log row instead of flooding the analytics with fragments.
REFINE_WINDOW = timedelta(seconds=30)

_EDITABLE = ("title", "slug", "summary", "body", "locale", "category_id", "translation_key", "related_slugs")


# --- Categories and reading ------------------------------------------------------------


@dataclass(frozen=True)
class CategoryView:
    id: int
    slug: str
    name: str
    description: str
    icon: str
    position: int
    article_count: int

    def to_dict(self) -> dict:
        return asdict(self)


def _category_view(category: ArticleCategory, locale: str, count: int) -> CategoryView:
    english = locale == "en"
    return CategoryView(
        id=category.id,  # type: ignore[arg-type]
        slug=category.slug,
        name=(category.name_en or category.name) if english else category.name,
        description=(category.description_en or category.description) if english else category.description,
        icon=category.icon,
        position=category.position,
        article_count=count,
    )


def _published(locale: str):  # noqa: ANN202 - a SQL expression
    return (col(Article.is_published).is_(True)) & (Article.locale == locale)


def list_categories(session: Session, locale: str = "es") -> list[CategoryView]:
    """Categories in display order, named in `locale`, with their published article counts."""
    counts = dict(
        session.exec(
            select(Article.category_id, func.count()).where(_published(locale)).group_by(Article.category_id)
        ).all()
    )
    categories = session.exec(select(ArticleCategory).order_by(ArticleCategory.position, ArticleCategory.id)).all()
    return [_category_view(c, locale, counts.get(c.id, 0)) for c in categories]


def category_articles(session: Session, category_slug: str, locale: str = "es") -> tuple[CategoryView, list[Article]]:
    """A category (named in `locale`) and its published articles in that language, by title."""
    category = session.exec(select(ArticleCategory).where(ArticleCategory.slug == category_slug)).first()
    if category is None:
        raise NotFound()
    articles = session.exec(
        select(Article).where(_published(locale), Article.category_id == category.id).order_by(Article.title)
    ).all()
    return _category_view(category, locale, len(articles)), list(articles)


def get_article(session: Session, slug: str, actor: Optional[User] = None, count_view: bool = True) -> Article:
    """An article by slug. Drafts exist only for staff: anyone else gets NotFound.

    Counts a view unless the reader is staff (editors previewing would skew "popular").
    """
    article = session.exec(select(Article).where(Article.slug == (slug or "").strip().lower())).first()
    is_staff = actor is not None and actor.is_active and actor.is_staff
    if article is None or (not article.is_published and not is_staff):
        raise NotFound()
    if count_view and not is_staff:
        # Incremented in SQL so concurrent readers never overwrite each other's count.
        session.exec(
            update(Article)
            .where(Article.id == article.id)
            .values(views=Article.views + 1)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(article, "views", article.views + 1)
    return article


def article_translation(session: Session, article: Article, locale: str) -> Optional[Article]:
    """The published version of `article` in another language, if there is one."""
    if article.locale == locale:
        return article
    if not article.translation_key:
        return None
    return session.exec(
        select(Article).where(_published(locale), Article.translation_key == article.translation_key)
    ).first()


def popular_articles(session: Session, locale: str = "es", limit: int = 5) -> list[Article]:
    return list(
        session.exec(
            select(Article).where(_published(locale)).order_by(col(Article.views).desc(), Article.id).limit(limit)
        ).all()
    )


def related_articles(session: Session, article: Article, limit: int = 5) -> list[Article]:
    """The article's own related links first (in its language when translated), then
    the most read articles of its category."""
    wanted = [s.strip() for s in (article.related_slugs or "").split(",") if s.strip()]
    out: list[Article] = []
    if wanted:
        found = {
            a.slug: a
            for a in session.exec(
                select(Article).where(col(Article.slug).in_(wanted), col(Article.is_published).is_(True))
            )
        }
        for slug in wanted:
            candidate = found.get(slug)
            if candidate is not None and candidate.locale != article.locale:
                candidate = article_translation(session, candidate, article.locale)
            if candidate is not None and candidate.id != article.id and candidate.id not in {a.id for a in out}:
                out.append(candidate)
    if len(out) < limit and article.category_id is not None:
        taken = [a.id for a in out] + [article.id]
        out += session.exec(
            select(Article)
            .where(
                _published(article.locale),
                Article.category_id == article.category_id,
                col(Article.id).not_in(taken),
            )
            .order_by(col(Article.views).desc(), Article.id)
            .limit(limit - len(out))
        ).all()
    return out[:limit]


# --- Staff editing ---------------------------------------------------------------------


def slugify(text: str) -> str:
    """URL slug from a title: "Cómo cambiar la contraseña" → "como-cambiar-la-contrasena"."""
    return re.sub(r"[^a-z0-9]+", "-", loosen(fold(text or ""))).strip("-")[:SLUG_MAX].strip("-")


def _normalize_related(raw: str) -> str:
    return ",".join(dict.fromkeys(s.strip().lower() for s in (raw or "").split(",") if s.strip()))


def _validate(session: Session, article: Article | SimpleNamespace) -> None:
    errors: dict[str, str] = {}
    if not article.title:
        errors["title"] = "errors.required"
    elif len(article.title) > TITLE_MAX:
        errors["title"] = "errors.too_long"
    if not article.slug:
        errors["slug"] = "errors.required"
    elif len(article.slug) > SLUG_MAX or not SLUG_RE.match(article.slug):
        errors["slug"] = "errors.invalid_slug"
    else:
        clash = session.exec(select(Article.id).where(Article.slug == article.slug)).first()
        if clash is not None and clash != article.id:
            errors["slug"] = "errors.slug_taken"
    if not article.body:
        errors["body"] = "errors.required"
    elif len(article.body) > BODY_MAX:
        errors["body"] = "errors.too_long"
    if len(article.summary) > SUMMARY_MAX:
        errors["summary"] = "errors.too_long"
    if article.locale not in LOCALES:
        errors["locale"] = "errors.invalid_choice"
    if article.category_id is not None and session.get(ArticleCategory, article.category_id) is None:
        errors["category_id"] = "errors.invalid_choice"
    if errors:
        raise ValidationError(errors)


def _clean(field: str, value: object) -> object:
    if field in ("title", "summary", "translation_key"):
        return str(value or "").strip()
    if field == "slug":
        return str(value or "").strip().lower()
    if field == "body":
        return str(value or "").strip("\n")
    if field == "locale":
        return str(value or "").strip().lower()
    if field == "related_slugs":
        return _normalize_related(str(value or ""))
    return value


def create_article(
    session: Session,
    actor: Optional[User],
    *,
    title: str,
    body: str,
    slug: str = "",
    summary: str = "",
    locale: str = "es",
    category_id: Optional[int] = None,
    translation_key: str = "",
    related_slugs: str = "",
    is_published: bool = False,
) -> Article:
    """A new article (a draft unless `is_published`). The slug defaults to the title's."""
    require_staff(actor)
    fields = dict(
        title=title,
        body=body,
        slug=slug or slugify(title),
        summary=summary,
        locale=locale,
        category_id=category_id,
        translation_key=translation_key,
        related_slugs=related_slugs,
    )
    article = Article(**{k: _clean(k, v) for k, v in fields.items()}, is_published=bool(is_published))
    _validate(session, article)
    session.add(article)
    session.flush()
    search.reindex_article(session, article)
    return article


def _staff_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound()
    return article


def update_article(session: Session, actor: Optional[User], article_id: int, **changes: object) -> Article:
    """Change any of title, slug, summary, body, locale, category_id, translation_key, related_slugs."""
    require_staff(actor)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    article = _staff_article(session, article_id)
    cleaned = {k: _clean(k, v) for k, v in changes.items()}
    if all(getattr(article, k) == v for k, v in cleaned.items()):
        return article
    # Validate a copy: a refused edit must not leave half-applied values in the session.
    _validate(session, SimpleNamespace(**{**article.model_dump(), **cleaned}))
    for key, value in cleaned.items():
        setattr(article, key, value)
    article.updated_at = utcnow()
    session.add(article)
    session.flush()
    search.reindex_article(session, article)
    return article


def set_published(session: Session, actor: Optional[User], article_id: int, published: bool) -> Article:
    require_staff(actor)
    article = _staff_article(session, article_id)
    if article.is_published != bool(published):
        article.is_published = bool(published)
        article.updated_at = utcnow()
        session.add(article)
        session.flush()
        search.reindex_article(session, article)
    return article


def delete_article(session: Session, actor: Optional[User], article_id: int) -> None:
    """Remove an article with its votes; past searches keep their text but lose the click."""
    require_staff(actor)
    article = _staff_article(session, article_id)
    session.exec(
        update(SearchQuery).where(SearchQuery.clicked_article_id == article_id).values(clicked_article_id=None)
    )
    for vote_row in session.exec(select(ArticleVote).where(ArticleVote.article_id == article_id)):
        session.delete(vote_row)
    search.remove_article(session, article_id)
    session.delete(article)
    session.flush()


def staff_articles(session: Session, actor: Optional[User], locale: Optional[str] = None) -> list[Article]:
    """Every article, drafts included, most recently edited first."""
    require_staff(actor)
    query = select(Article).order_by(col(Article.updated_at).desc(), col(Article.id).desc())
    if locale:
        query = query.where(Article.locale == locale)
    return list(session.exec(query).all())


# --- Votes -----------------------------------------------------------------------------


def vote(
    session: Session, article_id: int, voter_key: str, helpful: bool, comment: str = ""
) -> ArticleVote:
    """Record "was this helpful?". One row per voter and article: voting again changes it.

    A comment is only kept with a "no" (it says what was missing) and is capped at
    COMMENT_MAX characters; a "no" without a comment keeps the comment already given.
    """
    voter_key = (voter_key or "").strip()
    if not voter_key:
        raise ValidationError({"voter_key": "errors.required"})
    if len(voter_key) > 80:
        raise ValidationError({"voter_key": "errors.too_long"})
    article = session.get(Article, article_id)
    if article is None or not article.is_published:
        raise NotFound()
    comment = (comment or "").strip()[:COMMENT_MAX]
    now = utcnow()

    def apply(row: ArticleVote) -> ArticleVote:
        row.helpful = bool(helpful)
        if helpful:
            row.comment = ""
        elif comment:
            row.comment = comment
        row.updated_at = now
        session.add(row)
        session.flush()
        return row

    existing = _vote_row(session, article_id, voter_key)
    if existing is not None:
        return apply(existing)
    row = ArticleVote(article_id=article_id, voter_key=voter_key, helpful=bool(helpful),
                      comment="" if helpful else comment, created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another request by the same voter inserted first (unique index from 0004).
        existing = _vote_row(session, article_id, voter_key)
        if existing is None:
            raise
        return apply(existing)
    return row


def _vote_row(session: Session, article_id: int, voter_key: str) -> Optional[ArticleVote]:
    return session.exec(
        select(ArticleVote).where(ArticleVote.article_id == article_id, ArticleVote.voter_key == voter_key)
    ).first()


def my_vote(session: Session, article_id: int, voter_key: str) -> Optional[bool]:
    """The voter's current answer (True/False) or None if they have not voted."""
    row = _vote_row(session, article_id, (voter_key or "").strip())
    return None if row is None else row.helpful


def vote_counts(session: Session, article_id: int) -> dict[str, int]:
    helpful, total = session.exec(
        select(func.coalesce(func.sum(case((col(ArticleVote.helpful).is_(True), 1), else_=0)), 0), func.count())
        .where(ArticleVote.article_id == article_id)
    ).one()
    return {"helpful": int(helpful), "not_helpful": int(total) - int(helpful), "total": int(total)}


# --- Search log ------------------------------------------------------------------------


def log_search(
    session: Session, query: str, results: int, source: str = "helpcenter", visitor_key: str = ""
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
            session.add(last)
            session.flush()
            return last.id
    row = SearchQuery(query=raw, normalized=normalized, results=int(results), source=source,
                      visitor_key=visitor_key, created_at=now)
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
