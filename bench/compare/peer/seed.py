"""Fill the peer's database through django-helpdesk's ORM.

usage: /tmp/peer/.venv/bin/python seed.py N_TICKETS N_ARTICLES

One public queue, 8 KB categories holding N_ARTICLES items, N_TICKETS tickets
from 200 customers (cliente000..cliente199@example.com) with 1-3 follow-ups
each, random status/priority, created over the last 2 years. Deterministic
(fixed random seed). Run it on a fresh database (./setup.sh makes one).
"""

import os
import random
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.join(os.environ.get("PEER_DIR", "/tmp/helpdesk-compare/peer"), "site"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersite.settings")
import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.models import FollowUp, KBCategory, KBItem, Queue, Ticket  # noqa: E402

N_CUSTOMERS = 200
BATCH = 5000

# The vocabulary and text makers shared with our seeder (../seed_ours.py); this script runs
# from its own folder, so words.py is importable as a sibling.
from words import ADJS, CATEGORIES, NOUNS, TITLES, VERBS, text, title  # noqa: E402,F401

STATUS_W = {Ticket.OPEN_STATUS: 25, Ticket.REOPENED_STATUS: 5, Ticket.RESOLVED_STATUS: 20,
            Ticket.CLOSED_STATUS: 45, Ticket.DUPLICATE_STATUS: 5}


def main(n_tickets, n_articles):
    rng = random.Random(42)
    if Ticket.objects.exists():
        sys.exit("peer DB already has tickets: run ./setup.sh first for a fresh one")
    agent = User.objects.get(username="agente")
    now = timezone.now()
    # The ORM would stamp now() on these auto_now(_add) fields; we want history.
    for f in ("created", "modified"):
        fld = Ticket._meta.get_field(f)
        fld.auto_now = fld.auto_now_add = False

    t0 = time.time()
    with transaction.atomic():
        queue = Queue.objects.create(title="Soporte", slug="soporte", allow_public_submission=True,
                                     email_address="soporte@example.com")
        cats = [KBCategory.objects.create(name=t, title=t, slug=s, queue=queue,
                                          description=f"Artículos sobre {t.lower()}.")
                for s, t in CATEGORIES]
        items = KBItem.objects.bulk_create(
            [KBItem(category=cats[i % len(cats)], order=i, last_updated=now,
                    title=f"¿Cómo {rng.choice(VERBS)} {rng.choice(NOUNS)} {rng.choice(ADJS)}?"[:100],
                    question=text(rng, 15),
                    answer="\n\n".join(text(rng, rng.randint(30, 60)) for _ in range(2)))
             for i in range(n_articles)], batch_size=BATCH)
        customers = [f"cliente{i:03d}@example.com" for i in range(N_CUSTOMERS)]

        for start in range(0, n_tickets, BATCH):
            tickets, dates = [], []
            for _ in range(min(BATCH, n_tickets - start)):
                created = now - timedelta(seconds=rng.uniform(0, 730 * 86400))
                steps = [created]  # 1-3 follow-ups: the opening one, then replies
                for _ in range(rng.randint(0, 2)):
                    steps.append(min(now, steps[-1] + timedelta(minutes=rng.uniform(5, 4 * 1440))))
                dates.append(steps)
                tickets.append(Ticket(
                    title=title(rng), queue=queue, created=created, modified=steps[-1],
                    submitter_email=rng.choice(customers),
                    assigned_to=agent if rng.random() < 0.5 else None,
                    status=rng.choices(list(STATUS_W), weights=list(STATUS_W.values()))[0],
                    priority=rng.randint(1, 5),
                    description=text(rng, rng.randint(20, 40)),
                    kbitem=rng.choice(items) if items and rng.random() < 0.1 else None))
            Ticket.objects.bulk_create(tickets)  # SQLite >= 3.35 sets the pks
            fups = []
            for t, steps in zip(tickets, dates):
                fups.append(FollowUp(ticket=t, date=steps[0], title="Ticket abierto",
                                     comment=t.description, public=True))
                for k, d in enumerate(steps[1:]):
                    by_agent = k % 2 == 0
                    fups.append(FollowUp(ticket=t, date=d, public=True,
                                         user=agent if by_agent else None,
                                         title="Respuesta del agente" if by_agent else "Respuesta del cliente",
                                         comment=text(rng, rng.randint(10, 30))))
            FollowUp.objects.bulk_create(fups, batch_size=BATCH)
            print(f"  {start + len(tickets)} tickets", flush=True)

    print(f"seeded {Ticket.objects.count()} tickets, {FollowUp.objects.count()} follow-ups, "
          f"{KBItem.objects.count()} KB items in {len(cats)} categories, "
          f"{N_CUSTOMERS} customers in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(int(sys.argv[1]), int(sys.argv[2]))
