"""Each forked worker process tells its own bus messages from the others'."""

from __future__ import annotations

import os

from helpdesk.infra import bus


def test_a_forked_worker_gets_its_own_origin_id():
    parent_id = bus._WORKER_ID
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child, like a Granian worker forked after the app was imported
        os.write(write, bus._WORKER_ID.encode())
        os._exit(0)
    os.close(write)
    child_id = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child_id and child_id != parent_id
    assert bus._WORKER_ID == parent_id
