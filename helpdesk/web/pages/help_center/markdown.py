"""Article Markdown made safe to hand to `rx.markdown(..., use_raw=False)`.

`use_raw=False` already keeps raw HTML (a `<script>` in the body) as text, and react-markdown
drops `javascript:` URLs by itself. Link targets are still rewritten here, on the server, so the
guarantee does not depend on a frontend library's default: anything but http(s), mailto, tel,
same-site paths and anchors becomes "#".
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

_SAFE = re.compile(r"^(?:https?:|mailto:|tel:|/(?!/)|#|\?)", re.IGNORECASE)
# Inline links and images: [text](target "title") / ![alt](target)
_INLINE = re.compile(r"(\]\(\s*)(<[^>]*>|[^)\s]+)")
# Reference definitions: [name]: target
_REFERENCE = re.compile(r"^( {0,3}\[[^\]]+\]:\s*)(<[^>]*>|\S+)", re.MULTILINE)
# Autolinks: <scheme:...>
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}):([^<>\s]*)>")
# Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def safe_url(url: str) -> str:
    # Markdown decodes character references in link targets ("javascript&#58;" is "javascript:"),
    # so the scheme is judged after decoding them, as the renderer will (and %-escapes too).
    decoded = html.unescape(unquote(html.unescape(url or "")))
    bare = _INVISIBLE.sub("", decoded.strip("<>"))
    if not bare:
        return "#"
    if _SAFE.match(bare):
        return url
    # A relative path without a scheme ("otra-pagina", "./x") is harmless.
    if ":" not in bare.split("/", 1)[0]:
        return url
    return "#"


def safe_markdown(body: str) -> str:
    text = body or ""
    text = _INLINE.sub(lambda m: m.group(1) + safe_url(m.group(2)), text)
    text = _REFERENCE.sub(lambda m: m.group(1) + safe_url(m.group(2)), text)

    def autolink(m: re.Match[str]) -> str:
        scheme = m.group(1).lower()
        if scheme in ("http", "https", "mailto", "tel"):
            return m.group(0)
        # Kept visible as text, never as a link.
        return f"`{m.group(1)}:{m.group(2)}`"

    return _AUTOLINK.sub(autolink, text)


def _renderer():
    from markdown_it import MarkdownIt

    # html=False: raw HTML in an article is shown as text, never interpreted. markdown-it also
    # refuses javascript:/vbscript:/file:/data: link targets on its own (validateLink).
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


_MD = None


def article_html(body: str) -> str:
    """The article as HTML, rendered on the server: the help-center pages then need no Markdown
    library (react-markdown, KaTeX, a highlighter: ~120 KB gzipped) in the browser."""
    global _MD
    if _MD is None:
        _MD = _renderer()
    return _MD.render(safe_markdown(body))
