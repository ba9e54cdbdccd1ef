"""The index's own word list: every indexed word once per language, for typo correction.

Stored in `article_search_vocab` (same table and SQL on both databases) as the folded word,
its loose (ñ-less) form, how the articles write it ("devolución", for showing a correction)
and its stem. `docs` (in how many articles it appears) is exact after a full rebuild; words
first seen by a later single-article reindex start at 1, and words of a deleted article stay
until the next rebuild, as in the completions list. It only breaks ties between equally
close corrections, so that imprecision costs nothing that matters.

Searching reads an in-memory copy (`current`), loaded once per database and language and
dropped whenever an article changes: at once in the process that changed it, and in every
other worker through the change bus once the change commits (public_cache's topic).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.infra import bus
from helpdesk.services.search.languages import language
from helpdesk.services.search.text import MAX_TOKEN_LEN, fold, loosen, plain_text, words

TABLE = "article_search_vocab"
BUS_TOPIC = "kb:public"  # published by services.public_cache after any article change commits
# A safety net only: changes arrive through the bus, this bounds the damage of a lost message.
TTL_SECONDS = 600.0


def article_words(title: str, summary: str, body_markdown: str, locale: str) -> dict[str, tuple[str, str]]:
    """{folded word: (as written, lowercased; stem)} for the article's searchable words."""
    lang = language(locale)
    out: dict[str, tuple[str, str]] = {}
    for part in (title or "", summary or "", plain_text(body_markdown or "")):
        for m in words(part):
            written = m.group().lower()
            folded = fold(written)
            if len(folded) < 2 or len(folded) > MAX_TOKEN_LEN or folded.isdigit() or folded in lang.stopwords:
                continue
            if folded not in out:
                out[folded] = (written, lang.stem(folded))
    return out


def record(session: Session, lang: str, found: dict[str, tuple[str, str]], docs: dict[str, int] | None = None) -> None:
    """Store words; known ones keep their row. `docs` gives exact counts (full rebuild)."""
    forget()
    if not found:
        return
    rows = [
        {"lang": lang, "word": word, "loose": loosen(word), "display": written[:MAX_TOKEN_LEN], "stem": stem,
         "docs": (docs or {}).get(word, 1)}
        for word, (written, stem) in found.items()
    ]
    sqlite = session.get_bind().dialect.name == "sqlite"
    verb = "INSERT OR IGNORE INTO" if sqlite else "INSERT INTO"
    tail = "" if sqlite else " ON CONFLICT DO NOTHING"
    session.exec(
        text(f"{verb} {TABLE} (lang, word, loose, display, stem, docs) "
             f"VALUES (:lang, :word, :loose, :display, :stem, :docs){tail}"),
        params=rows,
    )


def clear(session: Session) -> None:
    session.exec(text(f"DELETE FROM {TABLE}"))
    forget()


def count(session: Session) -> int:
    return session.exec(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()


class Counter:
    """Collects words and article counts over a full rebuild, written once at the end."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        self.docs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, lang: str, found: dict[str, tuple[str, str]]) -> None:
        known, docs = self.found[lang], self.docs[lang]
        for word, value in found.items():
            known.setdefault(word, value)
            docs[word] += 1

    def write(self, session: Session) -> None:
        for lang, found in self.found.items():
            record(session, lang, found, self.docs[lang])


# --- In memory -----------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """One language's words, arranged for the questions typo correction asks."""

    precise: frozenset[str] = frozenset()
    loose: frozenset[str] = frozenset()
    precise_stems: frozenset[str] = frozenset()
    loose_stems: frozenset[str] = frozenset()
    sorted_precise: list[str] = field(default_factory=list)
    sorted_loose: list[str] = field(default_factory=list)
    # Candidates by length (edit distance k only reaches words within k letters of length).
    by_len_precise: dict[int, list[str]] = field(default_factory=dict)
    by_len_loose: dict[int, list[str]] = field(default_factory=dict)
    # How to show a word and how common it is: per precise word, and the best per loose form.
    shown: dict[str, tuple[str, int]] = field(default_factory=dict)
    best_loose: dict[str, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str, str, int]]) -> "Vocabulary":
        v = cls()
        precise, loose, p_stems, l_stems = set(), set(), set(), set()
        by_p: dict[int, list[str]] = defaultdict(list)
        by_l: dict[int, list[str]] = defaultdict(list)
        for word, loose_word, display, stem, docs in rows:
            precise.add(word)
            p_stems.add(stem)
            l_stems.add(loosen(stem))
            by_p[len(word)].append(word)
            v.shown[word] = (display, docs)
            best = v.best_loose.get(loose_word)
            if best is None:
                loose.add(loose_word)
                by_l[len(loose_word)].append(loose_word)
            if best is None or docs > best[1]:
                v.best_loose[loose_word] = (display, docs)
        v.precise, v.loose = frozenset(precise), frozenset(loose)
        v.precise_stems, v.loose_stems = frozenset(p_stems), frozenset(l_stems)
        v.sorted_precise, v.sorted_loose = sorted(precise), sorted(loose)
        v.by_len_precise, v.by_len_loose = dict(by_p), dict(by_l)
        return v

    def has_prefix(self, prefix: str, precise: bool) -> bool:
        ordered = self.sorted_precise if precise else self.sorted_loose
        i = bisect.bisect_left(ordered, prefix)
        return i < len(ordered) and ordered[i].startswith(prefix)


_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[float, Vocabulary]] = {}
_generation = 0


def forget() -> None:
    """Drop every in-memory copy (the next search reloads)."""
    global _generation
    with _lock:
        _generation += 1
        _cache.clear()


def current(session: Session, lang: str) -> Vocabulary:
    bus.ensure_listening()
    key = (str(session.get_bind().url), lang)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        generation = _generation
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    rows = session.exec(
        text(f"SELECT word, loose, display, stem, docs FROM {TABLE} WHERE lang = :lang"), params={"lang": lang}
    ).all()
    vocab = Vocabulary.build(rows)
    with _lock:
        if _generation == generation:  # not when an article changed while this loaded
            _cache[key] = (now, vocab)
    return vocab


bus.add_listener(BUS_TOPIC, lambda _message: forget())
