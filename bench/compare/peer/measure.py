"""Time the django-helpdesk peer over HTTP (serve.sh must be running).

usage: /tmp/peer/.venv/bin/python measure.py [--md]

Every row: 3 warm-up requests, then 30 timed ones, one at a time, from one
client (keep-alive). Reports median and p95 (nearest rank) in ms and the body
size of the last response. Logs in as the customer and the staff agent through
the Django login form (CSRF). Reads the SQLite file only to pick a ticket and
to count rows for the header.
"""

import math
import os
import re
import sqlite3
import statistics
import sys
import time
from urllib.parse import quote

import httpx

BASE = os.environ.get("PEER_URL", "http://127.0.0.1:8765")
DB = os.path.join(os.environ.get("PEER_DIR", "/tmp/helpdesk-compare/peer"), "site", "db.sqlite3")
WARM, N = 3, 30
KEYWORD = "facturación"
KB_SLUG = "facturacion"
rows, notes = [], []
PICK_TICKET = ("select ticket_id from helpdesk_followup group by ticket_id having count(*)=3 "
               "order by abs(ticket_id - (select max(id) / 2 from helpdesk_ticket "
               "where submitter_email like 'cliente%')) limit 1")


def client():
    return httpx.Client(base_url=BASE, timeout=300, follow_redirects=False)


def csrf(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def login(username, password):
    c = client()
    token = csrf(c.get("/login/").text)
    r = c.post("/login/", data={"username": username, "password": password,
                                "csrfmiddlewaretoken": token, "next": ""})
    assert r.status_code == 302 and "sessionid" in c.cookies, f"login {username} failed"
    return c


def bench(key, what, c, url, method="GET", expect=200, **kw):
    times = []
    for i in range(WARM + N):
        t = time.perf_counter()
        r = c.request(method, url, **kw)
        dt = (time.perf_counter() - t) * 1000
        assert r.status_code == expect, f"{url}: HTTP {r.status_code}"
        if i >= WARM:
            times.append(dt)
    times.sort()
    med, p95 = statistics.median(times), times[math.ceil(0.95 * N) - 1]
    path = re.sub(r"list/.+", "list/<b64 query>", url.split("?")[0])
    rows.append((key, what, f"{method} {path}", med, p95, len(r.content), sum(times)))
    print(f"  {key} {what.strip()}: median {med:.1f} ms", flush=True)
    return r


def main(md):
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    n_tk, n_kb, n_fu = (db.execute(f"select count(*) from helpdesk_{t}").fetchone()[0]
                        for t in ("ticket", "kbitem", "followup"))
    mine = db.execute("select count(*) from helpdesk_ticket "
                      "where submitter_email='cliente000@example.com'").fetchone()[0]
    # a seeded ticket with 3 follow-ups from the middle of the id range (queries.py: same)
    tid = db.execute(PICK_TICKET).fetchone()[0]
    print(f"peer: django-helpdesk 2.6.1 at {BASE}; DB: {n_tk} tickets, {n_fu} follow-ups, "
          f"{n_kb} KB items; customer cliente000 owns {mine} tickets")

    # a. knowledge base (public, anonymous)
    anon = client()
    kb = bench("a1", "KB index (public)", anon, "/kb/")
    cat = bench("a2", "KB category page (lists all its articles)", anon, f"/kb/{KB_SLUG}/")
    search_inputs = re.findall(r'<input[^>]*(?:type="search"|name="q")', kb.text + cat.text)
    notes.append(f"KB search: none. /kb/ and /kb/<slug>/ have {len(search_inputs)} search inputs; "
                 "views/kb.py only has index, category, category_iframe, vote. The category page "
                 f"renders every enabled article of the category ({cat.text.count('accordion-item')} here) "
                 "with its Markdown answer, no paging.")

    # b. public ticket submission (anonymous)
    form = bench("b1", "submit-a-ticket form GET (public)", anon, "/tickets/submit/")
    token = csrf(form.text)
    queue = re.search(r'<option value="(\d+)"', form.text[form.text.index('name="queue"'):]).group(1)
    data = {"csrfmiddlewaretoken": token, "queue": queue, "priority": "3", "due_date": "",
            "submitter_email": "nuevo@example.com", "title": "No funciona mi teléfono",
            "body": "Desde ayer no puedo hacer llamadas ni recibir SMS. ¿Pueden ayudarme?"}
    bench("b2", "submit-a-ticket POST (creates ticket, 302)", anon, "/tickets/submit/",
          method="POST", expect=302, data=data)
    post_rate = N / (rows[-1][-1] / 1000)

    # c. customer: my tickets
    cust = login("cliente", "cliente-pass")
    page = bench("c1", "my-tickets page (HTML shell)", cust, "/tickets/my-tickets/")
    api = bench("c2", "my-tickets data: /api/user_tickets/?page=1", cust, "/api/user_tickets/?page=1").json()
    first = api["results"][0]
    bench("c3", "customer opens one ticket (public_view)", cust,
          f"/view/?ticket={first['id']}&email={quote(first['submitter'])}&key={first['secret_key']}")
    notes.append(f"my-tickets: {page.request.url.path} renders an empty table; JS fetches "
                 f"/api/user_tickets/?page=1 once and never asks for page 2: {len(api['results'])} of the "
                 f"customer's {api['count']} tickets, newest first; closed/duplicate hidden client-side "
                 f"among those. Columns: title, queue, status, created. JSON fields: {sorted(first)}. "
                 f"Last activity shown: {'yes' if {'modified', 'last_followup'} & set(first) else 'no'}. "
                 "Its search box and pager are client-side DataTables over those loaded rows only.")

    # d. staff ticket list
    staff = login("agente", "agente-pass")
    dt_params = {"draw": "1", "start": "0", "length": "25", "search[value]": ""}

    def ajax_url(html):
        return re.search(r'"url": "(/datatables_ticket_list/[^"]*)"', html).group(1)

    lst = bench("d1", "staff ticket list page (HTML)", staff, "/tickets/")
    dflt = bench("d2", "  its datatables JSON, first page, default order", staff, ajax_url(lst.text),
                 params=dt_params).json()
    lq = bench("d3", f"staff ticket list page ?q={KEYWORD}", staff, f"/tickets/?q={KEYWORD}")
    hits = bench("d4", "  its datatables JSON, first page", staff, ajax_url(lq.text), params=dt_params).json()
    box = bench("d5", "  default JSON + DataTables search box", staff, ajax_url(lst.text),
                params={**dt_params, "search[value]": KEYWORD}).json()
    notes.append(f"staff list: HTML page + AJAX JSON (server-side DataTables, 25/page). Default = "
                 f"open+reopened ({dflt['recordsTotal']} tickets), oldest created first. JSON fields: "
                 f"{sorted(dflt['data'][0])}. Keyword '{KEYWORD}': ?q= gives {hits['recordsFiltered']} hits, "
                 f"search box gives {box['recordsFiltered']} (icontains over id, title, description, "
                 "resolution, e-mails, dates, custom fields: helpdesk/query.py get_search_filter_args). "
                 "?q= searches all statuses, the box only the listed (open) ones. SQLite "
                 f"case warning shown: {'yes' if 'sqlite-string-matching' in lq.text else 'no'} "
                 "(views/staff.py tests ENGINE.endswith('sqlite'), never true for sqlite3). "
                 "The page also lists every KB item in a mass-action <select>.")

    # e. staff view of one ticket
    bench("e1", f"staff view of ticket {tid} (3 follow-ups)", staff, f"/tickets/{tid}/")

    print_table(md, post_rate)


def print_table(md, post_rate):
    print()
    if md:
        print("| key | what | request | median ms | p95 ms | bytes |\n|---|---|---|---:|---:|---:|")
    else:
        print(f"{'key':4} {'what':50} {'request':38} {'median ms':>9} {'p95 ms':>9} {'bytes':>8}")
    for key, what, req, med, p95, size, _ in rows:
        if md:
            print(f"| {key} | {what.strip()} | `{req}` | {med:.1f} | {p95:.1f} | {size} |")
        else:
            print(f"{key:4} {what:50} {req:38} {med:9.1f} {p95:9.1f} {size:8d}")
    print(f"\nticket creation: {post_rate:.1f} tickets/s over {N} sequential POSTs (b2)")
    print("\nnotes:")
    for n in notes:
        print(f"- {n}")


if __name__ == "__main__":
    main("--md" in sys.argv)
