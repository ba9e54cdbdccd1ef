"""Help-center use cases: articles (public reading, staff editing).

Votes live in kb_votes, the search log and its analytics in kb_searchlog; their names are
re-exported at the end so callers keep one `kb` entry point.

Public functions take the acting user (None for a guest) where access depends on it.
Every change to an article updates the search index in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from types import SimpleNamespace
from typing import Optional

from sqlalchemy import func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import Article, ArticleCategory, ArticleVote, SearchQuery
from helpdesk.domain.tickets import Ticket
from helpdesk.services import kb_scrub, kb_stats, search
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound, ValidationError
from helpdesk.services.search.analysis import fold, loosen

LOCALES = search.LOCALES
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TITLE_MAX = 200
SLUG_MAX = 160
SUMMARY_MAX = 500
BODY_MAX = 100_000

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
        kb_stats.record_view(session, article.id)  # type: ignore[arg-type]
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
    """Publish or unpublish. A draft written from a ticket (kb_drafts) is published only once
    no e-mail address, phone number, requester's name or ticket number is left in it."""
    require_staff(actor)
    article = _staff_article(session, article_id)
    if published and not article.is_published and article.source_ticket_id is not None:
        _check_no_customer_data(session, article)
    if article.is_published != bool(published):
        article.is_published = bool(published)
        article.updated_at = utcnow()
        session.add(article)
        session.flush()
        search.reindex_article(session, article)
    return article


def _check_no_customer_data(session: Session, article: Article) -> None:
    ticket = session.get(Ticket, article.source_ticket_id)
    requester = session.get(User, ticket.requester_id) if ticket is not None else None
    found = kb_scrub.customer_data(
        f"{article.title}\n{article.summary}\n{article.body}",
        names=kb_scrub.names_of(requester.name) if requester is not None else [],
        numbers=[ticket.number] if ticket is not None else [],
    )
    if found:
        raise ValidationError({"body": "errors.customer_data"})


def delete_article(session: Session, actor: Optional[User], article_id: int) -> None:
    """Remove an article with its votes; past searches keep their text but lose the click."""
    require_staff(actor)
    article = _staff_article(session, article_id)
    session.exec(
        update(SearchQuery).where(SearchQuery.clicked_article_id == article_id).values(clicked_article_id=None)
    )
    for vote_row in session.exec(select(ArticleVote).where(ArticleVote.article_id == article_id)):
        session.delete(vote_row)
    kb_stats.delete_views(session, article_id)
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


# The split-out parts, under the names callers have always used (they import nothing from here).
from helpdesk.services.kb_searchlog import (  # noqa: E402,F401
    REFINE_WINDOW, SEARCH_SOURCES, deflection_funnel, link_searches_to_ticket, log_search, mark_search_clicked,
    no_result_queries, searches_followed_by_ticket, top_queries, worst_articles,
)
from helpdesk.services.kb_votes import COMMENT_MAX, my_vote, vote, vote_counts  # noqa: E402,F401
