"""Real-browser tests: a live server of the test app and a headless Chromium (Playwright).

Use in a test module::

    from tests.browser_support import browser, chromium, live_server, playwright_session  # noqa: F401

    @pytest.mark.browser
    def test_something(live_server, browser, db): ...

``live_server`` serves the test's ``app`` (same database, same settings) with werkzeug on a free
127.0.0.1 port in a thread; ``browser`` is a headless Chromium from /usr/bin/chromium.
"""

from __future__ import annotations

import shutil
import socket
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class LiveServer:
    def __init__(self, app):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def live_server(app):
    """The test app served on a free loopback port; ``live_server.url`` is its base URL."""
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright_session():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_session):
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def browser(chromium):
    """A fresh browser context (own cookies) per test; yields a new page."""
    context = chromium.new_context(locale="de-DE", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Log a staff user in through the real login form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
