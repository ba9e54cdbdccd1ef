"""Background work inside each server process: one daemon thread running periodic jobs.

Jobs are safe to run in several processes at once (they claim rows in the database).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger("helpdesk.jobs")

_JOBS: list[tuple[str, float, Callable[[], object]]] = []
_thread: threading.Thread | None = None
_stop = threading.Event()


def register(name: str, every_s: float, fn: Callable[[], object]) -> None:
    _JOBS.append((name, every_s, fn))


def _loop() -> None:
    import time

    last: dict[str, float] = {}
    while not _stop.is_set():
        now = time.monotonic()
        for name, every_s, fn in list(_JOBS):
            if now - last.get(name, 0.0) >= every_s:
                last[name] = now
                try:
                    fn()
                except Exception:  # noqa: BLE001 - a failing job must not kill the others
                    log.exception("job %s failed", name)
        _stop.wait(0.5)


def start() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    _stop.clear()
    _thread = threading.Thread(target=_loop, name="helpdesk-jobs", daemon=True)
    _thread.start()


def stop() -> None:
    _stop.set()


def register_defaults() -> None:
    """The periodic work every server process does (each job is safe to run concurrently)."""
    if _JOBS:
        return
    from helpdesk.infra.db import session_scope

    def close_solved() -> None:
        from helpdesk.services import tickets

        with session_scope() as s:
            tickets.auto_close_solved(s)

    def deliver_mail() -> None:
        from helpdesk.services import mail

        mail.deliver_pending()

    def purge_attachments() -> None:
        from helpdesk.services import privacy

        privacy.run_retention_job()

    register("deliver_mail", 2.0, deliver_mail)
    register("auto_close_solved", 300.0, close_solved)
    def sweep_orphans() -> None:
        from helpdesk.services import attachments

        attachments.run_orphan_sweep()

    def deliver_webhooks() -> None:
        from helpdesk.services import webhook_delivery

        webhook_delivery.deliver_due()

    def purge_api_records() -> None:
        from helpdesk.services import api_tokens, webhooks

        with session_scope() as s:
            api_tokens.purge_idempotency(s)
            webhooks.purge_old(s)

    register("deliver_webhooks", 1.0, deliver_webhooks)
    register("purge_api_records", 3600.0, purge_api_records)
    register("attachment_retention", 3600.0, purge_attachments)
    from helpdesk.services.upload_guard import SWEEP_EVERY

    # Often: staged uploads expire two hours after they were stored, and the staging cap
    # (services/upload_guard.py) counts on the sweep running this often.
    register("orphan_blobs", SWEEP_EVERY.total_seconds(), sweep_orphans)

    def expire_chats() -> None:
        from helpdesk.services import chat_config

        chat_config.run_expiry_job()

    register("chat_expiry", 3600.0, expire_chats)
    def escalate() -> None:
        from helpdesk.services import escalation

        escalation.run_pass()

    register("escalations", 60.0, escalate)

    def watch_promises() -> None:
        from helpdesk.services import promise_watch

        promise_watch.run_pass()

    register("promise_watch", 60.0, watch_promises)
