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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterator

import snowballstemmer

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


@lru_cache(maxsize=2048)
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


# --- Per-language rules -------------------------------------------------------------------

_ES_STOPWORDS = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante antes aqui asi aun cada como con contra
    cual cuales cuando de del desde donde dos durante e el ella ellas ellos en entre era es esa
    esas ese eso esos esta estas este esto estos estoy fue ha han has hay he la las le les lo los
    me mi mis mucho muy nada ni no nos nosotros o os otra otro para pero poco por porque puede
    puedo puedes que quien se sea segun ser si sin sobre solo son su sus tambien te tengo ti
    tiene tu tus u un una unas uno unos usted y ya yo quiero necesito hacer hago estan estamos
    estar soy eres somos cuanto cuanta cuantos cuantas
    """.split()
)

_EN_STOPWORDS = frozenset(
    """
    a an and are as at be but by can could do does for from has have how i if in into is it its
    me my no not of on or our so that the their them there these they this to was we what when
    where which who why will with you your
    """.split()
)

# Meaning groups applied to the query only: the index stays one word = one token.
# A plain entry matches by stem and is searched for when another entry of its group
# is typed; multi-word entries match as phrases (stopwords dropped on both sides).
# "=word" matches only that word as typed (or its plural) and is never searched for:
# "recibo" the receipt is a factura, but its stem also covers "recibir" (to receive).
_ES_SYNONYMS: list[list[str]] = [
    ["factura", "=recibo"],
    ["contraseña", "clave", "password"],
    ["baja", "dar de baja", "eliminar cuenta", "borrar cuenta", "cerrar cuenta", "cancelar cuenta"],
    ["registrarse", "crear cuenta", "darse de alta"],
    ["correo", "email", "e mail"],
    ["devolución", "reembolso"],
    ["iniciar sesión", "acceder", "login", "=entrar"],
    ["móvil", "celular"],
    ["domiciliación", "débito"],
    ["titularidad", "=titular"],
]

_EN_SYNONYMS: list[list[str]] = [
    ["invoice", "bill", "receipt"],
    ["password", "passcode"],
    ["delete account", "close account", "cancel account"],
    ["sign up", "register", "create account"],
    ["email", "e mail"],
    ["refund", "reimbursement"],
    ["sign in", "log in", "login"],
]


@dataclass(frozen=True)
class Language:
    code: str
    stopwords: frozenset[str]
    stemmer_name: str
    synonym_source: list[list[str]] = field(hash=False, compare=False)

    def stem(self, folded: str) -> str:
        return _stem(self.stemmer_name, folded)

    @property
    def synonyms(self) -> "SynonymTable":
        return _synonym_table(self.code)


# Short verb forms Snowball cannot bring together (it leaves words this short alone):
# "abro"/"abrir", "no entran llamadas"/"llamadas entrantes", "salgo"/"salientes".
# "entra" and "entrar" stay apart on purpose: "Entra en Mi perfil" is in every guide.
_ES_STEM_EXCEPTIONS = {
    **dict.fromkeys("abrir abro abres abre abrimos abris abren abierto abierta abiertos abiertas".split(), "abr"),
    **dict.fromkeys("entran entrante entrantes".split(), "entrant"),
    **dict.fromkeys("salgo saliente salientes".split(), "sal"),
}
_ENCLITIC_TE = re.compile(r"(?:(?<=[aei]r)|(?<=ndo))te$")


@lru_cache(maxsize=200_000)
def _stem(stemmer_name: str, folded: str) -> str:
    if folded.isdigit():
        return folded
    if stemmer_name != "spanish":
        return _stemmers(stemmer_name).stemWord(folded)
    exception = _ES_STEM_EXCEPTIONS.get(loosen(folded))
    if exception:
        return exception
    if len(folded) >= 8:
        # Snowball knows "registrarme" but not "registrarte"; short words such as
        # "parte" or "suerte" are nouns, not verb + te.
        folded = _ENCLITIC_TE.sub("", folded)
    stem = _stemmers(stemmer_name).stemWord(folded)
    if stem.endswith("s") and stem[-2:-1] != "s" and len(stem) >= (4 if stem[-2:-1] in "aeiou" else 5):
        # Snowball leaves short and foreign plurals alone ("años", "días", "tickets");
        # their singular must meet them.
        stem = stem[:-1]
    return stem


@lru_cache(maxsize=None)
def _stemmers(name: str):  # noqa: ANN202 - snowballstemmer has no public type
    return snowballstemmer.stemmer(name)


LANGUAGES: dict[str, Language] = {
    "es": Language("es", _ES_STOPWORDS, "spanish", _ES_SYNONYMS),
    "en": Language("en", _EN_STOPWORDS, "english", _EN_SYNONYMS),
}


def language(locale: str | None) -> Language:
    return LANGUAGES.get((locale or "es")[:2].lower(), LANGUAGES["es"])


@dataclass(frozen=True)
class SynonymTable:
    by_stem: dict[tuple[str, ...], list[tuple[str, ...]]]  # loose stems -> loose stem phrases
    by_word: dict[tuple[str, ...], list[tuple[str, ...]]]  # loose words as typed -> same

    def lookup(self, stems: tuple[str, ...], typed: tuple[str, ...]) -> list[tuple[str, ...]] | None:
        found = self.by_word.get(typed)
        return found if found is not None else self.by_stem.get(stems)


@lru_cache(maxsize=None)
def _synonym_table(code: str) -> SynonymTable:
    lang = LANGUAGES[code]
    by_stem: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    by_word: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in lang.synonym_source:
        targets: list[tuple[str, ...]] = []
        keys: list[tuple[dict, tuple[str, ...], tuple[str, ...]]] = []
        for entry in group:
            if entry.startswith("="):
                typed = tuple(loosen(fold(m.group())) for m in words(entry[1:]))
                for plural in ("", "s", "es"):
                    keys.append((by_word, typed[:-1] + (typed[-1] + plural,), ()))
                continue
            stems = tuple(loosen(t) for t in analyse_words(entry, lang))
            if stems and stems not in targets:
                targets.append(stems)
                keys.append((by_stem, stems, stems))
        for table, key, own in keys:
            table.setdefault(key, []).extend(t for t in targets if t != own and t not in table[key])
    return SynonymTable(by_stem, by_word)


# --- Indexing ------------------------------------------------------------------------------


def analyse_words(text: str, lang: Language, vocabulary: set[tuple[str, str]] | None = None) -> list[str]:
    """Precise stems of the text's words, in order. Words whose stem differs from the
    word itself are added to `vocabulary` as (folded word, stem)."""
    out = []
    for m in words(text):
        folded = fold(m.group())
        if not folded or len(folded) > MAX_TOKEN_LEN or folded in lang.stopwords:
            continue
        stem = lang.stem(folded)
        out.append(stem)
        if vocabulary is not None and stem != folded:
            vocabulary.add((folded, stem))
    return out


@dataclass(frozen=True)
class AnalysedDoc:
    """Precise stems per field (loose forms are `loosen()` of each), and the
    (folded word, stem) pairs used to complete words being typed."""

    title: list[str]
    summary: list[str]
    body: list[str]
    vocabulary: frozenset[tuple[str, str]] = frozenset()
    lang: str = "es"


def analyse_article(title: str, summary: str, body_markdown: str, locale: str) -> AnalysedDoc:
    lang = language(locale)
    vocabulary: set[tuple[str, str]] = set()
    return AnalysedDoc(
        title=analyse_words(title or "", lang, vocabulary),
        summary=analyse_words(summary or "", lang, vocabulary),
        body=analyse_words(plain_text(body_markdown or ""), lang, vocabulary),
        vocabulary=frozenset(vocabulary),
        lang=lang.code,
    )


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
        terms.append(Term(tuple(alts)))
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
        terms=parsed.terms[:-1] + (Term(last.alternatives + tuple(extra)),),
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
