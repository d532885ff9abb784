"""Carrier organisations: list, import with preview, quotas, mapping, merging, coordinator portal."""

from __future__ import annotations

import base64
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from conference.accounts.models import User
from conference.checkin.models import CheckIn
from conference.core.models import AuditLog
from conference.organisations.models import CarrierOrganisation, LocalStructure, OrganisationQuota
from conference.registration.models import Registration
from conference.workshops.models import WorkshopSeat
from tests import factories


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _upload(client, data: bytes, name="traeger.csv"):
    return client.post(
        "/admin/organisations/import?lang=en",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


# --- CSV import ------------------------------------------------------------------------------


def test_utf8_comma_file_shows_a_preview_and_imports_on_confirmation(app, db, staff_client):
    client = staff_client("organiser")
    data = (
        "name,short_name,kind,city,state,contact_email\n"
        "Deutsches Rotes Kreuz,DRK,welfare,Berlin,Berlin,info@drk.example\n"
        "Bürgerstiftung Süd,BSS,Stiftung,München,Bayern,\n"
    ).encode()

    preview = _upload(client, data)

    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "Deutsches Rotes Kreuz" in page and "Bürgerstiftung Süd" in page
    assert _count(db, CarrierOrganisation) == 0  # a preview stores nothing

    response = client.post(
        "/admin/organisations/import", data={"data": base64.b64encode(data).decode()}
    )

    assert response.status_code == 303
    stored = db.session.execute(
        select(CarrierOrganisation).order_by(CarrierOrganisation.name)
    ).scalars()
    assert [(c.name, c.kind, c.city) for c in stored] == [
        ("Bürgerstiftung Süd", "foundation", "München"),
        ("Deutsches Rotes Kreuz", "welfare", "Berlin"),
    ]
    assert db.session.execute(
        select(AuditLog.details).where(AuditLog.action == "organisation.imported")
    ).scalar_one() == {"created": 2, "updated": 0, "local_structures": 0}


def test_windows_1252_semicolon_file_with_german_headers_keeps_umlauts(app, db, staff_client):
    client = staff_client("organiser")
    factories.carrier("Caritas Köln", city="")
    db.session.commit()
    data = (
        "Träger;Kurzname;Typ;Ort;Lokale Struktur\r\n"
        "Caritas Köln;CK;Wohlfahrtsverband;Köln;\r\n"
        "Caritas Köln;;;Düsseldorf;Patenschaften Düsseldorf-Süd\r\n"
        "Arbeiterwohlfahrt Weißenfels;AWO;welfare;Weißenfels;Ortsverein Weißenfels\r\n"
    ).encode("cp1252")

    preview = _upload(client, data)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "cp1252" in page and "Patenschaften Düsseldorf-Süd" in page

    client.post("/admin/organisations/import", data={"data": base64.b64encode(data).decode()})

    caritas = db.session.execute(
        select(CarrierOrganisation).where(CarrierOrganisation.name == "Caritas Köln")
    ).scalar_one()
    assert (caritas.short_name, caritas.kind, caritas.city) == ("CK", "welfare", "Köln")
    structures = db.session.execute(
        select(CarrierOrganisation.name, LocalStructure.name, LocalStructure.city)
        .join(LocalStructure.carrier)
        .order_by(LocalStructure.name)
    ).all()
    assert structures == [
        ("Arbeiterwohlfahrt Weißenfels", "Ortsverein Weißenfels", "Weißenfels"),
        ("Caritas Köln", "Patenschaften Düsseldorf-Süd", "Düsseldorf"),
    ]


def test_missing_name_column_is_named_and_nothing_is_stored(app, db, staff_client):
    client = staff_client("organiser")

    response = _upload(client, b"Kurzname;Ort\nDRK;Berlin\n")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "name" in page and "Kurzname, Ort" in page
    assert _count(db, CarrierOrganisation) == 0


def test_every_problem_of_a_file_is_listed_and_confirming_it_anyway_stores_nothing(
    app, db, staff_client
):
    client = staff_client("organiser")
    data = (
        b"name;kind;contact_email\n"
        b"Malteser;welfare;\n"
        b"malteser;welfare;\n"  # duplicate, case ignored
        b"Diakonie;kirchlich;\n"  # unknown type
        b";welfare;\n"  # no name
        b"Stiftung X;foundation;not-an-address\n"
        b"Gute Organisation;other;\n"
    )

    response = _upload(client, data)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Line 3" in page and "appears twice (first in line 2)" in page
    assert "Line 4" in page and "kirchlich" in page
    assert "Line 5" in page and "name is missing" in page
    assert "Line 6" in page and "not-an-address" in page
    assert "Import now" not in page

    forced = client.post(
        "/admin/organisations/import", data={"data": base64.b64encode(data).decode()}
    )

    assert forced.status_code == 400
    assert _count(db, CarrierOrganisation) == 0


def test_binary_upload_is_refused_with_a_message(app, db, staff_client):
    client = staff_client("organiser")

    response = _upload(client, b"PK\x03\x04\x00\x00binary", name="liste.xlsx")

    assert response.status_code == 400
    assert "not a CSV file" in response.get_data(as_text=True)


# --- list, edit, quotas ---------------------------------------------------------------------


def test_organiser_list_shows_counts_with_the_same_number_of_queries(
    app, db, staff_client, count_queries
):
    client = staff_client("organiser")
    congress = factories.congress()
    first = factories.carrier("Alpha", local_structures=2)
    factories.registration(congress, carrier_id=first.id)
    db.session.commit()
    with app.app_context(), count_queries() as one:
        response = client.get("/admin/organisations")
    assert response.status_code == 200
    for name in ("Beta", "Gamma"):
        other = factories.carrier(name, local_structures=1)
        factories.registration(congress, carrier_id=other.id)
    db.session.commit()

    with app.app_context(), count_queries() as three:
        response = client.get("/admin/organisations")

    assert len(one) == len(three) == 8  # incl. the organising body (header)
    assert "Gamma" in response.get_data(as_text=True)


def test_organisation_export_is_a_real_spreadsheet(app, db, staff_client):
    client = staff_client("organiser")
    factories.congress()
    factories.carrier("=HYPERLINK(1)", short_name="X")
    db.session.commit()

    xlsx = client.get("/admin/organisations/export.xlsx")
    csv = client.get("/admin/organisations/export.csv")

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A2"].value == "'=HYPERLINK(1)"
    assert csv.data.startswith("\ufeff".encode())
    assert client.get("/admin/organisations/export.pdf").status_code == 404


def test_organisation_list_sorts_umlauts_with_their_letters(app, db, staff_client):
    for name in ["Zukunftswerk", "Ärztekammer Nord", "Bürgerstiftung", "Arbeiterwohlfahrt"]:
        factories.carrier(name)
    db.session.commit()

    page = staff_client("organiser").get("/admin/organisations").get_data(as_text=True)

    positions = [
        page.index(n)
        for n in ["Arbeiterwohlfahrt", "Ärztekammer Nord", "Bürgerstiftung", "Zukunftswerk"]
    ]
    assert positions == sorted(positions)


def test_coordinators_cannot_open_the_organiser_list(app, db, staff_client):
    client = staff_client("coordinator")

    assert client.get("/admin/organisations").status_code == 403


def test_quota_cannot_go_below_the_seats_taken(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    carrier = factories.carrier("Quotenträger")
    db.session.add(
        OrganisationQuota(congress_id=congress.id, carrier_id=carrier.id, quota=10, taken=6)
    )
    db.session.commit()

    lowered = client.post(f"/admin/organisations/{carrier.id}/quota?lang=en", data={"quota": "5"})
    assert lowered.status_code == 409
    assert "6 seats" in lowered.get_data(as_text=True)
    client.post(f"/admin/organisations/{carrier.id}/quota", data={"quota": "6"})

    quota = db.session.execute(select(OrganisationQuota)).scalar_one()
    assert (quota.quota, quota.taken) == (6, 6)


def test_organiser_creates_and_edits_a_carrier_and_duplicate_names_are_refused(
    app, db, staff_client
):
    client = staff_client("organiser")
    factories.carrier("Vorhanden")
    db.session.commit()

    created = client.post(
        "/admin/organisations/new",
        data={"name": "Neuer Träger", "kind": "migrant", "state": "Hessen", "active": "y"},
    )
    duplicate = client.post("/admin/organisations/new", data={"name": "vorhanden", "kind": "other"})

    assert created.status_code == 302
    assert duplicate.status_code == 400
    carrier = db.session.execute(
        select(CarrierOrganisation).where(CarrierOrganisation.name == "Neuer Träger")
    ).scalar_one()
    assert (carrier.kind, carrier.state) == ("migrant", "Hessen")
    added = client.post(
        f"/admin/organisations/{carrier.id}/local-structures",
        data={"name": "Ortsgruppe Kassel", "city": "Kassel", "state": "Hessen"},
    )
    assert added.status_code == 303
    assert db.session.execute(select(LocalStructure.name)).scalar_one() == "Ortsgruppe Kassel"


# --- mapping and merging ---------------------------------------------------------------------


def test_mapping_free_text_moves_all_registrations_with_that_text(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    carrier = factories.carrier("Malteser Hilfsdienst", local_structures=1)
    structure = carrier.local_structures[0]
    for text in ("Malteser Kassel", " malteser kassel", "Etwas anderes"):
        factories.registration(congress, organisation_other=text)
    db.session.commit()
    page = client.get("/admin/organisations/mapping").get_data(as_text=True)
    assert "malteser kassel" in page.lower() and "Etwas anderes" in page

    response = client.post(
        "/admin/organisations/mapping",
        data={"text": "Malteser Kassel", "target": f"local:{structure.id}"},
    )

    assert response.status_code == 303
    rows = db.session.execute(
        select(
            Registration.carrier_id,
            Registration.local_structure_id,
            Registration.organisation_other,
        ).order_by(Registration.id)
    ).all()
    assert rows == [
        (carrier.id, structure.id, ""),
        (carrier.id, structure.id, ""),
        (None, None, "Etwas anderes"),
    ]
    assert (
        db.session.execute(
            select(AuditLog.details["registrations"]).where(
                AuditLog.action == "organisation.mapped"
            )
        ).scalar_one()
        == 2
    )


def test_merging_duplicates_moves_people_structures_coordinators_and_quotas(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    keep = factories.carrier("Diakonie Deutschland")
    duplicate = factories.carrier("Diakonie Dtl.")
    db.session.add_all(
        [
            LocalStructure(carrier_id=keep.id, name="Kassel"),
            LocalStructure(carrier_id=duplicate.id, name="kassel"),
            LocalStructure(carrier_id=duplicate.id, name="Fulda"),
            OrganisationQuota(congress_id=congress.id, carrier_id=keep.id, quota=5, taken=1),
            OrganisationQuota(congress_id=congress.id, carrier_id=duplicate.id, quota=3, taken=2),
        ]
    )
    db.session.flush()
    twin = db.session.execute(
        select(LocalStructure).where(LocalStructure.name == "kassel")
    ).scalar_one()
    person = factories.registration(congress, carrier_id=duplicate.id, local_structure_id=twin.id)
    coordinator = factories.user(role="coordinator", organisation_id=duplicate.id)
    db.session.commit()
    keep_id, duplicate_id, person_id, coordinator_id = (
        keep.id,
        duplicate.id,
        person.id,
        coordinator.id,
    )

    response = client.post(
        "/admin/organisations/merge", data={"source": duplicate_id, "target": keep_id}
    )

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(CarrierOrganisation, duplicate_id) is None
    kassel = db.session.execute(
        select(LocalStructure).where(LocalStructure.name == "Kassel")
    ).scalar_one()
    moved = db.session.get(Registration, person_id)
    assert (moved.carrier_id, moved.local_structure_id) == (keep_id, kassel.id)
    assert db.session.get(User, coordinator_id).organisation_id == keep_id
    assert sorted(
        db.session.execute(
            select(LocalStructure.name).where(LocalStructure.carrier_id == keep_id)
        ).scalars()
    ) == ["Fulda", "Kassel"]
    quota = db.session.execute(select(OrganisationQuota)).scalar_one()
    assert (quota.carrier_id, quota.quota, quota.taken) == (keep_id, 8, 3)
    assert (
        db.session.execute(
            select(AuditLog.details["source_name"]).where(AuditLog.action == "organisation.merged")
        ).scalar_one()
        == "Diakonie Dtl."
    )


def test_merging_an_organisation_into_itself_is_refused(app, db, staff_client):
    client = staff_client("organiser")
    carrier = factories.carrier("Allein")
    db.session.commit()

    response = client.post(
        "/admin/organisations/merge", data={"source": carrier.id, "target": carrier.id}
    )

    assert response.status_code == 400
    assert db.session.get(CarrierOrganisation, carrier.id) is not None


# --- coordinator portal -----------------------------------------------------------------------


def _people(congress, carrier, n, phase=None, workshop=None, checkpoint=None):
    people = []
    for i in range(n):
        person = factories.registration(congress, carrier_id=carrier.id, last_name=f"Eigen{i}")
        if workshop is not None:
            factories.db.session.add(
                WorkshopSeat(registration_id=person.id, phase_id=phase.id, session_id=workshop.id)
            )
        if checkpoint is not None and i == 0:
            factories.db.session.add(
                CheckIn(registration_id=person.id, checkpoint_id=checkpoint.id)
            )
        people.append(person)
    return people


def test_coordinator_sees_own_people_with_days_workshops_and_check_in_only(app, db, staff_client):
    congress = factories.congress()
    own = factories.carrier("Eigener Träger")
    other = factories.carrier("Fremder Träger")
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Sprachpatenschaften")
    gate = factories.checkpoint(congress)
    _people(congress, own, 2, phase, workshop, gate)
    factories.registration(congress, carrier_id=other.id, last_name="Fremdling")
    client = staff_client("coordinator", organisation_id=own.id)

    page = client.get("/portal").get_data(as_text=True)

    assert "Eigen0" in page and "Eigen1" in page and "Sprachpatenschaften" in page
    assert "Fremdling" not in page and "Fremder Träger" not in page
    assert client.get(f"/portal?organisation={other.id}").status_code == 403
    assert client.get(f"/admin/certificates/organisation/{other.id}.pdf").status_code == 403
    exported = client.get("/portal/export.csv").get_data(as_text=True)
    assert "Eigen0" in exported and "Fremdling" not in exported
    assert exported.count("ja") == 1  # one of two checked in


def test_organisers_cannot_open_the_portal(app, db, staff_client):
    factories.congress()
    db.session.commit()

    assert staff_client("organiser").get("/portal").status_code == 403


def test_admin_chooses_an_organisation_in_the_portal(app, db, staff_client):
    factories.congress()
    carrier = factories.carrier("Irgendwer")
    db.session.commit()

    admin = staff_client("admin")
    assert "Irgendwer" in admin.get("/portal").get_data(as_text=True)
    assert admin.get(f"/portal?organisation={carrier.id}").status_code == 200


def test_portal_list_runs_the_same_queries_for_one_and_three_people(
    app, db, staff_client, count_queries
):
    congress = factories.congress()
    own = factories.carrier("Zählträger")
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase)
    gate = factories.checkpoint(congress)
    _people(congress, own, 1, phase, workshop, gate)
    client = staff_client("coordinator", organisation_id=own.id)
    with app.app_context(), count_queries() as one:
        assert client.get("/portal").status_code == 200
    for i in range(2):
        person = factories.registration(congress, carrier_id=own.id, last_name=f"Mehr{i}")
        db.session.add(
            WorkshopSeat(registration_id=person.id, phase_id=phase.id, session_id=workshop.id)
        )
    db.session.commit()

    with app.app_context(), count_queries() as three:
        page = client.get("/portal").get_data(as_text=True)

    assert "Mehr1" in page
    # with who has checked in (certificates), the quota, the organising body (header) and the
    # questions visible to coordinators (their answers: one more query once there are any)
    assert len(one) == len(three) == 11


def test_bad_quota_and_local_structure_input_reshow_the_page_with_a_message(app, db, staff_client):
    client = staff_client("organiser")
    factories.congress()
    carrier = factories.carrier("Eingabeträger")
    db.session.commit()

    quota = client.post(f"/admin/organisations/{carrier.id}/quota", data={"quota": "viele"})
    nameless = client.post(f"/admin/organisations/{carrier.id}/local-structures", data={})
    twice = [
        client.post(
            f"/admin/organisations/{carrier.id}/local-structures", data={"name": "Ortsgruppe"}
        ).status_code
        for _ in range(2)
    ]

    assert quota.status_code == 400
    assert "ganze Zahl von Plätzen" in quota.get_data(as_text=True)
    assert nameless.status_code == 400
    assert twice == [303, 409]
    assert _count(db, OrganisationQuota) == 0
    assert _count(db, LocalStructure) == 1


def test_portal_links_to_the_organisation_certificates_once_someone_came(app, db, staff_client):
    from conference.checkin.models import CheckIn

    congress = factories.congress()
    own = factories.carrier("Linkträger")
    gate = factories.checkpoint(congress, code="day-1")
    person = factories.registration(congress, carrier_id=own.id)
    client = staff_client("coordinator", organisation_id=own.id)

    before = client.get("/portal").get_data(as_text=True)
    refused = client.get(f"/admin/certificates/organisation/{own.id}.pdf", follow_redirects=True)
    db.session.add(CheckIn(registration_id=person.id, checkpoint_id=gate.id))
    db.session.commit()
    after = client.get("/portal").get_data(as_text=True)

    assert f"/admin/certificates/organisation/{own.id}.pdf" not in before
    assert "sobald jemand dieser Organisation eingecheckt hat" in before
    assert refused.status_code == 200 and refused.request.path == "/portal"
    assert "Aus dieser Organisation hat niemand eingecheckt" in refused.get_data(as_text=True)
    assert f"/admin/certificates/organisation/{own.id}.pdf" in after
    assert "/portal/export.xlsx" in after


def test_a_colleague_waitlisted_with_quota_left_is_explained_to_the_coordinator(
    app, db, staff_client, smtp
):
    congress = factories.congress(capacity=1)
    own = factories.carrier("Quotenträger")
    db.session.add(OrganisationQuota(congress_id=congress.id, carrier_id=own.id, quota=40))
    factories.registration(congress)  # someone else holds the only seat
    congress.taken = 1
    db.session.commit()
    client = staff_client("coordinator", organisation_id=own.id)
    organiser = staff_client("organiser")

    added = client.post(
        "/admin/registrations/new",
        data={
            "first_name": "Jonas",
            "last_name": "Keller",
            "email": "jonas@example.org",
            "language": "de",
            "carrier": str(own.id),
            "local_structure": "",
            "programme_role": "mentor",
            "sector": "civil_society",
            "diet": "none",
            "days": [d.day.isoformat() for d in congress.days],
            "consent": "y",
            "mode": "confirmed",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    portal = client.get("/portal").get_data(as_text=True)
    detail = organiser.get(f"/admin/organisations/{own.id}").get_data(as_text=True)

    assert "Jonas Keller steht auf der Warteliste, Platz 1." in added
    assert "Kein Platz ist frei: der Kongress ist ausgebucht." in added
    assert "Obergrenze und hält keine Plätze frei" in added
    assert (
        "Höchstens 40 Personen dieser Organisation erhalten einen Platz; 0 haben einen." in portal
    )
    assert "keine Reservierung" in portal and "keine Reservierung" in detail
    assert "reservierte" not in detail


def test_mapping_suggests_a_match_and_accepts_the_typed_label(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    carrier = factories.carrier("Arbeiterwohlfahrt Bundesverband")
    factories.registration(congress, organisation_other="Arbeiterwohlfahrt Bundesverb.")
    factories.registration(congress, organisation_other="Ganz unbekannt")
    db.session.commit()

    page = client.get("/admin/organisations/mapping").get_data(as_text=True)
    unknown = client.post(
        "/admin/organisations/mapping",
        data={"text": "Ganz unbekannt", "target": "Gibt es nicht"},
    )
    mapped = client.post(
        "/admin/organisations/mapping",
        data={"text": "Arbeiterwohlfahrt Bundesverb.", "target": "arbeiterwohlfahrt bundesverband"},
    )

    assert 'value="Arbeiterwohlfahrt Bundesverband" required' in page
    assert unknown.status_code == 400
    assert "„Gibt es nicht“ steht nicht in der Liste" in unknown.get_data(as_text=True)
    assert mapped.status_code == 303
    assert db.session.execute(
        select(Registration.carrier_id)
        .where(Registration.last_name.is_not(None))
        .order_by(Registration.id)
    ).scalars().all() == [carrier.id, None]
