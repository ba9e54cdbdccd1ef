import os

import reflex as rx

from helpdesk.web.radix_css import TrimmedRadixThemes

_port = int(os.environ.get("PORT", "3000") or 3000)
_base = (os.environ.get("HELPDESK_BASE_URL") or f"http://localhost:{_port}").rstrip("/")

config = rx.Config(
    app_name="helpdesk",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    frontend_port=_port,
    cors_allowed_origins=sorted({_base, f"http://localhost:{_port}", f"http://127.0.0.1:{_port}"}),
    frontend_packages=["altcha@3.2.2"],
    # Pre-compressed sidecars: brotli for browsers that accept it (CSS 51 KB instead of 82 KB
    # with gzip), gzip for the rest.
    frontend_compression_formats=["brotli", "gzip"],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Radix Themes with only the colour scales in use and no package-wide import for dynamic
    # components, which the app has none of (helpdesk/web/radix_css.py).
    plugins=[TrimmedRadixThemes()],
    # Behind N reverse proxies, the client's address is the N-th from the right of
    # X-Forwarded-For; 0 (default) ignores the header (docs/operations.md, "Client addresses").
    trusted_proxy_hops=int(os.environ.get("HELPDESK_TRUSTED_PROXY_HOPS", "0") or 0),
)
