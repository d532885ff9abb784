"""Reports: dashboard, charts, exports, funder report, certificates, directory, privacy, audit."""

from __future__ import annotations

import io
import json
import subprocess
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conference.attendee import manage
from conference.checkin.models import CheckIn
from conference.core import charts
from conference.core.models import AuditLog, Congress, OutboxMail
from conference.core.time import utcnow
from conference.organisations.models import CarrierOrganisation
from conference.registration.models import Registration
from conference.reports import directory, privacy, services
from conference.reports.models import ContactRequest, DirectoryProfile
from conference.workshops.models import WorkshopSeat
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- charts ----------------------------------------------------------------------------------


def test_bar_chart_is_an_accessible_svg_with_escaped_labels():
    svg = charts.bar_chart("Anmeldungen", [("<script>", 4), ("Caritas", 2), ("Leer", 0)])

    root = ET.fromstring(str(svg))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    title = root.find(SVG + "title")
    assert title.text == "Anmeldungen"
    assert title.get("id") in root.get("aria-labelledby").split()
    assert root.find(SVG + "desc").text == "<script>: 4; Caritas: 2; Leer: 0"
    widths = [float(r.get("width")) for r in root.iter(SVG + "rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert "<script>" not in str(svg)
    assert "style=" not in str(svg)


def test_bar_chart_draws_a_second_series_with_a_legend():
    svg = charts.bar_chart("Tage", [("Mo", 10), ("Di", 8)], second=[7, 0], legend=("a", "b"))

    root = ET.fromstring(str(svg))
    alt = [r for r in root.iter(SVG + "rect") if r.get("class") == "bar-alt"]
    assert [float(r.get("width")) for r in alt][1] == 0
    assert len(alt) == 2


def test_line_chart_goes_through_every_point_scaled_to_the_largest():
    svg = charts.line_chart("Verlauf", [("2026-01-01", 1), ("2026-01-02", 4), ("2026-01-03", 2)])

    root = ET.fromstring(str(svg))
    points = root.find(SVG + "polyline").get("points").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert len(points) == 3
    assert ys[1] == 12.0  # the largest value touches the top of the plot
    assert ys[0] > ys[2] > ys[1]
    assert root.find(SVG + "title").text == "Verlauf"


def test_empty_charts_still_render():
    assert ET.fromstring(str(charts.bar_chart("Leer", []))).get("role") == "img"
    assert ET.fromstring(str(charts.line_chart("Leer", []))).get("role") == "img"


# --- dashboard -------------------------------------------------------------------------------


def _edition(db):
    """A congress with two carriers, five registrations, a workshop and check-ins."""
    congress = factories.congress(starts_on=date(2026, 3, 10), days=2, slug="fk26")
    caritas = factories.carrier("Caritas", local_structures=1)
    awo = factories.carrier("AWO")
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Sprachpatenschaften", capacity=4)
    gate1 = factories.checkpoint(congress, code="day-1", day=congress.starts_on)
    gate2 = factories.checkpoint(congress, code="day-2", day=congress.ends_on)
    room = factories.checkpoint(
        congress, code="ws-1", day=congress.starts_on, session_id=workshop.id
    )
    a = factories.registration(
        congress,
        carrier_id=caritas.id,
        local_structure_id=caritas.local_structures[0].id,
        programme_role="mentor",
        diet="vegan",
        needs_step_free=True,
        first_name="Jürgen",
        last_name="Groß",
    )
    b = factories.registration(
        congress, carrier_id=caritas.id, programme_role="mentor", days=[congress.starts_on]
    )
    c = factories.registration(congress, carrier_id=awo.id, programme_role="guide")
    factories.registration(congress, organisation_other="Verein X", status="waitlisted")
    factories.registration(congress, carrier_id=awo.id, status="cancelled")
    workshop.seats_taken = 2
    db.session.add_all(
        [
            WorkshopSeat(registration_id=a.id, phase_id=phase.id, session_id=workshop.id),
            WorkshopSeat(registration_id=b.id, phase_id=phase.id, session_id=workshop.id),
            CheckIn(registration_id=a.id, checkpoint_id=gate1.id),
            CheckIn(registration_id=a.id, checkpoint_id=gate2.id),
            CheckIn(registration_id=a.id, checkpoint_id=room.id),
            CheckIn(registration_id=b.id, checkpoint_id=gate1.id),
            CheckIn(registration_id=c.id, checkpoint_id=gate2.id),
        ]
    )
    db.session.commit()
    return congress, a


def test_dashboard_figures_count_what_is_stored(app, db):
    congress, _a = _edition(db)

    with app.test_request_context("/?lang=en"):
        figures = {f.key: f for f in services.dashboard_figures(congress)}
        key = services.key_figures(congress)

    assert key == {
        "pending": 0,
        "confirmed": 3,
        "waitlisted": 1,
        "cancelled": 1,
        "attended": 3,
        "carriers": 2,
    }
    assert figures["carriers"].rows == [
        ["Caritas", 2],
        ["AWO", 1],
        ["No carrier organisation", 1],
    ]
    assert sorted(figures["roles"].rows) == [["Guide (Lots:in)", 1], ["Mentor", 2], ["Other", 1]]
    assert sorted(figures["levels"].rows) == [
        ["Carrier organisation (head office)", 2],
        ["Local structure", 1],
        ["No carrier organisation", 1],
    ]
    assert [r[1:] for r in figures["days"].rows] == [[3, 2], [2, 2]]
    assert figures["workshops"].rows == [["Sprachpatenschaften", 4, 2, 0, 50]]
    assert figures["checkin"].rows == [
        ["Eingang day-1", 2, 67],
        ["Eingang ws-1", 1, 33],
        ["Eingang day-2", 2, 67],
    ]
    assert ["Step-free access", 1] in figures["needs"].rows
    assert ["Vegan", 1] in figures["needs"].rows
    assert figures["over_time"].rows[-1][2] == 4  # cancelled ones do not count


def test_dashboard_figures_describe_their_charts_and_the_page_draws_them(app, db, staff_client):
    """Issue 15, point 6: the service returns numbers and labels; SVG is drawn by the template
    (core/charts.py, the ``chart`` filter)."""
    from conference.core.charts import Chart

    congress, _a = _edition(db)
    with app.test_request_context("/?lang=en"):
        figures = {f.key: f for f in services.dashboard_figures(congress)}

    assert all(isinstance(f.chart, Chart) for f in figures.values())
    assert "<svg" not in repr([f.chart for f in figures.values()])
    assert figures["days"].chart.kind == "bar" and figures["days"].chart.second == [2, 2]
    assert figures["over_time"].chart.kind == "line"
    page = staff_client("organiser").get(f"/admin/dashboard?congress={congress.id}&lang=en")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart"'
    ) == len(figures)


def test_dashboard_page_shows_each_chart_beside_its_table(app, db, staff_client):
    client = staff_client("organiser")
    _edition(db)

    response = client.get("/admin/dashboard")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('role="img"') == 10
    assert page.count("<table") == 10
    assert page.count("<details>") == 10  # the numbers behind a disclosure, not in the way
    assert "Sprachpatenschaften" in page and "Caritas" in page
    assert "style=" not in page and "<script" not in page
    today = utcnow().date()
    assert f"{today:%d.%m.%Y}" in page and today.isoformat() not in page  # dates in the locale
    assert "Anmeldungen nach Bundesland" in page


def test_dashboard_runs_the_same_queries_for_one_and_three_registrations(
    app, db, staff_client, count_queries
):
    client = staff_client("organiser")
    congress = factories.congress()
    carrier = factories.carrier()
    factories.registration(congress, carrier_id=carrier.id)
    db.session.commit()
    with app.app_context(), count_queries() as one:
        assert client.get("/admin/dashboard").status_code == 200
    for _ in range(2):
        factories.registration(congress, carrier_id=factories.carrier().id, diet="halal")
    db.session.commit()

    with app.app_context(), count_queries() as three:
        assert client.get("/admin/dashboard").status_code == 200

    # incl. the organising body (header) and the edition's choice questions (their charts)
    assert (len(one), len(three)) == (22, 22)


def test_dashboard_is_for_organisers_only(app, db, staff_client):
    factories.congress()
    db.session.commit()

    assert staff_client("coordinator").get("/admin/dashboard").status_code == 403


def test_every_dashboard_table_and_the_needs_list_export_as_csv_and_xlsx(app, db, staff_client):
    client = staff_client("organiser")
    _edition(db)

    for key in (
        "over_time",
        "carriers",
        "roles",
        "sectors",
        "levels",
        "days",
        "workshops",
        "checkin",
        "needs",
    ):
        for fmt in ("csv", "xlsx"):
            assert client.get(f"/admin/dashboard/{key}.{fmt}").status_code == 200, key
    needs = client.get("/admin/dashboard/needs_list.xlsx")
    csv = client.get("/admin/dashboard/carriers.csv").data.decode("utf-8-sig")

    sheet = load_workbook(io.BytesIO(needs.data)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("Nachname", "Vorname", "Organisation", "Tage", "Ernährung")
    assert rows[1][:2] == ("Groß", "Jürgen") and rows[1][4] == "Vegan" and len(rows) == 2
    assert "Caritas;2" in csv
    assert client.get("/admin/dashboard/unknown.csv").status_code == 404
    assert client.get("/admin/dashboard/carriers.pdf").status_code == 404


@pytest.mark.config(FUNDER_NAME="Bundesministerium für Beispiele")
def test_funder_report_pdf_reads_as_a_report_to_the_funder(app, db, staff_client, tmp_path):
    client = staff_client("organiser")
    congress, _a = _edition(db)
    caritas = db.session.execute(
        select(CarrierOrganisation).where(CarrierOrganisation.name == "Caritas")
    ).scalar_one()
    caritas.state = "Hessen"
    db.session.commit()

    response = client.get("/admin/dashboard/report.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    pages = text.split("\f")
    cover = " ".join(pages[0].split())
    brief = " ".join(pages[1].split())
    assert "Bundesprogramm „Menschen stärken Menschen“" in cover
    assert "Bericht an den Zuwendungsgeber" in cover and "Fachkongress 2026" in cover
    assert "Gefördert durch Bundesministerium für Beispiele" in cover
    assert "@" not in cover  # names only, no invented contact details
    assert "Der Kongress in Kürze" in brief
    assert "4 Personen haben sich zum Kongress angemeldet." in brief
    assert "3 davon hatten einen bestätigten Platz, und 3 (100 %) sind gekommen" in brief
    assert "von 2 Programmträgern in 1 Bundesland." in brief
    for heading in (
        "Teilnahme nach Programmträgern",
        "Teilnahme nach Bundesländern",
        "Anwesenheit",
        "Workshops",
        "Anhang: die Tabellen",
    ):
        assert heading in text, heading
    assert text.index("Anhang: die Tabellen") > text.index("Anwesenheit")
    assert "Hessen" in text and "Caritas" in text
    # the chart labels are real text from the inline SVG, not only the tables
    assert text.count("Sprachpatenschaften") >= 2


def test_stats_api_contract_is_unchanged(app, db, staff_client):
    client = staff_client("organiser")
    congress, _a = _edition(db)

    data = client.get("/api/v1/stats").get_json()

    assert set(data) == {"congress", "registrations", "checked_in", "workshops"}
    assert data["congress"]["id"] == congress.id
    assert data["checked_in"] == {"day-1": 2, "day-2": 2, "ws-1": 1}


# --- certificates ----------------------------------------------------------------------------


def _past_edition(db, *, days_ago=3):
    congress = factories.congress(starts_on=date.today() - timedelta(days=days_ago + 1), days=2)
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, title="Patenschaften stärken")
    gate = factories.checkpoint(congress, code="day-1", day=congress.starts_on)
    room = factories.checkpoint(congress, code="ws", day=congress.starts_on, session_id=workshop.id)
    person = factories.registration(congress, first_name="Şebnem", last_name="Yılmaz")
    db.session.add_all(
        [
            CheckIn(registration_id=person.id, checkpoint_id=gate.id),
            CheckIn(registration_id=person.id, checkpoint_id=room.id),
        ]
    )
    db.session.commit()
    return congress, person


def test_certificate_lists_the_days_and_workshops_checked_in(app, db, client, tmp_path):
    congress, person = _past_edition(db)

    response = client.get(f"/r/{person.manage_token}/certificate.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "Teilnahmebescheinigung" in text
    assert "Şebnem Yılmaz" in text
    assert "Patenschaften stärken" in text
    assert str(congress.starts_on.day) in text
    second_day = congress.ends_on.strftime("%-d. ")
    assert text.count(second_day) <= 1  # the second day was not attended: only in the date range


def test_certificate_is_refused_before_the_congress_is_over(app, db, client):
    congress = factories.congress(starts_on=factories.venue_today(), days=1)
    gate = factories.checkpoint(congress)
    person = factories.registration(congress)
    db.session.add(CheckIn(registration_id=person.id, checkpoint_id=gate.id))
    db.session.commit()

    response = client.get(f"/r/{person.manage_token}/certificate.pdf?lang=en")

    assert response.status_code == 409
    assert "available after the congress" in response.get_data(as_text=True)


def test_certificate_is_refused_without_any_check_in(app, db, client):
    congress, _person = _past_edition(db)
    absent = factories.registration(congress)
    db.session.commit()

    response = client.get(f"/r/{absent.manage_token}/certificate.pdf?lang=en")

    assert response.status_code == 409
    assert "no check-in" in response.get_data(as_text=True)


def test_unknown_token_gets_404_for_the_certificate(app, db, client):
    assert client.get("/r/not-a-token/certificate.pdf").status_code == 404
    assert client.get(f"/r/{'x' * 43}/certificate.pdf").status_code == 404


def test_manage_page_section_offers_the_certificate_only_when_available(app, db):
    _congress, person = _past_edition(db)
    future = factories.congress(current=False)
    later = factories.registration(future)
    db.session.commit()

    with app.test_request_context("/"):
        sections = manage.sections(person)
        none = manage.sections(later)

    assert any(f"/r/{person.manage_token}/certificate.pdf" in s for s in sections)
    assert not any("certificate.pdf" in s for s in none)


def test_organisation_batch_has_one_page_per_attendee_who_came(app, db, staff_client, tmp_path):
    congress, person = _past_edition(db)
    carrier = factories.carrier("Träger A")
    person.carrier_id = carrier.id
    second = factories.registration(congress, carrier_id=carrier.id, last_name="Zweite")
    factories.registration(congress, carrier_id=carrier.id, last_name="Nichtda")
    gate = (
        db.session.execute(
            select(CheckIn.checkpoint_id).where(CheckIn.registration_id == person.id)
        )
        .scalars()
        .first()
    )
    db.session.add(CheckIn(registration_id=second.id, checkpoint_id=gate))
    db.session.commit()
    client = staff_client("coordinator", organisation_id=carrier.id)

    response = client.get(f"/admin/certificates/organisation/{carrier.id}.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert text.count("Teilnahmebescheinigung") == 2
    assert "Zweite" in text and "Nichtda" not in text
    pages = subprocess.run(
        ["pdfinfo", str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "Pages:           2" in pages


# --- networking directory --------------------------------------------------------------------


def _listed(db, congress, name, *, region="", topics="", **fields):
    person = factories.registration(congress, last_name=name, **fields)
    directory.opt_in(person, region, topics, now=utcnow())
    return person


def test_directory_is_closed_to_unconfirmed_attendees(app, db, client):
    congress = factories.congress()
    waiting = factories.registration(congress, status="waitlisted")
    db.session.commit()

    assert client.get(f"/r/{waiting.manage_token}/directory").status_code == 403
    assert client.get(f"/r/{'a' * 43}/directory").status_code == 404


def test_directory_shows_only_listed_confirmed_people_of_the_same_congress(app, db, client):
    congress = factories.congress()
    caritas = factories.carrier("Caritas")
    me = _listed(db, congress, "Ich")
    _listed(
        db, congress, "Sprachfrau", region="Kassel", topics="Sprache, Sport", carrier_id=caritas.id
    )
    _listed(db, congress, "Sportmann", region="Berlin", topics="Sport")
    factories.registration(congress, last_name="Ungelistet")
    other = factories.congress(current=False)
    _listed(db, other, "Anderswo")
    gone = _listed(db, congress, "Storniert")
    gone.status = "cancelled"
    db.session.commit()

    page = client.get(f"/r/{me.manage_token}/directory").get_data(as_text=True)
    by_topic = client.get(f"/r/{me.manage_token}/directory?topic=sprache").get_data(as_text=True)
    by_region = client.get(f"/r/{me.manage_token}/directory?region=berl").get_data(as_text=True)
    by_org = client.get(f"/r/{me.manage_token}/directory?organisation={caritas.id}").get_data(
        as_text=True
    )

    assert "Sprachfrau" in page and "Sportmann" in page
    for hidden in ("Ungelistet", "Anderswo", "Storniert", "person"):
        assert hidden not in page.split('id="search-title"')[1]
    assert "Sprachfrau" in by_topic and "Sportmann" not in by_topic
    assert "Sportmann" in by_region and "Sprachfrau" not in by_region
    assert "Sprachfrau" in by_org and "Sportmann" not in by_org


def test_opting_in_and_out_through_the_manage_link(app, db, client):
    congress = factories.congress()
    person = factories.registration(congress)
    db.session.commit()

    client.post(
        f"/r/{person.manage_token}/directory/opt-in", data={"region": "Hessen", "topics": "Sport"}
    )
    profile = db.session.execute(select(DirectoryProfile)).scalar_one()
    assert (profile.registration_id, profile.region, profile.topics) == (
        person.id,
        "Hessen",
        "Sport",
    )

    client.post(f"/r/{person.manage_token}/directory/opt-out")

    assert _count(db, DirectoryProfile) == 0
    actions = db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions == ["directory.opted_in", "directory.opted_out"]


def test_manage_page_section_offers_the_directory_to_confirmed_attendees(app, db):
    congress = factories.congress()
    person = factories.registration(congress)
    pending = factories.registration(congress, status="pending")
    db.session.commit()

    with app.test_request_context("/"):
        sections = manage.sections(person)
        none = manage.sections(pending)

    assert any(f"/r/{person.manage_token}/directory/opt-in" in s for s in sections)
    assert none == []


def test_contact_request_is_relayed_without_the_senders_address(app, db, client, smtp):
    congress = factories.congress()
    sender = _listed(db, congress, "Absender", email="absender@example.org")
    recipient = _listed(db, congress, "Empfaengerin", email="empf@example.org", language="en")
    db.session.commit()
    profile_id = db.session.execute(
        select(DirectoryProfile.id).where(DirectoryProfile.registration_id == recipient.id)
    ).scalar_one()

    response = client.post(
        f"/r/{sender.manage_token}/directory/{profile_id}/contact",
        data={"message": "Lust auf Austausch zu Sprachpatenschaften?"},
    )
    from conference.core.mail import deliver_pending

    deliver_pending()

    assert response.status_code == 303
    mail = smtp.wait(1)[0]
    body = mail.get_body(("plain",)).get_content()
    assert mail["To"] == "empf@example.org"
    assert mail["Reply-To"] is None
    assert "absender@example.org" not in mail.as_string()
    assert "Lust auf Austausch zu Sprachpatenschaften?" in body
    assert f"/r/{recipient.manage_token}/directory" in body


def test_contact_request_includes_the_address_only_when_the_sender_agrees(app, db, client):
    congress = factories.congress()
    sender = _listed(db, congress, "Absender", email="absender@example.org")
    _listed(db, congress, "Empfaengerin")
    db.session.commit()
    profile_id = (
        db.session.execute(select(DirectoryProfile.id).order_by(DirectoryProfile.id.desc()))
        .scalars()
        .first()
    )

    client.post(
        f"/r/{sender.manage_token}/directory/{profile_id}/contact",
        data={"message": "Hallo", "share_email": "y"},
    )

    mail = db.session.execute(select(OutboxMail)).scalar_one()
    assert "absender@example.org" in mail.body_text
    assert mail.reply_to is None


def test_only_listed_attendees_may_send_contact_requests(app, db, client):
    congress = factories.congress()
    lurker = factories.registration(congress)
    _listed(db, congress, "Empfaengerin")
    db.session.commit()
    profile_id = db.session.execute(select(DirectoryProfile.id)).scalar_one()

    response = client.post(
        f"/r/{lurker.manage_token}/directory/{profile_id}/contact?lang=en", data={"message": "Hi"}
    )

    assert response.status_code == 403
    assert "join the directory first" in response.get_data(as_text=True)
    assert _count(db, OutboxMail) == 0


def test_sixth_contact_request_in_a_day_is_refused(app, db, client):
    congress = factories.congress()
    sender = _listed(db, congress, "Vielschreiber")
    targets = [_listed(db, congress, f"Ziel{i}") for i in range(6)]
    db.session.commit()
    ids = dict(
        db.session.execute(select(DirectoryProfile.registration_id, DirectoryProfile.id)).all()
    )

    statuses = [
        client.post(
            f"/r/{sender.manage_token}/directory/{ids[t.id]}/contact?lang=en",
            data={"message": f"Nachricht {i}"},
        ).status_code
        for i, t in enumerate(targets)
    ]

    assert statuses == [303] * 5 + [429]
    assert _count(db, ContactRequest) == 5
    assert _count(db, OutboxMail) == 5


def test_old_contact_requests_do_not_count_against_the_limit(app, db):
    congress = factories.congress()
    sender = _listed(db, congress, "Gestern")
    target = _listed(db, congress, "Ziel")
    profile = directory.profile_of(target)
    yesterday = utcnow() - timedelta(hours=25)
    for _ in range(5):
        db.session.add(
            ContactRequest(
                sender_id=sender.id, recipient_id=target.id, message="x", created_at=yesterday
            )
        )
    db.session.flush()

    directory.send_contact_request(sender, profile.id, "Heute", share_email=False, now=utcnow())

    assert _count(db, ContactRequest) == 6


def test_parallel_contact_requests_never_exceed_the_limit(app, db):
    congress = factories.congress()
    sender = _listed(db, congress, "Parallel")
    targets = [_listed(db, congress, f"Ziel{i}") for i in range(8)]
    db.session.commit()
    sender_id = sender.id
    profile_ids = [directory.profile_of(t).id for t in targets]
    db.session.commit()  # end the reading transaction: on SQLite it holds the write lock
    results = []
    barrier = threading.Barrier(8)

    def send(profile_id):
        with app.app_context():
            barrier.wait()
            try:
                me = db.session.get(Registration, sender_id)
                directory.send_contact_request(
                    me, profile_id, "Hallo", share_email=False, now=utcnow()
                )
                db.session.commit()
                results.append("ok")
            except directory.TooManyRequests:
                db.session.rollback()
                results.append("limit")
            except Exception as error:  # noqa: BLE001 - reported in the assertion below
                db.session.rollback()
                results.append(type(error).__name__)

    threads = [threading.Thread(target=send, args=(p,)) for p in profile_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.expire_all()
    assert sorted(results) == ["limit"] * 3 + ["ok"] * 5
    assert _count(db, ContactRequest) == 5


# --- privacy ---------------------------------------------------------------------------------


def test_export_json_holds_everything_about_the_person_but_no_tokens(app, db, staff_client):
    client = staff_client("organiser")
    congress, person = _edition(db)
    directory.opt_in(person, "Kassel", "Sport", now=utcnow())
    db.session.commit()

    response = client.get(f"/admin/privacy/registrations/{person.id}/export.json")

    assert response.status_code == 200
    data = json.loads(response.data)
    assert data["registration"]["first_name"] == "Jürgen"
    assert data["registration"]["carrier_organisation"] == "Caritas"
    assert data["registration"]["days"] == ["2026-03-10", "2026-03-11"]
    assert [s["workshop"] for s in data["workshop_seats"]] == ["Sprachpatenschaften"]
    assert len(data["check_ins"]) == 3
    assert data["directory_profile"]["region"] == "Kassel"
    assert person.manage_token not in response.get_data(as_text=True)
    assert person.badge_token not in response.get_data(as_text=True)
    assert db.session.execute(
        select(AuditLog.action).where(AuditLog.action == "registration.exported")
    ).scalar_one()


def test_erasure_removes_personal_data_but_keeps_the_statistics(app, db, staff_client):
    client = staff_client("organiser")
    congress, person = _edition(db)
    directory.opt_in(person, "Kassel", "Sport", now=utcnow())
    db.session.commit()
    old_tokens = (person.manage_token, person.calendar_token, person.badge_token)
    person_id = person.id
    with app.test_request_context("/?lang=en"):
        before = {f.key: f.rows for f in services.dashboard_figures(congress)}

    refused = client.post(f"/admin/privacy/registrations/{person_id}/erase", data={})
    assert refused.status_code == 400 and _count(db, DirectoryProfile) == 1
    response = client.post(f"/admin/privacy/registrations/{person_id}/erase", data={"confirm": "y"})

    assert response.status_code == 303
    db.session.expire_all()
    erased = db.session.get(Registration, person_id)
    assert (erased.first_name, erased.email) == ("–", f"erased-{person_id}@invalid")
    assert erased.anonymised_at is not None
    assert not {erased.manage_token, erased.calendar_token, erased.badge_token} & set(old_tokens)
    assert (erased.status, erased.carrier.name, erased.diet) == ("confirmed", "Caritas", "vegan")
    assert _count(db, DirectoryProfile) == 0
    with app.test_request_context("/?lang=en"):
        after = {f.key: f.rows for f in services.dashboard_figures(congress)}
    assert after == before
    assert client.get(f"/r/{old_tokens[0]}/certificate.pdf").status_code == 404


def _every_stored_text(db) -> str:
    """Every text, JSON and binary value of every table, lower-cased, as one string."""
    from sqlalchemy import JSON, LargeBinary, String

    chunks = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | JSON | LargeBinary)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for value in row:
                if isinstance(value, bytes):
                    chunks.append(value.decode("utf-8", "replace"))
                elif isinstance(value, str):
                    chunks.append(value)
                elif value is not None:
                    chunks.append(json.dumps(value, ensure_ascii=False))
    return "\n".join(chunks).lower()


def test_after_an_erasure_name_and_address_are_nowhere_in_the_database(
    app, db, client, staff_client, scanner_client, smtp
):
    from conference.checkin import services as checkin

    congress = factories.congress()
    checkin.ensure_checkpoints(congress)
    person = _listed(
        db,
        congress,
        "Quonk",
        first_name="Zyxwer",
        email="zyx.quonk@example.org",
        organisation_other="Zyxwer-Quonk-Stiftung",
        diet_notes="Quonk",
    )
    friend = _listed(db, congress, "Freundin", email="friend@example.org")
    db.session.commit()
    profiles = dict(
        db.session.execute(select(DirectoryProfile.registration_id, DirectoryProfile.id)).all()
    )
    # Mails to and from them, a scan answer quoting them, audited changes.
    client.post("/register/lost-link", data={"email": "zyx.quonk@example.org"})
    client.post(
        f"/r/{person.manage_token}/directory/{profiles[friend.id]}/contact",
        data={"message": "Grüße von Zyxwer Quonk", "share_email": "y"},
    )
    client.post(
        f"/r/{friend.manage_token}/directory/{profiles[person.id]}/contact",
        data={"message": "Hallo Zyxwer!"},
    )
    scan = {"token": person.badge_token, "checkpoint": "day-1", "nonce": "scan-1"}
    assert scanner_client.post("/api/v1/checkin/scan", json=scan).get_json()["attendee"]
    organiser = staff_client("organiser")
    organiser.post(
        f"/admin/registrations/{person.id}/edit",
        data={"first_name": "Zyxwer", "last_name": "Quonk-Neu"},
    )
    before = _every_stored_text(db)
    assert "zyxwer" in before and "zyx.quonk@example.org" in before

    erased = organiser.post(
        f"/admin/privacy/registrations/{person.id}/erase", data={"confirm": "y"}
    )
    replay = scanner_client.post("/api/v1/checkin/scan", json=scan).get_json()

    assert erased.status_code == 303
    db.session.expire_all()
    stored = _every_stored_text(db)
    for trace in ("zyxwer", "quonk", "zyx.quonk@example.org"):
        assert trace not in stored, trace
    assert "attendee" not in replay
    assert "friend@example.org" in stored  # the other person's data stays
    assert _count(db, CheckIn) == 1


def test_anonymise_purges_old_scan_answers_whatever_congress_is_anonymised(app, db):
    from conference.checkin.models import ScanRecord

    congress = factories.congress()
    person = factories.registration(congress, first_name="Jüngst")
    now = utcnow()
    db.session.add_all(
        [
            ScanRecord(
                device="token:1",
                nonce="old",
                at=now - timedelta(days=4),
                response={"result": "ok"},
                registration_id=person.id,
            ),
            ScanRecord(
                device="token:1",
                nonce="today",
                at=now - timedelta(hours=2),
                response={"result": "ok"},
            ),
        ]
    )
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["anonymise", "--dry-run"])
    kept = _count(db, ScanRecord)
    result = runner.invoke(args=["anonymise"])

    assert "Would delete 1 stored scan answers older than 3 days." in dry.output
    assert kept == 2
    assert result.exit_code == 0, result.output
    assert "Deleted 1 stored scan answers older than 3 days." in result.output
    assert "Nothing to anonymise." in result.output
    assert db.session.execute(select(ScanRecord.nonce)).scalars().all() == ["today"]
    db.session.expire_all()
    assert db.session.get(Registration, person.id).first_name == "Jüngst"


def test_privacy_page_finds_people_and_is_for_organisers(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    factories.registration(congress, first_name="Małgorzata", last_name="Wiśniewska")
    db.session.commit()

    page = client.get("/admin/privacy?q=wiśniew").get_data(as_text=True)

    assert "Małgorzata Wiśniewska" in page


def test_door_staff_cannot_open_the_privacy_page(app, db, staff_client):
    factories.congress()
    db.session.commit()

    assert staff_client("checkin").get("/admin/privacy").status_code == 403


def test_retention_setting_is_saved_and_validated(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    db.session.commit()

    refused = client.post("/admin/privacy/retention", data={"retention_months": "0"})
    assert refused.status_code == 400
    assert "zwischen 1 und 240" in refused.get_data(as_text=True)
    assert db.session.get(Congress, congress.id).retention_months == 24
    client.post("/admin/privacy/retention", data={"retention_months": "12"})

    db.session.expire_all()
    assert db.session.get(Congress, congress.id).retention_months == 12


def test_anonymise_command_handles_only_congresses_past_their_retention(app, db):
    old = factories.congress(
        starts_on=date.today() - timedelta(days=800), current=False, slug="alt"
    )
    recent = factories.congress(starts_on=date.today() - timedelta(days=40), slug="neu")
    gate = factories.checkpoint(old)
    veteran = factories.registration(old, first_name="Alt", email="alt@example.org")
    factories.registration(recent, first_name="Neu", email="neu@example.org")
    db.session.add(CheckIn(registration_id=veteran.id, checkpoint_id=gate.id))
    from conference.checkin.models import ScanRecord
    from conference.core import audit

    audit.record("registration.updated", veteran, actor="x", last_name="Alt-Name")
    scanned = datetime.combine(old.starts_on, datetime.min.time(), tzinfo=UTC)
    db.session.add(
        ScanRecord(device="token:1", nonce="n1", at=scanned, response={"attendee": {"name": "Alt"}})
    )
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["anonymise", "--dry-run"])
    assert dry.exit_code == 0 and "Would anonymise 1 registrations of" in dry.output
    assert db.session.execute(
        select(Registration.first_name).order_by(Registration.id)
    ).scalars().all() == ["Alt", "Neu"]

    result = runner.invoke(args=["anonymise"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.execute(
        select(Registration.first_name).order_by(Registration.id)
    ).scalars().all() == ["–", "Neu"]
    assert db.session.get(Congress, old.id).anonymised_at is not None
    assert services.registration_counts(old)["confirmed"] == 1
    assert _count(db, CheckIn) == 1
    assert _count(db, ScanRecord) == 0
    details = db.session.execute(
        select(AuditLog.details).where(AuditLog.action == "registration.updated")
    ).scalar_one()
    assert details == {}
    again = runner.invoke(args=["anonymise"])
    assert "Nothing to anonymise." in again.output


def test_anonymise_command_takes_the_months_from_the_option(app, db):
    recent = factories.congress(starts_on=date.today() - timedelta(days=70), slug="kurz")
    factories.registration(recent, first_name="Kurz")
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["anonymise", "--months", "1"])

    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.execute(select(Registration.first_name)).scalar_one() == "–"


def test_months_before_clamps_to_the_end_of_the_month():
    assert privacy.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert privacy.months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)


# --- audit log -------------------------------------------------------------------------------


def test_audit_log_viewer_filters_and_pages(app, db, staff_client):
    client = staff_client("organiser")
    from conference.core import audit

    for i in range(60):
        audit.record("badges.printed", actor="anna@example.org", count=i)
    audit.record("organisation.merged", actor="bob@example.org", source_name="Dublette")
    db.session.commit()

    first = client.get("/admin/audit?lang=en").get_data(as_text=True)
    second = client.get("/admin/audit?lang=en&page=2").get_data(as_text=True)
    merged = client.get("/admin/audit?action=organisation&lang=en").get_data(as_text=True)
    by_actor = client.get("/admin/audit?actor=BOB&lang=en").get_data(as_text=True)

    assert "61 entries" in first and "Page 1 of 2" in first
    assert "merged the duplicate “Dublette”" in first  # newest first
    assert "Page 2 of 2" in second and "anna@example.org printed 0 badges." in second
    assert "1 entry" in merged and "Dublette" in merged
    assert "1 entry" in by_actor
    assert client.get("/admin/audit?since=kaputt&page=x").status_code == 200


def _visible(page: str) -> str:
    """The words a person reads: no tags, no attribute values."""
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_audit_log_reads_as_sentences_with_the_staff_members_name(app, db, staff_client):
    from conference.core import audit

    client = staff_client("organiser")
    client.user.name = "Anna Berg"
    congress = factories.congress()
    person = factories.registration(congress, first_name="Amira", last_name="Haddad")
    phase = factories.phase(congress, name="Workshops am Nachmittag")
    session = factories.session(congress, title="Eröffnung")
    db.session.flush()
    audit.record("badges.printed", actor=client.user, congress_id=congress.id, count=245)
    audit.record(
        "workshops.allocated",
        phase,
        actor=client.user,
        seed=7,
        fill_remaining=False,
        ranks={"1": 116, "2": 1},
        filled_by_rule=0,
        unplaced=2,
    )
    audit.record("agenda.session_updated", session, actor=client.user, fields=["ends_at", "title"])
    audit.record("registration.cancelled", person, actor="attendee", previous="confirmed")
    audit.record("registration.promoted", person, actor="system")
    audit.record("checkin.undo", person, actor="Einlass Nord", checkpoint="day-1")
    db.session.commit()

    page = _visible(client.get("/admin/audit").get_data(as_text=True))

    assert "Anna Berg hat 245 Namensschilder gedruckt." in page
    assert (
        "Anna Berg hat die Zuteilung für „Workshops am Nachmittag“ festgeschrieben: 116 Personen"
        " bekamen Wahl 1; 1 Person bekam Wahl 2; 2 Personen bekamen keinen Workshop." in page
    )
    assert "Anna Berg hat den Programmpunkt „Eröffnung“ geändert: Ende, Titel." in page
    assert "Amira Haddad hat die Anmeldung storniert (Status vorher: Bestätigt)." in page
    assert "Amira Haddad ist von der Warteliste nachgerückt und hat einen Platz." in page
    assert "Gerät „Einlass Nord“ hat das Einchecken von Amira Haddad" in page
    for raw in ("badges.printed", "ranks", "{", "[", "ends_at", "attendee", "Registration"):
        assert raw not in page


def test_an_entry_of_an_unexpected_shape_does_not_break_the_log(app, db, staff_client):
    from conference.core import audit

    client = staff_client("organiser")
    audit.record("badges.printed", actor="demo", count="viele")
    audit.record("some.future_action", actor="demo")
    db.session.commit()

    response = client.get("/admin/audit")

    assert response.status_code == 200
    assert response.get_data(as_text=True).count("Die Demo-Einrichtung hat eine Änderung") == 2


def test_audit_log_names_the_congress_an_entry_is_about(app, db, staff_client):
    """Entries about a congress (anonymised, mail texts) name it: its namer answers with one
    query, and the page does not fail on it."""
    from conference.core import audit

    congress = factories.congress(title="Fachkongress 2019")
    audit.record("congress.anonymised", congress, actor="system", congress_id=congress.id, people=3)
    db.session.commit()

    response = staff_client("organiser").get("/admin/audit")

    assert response.status_code == 200
    assert "Fachkongress 2019" in response.get_data(as_text=True)


def test_every_audit_action_the_code_writes_reads_as_a_sentence(app):
    """Parse the code for ``audit.record("…")`` and ``action="…"`` (the agenda passes its
    action on): each must have a registered, translated sentence."""
    import ast
    from pathlib import Path

    from conference.core import audit

    written = set()
    for path in Path(app.root_path).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "record" and node.args:
                first = node.args[0]
                options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                written |= {o.value for o in options if isinstance(o, ast.Constant)}
            for keyword in node.keywords:
                if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                    written.add(keyword.value.value)

    assert len(written) > 50
    assert sorted(written - audit.known_actions()) == []


def test_audit_filter_offers_areas_and_kinds_of_object_in_words(app, db, staff_client):
    from conference.core import audit

    client = staff_client("organiser")
    client.user.name = "Bea Organisatorin"
    congress = factories.congress()
    person = factories.registration(congress, first_name="Jonas", last_name="Keller")
    audit.record("badges.printed", actor="demo", count=3)
    audit.record("registration.updated", person, actor=client.user, fields=["last_name"])
    db.session.commit()

    page = client.get("/admin/audit?action=registration").get_data(as_text=True)
    by_name = client.get("/admin/audit?actor=organisatorin").get_data(as_text=True)
    by_type = client.get("/admin/audit?object_type=Registration").get_data(as_text=True)

    assert '<option selected value="registration">Anmeldungen</option>' in page
    assert '<option value="Registration">Anmeldung</option>' in page
    assert "Bea Organisatorin hat bei Jonas Keller geändert: Nachname." in page
    assert "Namensschild" not in _visible(page).split("Filtern")[1]
    assert "1 Eintrag" in by_name and "1 Eintrag" in by_type


def test_registration_history_and_details_read_as_words(app, db, staff_client):
    client = staff_client("organiser")
    congress = factories.congress()
    person = factories.registration(
        congress, first_name="Amira", last_name="Haddad", language="de", source="staff"
    )
    db.session.commit()
    client.post(f"/admin/registrations/{person.id}/resend")

    page = _visible(client.get(f"/admin/registrations/{person.id}").get_data(as_text=True))

    assert "Sprache Deutsch" in page
    assert "(Vom Organisationsteam eingetragen)" in page
    assert "die E-Mail „Anmeldung bestätigt“ erneut geschickt." in page
    for raw in ("registration.", "attendee", ": de", "(staff)"):
        assert raw not in page


def test_staff_area_names_the_role_in_words(app, db, staff_client):
    client = staff_client("organiser")

    page = _visible(client.get("/staff").get_data(as_text=True))

    assert "(Organisationsteam)" in page
    assert "(organiser)" not in page


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/dashboard/report.pdf"])
def test_staff_pages_need_a_login(app, db, client, path):
    factories.congress()
    db.session.commit()

    assert client.get(path).status_code == 302


def test_certificate_time_uses_the_congress_time_zone(app, db):
    congress = factories.congress(starts_on=date(2026, 6, 1), days=1, timezone="Europe/Berlin")

    assert not services.congress_over(congress, datetime(2026, 6, 1, 21, 59, tzinfo=UTC))
    assert services.congress_over(congress, datetime(2026, 6, 1, 22, 0, tzinfo=UTC))


def test_audit_log_exports_the_filtered_entries(app, db, staff_client):
    client = staff_client("organiser")
    from conference.core import audit

    audit.record("badges.printed", actor="anna@example.org", count=3)
    audit.record("organisation.merged", actor="bob@example.org", source_name="=Dublette")
    db.session.commit()

    response = client.get("/admin/audit.xlsx?action=organisation&lang=en")

    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert len(rows) == 2
    assert rows[0] == ("When", "Who", "What happened", "Object type", "Number")
    assert rows[1][1] == "bob@example.org"
    assert rows[1][2].startswith("bob@example.org merged the duplicate “=Dublette” into")
    assert client.get("/admin/audit.pdf").status_code == 404


def test_directory_page_runs_the_same_queries_for_one_and_three_entries(
    app, db, client, count_queries
):
    congress = factories.congress()
    me = _listed(db, congress, "Ich")
    _listed(db, congress, "Eins", carrier_id=factories.carrier().id)
    db.session.commit()
    with app.app_context(), count_queries() as one:
        assert "Eins" in client.get(f"/r/{me.manage_token}/directory").get_data(as_text=True)
    for name in ("Zwei", "Drei"):
        _listed(db, congress, name, carrier_id=factories.carrier().id)
    db.session.commit()

    with app.app_context(), count_queries() as three:
        page = client.get(f"/r/{me.manage_token}/directory").get_data(as_text=True)

    assert "Drei" in page
    assert (len(one), len(three)) == (7, 7)  # incl. the organising body (header)


def test_audit_page_runs_the_same_queries_for_one_and_three_entries(
    app, db, staff_client, count_queries
):
    client = staff_client("organiser")
    from conference.core import audit

    audit.record("quota.set", actor="a", quota=1)
    db.session.commit()
    with app.app_context(), count_queries() as one:
        assert client.get("/admin/audit").status_code == 200
    for i in range(2):
        audit.record("quota.set", actor="a", quota=i)
    db.session.commit()

    with app.app_context(), count_queries() as three:
        assert client.get("/admin/audit").status_code == 200

    assert (len(one), len(three)) == (4, 4)  # incl. the organising body (header)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_directory_forms_carry_a_working_csrf_token(app, db, client):
    import re

    congress = factories.congress()
    person = factories.registration(congress)
    db.session.commit()
    page = client.get(f"/r/{person.manage_token}/directory").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    forged = client.post(f"/r/{person.manage_token}/directory/opt-in", data={"region": "X"})
    joined = client.post(
        f"/r/{person.manage_token}/directory/opt-in",
        data={"region": "Nordhessen", "topics": "", "csrf_token": token},
    )

    assert forged.status_code == 400
    assert joined.status_code == 303
    assert db.session.execute(select(DirectoryProfile.region)).scalar_one() == "Nordhessen"


def test_dashboard_and_report_of_a_past_edition(app, db, staff_client, tmp_path):
    client = staff_client("organiser")
    past, _a = _edition(db)
    past.is_current = False
    factories.congress(title="Fachkongress 2027", slug="fk27")
    db.session.commit()

    current = client.get("/admin/dashboard").get_data(as_text=True)
    chosen = client.get(f"/admin/dashboard?congress={past.id}").get_data(as_text=True)
    report = client.get(f"/admin/dashboard/report.pdf?congress={past.id}")
    export = client.get(f"/admin/dashboard/carriers.csv?congress={past.id}")

    assert "Caritas" not in current and "Caritas" in chosen
    assert f"report.pdf?congress={past.id}" in chosen
    assert "Caritas" in pdf_text(report.data, tmp_path)
    assert "Caritas;2" in export.data.decode("utf-8-sig")
    assert client.get("/admin/dashboard?congress=x").status_code == 400
    assert client.get("/admin/dashboard?congress=999").status_code == 404


def test_a_listed_person_gets_at_most_three_contact_mails_an_hour(app, db, client):
    congress = factories.congress()
    senders = [_listed(db, congress, f"Absender{i}") for i in range(4)]
    target = _listed(db, congress, "Beliebt")
    db.session.commit()
    profile = db.session.execute(
        select(DirectoryProfile.id).where(DirectoryProfile.registration_id == target.id)
    ).scalar_one()

    answers = [
        client.post(
            f"/r/{sender.manage_token}/directory/{profile}/contact",
            data={"message": "Hallo"},
        )
        for sender in senders
    ]

    assert [a.status_code for a in answers] == [303, 303, 303, 429]
    assert "gerade mehrere Nachrichten erhalten" in answers[-1].get_data(as_text=True)
    assert _count(db, ContactRequest) == 3
    assert _count(db, OutboxMail) == 3
