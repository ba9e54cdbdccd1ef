"""Per-language rules: stopwords, stemming, synonym groups, and the analysis of article text.

Synonym groups ship with defaults (below) and are replaced at run time by the groups editors
keep in the database (see search.synonyms, which calls `set_synonym_groups`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from helpdesk.services.search.text import MAX_TOKEN_LEN, fold, loosen, plain_text, words

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
        return _synonym_table(self.code, _current_groups.get(self.code) or _as_groups(self.synonym_source))


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


# Groups in use per language, as tuples (hashable: the built table is cached per content).
# Replaced wholesale, never mutated, so readers on other threads see one version or the next.
_current_groups: dict[str, tuple[tuple[str, ...], ...]] = {}
_groups_lock = threading.Lock()


def _as_groups(groups: list[list[str]] | tuple) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(entry for entry in group) for group in groups)


def default_synonym_groups(code: str) -> list[list[str]]:
    """The groups the search ships with (what a fresh database is seeded with too)."""
    return [list(group) for group in LANGUAGES[code].synonym_source]


def set_synonym_groups(code: str, groups: list[list[str]] | None) -> None:
    """Use these groups for `code` from now on; None goes back to the defaults."""
    with _groups_lock:
        if groups is None:
            _current_groups.pop(code, None)
        else:
            # An empty tuple would read as "no override": keep one empty group instead.
            _current_groups[code] = _as_groups(groups) or ((),)


@lru_cache(maxsize=16)
def _synonym_table(code: str, groups: tuple[tuple[str, ...], ...]) -> SynonymTable:
    lang = LANGUAGES[code]
    by_stem: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    by_word: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in groups:
        targets: list[tuple[str, ...]] = []
        keys: list[tuple[dict, tuple[str, ...], tuple[str, ...]]] = []
        for entry in group:
            if entry.startswith("="):
                typed = tuple(loosen(fold(m.group())) for m in words(entry[1:]))
                if not typed:
                    continue
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
