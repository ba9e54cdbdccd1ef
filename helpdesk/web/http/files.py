"""Attachment downloads, and the download cookie for holders of an e-mailed ticket link.

A download URL names the file, not a permission: the browser must prove who it is with an
HttpOnly cookie (the signed-in session's `hd_dl`, or `hd_tl_<n>` for a ticket opened from a mail
link) and the ticket service decides. Anyone else gets the same 404 as for a missing file.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from sqlmodel import select

from helpdesk.domain.tickets import Attachment, Ticket
from helpdesk.infra.db import session_scope
from helpdesk.infra.storage import InvalidDigest, get_store
from helpdesk.services import accounts, attachments, ticket_links, tickets
from helpdesk.services.errors import ServiceError

log = logging.getLogger("helpdesk.files")

_NOT_FOUND = {"detail": "not found"}


def _not_found() -> Response:
    return JSONResponse(_NOT_FOUND, status_code=404, headers={"Cache-Control": "no-store"})


def _downloadable(request: Request, attachment_id: int) -> Attachment | None:
    from helpdesk.web.http.cookies import DOWNLOAD_COOKIE

    with session_scope() as s:
        user = accounts.user_for_token(s, request.cookies.get(DOWNLOAD_COOKIE))
        if user is not None:
            try:
                return tickets.get_attachment(s, user, attachment_id)
            except ServiceError:
                pass  # maybe this browser also holds a mail link for the ticket
        row = s.get(Attachment, attachment_id)
        ticket = s.get(Ticket, row.ticket_id) if row is not None else None
        if ticket is None:
            return None
        data = ticket_links.verify_download_token(request.cookies.get(ticket_links.download_cookie_name(ticket.number), ""))
        if data is None or data[0] != ticket.number:
            return None
        viewer = ticket_links.viewer(s, ticket.number, data[1])
        if viewer is None:
            return None
        try:
            return tickets.get_attachment(s, viewer, attachment_id)
        except ServiceError:
            return None


async def download(request: Request) -> Response:
    try:
        attachment_id = int(request.path_params["attachment_id"])
    except (KeyError, ValueError):
        return _not_found()
    att = _downloadable(request, attachment_id)
    if att is None:
        return _not_found()
    try:
        path = get_store().path_for(att.sha256)
    except InvalidDigest:
        return _not_found()
    if not path.is_file():
        log.warning("attachment %s: bytes missing from the store", att.id)
        return _not_found()
    disposition = "inline" if attachments.is_inline_safe(att.content_type) else "attachment"
    return FileResponse(
        path,
        media_type=att.content_type,
        filename=att.filename,
        content_disposition_type=disposition,
        headers=dict(attachments.DOWNLOAD_SECURITY_HEADERS),
    )


async def ticket_link_cookie(request: Request) -> Response:
    """Exchange a valid e-mailed ticket link (`k`) for an HttpOnly cookie for that ticket's files."""
    try:
        body = json.loads(await request.body() or b"{}")
        token = str(body.get("k", ""))[:2048]
        number = tickets.parse_number(body.get("n"))
    except (ValueError, AttributeError):
        return JSONResponse({"ok": False}, status_code=400)
    data = ticket_links.verify_for_route(token, number)
    if data is None:
        from helpdesk.services import links

        csat = links.verify_csat_token(token)
        data = (csat[0], csat[1]) if csat is not None and csat[0] == number else None
    if data is None:
        return JSONResponse({"ok": False}, status_code=403)
    with session_scope() as s:
        ok = s.exec(select(Ticket.id).where(Ticket.number == data[0])).first() is not None
        ok = ok and ticket_links.viewer(s, data[0], data[1]) is not None
    if not ok:
        return JSONResponse({"ok": False}, status_code=403)
    resp = JSONResponse({"ok": True})
    resp.set_cookie(
        ticket_links.download_cookie_name(data[0]),
        ticket_links.download_token(data[0], data[1]),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/api/attachments/",
        max_age=int(ticket_links.DOWNLOAD_MAX_AGE.total_seconds()),
    )
    return resp


ROUTES: list[Route] = [
    Route("/api/attachments/{attachment_id:int}/{name}", download, methods=["GET"]),
    Route("/api/ticket-link", ticket_link_cookie, methods=["POST"]),
]
