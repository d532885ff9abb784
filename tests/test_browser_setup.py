"""The browser tests cannot silently vanish in CI: without Chromium they skip on a developer's
machine and fail when ``CI=true``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
