"""Scale tests: PostgreSQL + Redis, the app in production mode with several backend workers, and
faults (killed workers, dropped database connections, a crash while mailing).

PostgreSQL and Redis come from HELPDESK_SCALE_PG_URL / HELPDESK_SCALE_REDIS_URL (scripts/test.sh
sets them, starting throwaway servers when needed), else the machine's usual loopback servers.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import REPO, _free_port, _wait_healthy

PG_URL = os.environ.get("HELPDESK_SCALE_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HELPDESK_SCALE_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")


class PgDatabases:
    """Fresh databases on the test server, dropped at the end."""

    def __init__(self) -> None:
        self.admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def create(self, prefix: str = "s") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return PG_URL.rsplit("/", 1)[0] + "/" + name

    def terminate_backends(self, url: str) -> int:
        """What a database restart looks like to the app: every connection dropped."""
        name = url.rsplit("/", 1)[1]
        with self.admin.connect() as conn:
            return len(
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"),
                    {"n": name},
                ).all()
            )

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg() -> PgDatabases:
    dbs = PgDatabases()
    yield dbs
    dbs.drop_all()


def redis_db_url() -> str:
    """A Redis URL on a database index nobody uses right now (others may share the server)."""
    import redis

    indexes = list(range(1, 16))
    random.shuffle(indexes)
    for index in indexes:
        if redis.Redis.from_url(f"{REDIS_URL}/{index}").dbsize() == 0:
            return f"{REDIS_URL}/{index}"
    raise RuntimeError(f"no empty database index on {REDIS_URL}")


class Server:
    def __init__(self, proc: subprocess.Popen, port: int, env: dict, log: Path):
        self.proc, self.port, self.env, self.log = proc, port, env, log
        self.url = f"http://localhost:{port}"

    def worker_pids(self) -> set[int]:
        """Processes listening on the app's port (the backend workers)."""
        import psutil

        found = set()
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if any(c.status == psutil.CONN_LISTEN and c.laddr.port == self.port for c in child.net_connections("tcp")):
                    found.add(child.pid)
            except psutil.Error:
                continue
        return found

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start_server(tmp: Path, db_url: str, redis_url: str | None, **extra: str) -> Server:
    port = _free_port()
    env = dict(os.environ)
    env.pop("HELPDESK_SMTP_HOST", None)
    env.update(
        PORT=str(port),
        HELPDESK_DATA_DIR=str(tmp),
        HELPDESK_DB_URL=db_url,
        HELPDESK_DEMO="1",
        HELPDESK_BASE_URL=f"http://localhost:{port}",
        HELPDESK_CAPTCHA_MAX_NUMBER="2000",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        **extra,
    )
    if redis_url:
        env["REFLEX_REDIS_URL"] = redis_url
    else:
        env.pop("REFLEX_REDIS_URL", None)
    log = tmp / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "helpdesk.cli", "serve"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(proc, port, env, log)
    try:
        _wait_healthy(server.url, proc, log)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def scale_server(pg, tmp_path_factory) -> Server:
    """The app on PostgreSQL with Redis state: Reflex starts several backend workers itself.
    Its fault points (helpdesk/infra/faults.py) are live but stay inert until a test arms one."""
    faults = tmp_path_factory.mktemp("scale-faults")
    server = start_server(
        tmp_path_factory.mktemp("scale-data"), pg.create("scale"), redis_db_url(), HELPDESK_FAULT_DIR=str(faults)
    )
    server.fault_dir = faults
    yield server
    server.stop()
