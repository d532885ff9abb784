"""Issue 19 in Chromium, as the people do it, finding fields by their German labels: a
submitter sends a contribution on a phone and confirms it from the mail, a reviewer scores it,
an organiser accepts it and releases the decisions, and the session appears on the builder."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from conference.agenda.models import AgendaSession
from conference.cfp import services
from conference.core.time import utcnow
from tests import factories
from tests.browser_fixtures import log_in


def _link_in(message, prefix: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    links = [link for link in re.findall(r"https?://\S+", text) if link.startswith(prefix)]
    assert links, text
    return links[0]


def test_submit_review_accept_and_the_session_is_on_the_builder(
    new_page, live_server, smtp, shot, db
):
    congress = factories.congress(title="Fachkongress 2027")
    call = services.save_call(
        congress, deadline=utcnow() + timedelta(days=10), intro_de="Wir suchen **Workshops**.",
        intro_en="", abstract_limit=1500, anonymous_review=True, actor="test", now=utcnow(),
    )  # fmt: skip
    services.add_format(
        call, name_de="Weltcafé", name_en="World café", duration=60, kind="forum", actor="test"
    )
    services.add_criterion(call, name_de="Relevanz", name_en="", weight=2, actor="test")
    reviewer = factories.user(role="reviewer").email
    organiser = factories.user(role="organiser").email
    congress_id, day = congress.id, congress.starts_on.isoformat()
    db.session.commit()  # and no more reads until the end: SQLite has one writer

    # The submitter, on a phone.
    phone = new_page(phone=True)
    phone.goto("/cfp")
    shot("cfp-form", page=phone)
    phone.get_by_label("Titel des Beitrags").fill("Patenschaften gut beenden")
    phone.get_by_label("Beschreibung", exact=True).fill("Ein Weltcafé über gute Abschiede.")
    phone.get_by_label("Format", exact=True).select_option(label="Weltcafé")
    phone.get_by_label("Zielgruppe").fill("Koordinator:innen")
    phone.get_by_label("Höchstzahl der Teilnehmenden").fill("30")
    phone.get_by_label("Vorname").fill("Miriam")
    phone.get_by_label("Nachname").fill("Okonkwo")
    phone.get_by_label("E-Mail", exact=True).first.fill("miriam@example.org")
    phone.get_by_label("Programmträger").select_option(label="Andere Organisation (bitte angeben)")
    phone.get_by_label("Andere Organisation", exact=True).fill("Freiwilligenagentur Kassel")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Beitrag einreichen").click()
    sent_page = phone.get_by_role("heading", level=1).inner_text()
    confirm_link = _link_in(smtp.wait(1)[0], f"{live_server.url}/cfp/confirm/")
    phone.goto(confirm_link)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Beitrag bestätigen").click()
    shot("cfp-confirmed", page=phone)
    status = phone.locator("dl.facts").inner_text()
    fits = phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The reviewer.
    desk = new_page()
    log_in(desk, reviewer)
    with desk.expect_navigation():
        desk.get_by_role("link", name="Patenschaften gut beenden").click()
    review_text = desk.locator("main").inner_text()
    desk.get_by_role("group", name=re.compile("Relevanz")).get_by_label("5", exact=True).check()
    desk.get_by_label("Kommentar").fill("Sehr praxisnah.")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Begutachtung speichern").click()
    shot("reviewed", page=desk)

    # The organiser.
    office = new_page()
    log_in(office, organiser)
    office.goto(f"/admin/congresses/{congress_id}/cfp/submissions")
    row = office.get_by_role("row", name=re.compile("Patenschaften gut beenden")).inner_text()
    office.get_by_role("link", name="Patenschaften gut beenden").click()
    office.get_by_label("Entscheidung").select_option(label="Angenommen")
    with office.expect_navigation():
        office.get_by_role("button", name="Entscheidung speichern").click()
    shot("decided", page=office)
    mails_before_release = len(smtp.messages)
    office.goto(f"/admin/congresses/{congress_id}/cfp/submissions")
    with office.expect_navigation():
        office.get_by_role("button", name="Entscheidungen freigeben").click()
    shot("released", page=office)
    # Delivered after the response has gone out; on a loaded machine that can take seconds.
    decision = smtp.wait(2, timeout=30)[1]
    office.goto(f"/admin/agenda?day={day}")
    shot("builder", page=office)
    block = office.locator("article.block", has_text="Patenschaften gut beenden")

    session = db.session.execute(select(AgendaSession)).scalar_one()
    assert sent_page == "Fast geschafft: Bitte sehen Sie in Ihr E-Mail-Postfach"
    assert "Eingereicht" in status and fits
    assert "Miriam" not in review_text and "Freiwilligenagentur" not in review_text
    assert "5" in row.split("Weltcafé")[1]
    assert mails_before_release == 1
    assert decision["To"] == "miriam@example.org"
    assert decision["Subject"] == "Ihr Beitrag wurde angenommen"
    assert block.is_visible() and "aus dem Call" in block.inner_text()
    assert (session.title, session.kind, session.status) == (
        "Patenschaften gut beenden",
        "forum",
        "draft",
    )
    assert desk.console_errors == [] and office.console_errors == []
