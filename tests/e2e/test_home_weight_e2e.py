"""Weight of the help-center home (issue 15 §10), measured by the browser: a cold load of `/`
stays under a byte budget (losing brotli, or Radix Themes' split per page, +31 KB, goes over
it), and does not download the captcha widget (only the chat's last step and the ticket form
show it). bench/home_weight.py prints the figures; the README's performance section has them."""

from __future__ import annotations

# Bytes on the wire (compressed, with headers) for a cold load of `/`, everything until the
# network is idle. Measured 304 KB on 2026-12-06 (was 497 KB): the budget leaves ~8 % room.
HOME_BUDGET = 330 * 1024


def _cold_load(context, path: str) -> dict[str, dict]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    seen: dict[str, dict] = {}
    cdp.on("Network.requestWillBeSent", lambda e: seen.setdefault(e["requestId"], {"wire": 0}).update(url=e["request"]["url"]))
    cdp.on("Network.responseReceived", lambda e: seen.setdefault(e["requestId"], {"wire": 0}).update(
        enc={k.lower(): v for k, v in e["response"]["headers"].items()}.get("content-encoding", "")))
    cdp.on("Network.loadingFinished", lambda e: seen.setdefault(e["requestId"], {"wire": 0}).update(wire=int(e["encodedDataLength"])))
    page.goto(path)
    page.get_by_test_id("kb-category").first.wait_for()
    page.wait_for_load_state("networkidle")
    return {r["url"]: r for r in seen.values() if "url" in r}


def test_home_stays_under_its_byte_budget(new_context):
    loaded = _cold_load(new_context(), "/")
    total = sum(r["wire"] for r in loaded.values())
    largest = sorted(((r["wire"], u.rsplit("/", 1)[-1]) for u, r in loaded.items()), reverse=True)[:6]
    assert total < HOME_BUDGET, f"home page {total / 1024:.0f} KB > {HOME_BUDGET / 1024:.0f} KB; largest: {largest}"
    names = [u.split("?")[0].rsplit("/", 1)[-1] for u in loaded]
    # The captcha widget loads only once a widget is on the page (components/altcha.py).
    assert not [n for n in names if n.startswith("altcha")], names
    # Scripts and styles come pre-compressed (rxconfig.py: brotli, else gzip).
    big = [u for u, r in loaded.items() if r["wire"] > 10_000 and u.endswith((".js", ".css"))]
    assert big and all(loaded[u].get("enc") in ("br", "gzip") for u in big), {u: loaded[u].get("enc") for u in big}
