"""GET /widget.js (the embeddable launcher) and the frame-ancestors policy of /chat.

/chat is the one page other sites may frame, and only the origins in
HELPDESK_WIDGET_ORIGINS. This middleware runs outermost (last in the app's api_transformer
list) and owns the framing headers of /chat responses: it drops any X-Frame-Options and any
frame-ancestors directive an inner layer (the site-wide security headers) set, and adds its
own. Browsers intersect several CSP headers, so a site-wide `frame-ancestors 'none'` left
beside ours would refuse every embedding.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.services import chat_config

WIDGET_JS = (Path(__file__).parent / "widget.js").read_bytes()
CHAT_PATHS = ("/chat", "/chat/", "/chat.html", "/chat/index.html")


async def widget_js(_: Request) -> Response:
    return Response(WIDGET_JS, media_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff",
                             "Cross-Origin-Resource-Policy": "cross-origin"})


ROUTES: list[Route] = [Route("/widget.js", widget_js, methods=["GET"])]


def _without_frame_ancestors(csp: bytes) -> bytes:
    kept = [d.strip() for d in csp.decode("latin-1").split(";")
            if d.strip() and not d.strip().lower().startswith("frame-ancestors")]
    return "; ".join(kept).encode("latin-1")


def chat_framing(app):
    """ASGI middleware: the frame-ancestors policy for /chat (see the module docstring)."""

    async def middleware(scope, receive, send):
        if scope["type"] != "http" or scope["path"] not in CHAT_PATHS:
            await app(scope, receive, send)
            return
        policy = chat_config.frame_ancestors().encode()

        async def send_with_policy(message):
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    lower = name.lower()
                    if lower == b"x-frame-options":
                        continue
                    if lower == b"content-security-policy":
                        value = _without_frame_ancestors(value)
                        if not value:
                            continue
                    headers.append((name, value))
                headers.append((b"content-security-policy", policy))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_policy)

    return middleware
