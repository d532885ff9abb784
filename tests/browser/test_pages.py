"""Journeys through the pages every branch has: landing page, staff login, staff area, error
pages, language switch; each as a person does it, in a real Chromium."""

from __future__ import annotations

import pytest

from tests import factories
from tests.browser_fixtures import describe, log_in


def test_organiser_opens_the_staff_area_logs_in_and_out_again(page, shot, staff_user, live_server):
    factories.congress(title="Fachkongress 2027")
    staff_user("organiser", email="orga@example.org")

    page.goto("/staff")
    shot("redirected-to-login")
    page.get_by_label("E-Mail-Adresse").fill("orga@example.org")
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    shot("login-filled")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_url("**/staff")
    shot("staff-area")

    assert page.get_by_role("heading", level=1).inner_text() == "Bereich für Mitarbeitende"
    assert "orga@example.org" in page.locator("main").inner_text()
    assert page.get_by_role("navigation", name="Navigation für Mitarbeitende").is_visible()

    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(live_server("/"))
    shot("logged-out")
    assert page.get_by_role("status").inner_text() == "Sie wurden abgemeldet."
    assert page.console_errors == []


def test_wrong_password_is_reported_at_the_field_and_keeps_the_email(page, shot, staff_user):
    staff_user("organiser", email="orga@example.org")

    log_in(page, "orga@example.org", "not the password")
    shot("wrong-password")

    assert page.get_by_role("alert").inner_text() == "Bitte korrigieren Sie die markierten Felder."
    password = page.get_by_label("Passwort")
    assert password.get_attribute("aria-invalid") == "true"
    message = page.locator("#" + password.get_attribute("aria-describedby"))
    assert message.inner_text() == "E-Mail-Adresse oder Passwort ist falsch."
    assert page.get_by_label("E-Mail-Adresse").input_value() == "orga@example.org"
    assert page.url.endswith("/login")


def test_login_works_with_the_keyboard_alone_and_focus_is_always_visible(page, shot, staff_user):
    staff_user("organiser", email="orga@example.org")
    page.goto("/login")

    page.keyboard.press("Tab")
    assert _focused(page) == ("A", "Zum Inhalt springen")
    assert _focus_ring_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.keyboard.press("Tab")
    assert _focused(page)[0] == "INPUT"
    assert page.evaluate("document.activeElement.type") == "email"
    assert _focus_ring_visible(page)
    page.keyboard.type("orga@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "password"
    page.keyboard.type(factories.PASSWORD)
    shot("typed-with-keyboard")
    page.keyboard.press("Tab")
    assert _focused(page) == ("BUTTON", "Anmelden")
    assert _focus_ring_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff#main")  # the skip link's fragment survives the redirect
    shot("logged-in")

    assert page.get_by_role("heading", level=1).inner_text() == "Bereich für Mitarbeitende"


def test_visitor_switches_to_english_and_back_to_german(page, shot, db):
    factories.congress(title="Fachkongress 2027")
    db.session.commit()
    page.goto("/")
    shot("german")
    assert page.locator("html").get_attribute("lang") == "de"

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    shot("english")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to content").count() == 1
    page.goto("/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Staff login"

    with page.expect_navigation():
        page.get_by_role("button", name="Deutsch").click()
    shot("german-again")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.url.endswith("/login")


def test_unknown_address_shows_a_translated_error_page_with_a_way_back(page, shot, live_server):
    response = page.goto("/gibt-es-nicht")
    shot("not-found")

    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Seite nicht gefunden"
    with page.expect_navigation():
        page.get_by_role("link", name="Zurück zur Startseite").click()
    shot("start-page")
    assert page.url == live_server("/")


def test_landing_page_fits_a_phone_screen(phone_page, shot, db):
    factories.congress(
        title="Fachkongress „Menschen stärken Menschen“ 2027",
        subtitle="Zwei Tage Austausch für Pat:innen, Mentor:innen und Koordinator:innen",
    )
    db.session.commit()

    phone_page.goto("/")
    shot("landing-on-phone")

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert phone_page.get_by_role("heading", level=1).is_visible()
    assert phone_page.console_errors == []


def _focused(page) -> tuple[str, str]:
    return tuple(
        page.evaluate("[document.activeElement.tagName, document.activeElement.innerText.trim()]")
    )


def _focus_ring_visible(page) -> bool:
    """The focused element draws an outline (not only a colour change)."""
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth]; }"""
    )
    return style[0] != "none" and style[1] not in ("0px", "")


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_password_guessing_is_stopped_with_a_readable_page(page, shot, axe, staff_user):
    from conference.extensions import limiter

    limiter.reset()
    staff_user("organiser", email="orga@example.org")

    log_in(page, "orga@example.org", "guess 0")
    for attempt in range(1, 10):  # the form comes back with the e-mail address kept
        page.get_by_label("Passwort").fill(f"guess {attempt}")
        with page.expect_navigation():
            page.get_by_role("button", name="Anmelden", exact=True).click()
    shot("tenth-wrong-password")
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden", exact=True).click()
    shot("too-many-attempts")

    assert page.get_by_role("heading", level=1).inner_text() == "Das hat nicht geklappt"
    assert "Zu viele Anfragen" in page.locator("main").inner_text()
    violations = axe(page)
    assert violations == [], describe(violations)
