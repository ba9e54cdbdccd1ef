"""Help-center articles, their votes and what people search for."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from helpdesk.domain import utcnow


class ArticleCategory(SQLModel, table=True):
    __tablename__ = "article_categories"

    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    name: str = Field(max_length=120)
    name_en: str = Field(default="", max_length=120)
    description: str = Field(default="")
    description_en: str = Field(default="")
    icon: str = Field(default="book-open", max_length=40)
    position: int = Field(default=0)


class Article(SQLModel, table=True):
    __tablename__ = "articles"

    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(max_length=160, unique=True, index=True)
    locale: str = Field(default="es", max_length=8, index=True)
    # Same value on the Spanish and English versions of one article.
    translation_key: str = Field(default="", max_length=160, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    body: str = Field(default="")  # Markdown, rendered without raw HTML
    category_id: Optional[int] = Field(default=None, foreign_key="article_categories.id", index=True)
    is_published: bool = Field(default=True, index=True)
    views: int = Field(default=0)
    related_slugs: str = Field(default="")  # comma-separated
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # A draft written from a solved ticket (kb_drafts): drafting that ticket again opens it (0019).
    source_ticket_id: Optional[int] = Field(default=None, foreign_key="tickets.id", index=True)


class ArticleVote(SQLModel, table=True):
    """One vote per user or per browser: changing it updates the row, never adds one."""

    __tablename__ = "article_votes"

    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id", index=True)
    voter_key: str = Field(max_length=80, index=True)  # "u:<user id>" or "b:<browser id hash>"
    helpful: bool
    comment: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SearchQuery(SQLModel, table=True):
    """A search someone made: the raw material of the deflection funnel."""

    __tablename__ = "search_queries"
    # Gaps group by meaning over a period; an article's "headed off" chart reads its clicks (0016).
    __table_args__ = (
        Index("ix_search_queries_meaning_created", "meaning", "created_at"),
        Index("ix_search_queries_clicked_created", "clicked_article_id", "created_at"),
        # Covers the gaps query (kb_gaps): grouping 100,000 searches reads only this index (0019).
        Index("ix_search_queries_gaps", "meaning", "created_at", "results", "clicked_article_id", "query"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    query: str = Field(max_length=200, index=True)
    normalized: str = Field(max_length=200, index=True)
    results: int = Field(default=0)
    source: str = Field(default="helpcenter", max_length=16)  # helpcenter | ticket_form
    visitor_key: str = Field(default="", max_length=80, index=True)
    clicked_article_id: Optional[int] = Field(default=None, foreign_key="articles.id")
    ticket_id: Optional[int] = Field(default=None, foreign_key="tickets.id")  # followed by a ticket
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # The query as searched after typo correction ("" when searched as typed).
    corrected: str = Field(default="", max_length=200)
    # Words that synonyms widened, comma-separated ("recibo"): synonym hits in the analytics.
    synonyms: str = Field(default="", max_length=200)
    # Sorted distinct stems: questions asked in other words group together (see kb_gaps);
    # the normalized text when no word has a stem (never empty since 0019).
    meaning: str = Field(default="", max_length=200)


class Synonym(SQLModel, table=True):
    """One synonym group editors keep: comma-separated entries; "=word" matches only that
    word as typed and is never searched for (see services.search.languages)."""

    __tablename__ = "kb_synonyms"

    id: Optional[int] = Field(default=None, primary_key=True)
    locale: str = Field(max_length=8, index=True)
    terms: str = Field(max_length=500)
    updated_by_id: Optional[int] = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow)


class ArticleViewDay(SQLModel, table=True):
    """Reader views of one article on one (UTC) day: the per-article chart over time (0019)."""

    __tablename__ = "article_view_days"

    article_id: int = Field(foreign_key="articles.id", primary_key=True)
    day: date = Field(primary_key=True)
    views: int = Field(default=0)
