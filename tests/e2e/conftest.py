"""Browser tests: the app is built and served once per test session in production mode,
on a free port with a temporary data dir, and driven through Debian's Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = REPO / "screenshots"  # pytest-playwright wipes test-results/ at start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WIDGET_HOST_PORT = _free_port()
INBOUND_PORT = _free_port()


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as resp:
                if resp.status == 200:
                    # The page bundle is served by the same process once the backend answers.
                    with urllib.request.urlopen(url + "/", timeout=5) as page:
                        if page.status == 200:
                            return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"app did not become healthy in {timeout}s:\n{log.read_text()[-4000:]}")


class MailSink:
    """A real SMTP server on a free loopback port that keeps every message it receives, except
    for addresses at REFUSED_DOMAIN: those it refuses for good, as a server does an unknown
    mailbox (test_mail_failed_e2e.py)."""

    REFUSED_DOMAIN = "@rechazado.test"

    def __init__(self) -> None:
        self.messages: list = []  # email.message.EmailMessage

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        if address.lower().endswith(self.REFUSED_DOMAIN):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for msg in self.messages:
                if to.lower() in str(msg["To"]).lower():
                    return msg
            time.sleep(0.25)
        raise AssertionError(f"no mail to {to} within {timeout}s")


@pytest.fixture(scope="session")
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    sink.host, sink.port = controller.hostname, controller.port
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def app_env(tmp_path_factory, smtp_sink) -> dict:
    data = tmp_path_factory.mktemp("helpdesk-data")
    port = _free_port()
    env = dict(os.environ)
    env.update(
        PORT=str(port),
        HELPDESK_DATA_DIR=str(data),
        HELPDESK_DEMO="1",
        HELPDESK_BASE_URL=f"http://localhost:{port}",
        HELPDESK_CAPTCHA_MAX_NUMBER=os.environ.get("HELPDESK_CAPTCHA_MAX_NUMBER", "2000"),
        HELPDESK_SMTP_HOST=smtp_sink.host,
        HELPDESK_SMTP_PORT=str(smtp_sink.port),
        # The mail channel's own receiver (test_mail_channel_e2e.py talks SMTP to it).
        HELPDESK_INBOUND_SMTP_PORT=str(INBOUND_PORT),
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        # The chat widget test serves a host page from this origin: another origin (port) on the
        # same site, since this Chromium denies storage to cross-site frames (docs/security.md).
        HELPDESK_WIDGET_ORIGINS=f"http://localhost:{WIDGET_HOST_PORT}",
        # Test mode only: the promise clock reads this file (empty: real time), see infra/clock.py.
        HELPDESK_TEST_MODE="1",
        HELPDESK_NOW=f"file:{data / 'now.txt'}",
    )
    env.pop("HELPDESK_DB_URL", None) if not os.environ.get("HELPDESK_E2E_DB_URL") else env.update(
        HELPDESK_DB_URL=os.environ["HELPDESK_E2E_DB_URL"]
    )
    return {"port": port, "data": data, "env": env, "url": f"http://localhost:{port}"}


def _fair_use_limits_off(env: dict) -> None:
    """The session's tests open many tickets for the same few customers: save fair-use limits
    off, as an admin could (tests/unit/test_fair_use*.py test the limits)."""
    code = ("from helpdesk.infra.db import session_scope\n"
            "from helpdesk.domain.sla import Setting\n"
            "from helpdesk.services import fair_use\n"
            "from helpdesk.domain.fair_use import FairUseLimits\n"
            "import json\n"
            "with session_scope() as s:\n"
            "    s.merge(Setting(key=fair_use.SETTING_KEY, value=json.dumps(FairUseLimits(0, 0, 0, 0, 0).as_dict())))\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True, timeout=120)


@pytest.fixture(scope="session")
def app_server(app_env):
    log = app_env["data"] / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "helpdesk.cli", "serve"],
            cwd=REPO,
            env=app_env["env"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(app_env["url"], proc, log)
        _fair_use_limits_off(app_env["env"])
        yield app_env
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="session")
def base_url(app_server) -> str:
    return app_server["url"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def new_context(browser, base_url):
    """Open extra independent browser contexts (another user, another device)."""
    made = []

    def make(**kw):
        ctx = browser.new_context(base_url=base_url, viewport=kw.pop("viewport", {"width": 1280, "height": 900}), **kw)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def attach(page, testid: str, path: Path) -> None:
    """Choose a file in the attachment picker `testid` (the dropzone holds a file input)."""
    page.get_by_test_id(testid).locator("input[type=file]").set_input_files(str(path))


def login(page, email: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-logout")).to_be_visible()


def open_chat(page) -> None:
    """Open the help-center chat panel from its launcher.

    The launcher is in the server-rendered HTML, so it is on screen before the page's scripts
    take over. A click in that moment does nothing, for a person too, who clicks again; on a
    loaded CI machine it happened twice in a row. So: wait until the page's scripts are loaded,
    click, and click again only if the panel is still closed after a generous wait."""
    from playwright.sync_api import expect

    page.wait_for_load_state("networkidle")
    panel = page.get_by_test_id("chat-panel")
    for _ in range(3):
        if not panel.is_visible():
            page.get_by_test_id("chat-launcher").click()
        try:
            expect(panel).to_be_visible(timeout=8000)
        except AssertionError:
            continue
        # A page that just loaded shows the tab's last state for a moment, then closes the panel
        # (a new page starts with it closed): open means still open a little later.
        page.wait_for_timeout(700)
        if panel.is_visible():
            return
    expect(panel).to_be_visible()  # fails with Playwright's own report
