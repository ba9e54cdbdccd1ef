"""The SMTP receiver (aiosmtpd) a mail server in front relays to (docs/operations.md).

It accepts mail for the support address's domain only (it is not an open relay), hands each
mail to `inbound.receive` in a worker thread and answers 250 only once the mail is stored (or
deliberately dropped). Any failure answers 451, so the relaying server keeps the mail and
tries again: nothing is lost, and the dedupe key makes the retry harmless.
"""

from __future__ import annotations

import asyncio
import logging

from helpdesk.services.inbound import addresses
from helpdesk.services.inbound.service import MAX_RAW_BYTES, receive

log = logging.getLogger("helpdesk.inbound.smtp")


class InboundHandler:
    """aiosmtpd handler: RCPT checks the domain, DATA stores the mail."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        domain = addresses.support_address().rpartition("@")[2]
        if address.rpartition("@")[2].lower() != domain:
            return "550 5.7.1 Relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                None, lambda: receive(raw, envelope_from=envelope.mail_from or "", recipients=list(envelope.rcpt_tos))
            )
        except Exception:  # noqa: BLE001 - the relay retries; the dedupe key makes that safe
            log.exception("inbound mail could not be stored")
            return "451 4.3.0 Temporary failure, try again later"
        return f"250 2.0.0 Accepted ({result.outcome})"


def make_controller(host: str, port: int):
    from aiosmtpd.controller import Controller

    return Controller(
        InboundHandler(), hostname=host, port=port, data_size_limit=MAX_RAW_BYTES,
        decode_data=False, server_hostname=addresses.support_address().rpartition("@")[2] or "localhost",
    )
