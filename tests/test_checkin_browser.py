"""The door scanner in real Chromium: hand-scanner field, green/amber/red, offline queue + sync."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from conference.checkin import services
from conference.checkin.models import CheckIn, Checkpoint
from tests import factories

pytestmark = pytest.mark.browser


def _check_ins(db) -> int:
    """Count in a short transaction: outside a request it would hold SQLite's write lock."""
    db.session.rollback()
    count = db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one()
    db.session.rollback()
    return count


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_door_scanner_shows_green_amber_red_and_works_offline(page, db):
    from playwright.sync_api import expect

    congress = factories.congress()
    services.ensure_checkpoints(congress)
    carrier = factories.carrier("Paritätischer Testverband", short_name="Paritätischer")
    amira = factories.registration(
        congress, first_name="Amira", last_name="Haddad", carrier_id=carrier.id
    )
    jonas = factories.registration(congress, first_name="Jonas", last_name="Weber")
    staff = factories.user(role="checkin", email="einlass@example.org")
    db.session.commit()
    amira_token, jonas_token, email = amira.badge_token, jonas.badge_token, staff.email
    db.session.rollback()  # SQLite allows one writer: hold no transaction while the app serves

    context = page.context
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/checkin*")
    page.goto("/checkin?checkpoint=day-1")
    expect(page.locator("[data-scanner]")).to_have_attribute("data-ready", "true")
    expect(page.locator("[data-scanner]")).to_have_attribute("data-digests", "2")
    field = page.get_by_label("Code des Namensschilds")
    result = page.locator("[data-result]")

    field.fill(amira_token)
    field.press("Enter")
    expect(result).to_have_class(re.compile(r"\btone-ok\b"))
    expect(result).to_contain_text("Willkommen")
    expect(result).to_contain_text("Amira Haddad")
    expect(result).to_contain_text("Paritätischer")
    expect(field).to_be_focused()

    field.fill(amira_token)
    field.press("Enter")
    expect(result).to_have_class(re.compile(r"\btone-warn\b"))
    expect(result).to_contain_text("Bereits eingecheckt um")

    field.fill("forged-code-from-a-photocopier")
    field.press("Enter")
    expect(result).to_have_class(re.compile(r"\btone-bad\b"))
    expect(result).to_contain_text("Unbekanntes Namensschild")
    assert _check_ins(db) == 1

    context.set_offline(True)
    field.fill(jonas_token)
    field.press("Enter")
    expect(result).to_contain_text("Offline: gültiges Namensschild")
    expect(page.locator("[data-connection]")).to_contain_text("Offline")
    expect(page.locator("[data-waiting]")).to_have_text("1")
    field.fill(amira_token)  # checked in online before: known offline, a duplicate once synced
    field.press("Enter")
    expect(page.locator("[data-waiting]")).to_have_text("2")
    field.fill("B" * 43)
    field.press("Enter")
    expect(result).to_have_class(re.compile(r"\btone-bad\b"))
    expect(result).to_contain_text("Offline: unbekanntes Namensschild")
    expect(page.locator("[data-waiting]")).to_have_text("2")
    assert _check_ins(db) == 1

    context.set_offline(False)
    expect(page.locator("[data-waiting]")).to_have_text("0", timeout=15000)
    report = page.locator("[data-sync-report]")
    expect(report).to_contain_text("Übertragen: 2")
    expect(report.locator("li")).to_have_count(1)
    expect(report.locator("li")).to_contain_text("Amira Haddad: Bereits eingecheckt")
    expect(page.locator("[data-connection]")).to_contain_text("Online")
    assert _check_ins(db) == 2


def test_vendored_jsqr_decodes_a_badge_qr_code_in_chromium(page):
    """The camera fallback: jsQR loaded as scanner.js loads it, reading a rendered QR code."""
    import base64
    import io

    import qrcode

    token = "Zk3_badge-token-0123456789abcdefghijklmnopq"
    picture = io.BytesIO()
    qrcode.make(token, border=4, box_size=6).save(picture, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()
    page.goto("/login")

    decoded = page.evaluate(
        """async ([source, picture]) => {
            await new Promise((resolve, reject) => {
                const script = document.createElement("script");
                script.src = source;
                script.onload = resolve;
                script.onerror = reject;
                document.head.append(script);
            });
            const image = new Image();
            image.src = picture;
            await image.decode();
            const canvas = document.createElement("canvas");
            canvas.width = image.width;
            canvas.height = image.height;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
            const code = window.jsQR(pixels.data, pixels.width, pixels.height);
            return code ? code.data : null;
        }""",
        ["/static/vendor/jsqr/jsQR.js", data_url],
    )

    assert decoded == token


def test_live_counts_refresh_by_themselves(page, db):
    from playwright.sync_api import expect

    congress = factories.congress()
    services.ensure_checkpoints(congress)
    first = factories.registration(congress)
    second = factories.registration(congress)
    organiser = factories.user(role="organiser", email="orga@example.org")
    day_1 = db.session.execute(select(Checkpoint).where(Checkpoint.code == "day-1")).scalar_one()
    db.session.add(CheckIn(registration_id=first.id, checkpoint_id=day_1.id))
    db.session.commit()
    second_id, day_1_id, email = second.id, day_1.id, organiser.email
    day = congress.starts_on.isoformat()
    db.session.rollback()  # hold no SQLite transaction while the app serves

    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff*")
    page.goto(f"/checkin/live?day={day}&refresh=1")
    arrived = page.locator("[data-arrived]")
    expect(arrived).to_have_text("1")

    db.session.add(CheckIn(registration_id=second_id, checkpoint_id=day_1_id))
    db.session.commit()
    db.session.rollback()

    expect(arrived).to_have_text("2", timeout=10000)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_scanner_page_counts_the_checkpoint_up_as_the_door_scans(page, db):
    """Issue 22.14: door staff see the running count of their checkpoint (all doors) move."""
    from playwright.sync_api import expect

    congress = factories.congress()
    services.ensure_checkpoints(congress)
    amira = factories.registration(congress, first_name="Amira", last_name="Haddad")
    staff = factories.user(role="checkin")
    db.session.commit()
    token, email = amira.badge_token, staff.email
    db.session.rollback()

    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/checkin*")
    page.goto("/checkin?checkpoint=day-1")
    expect(page.locator("[data-scanner]")).to_have_attribute("data-ready", "true")
    count = page.locator("[data-checkpoint-count] [data-count]")
    expect(count).to_have_text("0")

    field = page.locator("[data-token-input]")
    field.fill(token)
    field.press("Enter")

    expect(page.locator("[data-result]")).to_contain_text("Amira Haddad")
    expect(count).to_have_text("1")
    assert "Hier bisher eingecheckt" in page.locator("[data-checkpoint-count]").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Live-Zahlen").first.click()
    expect(page.locator("[data-arrived]")).to_have_text("1")
    assert page.console_errors == []
