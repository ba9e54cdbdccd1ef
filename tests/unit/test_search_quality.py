"""Search quality on the real demo content: the expected article must be in the top 3
for at least 90% of the realistic queries in tests/data/search_queries.json."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from helpdesk.domain.kb import Article
from helpdesk.infra.db import session_scope
from helpdesk.services import kb_content, search

QUERIES = Path(__file__).resolve().parents[1] / "data" / "search_queries.json"
MIN_TOP3 = 0.9


def test_top3_accuracy_on_demo_content(db):
    cases = json.loads(QUERIES.read_text(encoding="utf-8"))
    assert len(cases) >= 30
    with session_scope() as s:
        kb_content.load_demo_content(s)
    top1 = top3 = 0
    misses = []
    with session_scope() as s:
        locale_of = dict(s.exec(select(Article.slug, Article.locale)).all())
        for case in cases:
            expected = case["expected"]
            assert all(slug in locale_of for slug in expected), case
            # Asked in the language of the article that answers it.
            hits = [h.slug for h in search.search_articles(s, case["query"], locale_of[expected[0]], limit=3)]
            top1 += bool(hits) and hits[0] in expected
            if any(slug in expected for slug in hits):
                top3 += 1
            else:
                misses.append(f"{case['query']!r}: expected {expected}, got {hits}")
    n = len(cases)
    dialect = s.get_bind().dialect.name
    print(f"\nsearch quality ({dialect}): top-1 {top1 / n:.3f}, top-3 {top3 / n:.3f} over {n} queries")
    for miss in misses:
        print("  miss", miss)
    assert top3 / n >= MIN_TOP3, misses
