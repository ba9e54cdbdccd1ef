"""`python -m helpdesk.infra.reflex_run run --env prod ...`: Reflex's own command line, with
one change to the production server it starts.

Reflex builds its Granian supervisor without `respawn_failed_workers`, and Granian's default
then treats one worker dying (OOM killer, a segfault, a stray SIGKILL) as the end of the whole
app: every other worker is stopped and every connected browser loses the site. With respawn
on, the dead worker's sockets reconnect to the survivors and a replacement is forked a few
seconds later. (A crash loop, the same worker dying twice within seconds, still stops it.)
"""

from __future__ import annotations

import functools


def _respawn_failed_workers() -> None:
    try:
        from granian.server.common import AbstractServer
    except ImportError:  # uvicorn instead of granian: nothing to change
        return
    original = AbstractServer.__init__
    if getattr(original, "_helpdesk_respawn", False):
        return

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    init._helpdesk_respawn = True
    AbstractServer.__init__ = init


def main() -> None:
    _respawn_failed_workers()
    from reflex.reflex import cli

    cli(prog_name="reflex")


if __name__ == "__main__":
    main()
