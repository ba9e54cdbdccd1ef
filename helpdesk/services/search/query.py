"""What the user typed, turned into terms the backends match: stems, ñ-precise or loose
alternatives, synonyms, and the word still being typed."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from helpdesk.services.search.languages import language
from helpdesk.services.search.text import MAX_QUERY_CHARS, MAX_QUERY_TERMS, MAX_TOKEN_LEN, fold, loosen, words

# --- Queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a query term: all `stems` present (`phrase`: adjacent, in order).

    `precise` alternatives match only precise forms (the user typed ñ); the others match
    loose forms. `prefix` marks the last stem as a word still being typed.
    """

    stems: tuple[str, ...]
    precise: bool = False
    phrase: bool = False
    prefix: bool = False


# Where a match may be found, narrowest first: title; title and summary; everything.
SCOPES = ("title", "head", "all")


def narrower(a: str, b: str) -> str:
    return a if SCOPES.index(a) < SCOPES.index(b) else b


def prefix_scope(prefix: str) -> str:
    """Where a word still being typed is looked for. Two letters begin a good share of
    all the words in a large index, and ranking every body that has one costs more than
    a keystroke is worth; titles are what someone typing "fa" expects anyway."""
    return "title" if len(prefix) <= 2 else "head" if len(prefix) == 3 else "all"


@dataclass(frozen=True)
class Term:
    """A query term: satisfied when any alternative is."""

    alternatives: tuple[Alternative, ...]
    # The words as typed when synonyms widened this term ("recibo"): for the analytics.
    synonym_of: str = ""


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    locale: str
    # For highlighting: stems in precise/loose space, and typed prefixes.
    precise_stems: frozenset[str]
    loose_stems: frozenset[str]
    prefixes: tuple[tuple[str, bool], ...]  # (folded prefix, precise?)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def synonyms_used(self) -> tuple[str, ...]:
        return tuple(t.synonym_of for t in self.terms if t.synonym_of)


@dataclass
class _Word:
    folded: str
    stem: str | None  # None = stopword
    precise: bool


def parse_query(query: str, locale: str, prefix_last: bool = True) -> ParsedQuery:
    """Turn what the user typed into terms. Never raises; operators are just punctuation."""
    lang = language(locale)
    raw = unicodedata.normalize("NFC", query or "")[:MAX_QUERY_CHARS]
    found: list[_Word] = []
    for m in words(raw):
        folded = fold(m.group())
        if not folded or len(folded) > MAX_TOKEN_LEN:
            continue
        stem = None if folded in lang.stopwords else lang.stem(folded)
        found.append(_Word(folded, stem, "ñ" in folded))
    # A trailing letter right at the end means the word may still be being typed.
    typing = prefix_last and bool(found) and raw[-1:].isalnum()

    content = [w for w in found if w.stem]
    last_typed: _Word | None = found[-1] if typing else None
    if last_typed is not None and last_typed.stem is None:
        # "cómo de" while typing "devolución": an unfinished stopword only counts when it
        # is all there is; otherwise it adds noise to a query that already says enough.
        if content or len(last_typed.folded) < 2:
            last_typed = None
        else:
            content = [last_typed]
    content = content[:MAX_QUERY_TERMS]
    if last_typed is not None and (not content or content[-1] is not last_typed):
        last_typed = None

    synonyms = lang.synonyms
    terms: list[Term] = []
    precise_stems: set[str] = set()
    loose_stems: set[str] = set()
    prefixes: list[tuple[str, bool]] = []
    i = 0
    while i < len(content):
        # Longest synonym phrase starting here. A phrase that ends with the word being
        # typed takes it as complete: "eliminar cuenta" is a phrase, not "cuenta*".
        chunk, expansions = content[i : i + 1], None
        for n in range(min(3, len(content) - i), 0, -1):
            candidate = content[i : i + n]
            expansions = synonyms.lookup(
                tuple(loosen(w.stem or w.folded) for w in candidate), tuple(loosen(w.folded) for w in candidate)
            )
            if expansions is not None:
                chunk = candidate
                break
        own = tuple(w.stem or w.folded for w in chunk)
        alts = [Alternative(own, precise=any(w.precise for w in chunk))]
        for w in chunk:
            _note(w, precise_stems, loose_stems)
        last = chunk[-1]
        if len(chunk) == 1 and last is last_typed and len(last.folded) >= 2:
            alts.append(Alternative((last.folded,), precise=last.precise, prefix=True))
            prefixes.append((last.folded if last.precise else loosen(last.folded), last.precise))
        for syn in expansions or []:
            alts.append(Alternative(syn, phrase=len(syn) > 1))
            loose_stems.update(syn)
        terms.append(Term(tuple(alts), " ".join(w.folded for w in chunk) if expansions else ""))
        i += len(chunk)
    return ParsedQuery(
        terms=tuple(terms),
        locale=lang.code,
        precise_stems=frozenset(precise_stems),
        loose_stems=frozenset(loose_stems),
        prefixes=tuple(prefixes),
    )


def with_completions(parsed: ParsedQuery, stems: list[str]) -> ParsedQuery:
    """Add stems of indexed words that begin with the word being typed.

    The index holds stems, and a stem can be shorter than what is already typed:
    "devoluc" is no prefix of "devolu" (devolución), so "devoluc*" alone finds nothing.
    `stems` come from the word list kept next to the index (see search.completions).
    """
    if not parsed.prefixes or not stems:
        return parsed
    prefix, precise = parsed.prefixes[-1]
    last = parsed.terms[-1]
    have = {a.stems for a in last.alternatives}
    extra = []
    for stem in stems:
        form = stem if precise else loosen(stem)
        if (form,) not in have and not form.startswith(prefix):
            have.add((form,))
            extra.append(Alternative((form,), precise=precise))
    if not extra:
        return parsed
    added = {a.stems[0] for a in extra}
    return replace(
        parsed,
        terms=parsed.terms[:-1] + (Term(last.alternatives + tuple(extra), last.synonym_of),),
        precise_stems=parsed.precise_stems | added if precise else parsed.precise_stems,
        loose_stems=parsed.loose_stems if precise else parsed.loose_stems | added,
    )


def _note(w: _Word, precise_stems: set[str], loose_stems: set[str]) -> None:
    if w.stem is None:
        return
    if w.precise:
        precise_stems.add(w.stem)
    else:
        loose_stems.add(loosen(w.stem))


def normalize_query(query: str) -> str:
    """Folded words as typed (ñ kept, no stemming): how searches are grouped in analytics."""
    return " ".join(fold(m.group()) for m in words((query or "")[:MAX_QUERY_CHARS]))[:200]
