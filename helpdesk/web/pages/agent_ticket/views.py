"""What the agent ticket page shows per message, event, lost mail, other ticket, option and viewer."""

from __future__ import annotations

from pydantic import BaseModel

from helpdesk.web.components.attachments import AttachmentView


class MessageView(BaseModel):
    id: int
    author: str
    body: str
    internal: bool
    from_staff: bool
    at: str
    at_full: str
    attachments: list[AttachmentView] = []
    eml_url: str = ""  # the mail as it came, when the message arrived by mail (disputes)


class EventView(BaseModel):
    text: str
    at: str
    at_full: str


class MailFailureView(BaseModel):
    """A ticket mail that did not arrive (agents only: the customer is not told on screen)."""

    address: str
    text: str
    at: str
    at_full: str


class OtherTicketView(BaseModel):
    number: int
    subject: str
    status: str
    at: str


class OptionView(BaseModel):
    id: str
    name: str


class ViewerView(BaseModel):
    name: str
    typing: bool
