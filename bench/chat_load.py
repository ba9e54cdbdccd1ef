"""Chat intake load: N concurrent conversations walking the script through the service layer
(the work each chat turn does on the server, one transaction per turn), plus the widget's size.

    HELPDESK_DATA_DIR=/tmp/chatbench PYTHONPATH=. .venv/bin/python bench/chat_load.py --conversations 200
    # PostgreSQL: HELPDESK_DB_URL=postgresql+psycopg://postgres@127.0.0.1:5432/chatbench (created if missing)

Prints p50/p95/p99 per turn in ms, errors, and widget.js raw/gzipped bytes.
"""

from __future__ import annotations

import argparse
import gzip
import secrets
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=200)
    ap.add_argument("--workers", type=int, default=32, help="threads serving turns at once")
    args = ap.parse_args()

    from sqlmodel import select

    from helpdesk.domain.catalog import Service
    from helpdesk.infra import migrations
    from helpdesk.infra.db import session_scope
    from helpdesk.services import chat, seed

    migrations.upgrade()
    with session_scope() as s:
        seed.ensure_configuration(s)
        if s.exec(select(Service.id)).first() is None:
            s.add(Service(name="Bench"))
    with session_scope() as s:
        service = str(s.exec(select(Service.id)).first())

    turns: list[float] = []
    errors = 0

    def turn(key: str, fn) -> None:
        nonlocal errors
        t0 = time.perf_counter()
        try:
            with session_scope() as s:
                row = chat.start(s, None, key, "es")
                fn(s, row)
                chat.view(s, row, None, "es")
        except Exception:  # noqa: BLE001 - counted
            errors += 1
        turns.append((time.perf_counter() - t0) * 1000)

    def conversation(_: int) -> None:
        key = secrets.token_urlsafe(32)
        steps = [
            lambda s, r: None,
            lambda s, r: chat.choose(s, r, None, "anomalia", "es"),
            lambda s, r: chat.choose(s, r, None, service, "es"),
            lambda s, r: chat.choose(s, r, None, "no", "es"),
            lambda s, r: chat.send_text(s, r, None, "No puedo entrar en mi cuenta desde esta mañana", "es"),
        ]
        for step in steps:
            turn(key, step)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        list(pool.map(conversation, range(args.conversations)))
    wall = time.perf_counter() - t0
    print(f"{args.conversations} conversations, {len(turns)} turns in {wall:.1f} s ({len(turns) / wall:.0f} turns/s), "
          f"errors {errors}")
    print(f"turn ms p50 {statistics.median(turns):.1f}  p95 {_pct(turns, 95):.1f}  p99 {_pct(turns, 99):.1f}")
    js = (Path(__file__).resolve().parents[1] / "helpdesk/web/http/widget.js").read_bytes()
    print(f"widget.js {len(js)} bytes, gzipped {len(gzip.compress(js, 9))} bytes "
          "(loaded with defer; it only draws a button on DOMContentLoaded, the iframe loads on click)")


if __name__ == "__main__":
    main()
