"""The playground as a person uses it, in a real headless Chromium (make browser-test).

Opens the page, picks XOR, builds a 2-4-1 tanh network, presses play, waits for the
test loss to fall, checks the picture changed, switches to the 1958 mode, exports the
model and reads the file with ``rosenblatt info``. With PLAYGROUND_SCREENSHOTS set to
a folder, it leaves its screenshots there (the README's come from this test).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import start_playground

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def page_url():
    process, url = start_playground()
    yield url
    process.terminate()
    process.wait(timeout=20)


def _shot(page, name: str) -> None:
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def test_a_learner_trains_xor_watches_1958_and_exports(page_url, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, (
        "Debian's chromium package is needed (make browser-test installs it)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        page = browser.new_page(
            viewport={"width": 1280, "height": 860}, accept_downloads=True
        )
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_url)
        ready = "body[data-ready='1']"  # the page has drawn its new network
        page.wait_for_selector(ready)
        page.click("[data-dataset=xor]")
        page.wait_for_selector(ready)
        page.click("#remove-layer")  # [4, 2] -> [4]: the network 2-4-1
        page.wait_for_selector(ready)
        assert page.locator("#columns .column").count() == 2  # features, one layer
        assert page.locator("#columns .column[data-layer='0'] .node").count() == 4
        assert page.input_value("#columns select") == "tanh"
        assert re.search(
            r'"layers":\[4\]', page.evaluate("decodeURIComponent(location.hash)")
        )
        before = page.evaluate("document.getElementById('surface').toDataURL()")
        page.click("#play")
        page.wait_for_function(
            "Number(document.getElementById('test-loss').textContent) < 0.1",
            timeout=60_000,
        )
        page.click("#play")  # pause
        after = page.evaluate("document.getElementById('surface').toDataURL()")
        assert after != before
        assert int(page.text_content("#epoch")) > 0
        _shot(page, "playground_xor.png")

        # the URL holds the network: a new tab from it builds the same one
        second = browser.new_page()
        second.goto(page.url)
        second.wait_for_selector(ready)
        assert second.locator("#columns .column[data-layer='0'] .node").count() == 4
        second.close()

        page.select_option("#mode", "1958")
        page.wait_for_selector(ready)
        assert page.is_visible("#panel-1958")
        for _ in range(30):
            page.click("#step")
            page.wait_for_timeout(30)
        assert "#" in page.text_content("#sample1958")
        page.click("#play")
        page.wait_for_function(
            "document.getElementById('errors1958').textContent.includes(',')",
            timeout=120_000,
        )
        page.click("#play")
        assert "not met" in page.text_content("#settled1958")  # XOR never settles
        _shot(page, "playground_1958.png")

        with page.expect_download() as download:
            page.click("#export-model")
        path = tmp_path / "playground.safetensors"
        download.value.save_as(path)
        assert not errors, errors
        assert all(url.startswith(page_url) for url in requests)  # nothing from outside
        browser.close()
    done = subprocess.run(
        [sys.executable, "-m", "rosenblatt", "info", str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Perceptron" in done.stdout
