"""Side by side in one run: django-helpdesk 2.6.1 (the peer, gunicorn + SQLite, over HTTP) and
our app (production build, SQLite, HTTP page load + the Socket.IO events of the same action),
seeded with the same data, timed interleaved (peer, us, peer, us...) on this machine. Prints
p50 / p95 per action and the ratio peer ÷ us.

    PYTHONPATH=. .venv/bin/python bench/compare/run.py              # 1,000 tickets, 200 articles
    PYTHONPATH=. .venv/bin/python bench/compare/run.py --big        # 100,000 tickets, 2,000 articles

Everything lives under --workdir (default /tmp/helpdesk-compare): the peer's venv and site
(peer/setup.sh installs django-helpdesk 2.6.1, Django, gunicorn from PyPI), our data dir.
Each run starts from fresh databases. Ports are free ones picked at start.

Our "page load" is what a browser does on a full load: GET the page's HTML, open the websocket,
send hydrate_and_load (the tab's session token in its storage), until the page's on_load
handlers are done (`is_hydrated`). In-page actions (search, reply) time one event until its
last update (the quiet gap that shows no more is coming is not counted). The peer's pages that
fill themselves by AJAX count HTML + JSON.

Ticket creation, the same user action on both sides (a signed-in customer opens a ticket):
- peer: GET /tickets/submit/ (the form, for its CSRF token) + POST it, until the 302 to the
  ticket; both requests timed, as one creation.
- us: in the customer's open /tickets/new tab, "open another ticket" (NewTicketState.start_over,
  a fresh form) + GET /api/captcha/challenge (what the fresh captcha widget fetches) + the
  submit event with the complete form, until `created_id` arrives (asserted: a refused send
  never counts). The proof of work is solved in between, untimed: the widget solves it in the
  browser while the person types (auto="onload"). Our per-account and per-IP rate-limit hits
  (10 and 30 tickets per 10 minutes, hard-coded) are deleted before each creation, untimed;
  every creation still writes and counts its own hit. Fair-use limits are saved off by
  seed_ours.py, as an admin could.
Tickets per second = creations / their summed timed latency (one client, sequential); with
--clients N also N clients at once, in rounds (all N load a form, then all N submit), rounds
summed.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import importlib.util
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
KEYWORD = "facturación"
NEW_TICKET = "/tickets/new"
_spec = importlib.util.spec_from_file_location("peer_words", HERE / "peer" / "words.py")
words = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(words)


class NewTickets:
    """The tickets both sides open: the same Spanish subjects and descriptions, each subject
    unlike the others (ours refuses a near-duplicate of the customer's open tickets)."""

    def __init__(self):
        self.rng, self.k = random.Random(21), 0

    def next(self) -> tuple[str, str]:
        self.k += 1
        n1, n2, n3 = self.rng.sample(words.NOUNS, 3)
        subject = f"{n1.capitalize()} {n2} {n3} {self.rng.choice(words.ADJS)} ({self.k})"
        return subject, words.text(self.rng, 30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 900) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"{url} did not answer in {timeout}s")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p * len(values) + 0.5) - 1))]


# ------------------------------------------------------------------ the peer (HTTP)

class Peer:
    def __init__(self, base: str, db: Path):
        import httpx

        self.base, self.db = base, db
        self.anon = httpx.Client(base_url=base, timeout=300)
        self.cust = self._login("cliente", "cliente-pass")
        self.staff = self._login("agente", "agente-pass")
        first = self.cust.get("/api/user_tickets/?page=1").json()["results"][0]
        self.view_url = f"/view/?ticket={first['id']}&email={first['submitter']}&key={first['secret_key']}"
        self.ticket_id = int(first["id"])
        page = self.staff.get("/tickets/").text
        self.list_json = re.search(r'"url": "(/datatables_ticket_list/[^"]*)"', page).group(1)
        kw = self.staff.get(f"/tickets/?q={KEYWORD}").text
        self.kw_json = re.search(r'"url": "(/datatables_ticket_list/[^"]*)"', kw).group(1)
        self.dt = {"draw": "1", "start": "0", "length": "25", "search[value]": ""}
        self.new = NewTickets()
        self.customers = [self.cust]

    def create_ticket(self, client=None, ticket: tuple[str, str] | None = None) -> float:
        """The signed-in customer's form: GET (CSRF token, queue) + POST, until the 302 to the
        new ticket. Returns the seconds of the two requests."""
        c = client or self.cust
        subject, body = ticket or self.new.next()
        t0 = time.perf_counter()
        page = c.get("/tickets/submit/")
        t_get = time.perf_counter() - t0
        self._ok(page)
        text = page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
        queue = re.search(r'<option value="(\d+)"', text[text.index('name="queue"'):]).group(1)
        email = re.search(r'name="submitter_email"[^>]*value="([^"]*)"', text)
        data = {"csrfmiddlewaretoken": token, "queue": queue, "priority": "3", "due_date": "",
                "submitter_email": html.unescape(email.group(1)) if email else "cliente000@example.com",
                "title": subject, "body": body}
        t0 = time.perf_counter()
        r = c.post("/tickets/submit/", data=data)
        t_post = time.perf_counter() - t0
        self._ok(r, 302)
        assert "/view/?ticket=" in r.headers.get("location", ""), f"peer create: {r.headers.get('location')}"
        return t_get + t_post

    def _login(self, user: str, password: str):
        import httpx

        c = httpx.Client(base_url=self.base, timeout=300)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', c.get("/login/").text).group(1)
        r = c.post("/login/", data={"username": user, "password": password, "csrfmiddlewaretoken": token, "next": ""})
        assert r.status_code == 302, f"peer login {user}: {r.status_code}"
        return c

    def _ok(self, r, code: int = 200):
        assert r.status_code == code, f"peer {r.request.url}: {r.status_code}"

    def customer_clients(self, n: int) -> list:
        """n signed-in customers (made once, untimed) for the concurrent creation rounds."""
        import subprocess as sp

        while len(self.customers) < n:
            i = len(self.customers)
            peer_dir = self.db.parents[1]
            py = peer_dir / ".venv" / "bin" / "python"
            code = ("import os, sys; sys.path.insert(0, os.getcwd()); "
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'peersite.settings'); import django; django.setup(); "
                    "from django.contrib.auth.models import User; from helpdesk.models import UserSettings; "
                    f"u = User.objects.filter(username='cliente{i}').first() or "
                    f"User.objects.create_user('cliente{i}', 'cliente{i:03d}@example.com', 'cliente-pass'); "
                    "UserSettings.objects.get_or_create(user=u)")
            env = dict(os.environ, PEER_DIR=str(peer_dir))
            env.pop("PYTHONPATH", None)
            # cwd: the peer's site, so `helpdesk` is django-helpdesk and not our package
            sp.run([str(py), "-c", code], env=env, check=True, cwd=peer_dir / "site")
            self.customers.append(self._login(f"cliente{i}", "cliente-pass"))
        return self.customers[:n]

    def article_search(self):
        self._ok(self.anon.get("/kb/facturacion/"))

    def my_tickets(self):
        self._ok(self.cust.get("/tickets/my-tickets/"))
        self._ok(self.cust.get("/api/user_tickets/?page=1"))

    def open_ticket(self):
        self._ok(self.cust.get(self.view_url))

    def queue(self):
        self._ok(self.staff.get("/tickets/"))
        self._ok(self.staff.get(self.list_json, params=self.dt))

    def keyword_search(self):
        self._ok(self.staff.get(f"/tickets/?q={KEYWORD}"))
        self._ok(self.staff.get(self.kw_json, params=self.dt))

    def agent_reply(self):
        # The ticket page, then its update form posted back as the agent's browser does.
        page = self.staff.get(f"/tickets/{self.ticket_id}/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        title = re.search(r'name="title"[^>]*value="([^"]*)"', page)
        r = self.staff.post(f"/tickets/{self.ticket_id}/update/", data={
            "csrfmiddlewaretoken": token, "comment": "Hola, lo revisamos hoy mismo.", "public": "True",
            "new_status": "1", "queue": "1", "priority": "3", "title": html.unescape(title.group(1)) if title else "",
            "owner": "-1", "due_date": "", "time_spent": "", "merged_to": ""})
        self._ok(r, 302)


# ------------------------------------------------------------------ us (HTTP + Socket.IO)

class Ours:
    def __init__(self, base: str, data: Path):
        import reflex as rx
        from reflex.state import OnLoadInternalState  # noqa: F401

        os.environ["HELPDESK_DATA_DIR"] = str(data)
        os.environ.pop("HELPDESK_DB_URL", None)
        from sqlalchemy import text

        from bench.compare.seed_ours import AGENT, CUSTOMER
        from helpdesk.infra.db import session_scope
        from helpdesk.services import accounts
        from helpdesk.web.app_state import AppState
        from helpdesk.web.pages.agent.state import AgentQueueState
        from helpdesk.web.pages.agent_ticket.state import AgentTicketState
        from helpdesk.web.pages.help_center.state import HelpCenterState
        from helpdesk.web.pages.new_ticket.state import NewTicketState

        self.base = base
        self.hydrate = f"{rx.State.get_full_name()}.hydrate_and_load"
        self.token_var = f"{AppState.get_full_name()}.token"
        self.search = f"{HelpCenterState.get_full_name()}.search"
        self.queue_search = f"{AgentQueueState.get_full_name()}.set_search"
        self.reply = f"{AgentTicketState.get_full_name()}.send_reply"
        self.start_over = f"{NewTicketState.get_full_name()}.start_over"
        self.submit = f"{NewTicketState.get_full_name()}.submit"
        with session_scope() as s:
            cust = accounts.user_for_email(s, CUSTOMER[0]) if hasattr(accounts, "user_for_email") else None
            from sqlmodel import select

            from helpdesk.domain.accounts import User

            cust = s.exec(select(User).where(User.email == CUSTOMER[0])).one()
            agent = s.exec(select(User).where(User.email == AGENT[0])).one()
            self.cust_token = accounts.start_session(s, cust, user_agent="bench/compare")
            self.agent_token = accounts.start_session(s, agent, user_agent="bench/compare")
            self.number = s.execute(text("SELECT number FROM tickets WHERE requester_id = :c ORDER BY last_activity_at DESC LIMIT 1"),
                                    {"c": cust.id}).scalar()
            # The agent replies on one of the customer's open tickets (a closed one refuses replies).
            self.reply_number = s.execute(text(
                "SELECT number FROM tickets WHERE requester_id = :c AND status IN ('new', 'open', 'pending') "
                "ORDER BY last_activity_at DESC LIMIT 1"), {"c": cust.id}).scalar()
            self.service_id = s.execute(text("SELECT id FROM services WHERE name = 'Soporte'")).scalar()
        self.tabs: dict[str, object] = {}
        self.new = NewTickets()
        self.customer_tokens = [self.cust_token]
        self.create_parts: list[tuple[float, float]] = []  # (fresh form + challenge, submit) per creation
        self.form_parts: list[tuple[float, float]] = []  # (start_over, challenge GET) per fresh form
        self.http: dict[str, object] = {}

    def customer_sessions(self, n: int) -> list[str]:
        """n signed-in customers (seeded cliente000..), sessions made once, untimed."""
        from sqlmodel import select

        from helpdesk.domain.accounts import User
        from helpdesk.infra.db import session_scope
        from helpdesk.services import accounts

        with session_scope() as s:
            while len(self.customer_tokens) < n:
                email = f"cliente{len(self.customer_tokens):03d}@compare.test"
                user = s.exec(select(User).where(User.email == email)).one()
                self.customer_tokens.append(accounts.start_session(s, user, user_agent="bench/compare"))
        return self.customer_tokens[:n]

    @staticmethod
    def clear_rate_limits() -> None:
        """Untimed, before creations: empty the hard-coded per-account / per-IP ticket counters
        (10 and 30 per 10 minutes), which a bench opening hundreds of tickets would hit."""
        from sqlalchemy import text

        from helpdesk.infra.db import session_scope

        with session_scope() as s:
            s.execute(text("DELETE FROM rate_limit_hits WHERE key LIKE 'ticket:%'"))

    async def _page_load(self, path: str, token: str, query: dict | None = None):
        from tests.support.reflex_client import ReflexClient, hydrated

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, lambda: urllib.request.urlopen(self.base + path, timeout=60).read())
        client = ReflexClient(self.base, track_local_addr=False)
        await client.connect(timeout=60)
        try:
            return await client.call(self.hydrate, {"vars": {self.token_var: token}}, path=path, query=query or {},
                                     timeout=60, until=hydrated)
        finally:
            await client.close()

    @staticmethod
    def _shown(merged: dict, var: str) -> None:
        """The page really has its data (not a sign-in redirect or an access-denied page)."""
        for values in merged.values():
            for key, value in values.items():
                if (key == var or key.startswith(var + "_rx_state_")) and value:
                    return
        short = {k.split("_rx_state_")[0]: (str(v)[:120]) for values in merged.values() for k, v in values.items()}
        raise AssertionError(f"no {var} in the update: {short}")

    async def _tab(self, key: str, path: str, token: str, query: dict | None = None):
        from tests.support.reflex_client import ReflexClient, hydrated

        if key not in self.tabs:
            client = ReflexClient(self.base, track_local_addr=False)
            await client.connect(timeout=60)
            await client.call(self.hydrate, {"vars": {self.token_var: token}}, path=path, query=query or {},
                              timeout=60, until=hydrated)
            self.tabs[key] = client
        client = self.tabs[key]
        client.drain()
        return client

    @staticmethod
    async def _event(tab, handler: str, payload: dict, path: str, query: dict | None = None, until=None,
                     quiet: float = 0.05, timeout: float = 60) -> tuple[dict, float]:
        """Send one event and merge the updates it causes; return them and the seconds from the
        send to the last one. Reflex marks no "last update": without `until`, a quiet gap of
        `quiet` s ends it, and that gap is not counted (ReflexClient.call's time would include it)."""
        from tests.support.reflex_client import NAMESPACE

        t0 = time.perf_counter()
        await tab.sio.emit("event", {"name": handler, "payload": payload,
                                     "router_data": {"pathname": path, "query": query or {}, "asPath": path}},
                           namespace=NAMESPACE)
        merged: dict = {}
        last = None
        deadline = t0 + timeout
        while True:
            wait = deadline - time.perf_counter() if (last is None or until) else quiet
            try:
                update = await asyncio.wait_for(tab.updates.get(), max(0.001, wait))
            except asyncio.TimeoutError:
                if last is None or until:
                    raise
                return merged, last - t0
            last = time.perf_counter()
            if os.environ.get("BENCH_DEBUG_EVENTS"):
                keys = [k.split("_rx_state_")[0] for v in (update.get("delta") or {}).values() for k in v]
                print(f"    {handler.rsplit('.', 1)[-1]} +{(last - t0) * 1000:.1f} ms: {keys[:12]} events={len(update.get('events') or [])}")
            for state, values in (update.get("delta") or {}).items():
                merged.setdefault(state, {}).update(values)
            if until is not None and until(merged):
                return merged, last - t0

    async def article_search(self):
        tab = await self._tab("home", "/", "")
        merged, elapsed = await self._event(tab, self.search, {"value": KEYWORD}, "/")
        self._shown(merged, "results")
        return elapsed

    async def create_ticket(self, key: str = "new", token: str | None = None,
                            ticket: tuple[str, str] | None = None) -> float:
        """The customer's open /tickets/new tab: a fresh form (start_over + the captcha widget's
        GET of a challenge), the proof of work solved untimed, the submit until `created_id`."""
        t_form, challenge = await self.load_form(key, token)
        payload = solve(challenge)  # untimed: done in the browser while the person types
        t_submit = await self.send_form(key, payload, ticket)
        self.create_parts.append((t_form, t_submit))
        return t_form + t_submit

    async def load_form(self, key: str = "new", token: str | None = None) -> tuple[float, bytes]:
        """"Open another ticket" in the tab, and the challenge its fresh captcha widget fetches."""
        tab = await self._tab(key, NEW_TICKET, token or self.cust_token)
        import httpx

        if key not in self.http:  # the tab's browser keeps its HTTP connection alive, as the peer's client does
            self.http[key] = httpx.AsyncClient(base_url=self.base, timeout=60)
        # Until its update (the fresh form: `created_id` back to ""). No quiet gap to wait out, so
        # with several clients at once the phase's wall time is only the work.
        merged, t_form = await self._event(tab, self.start_over, {}, NEW_TICKET,
                                           until=lambda m: _value(m, "created_id") == "")
        t0 = time.perf_counter()
        r = await self.http[key].get("/api/captcha/challenge")
        r.raise_for_status()
        t_get = time.perf_counter() - t0
        self.form_parts.append((t_form, t_get))
        return t_form + t_get, r.content

    async def send_form(self, key: str, captcha: str, ticket: tuple[str, str] | None = None) -> float:
        tab = self.tabs[key]
        tab.drain()
        subject, body = ticket or self.new.next()
        form = {"service": str(self.service_id), "category": "anomalia", "subject": subject, "description": body,
                "name": "", "email": "", "website": "", "altcha": captcha}

        def settled(merged: dict) -> bool:
            return any(_value(merged, v) for v in ("created_id", "form_error", "duplicate_number", "errors"))

        merged, elapsed = await self._event(tab, self.submit, {"form": form}, NEW_TICKET, until=settled)
        created = _value(merged, "created_id")
        assert created, f"our submit did not open a ticket: {_value(merged, 'form_error')!r} {_value(merged, 'errors')!r} " \
                        f"duplicate {_value(merged, 'duplicate_number')!r}"
        return elapsed

    async def my_tickets(self):
        self._shown(await self._page_load("/tickets", self.cust_token), "rows")

    async def open_ticket(self):
        self._shown(await self._page_load(f"/tickets/{self.number}", self.cust_token, {"id": str(self.number)}), "messages")

    async def queue(self):
        self._shown(await self._page_load("/agent", self.agent_token), "rows")

    async def keyword_search(self):
        tab = await self._tab("queue", "/agent", self.agent_token)
        merged, elapsed = await self._event(tab, self.queue_search, {"text": KEYWORD}, "/agent")
        self._shown(merged, "rows")
        await self._event(tab, self.queue_search, {"text": ""}, "/agent")  # the reset, untimed
        return elapsed

    async def agent_reply(self):
        path = f"/agent/tickets/{self.reply_number}"
        tab = await self._tab("ticket", path, self.agent_token, {"id": str(self.reply_number)})
        merged, elapsed = await self._event(tab, self.reply, {"form": {"body": "Hola, lo revisamos hoy mismo."}}, path,
                                            {"id": str(self.reply_number)})
        self._shown(merged, "messages")
        return elapsed


def solve(challenge_json: bytes) -> str:
    """The ALTCHA proof of work, as the widget does it (tests/state/test_new_ticket_state.py)."""
    from altcha import Challenge, Payload, solve_challenge

    challenge = Challenge.from_dict(json.loads(challenge_json))
    return Payload(challenge, solve_challenge(challenge, timeout=60)).to_base64()


def _value(merged: dict, var: str):
    from tests.support.reflex_client import find_value

    try:
        return find_value(merged, var)
    except KeyError:
        return None


ACTIONS = [
    ("customer article search (peer: KB category page)", "article_search"),
    ("customer's ticket list (page load)", "my_tickets"),
    ("open one ticket (page load)", "open_ticket"),
    ("agent queue, first page (page load)", "queue"),
    (f"agent keyword search ({KEYWORD})", "keyword_search"),
    ("ticket creation, signed-in customer (peer: form GET + POST; us: fresh form + captcha GET + submit)",
     "create_ticket"),
    ("agent reply", "agent_reply"),
]


async def measure(peer: Peer, ours: Ours, runs: int, only: set[str] | None = None) -> list[tuple]:
    """Rows ("ms", title, peer p50, peer p95, us p50, us p95) and, for ticket creation,
    ("rate", title, peer tickets/s, us tickets/s)."""
    loop = asyncio.get_running_loop()
    out = []
    for title, name in ACTIONS:
        if only and name not in only:
            continue
        times = {"peer": [], "us": []}
        for i in range(runs + 2):  # two warm-ups each
            if name == "create_ticket":
                ours.clear_rate_limits()  # untimed
            t0 = time.perf_counter()
            got = await loop.run_in_executor(None, getattr(peer, name))
            t_peer = got if isinstance(got, float) else time.perf_counter() - t0
            t0 = time.perf_counter()
            got = await getattr(ours, name)()
            t_us = got if isinstance(got, float) else time.perf_counter() - t0
            if i >= 2:
                times["peer"].append(t_peer * 1000)
                times["us"].append(t_us * 1000)
        row = ("ms", title, statistics.median(times["peer"]), pct(times["peer"], 0.95),
               statistics.median(times["us"]), pct(times["us"], 0.95))
        print(f"  {title}: peer {row[2]:.1f} ms, us {row[4]:.1f} ms", flush=True)
        out.append(row)
        if name == "create_ticket":
            rate = ("rate", "ticket creations per second, 1 client, sequential",
                    runs / (sum(times["peer"]) / 1000), runs / (sum(times["us"]) / 1000))
            print(f"  {rate[1]}: peer {rate[2]:.1f}/s, us {rate[3]:.1f}/s", flush=True)
            parts, form = ours.create_parts[2:], ours.form_parts[2:]
            print(f"  us, p50 of the parts: start_over {statistics.median(p[0] for p in form) * 1000:.1f} ms, "
                  f"challenge GET {statistics.median(p[1] for p in form) * 1000:.1f} ms, "
                  f"submit until created_id {statistics.median(p[1] for p in parts) * 1000:.1f} ms", flush=True)
            out.append(rate)
    return out


async def measure_concurrent(peer: Peer, ours: Ours, clients: int, rounds: int) -> tuple:
    """`clients` signed-in customers at once, in rounds (plus one warm-up round), interleaved
    peer round, our round. Peer round: each client GETs the form and POSTs it, wall time until
    all are done. Our round: all load a fresh form (start_over + challenge GET) at once, then,
    after the untimed proof of work, all submit at once; the two phases' wall times summed."""
    loop = asyncio.get_running_loop()
    peer_clients = await loop.run_in_executor(None, peer.customer_clients, clients)
    tokens = ours.customer_sessions(clients)
    for k, token in enumerate(tokens):
        await ours._tab(f"new{k}", NEW_TICKET, token)
    spent = {"peer": 0.0, "us": 0.0}
    for r in range(rounds + 1):
        batch = [peer.new.next() for _ in range(clients)]
        t0 = time.perf_counter()
        await asyncio.gather(*(loop.run_in_executor(None, peer.create_ticket, c, t) for c, t in zip(peer_clients, batch)))
        t_peer = time.perf_counter() - t0
        ours.clear_rate_limits()  # untimed
        batch = [ours.new.next() for _ in range(clients)]
        t0 = time.perf_counter()
        forms = await asyncio.gather(*(ours.load_form(f"new{k}", t) for k, t in enumerate(tokens)))
        t_us = time.perf_counter() - t0
        captchas = [solve(raw) for _, raw in forms]  # untimed
        t0 = time.perf_counter()
        await asyncio.gather(*(ours.send_form(f"new{k}", c, t) for k, (c, t) in enumerate(zip(captchas, batch))))
        t_us += time.perf_counter() - t0
        if r >= 1:
            spent["peer"] += t_peer
            spent["us"] += t_us
    n = clients * rounds
    row = ("rate", f"ticket creations per second, {clients} clients at once ({rounds} rounds)",
           n / spent["peer"], n / spent["us"])
    print(f"  {row[1]}: peer {row[2]:.1f}/s, us {row[3]:.1f}/s", flush=True)
    return row


def print_table(rows: list[tuple], label: str) -> None:
    print(f"\n{label}\n")
    print("| action | peer p50 | peer p95 | us p50 | us p95 | peer ÷ us p50 | peer ÷ us p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, title, *v in rows:
        if kind == "ms":
            pp50, pp95, up50, up95 = v
            print(f"| {title} | {pp50:.1f} ms | {pp95:.1f} ms | {up50:.1f} ms | {up95:.1f} ms | "
                  f"{pp50 / up50:.1f}× | {pp95 / up95:.1f}× |")
        else:  # a throughput: higher is better, so the ratio is inverted
            peer_rate, us_rate = v
            print(f"| {title} (**ratio inverted: us ÷ peer**, tickets/s) | {peer_rate:.1f}/s | — | {us_rate:.1f}/s | — | "
                  f"{us_rate / peer_rate:.1f}× | — |")
    print("\n(Latency rows: peer ÷ us, above 1× = we are faster. Tickets/s rows: us ÷ peer, above 1× = we are faster.)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--big", action="store_true", help="100,000 tickets and 2,000 articles (default 1,000 / 200)")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--workdir", default="/tmp/helpdesk-compare")
    ap.add_argument("--clients", type=int, default=4, help="concurrent ticket creation with N clients (0: skip)")
    ap.add_argument("--only", default="", help="comma-separated action names (e.g. create_ticket); default all")
    args = ap.parse_args()
    only = {a.strip() for a in args.only.split(",") if a.strip()} or None
    tickets, articles = (100_000, 2_000) if args.big else (1_000, 200)
    work = Path(args.workdir)
    peer_dir, data = work / "peer", work / "ours"
    env = dict(os.environ, PEER_DIR=str(peer_dir), PEER_PORT=str(free_port()))
    env.pop("PYTHONPATH", None)  # our `helpdesk` package would shadow django-helpdesk's
    peer_url = f"http://127.0.0.1:{env['PEER_PORT']}"
    py = peer_dir / ".venv" / "bin" / "python"

    print(f"peer: setup and seed ({tickets} tickets, {articles} articles)", flush=True)
    subprocess.run(["bash", str(HERE / "peer" / "setup.sh")], env=env, check=True)
    subprocess.run([str(py), str(HERE / "peer" / "seed.py"), str(tickets), str(articles)], env=env, check=True)
    print("us: seed", flush=True)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    our_port = free_port()
    our_env = dict(os.environ, HELPDESK_DATA_DIR=str(data), HELPDESK_DEMO="0", PORT=str(our_port),
                   HELPDESK_BASE_URL=f"http://127.0.0.1:{our_port}", PYTHONPATH=str(REPO),
                   REFLEX_TELEMETRY_ENABLED="false", REFLEX_CHECK_LATEST_VERSION="false")
    our_env.pop("HELPDESK_DB_URL", None)
    our_env.pop("REFLEX_REDIS_URL", None)
    subprocess.run([sys.executable, str(HERE / "seed_ours.py"), str(tickets), str(articles)], env=our_env, check=True, cwd=REPO)

    subprocess.run(["bash", str(HERE / "peer" / "serve.sh")], env=env, check=True)
    ours_proc = subprocess.Popen([sys.executable, "-m", "helpdesk.cli", "serve"], env=our_env, cwd=REPO,
                                 stdout=open(work / "ours.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{our_port}/api/health")
        wait_http(f"http://127.0.0.1:{our_port}/")
        peer = Peer(peer_url, peer_dir / "site" / "db.sqlite3")
        ours = Ours(f"http://127.0.0.1:{our_port}", data)

        async def both() -> list[tuple]:
            rows = await measure(peer, ours, args.runs, only)
            if args.clients > 0 and (not only or "create_ticket" in only):
                rows.insert(next(i for i, r in enumerate(rows) if r[0] == "rate") + 1,
                            await measure_concurrent(peer, ours, args.clients, args.runs))
            return rows

        rows = asyncio.run(both())
        print_table(rows, f"{tickets:,} tickets, {articles:,} articles, SQLite both; {args.runs} runs each, interleaved")
    finally:
        os.killpg(ours_proc.pid, 15)
        subprocess.run(["bash", str(HERE / "peer" / "stop.sh")], env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
