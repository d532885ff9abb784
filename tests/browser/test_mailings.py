"""Issue 18 in Chromium, on a phone (390 px): an organiser writes a mailing, sees who gets it,
sends it, and watches its page count the mails as the outbox delivers them, without
reloading (``static/js/mailing-status.js``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conference.core.mail import deliver_pending
from tests import factories
from tests.browser_fixtures import log_in


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.config(MAIL_SEND_AFTER_REQUEST=False)
def test_an_organiser_sends_a_mailing_and_its_page_counts_by_itself(
    new_page, shot, live_server, db, smtp, staff_user
):
    congress = factories.congress(title="Fachkongress 2027")
    x = factories.carrier("Träger X")
    factories.registration(congress, first_name="Anna", last_name="Özdemir", carrier_id=x.id)
    factories.registration(congress, first_name="Ben", carrier_id=x.id, language="en")
    factories.registration(congress, first_name="Cem")
    organiser = staff_user("organiser")
    db.session.commit()
    page = new_page(phone=True)
    log_in(page, organiser.email)

    page.goto("/admin/mailings/new")
    page.get_by_label("Betreff (Deutsch)").fill("Raumänderung für {first_name}")
    page.get_by_label("Text (Deutsch)").fill("Hallo {first_name},\n\nneuer Raum: Saal 2.")
    page.get_by_label("Betreff (Englisch)").fill("Room change for {first_name}")
    page.get_by_label("Text (Englisch)").fill("Hello {first_name},\n\nnew room: hall 2.")
    page.get_by_label("Träger X").check()
    page.get_by_role("button", name="Zeigen, wer es bekommt").click()
    expect(page.get_by_text("2 Personen passen.")).to_be_visible()
    shot("mailing-preview")
    assert _fits(page)

    page.get_by_role("button", name="Senden", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/mailings/\d+$"))
    expect(page.locator('[data-count="sent"]')).to_have_text("0")
    expect(page.get_by_text("die Zahlen aktualisieren sich auch von selbst")).to_be_visible()
    assert _fits(page)

    deliver_pending()  # the outbox's next pass, while the page stays open

    expect(page.locator('[data-count="sent"]')).to_have_text("2", timeout=10000)
    expect(page.locator('[data-count="recipients"]')).to_have_text("2")
    expect(page.locator("[data-preparing]")).to_be_hidden()
    shot("mailing-sent")
    assert sorted(m["Subject"] for m in smtp.wait(2)) == [
        "Raumänderung für Anna",
        "Room change for Ben",
    ]
