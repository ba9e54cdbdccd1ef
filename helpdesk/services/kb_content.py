"""Demo help-center content shipped in helpdesk/content, loaded into the database.

Files:
    content/categories.json             [{slug, name, name_en, description, description_en, icon, position}]
    content/articles/<locale>/<slug>.md front matter between '---' lines, then Markdown:
        slug, title, summary, category (slug), translation_key, related (comma-separated slugs)

Loading is an upsert by slug: running it again changes nothing and adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlmodel import Session, select

from helpdesk.domain import utcnow
from helpdesk.domain.kb import Article, ArticleCategory
from helpdesk.services import search

CONTENT_DIR = Path(__file__).resolve().parents[1] / "content"
_CATEGORY_FIELDS = ("name", "name_en", "description", "description_en", "icon", "position")


class ContentError(ValueError):
    """A content file is malformed; the message names the file."""


@dataclass(frozen=True)
class ArticleFile:
    path: Path
    locale: str
    meta: dict[str, str]
    body: str


def parse_front_matter(text: str, source: str = "<text>") -> tuple[dict[str, str], str]:
    """`key: value` lines between two '---' lines, then the body. Values are plain strings."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(f"{source}: missing front matter")
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            body = "\n".join(lines[number:]).strip("\n") + "\n"
            return meta, body
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ContentError(f"{source}:{number}: expected 'key: value'")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[key.strip().lower()] = value
    raise ContentError(f"{source}: front matter is not closed by '---'")


def read_categories(content_dir: Path = CONTENT_DIR) -> list[dict]:
    path = content_dir / "categories.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("categories", [])
    if not isinstance(data, list) or not all(isinstance(c, dict) and c.get("slug") for c in data):
        raise ContentError(f"{path}: expected a list of categories with a slug")
    return data


def read_articles(content_dir: Path = CONTENT_DIR) -> list[ArticleFile]:
    out = []
    for locale_dir in sorted(p for p in (content_dir / "articles").iterdir() if p.is_dir()):
        for path in sorted(locale_dir.glob("*.md")):
            meta, body = parse_front_matter(path.read_text(encoding="utf-8"), str(path))
            meta.setdefault("slug", path.stem)
            if not meta.get("title"):
                raise ContentError(f"{path}: missing title")
            out.append(ArticleFile(path, locale_dir.name, meta, body))
    return out


def _assign(row: object, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def load_demo_content(session: Session, content_dir: Optional[Path] = None) -> int:
    """Upsert the shipped categories and articles, then rebuild the search index.

    Returns how many articles were created or changed (0 when already up to date).
    New articles are published; the files win over edits to title, summary, body and
    links, while publication state, views, votes and ids of existing rows are left alone.
    """
    content_dir = content_dir or CONTENT_DIR
    categories: dict[str, ArticleCategory] = {
        c.slug: c for c in session.exec(select(ArticleCategory)).all()
    }
    for position, data in enumerate(read_categories(content_dir), start=1):
        values = {k: data[k] for k in _CATEGORY_FIELDS if k in data}
        values.setdefault("position", position)
        values["position"] = int(values["position"])
        row = categories.get(data["slug"])
        if row is None:
            row = ArticleCategory(slug=data["slug"], name=data.get("name") or data["slug"])
            categories[row.slug] = row
        if _assign(row, values) or row.id is None:
            session.add(row)
    session.flush()

    existing = {a.slug: a for a in session.exec(select(Article)).all()}
    changed = 0
    for file in read_articles(content_dir):
        meta = file.meta
        category_slug = meta.get("category", "")
        category = categories.get(category_slug)
        if category_slug and category is None:
            raise ContentError(f"{file.path}: unknown category {category_slug!r}")
        values = {
            "locale": file.locale,
            "title": meta["title"],
            "summary": meta.get("summary", ""),
            "body": file.body,
            "category_id": category.id if category else None,
            "translation_key": meta.get("translation_key", ""),
            "related_slugs": ",".join(s.strip() for s in meta.get("related", "").split(",") if s.strip()),
        }
        article = existing.get(meta["slug"])
        if article is None:
            article = Article(slug=meta["slug"], is_published=True, **values)
            existing[article.slug] = article
            session.add(article)
            changed += 1
        elif _assign(article, values):
            article.updated_at = utcnow()
            session.add(article)
            changed += 1
    session.flush()
    search.rebuild_index(session)
    return changed
