"""SQLite backend: an FTS5 table of pre-analysed text, ranked with bm25.

Created by migration 0004 as
    article_search(title_p, title_l, summary_p, summary_l, body_p, body_l)
with rowid = articles.id. `_p` columns hold precise stems (ñ kept), `_l` loose ones
(ñ→n); the tokenizer keeps diacritics because it must not fold ñ itself.
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.services.search.analysis import Alternative, ParsedQuery, loosen, narrower, prefix_scope
from helpdesk.services.search.entry import IndexEntry

TABLE = "article_search"
# Column sets an alternative may match in: (precise, loose), per scope.
COLUMNS = {
    "all": ("{title_p summary_p body_p}", "{title_l summary_l body_l}"),
    "head": ("{title_p summary_p}", "{title_l summary_l}"),
    "title": ("{title_p}", "{title_l}"),
}
# Column order as created; a title hit is worth far more than the same word in the body.
BM25_WEIGHTS = "10.0, 10.0, 4.0, 4.0, 1.0, 1.0"
# Best-ranked matches fetched per round before filtering by locale and publication.
FIRST_ROUND = 40


def _row(entry: IndexEntry) -> dict:
    doc = entry.doc
    tp, sp, bp = (" ".join(stems) for stems in (doc.title, doc.summary, doc.body))
    return {"id": entry.article_id, "tp": tp, "tl": loosen(tp), "sp": sp, "sl": loosen(sp), "bp": bp, "bl": loosen(bp)}


def upsert(session: Session, entries: Sequence[IndexEntry]) -> None:
    if not entries:
        return
    delete(session, [entry.article_id for entry in entries])
    session.exec(
        text(
            f"INSERT INTO {TABLE}(rowid, title_p, title_l, summary_p, summary_l, body_p, body_l) "
            "VALUES (:id, :tp, :tl, :sp, :sl, :bp, :bl)"
        ),
        params=[_row(entry) for entry in entries],
    )


def delete(session: Session, article_ids: Iterable[int]) -> None:
    ids = [{"id": i} for i in article_ids]
    if ids:
        session.exec(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), params=ids)


def clear(session: Session) -> None:
    session.exec(text(f"DELETE FROM {TABLE}"))


def optimize(session: Session) -> None:
    """Merge the index b-trees into one after a bulk load: fewer pages per lookup."""
    session.exec(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')"))


def count(session: Session) -> int:
    return session.exec(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()


def _alternative(alt: Alternative, scope: str) -> str:
    if alt.prefix:
        scope = narrower(scope, prefix_scope(alt.stems[-1]))
    cols = COLUMNS[scope][0 if alt.precise else 1]
    stems = alt.stems if alt.precise else tuple(loosen(s) for s in alt.stems)
    # Stems are letters and digits only (see analysis.words), so quoting them is enough
    # to keep FTS5 keywords such as NEAR, AND or NOT from being read as operators.
    if alt.phrase:
        return f'{cols} : "{" ".join(stems)}"'
    parts = [f'{cols} : "{s}"' for s in stems]
    if alt.prefix:
        parts[-1] += "*"
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def _terms(parsed: ParsedQuery, scope: str, operator: str) -> str:
    groups = ["(" + " OR ".join(_alternative(a, scope) for a in term.alternatives) + ")" for term in parsed.terms]
    return f" {operator} ".join(groups)


def match_expression(parsed: ParsedQuery, mode: str) -> str:
    """FTS5 query for a mode (see search.MODES)."""
    if mode == "any_head":
        # Filter on title and summary, but let bm25 also see the body: the same rows
        # match (the second part is implied by the first), ranked on all their text.
        return f"({_terms(parsed, 'head', 'OR')}) AND ({_terms(parsed, 'all', 'OR')})"
    if mode == "any":
        return _terms(parsed, "all", "OR")
    return _terms(parsed, "title" if mode == "title" else "all", "AND")


def match(
    session: Session,
    parsed: ParsedQuery,
    locale: str,
    limit: int,
    mode: str,
    include_drafts: bool,
    exclude_ids: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """(article id, score) best first; score is -bm25 so that higher is better.

    FTS5 ranks every matching row, and filtering each one through a join (or through
    extra terms for locale and state) costs more than the ranking itself. So the best
    matches are ranked first and filtered afterwards, fetching more only when too few
    of them are in the reader's language and published.
    """
    params: dict = {"q": match_expression(parsed, mode)}
    where = f"{TABLE} MATCH :q"
    if exclude_ids:
        names = []
        for n, article_id in enumerate(exclude_ids):
            params[f"x{n}"] = article_id
            names.append(f":x{n}")
        where += f" AND rowid NOT IN ({', '.join(names)})"
    ranked_sql = text(
        f"SELECT rowid, bm25({TABLE}, {BM25_WEIGHTS}) AS rank FROM {TABLE} "
        f"WHERE {where} ORDER BY rank, rowid LIMIT :fetch"
    )
    fetch = max(FIRST_ROUND, 2 * limit)
    while True:
        ranked = session.exec(ranked_sql, params={**params, "fetch": fetch}).all()
        wanted = _visible(session, [row[0] for row in ranked], locale, include_drafts)
        found = [(row[0], -float(row[1])) for row in ranked if row[0] in wanted]
        if len(found) >= limit or len(ranked) < fetch:
            return found[:limit]
        fetch *= 8


def _visible(session: Session, ids: list[int], locale: str, include_drafts: bool) -> set[int]:
    if not ids:
        return set()
    # One statement text whatever the number of ids, so it is prepared once.
    published = "" if include_drafts else " AND is_published = 1"
    rows = session.exec(
        text(
            "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(:ids)) "
            f"AND locale = :locale{published}"
        ),
        params={"ids": json.dumps(ids), "locale": locale},
    )
    return {row[0] for row in rows}
