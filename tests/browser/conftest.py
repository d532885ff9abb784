"""The journey, page and accessibility tests in this folder. The browser fixtures themselves
(``live_server``, ``browser``, ``page``, ``phone_page``, ``new_page``, ``shot``, ``axe``,
``staff_user``) are shared by all browser tests: see ``tests/browser_fixtures.py``."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (``-m "not browser"`` skips them)."""
    folder = Path(__file__).parent
    for item in items:
        if folder in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _test_thread_reads_like_a_get_request(browser, app):
    """On SQLite every transaction outside a request starts with BEGIN IMMEDIATE (the write
    lock; see conference/core/database.py). The test thread reads its rows after committing
    them (``user.email``), and would then hold the lock while the browser waits for the server.
    A GET request context makes the test thread's transactions plain BEGINs, as the app's own
    page views are. Call ``db.session.rollback()`` before asserting what the browser stored.

    ``browser`` comes first: without Chromium the test skips (or fails in CI) at once, before
    the app and the migrations are set up for nothing."""
    with app.test_request_context("/"):
        yield
