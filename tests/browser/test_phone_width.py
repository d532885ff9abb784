"""Issue 22.4: no page scrolls sideways on a 390 px phone.

Every HTML page of the URL map is opened at 390 px in Chromium, on the demo congress with the
long words and addresses real people bring (``demo_world``), as the person who reaches it:
an anonymous visitor, an attendee by their link, door staff, an organiser, a coordinator, the
admin. The page's ``scrollWidth`` must not exceed the viewport; wide tables stack or scroll in
their own box. A new page is checked as soon as it exists; a URL argument this file cannot
fill fails the test, so it cannot be skipped silently. ``WIDTH_SHOTS=1`` keeps a screenshot of
every page (else only of those too wide) in ``tests/artifacts/``.
"""

from __future__ import annotations

import os

from flask import url_for

from conference.accounts.access import PUBLIC, view_access
from tests import factories
from tests.browser_fixtures import PHONE, log_in

SHOOT_ALL = os.environ.get("WIDTH_SHOTS") == "1"
#: Not pages: files, feeds, data for scripts, and the one page another branch redesigns.
NOT_PAGES_SUFFIXES = (".pdf", ".ics", ".json", ".css", ".csv", ".xlsx", ".<fmt>", "/photo")
EXCLUDED = {
    "static": "a file",
    "main.health": "JSON for monitoring",
    "checkin.count": "JSON for the scanner page",
    "checkin.live_panel": "a fragment swapped into /checkin/live",
    "surveys.answer": "opens after the congress; test_accessibility checks it at 390 px",
    "reports.dashboard": "redesigned with its width on the realuse-words branch (issue 22.16)",
    "speakers.download": "a file",
    "speakers.attendee_download": "a file",
    "speakers.speaker_download": "a file",
}
#: Who opens a page, when several roles may: door staff first (they are the phone users).
ROLE_ORDER = ("checkin", "organiser", "coordinator", "admin")
#: Pages worth seeing in a second state (results, a chosen day or checkpoint).
EXTRA = [
    ("checkin", "checkin.scanner", {"checkpoint": "day-1"}),
    ("checkin", "checkin.search", {"checkpoint": "day-1", "q": "{search}"}),
    ("checkin", "checkin.live", {"day": "{day}"}),
    ("organiser", "registration.admin_list", {"q": "{search}"}),
    ("organiser", "workshops.allocation_preview", {"phase_id": "{phase_id}", "seed": "7"}),
    (None, "workshops.attendee", {"token": "{seated_token}"}),
    (None, "registration.manage", {"token": "{seated_token}"}),
]


def _values(endpoint: str, arguments: set[str], world: dict) -> dict:
    values = {}
    for name in sorted(arguments):
        if name == "token" and endpoint.startswith("speakers."):
            values[name] = world["speaker_token"]
        elif name == "token" and endpoint.startswith("cfp."):
            values[name] = world["cfp_confirm_token" if endpoint == "cfp.confirm" else "cfp_token"]
        elif name == "token":
            values[name] = (
                world["confirm_token"]
                if endpoint == "registration.confirm"
                else world["manage_token"]
            )
        elif name == "kind" and endpoint.startswith("mailtexts."):
            values[name] = world["mail_kind"]
        elif name == "question_id" and endpoint.startswith("surveys."):
            values[name] = world["survey_question_id"]
        elif name == "registration_id" and endpoint == "checkin.walk_in_done":
            values[name] = world["walk_in_id"]
        elif name in world and world[name] is not None:
            values[name] = world[name]
        else:
            raise AssertionError(f"{endpoint}: no value for <{name}>; add one to demo_world")
    return values


def _pages(app, world) -> list[tuple[str | None, str, dict]]:
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in EXCLUDED:
            continue
        if rule.rule.startswith("/api/") or rule.rule.endswith(NOT_PAGES_SUFFIXES):
            continue
        access = view_access(app.view_functions[rule.endpoint])
        if access == PUBLIC:
            role = None
        else:
            allowed = {str(getattr(r, "value", r)) for r in access[1]}
            role = next(r for r in ROLE_ORDER if r in allowed)
        pages.append((role, rule.endpoint, _values(rule.endpoint, set(rule.arguments), world)))
    for role, endpoint, values in EXTRA:
        if endpoint in app.view_functions:
            pages.append((role, endpoint, {k: str(v).format(**world) for k, v in values.items()}))
    return pages


def _too_wide(page) -> dict | None:
    """The page's width and its widest elements, or None when nothing sticks out."""
    return page.evaluate(
        """(limit) => {
            const width = document.documentElement.scrollWidth;
            if (width <= limit) return null;
            const culprits = [];
            for (const el of document.body.querySelectorAll("*")) {
                const box = el.getBoundingClientRect();
                if (box.right > limit + 1 && el.children.length === 0) {
                    culprits.push(`${el.tagName.toLowerCase()}.${el.className || ""} ${Math.round(box.right)}px`);
                }
            }
            return {width, culprits: culprits.slice(0, 5)};
        }""",
        PHONE["width"],
    )


class _OpenRequests:
    """The requests of a page that have not finished yet, for waiting until its scripts have
    fetched what they draw: what Playwright's "networkidle" does (no request for 500 ms), with
    a shorter quiet time, since this test waits for it on every page of the URL map."""

    def __init__(self, page):
        self.page = page
        self.count = 0
        page.on("request", self._opened)
        page.on("requestfinished", self._closed)
        page.on("requestfailed", self._closed)

    def _opened(self, _request):
        self.count += 1

    def _closed(self, _request):
        self.count -= 1

    def wait_until_quiet(self, quiet_ms: int = 150, timeout_ms: int = 10_000) -> None:
        step, quiet, waited = 25, 0, 0
        while quiet < quiet_ms:
            if waited > timeout_ms:
                raise AssertionError(f"{self.page.url}: {self.count} requests still open")
            self.page.wait_for_timeout(step)  # events (requests finishing) arrive meanwhile
            waited += step
            quiet = quiet + step if self.count <= 0 else 0


def test_no_page_is_wider_than_a_390px_phone(new_page, live_server, demo_world, shot, db):
    app = live_server.app
    with app.test_request_context():
        pages = [
            (role, endpoint, url_for(endpoint, **values))
            for role, endpoint, values in _pages(app, demo_world)
        ]
    emails = {}
    for role in {role for role, _endpoint, _path in pages if role}:
        emails[role] = factories.user(
            role=role, organisation_id=demo_world["carrier_id"] if role == "coordinator" else None
        ).email
    db.session.commit()  # before the browser writes: SQLite has one writer
    visitors = {}
    offenders = []
    for role, endpoint, path in pages:
        if role not in visitors:
            visitors[role] = new_page(phone=True)
            visitors[role].open_requests = _OpenRequests(visitors[role])
            if role is not None:
                log_in(visitors[role], emails[role])
        page = visitors[role]
        response = page.goto(path)
        assert response is not None and response.status < 400, f"{path} ({role}): {response.status}"
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.open_requests.wait_until_quiet()
        wide = _too_wide(page)
        if SHOOT_ALL:
            shot(endpoint, page=page)
        if wide is not None:
            shot(f"too-wide-{endpoint}", page=page)
            offenders.append(
                f"{path} as {role or 'visitor'}: {wide['width']} px, {wide['culprits']}"
            )

    assert len(pages) >= 50
    assert offenders == [], "\\n".join(offenders)
