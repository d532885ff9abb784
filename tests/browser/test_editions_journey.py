"""Issue 16: from an empty database to a confirmed registration and a published one-session
programme, in Chromium, as the organiser and then an attendee do it: fields found by their
German labels, no command line beyond creating the first account."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from tests import factories
from tests.browser_fixtures import log_in

OTHER_ORGANISATION = "Andere Organisation"


def _link_in(message, prefix: str) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    links = re.findall(r"https?://[^\s\"'<>]+", part.get_content())
    return next(link for link in links if link.startswith(prefix))


def test_an_organiser_sets_up_a_real_congress_from_an_empty_install(
    new_page, shot, live_server, smtp, db
):
    from conference.core.models import Congress
    from conference.registration.models import Registration

    admin = factories.user(role="admin")  # flask create-user admin@… --role admin
    db.session.commit()
    starts = date.today() + timedelta(days=90)
    page = new_page()
    log_in(page, admin.email)

    # 1. The staff home says there is no congress yet and leads to the form.
    page.goto("/staff")
    shot("staff-home-empty")
    assert "Es gibt noch keinen Kongress" in page.locator("main").inner_text()
    page.get_by_role("link", name="Neuen Kongress anlegen").click()
    page.wait_for_url("**/admin/congresses/new")

    # 2. The form, by its labels.
    page.get_by_label("Titel", exact=True).fill("Fachkongress Engagement")
    page.get_by_label("Untertitel").fill("Menschen stärken Menschen")
    page.get_by_label("Beginn").fill(starts.isoformat())
    page.get_by_label("Ende", exact=True).fill((starts + timedelta(days=1)).isoformat())
    assert page.get_by_label("Zeitzone").input_value() == "Europe/Berlin"
    page.get_by_label("Veranstaltungsort").fill("Tagungshaus am Fluss")
    page.get_by_label("Adresse").fill("Uferweg 3, 34117")
    page.get_by_label("Stadt").fill("Kassel")
    page.get_by_label("Hinweise zur Barrierefreiheit des Ortes").fill("Alle Räume stufenlos.")
    page.get_by_label("Einlass ab").fill("08:30")
    page.get_by_label("Ende um").fill("18:00")
    page.get_by_label("Kapazität").fill("150")
    page.get_by_label("Erwartete Teilnehmende").fill("120")
    yesterday = date.today() - timedelta(days=1)
    page.get_by_label("Anmeldung ab").fill(f"{yesterday.isoformat()}T09:00")
    page.get_by_label("Anmeldung bis").fill(f"{(starts - timedelta(days=7)).isoformat()}T23:59")
    page.get_by_label("Kontakt-E-Mail").fill("kongress@example.org")
    page.get_by_label("Aufbewahrung in Monaten").fill("24")
    shot("new-congress-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Kongress anlegen").click()
    shot("settings")
    assert re.search(r"/admin/congresses/\d+$", page.url)
    assert "Dies ist die aktuelle Ausgabe" in page.locator("main").inner_text()

    # 3. A capacity per day, on the settings page.
    page.get_by_label(re.compile(r"^Kapazität am .*")).first.fill("120")
    with page.expect_navigation():
        page.get_by_role("button", name="Kapazitäten der Tage speichern").click()
    assert "Die Kapazitäten der Tage wurden gespeichert." in page.locator("main").inner_text()
    settings_url = page.url.split("#")[0]

    # One room and one session in the agenda, then the programme is published.
    page.get_by_role("link", name="Programm bearbeiten").click()
    page.get_by_role("link", name="Räume, Themen und Referent:innen").click()
    page.get_by_role("link", name="Neuer Raum").click()
    page.get_by_label("Name").fill("Großer Saal")
    page.get_by_label("Kapazität").fill("150")
    with page.expect_navigation():
        page.get_by_role("button", name="Speichern").click()
    shot("room-saved")
    assert "Großer Saal" in page.locator("main").inner_text()
    page.goto("/admin/agenda")
    page.get_by_role("link", name="Neuer Programmpunkt").click()
    page.get_by_label("Titel", exact=True).fill("Eröffnung und Begrüßung")
    page.get_by_label("Typ", exact=True).select_option(label="Plenum")
    page.get_by_label("Beginn", exact=True).fill("09:00")
    page.get_by_label("Ende", exact=True).fill("10:00")
    page.get_by_label("Raum", exact=True).select_option(label="Großer Saal (150)")
    with page.expect_navigation():
        page.get_by_role("button", name="Speichern").click()
    shot("session-saved")
    page.goto(settings_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Programm veröffentlichen").click()
    shot("programme-published")
    assert "Das Programm ist veröffentlicht." in page.locator("main").inner_text()

    # 4. The public pages serve this edition: an attendee registers and confirms.
    visitor = new_page(phone=True)
    visitor.goto("/")
    shot("landing", page=visitor)
    assert "Fachkongress Engagement" in visitor.locator("h1").inner_text()
    with visitor.expect_navigation():
        visitor.get_by_role("link", name="Jetzt anmelden").click()
    assert visitor.get_by_role("link", name=re.compile("Datenschutzhinweise lesen")).count() == 1
    visitor.get_by_label("Vorname").fill("Amira")
    visitor.get_by_label("Nachname").fill("Haddad")
    visitor.get_by_label("E-Mail-Adresse").fill("amira@example.org")
    visitor.get_by_label("Organisation", exact=True).select_option(index=1)  # "other": none yet
    visitor.get_by_label(OTHER_ORGANISATION, exact=True).fill("Stadt Kassel")
    visitor.get_by_label("Rolle im Programm").select_option(label="Mentor:in")
    visitor.get_by_label("Bereich und Ebene").select_option(label="Zivilgesellschaft")
    visitor.get_by_label(re.compile(r"^Ich willige ein", re.I)).check()
    shot("register-filled", page=visitor)
    visitor.get_by_role("button", name=re.compile(r"^anmelden$", re.I)).click()
    visitor.wait_for_url("**/register/submitted")
    (mail,) = smtp.wait(1)
    visitor.goto(_link_in(mail, live_server("/register/confirm/")))
    visitor.get_by_role("button", name="Anmeldung bestätigen").click()
    visitor.wait_for_url(re.compile(r"/r/[^/?]+\?welcome=1$"))
    shot("confirmed", page=visitor)

    visitor.goto("/programme")
    shot("programme", page=visitor)
    assert "Eröffnung und Begrüßung" in visitor.locator("main").inner_text()
    programme = visitor.request.get(live_server("/programme.json")).json()
    assert [item["title"] for item in programme] == ["Eröffnung und Begrüßung"]

    db.session.rollback()
    congress = db.session.execute(select(Congress)).scalar_one()
    person = db.session.execute(select(Registration)).scalar_one()
    assert (congress.title, congress.is_current, congress.programme_published) == (
        "Fachkongress Engagement",
        True,
        True,
    )
    assert [d.capacity for d in congress.days] == [120, None]
    assert (person.status, person.consent_version) == ("confirmed", "1")
    assert page.console_errors == [] and visitor.console_errors == []
