"""One change to Reflex's disk state manager (production without Redis).

After every pass of its write queue, StateManagerDisk lists the whole states directory and
stats every pickle to delete those older than the token expiration (an hour). Under load the
queue is never empty, so that pass runs many times a second and walks one file per substate
of every tab seen in the last hour (thousands): measured with py-spy, it took about 60 % of the
server's busy CPU while 80 tabs loaded `/` one after another. Files only expire after an hour,
so checking once a minute deletes them just as surely.
"""

from __future__ import annotations

import functools
import time

PURGE_EVERY_SECONDS = 60.0


def throttle_disk_state_purge() -> None:
    try:
        from reflex.istate.manager.disk import StateManagerDisk
    except ImportError:  # another Reflex layout: leave it alone
        return
    original = StateManagerDisk._purge_expired_states
    if getattr(original, "_helpdesk_throttled", False):
        return

    @functools.wraps(original)
    def purge(self):
        now = time.monotonic()
        last = self.__dict__.get("_helpdesk_last_purge")
        if last is not None and now - last < PURGE_EVERY_SECONDS:
            return
        self.__dict__["_helpdesk_last_purge"] = now
        original(self)

    purge._helpdesk_throttled = True
    StateManagerDisk._purge_expired_states = purge
