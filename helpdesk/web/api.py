"""Plain HTTP routes served on the app's port next to Reflex (health, download cookie, files)."""

from __future__ import annotations

import json
import logging

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk.infra.db import get_engine, session_scope
from helpdesk.services import accounts

log = logging.getLogger("helpdesk.api")

DOWNLOAD_COOKIE = "hd_dl"


def current_user(request: Request):
    """The user behind this browser's HttpOnly download cookie (see /api/session)."""
    token = request.cookies.get(DOWNLOAD_COOKIE)
    with session_scope() as s:
        return accounts.user_for_token(s, token)


async def health(_: Request) -> Response:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "database": "ok"})
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        log.warning("health check failed: %s", exc)
        return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)


async def session_cookie(request: Request) -> Response:
    """Mirror the signed-in session into an HttpOnly, SameSite=Strict cookie (or clear it)."""
    if request.method == "DELETE":
        resp = JSONResponse({"ok": True})
        resp.delete_cookie(DOWNLOAD_COOKIE, path="/api/")
        return resp
    try:
        token = str(json.loads(await request.body() or b"{}").get("token", ""))
    except (ValueError, AttributeError):
        token = ""
    with session_scope() as s:
        user = accounts.user_for_token(s, token)
    if user is None:
        return JSONResponse({"ok": False}, status_code=403)
    resp = JSONResponse({"ok": True})
    resp.set_cookie(
        DOWNLOAD_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/api/",
        max_age=14 * 24 * 3600,
    )
    return resp


def limit_upload_size(app):
    """Reflex's /_upload has no server-side size limit: refuse oversized bodies before reading them."""
    from helpdesk.infra.settings import get_settings

    async def middleware(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/_upload"):
            settings = get_settings()
            # A whole message may carry up to the per-ticket total, plus multipart overhead.
            limit = settings.max_ticket_bytes + 1024 * 1024
            length = dict(scope.get("headers") or []).get(b"content-length")
            if length is None or not length.isdigit() or int(length) > limit:
                response = JSONResponse({"detail": "upload too large"}, status_code=413)
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    return middleware


def build_api() -> Starlette:
    from helpdesk.web.http import captcha, files

    routes = [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/session", session_cookie, methods=["POST", "DELETE"]),
        *captcha.ROUTES,
        *files.ROUTES,
    ]
    return Starlette(routes=routes)
