"""Typo correction: each unknown word of a query is replaced by the closest word the articles
use, within one or two edits ("contrasela" → "contraseña", "factrua" → "factura").

Rules (pure: the vocabulary is passed in, see search.vocabulary):
- A word the index knows is never corrected: as written, by its stem ("facturaré" finds
  "factura"), as a synonym, as a stopword, or, for the word still being typed, as the start
  of an indexed word. Short words (under MIN_LEN letters) and words with digits neither.
- Edits allowed grow with the word: 1 up to 6 letters, 2 beyond (Damerau: a swap of two
  neighbouring letters is one edit, the commonest slip).
- Never across ñ and n: a word typed with ñ is compared with the precise forms and may not
  gain, lose or swap an ñ for an n ("año" never becomes "ano"). A word typed without ñ is
  compared with the loose forms, as plain search already matches it ("contrasena").
- Among equally close words: one that starts with the same letter, then the more common one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from helpdesk.services.search.languages import Language
from helpdesk.services.search.text import MAX_QUERY_CHARS, MAX_TOKEN_LEN, fold, loosen, words
from helpdesk.services.search.vocabulary import Vocabulary

MIN_LEN = 4
MAX_CORRECTIONS = 4  # per query: beyond that the "query" is noise, not typos


def max_edits(length: int) -> int:
    return 0 if length < MIN_LEN else 1 if length <= 6 else 2


@dataclass(frozen=True)
class Correction:
    text: str  # the query with each unknown word replaced, everything else as typed
    changes: tuple[tuple[str, str], ...]  # (as typed, replacement)


def suggest(
    vocabularies: Sequence[tuple[Language, Vocabulary]], query: str, prefix_last: bool = True
) -> Correction | None:
    """The corrected query, or None when every word is known or has no close word.

    `vocabularies`: the reader's language first; a word known in any of them is left alone
    (the search falls back to the other language), and a tie between candidates goes to
    the first.
    """
    raw = unicodedata.normalize("NFC", query or "")[:MAX_QUERY_CHARS]
    found = list(words(raw))
    typing = prefix_last and raw[-1:].isalnum()
    replacements: list[tuple[int, int, str, str]] = []
    for i, m in enumerate(found):
        folded = fold(m.group())
        being_typed = typing and i == len(found) - 1
        if _never_corrected(folded) or any(_known(lang, v, folded, being_typed) for lang, v in vocabularies):
            continue
        best = _closest(vocabularies, folded)
        if best is not None:
            replacements.append((m.start(), m.end(), m.group(), best))
            if len(replacements) > MAX_CORRECTIONS:
                return None
    if not replacements:
        return None
    out, pos = [], 0
    for start, end, typed, word in replacements:
        out.append(raw[pos:start])
        out.append(word.capitalize() if typed[:1].isupper() and typed[1:].islower() else word)
        pos = end
    out.append(raw[pos:])
    return Correction("".join(out), tuple((typed, word) for _, _, typed, word in replacements))


def _never_corrected(folded: str) -> bool:
    return len(folded) < MIN_LEN or len(folded) > MAX_TOKEN_LEN or not folded.isalpha()


def _known(lang: Language, vocab: Vocabulary, folded: str, being_typed: bool) -> bool:
    if folded in lang.stopwords:
        return True
    precise = "ñ" in folded
    stem = lang.stem(folded)
    if precise and (folded in vocab.precise or stem in vocab.precise_stems):
        return True
    if not precise and (folded in vocab.loose or stem in vocab.loose_stems):
        return True
    if lang.synonyms.lookup((loosen(stem),), (loosen(folded),)) is not None:
        return True
    return being_typed and vocab.has_prefix(folded, precise)


def _closest(vocabularies: Sequence[tuple[Language, Vocabulary]], folded: str) -> str | None:
    precise = "ñ" in folded
    k = max_edits(len(folded))
    best: tuple | None = None
    for rank, (_lang, vocab) in enumerate(vocabularies):
        pools = vocab.by_len_precise if precise else vocab.by_len_loose
        for length in range(len(folded) - k, len(folded) + k + 1):
            choices = pools.get(length)
            if not choices:
                continue
            for candidate, distance, _ in process.extract(
                folded, choices, scorer=OSA.distance, score_cutoff=k, limit=None
            ):
                if precise and not _keeps_enye(folded, candidate):
                    continue
                shown, docs = vocab.shown[candidate] if precise else vocab.best_loose[candidate]
                key = (distance, candidate[:1] != folded[:1], rank, -docs, candidate)
                if best is None or key < best[0]:
                    best = (key, shown)
    return None if best is None else best[1]


def _keeps_enye(typed: str, candidate: str) -> bool:
    """True when turning `typed` into `candidate` leaves every ñ an ñ and every n an n."""
    if typed.count("ñ") != candidate.count("ñ") or loosen(typed) == loosen(candidate):
        return False
    for op in Levenshtein.editops(typed, candidate):
        if op.tag == "replace" and {typed[op.src_pos], candidate[op.dest_pos]} == {"n", "ñ"}:
            return False
    return True
