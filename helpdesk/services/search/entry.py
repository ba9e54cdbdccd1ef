"""What the backends store per article."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.services.search.analysis import AnalysedDoc


@dataclass(frozen=True)
class IndexEntry:
    article_id: int
    locale: str
    published: bool
    doc: AnalysedDoc
