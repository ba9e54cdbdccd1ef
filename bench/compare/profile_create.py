"""Where our ticket creation spends its time, in-process (no server, no websocket): the same
call the new-ticket form's submit handler makes, `new_ticket.submit` in one `session_scope()`
(captcha check, rate limits, duplicate check, `tickets.create_ticket`, commit), for signed-in
customers of a database seeded by seed_ours.py (the 200 seeded customers in turn), under cProfile.

    PYTHONPATH=. .venv/bin/python bench/compare/profile_create.py [--tickets 1000] [--n 200]

It seeds a fresh data dir of its own (--data, default /tmp/helpdesk-compare/profile) with
bench/compare/seed_ours.py. Captchas are solved before the timed loop; the hard-coded ticket
rate-limit counters are emptied before each submit, untimed, as bench/compare/run.py does.
Prints the wall time per creation (p50 / p95, without the profiler) and then, with cProfile,
the time per creation of the steps of the create path and the top functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

# The steps of the create path, as (label, file suffix, function name) for pstats lookups.
STEPS = [
    ("new_ticket.submit (all of it, without the commit)", "services/new_ticket.py", "submit"),
    ("  submitted(): form already sent?", "services/new_ticket.py", "submitted"),
    ("  validate_draft (called twice: submit and create_ticket)", "services/tickets.py", "validate_draft"),
    ("  captcha.verify (purge expired, insert the spent signature)", "services/captcha.py", "verify"),
    ("  rate limits (account + IP: insert, count)", "services/ratelimit.py", "hit"),
    ("  find_similar_open_ticket (duplicate check)", "services/new_ticket.py", "find_similar_open_ticket"),
    ("  tickets.create_ticket", "services/tickets.py", "create_ticket"),
    ("    fair_use.check_new_ticket", "services/fair_use.py", "check_new_ticket"),
    ("    _next_number (counter)", "services/tickets.py", "_next_number"),
    ("    ticket_search.index_ticket (search index)", "services/search/tickets.py", "index_ticket"),
    ("    _apply_sla", "services/tickets.py", "_apply_sla"),
    ("    fair_use.apply_new_ticket", "services/fair_use.py", "apply_new_ticket"),
    ("    _auto_assign", "services/tickets.py", "_auto_assign"),
    ("    _notify_created (estimate + queue the mail)", "services/tickets.py", "_notify_created"),
    ("      estimates.estimate", "services/estimates.py", "estimate"),
    ("      _mail_about", "services/tickets.py", "_mail_about"),
    ("    bus.publish", "infra/bus.py", "publish"),
    ("  _link_searches", "services/new_ticket.py", "_link_searches"),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tickets", type=int, default=1000)
    ap.add_argument("--n", type=int, default=200, help="creations per phase (timed, then profiled)")
    ap.add_argument("--data", default="/tmp/helpdesk-compare/profile")
    args = ap.parse_args()
    data = Path(args.data)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    env = dict(os.environ, HELPDESK_DATA_DIR=str(data), HELPDESK_DEMO="0", PYTHONPATH=str(REPO))
    env.pop("HELPDESK_DB_URL", None)
    articles = 200 if args.tickets <= 1000 else 2000  # as run.py: 1,000 / 200 and 100,000 / 2,000
    subprocess.run([sys.executable, str(HERE / "seed_ours.py"), str(args.tickets), str(articles)],
                   env=env, check=True, cwd=REPO)
    os.environ.update(HELPDESK_DATA_DIR=str(data), HELPDESK_DEMO="0")
    os.environ.pop("HELPDESK_DB_URL", None)

    from altcha import Challenge, Payload, solve_challenge
    from sqlalchemy import text
    from sqlmodel import col, select

    from bench.compare.run import NewTickets
    from bench.compare.seed_ours import CUSTOMER
    from helpdesk.domain.accounts import User
    from helpdesk.infra.db import session_scope
    from helpdesk.services import captcha, new_ticket, tickets

    with session_scope() as s:
        # The seeded customers in turn, so none piles up hundreds of open tickets (the duplicate
        # and fair-use checks scan the requester's recent tickets); cliente000 first.
        first = s.exec(select(User).where(User.email == CUSTOMER[0])).one()
        customers = [first] + [u for u in s.exec(select(User).where(col(User.email).like("cliente%@compare.test"))
                                                 .order_by(User.id)).all() if u.id != first.id]
        service_id = s.execute(text("SELECT id FROM services WHERE name = 'Soporte'")).scalar()
    gen = NewTickets()

    def prepared(k: int) -> list[new_ticket.Submission]:
        subs = []
        for _ in range(k):
            challenge = Challenge.from_dict(json.loads(json.dumps(captcha.new_challenge())))
            subject, body = gen.next()
            draft = tickets.TicketDraft(subject=subject, description=body, category="anomalia", service_id=service_id)
            subs.append(new_ticket.Submission(
                draft=draft, captcha_payload=Payload(challenge, solve_challenge(challenge, timeout=60)).to_base64(),
                ip="127.0.0.1", visitor_key="bench-profile-visitor-key", locale="es",
                submission_key=os.urandom(12).hex()))
        return subs

    def clear() -> None:
        with session_scope() as s:
            s.execute(text("DELETE FROM rate_limit_hits WHERE key LIKE 'ticket:%'"))

    turn = iter(range(10**9))

    def create(sub: new_ticket.Submission) -> tuple[float, float]:
        """(seconds in new_ticket.submit, seconds in the commit)"""
        actor = customers[next(turn) % len(customers)]
        t0 = time.perf_counter()
        with session_scope() as s:
            outcome = new_ticket.submit(s, s.merge(actor), sub)
            assert outcome.ticket.number
            t1 = time.perf_counter()
        return t1 - t0, time.perf_counter() - t1

    # Warm-up, then timed without the profiler, then the same again under cProfile.
    for sub in prepared(5):
        clear()
        create(sub)
    subs, wall = prepared(args.n), []
    for sub in subs:
        clear()
        wall.append(create(sub))

    def p50_p95(values: list[float]) -> str:
        values = sorted(v * 1000 for v in values)
        return f"p50 {statistics.median(values):.1f} ms, p95 {values[max(0, round(0.95 * len(values)) - 1)]:.1f} ms"

    print(f"\nin-process, {args.n} creations, no profiler: submit + commit {p50_p95([a + b for a, b in wall])}; "
          f"new_ticket.submit {p50_p95([a for a, _ in wall])}; the commit {p50_p95([b for _, b in wall])}")

    subs = prepared(args.n)
    prof = cProfile.Profile()
    for sub in subs:
        clear()
        prof.enable()
        create(sub)
        prof.disable()
    stats = pstats.Stats(prof)
    print("\nunder cProfile (slower than the wall times above; read the shares), ms per creation:\n")
    print("| step | ms per creation | calls per creation |")
    print("|---|---:|---:|")
    for label, suffix, name in STEPS:
        cum, calls = 0.0, 0
        for (file, _line, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
            if func == name and file.replace("\\", "/").endswith(suffix):
                cum, calls = cum + ct, calls + nc
        print(f"| {label} | {cum * 1000 / args.n:.2f} | {calls / args.n:.1f} |")
    print("\ntop 25 by cumulative time:")
    stats.sort_stats("cumulative").print_stats(25)
    print("top 20 by own time:")
    stats.sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
