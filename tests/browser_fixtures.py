"""Real-browser fixtures shared by every browser test: one Playwright and one headless Chromium
per pytest process (per xdist worker), the test app served on a loopback port, screenshots per
journey step and axe-core accessibility checks. ``tests/conftest.py`` imports the fixtures.

- ``live_server``: the app of the ``app`` fixture (same test database) served by werkzeug in a
  thread on a free 127.0.0.1 port (a secure context, e.g. for ``crypto.subtle`` and the
  clipboard), with CSRF protection switched on as in production. Links in mails lead back to
  it unless the test sets ``PUBLIC_BASE_URL`` with ``@pytest.mark.config``.
- ``browser``: the process's one headless Chromium (``/usr/bin/chromium`` or ``CHROMIUM_PATH``;
  Playwright cannot download browsers here). Missing browser or Playwright: skipped locally, a
  failure when ``CI=true``. Sync Playwright allows only one session per thread, so no test
  starts ``sync_playwright()`` by itself.
- ``page`` (desktop, 1280x900, German) and ``phone_page`` (390x844, ``is_mobile``);
  ``new_page(...)`` opens more (another person, English, a phone, clipboard permissions), each
  in its own browser context (own cookies), closed after the test. Relative URLs go to the
  live server.
- ``shot("step")``: a full-page screenshot to ``tests/artifacts/<test>/<nn>-<step>.png``.
- ``axe(page)``: runs the vendored axe-core for WCAG 2.1 A/AA on the page, returns violations;
  ``describe(violations)`` formats them for an assertion message.
- ``log_in(page, email)``: logs a staff user in through the form, as a person does.
- ``demo_world``: the demo congress (``conference/demo/``: 300 people, carriers with local
  structures, agenda, both workshop kinds, last year's check-ins) plus the long words and
  addresses real people bring, and the ids and tokens the pages need.

The pages keep the app's real Content-Security-Policy (``script-src 'self'``): axe is served
from a same-origin URL (``/__axe.js``) that only exists inside the test browser, through
``page.route``, so no ``bypass_csp`` is needed and a page that breaks its own CSP shows up in
``page.console_errors``.

SQLite: outside a request every transaction of the test thread begins IMMEDIATE (the write
lock; see conference/core/database.py). Commit or roll back before the browser waits for the
live server, and read plain values (``user.email``) before that, not expired rows afterwards.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from tests import factories

__all__ = [
    "axe",
    "browser",
    "demo_world",
    "live_server",
    "new_page",
    "page",
    "phone_page",
    "playwright_session",
    "shot",
    "staff_user",
]

TESTS = Path(__file__).resolve().parent
ARTIFACTS = TESTS / "artifacts"
AXE_FILE = TESTS / "vendor" / "axe-core" / "axe.min.js"
AXE_URL_PATH = "/__axe.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


# --- the app on a port -----------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        return self.url + path


class _ClosedOnce:
    """A response body whose ``close`` runs once, however often it is called."""

    def __init__(self, body):
        self.body = body
        self.closed = False

    def __iter__(self):
        return iter(self.body)

    def close(self):
        if not self.closed:
            self.closed = True
            if hasattr(self.body, "close"):
                self.body.close()


class _Handler(WSGIRequestHandler):
    """Werkzeug's request handler, but the response is closed even when the client resets
    the connection.

    After a response Werkzeug drains the socket and only then closes the response; when that
    read fails with a reset (Chromium resets a connection after a POST and its redirect),
    ``connection_dropped`` is called and the close is skipped, and with it everything
    registered with ``call_on_close``: the mail a request queued would never go out.
    gunicorn closes the response in every case, so the test server must too.
    """

    def connection_dropped(self, error, environ=None):
        body = environ.pop("tests.response", None) if environ else None
        if body is not None:
            body.close()
        super().connection_dropped(error, environ)


def _closing(app):
    def serve(environ, start_response):
        body = _ClosedOnce(app(environ, start_response))
        environ["tests.response"] = body
        return body

    return serve


@pytest.fixture
def live_server(request, app):
    """The test app served over HTTP in a thread; stopped before the tables are emptied."""
    app.config.update(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True, request_handler=_Handler)
    url = f"http://127.0.0.1:{server.server_port}"
    configured = {key for marker in request.node.iter_markers("config") for key in marker.kwargs}
    if "PUBLIC_BASE_URL" not in configured:
        # Links in mails must lead back to this server, not to the configured public host.
        app.config["PUBLIC_BASE_URL"] = url
    # serve_forever looks for shutdown() every poll_interval (0.5 s by default): a short one
    # lets each test's server stop at once instead of half a second later on average.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="live-server",
        daemon=True,
    )  # fmt: skip
    thread.start()
    yield LiveServer(url, app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


# --- the browser: one per process ------------------------------------------------------------


def _unavailable(reason: str):
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_session():
    """The process's one sync Playwright (a second one in the same thread fails with "using
    Playwright Sync API inside the asyncio loop")."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session):
    chromium = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
    )
    yield chromium
    chromium.close()


class Pages:
    """Opens pages in fresh browser contexts (own cookies) and closes them after the test."""

    def __init__(self, browser, live_server: LiveServer):
        self.browser = browser
        self.live_server = live_server
        self.contexts = []
        self.pages = []

    def __call__(self, *, phone: bool = False, language: str = "de", **context_options):
        options = {
            "base_url": self.live_server.url,
            "locale": "de-DE" if language == "de" else "en-GB",
            "timezone_id": "Europe/Berlin",
        }
        if phone:
            options.update(
                viewport=PHONE, screen=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
            )
        else:
            options.update(viewport=DESKTOP)
        options.update(context_options)  # e.g. permissions=["clipboard-read"]
        context = self.browser.new_context(**options)
        self.contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        _watch_for_errors(page)
        if language != "de":
            # The app keeps the language in the session, chosen by the header's switch.
            _choose_language(page, language)
        self.pages.append(page)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


def _watch_for_errors(page) -> None:
    """``page.console_errors``: script errors, CSP refusals ("Refused to execute inline
    script ...") and sub-resources (CSS, JS, images) that failed to load. Pages are error
    pages on purpose sometimes, so documents are not counted; nor is the favicon that Chromium
    asks for by itself."""
    errors: list[str] = []
    page.console_errors = errors

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        request = response.request
        if (
            response.status >= 400
            and request.resource_type != "document"
            and not request.url.endswith("/favicon.ico")
        ):
            errors.append(f"{response.status} {request.method} {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)


def _choose_language(page, language: str) -> None:
    """Store the language in the session through the header's language switch, unless the
    browser's own language (``Accept-Language`` from the context's locale) is that one."""
    page.goto("/")
    if page.get_attribute("html", "lang") == language:
        return  # the browser's Accept-Language (the context's locale) chose it already
    label = {"en": "English", "de": "Deutsch"}[language]
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


@pytest.fixture
def new_page(browser, live_server):
    pages = Pages(browser, live_server)
    yield pages
    pages.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone_page(new_page):
    return new_page(phone=True)


# --- screenshots and axe ---------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80] or "step"


@pytest.fixture
def shot(request, new_page):
    """``shot("login-form")`` (or ``shot("x", page=other)``): one screenshot per journey step."""
    folder = ARTIFACTS / _slug(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    numbers = itertools.count(1)

    def take(name: str, page=None) -> Path:
        target = page or new_page.pages[-1]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{next(numbers):02d}-{_slug(name)}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return take


def run_axe(page) -> list[dict]:
    """WCAG 2.1 A/AA violations on the current page, as ``{id, impact, help, nodes}``."""
    origin = re.match(r"^https?://[^/]+", page.url).group(0)
    url = origin + AXE_URL_PATH
    page.route(
        url,
        lambda route: route.fulfill(
            path=str(AXE_FILE), content_type="text/javascript; charset=utf-8"
        ),
    )
    try:
        page.add_script_tag(url=url)
    finally:
        page.unroute(url)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + " - " + n.failureSummary),
            }));
        }""",
        WCAG_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"][:5])
    return "\n".join(lines)


@pytest.fixture
def axe():
    return run_axe


# --- people ----------------------------------------------------------------------------------


@pytest.fixture
def staff_user(db):
    """``staff_user("organiser")``: a committed staff account with the factories' password."""

    def make(role: str = "organiser", **fields):
        user = factories.user(role=role, **fields)
        db.session.commit()
        return user

    return make


def log_in(page, email: str, password: str = factories.PASSWORD, *, language: str = "de"):
    """Log in through the form, finding the fields by their labels as a person would."""
    labels = {
        "de": ("E-Mail-Adresse", "Passwort", "Anmelden"),
        "en": ("E-mail address", "Password", "Log in"),
    }[language]
    page.goto("/login")
    page.get_by_label(labels[0]).fill(email)
    page.get_by_label(labels[1]).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name=labels[2], exact=True).click()


# --- data ------------------------------------------------------------------------------------

#: What people really type: a German compound, a long address, a long organisation name.
LONG_WORD = "Patenschaftsprogrammkoordinierungsverantwortlichkeitsbereich"
LONG_EMAIL = (
    "maximiliane.mustermann-schmidt.koordination@bundesverband-beispiel-ehrenamt.example.org"
)


def _speaker_token(congress) -> str:
    """The personal link of the demo's first speaker who has a session."""
    from sqlalchemy import select

    from conference.agenda.models import SessionSpeaker, Speaker
    from conference.extensions import db
    from conference.speakers import services

    speaker = db.session.execute(
        select(Speaker)
        .join(SessionSpeaker, SessionSpeaker.speaker_id == Speaker.id)
        .where(Speaker.congress_id == congress.id)
        .order_by(Speaker.id)
        .limit(1)
    ).scalar_one()
    token = services.access_of(speaker).token
    db.session.commit()
    return token


def _cfp_submission(congress):
    """An open call for contributions with one confirmed contribution of long words."""
    from datetime import timedelta

    from conference.cfp import services as cfp
    from conference.core.time import utcnow

    call = cfp.save_call(
        congress, deadline=utcnow() + timedelta(days=14), intro_de=LONG_WORD, intro_en="",
        abstract_limit=1500, anonymous_review=False, actor="test", now=utcnow(),
    )  # fmt: skip
    cfp.add_format(call, name_de=LONG_WORD, name_en="", duration=90, kind="workshop", actor="test")
    cfp.add_criterion(call, name_de=LONG_WORD, name_en="", weight=1, actor="test")
    data = cfp.SubmissionData(
        title=f"{LONG_WORD}: Patenschaften gut beenden", abstract=LONG_WORD,
        format_id=call.formats[0].id, track_id=None, language="de", target_group=LONG_WORD,
        max_participants=None, accessibility=LONG_WORD, carrier_id=None,
        organisation_other=LONG_WORD, first_name="Maximiliane", last_name="Mustermann-Schmidt",
        email=LONG_EMAIL, mail_language="de",
        presenters=[cfp.PresenterData(LONG_WORD, LONG_EMAIL, LONG_WORD)],
    )  # fmt: skip
    submission = cfp.submit(congress, call, data, answers=None, now=utcnow())
    cfp.confirm(submission.confirm_token, now=utcnow())
    return submission


@pytest.fixture
def demo_world(db):
    """The demo congress, a few edge cases on top, and what the pages' URLs need."""
    from datetime import time, timedelta

    from sqlalchemy import select

    from conference import demo
    from conference.agenda.models import AgendaSession, Room, Speaker, Track
    from conference.checkin.models import CheckIn, Checkpoint
    from conference.core.models import Congress
    from conference.core.time import at_local
    from conference.organisations.models import CarrierOrganisation, LocalStructure
    from conference.registration.models import Registration, Status
    from conference.reports import directory
    from conference.workshops.models import PhaseMode, WorkshopPhase, WorkshopSeat

    demo.load(admin_email="admin@example.org", admin_password="demo password 12345")
    congress = db.session.execute(select(Congress).where(Congress.is_current)).scalar_one()
    carrier = db.session.execute(
        select(CarrierOrganisation).order_by(CarrierOrganisation.id).limit(1)
    ).scalar_one()
    carrier.name = f"Bundesarbeitsgemeinschaft {LONG_WORD} e. V."
    structure = LocalStructure(name=f"{LONG_WORD} Nordrhein-Westfalen", city="Köln")
    carrier.local_structures.append(structure)
    db.session.flush()
    ranked = db.session.execute(
        select(WorkshopPhase).where(
            WorkshopPhase.congress_id == congress.id, WorkshopPhase.mode == PhaseMode.RANKED
        )
    ).scalar_one()
    workshop = db.session.execute(
        select(AgendaSession).where(AgendaSession.phase_id == ranked.id).limit(1)
    ).scalar_one()
    workshop.title = f"{LONG_WORD}: Wie Tandems gelingen"
    person = factories.registration(
        congress,
        first_name="Maximiliane",
        last_name="Mustermann-Schmidt",
        email=LONG_EMAIL,
        carrier_id=carrier.id,
        local_structure_id=structure.id,
        accessibility_notes=LONG_WORD,
    )
    seated = db.session.execute(
        select(WorkshopSeat.registration_id)
        .join(Registration, Registration.id == WorkshopSeat.registration_id)
        .where(Registration.congress_id == congress.id)
        .order_by(WorkshopSeat.registration_id)
        .limit(1)
    ).scalar_one()
    directory.opt_in(person, "Köln", "Mentoring", now=person.created_at)
    profile = directory.opt_in(
        db.session.get(Registration, seated), "Berlin", "Patenschaften", now=person.created_at
    )
    # Door traffic on day 1, so the live counts draw their chart and fill their tables.
    entrance = db.session.execute(
        select(Checkpoint).where(
            Checkpoint.congress_id == congress.id,
            Checkpoint.day == congress.starts_on,
            Checkpoint.session_id.is_(None),
        )
    ).scalar_one()
    arrivals = db.session.execute(
        select(Registration.id)
        .where(Registration.congress_id == congress.id, Registration.status == Status.CONFIRMED)
        .order_by(Registration.id)
        .limit(60)
    ).scalars()
    opens = at_local(congress.starts_on, time(8, 30), congress.timezone)
    for n, registration_id in enumerate(arrivals):
        db.session.add(
            CheckIn(
                registration_id=registration_id,
                checkpoint_id=entrance.id,
                checked_in_at=opens + timedelta(minutes=3 * n),
            )
        )
    walk_in = factories.registration(
        congress, first_name="Samir", last_name="Nouri", source="walk_in"
    )
    pending = db.session.execute(
        select(Registration)
        .where(Registration.congress_id == congress.id, Registration.status == Status.PENDING)
        .limit(1)
    ).scalar_one()
    from conference.surveys import services as surveys

    survey = surveys.save_settings(
        congress, anonymous=False, closes_on=congress.ends_on, intro_de=LONG_WORD, intro_en="",
        actor="test",
    )  # fmt: skip
    question = surveys.add_question(
        survey,
        surveys.QuestionInput(
            "single", f"{LONG_WORD}?", options_de=[LONG_WORD, "Nein"], per_session=True
        ),
        actor="test",
    )
    from conference.mailings import services as mailings
    from conference.mailings.recipients import RecipientFilter

    mailing = mailings.create(
        congress,
        mailings.MailingInput(f"{LONG_WORD} {{first_name}}", LONG_WORD, "News", LONG_WORD),
        RecipientFilter(carrier_ids=(carrier.id,)),
        actor=None,
        now=person.created_at,
    )
    rule = mailings.add_preset(congress, "practical", actor=None, now=person.created_at)
    submission = _cfp_submission(congress)
    db.session.commit()

    def first(model) -> int:
        return db.session.execute(
            select(model.id).where(model.congress_id == congress.id).order_by(model.id).limit(1)
        ).scalar_one()

    from conference.questions.models import Question

    return {
        "congress": congress,
        "congress_id": congress.id,
        "question_id": first(Question),
        "kind": "privacy",
        "mail_kind": "registration.confirm",
        "language": "de",
        "number": 1,
        "day": congress.starts_on,
        "carrier_id": carrier.id,
        "registration_id": person.id,
        "walk_in_id": walk_in.id,
        "manage_token": person.manage_token,
        "seated_token": db.session.get(Registration, seated).manage_token,
        "confirm_token": pending.confirm_token,
        "session_id": workshop.id,
        "phase_id": ranked.id,
        "survey_question_id": question.id,
        "mailing_id": mailing.id,
        "rule_id": rule.id,
        "submission_id": submission.id,
        "cfp_token": submission.manage_token,
        "cfp_confirm_token": submission.confirm_token,
        "speaker_token": _speaker_token(congress),
        "slug": congress.slug,
        "room_id": first(Room),
        "track_id": first(Track),
        "speaker_id": first(Speaker),
        "profile_id": profile.id if profile is not None else None,
        "search": "Müller",
    }
