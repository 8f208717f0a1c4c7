"""Workload 11: the playground's update rate, a 2-8-8-1 network on the 50 x 50 grid.

Two figures: the server's round trip (one epoch of training and the whole view,
JSON over HTTP, decoded by the client) per second; and, with Playwright and Debian's
chromium installed, the page's own rate while playing: epochs drawn per second in
headless Chromium (training, transfer, decoding and drawing every neuron's picture,
the surface, the links and the charts). Wall time: this is what a learner sees.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request
from typing import Any

from common import Section, table

SPEC = {"dataset": "circle", "features": ["x1", "x2"], "layers": [8, 8],
        "activations": ["tanh", "tanh"]}  # fmt: skip


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode())
    with urllib.request.urlopen(request) as answer:
        result: dict[str, Any] = json.loads(answer.read())
        return result


def _browser_rate(base: str, seconds: float) -> float | None:
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    spec = json.dumps(SPEC)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{base}/#{urllib.request.quote(spec)}")
        page.wait_for_selector("body[data-ready='1']")
        page.click("#play")
        page.wait_for_timeout(1000)  # warm up
        first, started = int(page.text_content("#epoch") or 0), time.perf_counter()
        page.wait_for_timeout(seconds * 1000)
        last, elapsed = (
            int(page.text_content("#epoch") or 0),
            time.perf_counter() - started,
        )
        browser.close()
    return (last - first) / elapsed


def section(quick: bool, rounds: int | None = None) -> Section:
    from rosenblatt.playground.server import Playground

    server = Playground(("127.0.0.1", 0))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        created = _post(base + "/api/session", {"spec": SPEC})
        updates = 50 if quick else 300
        for _ in range(5):
            _post(base + "/api/step", {"id": created["id"], "epochs": 1})
        started = time.perf_counter()
        for _ in range(updates):
            _post(base + "/api/step", {"id": created["id"], "epochs": 1})
        server_rate = updates / (time.perf_counter() - started)
        page_rate = _browser_rate(base, 3.0 if quick else 10.0)
    finally:
        server.shutdown()
        server.server_close()
    rows = [
        [
            "server round trip (train one epoch + the whole view, JSON)",
            f"{server_rate:.0f}",
        ]
    ]
    shown = "not measured (no Playwright or chromium)"
    if page_rate is not None:
        shown = f"{page_rate:.0f}"
    rows.append(["the page in headless Chromium while playing (drawn updates)", shown])
    ratios = {"playground_updates_per_second": page_rate or server_rate}
    return Section(
        [
            "## Workload 11: the playground's update rate",
            "",
            "A 2-8-8-1 tanh network on the circle data (250 training points, batch 10), "
            "each update one epoch and the whole view: the 50 x 50 output surface and "
            "every neuron's picture, weights, losses and gradient norms. Wall time.",
            "",
            *table(["what", "updates per second"], rows),
            "",
        ],
        ratios,
    )
