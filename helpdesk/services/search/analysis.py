"""Text analysis shared by indexing, querying and highlighting.

Both backends store and match the tokens produced here (never the database's own
stemmer), so SQLite and PostgreSQL rank the same words the same way and a word is
analysed identically whether it comes from an article or from the search box.

Every word yields two forms:
  precise  lowercased, accents folded (á→a, ü→u) but ñ kept: "contraseñ"
  loose    the precise form with ñ→n as well: "contrasen"
A query word typed with ñ is matched against precise forms only ("año" never finds
"ano"); a word typed without ñ is matched against loose forms, so "contrasena" typed
on a foreign keyboard still finds "contraseña".

The code lives in text.py (words, folding, Markdown to text), languages.py (stopwords,
stemming, synonyms, article analysis), query.py (parsing what was typed) and highlight.py
(hits and snippets); this module keeps the names importable from where they always were.
"""

from __future__ import annotations

from helpdesk.services.search.highlight import ELLIPSIS, Segment, excerpt, segments
from helpdesk.services.search.languages import (
    LANGUAGES,
    AnalysedDoc,
    Language,
    SynonymTable,
    analyse_article,
    analyse_words,
    language,
)
from helpdesk.services.search.query import (
    SCOPES,
    Alternative,
    ParsedQuery,
    Term,
    narrower,
    normalize_query,
    parse_query,
    prefix_scope,
    with_completions,
)
from helpdesk.services.search.text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    MAX_TOKEN_LEN,
    fold,
    loosen,
    plain_text,
    words,
)

__all__ = [
    "ELLIPSIS", "Segment", "excerpt", "segments", "LANGUAGES", "AnalysedDoc", "Language", "SynonymTable",
    "analyse_article", "analyse_words", "language", "SCOPES", "Alternative", "ParsedQuery", "Term", "narrower",
    "normalize_query", "parse_query", "prefix_scope", "with_completions", "MAX_QUERY_CHARS", "MAX_QUERY_TERMS",
    "MAX_TOKEN_LEN", "fold", "loosen", "plain_text", "words",
]
