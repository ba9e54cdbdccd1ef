"""Agents' ticket search: a word index over each ticket's subject and every message.

STAFF ONLY. Internal notes are indexed too (agents see them), so a match says something about
text a customer must never learn of. Only the agents' queue (services.queue, which requires
staff) may filter with `condition`; customer lists search their own subjects with LIKE.

One index row per ticket, so every typed word may be found anywhere in the conversation. It
holds folded words (accents off, ñ kept; see search.analysis) plus each word's loose form
(ñ→n): a word typed without ñ matches either spelling, one typed with ñ only the precise one,
as in the help-center search. No stemming: every typed word is a prefix, which also finds
plurals and words still being typed. Created by migration 0009:

    SQLite      FTS5 table ticket_search(words), rowid = tickets.id
    PostgreSQL  ticket_search(ticket_id PK, tsv tsvector) with a GIN index

The services that write text keep it in step in the same transaction (`index_ticket` when a
ticket is created, `add_text` for each message); `ensure_index` rebuilds it at start-up when
it does not cover every ticket (after migrating or restoring).
"""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import func, literal_column, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from helpdesk.domain.tickets import Message, Ticket
from helpdesk.services.search.analysis import MAX_TOKEN_LEN, fold, loosen, words

MAX_TERMS = 8
# Above this many matching tickets (SQLite), walking the page's order and probing the match
# set beats reading every match back from the table to sort it (see `condition`).
MANY_MATCHES = 5000
_INDEXES_PG = ("ix_ticket_search_tsv",)


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def tokens(text_: str) -> list[str]:
    """Distinct index forms of the words of a text: folded, plus the loose form when different."""
    out: dict[str, None] = {}
    for m in words(text_ or ""):
        word = fold(m.group())
        if not word or len(word) > MAX_TOKEN_LEN:
            continue
        out[word] = None
        out[loosen(word)] = None
    return list(out)


def query_terms(query: str) -> list[str]:
    """The words of a search, as index forms to be matched as prefixes: loose unless typed with ñ."""
    terms: dict[str, None] = {}
    for m in words((query or "")[:200]):
        word = fold(m.group())
        if word and len(word) <= MAX_TOKEN_LEN:
            terms[word if "ñ" in word else loosen(word)] = None
    # A one-letter prefix begins most words of a large index and narrows nothing down.
    longer = [t for t in terms if len(t) > 1]
    return (longer or list(terms))[:MAX_TERMS]


# ---------------------------------------------------------------- writing


def _pg_vector(forms: Iterable[str]) -> str:
    # Forms are letters and digits only (analysis.words): quoting needs no escaping.
    return " ".join(f"'{f}'" for f in forms)


def _write(session: Session, ticket_id: int, forms: list[str], append: bool) -> None:
    if _is_pg(session):
        update = "tsv = ticket_search.tsv || EXCLUDED.tsv" if append else "tsv = EXCLUDED.tsv"
        session.exec(
            text(
                "INSERT INTO ticket_search (ticket_id, tsv) VALUES (:id, CAST(:tsv AS tsvector)) "
                f"ON CONFLICT (ticket_id) DO UPDATE SET {update}"
            ),
            params={"id": ticket_id, "tsv": _pg_vector(forms)},
        )
        return
    words_ = " ".join(forms)
    if append:
        # Rewriting the row re-indexes it whole; a row holds one ticket, so that stays small.
        found = session.exec(text("SELECT words FROM ticket_search WHERE rowid = :id"), params={"id": ticket_id}).first()
        if found is not None:
            have = set(found[0].split())
            new = [f for f in forms if f not in have]
            if not new:
                return
            words_ = found[0] + " " + " ".join(new)
    session.exec(text("DELETE FROM ticket_search WHERE rowid = :id"), params={"id": ticket_id})
    session.exec(text("INSERT INTO ticket_search (rowid, words) VALUES (:id, :words)"), params={"id": ticket_id, "words": words_})


def index_ticket(session: Session, ticket_id: int, *texts: str) -> None:
    """Replace a ticket's entry with the words of `texts` (its subject and messages)."""
    _write(session, ticket_id, tokens(" ".join(texts)), append=False)


def add_text(session: Session, ticket_id: int, body: str) -> None:
    """Make a new message (reply or internal note) findable."""
    forms = tokens(body)
    if forms:
        _write(session, ticket_id, forms, append=True)


def count(session: Session) -> int:
    return session.exec(text("SELECT count(*) FROM ticket_search")).scalar_one()


def rebuild_index(session: Session, batch_size: int = 2000) -> int:
    """Recreate every entry from tickets and messages. Returns the number of tickets indexed."""
    pg = _is_pg(session)
    session.exec(text("DELETE FROM ticket_search"))
    fast = pg and _set_fastupdate(session, True)
    total, last_id = 0, 0
    # Plain rows in id ranges: flat in memory whatever the number of tickets.
    while True:
        batch = session.exec(
            select(Ticket.id, Ticket.subject).where(Ticket.id > last_id).order_by(Ticket.id).limit(batch_size)
        ).all()
        if not batch:
            break
        first, last_id = batch[0][0], batch[-1][0]
        texts: dict[int, list[str]] = {tid: [subject] for tid, subject in batch}
        for tid, body in session.exec(
            select(Message.ticket_id, Message.body).where(Message.ticket_id >= first, Message.ticket_id <= last_id)
        ):
            texts[tid].append(body)
        rows = [{"id": tid, "w": tokens(" ".join(parts))} for tid, parts in texts.items()]
        if pg:
            session.exec(
                text("INSERT INTO ticket_search (ticket_id, tsv) VALUES (:id, CAST(:w AS tsvector))"),
                params=[{"id": r["id"], "w": _pg_vector(r["w"])} for r in rows],
            )
        else:
            session.exec(
                text("INSERT INTO ticket_search (rowid, words) VALUES (:id, :w)"),
                params=[{"id": r["id"], "w": " ".join(r["w"])} for r in rows],
            )
        total += len(batch)
    if pg:
        if fast and _set_fastupdate(session, False):
            for index in _INDEXES_PG:
                session.exec(text("SELECT gin_clean_pending_list(CAST(:index AS regclass))"), params={"index": index})
        session.exec(text("ANALYZE ticket_search"))
    else:
        # One b-tree per term after a bulk load: fewer pages per lookup.
        session.exec(text("INSERT INTO ticket_search(ticket_search) VALUES ('optimize')"))
    return total


def _set_fastupdate(session: Session, on: bool) -> bool:
    try:
        with session.begin_nested():
            for index in _INDEXES_PG:
                session.exec(text(f"ALTER INDEX {index} SET (fastupdate = {'on' if on else 'off'})"))
        return True
    except DBAPIError:
        # A database role that does not own the index: the same rebuild, only slower.
        return False


def ensure_index(session: Session) -> bool:
    """Rebuild when the index does not cover every ticket (e.g. right after migrating)."""
    tickets = session.exec(select(func.count()).select_from(Ticket)).one()
    if tickets == count(session):
        return False
    rebuild_index(session)
    return True


# ---------------------------------------------------------------- searching


def condition(session: Session, query: str) -> Optional[object]:
    """A condition on tickets: every word of `query` begins a word of the subject or of a
    message. None when the query has no words (the caller decides what that means)."""
    terms = query_terms(query)
    if not terms:
        return None
    if _is_pg(session):
        tsquery = " & ".join(f"'{t}':*" for t in terms)
        matches = text("SELECT ticket_id FROM ticket_search WHERE tsv @@ CAST(:tsq AS tsquery)").bindparams(tsq=tsquery)
        return Ticket.id.in_(matches.columns(ticket_id=Ticket.id.type).subquery().select())
    fts = " AND ".join(f'"{t}"*' for t in terms)
    matches = text("SELECT rowid FROM ticket_search WHERE ticket_search MATCH :fts").bindparams(fts=fts)
    sub = matches.columns(rowid=Ticket.id.type).subquery().select()
    # SQLite drives the query from the match set when it can: right for a rare word, but a
    # common one then reads every matching ticket to sort them. FTS5 counts matches from the
    # index alone, so look first; with many, `id + 0` makes SQLite walk the page's order
    # instead and probe the (materialised) match set per row.
    many = session.exec(
        text("SELECT count(*) FROM ticket_search WHERE ticket_search MATCH :fts"), params={"fts": fts}
    ).scalar_one()
    if many > MANY_MATCHES:
        return (Ticket.id + literal_column("0")).in_(sub)
    return Ticket.id.in_(sub)
