"""PostgreSQL backend: GIN-indexed tsvectors per article, built from our own analysis.

Created by migration 0004 as
    article_search(article_id PK → articles.id, locale, published,
                   title_tsv, head_tsv, tsv)
`tsv` covers the whole article with weights A title, B summary, C body; `title_tsv`
(title) and `head_tsv` (title and summary) exist so the tiers that look only there
use an index that holds only there: a weight restriction on `tsv` alone would make
PostgreSQL recheck every article that has the word anywhere. Locale and published
live here too, so filtering needs no join.

Vectors are written as tsvector literals rather than by to_tsvector(): the words are
already stemmed, and a literal can put a word's precise and loose forms at the same
position ('contraseñ':4A 'contrasen':4A), which keeps phrase matching exact while one
vector serves queries typed with or without ñ. (The unaccent dictionary would fold
ñ→n and lose that distinction; it is not used.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.services.search.analysis import AnalysedDoc, Alternative, ParsedQuery, loosen, narrower, prefix_scope
from helpdesk.services.search.entry import IndexEntry

TABLE = "article_search"
# ts_rank weights in {D, C, B, A} order; D is unused. ts_rank rather than ts_rank_cd:
# it ranks the same demo queries as well and costs a third as much per matching row
# (cover density is expensive to compute for OR queries), which matters when a
# common word matches thousands of articles.
RANK_WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"
# A weight suffix on a lexeme restricts where it may match (A title, B summary, C body).
WEIGHTS = {"title": "A", "head": "AB", "all": ""}  # "all" never needs one
VECTOR = {"title": "title_tsv", "head": "head_tsv", "all": "tsv"}
_MAX_POSITION = 16383  # tsvector's limit
_MAX_POSITIONS_PER_WORD = 255


def tsvector_literal(doc: AnalysedDoc, scope: str = "all") -> str:
    fields = [("A", doc.title), ("B", doc.summary), ("C", doc.body)][: {"title": 1, "head": 2, "all": 3}[scope]]
    positions: dict[str, list[str]] = defaultdict(list)
    pos = 0
    for weight, stems in fields:
        pos += 1  # a gap so a phrase cannot straddle title and summary
        for stem in stems:
            pos = min(pos + 1, _MAX_POSITION)
            for form in {stem, loosen(stem)}:
                entries = positions[form]
                if len(entries) < _MAX_POSITIONS_PER_WORD and (not entries or entries[-1] != f"{pos}{weight}"):
                    entries.append(f"{pos}{weight}")
    # Stems are letters and digits only: no quote or backslash can need escaping.
    return " ".join(f"'{lexeme}':{','.join(p)}" for lexeme, p in positions.items())


def upsert(session: Session, entries: Sequence[IndexEntry]) -> None:
    if not entries:
        return
    session.exec(
        text(
            f"INSERT INTO {TABLE} (article_id, locale, published, title_tsv, head_tsv, tsv) "
            "VALUES (:id, :locale, :published, CAST(:title AS tsvector), CAST(:head AS tsvector), "
            "CAST(:tsv AS tsvector)) "
            "ON CONFLICT (article_id) DO UPDATE SET locale = EXCLUDED.locale, published = EXCLUDED.published, "
            "title_tsv = EXCLUDED.title_tsv, head_tsv = EXCLUDED.head_tsv, tsv = EXCLUDED.tsv"
        ),
        params=[
            {
                "id": e.article_id,
                "locale": e.locale,
                "published": e.published,
                "title": tsvector_literal(e.doc, "title"),
                "head": tsvector_literal(e.doc, "head"),
                "tsv": tsvector_literal(e.doc, "all"),
            }
            for e in entries
        ],
    )


def delete(session: Session, article_ids: Iterable[int]) -> None:
    ids = [{"id": i} for i in article_ids]
    if ids:
        session.exec(text(f"DELETE FROM {TABLE} WHERE article_id = :id"), params=ids)


def clear(session: Session) -> None:
    session.exec(text(f"DELETE FROM {TABLE}"))


def optimize(session: Session) -> None:
    """Fresh statistics after a bulk load, so the planner knows how selective words are."""
    session.exec(text(f"ANALYZE {TABLE}"))
    session.exec(text("ANALYZE articles"))


def count(session: Session) -> int:
    return session.exec(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()


def _alternative(alt: Alternative, scope: str) -> str:
    """One alternative against the vector of `scope`. A weight suffix is only written
    when narrower than what that vector holds: any weight makes PostgreSQL recheck
    each candidate row instead of trusting the index."""
    stems = alt.stems if alt.precise else tuple(loosen(s) for s in alt.stems)
    narrowest = narrower(scope, prefix_scope(stems[-1])) if alt.prefix else scope
    weight = WEIGHTS[narrowest] if narrowest != scope else ""
    parts = [f"'{s}'" for s in stems]
    if alt.prefix:
        parts[-1] = f"'{stems[-1]}':*{weight}"
    if len(parts) == 1:
        return parts[0]
    return "(" + (" <-> " if alt.phrase else " & ").join(parts) + ")"


def _terms(parsed: ParsedQuery, scope: str, operator: str) -> str:
    groups = ["(" + " | ".join(_alternative(a, scope) for a in term.alternatives) + ")" for term in parsed.terms]
    return f" {operator} ".join(groups)


def _scope(mode: str) -> str:
    return {"title": "title", "any_head": "head"}.get(mode, "all")


def tsquery_literal(parsed: ParsedQuery, mode: str) -> str:
    """tsquery for a mode (see search.MODES), against that mode's vector."""
    return _terms(parsed, _scope(mode), "|" if mode.startswith("any") else "&")


def match(
    session: Session,
    parsed: ParsedQuery,
    locale: str,
    limit: int,
    mode: str,
    include_drafts: bool,
    exclude_ids: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """(article id, score) best first; higher is better.

    Restricted tiers filter on their own vector but rank on the whole article.
    """
    vector = VECTOR[_scope(mode)]
    where = [f"s.{vector} @@ CAST(:q AS tsquery)", "s.locale = :locale"]
    if not include_drafts:
        where.append("s.published")
    params: dict = {
        "q": tsquery_literal(parsed, mode),
        "r": tsquery_literal(parsed, {"title": "all", "any_head": "any"}.get(mode, mode)),
        "locale": locale,
        "limit": limit,
    }
    if exclude_ids:
        where.append("NOT (s.article_id = ANY(:exclude))")
        params["exclude"] = list(exclude_ids)
    sql = (
        f"SELECT s.article_id, ts_rank('{RANK_WEIGHTS}', s.tsv, CAST(:r AS tsquery)) AS score "
        f"FROM {TABLE} AS s WHERE {' AND '.join(where)} ORDER BY score DESC, s.article_id LIMIT :limit"
    )
    return [(row[0], float(row[1])) for row in session.exec(text(sql), params=params)]
