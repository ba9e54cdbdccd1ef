"""Plain HTTP routes served on the app's port next to Reflex (health, download cookie, files)."""

from __future__ import annotations

import json
import logging

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.middleware import Middleware
from starlette.routing import Route

from helpdesk.infra.db import get_engine, session_scope
from helpdesk.services import accounts
from helpdesk.web.http.cookies import DOWNLOAD_COOKIE  # also re-exported for older imports

log = logging.getLogger("helpdesk.api")


def current_user(request: Request):
    """The user behind this browser's HttpOnly download cookie (see /api/session)."""
    token = request.cookies.get(DOWNLOAD_COOKIE)
    with session_scope() as s:
        return accounts.user_for_token(s, token)


def _check_database() -> str:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    return "ok"


def _check_redis(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


async def health(_: Request) -> Response:
    """Liveness and readiness for load balancers: database and (when configured) Redis.
    `worker` is this process's id, so operators (and the scale tests) can see which backend
    worker answered."""
    import asyncio
    import os

    body: dict = {"status": "ok", "worker": os.getpid()}
    checks = {"database": (_check_database,)}
    redis_url = os.environ.get("REFLEX_REDIS_URL", "").strip()
    if redis_url:
        checks["redis"] = (_check_redis, redis_url)
    for name, (fn, *args) in checks.items():
        try:
            # Off the event loop: a hanging database must not stall every socket of this worker.
            body[name] = await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout=5)
        except Exception as exc:  # noqa: BLE001 - health reports, never raises
            log.warning("health check %s failed: %s", name, exc)
            body[name] = "unreachable"
            body["status"] = "degraded"
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


async def session_cookie(request: Request) -> Response:
    """Mirror the signed-in session into an HttpOnly, SameSite=Strict cookie (or clear it)."""
    from helpdesk.infra.settings import get_settings
    from helpdesk.web.http.headers import same_origin

    # Login CSRF: a cross-site form could otherwise plant the attacker's session cookie here.
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not same_origin(request.headers, get_settings().base_url) or (
        request.method == "POST" and content_type != "application/json"
    ):
        return JSONResponse({"ok": False}, status_code=403)
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
    from helpdesk.web.api_v1 import V1Prefix
    from helpdesk.web.http import captcha, files, inbound_files, widget

    routes = [
        Route("/api/health", health, methods=["GET"]),
        Route("/api/session", session_cookie, methods=["POST", "DELETE"]),
        *captcha.ROUTES,
        *files.ROUTES,
        *inbound_files.ROUTES,
        *widget.ROUTES,
    ]
    return Starlette(routes=routes, middleware=[Middleware(V1Prefix)])  # /api/v1: the JSON API
