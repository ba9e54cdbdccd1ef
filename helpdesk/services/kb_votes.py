""""Was this article helpful?": one vote per visitor and article, changeable, with an optional
comment on a "no" (what was missing)."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import case, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.kb import Article, ArticleVote
from helpdesk.services.errors import NotFound, ValidationError

COMMENT_MAX = 1000


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
