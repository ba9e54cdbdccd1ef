"""The versioned JSON API, a FastAPI app mounted at /api/v1 beside Reflex on the app's one port."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.staticfiles import StaticFiles

PREFIX = "/api/v1"

DESCRIPTION = """
Help desk API. Authenticate with `Authorization: Bearer <token>` (create one in *Mi cuenta*
or with `helpdesk token create`). A token acts as its user, with exactly that user's rights.

Errors are JSON `{code, message, fields}`; `message` is in the token user's language.
Timestamps are ISO 8601 UTC. Ticket numbers are the public ones (`#1042` → `1042`).
POST accepts `Idempotency-Key`; ticket reads answer `ETag` and honour `If-None-Match`.
"""


def _swagger_dir() -> Path:
    import swagger_ui

    return Path(swagger_ui.__file__).parent / "static"


def build_v1() -> FastAPI:
    from helpdesk.web.api_v1 import errors, routes

    app = FastAPI(
        title="Centro de ayuda API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's own page loads Swagger UI from a CDN; ours is self-hosted
        redoc_url=None,
        servers=[{"url": PREFIX}],
    )
    errors.install(app)
    app.include_router(routes.router)
    app.mount("/static", StaticFiles(directory=_swagger_dir()), name="swagger-static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request):
        return get_swagger_ui_html(
            openapi_url=f"{PREFIX}/openapi.json",
            title="Centro de ayuda API",
            swagger_js_url=f"{PREFIX}/static/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/static/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/static/favicon-32x32.png",
        )

    return app


class V1Prefix:
    """ASGI middleware sending every path under /api/v1 to the API app (as a Mount would, but a
    Mount's pattern misses paths with a line break in them, which then got a text/plain 404)."""

    def __init__(self, app, v1=None) -> None:
        self.app = app
        self.v1 = v1 if v1 is not None else build_v1()

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] in ("http", "websocket") else ""
        if path == PREFIX or path.startswith(PREFIX + "/"):
            root = scope.get("root_path", "")
            scope = {**scope, "app_root_path": scope.get("app_root_path", root), "root_path": root + PREFIX}
            await self.v1(scope, receive, send)
            return
        await self.app(scope, receive, send)
