"""Fault points for the scale tests: a place in a handler where a test can park one request
so it can kill the process serving it at a known moment.

Inert unless HELPDESK_FAULT_DIR is set, and even then a point only stalls when a test has
armed it by creating `<dir>/<point>.armed`. Arming is one-shot (the first request to reach
the point takes it), so the retry that follows the kill goes through normally.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV = "HELPDESK_FAULT_DIR"
STALL_SECONDS = 60.0


def stall(point: str) -> None:
    root = os.environ.get(ENV, "").strip()
    if not root:
        return
    base = Path(root)
    try:
        # rename is atomic: of several workers reaching the point at once, one stalls.
        os.rename(base / f"{point}.armed", base / f"{point}.taken")
    except OSError:
        return
    tmp = base / f"{point}.pid.tmp"
    tmp.write_text(str(os.getpid()))
    os.replace(tmp, base / f"{point}.pid")
    # A blocking sleep on purpose: the process is meant to die here, not to serve others.
    time.sleep(STALL_SECONDS)
