"""The word list next to the index: (language, folded word, stem) for every indexed
word whose stem differs from it. Same table and SQL on both databases.

It answers one question: which stems belong to words that begin with what the user
has typed so far? Needed because the index holds stems, and "devoluc" (on its way to
"devolución") is longer than the stem "devolu" it should find.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.services.search.analysis import ParsedQuery, loosen

TABLE = "article_search_words"
MIN_PREFIX = 4  # shorter prefixes are already longer than almost no stem
MAX_STEMS = 10


def record(session: Session, pairs: Iterable[tuple[str, str, str]]) -> None:
    """Store (lang, folded word, stem) triples; already known words are skipped."""
    rows = [{"lang": lang, "word": word, "loose": loosen(word), "stem": stem} for lang, word, stem in pairs]
    if not rows:
        return
    verb = "INSERT OR IGNORE INTO" if session.get_bind().dialect.name == "sqlite" else "INSERT INTO"
    tail = "" if verb.startswith("INSERT OR") else " ON CONFLICT DO NOTHING"
    session.exec(
        text(f"{verb} {TABLE} (lang, word, loose, stem) VALUES (:lang, :word, :loose, :stem){tail}"),
        params=rows,
    )


def clear(session: Session) -> None:
    session.exec(text(f"DELETE FROM {TABLE}"))


def stems_for_prefix(session: Session, parsed: ParsedQuery) -> list[str]:
    """Precise stems, shorter than the prefix being typed, of words that start with it."""
    if not parsed.prefixes:
        return []
    prefix, precise = parsed.prefixes[-1]
    if len(prefix) < MIN_PREFIX:
        return []
    column = "word" if precise else "loose"
    # [prefix, prefix with its last character bumped): every string starting with prefix.
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    rows = session.exec(
        text(
            f"SELECT DISTINCT stem FROM {TABLE} "
            f"WHERE lang = :lang AND {column} >= :lo AND {column} < :hi AND length(stem) < :n "
            "LIMIT :limit"
        ),
        params={"lang": parsed.locale, "lo": prefix, "hi": upper, "n": len(prefix), "limit": MAX_STEMS},
    )
    return [row[0] for row in rows]
