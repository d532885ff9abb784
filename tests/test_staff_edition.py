"""How a view gets its congress: public pages the current edition, staff pages the edition the
staff member works on (``core.congress.staff_congress``), chosen with the switch on the staff
home."""

from __future__ import annotations

from datetime import date

from tests import factories


def _two_editions():
    past = factories.congress(starts_on=date(2025, 9, 18), title="Fachkongress 2025", current=False)
    current = factories.congress(title="Fachkongress 2026")
    factories.registration(past, first_name="Vergangen", last_name="Person")
    factories.registration(current, first_name="Aktuell", last_name="Person")
    return past, current


def test_staff_home_offers_the_switch_only_with_more_than_one_edition(app, db, staff_client):
    factories.congress(title="Fachkongress 2026")
    client = staff_client("organiser")

    alone = client.get("/staff").get_data(as_text=True)
    factories.congress(starts_on=date(2025, 9, 18), title="Fachkongress 2025", current=False)
    db.session.commit()
    two = client.get("/staff").get_data(as_text=True)

    assert 'name="congress"' not in alone
    assert 'action="/staff/edition"' in two
    assert two.count("<option") == 2


def test_a_switched_organiser_sees_the_past_edition_and_the_public_the_current(
    app, db, staff_client, client
):
    past, _current = _two_editions()
    db.session.commit()
    organiser = staff_client("organiser")

    response = organiser.post("/staff/edition", data={"congress": past.id})
    registrations = organiser.get("/admin/registrations").get_data(as_text=True)
    dashboard = organiser.get("/admin/dashboard").get_data(as_text=True)
    home = organiser.get("/staff").get_data(as_text=True)
    public = client.get("/").get_data(as_text=True)

    assert response.status_code == 303
    assert "Vergangen" in registrations and "Aktuell" not in registrations
    assert "Fachkongress 2025" in dashboard
    assert "Sie arbeiten mit Fachkongress 2025" in home
    assert f'href="/admin/congresses/{past.id}"' in home
    assert "Fachkongress 2026" in public and "Fachkongress 2025" not in public


def test_without_a_choice_staff_pages_show_the_current_edition(app, db, staff_client):
    _two_editions()
    db.session.commit()

    registrations = staff_client("organiser").get("/admin/registrations").get_data(as_text=True)

    assert "Aktuell" in registrations and "Vergangen" not in registrations


def test_an_unknown_edition_is_refused_and_the_choice_stays(app, db, staff_client):
    past, _current = _two_editions()
    db.session.commit()
    organiser = staff_client("organiser")
    organiser.post("/staff/edition", data={"congress": past.id})

    refused = organiser.post("/staff/edition", data={"congress": "999999"})
    garbage = organiser.post("/staff/edition", data={"congress": "x" * 30})
    registrations = organiser.get("/admin/registrations").get_data(as_text=True)

    assert refused.status_code == 400 and garbage.status_code == 400
    assert "Bitte wählen Sie einen der Kongresse" in refused.get_data(as_text=True)
    assert "Vergangen" in registrations


def test_the_switch_is_for_staff_only(app, db, client, staff_client):
    past, _current = _two_editions()
    db.session.commit()

    anonymous = client.post("/staff/edition", data={"congress": past.id})

    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
