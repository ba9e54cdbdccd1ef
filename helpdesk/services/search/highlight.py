"""Highlighting: which words of a text a query matched, and a snippet around the densest hits."""

from __future__ import annotations

import re
from functools import lru_cache

from helpdesk.services.search.languages import LANGUAGES, language
from helpdesk.services.search.query import ParsedQuery
from helpdesk.services.search.text import MAX_TOKEN_LEN, fold, loosen

# --- Highlighting --------------------------------------------------------------------------

Segment = dict  # {"text": str, "hit": bool}

_ACCENTED = {
    "a": "aáàâäã", "e": "eéèêë", "i": "iíìîï", "o": "oóòôöõ", "u": "uúùûü", "c": "cç", "y": "yýÿ",
    "n": "nñ",  # loose: an n in the query may be an ñ in the text
}


@lru_cache(maxsize=4096)
def _word_info(word: str, code: str) -> tuple[str, str | None]:
    """(folded word, precise stem or None for a stopword) — cached: texts repeat words."""
    folded = fold(word)
    if not folded or len(folded) > MAX_TOKEN_LEN or folded in LANGUAGES[code].stopwords:
        return folded, None
    return folded, LANGUAGES[code].stem(folded)


def _hit_key(word: str, parsed: ParsedQuery, code: str) -> str | None:
    """What a word of the text matched in the query (to count distinct hits), or None."""
    folded, stem = _word_info(word, code)
    if stem is not None and (stem in parsed.precise_stems or loosen(stem) in parsed.loose_stems):
        return loosen(stem)
    # Stopwords are only ever hits as the word being typed ("de" → "devolución").
    for prefix, precise in parsed.prefixes:
        if (folded if precise else loosen(folded)).startswith(prefix):
            return prefix
    return None


def _pattern_for(stem: str) -> str:
    return "".join(f"[{_ACCENTED[ch]}]" if ch in _ACCENTED else re.escape(ch) for ch in stem)


@lru_cache(maxsize=256)
def _candidates(parsed: ParsedQuery, code: str) -> re.Pattern[str] | None:
    """A regex finding words that may be hits, so only those get analysed.

    A Spanish stem is a prefix of the folded word; an English one may have its last
    letters rewritten (happy → happi), so one letter less is required there.
    """
    cut = 1 if code == "en" else 0
    heads = set()
    for stem in parsed.loose_stems:
        heads.add(_pattern_for(stem[: max(1, len(stem) - cut)]))
    for stem in parsed.precise_stems:
        heads.add(_pattern_for(stem[: max(1, len(stem) - cut)]).replace("[nñ]", "n"))
    for prefix, precise in parsed.prefixes:
        pattern = _pattern_for(prefix)
        heads.add(pattern.replace("[nñ]", "n") if precise else pattern)
    if not heads:
        return None
    alternation = "|".join(sorted(heads, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternation})[^\W_]*", re.IGNORECASE)


def _hits_in(text: str, parsed: ParsedQuery, code: str) -> list[tuple[int, int, str]]:
    pattern = _candidates(parsed, code)
    if pattern is None:
        return []
    out = []
    for m in pattern.finditer(text):
        key = _hit_key(m.group(), parsed, code)
        if key is not None:
            out.append((m.start(), m.end(), key))
    return out


def segments(text: str, parsed: ParsedQuery, locale: str) -> list[Segment]:
    """Split `text` into hit / non-hit runs. `"".join(s["text"] for s in result) == text`."""
    out: list[Segment] = []
    pos = 0
    for start, end, _key in _hits_in(text, parsed, language(locale).code):
        _push(out, text[pos:start], False)
        _push(out, text[start:end], True)
        pos = end
    _push(out, text[pos:], False)
    return out


def _push(out: list[Segment], text: str, hit: bool) -> None:
    if not text:
        return
    if out and out[-1]["hit"] == hit:
        out[-1]["text"] += text
    else:
        out.append({"text": text, "hit": hit})


ELLIPSIS = "…"


def excerpt(text: str, parsed: ParsedQuery, locale: str, width: int = 160) -> list[Segment]:
    """About `width` characters of `text` around the densest group of hits, as segments.

    Cut points fall between words; an ELLIPSIS segment (hit False) marks each cut.
    """
    if len(text) <= width:
        return segments(text, parsed, locale)
    hits = _hits_in(text, parsed, language(locale).code)
    start = 0
    if hits:
        best, best_score = 0, (-1, 0)
        for i, (s, _e, _w) in enumerate(hits):
            inside = [h for h in hits[i : i + 12] if h[1] <= s + width - 20]
            score = (len({h[2] for h in inside}), len(inside))
            if score > best_score:
                best, best_score = i, score
        anchor = hits[best][0]
        # Some context before the first hit, from a sentence start or at least a word.
        start = max(0, anchor - 40)
        sentence = max(text.rfind(mark, start, anchor) for mark in (". ", "? ", ": "))
        if sentence != -1:
            start = sentence + 2
        elif start > 0:
            space = text.find(" ", start, anchor)
            start = space + 1 if space != -1 else anchor
        if start > 0 and len(text) - start < width:
            # Near the end: show a full-width window rather than a short tail.
            start = max(0, len(text) - width)
            space = text.find(" ", start, anchor + 1)
            start = space + 1 if start > 0 and space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end + 1)
        if space != -1:
            end = space
    piece = text[start:end]
    out: list[Segment] = []
    if start > 0:
        out.append({"text": ELLIPSIS, "hit": False})
    out.extend(segments(piece, parsed, locale))
    if end < len(text):
        out.append({"text": ELLIPSIS, "hit": False})
    return out
