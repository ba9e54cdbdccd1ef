from __future__ import annotations

from helpdesk.infra import reflex_tuning


def test_disk_state_purge_runs_at_most_once_per_interval(monkeypatch, tmp_path):
    from reflex.istate.manager.disk import StateManagerDisk

    calls = []
    monkeypatch.setattr(StateManagerDisk, "_purge_expired_states", lambda self: calls.append(1))
    reflex_tuning.throttle_disk_state_purge()
    manager = object.__new__(StateManagerDisk)
    clock = [1000.0]
    monkeypatch.setattr(reflex_tuning.time, "monotonic", lambda: clock[0])
    manager._purge_expired_states()
    manager._purge_expired_states()
    assert calls == [1]
    clock[0] += reflex_tuning.PURGE_EVERY_SECONDS + 1
    manager._purge_expired_states()
    assert calls == [1, 1]
