"""A minimal Reflex websocket client (python-socketio), as the browser speaks it: connect to
`/_event?token=<tab token>`, emit `event` with a handler's full name and payload, read the
`event` updates (`delta`, `events`, `final`) the server sends back. Used by the scale tests,
bench/load.py and the websocket attack tests (tests/e2e/test_ws_attacks_e2e.py)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import psutil
import socketio

# Reflex serves socket.io on the path /_event and speaks in the namespace /_event too.
NAMESPACE = "/_event"


class ReflexClient:
    def __init__(self, base_url: str, token: str | None = None, track_local_addr: bool = True):
        self.base_url = base_url.rstrip("/")
        # Finding our own socket scans every TCP connection of the process (blocking the event
        # loop ~ms per call with hundreds open): only the tests that look up the serving worker need it.
        self.track_local_addr = track_local_addr
        self.token = token or str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates: asyncio.Queue = asyncio.Queue()
        self.sio.on("event", self._on_update, namespace=NAMESPACE)
        self.local_addr: tuple[str, int] | None = None
        self.first_update_s = 0.0
        self.frontend_events: list[dict] = []  # scripts and redirects the browser would run
        self.received: list[Any] = []  # every update, also those no call() waited for

    async def _on_update(self, data: Any) -> None:
        self.received.append(data)
        await self.updates.put(data)

    async def connect(self, timeout: float = 10) -> None:
        before = _own_ports(self.base_url) if self.track_local_addr else set()
        await self.sio.connect(
            f"{self.base_url}?token={self.token}",
            socketio_path="/_event",
            transports=["websocket"],
            namespaces=[NAMESPACE],
            wait_timeout=timeout,
        )
        if not self.track_local_addr:
            return
        after = _own_ports(self.base_url) - before
        self.local_addr = next(iter(after)) if len(after) == 1 else None

    async def close(self) -> None:
        await self.sio.disconnect()

    async def call(
        self,
        handler: str,
        payload: dict | None = None,
        path: str = "/",
        timeout: float = 10,
        until=None,
        query: dict | None = None,
        settle: float = 0.05,
    ) -> dict:
        """Send one event and merge the deltas it causes. Reflex marks no "last update", so this
        waits until `until(merged)` holds, or else for the first update plus a short quiet gap.
        `self.first_update_s` is the round trip to the first update (what a user waits for)."""
        t0 = time.monotonic()
        await self.sio.emit(
            "event",
            {"name": handler, "payload": payload or {}, "router_data": {"pathname": path, "query": query or {}, "asPath": path}},
            namespace=NAMESPACE,
        )
        merged: dict = {}
        deadline = t0 + timeout
        first = True
        while True:
            wait = deadline - time.monotonic() if (first or until) else settle
            try:
                update = await asyncio.wait_for(self.updates.get(), max(0.001, wait))
            except asyncio.TimeoutError:
                if first or until:
                    raise
                return merged
            if first:
                self.first_update_s = time.monotonic() - t0
                first = False
            for state, values in (update.get("delta") or {}).items():
                merged.setdefault(state, {}).update(values)
            self.frontend_events.extend(update.get("events") or [])
            if until is not None and until(merged):
                return merged

    async def call_synced(self, handler: str, payload: dict | None = None, path: str = "/",
                          query: dict | None = None, timeout: float = 10) -> dict:
        """Send one event and return the deltas it caused, also when it causes none (a refused
        call usually answers nothing at all). A marker event queued right behind it flips the
        root's `is_hydrated`; the state lock serves a tab's events in order, so once the flip
        comes back the call is done. Background handlers are not waited for."""
        import reflex as rx

        router = {"pathname": path, "query": query or {}, "asPath": path}
        marker = not self._hydrated_flag
        await self.sio.emit("event", {"name": handler, "payload": payload or {}, "router_data": router}, namespace=NAMESPACE)
        await self.sio.emit("event", {"name": f"{rx.State.get_full_name()}.set_is_hydrated", "payload": {"value": marker},
                                      "router_data": router}, namespace=NAMESPACE)
        merged: dict = {}
        deadline = time.monotonic() + timeout
        while True:
            update = await asyncio.wait_for(self.updates.get(), max(0.001, deadline - time.monotonic()))
            self.frontend_events.extend(update.get("events") or [])
            done = False
            for state, values in (update.get("delta") or {}).items():
                values = dict(values)
                if values.pop("is_hydrated_rx_state_", None) is marker:
                    done = True
                merged.setdefault(state, {}).update(values)
            if done:
                return merged

    @property
    def _hydrated_flag(self) -> bool:
        """The root's `is_hydrated` as the last update that carried it said."""
        for update in reversed(self.received):
            for values in (update.get("delta") or {}).values():
                if "is_hydrated_rx_state_" in values:
                    return bool(values["is_hydrated_rx_state_"])
        return False

    async def next_update(self, timeout: float = 10) -> dict:
        return await asyncio.wait_for(self.updates.get(), timeout)

    async def wait_for(self, check, timeout: float = 15) -> dict:
        """Merge updates the server pushes (no event sent) until `check(merged)` holds."""
        merged: dict = {}
        deadline = time.monotonic() + timeout
        while not check(merged):
            update = await asyncio.wait_for(self.updates.get(), max(0.001, deadline - time.monotonic()))
            for state, values in (update.get("delta") or {}).items():
                merged.setdefault(state, {}).update(values)
        return merged

    def drain(self) -> None:
        while not self.updates.empty():
            self.updates.get_nowait()



def _own_ports(base_url: str) -> set[tuple[str, int]]:
    port = int(base_url.rsplit(":", 1)[1].split("/")[0])
    return {
        (c.laddr.ip, c.laddr.port)
        for c in psutil.Process().net_connections(kind="tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    }


def serving_pid(server_port: int, client_addr: tuple[str, int] | None) -> int | None:
    """The server process holding the other end of the client's TCP connection."""
    if client_addr is None:
        return None
    for c in psutil.net_connections(kind="tcp"):
        if c.laddr and c.laddr.port == server_port and c.raddr and (c.raddr.ip, c.raddr.port) == client_addr:
            return c.pid
    return None


def hydrated(delta: dict) -> bool:
    return any(values.get("is_hydrated_rx_state_") is True for values in delta.values())


def find_value(delta: dict, var: str) -> Any:
    """A var's value in a merged delta, whatever state it lives in (names are mangled)."""
    for values in delta.values():
        for key, value in values.items():
            if key == var or key.startswith(var + "_rx_state_") or key.rsplit("_rx_state_", 1)[0] == var:
                return value
    raise KeyError(var)
