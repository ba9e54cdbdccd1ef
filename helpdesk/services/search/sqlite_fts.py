"""SQLite backend: an FTS5 table of pre-analysed text, ranked with bm25.

Created by migration 0004 as
    article_search(title_p, title_l, summary_p, summary_l, body_p, body_l, tags)
with rowid = articles.id. `_p` columns hold precise stems (ñ kept), `_l` loose ones
(ñ→n); the tokenizer keeps diacritics because it must not fold ñ itself. `tags`
holds the article's locale and "published"/"draft", so filtering happens inside the
full-text match instead of through a join that would run once per matching row.
"""

from __future__ import annotations

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
# Column order as created; a title hit is worth far more than the same word in the
# body, and tags only filter.
BM25_WEIGHTS = "10.0, 10.0, 4.0, 4.0, 1.0, 1.0, 0.0"


def _row(entry: IndexEntry) -> dict:
    doc = entry.doc
    tp, sp, bp = (" ".join(stems) for stems in (doc.title, doc.summary, doc.body))
    tags = f"{_tag(entry.locale)} {'published' if entry.published else 'draft'}"
    return {"id": entry.article_id, "tp": tp, "tl": loosen(tp), "sp": sp, "sl": loosen(sp), "bp": bp,
            "bl": loosen(bp), "tags": tags}


def _tag(locale: str) -> str:
    return "locale" + "".join(ch for ch in locale.lower() if ch.isalnum())


def upsert(session: Session, entries: Sequence[IndexEntry]) -> None:
    if not entries:
        return
    delete(session, [entry.article_id for entry in entries])
    session.exec(
        text(
            f"INSERT INTO {TABLE}(rowid, title_p, title_l, summary_p, summary_l, body_p, body_l, tags) "
            "VALUES (:id, :tp, :tl, :sp, :sl, :bp, :bl, :tags)"
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


def match_expression(parsed: ParsedQuery, mode: str, locale: str, include_drafts: bool = False) -> str:
    """FTS5 query for a mode (see search.MODES), limited to one locale."""
    if mode == "any_head":
        # Filter on title and summary, but let bm25 also see the body: the same rows
        # match (the second part is implied by the first), ranked on all their text.
        terms = f"({_terms(parsed, 'head', 'OR')}) AND ({_terms(parsed, 'all', 'OR')})"
    elif mode == "any":
        terms = _terms(parsed, "all", "OR")
    else:
        terms = _terms(parsed, "title" if mode == "title" else "all", "AND")
    filters = f'tags : "{_tag(locale)}"' + ("" if include_drafts else ' AND tags : "published"')
    return f"({terms}) AND {filters}"


def match(
    session: Session,
    parsed: ParsedQuery,
    locale: str,
    limit: int,
    mode: str,
    include_drafts: bool,
    exclude_ids: Sequence[int] = (),
) -> list[tuple[int, float]]:
    """(article id, score) best first; score is -bm25 so that higher is better."""
    params: dict = {"q": match_expression(parsed, mode, locale, include_drafts), "limit": limit}
    where = f"{TABLE} MATCH :q"
    if exclude_ids:
        names = []
        for n, article_id in enumerate(exclude_ids):
            params[f"x{n}"] = article_id
            names.append(f":x{n}")
        where += f" AND rowid NOT IN ({', '.join(names)})"
    sql = (
        f"SELECT rowid, bm25({TABLE}, {BM25_WEIGHTS}) AS rank FROM {TABLE} "
        f"WHERE {where} ORDER BY rank, rowid LIMIT :limit"
    )
    return [(row[0], -float(row[1])) for row in session.exec(text(sql), params=params)]
