"""Synonym groups editors keep (table kb_synonyms), applied to searches without a restart.

Each group is one line of comma-separated entries, e.g. "factura, =recibo" or "baja, dar de
baja, eliminar cuenta". A plain entry matches by stem and is searched for when another entry of
its group is typed; "=word" matches only that word as typed and is never searched for (see
search.languages). Synonyms apply to queries only, so no article needs reindexing.

Every search calls `ensure_current`, a dictionary look-up while nothing changed. A change is
published on the change bus after its transaction commits; every worker (this one at once,
the others through Redis) then reloads the groups from the database on its next search.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from helpdesk.domain import utcnow
from helpdesk.domain.accounts import User
from helpdesk.domain.kb import Synonym
from helpdesk.infra import bus
from helpdesk.services.authz import require_staff
from helpdesk.services.errors import NotFound, ValidationError
from helpdesk.services.search.languages import LANGUAGES, set_synonym_groups
from helpdesk.services.search.text import fold, words

TOPIC = "kb:synonyms"
MAX_ENTRIES = 12
ENTRY_MAX = 60
TERMS_MAX = 500
_ENTRY_RE = re.compile(r"^=?[^\W_]+(?: [^\W_]+){0,3}$")
_SESSION_FLAG = "helpdesk_kb_synonyms_changed"

_lock = threading.Lock()
_loaded: dict[str, int] = {}  # database URL -> generation its groups were loaded at
_generation = 0


@dataclass(frozen=True)
class SynonymGroup:
    id: int
    locale: str
    terms: str  # normalized: "factura, =recibo"
    entries: list[str]


def parse_terms(raw: str) -> list[str]:
    """Entries of a group as an editor typed them: lowercased, single spaces, no duplicates.

    Raises ValidationError({"terms": key}) for fewer than two entries, too many, or an entry
    that is not words (punctuation inside an entry would never match anything).
    """
    entries: list[str] = []
    for part in (raw or "").replace(";", ",").replace("\n", ",").split(","):
        entry = " ".join(part.strip().lower().split())
        if entry.startswith("= "):
            entry = "=" + entry[2:]
        if not entry:
            continue
        if len(entry) > ENTRY_MAX or not _ENTRY_RE.match(entry):
            raise ValidationError({"terms": "kbsyn.errors.entry"})
        if fold(entry) not in {fold(e) for e in entries}:
            entries.append(entry)
    if len([e for e in entries if not e.startswith("=")]) < 1 or len(entries) < 2:
        raise ValidationError({"terms": "kbsyn.errors.too_few"})
    if len(entries) > MAX_ENTRIES:
        raise ValidationError({"terms": "kbsyn.errors.too_many"})
    return entries


def _view(row: Synonym) -> SynonymGroup:
    entries = [e.strip() for e in row.terms.split(",") if e.strip()]
    return SynonymGroup(id=row.id, locale=row.locale, terms=", ".join(entries), entries=entries)  # type: ignore[arg-type]


def list_groups(session: Session, actor: Optional[User], locale: Optional[str] = None) -> list[SynonymGroup]:
    require_staff(actor)
    query = select(Synonym).order_by(Synonym.locale, col(Synonym.id))
    if locale:
        query = query.where(Synonym.locale == locale)
    return [_view(row) for row in session.exec(query)]


def save_group(
    session: Session, actor: Optional[User], terms: str, locale: str = "es", group_id: Optional[int] = None
) -> SynonymGroup:
    """Create a group (group_id None) or replace one's entries. Takes effect for every search
    once the transaction commits."""
    require_staff(actor)
    if locale not in LANGUAGES:
        raise ValidationError({"locale": "errors.invalid_choice"})
    entries = parse_terms(terms)
    normalized = ", ".join(entries)
    if len(normalized) > TERMS_MAX:
        raise ValidationError({"terms": "kbsyn.errors.too_many"})
    if group_id is None:
        row = Synonym(locale=locale, terms=normalized)
    else:
        row = session.get(Synonym, group_id)
        if row is None:
            raise NotFound()
        row.terms, row.locale = normalized, locale
    row.updated_by_id, row.updated_at = actor.id, utcnow()  # type: ignore[union-attr]
    session.add(row)
    session.flush()
    _changed(session)
    return _view(row)


def delete_group(session: Session, actor: Optional[User], group_id: int) -> None:
    require_staff(actor)
    row = session.get(Synonym, group_id)
    if row is None:
        raise NotFound()
    session.delete(row)
    session.flush()
    _changed(session)


def group_of(session: Session, locale: str, typed: str) -> str:
    """The group (as stored) that contains `typed`, for showing synonym hits; "" if none."""
    wanted = fold(typed)
    for row in session.exec(select(Synonym).where(Synonym.locale == locale)):
        if any(fold(e.strip().lstrip("=")) == wanted for e in row.terms.split(",")):
            return row.terms
    return ""


# --- Keeping every worker's groups current ----------------------------------------------------


def forget() -> None:
    global _generation
    with _lock:
        _generation += 1
        _loaded.clear()


def ensure_current(session: Session) -> None:
    """Load the database's groups into the analyser when they changed (or another database
    is in use, as in tests); otherwise a dictionary look-up."""
    bus.ensure_listening()
    key = str(session.get_bind().url)
    with _lock:
        if _loaded.get(key) == _generation:
            return
        generation = _generation
    groups: dict[str, list[list[str]]] = {code: [] for code in LANGUAGES}
    for locale, terms in session.exec(select(Synonym.locale, Synonym.terms).order_by(col(Synonym.id))):
        entries = [e.strip() for e in terms.split(",") if e.strip() and any(True for _ in words(e))]
        if locale in groups and len(entries) >= 2:
            groups[locale].append(entries)
    with _lock:
        for code, found in groups.items():
            set_synonym_groups(code, found)
        _loaded.clear()
        _loaded[key] = generation


def _changed(session: Session) -> None:
    forget()  # this session's own next search already sees the change
    session.info[_SESSION_FLAG] = True


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    if session.info.pop(_SESSION_FLAG, False):
        bus.publish(TOPIC)


@event.listens_for(OrmSession, "after_soft_rollback")
def _after_rollback(session: OrmSession, _previous_transaction) -> None:  # noqa: ANN001
    if session.info.pop(_SESSION_FLAG, False):
        forget()  # a refused change may have been loaded by this session's searches


bus.add_listener(TOPIC, lambda _message: forget())
