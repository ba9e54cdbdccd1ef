"""The e-mail channel, inbound side: one service (`receive`) fed by SMTP and IMAP."""

from helpdesk.services.inbound.service import Result, receive

__all__ = ["Result", "receive"]
