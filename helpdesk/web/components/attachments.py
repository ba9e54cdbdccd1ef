"""How a stored attachment is shown on a conversation: the same link for customers and agents.

Links point at the download route, which checks again who may see the ticket (the browser's
HttpOnly session cookie), so the URL itself grants nothing.
"""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx
from pydantic import BaseModel

from helpdesk.domain.tickets import Attachment
from helpdesk.services import attachments
from helpdesk.web.components.ui import tid
from helpdesk.web.components.upload import human_size


class AttachmentView(BaseModel):
    url: str
    name: str
    size: str
    is_image: bool


def attachment_url(attachment_id: int, filename: str) -> str:
    return f"/api/attachments/{int(attachment_id)}/{quote(filename, safe='')}"


def attachment_view(a: Attachment) -> dict:
    """Plain dict (pickles small in private state); build an AttachmentView from it to show."""
    return {"url": attachment_url(a.id, a.filename), "name": a.filename, "size": human_size(a.size),
            "is_image": attachments.is_inline_safe(a.content_type)}


def by_message(files: list[Attachment]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for a in files:
        if a.message_id is not None:
            out.setdefault(a.message_id, []).append(attachment_view(a))
    return out


def attachment_link(a: AttachmentView) -> rx.Component:
    # reload_document: a router link would stay inside the app instead of asking the server.
    return rx.el.a(
        rx.cond(
            a.is_image,
            rx.image(src=a.url, alt=a.name, max_height="8rem", max_width="12rem", object_fit="cover",
                     border_radius="var(--radius-2)", border="1px solid var(--gray-a5)", loading="lazy"),
            rx.fragment(),
        ),
        rx.hstack(
            rx.icon(rx.cond(a.is_image, "image", "paperclip"), size=14, aria_hidden="true"),
            rx.text(a.name, size="2", overflow="hidden", text_overflow="ellipsis", white_space="nowrap", max_width="14rem"),
            rx.text(a.size, size="1", color_scheme="gray"),
            spacing="1",
            align="center",
        ),
        href=a.url,
        reload_document=True,
        target="_blank",
        rel="noopener",
        display="inline-flex",
        flex_direction="column",
        gap="0.25rem",
        padding="0.375rem 0.5rem",
        border_radius="var(--radius-2)",
        background="var(--gray-a2)",
        color="var(--gray-12)",
        text_decoration="none",
        _hover={"background": "var(--accent-a3)"},
        custom_attrs=tid("attachment-link"),
    )


def attachment_list(files) -> rx.Component:
    return rx.cond(
        files.length() > 0,
        rx.flex(rx.foreach(files, attachment_link), gap="2", wrap="wrap", margin_top="0.75rem"),
    )
