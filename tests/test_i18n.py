"""The German catalogue is complete: a new msgid without translation fails here."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).resolve().parent.parent
    / "conference"
    / "translations"
    / "de"
    / "LC_MESSAGES"
    / "messages.po"
)


def test_german_catalogue_is_fully_translated():
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="de")

    missing = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]

    assert len(catalog) > 500
    assert missing == []


# --- words people read: plurals, grammar, small slips (issue 22, point 7) ---------------------


def _visible(page: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_page_titles_name_the_congress_once(client, db):
    from tests import factories

    factories.congress(title="Fachkongress 2027")
    db.session.commit()

    landing = client.get("/").get_data(as_text=True)
    programme = client.get("/programme").get_data(as_text=True)

    assert "<title>Fachkongress 2027</title>" in landing
    assert "<title>Programm · Fachkongress 2027</title>" in programme


def test_room_names_are_not_preceded_by_the_word_room(app, db):
    from conference.agenda import services
    from tests import factories

    congress = factories.congress()
    room = factories.room(congress, name="Raum Tegel", capacity=10)
    factories.session(congress, title="Erstgespräche", room_=room)
    factories.session(congress, title="Sprechstunde", room_=room, capacity=40)
    db.session.commit()

    hard, soft = services.conflicts(congress)
    messages = " ".join(problem["message"] for problem in hard + soft)

    assert "„Raum Tegel“ ist gleichzeitig durch" in messages
    assert "„Raum Tegel“ fasst aber nur 10" in messages
    assert "Raum Raum" not in messages and "Raum „Raum" not in messages


def test_german_slips_are_gone_from_the_pages(app, db, client, staff_client):
    from tests import factories

    congress = factories.congress(title="Fachkongress „Menschen stärken Menschen“ 2027")
    person = factories.registration(
        congress, first_name="Amira", last_name="Haddad", diet="vegetarian", diet_notes="Nüsse"
    )
    factories.checkpoint(congress, code="day-1")
    db.session.commit()
    organiser = staff_client("organiser")

    detail = _visible(organiser.get(f"/admin/registrations/{person.id}").get_data(as_text=True))
    scanner = _visible(
        staff_client("checkin").get("/checkin?checkpoint=day-1").get_data(as_text=True)
    )
    programme = _visible(client.get("/programme").get_data(as_text=True))
    register = client.get("/register").get_data(as_text=True)
    calendar = _visible(client.get("/calendar").get_data(as_text=True))

    assert "Vegetarisch · Nüsse" in detail
    assert "Code des Namensschilds" in scanner and "Ausweis" not in scanner
    assert "Nach Themenstrang, Typ, Raum und Sprache filtern" in programme
    assert "<legend>Tage</legend>" not in register and "Teilnahmetage" in register
    assert "des Fachkongress " not in calendar and "Programm (Fachkongress" in calendar


def test_import_counts_use_plural_forms(app, db, staff_client):
    import io
    import re

    from tests import factories

    factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    content = (
        "Vorname;Nachname;E-Mail;Andere Organisation\nAli;Yılmaz;ali@example.org;Stadt Kassel\n"
    )

    preview = organiser.post(
        "/admin/registrations/import",
        data={"file": (io.BytesIO(content.encode()), "a.csv"), "consent": "y", "mode": "pending"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview).group(1)
    done = organiser.post(
        "/admin/registrations/import/commit",
        data={"payload": payload, "mode": "pending", "what": "valid"},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "1 von 1 Zeilen kann importiert werden." in preview
    assert "Die gültige Zeile importieren" in preview
    assert "1 Anmeldung importiert." in done
    assert "1 Anmeldungen" not in done and "Die 1 gültigen" not in preview


def test_percentages_and_numbers_follow_the_locale(app):
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ 0.62|percent }} {{ 0.625|percent(1) }} {{ 1234.5|number(1) }}"

    with app.test_request_context("/"):
        with force_locale("de"):
            german = render_template_string(template)
        with force_locale("en"):
            english = render_template_string(template)

    assert german == "62\xa0% 62,5\xa0% 1.234,5"
    assert english == "62% 62.5% 1,234.5"
