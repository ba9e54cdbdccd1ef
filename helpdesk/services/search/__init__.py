"""Help-center search: one interface, an FTS5 backend (SQLite) and a tsvector one (PostgreSQL).

Text is analysed in Python (see analysis.py) for both backends, so the same query
finds the same articles whichever database is configured. The index is kept in step
with `articles` by the kb services (reindex_article / remove_article, in the same
transaction as the change); `rebuild_index` recreates it from scratch and
`ensure_index` does so only when it does not cover every article (after migrating).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from types import ModuleType

from sqlalchemy import func
from sqlmodel import Session, col, select

from helpdesk.domain.kb import Article, ArticleCategory
from helpdesk.services.search import completions, postgres_fts, sqlite_fts, synonyms, typos, vocabulary
from helpdesk.services.search.analysis import (
    ParsedQuery,
    analyse_article,
    excerpt,
    normalize_query,
    parse_query,
    plain_text,
    segments,
    with_completions,
)
from helpdesk.services.search.entry import IndexEntry
from helpdesk.services.search.languages import language

__all__ = [
    "SearchHit",
    "SearchOutcome",
    "search",
    "search_articles",
    "meaning",
    "reindex_article",
    "remove_article",
    "rebuild_index",
    "ensure_index",
    "normalize_query",
    "LOCALES",
]

LOCALES = ("es", "en")
MAX_LIMIT = 50
# Result tiers, in order; each is only searched while the list is not full:
#   title     every query term in the title
#   all       every term anywhere
#   any_head  some of the terms, in the title or summary
#   any       some of the terms anywhere: costly with common words (every body that
#             has one is ranked), so only searched while there are fewer than FEW_HITS
MODES = ("title", "all", "any_head", "any")
FEW_HITS = 3
# With fewer hits than this in the reader's language, articles in the other language follow.
FALLBACK_BELOW = FEW_HITS
SNIPPET_CHARS = 160


@dataclass
class SearchHit:
    id: int
    slug: str
    title: str
    summary: str
    category: str  # category slug ("" when uncategorised)
    category_name: str  # in the article's language
    locale: str
    score: float
    # Plain-text segments, never HTML: [{"text": str, "hit": bool}, ...]
    title_segments: list[dict] = field(default_factory=list)
    snippet: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchOutcome:
    hits: list[SearchHit]
    # The query searched instead of what was typed, after typo correction ("" = as typed).
    corrected: str = ""
    # Words of the searched query that synonyms widened ("recibo").
    synonyms: tuple[str, ...] = ()


def _backend(session: Session) -> ModuleType:
    return postgres_fts if session.get_bind().dialect.name == "postgresql" else sqlite_fts


def search_articles(
    session: Session,
    query: str,
    locale: str = "es",
    limit: int = 10,
    prefix_last: bool = True,
    include_drafts: bool = False,
    correct: bool = True,
) -> list[SearchHit]:
    """Published articles matching `query`, best first, the reader's language first.

    `prefix_last` treats the last word as still being typed ("contras" finds
    "contraseña"). `include_drafts` is for staff screens only. `correct` forgives typos
    (see `search`). Never raises on odd input: operators and quotes are punctuation.
    """
    return search(session, query, locale, limit, prefix_last, include_drafts, correct).hits


def search(
    session: Session,
    query: str,
    locale: str = "es",
    limit: int = 10,
    prefix_last: bool = True,
    include_drafts: bool = False,
    correct: bool = True,
) -> SearchOutcome:
    """Like search_articles, and says what was searched.

    With `correct`, a query with a word the index does not know (no article has it, in
    any form) is searched with that word replaced by the closest known one (typos.py):
    such a query could only ever match some of its words. If the corrected query finds
    nothing, the query as typed is searched after all.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    locale = (locale or "")[:2].lower()
    locale = locale if locale in LOCALES else LOCALES[0]
    synonyms.ensure_current(session)
    if correct:
        vocabularies = [(language(code), vocabulary.current(session, code))
                        for code in (locale, *[c for c in LOCALES if c != locale])]
        fix = typos.suggest(vocabularies, query, prefix_last)
        if fix is not None:
            hits, used = _search(session, fix.text, locale, limit, prefix_last, include_drafts)
            if hits:
                return SearchOutcome(hits, fix.text, used)
    hits, used = _search(session, query, locale, limit, prefix_last, include_drafts)
    return SearchOutcome(hits, "", used)


def meaning(query: str, locale: str = "es") -> str:
    """What a query asks, as its sorted distinct stems, synonyms folded into one choice
    ("no me llegan las facturas" and "factura no llega" give the same): groups the gaps."""
    keys = set()
    for term in parse_query(query, locale, prefix_last=False).terms:
        keys.add(min(" ".join(a.stems) for a in term.alternatives if not a.prefix))
    return " ".join(sorted(keys))[:200]


def _search(
    session: Session, query: str, locale: str, limit: int, prefix_last: bool, include_drafts: bool
) -> tuple[list[SearchHit], tuple[str, ...]]:
    backend = _backend(session)
    found = _search_one_locale(session, backend, query, locale, limit, prefix_last, include_drafts)
    if len(found) < min(FALLBACK_BELOW, limit):
        for other in LOCALES:
            if other == locale or len(found) >= limit:
                continue
            more = _search_one_locale(session, backend, query, other, limit, prefix_last, include_drafts)
            found.extend(more[: limit - len(found)])
    if not found:
        return [], ()
    hits = _hits(session, found, include_drafts)
    used = tuple(dict.fromkeys(w for _, _, parsed in found for w in parsed.synonyms_used)) if hits else ()
    return hits, used


def _search_one_locale(
    session: Session,
    backend: ModuleType,
    query: str,
    locale: str,
    limit: int,
    prefix_last: bool,
    include_drafts: bool,
) -> list[tuple[int, float, ParsedQuery]]:
    parsed = parse_query(query, locale, prefix_last)
    if parsed.is_empty:
        return []
    parsed = with_completions(parsed, completions.stems_for_prefix(session, parsed))
    # Tiers, each ranked by the database (see MODES). A long question rarely has all
    # its words in one article, but the article that has them all, in its title above
    # all, is almost always the answer.
    rows: list[tuple[int, float]] = []
    for mode in MODES if len(parsed.terms) > 1 else MODES[:2]:
        if len(rows) >= limit or (mode == "any" and len(rows) >= FEW_HITS):
            break
        seen = [article_id for article_id, _ in rows]
        rows += backend.match(session, parsed, locale, limit - len(rows), mode, include_drafts, seen)
    return [(article_id, score, parsed) for article_id, score in rows]


def _hits(session: Session, found: list[tuple[int, float, ParsedQuery]], include_drafts: bool) -> list[SearchHit]:
    # Plain columns rather than ORM objects: this runs on every keystroke.
    rows = session.exec(
        select(
            Article.id, Article.slug, Article.title, Article.summary, Article.body, Article.locale,
            Article.translation_key, Article.is_published, ArticleCategory.slug, ArticleCategory.name,
            ArticleCategory.name_en,
        )
        .join(ArticleCategory, ArticleCategory.id == Article.category_id, isouter=True)  # type: ignore[arg-type]
        .where(col(Article.id).in_([article_id for article_id, _, _ in found]))
    ).all()
    by_id = {row[0]: row for row in rows}
    hits: list[SearchHit] = []
    translations_seen: set[str] = set()
    for article_id, score, parsed in found:
        row = by_id.get(article_id)
        if row is None:
            continue  # deleted between the two statements
        _, slug, title, summary, body, locale, translation_key, published, cat_slug, cat_name, cat_name_en = row
        if not include_drafts and not published:
            continue
        if translation_key:
            # The same article in the other language adds nothing once one version is listed.
            if translation_key in translations_seen:
                continue
            translations_seen.add(translation_key)
        hits.append(
            SearchHit(
                id=article_id,
                slug=slug,
                title=title,
                summary=summary,
                category=cat_slug or "",
                category_name=((cat_name_en or cat_name) if locale == "en" else cat_name) or "",
                locale=locale,
                score=round(score, 6),
                title_segments=segments(title, parsed, locale),
                snippet=excerpt(plain_text(body) or summary, parsed, locale, SNIPPET_CHARS),
            )
        )
    return hits


def reindex_article(session: Session, article: Article) -> None:
    """Bring the index entry of one article up to date (call after any change to it)."""
    if article.id is None:
        session.flush()
    doc = analyse_article(article.title, article.summary, article.body, article.locale)
    _backend(session).upsert(session, [IndexEntry(article.id, article.locale, article.is_published, doc)])
    completions.record(session, ((doc.lang, word, stem) for word, stem in doc.vocabulary))
    vocabulary.record(session, doc.lang, vocabulary.article_words(article.title, article.summary, article.body, doc.lang))


def remove_article(session: Session, article_id: int) -> None:
    _backend(session).delete(session, [article_id])


def rebuild_index(session: Session, batch_size: int = 500) -> int:
    """Drop and recreate every index entry. Returns the number of articles indexed."""
    backend = _backend(session)
    backend.start_rebuild(session)
    completions.clear(session)
    vocabulary.clear(session)
    counter = vocabulary.Counter()
    known: set[tuple[str, str, str]] = set()
    total, last_id = 0, 0
    # Plain rows, not ORM objects: a large rebuild stays flat in memory and leaves the
    # caller's own (possibly modified) Article objects alone.
    columns = select(Article.id, Article.title, Article.summary, Article.body, Article.locale, Article.is_published)
    while True:
        batch = session.exec(
            columns.where(col(Article.id) > last_id).order_by(Article.id).limit(batch_size)
        ).all()
        if not batch:
            break
        entries = [
            IndexEntry(r.id, r.locale, r.is_published, analyse_article(r.title, r.summary, r.body, r.locale))
            for r in batch
        ]
        backend.upsert(session, entries)
        fresh = {(e.doc.lang, word, stem) for e in entries for word, stem in e.doc.vocabulary} - known
        completions.record(session, fresh)
        known |= fresh
        for r, e in zip(batch, entries):
            counter.add(e.doc.lang, vocabulary.article_words(r.title, r.summary, r.body, e.doc.lang))
        total += len(batch)
        last_id = batch[-1].id
    counter.write(session)
    backend.finish_rebuild(session)
    return total


def ensure_index(session: Session) -> bool:
    """Rebuild when the index does not cover every article (e.g. right after migrating).

    Returns True when a rebuild happened. Cheap enough to call at start-up.
    """
    articles = session.exec(select(func.count()).select_from(Article)).one()
    # An empty word list with articles present: the index predates typo correction (0016).
    if articles == _backend(session).count(session) and (articles == 0 or vocabulary.count(session) > 0):
        return False
    rebuild_index(session)
    return True
