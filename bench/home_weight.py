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


def _kind(url: str, mime: str) -> str:
    path = url.split("?")[0]
    if path.endswith((".js", ".mjs")) or "javascript" in mime:
        return "JS"
    if path.endswith(".css") or "css" in mime:
        return "CSS"
    if path.endswith((".woff2", ".woff", ".ttf", ".otf")) or "font" in mime:
        return "fonts"
    if "html" in mime or "json" in mime or path.endswith((".html", ".json")):
        return "HTML/JSON"
    return "other"


def _measure(browser, url: str, throttle: bool) -> dict:
    """Every response of one cold load: bytes on the wire (compressed, with headers) and
    decoded bytes, by kind; and first-contentful-paint."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    reqs: dict[str, dict] = {}

    def req(e: dict) -> dict:
        return reqs.setdefault(e["requestId"], {"url": "?", "mime": "", "enc": "", "wire": 0, "raw": 0})

    cdp.on("Network.requestWillBeSent", lambda e: req(e).__setitem__("url", e["request"]["url"]))

    def response(e: dict) -> None:
        r = req(e)
        r["mime"] = e["response"].get("mimeType", "")
        headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
        r["enc"] = headers.get("content-encoding", "")

    cdp.on("Network.responseReceived", response)
    cdp.on("Network.dataReceived", lambda e: req(e).__setitem__("raw", req(e)["raw"] + int(e.get("dataLength", 0))))
    cdp.on("Network.loadingFinished", lambda e: req(e).__setitem__("wire", int(e.get("encodedDataLength", 0))))
    started = time.time()
    page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_load_state("networkidle", timeout=180_000)
    fcp = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
    done = [r for r in reqs.values() if r["wire"] or r["raw"]]
    kinds: dict[str, list[int]] = {}
    for r in done:
        k = kinds.setdefault(_kind(r["url"], r["mime"]), [0, 0, 0])
        k[0] += r["wire"]
        k[1] += r["raw"]
        k[2] += 1
    out = {"bytes": sum(r["wire"] for r in done), "raw": sum(r["raw"] for r in done), "kinds": kinds,
           "fcp_ms": fcp, "load_s": time.time() - started,
           "requests": sorted(done, key=lambda r: -r["wire"])}
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="an already running app (else one is started)")
    ap.add_argument("--path", default="/")
    ap.add_argument("--top", type=int, default=12, help="how many of the largest transfers to list")
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
        print(f"  transferred (no cache): {fast['bytes'] / 1024:.1f} KB compressed, {fast['raw'] / 1024:.1f} KB"
              f" uncompressed, {len(fast['requests'])} requests   goal < 200 KB")
        for kind, (wire, raw, n) in sorted(fast["kinds"].items(), key=lambda kv: -kv[1][0]):
            print(f"    {kind:<10} {wire / 1024:7.1f} KB  ({raw / 1024:7.1f} KB uncompressed, {n} files)")
        print(f"  first contentful paint, unthrottled: {fast['fcp_ms'] or 0:.0f} ms")
        print(f"  first contentful paint, slow 3G:     {slow['fcp_ms'] or 0:.0f} ms   goal < 2000 ms")
        print(f"  load + network idle, slow 3G:        {slow['load_s']:.1f} s")
        print("  transfers (compressed / uncompressed, encoding):")
        for r in fast["requests"][: args.top]:
            name = r["url"].split("?")[0].rstrip("/").split("/")[-1] or "/"
            print(f"    {r['wire'] / 1024:7.1f} KB {r['raw'] / 1024:7.1f} KB  {r['enc'] or '-':<5} {name[:64]}")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)


if __name__ == "__main__":
    main()
