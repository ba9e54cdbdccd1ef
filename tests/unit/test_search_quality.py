"""Search quality on the real demo content, as numbers that cannot drop: the share of the
realistic queries in tests/data/search_queries.json (Spanish and English, typos, slang, several
words for the same thing) whose expected article comes first, or in the top 3."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from helpdesk.domain.kb import Article
from helpdesk.infra.db import session_scope
from helpdesk.services import kb_content, search

QUERIES = Path(__file__).resolve().parents[1] / "data" / "search_queries.json"
# Floors (issue 20): today's figures over 368 queries (2026-12-05, typo correction and synonyms
# on): SQLite top-1 0.790 (291), top-3 0.918 (338); PostgreSQL top-1 0.799, top-3 0.918. The first 103
# queries alone scored top-1 0.961, top-3 1.000; the 265 added later ask in customers' own words
# ("se oye fatal", "hablar con un agente") that the articles do not use yet: raise these floors
# as articles and synonyms improve, never lower them.
MIN_TOP3 = 0.918
MIN_TOP1 = 0.790
MIN_QUERIES = 300
# The original 103 keep their own, higher floor: the new hard cases must not hide a regression there.
ORIGINAL = 103
MIN_ORIGINAL_TOP1 = 0.95
MIN_ORIGINAL_TOP3 = 1.0


def test_top3_accuracy_on_demo_content(db):
    cases = json.loads(QUERIES.read_text(encoding="utf-8"))
    assert len(cases) >= MIN_QUERIES
    with session_scope() as s:
        kb_content.load_demo_content(s)
    top1 = top3 = 0
    orig_top1 = orig_top3 = 0
    misses = []
    with session_scope() as s:
        locale_of = dict(s.exec(select(Article.slug, Article.locale)).all())
        for i, case in enumerate(cases):
            expected = case["expected"]
            assert all(slug in locale_of for slug in expected), case
            # Asked in the language of the article that answers it.
            hits = [h.slug for h in search.search_articles(s, case["query"], locale_of[expected[0]], limit=3)]
            first = bool(hits) and hits[0] in expected
            found = any(slug in expected for slug in hits)
            top1 += first
            orig_top1 += first and i < ORIGINAL
            orig_top3 += found and i < ORIGINAL
            if found:
                top3 += 1
            else:
                misses.append(f"{case['query']!r}: expected {expected}, got {hits}")
    n = len(cases)
    dialect = s.get_bind().dialect.name
    print(f"\nsearch quality ({dialect}): top-1 {top1 / n:.3f}, top-3 {top3 / n:.3f} over {n} queries")
    for miss in misses:
        print("  miss", miss)
    assert top3 / n >= MIN_TOP3, misses
    assert top1 / n >= MIN_TOP1, misses
    assert orig_top3 / ORIGINAL >= MIN_ORIGINAL_TOP3 and orig_top1 / ORIGINAL >= MIN_ORIGINAL_TOP1, (orig_top1, orig_top3)
