"""Structured logs: one JSON object per line on stderr, for journald / docker / any log shipper.

    {"time": "2026-11-22T10:04:05.123Z", "level": "INFO", "logger": "helpdesk.mail",
     "message": "...", "pid": 4242, "request_id": "9f1c..."}

`request_id` is present while a request or event is being handled (see `request_context`);
exceptions add `exc`. `HELPDESK_LOG_FORMAT=text` switches to one-line `key=value` logs for a
terminal, `HELPDESK_LOG_LEVEL` sets the level (default INFO).

Call `configure_logging()` once at process start (e.g. from the app module, instead of
`logging.basicConfig`).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("helpdesk_request_id", default=None)

# Attributes every LogRecord has; anything else was passed with `extra=` and is logged too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


@contextmanager
def request_context(rid: str | None = None) -> Iterator[str]:
    """Tag every log line inside the block with one request id (asyncio- and thread-safe)."""
    rid = rid or uuid.uuid4().hex[:16]
    token = request_id.set(rid)
    try:
        yield rid
    finally:
        request_id.reset(token)


def _fields(record: logging.LogRecord) -> dict:
    fields = {
        "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
        "pid": record.process,
    }
    rid = request_id.get()
    if rid:
        fields["request_id"] = rid
    for key, value in vars(record).items():
        if key not in _STANDARD and not key.startswith("_"):
            fields[key] = value
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        return json.dumps(fields, ensure_ascii=False, default=str)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        # Values with spaces, quotes or newlines are JSON-quoted, so each record stays one line.
        return " ".join(f"{k}={_kv(v)}" for k, v in fields.items())


def _kv(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\n\r\t'):
        return text
    return json.dumps(text, ensure_ascii=False)


def configure_logging(fmt: str | None = None, level: str | None = None, stream=None) -> logging.Handler:
    """Replace the root handlers with one structured handler; returns it. Idempotent."""
    fmt = (fmt or os.environ.get("HELPDESK_LOG_FORMAT") or "json").lower()
    level = (level or os.environ.get("HELPDESK_LOG_LEVEL") or "INFO").upper()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter() if fmt in ("text", "kv", "logfmt") else JsonFormatter())
    handler.set_name("helpdesk-structured")
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Chatty libraries: their INFO lines are noise in production logs.
    for name in ("alembic", "httpx", "engineio.server", "socketio.server"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
