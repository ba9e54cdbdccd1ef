"""Load generator for a running help desk, on loopback only, bounded in connections and time.

N customers connect to `/_event` like browsers (one tab token each), hydrate the help center
home (`/`: hydrate + its on_load handlers), then search in a loop with think time; part of them
are signed in and also open their tickets (below). Meanwhile a
few agents reply to tickets through the ticket service (the database work an agent's reply
does). Prints throughput, p50/p95/p99 round-trip latency per event kind, errors, and the RSS of
the server's processes.

    python bench/load.py --url http://localhost:3000 --db-url sqlite:///.../helpdesk.db \
        --customers 200 --duration 30 --search-handler HelpCenterState.search --search-arg value

Handler names are configurable because pages evolve: `--search-handler
HelpCenterState.search --search-arg query` sends `{"query": "<term>"}` to that handler
(short class names are resolved against the app's State classes). Without a search handler
(the help center still a placeholder), customers repeat `--on-load-handler` instead
(default AppState.load_app: language + session lookup, the first handler of every page).
Latency is the round trip from emitting an event to the first state update it causes.

Signed-in customers (`--signed-in 0.5`, the default share; needs `--db-url`): before the run the
bench makes that many customer accounts (`carga-NNNN@bench.test`, kept for the next run) with
`--tickets-each 3` tickets each and a session token each, through helpdesk.services. Their tab
hydrates `/` with the token in LocalStorage `hd_session`, as a returning browser does. In their
loop they alternate a search with opening a page: one of their tickets (`/tickets/<n>`, row
`open_ticket`) or, in `--my-tickets-share 0.25` of the opens, "Mis tickets" (`/tickets`, row
`my_tickets`); before the next search they go back to `/` (row `home (nav)`). A page open is a
link click in the open tab (client storage, then on_load_internal; `--open-via hydrate` sends a
fresh tab's hydrate instead) timed until its on_load handlers are done, and counts as an error
unless the update shows the ticket's subject (or all the customer's tickets in the list). The
opened ticket page also keeps a live watcher on that ticket, as in a browser.

A realistic customer (`--think 10`, the default): connected all the time, one search every
~10 s on average (uniform 5–15 s): typing a query takes a few seconds and reading the results
several more. 200 such customers offer ~20 searches/s. `--sweep 8,4,2,1` keeps the same
customers connected and runs one phase per think time, printing a row each, to find the
throughput at which p95 crosses 150 ms (the saturation point):

    python bench/load.py --url ... --customers 200 --duration 20 --sweep 8,4,2,1.33,1
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import pkgutil
import random
import sys
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TERMS = ["factura", "contraseña", "llamadas", "adjuntar", "ticket", "devolución", "fibra", "buzón", "iva", "audio"]


def _state_classes() -> dict[str, str]:
    """Short class name -> full state name, for every State in helpdesk.web."""
    import reflex as rx

    import helpdesk.web.pages as pages

    importlib.import_module("helpdesk.web.app_state")
    for mod in pkgutil.walk_packages(pages.__path__, pages.__name__ + "."):
        if mod.name.endswith(".state"):
            importlib.import_module(mod.name)
    found: dict[str, str] = {}
    todo = [rx.State]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls.get_full_name()
        todo.extend(cls.get_substates())
    return found


def resolve(handler: str, classes: dict[str, str]) -> str:
    cls, _, name = handler.rpartition(".")
    return f"{classes.get(cls, cls)}.{name}"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def ok(self, kind: str, seconds: float) -> None:
        self.latency[kind].append(seconds * 1000)

    def fail(self, kind: str, exc: BaseException) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 5:
            self.samples.append(f"{kind}: {type(exc).__name__}: {exc}"[:200])


async def customer(i: int, args, names: dict[str, str], stats: Stats, clock: dict, ready: asyncio.Event,
                   sem: asyncio.Semaphore, account: dict | None = None) -> None:
    from tests.support.reflex_client import ReflexClient, hydrated

    rng = random.Random(i)
    client = ReflexClient(args.url, track_local_addr=False)
    try:
        async with sem:  # tabs open in waves, not all in the same millisecond
            t0 = time.monotonic()
            await client.connect(timeout=30)
            stats.ok("connect", time.monotonic() - t0)
            t0 = time.monotonic()
            # hydrate_and_load also runs the page's on_load handlers (on_load_internal).
            storage = {names["token_var"]: account["token"]} if account else {}
            merged = await client.call(names["hydrate"], {"vars": storage}, path="/", timeout=30, until=hydrated)
            if account and _value(merged, names["app_state"], "user_role") != "customer":
                raise LookupError("the session token did not sign the tab in")
            stats.ok("hydrate+on_load", time.monotonic() - t0)
    except Exception as exc:  # noqa: BLE001
        stats.fail("connect", exc)
        await _close(client)
        return
    await ready.wait()
    step, on_home = 0, True
    while time.monotonic() < clock["stop"]:
        await asyncio.sleep(rng.uniform(0.5, 1.5) * clock["think"])
        if time.monotonic() >= clock["stop"]:
            break
        stats = clock["stats"]
        step += 1
        # A watched ticket page pushes updates when an agent replies: they are not the answer
        # to the next event, and call() takes the first update it sees as that answer.
        client.drain()
        if account is not None and step % 2 == 0:
            # "Mis tickets" now and then, otherwise straight to a ticket (say, from a mail link).
            if rng.random() < args.my_tickets_share:
                await _open(client, args, names, stats, "my_tickets", "/tickets", {}, account)
            else:
                number, subject = rng.choice(account["tickets"])
                await _open(client, args, names, stats, "open_ticket", f"/tickets/{number}", {"id": str(number)},
                            account, subject)
            on_home = False
            continue
        if not on_home:
            # Back to the help center before typing a query, as the browser would navigate.
            on_home = await _open(client, args, names, stats, "home (nav)", "/", {}, account)
            client.drain()
        kind = "search" if names.get("search") else "page_event"
        handler = names.get("search") or names["on_load"]
        payload = {args.search_arg: rng.choice(TERMS)} if names.get("search") else {}
        try:
            await client.call(handler, payload, path="/", timeout=30)
            stats.ok(kind, client.first_update_s)
        except Exception as exc:  # noqa: BLE001
            stats.fail(kind, exc)
    await _close(client)


async def _open(client, args, names: dict[str, str], stats: Stats, kind: str, path: str, query: dict,
                account: dict | None, subject: str = "") -> bool:
    """Go to a page in an open tab and wait until its on_load handlers are done (`is_hydrated`
    flips back to true). `--open-via nav` sends what the browser sends on a link click
    (client storage, then on_load_internal); `hydrate` what a freshly opened tab sends. Then
    check that the page shows the customer's data, not a redirect to sign-in or an empty page."""
    from tests.support.reflex_client import hydrated

    storage = {names["token_var"]: account["token"]} if account else {}
    t0 = time.monotonic()
    try:
        if args.open_via == "hydrate":
            merged = await client.call(names["hydrate"], {"vars": storage}, path=path, query=query, timeout=30,
                                       until=hydrated)
        else:
            if storage:
                # Its delta (if any) merges into the on_load_internal call's: same tab, same order.
                await client.sio.emit("event", {"name": names["update_vars"], "payload": {"vars": storage},
                                                "router_data": {"pathname": path, "query": query, "asPath": path}},
                                      namespace="/_event")
            merged = await client.call(names["on_load_internal"], {}, path=path, query=query, timeout=30, until=hydrated)
        seconds = time.monotonic() - t0
        if kind == "open_ticket":
            shown = _value(merged, names["ticket_state"], "ticket") or {}
            if shown.get("subject") != subject:
                raise LookupError(f"{path}: ticket not in the update (access="
                                  f"{_value(merged, names['guard_state'], 'access')!r}, subject={shown.get('subject')!r})")
        elif kind == "my_tickets":
            shown = {r.get("subject") for r in (_value(merged, names["my_tickets_state"], "rows") or [])}
            missing = [s for _, s in account["tickets"] if s not in shown]
            if missing:
                raise LookupError(f"/tickets: {len(missing)} of the customer's tickets not listed "
                                  f"(access={_value(merged, names['guard_state'], 'access')!r})")
        stats.ok(kind, seconds)
        return True
    except Exception as exc:  # noqa: BLE001
        stats.fail(kind, exc)
        return False


def _value(merged: dict, state: str, var: str):
    """A var of one state in a merged delta (other pages' states have vars of the same name)."""
    from tests.support.reflex_client import find_value

    try:
        return find_value({state: merged.get(state) or {}}, var)
    except KeyError:
        return None


async def steady_hydrates(args, names: dict[str, str], stats: Stats, stop_at: float) -> None:
    """Once everyone is connected, a new tab opens `/` about once a second: what a page load
    costs at steady state, apart from the ramp-up burst of `--connect-concurrency` tabs at once."""
    from tests.support.reflex_client import ReflexClient, hydrated

    while time.monotonic() < stop_at - 2:
        await asyncio.sleep(1)
        client = ReflexClient(args.url, track_local_addr=False)
        try:
            await client.connect(timeout=30)
            t0 = time.monotonic()
            await client.call(names["hydrate"], {"vars": {}}, path="/", timeout=30, until=hydrated)
            stats.ok("hydrate (steady)", time.monotonic() - t0)
        except Exception as exc:  # noqa: BLE001
            stats.fail("hydrate (steady)", exc)
        await _close(client)


async def _close(client) -> None:
    try:
        await client.close()
    except Exception:  # noqa: BLE001
        pass


def agent_loop(i: int, args, stats: Stats, stop_at: float) -> None:
    """An agent answering the newest tickets, through the same service the agent page uses."""
    from sqlmodel import select

    from helpdesk.domain.accounts import User
    from helpdesk.domain.tickets import Ticket
    from helpdesk.infra.db import session_scope
    from helpdesk.services import tickets

    rng = random.Random(1000 + i)
    while time.monotonic() < stop_at:
        time.sleep(rng.uniform(0.5, 1.5) * args.agent_think)
        t0 = time.monotonic()
        try:
            with session_scope() as s:
                agent = s.exec(select(User).where(User.role.in_(("agent", "admin")))).first()
                # Closed tickets refuse replies (reopen first): answer the open ones.
                ticket = s.exec(
                    select(Ticket).where(Ticket.status != "closed").order_by(Ticket.id.desc()).limit(20)
                ).all()
                if not ticket:
                    continue
                tickets.add_message(s, agent, rng.choice(ticket).number, f"Respuesta de carga {rng.random():.6f}")
            stats.ok("agent_reply", time.monotonic() - t0)
        except Exception as exc:  # noqa: BLE001
            stats.fail("agent_reply", exc)


def ensure_tickets(n: int = 20) -> None:
    from sqlmodel import func, select

    from helpdesk.domain.accounts import User
    from helpdesk.domain.catalog import Service
    from helpdesk.domain.tickets import Ticket
    from helpdesk.infra.db import session_scope
    from helpdesk.services import tickets

    with session_scope() as s:
        have = s.exec(select(func.count()).select_from(Ticket)).one()
        customer = s.exec(select(User).where(User.role == "customer", User.password_hash != "")).first()
        service = s.exec(select(Service.id)).first()
        for k in range(max(0, n - have)):
            tickets.create_ticket(
                s,
                customer,
                tickets.TicketDraft(
                    subject=f"Carga {k}", description="Ticket para la prueba de carga.", category="consulta", service_id=service
                ),
            )


BENCH_DOMAIN = "bench.test"


def signed_in_accounts(n: int, tickets_each: int) -> list[dict]:
    """n customer accounts with `tickets_each` tickets each and a fresh session token, made
    through the services as registration and the new-ticket page do. Accounts and tickets are
    kept and reused by the next run (hashing 100 passwords takes seconds); the sessions are
    ended after the run (`end_sessions`)."""
    from sqlmodel import select

    from helpdesk.domain.accounts import Role, User
    from helpdesk.domain.catalog import Service
    from helpdesk.domain.tickets import Ticket
    from helpdesk.infra.db import session_scope
    from helpdesk.services import accounts, tickets

    out = []
    with session_scope() as s:
        service = s.exec(select(Service.id)).first()
        for k in range(n):
            email = f"carga-{k:04d}@{BENCH_DOMAIN}"
            user = s.exec(select(User).where(User.email == email)).first()
            if user is None:
                user = accounts.create_user(s, email=email, password="clave-de-carga-1", name=f"Cliente carga {k}",
                                            role=Role.CUSTOMER)
            have = s.exec(select(Ticket.number, Ticket.subject).where(Ticket.requester_id == user.id)
                          .order_by(Ticket.number)).all()
            for j in range(len(have), tickets_each):
                t = tickets.create_ticket(s, user, tickets.TicketDraft(
                    subject=f"Carga cliente {k} ticket {j}", description="Ticket de un cliente de la prueba de carga.",
                    category="consulta", service_id=service))
                have.append((t.number, t.subject))
            out.append({"token": accounts.start_session(s, user, user_agent="bench/load.py"),
                        "tickets": [(number, subject) for number, subject in have[:tickets_each]]})
    return out


def end_sessions(accounts_: list[dict]) -> None:
    from helpdesk.infra.db import session_scope
    from helpdesk.services import accounts

    with session_scope() as s:
        for account in accounts_:
            accounts.end_session(s, account["token"])


def server_rss(port: int) -> tuple[int, float]:
    """Processes listening on the port and their parents/children: count and total RSS (MiB)."""
    import psutil

    roots = set()
    for c in psutil.net_connections(kind="tcp"):
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port and c.pid:
            roots.add(c.pid)
    procs = {}
    for pid in roots:
        try:
            p = psutil.Process(pid)
            procs[p.pid] = p
            parent = p.parent()
            if parent is not None and "python" in parent.name():
                procs[parent.pid] = parent
                for child in parent.children(recursive=True):
                    procs[child.pid] = child
        except psutil.Error:
            continue
    rss = 0
    for p in procs.values():
        try:
            rss += p.memory_info().rss
        except psutil.Error:
            pass
    return len(roots), rss / 2**20


async def main_async(args) -> int:
    host = urllib.parse.urlparse(args.url).hostname
    if host not in ("localhost", "127.0.0.1", "::1"):
        raise SystemExit("load tests target loopback only")
    classes = _state_classes()
    import reflex as rx

    from reflex.state import OnLoadInternalState, UpdateVarsInternalState

    names = {
        "hydrate": f"{rx.State.get_full_name()}.hydrate_and_load",
        "on_load": resolve(args.on_load_handler, classes),
        "on_load_internal": f"{OnLoadInternalState.get_full_name()}.on_load_internal",
        "update_vars": f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
        "app_state": classes["AppState"],
        "token_var": f"{classes['AppState']}.token",
        "guard_state": classes["GuardedState"],
        "ticket_state": classes["TicketState"],
        "my_tickets_state": classes["MyTicketsState"],
    }
    if args.search_handler:
        names["search"] = resolve(args.search_handler, classes)
    if args.agents:
        ensure_tickets()
    signed = round(args.customers * args.signed_in)
    accounts_ = await asyncio.get_running_loop().run_in_executor(None, signed_in_accounts, signed, args.tickets_each) if signed else []
    try:
        return await _run(args, names, accounts_)
    finally:
        if accounts_:
            end_sessions(accounts_)


async def _run(args, names: dict[str, str], accounts_: list[dict]) -> int:
    port = urllib.parse.urlparse(args.url).port or 80
    workers, rss_before = server_rss(port)
    stats = Stats()
    ready = asyncio.Event()
    clock = {"stop": float("inf"), "think": args.think, "stats": stats}
    # The run's clock starts once every customer is connected; the ramp-up is reported apart.
    ramp_start = time.monotonic()
    sem = asyncio.Semaphore(args.connect_concurrency)

    # Signed-in customers are spread among the anonymous ones so both connect in every wave.
    step = args.customers / len(accounts_) if accounts_ else 0
    account_of = {int(k * step): a for k, a in enumerate(accounts_)}
    tasks = [asyncio.create_task(customer(i, args, names, stats, clock, ready, sem, account_of.get(i)))
             for i in range(args.customers)]
    while len(stats.latency["hydrate+on_load"]) + sum(stats.errors.values()) < args.customers:
        if time.monotonic() - ramp_start > 120:
            break
        await asyncio.sleep(0.1)
    ramp = time.monotonic() - ramp_start
    if args.sweep:
        return await _sweep(args, clock, stats, tasks, ready, ramp)
    run_start = time.monotonic()
    stop_at = clock["stop"] = run_start + args.duration
    ready.set()
    loop = asyncio.get_running_loop()
    agents = [loop.run_in_executor(None, agent_loop, i, args, stats, stop_at) for i in range(args.agents)]
    agents.append(asyncio.create_task(steady_hydrates(args, names, stats, stop_at)))
    peak_rss = rss_before
    while time.monotonic() < stop_at:
        await asyncio.sleep(1)
        peak_rss = max(peak_rss, server_rss(port)[1])
    await asyncio.gather(*tasks, *agents, return_exceptions=True)
    elapsed = time.monotonic() - run_start

    print(f"target {args.url}: {workers} worker process(es) listening; {args.customers} customers "
          f"({len(accounts_)} signed in, {args.tickets_each} tickets each, open via {args.open_via}), "
          f"{args.agents} agents, {args.duration}s (+{ramp:.1f}s ramp-up)")
    total = 0
    for kind in sorted(stats.latency):
        values = stats.latency[kind]
        if kind not in ("connect", "hydrate+on_load", "hydrate (steady)"):
            total += len(values)
        print(f"  {kind:16s} n={len(values):6d}  p50={percentile(values, 50):7.1f} ms  p95={percentile(values, 95):7.1f} ms"
              f"  p99={percentile(values, 99):7.1f} ms  max={max(values) if values else float('nan'):7.1f} ms")
    print(f"  throughput       {total / elapsed:.1f} events/s (searches, page opens and agent replies during the run)")
    print(f"  errors           {dict(stats.errors) or 0}")
    for sample in stats.samples:
        print(f"    {sample}")
    print(f"  server RSS       {rss_before:.0f} MiB before, {peak_rss:.0f} MiB peak (all server processes)")
    return 1 if stats.errors else 0



async def _sweep(args, clock, connect_stats, tasks, ready, ramp) -> int:
    """One phase per think time, same connected customers; agents off (they share the CPU)."""
    thinks = [float(x) for x in args.sweep.split(",") if x.strip()]
    print(f"target {args.url}: {args.customers} customers connected (+{ramp:.1f}s ramp-up, "
          f"connect errors {dict(connect_stats.errors) or 0}); {args.duration:.0f}s per phase")
    print(f"  {'think':>6s} {'offered/s':>9s} {'events/s':>9s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} errors")
    failed = bool(connect_stats.errors)
    ready.set()
    for think in thinks:
        phase = Stats()
        clock["think"], clock["stats"] = think, phase
        await asyncio.sleep(think * 1.5)  # let every customer pick up the new pace
        phase.latency.clear()
        t0 = time.monotonic()
        await asyncio.sleep(args.duration)
        values = [v for k, vs in phase.latency.items() for v in vs]
        elapsed = time.monotonic() - t0
        errors = sum(phase.errors.values())
        failed |= errors > 0
        print(f"  {think:6.2f} {args.customers / think:9.1f} {len(values) / elapsed:9.1f} {percentile(values, 50):8.1f}"
              f" {percentile(values, 95):8.1f} {percentile(values, 99):8.1f} {errors}", flush=True)
    clock["stop"] = 0
    await asyncio.gather(*tasks, return_exceptions=True)
    return 1 if failed else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("HELPDESK_BENCH_URL", "http://localhost:3000"))
    p.add_argument(
        "--db-url",
        default=os.environ.get("HELPDESK_DB_URL", ""),
        help="the server's database, for the agents' replies (default $HELPDESK_DB_URL; needed with --agents)",
    )
    p.add_argument("--customers", type=int, default=200)
    p.add_argument("--agents", type=int, default=3)
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--think", type=float, default=10.0, help="mean seconds between a customer's searches (uniform 0.5-1.5x)")
    p.add_argument("--sweep", default="", help="comma-separated think times: one phase each, same customers (no agents)")
    p.add_argument("--agent-think", type=float, default=2.0, help="mean seconds between an agent's replies")
    p.add_argument("--connect-concurrency", type=int, default=20)
    p.add_argument(
        "--on-load-handler",
        default="AppState.load_app",
        help="event customers repeat when there is no search handler (load_app: the session lookup every page does)",
    )
    p.add_argument("--search-handler", default="", help="e.g. HelpCenterState.search (empty: repeat --on-load-handler)")
    p.add_argument("--search-arg", default="query")
    p.add_argument("--signed-in", type=float, default=0.5,
                   help="share of customers signed in, who alternate searching with opening their tickets "
                        "(needs --db-url; 0 with --sweep)")
    p.add_argument("--tickets-each", type=int, default=3, help="tickets per signed-in customer")
    p.add_argument("--my-tickets-share", type=float, default=0.25,
                   help="share of a signed-in customer's page opens that go to /tickets instead of one ticket")
    p.add_argument("--open-via", choices=("nav", "hydrate"), default="nav",
                   help="nav: a link click in the open tab (on_load_internal); hydrate: a freshly opened tab")
    args = p.parse_args()
    args.customers = min(args.customers, 2000)  # bounded, whatever is asked
    args.duration = min(args.duration, 600)
    args.signed_in = max(0.0, min(args.signed_in, 1.0))
    args.tickets_each = max(1, min(args.tickets_each, 20))
    if args.sweep:
        # The sweep measures search saturation, comparable to earlier sweeps: searches only.
        args.agents = 0
        args.signed_in = 0.0
    if args.signed_in and not args.db_url:
        print("note: --signed-in needs --db-url (accounts are made in the server's database): all customers anonymous",
              file=sys.stderr)
        args.signed_in = 0.0
    if args.agents and not args.db_url:
        p.error("--agents needs --db-url (or HELPDESK_DB_URL): the server's database")
    if args.db_url:
        os.environ["HELPDESK_DB_URL"] = args.db_url
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
