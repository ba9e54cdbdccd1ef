"""Security headers on every HTTP answer of the app (pages, assets, API), as ASGI middleware.

The Content-Security-Policy leaves scripts alone: Reflex's build hydrates with inline scripts
and `rx.call_script` evaluates strings, so a script-src without 'unsafe-inline'/'unsafe-eval'
breaks the app (docs/security.md). What it does fix: no one frames the pages (clickjacking),
except /chat from the origins in HELPDESK_WIDGET_ORIGINS (the embeddable widget); no plugins;
no <base> hijack; forms post only here.
"""

from __future__ import annotations

import os

FRAMEABLE_PREFIXES = ("/chat",)


def widget_origins() -> list[str]:
    raw = os.environ.get("HELPDESK_WIDGET_ORIGINS", "")
    return [o.strip() for o in raw.replace(",", " ").split() if o.strip().startswith(("http://", "https://"))]


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    frameable = path.startswith(FRAMEABLE_PREFIXES) and widget_origins()
    ancestors = " ".join(["'self'", *widget_origins()]) if frameable else "'none'"
    csp = f"frame-ancestors {ancestors}; object-src 'none'; base-uri 'self'; form-action 'self'"
    out = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ]
    if not frameable:
        out.append((b"x-frame-options", b"DENY"))
    return out


def security_headers(app):
    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *[(k, v) for k, v in extra if k not in names]]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def same_origin(headers, base_url: str) -> bool:
    """True when a state-changing request comes from this site's own pages (login CSRF)."""
    origin = headers.get("origin")
    if origin is None:
        # Browsers send Origin on every cross-site POST; its absence means a same-site or
        # non-browser client, which cannot carry a victim's cookies anyway.
        referer = headers.get("referer", "")
        return not referer or referer.startswith(base_url + "/") or _host_matches(referer, headers)
    return origin == base_url or _host_matches(origin, headers)


def _host_matches(url: str, headers) -> bool:
    host = headers.get("host", "")
    rest = url.split("://", 1)[1] if "://" in url else ""
    return bool(host) and rest.split("/", 1)[0] == host
