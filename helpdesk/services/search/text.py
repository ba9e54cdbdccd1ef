"""Words as the search sees them: folding (accents off, ñ kept), the loose ñ-less form,
word boundaries, and Markdown reduced to the text a reader sees."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

# Letters and digits only: underscores and punctuation separate words, which also
# means no character that is an operator in FTS5 or tsquery can reach a query.
_WORD_RE = re.compile(r"[^\W_]+")
# Longer "words" are hashes, URLs or base64 noise; PostgreSQL also caps lexeme size.
MAX_TOKEN_LEN = 60
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12

_TILDE = "\u0303"


@lru_cache(maxsize=4096)
def _fold_cached(word: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", word).casefold()):
        if unicodedata.combining(ch):
            # The tilde is kept only on n: ñ is a different letter, not an accented n.
            if ch == _TILDE and out and out[-1] == "n":
                out.append(ch)
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def fold(text: str) -> str:
    """Lowercase and strip accents, keeping ñ. `fold("Contraseña ÚNICA") == "contraseña unica"`."""
    return _fold_cached(text) if len(text) <= 64 else _fold_cached.__wrapped__(text)


def loosen(text: str) -> str:
    return text.replace("ñ", "n")


def words(text: str) -> Iterator[re.Match[str]]:
    """Word matches over the text as written (offsets point into the original string)."""
    return _WORD_RE.finditer(text)


# --- Markdown to plain text -------------------------------------------------------------
# Snippets show and the index holds what a reader sees, not link targets or syntax.
_LINE_MARK = re.compile(r"\s{0,3}(?:#{1,6}|>+|[-*+]|\d{1,3}[.)])\s+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>\n]{0,200}>")
_EMPHASIS = re.compile(r"[*_]")
_TABLE_RULE = frozenset("|-: \t")


def _drop_emphasis(m: re.Match[str]) -> str:
    # A lone * or _ between two letters is part of a word (snake_case), not emphasis.
    text, i, j = m.string, m.start(), m.end()
    if 0 < i and j < len(text) and text[i - 1].isalnum() and text[j].isalnum():
        return m.group()
    return ""


@lru_cache(maxsize=512)  # the articles that keep coming up in results
def plain_text(markdown: str) -> str:
    lines = []
    for line in (markdown or "").split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("```"):
            continue
        if stripped[0] == "|":
            if "-" in stripped and set(stripped) <= _TABLE_RULE:
                continue
            stripped = " · ".join(cell.strip() for cell in stripped.strip("|").split("|"))
        else:
            mark = _LINE_MARK.match(stripped)
            if mark:
                stripped = stripped[mark.end() :]
        lines.append(stripped)
    text = " ".join(lines)
    if "](" in text:
        text = _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = text.replace("**", "").replace("__", "").replace("~~", "").replace("`", "")
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(_drop_emphasis, text)
    return " ".join(text.split())
