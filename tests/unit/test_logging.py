"""Structured logs: one parseable line per record, with the request id when there is one."""

from __future__ import annotations

import io
import json
import logging

import pytest

from helpdesk.infra.logging import configure_logging, request_context


@pytest.fixture
def restore_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def test_json_lines_carry_time_level_logger_message_and_request_id(restore_root):
    out = io.StringIO()
    configure_logging("json", "INFO", stream=out)
    log = logging.getLogger("helpdesk.test")
    log.info("sin petición")
    with request_context("abc123"):
        log.warning("mail %s to %s\nfailed", 7, "ana@x.test", extra={"ticket": 1042})
    log.debug("hidden below INFO")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "INFO" and first["logger"] == "helpdesk.test" and first["message"] == "sin petición"
    assert "request_id" not in first and first["time"].endswith("Z")
    assert second["request_id"] == "abc123" and second["ticket"] == 1042
    assert second["message"] == "mail 7 to ana@x.test\nfailed"


def test_key_value_lines_stay_on_one_line_and_include_tracebacks(restore_root):
    out = io.StringIO()
    configure_logging("text", "INFO", stream=out)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("helpdesk.jobs").exception("job %s failed", "deliver_mail")
    (line,) = out.getvalue().splitlines()
    assert line.startswith("time=") and "level=ERROR" in line and "logger=helpdesk.jobs" in line
    assert 'message="job deliver_mail failed"' in line and "ValueError: boom" in line


def test_configure_is_idempotent(restore_root):
    configure_logging("json", stream=io.StringIO())
    configure_logging("json", stream=io.StringIO())
    assert len(logging.getLogger().handlers) == 1
