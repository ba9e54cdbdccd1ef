"""Help-center search benchmark (a script, not a test).

Load is printed too: on a busy machine the wall-clock columns measure the machine.

    .venv/bin/python bench/search_bench.py [--sizes 10000,100000] [--queries 300]
                                           [--postgres postgresql+psycopg://user@host/db]
                                           [--breakdown]

For each size: a throwaway database (SQLite in a temp dir; with --postgres also a
temporary PostgreSQL database, dropped afterwards) is migrated and filled with N
synthetic Spanish articles whose words are drawn from the demo content (fixed seed),
then the script prints the index build time and p50/p95/max of search_articles()
over realistic queries, half of them cut mid-word as if still being typed. The time
is what the server spends per search: SQL plus ranking tiers plus snippets.

With --breakdown it then lists the slowest 5% of the queries with where their time
went: typo correction, completions, each result tier (with, on SQLite, how many rows
the tier's MATCH had to rank) and building the hits (snippets, highlighting).

Finally it prints search quality (top-1 / top-3 accuracy) on the real demo content
and tests/data/search_queries.json.
"""

from __future__ import annotations

import argparse
import os
import itertools
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, text  # noqa: E402

from bench import scratch_db  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from helpdesk.domain.kb import Article, ArticleCategory  # noqa: E402
from helpdesk.infra import migrations  # noqa: E402
from helpdesk.infra.db import make_engine  # noqa: E402
from helpdesk.services import kb_content, search  # noqa: E402
from helpdesk.services.search import completions, sqlite_fts, typos, vocabulary  # noqa: E402
from helpdesk.services.search.analysis import fold, language, plain_text, words  # noqa: E402

SEED = 20240601
STOPWORDS = language("es").stopwords
QUERIES_FILE = REPO / "tests" / "data" / "search_queries.json"


# --- Databases ------------------------------------------------------------------------


def sqlite_db():  # noqa: ANN201 - see bench/scratch_db.py
    return scratch_db.sqlite_db("search-bench")


def postgres_db(server_url: str):  # noqa: ANN201
    return scratch_db.postgres_db(server_url, "search_bench")


# --- Synthetic content ----------------------------------------------------------------


def demo_vocabulary() -> tuple[list[str], list[int], list[tuple[list[str], list[str]]]]:
    """Words of the Spanish demo articles with their frequencies, and per article its
    title words and body words (a "topic")."""
    counts: Counter[str] = Counter()
    topics = []
    for file in kb_content.read_articles():
        if file.locale != "es":
            continue
        body = [m.group().lower() for m in words(plain_text(file.body) + " " + file.meta.get("summary", ""))]
        counts.update(w for w in body if len(w) > 1)
        topics.append(([m.group().lower() for m in words(file.meta["title"])], body))
    vocab = [w for w, _ in counts.most_common()]
    return vocab, [counts[w] for w in vocab], topics


def long_tail_words(count: int, rng: random.Random) -> list[str]:
    """Made-up Spanish-looking words (product names, places, jargon): a real help center's
    vocabulary keeps growing with its size, which keeps most posting lists short."""
    syllables = "ba be bi bo ca ce ci co cu da de di do fa fe fi fo ga go la le li lo lu ma me mi mo " \
        "na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi za zo bra tra pla cla gri ñe ño".split()
    out = set()
    while len(out) < count:
        out.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) + rng.choice(["", "s", "r", "n", "l"]))
    return sorted(out)


def synthetic_articles(n: int, rng: random.Random) -> Iterator[dict]:
    """Each article elaborates one demo article's topic: most words from that article,
    a quarter from the whole demo vocabulary, a few from a long tail of rarer words."""
    vocab, weights, topics = demo_vocabulary()
    cumulative = list(itertools.accumulate(weights))
    tail = long_tail_words(20_000, rng)

    def draw(topic_words: list[str], k: int) -> list[str]:
        out = []
        for _ in range(k):
            r = rng.random()
            if r < 0.65:
                out.append(rng.choice(topic_words))
            elif r < 0.92:
                out.append(rng.choices(vocab, cum_weights=cumulative)[0])
            else:
                out.append(rng.choice(tail))
        return out

    for i in range(n):
        title_words, topic_words = rng.choice(topics)
        title = title_words[: rng.randint(2, len(title_words))] + draw(topic_words, rng.randint(1, 3))
        paragraphs = [
            " ".join(draw(topic_words, rng.randint(25, 60))).capitalize() + "." for _ in range(rng.randint(3, 6))
        ]
        yield {
            "slug": f"sintetico-{i}",
            "locale": "es" if rng.random() < 0.9 else "en",
            "translation_key": "",
            "title": " ".join(title).capitalize()[:190],
            "summary": (" ".join(draw(topic_words, rng.randint(10, 22))).capitalize() + ".")[:490],
            "body": "\n\n".join(paragraphs),
            "is_published": rng.random() < 0.95,
            "views": 0,
            "related_slugs": "",
        }


def real_queries() -> list[str]:
    if not QUERIES_FILE.exists():
        return []
    return [q["query"] for q in json.loads(QUERIES_FILE.read_text(encoding="utf-8"))]


def realistic_queries(count: int, rng: random.Random) -> list[str]:
    """The real query set, random word pairs/triples from the vocabulary, each also cut
    mid-word (what the box holds while the user is still typing)."""
    real = real_queries()
    vocab, _, _ = demo_vocabulary()
    content = [w for w in vocab[:1500] if fold(w) not in STOPWORDS and len(w) > 3]
    out: list[str] = []
    while len(out) < count:
        full = rng.choice(real) if real and rng.random() < 0.5 else " ".join(rng.sample(content, rng.randint(1, 3)))
        out.append(full)
        last = full.split()[-1] if full.split() else ""
        if len(last) > 3:
            out.append(full[: len(full) - len(last) + rng.randint(2, len(last) - 1)])
    return out[:count]


# --- Measurements ---------------------------------------------------------------------


def build(url: str, n: int) -> tuple[object, float, float]:
    migrations.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(SEED + n)
    t0 = time.perf_counter()
    with Session(engine) as session:
        session.add(ArticleCategory(slug="bench", name="Bench"))
        session.flush()
        batch: list[dict] = []
        for row in synthetic_articles(n, rng):
            batch.append(row)
            if len(batch) == 2000:
                session.exec(insert(Article), params=batch)
                batch = []
        if batch:
            session.exec(insert(Article), params=batch)
        session.commit()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with Session(engine) as session:
        search.rebuild_index(session)
        session.commit()
    return engine, load_s, time.perf_counter() - t0


def time_queries(engine, queries: list[str], repeat: int) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """Milliseconds per query, wall clock and CPU time of this process, each the
    fastest of `repeat` runs so that other work on a shared machine does not pass for
    search cost. With SQLite the CPU time is the whole server-side cost (the database
    runs in-process); with PostgreSQL it leaves out the database server's share."""
    wall, cpu = [], []
    with Session(engine) as session:
        for q in queries[:20]:  # warm caches and the connection like a running server
            search.search_articles(session, q, "es")
        for q in queries:
            best_wall = best_cpu = float("inf")
            for _ in range(repeat):
                w0, c0 = time.perf_counter(), time.thread_time()
                search.search_articles(session, q, "es", limit=10)
                best_wall = min(best_wall, (time.perf_counter() - w0) * 1000)
                best_cpu = min(best_cpu, (time.thread_time() - c0) * 1000)
            wall.append(best_wall)
            cpu.append(best_cpu)
    return wall, cpu


def breakdown(engine, queries: list[str], wall: list[float], share: float = 0.05) -> None:  # noqa: ANN001
    """Print the slowest `share` of the queries with the time of each stage (one more run
    each, stages wrapped with a timer; the totals are those of the measured runs)."""
    stages: list[str] = []

    def timed(name, fn):  # noqa: ANN001, ANN202
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t0 = time.perf_counter()
            out = fn(*args, **kwargs)
            ms = (time.perf_counter() - t0) * 1000
            if name.startswith("tier"):
                session, parsed, locale, _, mode = args[:5]
                stages.append(f"{locale}/{mode} {ms:.1f} ({_matches(session, parsed, mode)} matches, {len(out)} kept)")
            else:
                stages.append(f"{name} {ms:.1f}")
            return out
        return wrapper

    # Module attributes, looked up at call time by search/__init__.py: wrap, run, restore.
    patched = [(typos, "suggest"), (vocabulary, "current"), (completions, "stems_for_prefix"), (search, "_hits")]
    originals = [(m, n, getattr(m, n)) for m, n in patched]
    for module, name in patched:
        setattr(module, name, timed(name, getattr(module, name)))
    with Session(engine) as session:
        backend = search._backend(session)
    originals.append((backend, "match", backend.match))
    backend.match = timed("tier", backend.match)
    slow = sorted(zip(wall, queries), reverse=True)[: max(1, int(len(queries) * share))]
    try:
        with Session(engine) as session:
            for ms, q in slow:
                stages.clear()
                search.search_articles(session, q, "es", limit=10)
                print(f"  {ms:7.2f} ms  {q!r}: " + " | ".join(stages))
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)


def _matches(session: Session, parsed, mode: str) -> str:  # noqa: ANN001
    """Rows the tier's MATCH selects, all of which FTS5 ranks before the LIMIT applies."""
    if session.get_bind().dialect.name != "sqlite":
        return "?"
    sql = f"SELECT count(*) FROM {sqlite_fts.TABLE} WHERE {sqlite_fts.TABLE} MATCH :q"
    return str(session.exec(text(sql), params={"q": sqlite_fts.match_expression(parsed, mode)}).scalar_one())


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def quality(url: str) -> tuple[float, float, int]:
    migrations.upgrade(url)
    engine = make_engine(url)
    cases = json.loads(QUERIES_FILE.read_text(encoding="utf-8"))
    top1 = top3 = 0
    with Session(engine) as session:
        kb_content.load_demo_content(session)
        session.commit()
        locale_of = dict(session.exec(select(Article.slug, Article.locale)).all())
        for case in cases:
            locale = locale_of.get(case["expected"][0], "es")
            slugs = [h.slug for h in search.search_articles(session, case["query"], locale, limit=3)]
            top1 += bool(slugs) and slugs[0] in case["expected"]
            top3 += any(s in case["expected"] for s in slugs)
    engine.dispose()
    return top1 / len(cases), top3 / len(cases), len(cases)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated article counts")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the fastest counts")
    parser.add_argument("--postgres", default="", help="server URL; a temporary database is created on it")
    parser.add_argument("--breakdown", action="store_true", help="where the slowest 5%% of the queries spend their time")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    queries = realistic_queries(args.queries, random.Random(SEED))
    backends = [("sqlite", sqlite_db, ())]
    if args.postgres:
        backends.append(("postgresql", postgres_db, (args.postgres,)))

    typing = sum(1 for q in queries if q not in real_queries())
    print(f"{len(queries)} queries ({typing} of them cut mid-word or synthetic), fastest of {args.repeat} runs each;"
          f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'backend':<11} {'articles':>9} {'load s':>8} {'index s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
          f" {'cpu p50':>8} {'cpu p95':>8}")
    for name, factory, factory_args in backends:
        for n in sizes:
            with factory(*factory_args) as url:
                engine, load_s, index_s = build(url, n)
                wall, cpu = time_queries(engine, queries, max(1, args.repeat))
                print(
                    f"{name:<11} {n:>9} {load_s:>8.2f} {index_s:>8.2f} {statistics.median(wall):>8.2f} "
                    f"{pct(wall, 95):>8.2f} {max(wall):>8.2f} {statistics.median(cpu):>8.2f} {pct(cpu, 95):>8.2f}",
                    flush=True,
                )
                if args.breakdown:
                    breakdown(engine, queries, wall)
                engine.dispose()
    if QUERIES_FILE.exists():
        for name, factory, factory_args in backends:
            with factory(*factory_args) as url:
                top1, top3, count = quality(url)
            print(f"quality {name}: top-1 {top1:.3f}  top-3 {top3:.3f}  ({count} queries, demo content)")


if __name__ == "__main__":
    main()
