"""What the customer's ticket page shows of each message."""

from __future__ import annotations

from pydantic import BaseModel

from helpdesk.web.components.attachments import AttachmentView


class MessageView(BaseModel):
    id: int
    author: str
    role: str
    from_support: bool
    body: str
    created: str
    created_full: str
    attachments: list[AttachmentView]
