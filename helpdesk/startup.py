"""What the server does when it starts: migrate, load demo data, start background workers."""

from __future__ import annotations

import logging

from helpdesk.infra import migrations
from helpdesk.infra.db import session_scope
from helpdesk.infra.settings import get_settings

log = logging.getLogger("helpdesk.startup")


def prepare_database() -> None:
    from helpdesk.services import seed

    # One process at a time: several workers start together and must not seed twice.
    with migrations.startup_lock():
        migrations.upgrade()
        with session_scope() as s:
            seed.ensure_configuration(s)
            if get_settings().demo and seed.is_empty(s):
                seed.seed_demo(s)
                log.info("demo data loaded")
        with session_scope() as s:
            from helpdesk.services import search

            # The full-text index is derived data: rebuild it if it does not cover every article
            # (after a restore, or a migration that recreated it).
            if search.ensure_index(s):
                log.info("search index rebuilt")
        with session_scope() as s:
            from helpdesk.services.search import tickets as ticket_search

            # Likewise the agents' ticket word index (subject and messages of every ticket).
            if ticket_search.ensure_index(s):
                log.info("ticket search index rebuilt")
