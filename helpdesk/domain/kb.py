"""Help-center articles, their votes and what people search for."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

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

    id: Optional[int] = Field(default=None, primary_key=True)
    query: str = Field(max_length=200, index=True)
    normalized: str = Field(max_length=200, index=True)
    results: int = Field(default=0)
    source: str = Field(default="helpcenter", max_length=16)  # helpcenter | ticket_form
    visitor_key: str = Field(default="", max_length=80, index=True)
    clicked_article_id: Optional[int] = Field(default=None, foreign_key="articles.id")
    ticket_id: Optional[int] = Field(default=None, foreign_key="tickets.id")  # followed by a ticket
    created_at: datetime = Field(default_factory=utcnow, index=True)
