"""Weight of the help-center home: bytes over the wire and time to first content on slow 3G.

Starts the app in production mode on a free port with a temporary data dir (demo data), then
loads `/` in Chromium twice with an empty cache: once unthrottled (bytes), once with Chrome's
"Slow 3G" network profile through CDP Network.emulateNetworkConditions (first-contentful-paint).

    .venv/bin/python bench/home_weight.py [--url http://localhost:3000] [--path /]

Goal (issue 15): under 200 KB transferred and first content under 2 s on slow 3G.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# Chrome DevTools' "Slow 3G": 400 ms latency, 400 kbit/s down (50 KB/s), 400 kbit/s up.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8}


def _serve() -> tuple[str, subprocess.Popen]:
    from tests.e2e.conftest import _free_port

    port = _free_port()
    data = tempfile.mkdtemp(prefix="hd-weight-")
    env = {**os.environ, "PORT": str(port), "HELPDESK_DATA_DIR": data, "HELPDESK_DEMO": "1",
           "REFLEX_TELEMETRY_ENABLED": "false", "REFLEX_CHECK_LATEST_VERSION": "false"}
    env.pop("HELPDESK_DB_URL", None)
    log = open(Path(data) / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "helpdesk.cli", "serve"], cwd=REPO, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}"
    deadline = time.time() + 900
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2), urllib.request.urlopen(url + "/", timeout=5):
                return url, proc
        except OSError:
            time.sleep(1)
    raise SystemExit("the app did not start")


def _measure(browser, url: str, throttle: bool) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    total = {"bytes": 0}
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))

    def finished(e: dict) -> None:
        size = int(e.get("encodedDataLength", 0))
        total["bytes"] += size
        sizes[urls.get(e["requestId"], "?")] = size

    cdp.on("Network.loadingFinished", finished)
    started = time.time()
    page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_load_state("networkidle", timeout=180_000)
    fcp = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
    out = {"bytes": total["bytes"], "fcp_ms": fcp, "load_s": time.time() - started,
           "largest": sorted(sizes.items(), key=lambda kv: -kv[1])[:8]}
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="an already running app (else one is started)")
    ap.add_argument("--path", default="/")
    args = ap.parse_args()
    proc = None
    url = args.url
    if not url:
        url, proc = _serve()
    try:
        from playwright.sync_api import sync_playwright

        from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            _measure(browser, url + args.path, False)  # warm the server (prerender, caches)
            fast = _measure(browser, url + args.path, False)
            slow = _measure(browser, url + args.path, True)
            browser.close()
        print(f"page {args.path}")
        print(f"  transferred (no cache): {fast['bytes'] / 1024:.1f} KB   goal < 200 KB")
        print(f"  first contentful paint, unthrottled: {fast['fcp_ms'] or 0:.0f} ms")
        print(f"  first contentful paint, slow 3G:     {slow['fcp_ms'] or 0:.0f} ms   goal < 2000 ms")
        print(f"  load + network idle, slow 3G:        {slow['load_s']:.1f} s")
        print("  largest transfers:")
        for name, size in fast["largest"]:
            print(f"    {size / 1024:7.1f} KB  {name.split('/')[-1][:70]}")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)


if __name__ == "__main__":
    main()
