"""The browser tests cannot silently vanish in CI: without Chromium they skip on a developer's
machine and fail when ``CI=true``."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests import browser_fixtures

ROOT = Path(__file__).resolve().parent.parent
ONE_BROWSER_TEST = "tests/browser/test_pages.py::test_landing_page_fits_a_phone_screen"


def _run_without_chromium(ci: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CHROMIUM_PATH": "/nonexistent/chromium", "CI": ci}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", ONE_BROWSER_TEST],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("ci", "exit_code", "outcome"), [("", 0, "1 skipped"), ("true", 1, "1 error")]
)
def test_a_missing_browser_skips_locally_and_fails_in_ci(ci, exit_code, outcome):
    result = _run_without_chromium(ci)

    assert result.returncode == exit_code, result.stdout + result.stderr
    assert outcome in result.stdout
    assert "no Chromium at /nonexistent/chromium" in result.stdout


def test_the_live_server_closes_a_response_whose_client_reset_the_connection():
    """Mail queued by a request goes out in the response's ``call_on_close``. Werkzeug skips
    that close when the client resets the connection while it drains the socket, as Chromium
    does after a redirect; the browser tests' server closes it anyway, as gunicorn does."""
    closed = threading.Event()

    class Body(list):
        def close(self):
            closed.set()

    def app(environ, start_response):
        start_response("303 See Other", [("Location", "/"), ("Content-Length", "0")])
        return Body()

    server = make_server(
        "127.0.0.1", 0, browser_fixtures._closing(app), threaded=True,
        request_handler=browser_fixtures._Handler,
    )  # fmt: skip
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        client = socket.create_connection(("127.0.0.1", server.server_port))
        # Bytes beyond the request keep the server's drain reading until the reset.
        client.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nextra")
        assert client.recv(4096).startswith(b"HTTP/1.1 303")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()  # a reset, not a FIN

        assert closed.wait(5)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
