"""Speakers who look after themselves, their seatless registration and the sessions'
materials, over HTTP (issue 19, points 6 and 7)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import time

from sqlalchemy import func, select

from conference.agenda.models import SessionStatus, Speaker
from conference.core.models import Congress, CongressDay
from conference.registration import seats
from conference.registration.models import SPEAKER_SOURCE, Registration, Status
from conference.speakers import services
from conference.speakers.models import SessionMaterial, SpeakerAccess
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _world(db, *, status=SessionStatus.PUBLISHED, capacity=300):
    congress = factories.congress(capacity=capacity)
    speaker = factories.speaker(
        congress, name="Miriam Okonkwo", email="miriam@example.org", organisation="Netzwerk"
    )
    session = factories.session(
        congress, title="Patenschaften gut beenden", speakers=[speaker], status=status,
        day=congress.days[1].day, start=time(10), end=time(11, 30),
    )  # fmt: skip
    access = services.access_of(speaker)
    db.session.commit()
    return congress, speaker, session, access


def _csrf(client, url):
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return {"csrf_token": found.group(1)} if found else {}


def test_a_speaker_confirms_by_link_and_uploads_a_pdf_that_the_session_page_offers(client, db):
    congress, speaker, session, access = _world(db)
    link = f"/speaker/{access.token}"

    page = client.get(link).get_data(as_text=True)
    confirmed = client.post(f"{link}/answer", data={"answer": "confirm"})
    uploaded = client.post(
        f"{link}/sessions/{session.id}/materials",
        data={"file": (io.BytesIO(PDF), "Folien Tandems.pdf"), "visibility": "public"},
        content_type="multipart/form-data",
    )
    public_page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    material = db.session.execute(select(SessionMaterial)).scalar_one()
    download = client.get(f"/sessions/{session.id}/materials/{material.id}")

    assert "Patenschaften gut beenden" in page and "Nehmen Sie teil?" in page
    assert confirmed.status_code == 303 and uploaded.status_code == 303
    assert db.session.get(SpeakerAccess, speaker.id).confirmed_at is not None
    assert f'/sessions/{session.id}/materials/{material.id}">Folien Tandems.pdf</a>' in public_page
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_file_named_pdf_with_html_content_is_refused_and_nothing_is_stored(client, db):
    _congress, _speaker, session, access = _world(db)
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"

    response = client.post(
        f"/speaker/{access.token}/sessions/{session.id}/materials",
        data={"file": (io.BytesIO(html), "folien.pdf")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert "Inhalt wurde geprüft" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(SessionMaterial.id))).scalar_one() == 0


def test_office_files_and_images_are_recognised_by_their_structure():
    pptx = _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    odp = _zip({"mimetype": b"application/vnd.oasis.opendocument.presentation"})
    other_zip = _zip({"readme.txt": b"hallo"})
    png = factories_png()

    assert services.sniff(pptx)[1] == ".pptx"
    assert services.sniff(docx)[1] == ".docx"
    assert services.sniff(odp)[1] == ".odp"
    assert services.sniff(png) == ("image/png", ".png")
    too_big = b"%PDF-1.4\n" + b"0" * services.MAX_MATERIAL_BYTES + b"%%EOF\n"
    for refused in (other_zip, b"%PDF-1.4 but never ends", b"\x89PNG\r\n\x1a\nkaputt", too_big):
        try:
            services.sniff(refused)
        except services.MaterialRefused:
            continue
        raise AssertionError(f"accepted {refused[:20]!r}")


def factories_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_materials_of_a_draft_session_do_not_download_and_attendees_only_need_a_link(client, db):
    congress, _speaker, session, access = _world(db, status=SessionStatus.DRAFT)
    services.add_material(session, PDF, "a.pdf", public=True, uploaded_by="organiser",
                          actor="test", now=session.created_at)  # fmt: skip
    private = services.add_material(session, PDF, "intern.pdf", public=False,
                                    uploaded_by="organiser", actor="test", now=session.created_at)  # fmt: skip
    person = factories.registration(congress)
    db.session.commit()
    first = db.session.execute(select(SessionMaterial.id).order_by(SessionMaterial.id)).first()[0]

    draft = client.get(f"/sessions/{session.id}/materials/{first}")
    session.status = SessionStatus.PUBLISHED
    db.session.commit()
    published = client.get(f"/sessions/{session.id}/materials/{first}")
    private_public = client.get(f"/sessions/{session.id}/materials/{private.id}")
    private_attendee = client.get(f"/r/{person.manage_token}/materials/{private.id}")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)

    assert draft.status_code == 404
    assert published.status_code == 200
    assert private_public.status_code == 404
    assert private_attendee.status_code == 200 and private_attendee.data == PDF
    assert "a.pdf" in page and "intern.pdf" not in page


def test_a_confirmed_speaker_is_registered_for_their_days_without_a_seat_and_passes_the_door(
    client, db, scanner_client
):
    congress, speaker, _session, access = _world(db, capacity=1)
    factories.registration(congress)  # takes the only seat
    db.session.execute(
        CongressDay.__table__.update().values(taken=1).where(CongressDay.congress_id == congress.id)
    )
    congress.taken = 1
    door = factories.checkpoint(congress, code="day-2", day=congress.days[1].day)
    other_day = factories.checkpoint(congress, code="day-1", day=congress.days[0].day)
    db.session.commit()

    client.post(f"/speaker/{access.token}/answer", data={"answer": "confirm"})
    registration = db.session.execute(
        select(Registration).where(Registration.source == SPEAKER_SOURCE)
    ).scalar_one()
    scan = scanner_client.post(
        "/api/v1/checkin/scan", json={"token": registration.badge_token, "checkpoint": door.code}
    )
    wrong_day = scanner_client.post(
        "/api/v1/checkin/scan",
        json={"token": registration.badge_token, "checkpoint": other_day.code},
    )
    badge = client.get(f"/speaker/{access.token}/badge.pdf")

    db.session.refresh(speaker)
    assert registration.status == Status.CONFIRMED
    assert [d.day for d in registration.days] == [congress.days[1].day]
    assert registration.badge_role == "speaker"
    assert speaker.registration_id == registration.id
    assert db.session.get(Congress, congress.id).taken == 1  # no seat taken
    assert seats.seat_drift(db.session.get(Congress, congress.id)) == []
    assert scan.status_code == 200 and scan.get_json()["result"] == "ok"
    assert wrong_day.get_json()["result"] == "not_registered_for_today"
    assert badge.status_code == 200 and badge.data.startswith(b"%PDF")


def test_a_speaker_already_registered_keeps_that_registration(client, db):
    congress, speaker, _session, access = _world(db)
    attendee = factories.registration(congress, email="miriam@example.org")
    db.session.commit()

    client.post(f"/speaker/{access.token}/answer", data={"answer": "confirm"})

    db.session.refresh(speaker)
    assert speaker.registration_id == attendee.id
    assert db.session.execute(select(func.count(Registration.id))).scalar_one() == 1


def test_declining_cancels_the_speaker_registration_without_freeing_seats(client, db):
    congress, _speaker, _session, access = _world(db)
    client.post(f"/speaker/{access.token}/answer", data={"answer": "confirm"})
    taken = db.session.get(Congress, congress.id).taken

    declined = client.post(f"/speaker/{access.token}/answer", data={"answer": "decline"})
    organiser_page = None

    registration = db.session.execute(select(Registration)).scalar_one()
    assert declined.status_code == 303 and organiser_page is None
    assert registration.status == Status.CANCELLED
    assert db.session.get(Congress, congress.id).taken == taken
    assert db.session.get(SpeakerAccess, access.speaker_id).declined_at is not None


def test_the_builder_warns_softly_about_speakers_who_have_not_confirmed(db, staff_client):
    congress, speaker, session, access = _world(db)
    organiser = staff_client("organiser")
    day = session.starts_at.date().isoformat()

    before = organiser.get(f"/admin/agenda?day={day}").get_data(as_text=True)
    access.confirmed_at = session.created_at
    db.session.commit()
    after = organiser.get(f"/admin/agenda?day={day}").get_data(as_text=True)

    assert "Miriam Okonkwo hat „Patenschaften gut beenden“ noch nicht bestätigt." in before
    assert "noch nicht bestätigt" not in after


def test_a_speaker_edits_name_bio_and_photo_and_a_bad_photo_is_refused(client, db):
    _congress, speaker, _session, access = _world(db)
    link = f"/speaker/{access.token}"

    saved = client.post(
        f"{link}/profile",
        data={"name": "Dr. Miriam Okonkwo", "organisation": "Netzwerk Nord", "bio": "Forscht.",
              "photo": (io.BytesIO(factories_png()), "ich.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    bad = client.post(
        f"{link}/profile",
        data={"name": "X", "photo": (io.BytesIO(b"<svg/>"), "ich.png")},
        content_type="multipart/form-data",
    )

    db.session.refresh(speaker)
    assert saved.status_code == 303
    assert (speaker.name, speaker.organisation, speaker.bio) == (
        "Dr. Miriam Okonkwo",
        "Netzwerk Nord",
        "Forscht.",
    )
    assert speaker.photo_mimetype == "image/png"
    assert bad.status_code == 400
    assert speaker.name == "Dr. Miriam Okonkwo"


def test_the_speaker_page_shows_sessions_with_rooms_and_times_and_a_calendar(client, db):
    congress, speaker, session, access = _world(db)
    room = factories.room(congress, name="Saal Berlin")
    session.room_id = room.id
    db.session.commit()
    client.post(f"/speaker/{access.token}/answer", data={"answer": "confirm"})

    page = client.get(f"/speaker/{access.token}").get_data(as_text=True)
    calendar = client.get(f"/speaker/{access.token}/calendar.ics")

    assert "10:00–11:30" in page and "Saal Berlin" in page
    assert calendar.status_code == 200
    assert b"SUMMARY:Patenschaften gut beenden" in calendar.data


def test_an_unknown_speaker_link_is_a_404(client, db):
    factories.congress()
    db.session.commit()

    assert client.get("/speaker/" + "x" * 43).status_code == 404
    assert client.get("/speaker/kurz/badge.pdf").status_code == 404


def test_organisers_see_every_speakers_link(db, staff_client):
    congress = factories.congress()
    factories.speaker(congress, name="Jonas Brandt")
    db.session.commit()

    page = staff_client("organiser").get("/admin/agenda/speaker-links").get_data(as_text=True)

    token = db.session.execute(select(SpeakerAccess.token)).scalar_one()
    assert "Jonas Brandt" in page and f"/speaker/{token}" in page
    assert db.session.execute(select(func.count(Speaker.id))).scalar_one() == 1


# --- the documentation --------------------------------------------------------------------------


def _past(db, *, title, slug, days_ago=10):
    from datetime import timedelta

    congress = factories.congress(
        starts_on=factories.venue_today() - timedelta(days=days_ago), title=title, slug=slug,
        current=False,
    )  # fmt: skip
    speaker = factories.speaker(congress, name="Amira Haddad", organisation="Netzwerk Ost")
    session = factories.session(congress, title=f"Workshop {title}", speakers=[speaker])
    factories.session(congress, title="Entwurf", status=SessionStatus.DRAFT)
    return congress, session


def test_after_the_congress_the_documentation_lists_sessions_speakers_and_files(client, db):
    congress, session = _past(db, title="Fachkongress 2026", slug="fk-2026")
    congress.is_current = True
    services.add_material(session, PDF, "Folien.pdf", public=True, uploaded_by="organiser",
                          actor="test", now=session.created_at)  # fmt: skip
    services.add_material(session, factories_png(), "Wand.png", public=True, kind="recording",
                          uploaded_by="organiser", actor="test", now=session.created_at)  # fmt: skip
    services.add_material(session, PDF, "Intern.pdf", public=False, uploaded_by="organiser",
                          actor="test", now=session.created_at)  # fmt: skip
    db.session.commit()

    page = client.get("/dokumentation").get_data(as_text=True)

    assert "Dokumentation von Fachkongress 2026" in page
    assert "Workshop Fachkongress 2026" in page and "Amira Haddad" in page
    assert "Folien.pdf" in page and "Graphic Recording: <a" in page
    assert "Intern.pdf" not in page and "Entwurf" not in page


def test_before_the_end_the_page_says_so_and_past_editions_keep_their_pages(client, db):
    _past(db, title="Fachkongress 2025", slug="fk-2025", days_ago=380)
    _past(db, title="Fachkongress 2026", slug="fk-2026", days_ago=20)
    upcoming = factories.congress(title="Fachkongress 2027", slug="fk-2027")
    factories.session(upcoming, title="Noch nicht")
    db.session.commit()

    main = client.get("/dokumentation").get_data(as_text=True)
    old = client.get("/dokumentation/fk-2025").get_data(as_text=True)
    early = client.get("/dokumentation/fk-2027").get_data(as_text=True)
    unknown = client.get("/dokumentation/gibt-es-nicht")

    assert "Dokumentation von Fachkongress 2026" in main  # the latest that is over
    assert "/dokumentation/fk-2025" in main and "/dokumentation/fk-2027" not in main
    assert "Workshop Fachkongress 2025" in old
    assert "erscheint hier nach dem Kongress" in early and "Noch nicht" not in early
    assert unknown.status_code == 404


def test_organisers_add_a_graphic_recording_and_refuse_a_disguised_file(db, staff_client):
    _congress, _speaker, session, _access = _world(db)
    organiser = staff_client("organiser")
    url = f"/admin/agenda/sessions/{session.id}/materials"

    added = organiser.post(
        url,
        data={"file": (io.BytesIO(factories_png()), "wand.png"), "kind": "recording",
              "visibility": "public"},
        content_type="multipart/form-data",
    )  # fmt: skip
    disguised = organiser.post(
        url,
        data={"file": (io.BytesIO(b"MZ\x90\x00 not a picture"), "foto.jpg"), "kind": "photo"},
        content_type="multipart/form-data",
    )
    page = organiser.get(url).get_data(as_text=True)

    material = db.session.execute(select(SessionMaterial)).scalar_one()
    assert added.status_code == 303 and disguised.status_code == 400
    assert (material.kind, material.mimetype, material.filename) == (
        "recording",
        "image/png",
        "wand.png",
    )
    assert "Graphic Recording: wand.png" in page


def test_organisers_mail_a_speaker_their_link(db, staff_client, smtp):
    congress = factories.congress(title="Fachkongress 2027")
    speaker = factories.speaker(congress, name="Jonas Brandt", email="jonas@example.org")
    db.session.commit()
    organiser = staff_client("organiser")
    organiser.get("/admin/agenda/speaker-links")

    sent = organiser.post(f"/admin/agenda/speaker-links/{speaker.id}/send", data={})

    token = db.session.get(SpeakerAccess, speaker.id).token
    message = smtp.wait(1)[0]
    assert sent.status_code == 303
    assert message["To"] == "jonas@example.org"
    assert message["Subject"] == "Ihre Programmpunkte beim Kongress"
    assert f"/speaker/{token}" in message.get_body(("plain",)).get_content()
