"""PostgreSQL backend: a GIN-indexed tsvector per article, built from our own analysis.

Created by migration 0004 as article_search(article_id PK → articles.id, tsv tsvector).
The vector is written as a tsvector literal rather than by to_tsvector(): the words
are already stemmed, and a literal can put a word's precise and loose forms at the
same position ('contraseñ':4A 'contrasen':4A), which keeps phrase matching exact
while letting one vector serve queries typed with or without ñ. The built-in
unaccent dictionary would instead fold ñ→n and lose that distinction.
Weights: A title, B summary, C body.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.services.search.analysis import AnalysedDoc, Alternative, ParsedQuery, loosen, narrower, prefix_scope

TABLE = "article_search"
# ts_rank_cd weights in {D, C, B, A} order; D is unused.
RANK_WEIGHTS = "{0.05, 0.1, 0.4, 1.0}"
_MAX_POSITION = 16383  # tsvector's limit
_MAX_POSITIONS_PER_WORD = 255


def tsvector_literal(doc: AnalysedDoc) -> str:
    positions: dict[str, list[str]] = defaultdict(list)
    pos = 0
    for weight, stems in (("A", doc.title), ("B", doc.summary), ("C", doc.body)):
        pos += 1  # a gap so a phrase cannot straddle title and summary
        for stem in stems:
            pos = min(pos + 1, _MAX_POSITION)
            for form in {stem, loosen(stem)}:
                entries = positions[form]
                if len(entries) < _MAX_POSITIONS_PER_WORD:
                    entries.append(f"{pos}{weight}")
    # Stems are letters and digits only: no quote or backslash can need escaping.
    return " ".join(f"'{lexeme}':{','.join(sorted(set(p), key=_posnum))}" for lexeme, p in positions.items())


def _posnum(entry: str) -> int:
    return int(entry[:-1])


def upsert(session: Session, docs: Sequence[tuple[int, AnalysedDoc]]) -> None:
    if not docs:
        return
    session.exec(
        text(
            f"INSERT INTO {TABLE} (article_id, tsv) VALUES (:id, CAST(:tsv AS tsvector)) "
            "ON CONFLICT (article_id) DO UPDATE SET tsv = EXCLUDED.tsv"
        ),
        params=[{"id": article_id, "tsv": tsvector_literal(doc)} for article_id, doc in docs],
    )


def delete(session: Session, article_ids: Iterable[int]) -> None:
    ids = [{"id": i} for i in article_ids]
    if ids:
        session.exec(text(f"DELETE FROM {TABLE} WHERE article_id = :id"), params=ids)


def clear(session: Session) -> None:
    session.exec(text(f"DELETE FROM {TABLE}"))


def optimize(session: Session) -> None:
    """Fresh statistics after a bulk load, so the planner knows the index is selective."""
    session.exec(text(f"ANALYZE {TABLE}"))


def count(session: Session) -> int:
    return session.exec(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()


# A weight suffix on a lexeme restricts where it may match (A title, B summary, C body).
WEIGHTS = {"title": "A", "head": "AB", "all": ""}


def _alternative(alt: Alternative, scope: str) -> str:
    stems = alt.stems if alt.precise else tuple(loosen(s) for s in alt.stems)
    weight = WEIGHTS[narrower(scope, prefix_scope(stems[-1])) if alt.prefix else scope]
    parts = [f"'{s}':{weight}" if weight else f"'{s}'" for s in stems]
    if alt.prefix:
        parts[-1] = f"'{stems[-1]}':*{weight}"
    if len(parts) == 1:
        return parts[0]
    return "(" + (" <-> " if alt.phrase else " & ").join(parts) + ")"


def tsquery_literal(parsed: ParsedQuery, mode: str) -> str:
    """tsquery for a mode (see search.MODES)."""
    scope = {"title": "title", "any_head": "head"}.get(mode, "all")
    groups = ["(" + " | ".join(_alternative(a, scope) for a in term.alternatives) + ")" for term in parsed.terms]
    return (" | " if mode.startswith("any") else " & ").join(groups)


def match(
    session: Session,
    parsed: ParsedQuery,
    locale: str,
    limit: int,
    mode: str,
    include_drafts: bool,
    exclude_ids: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """(article id, score) best first; higher is better."""
    where = ["s.tsv @@ q.query", "a.locale = :locale"]
    # Restricted tiers filter on their fields but rank on all the article's text.
    if not include_drafts:
        where.append("a.is_published")
    params: dict = {
        "q": tsquery_literal(parsed, mode),
        "r": tsquery_literal(parsed, "any" if mode == "any_head" else mode),
        "locale": locale,
        "limit": limit,
    }
    if exclude_ids:
        where.append("NOT (s.article_id = ANY(:exclude))")
        params["exclude"] = list(exclude_ids)
    sql = (
        f"SELECT s.article_id, ts_rank_cd('{RANK_WEIGHTS}', s.tsv, r.rank_query) AS score "
        f"FROM {TABLE} AS s JOIN articles AS a ON a.id = s.article_id, "
        "CAST(:q AS tsquery) AS q(query), CAST(:r AS tsquery) AS r(rank_query) "
        f"WHERE {' AND '.join(where)} ORDER BY score DESC, s.article_id LIMIT :limit"
    )
    return [(row[0], float(row[1])) for row in session.exec(text(sql), params=params)]
