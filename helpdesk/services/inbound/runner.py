"""Starting the receivers inside the server process, where the live-update bus lives.

`helpdesk serve` marks its server process with HELPDESK_SERVE_INBOUND=1; no other command
does, so only `helpdesk serve` ever opens the inbound SMTP port. With several workers the
first one to bind the port receives; the others log it and carry on (Redis carries their
live updates). The IMAP poll is a periodic job: it may run in every worker, since a mail is
only ever taken once.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger("helpdesk.inbound")

SERVE_FLAG = "HELPDESK_SERVE_INBOUND"
IMAP_EVERY_S = 10.0
_controller = None


def smtp_settings() -> tuple[str, int] | None:
    raw = os.environ.get("HELPDESK_INBOUND_SMTP_PORT", "").strip()
    if not raw:
        return None
    host = os.environ.get("HELPDESK_INBOUND_SMTP_HOST", "").strip() or "127.0.0.1"
    return host, int(raw)


def start_smtp(host: str, port: int):
    global _controller
    from helpdesk.services.inbound.smtp import make_controller

    controller = make_controller(host, port)
    try:
        controller.start()
    except Exception as exc:  # noqa: BLE001 - another worker holds the port
        log.info("inbound SMTP on %s:%s not started here: %s", host, port, exc)
        return None
    _controller = controller
    log.info("receiving mail over SMTP on %s:%s", host, port)
    return controller


def start_from_env(register) -> None:
    """Called on server start-up: the SMTP receiver and the IMAP poll, when configured.

    `register` is jobs.register, passed in by the app so that services never import the job
    runner above them."""
    if os.environ.get(SERVE_FLAG) != "1":
        return
    from helpdesk.services.inbound import agent_notify

    register("agent_mail", 30.0, agent_notify.run_job)
    smtp = smtp_settings()
    if smtp is not None and _controller is None:
        start_smtp(*smtp)
    if os.environ.get("HELPDESK_IMAP_URL", "").strip():
        from helpdesk.services.inbound import imap

        register("imap_poll", IMAP_EVERY_S, imap.poll_once)
