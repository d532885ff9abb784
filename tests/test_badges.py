"""Badges and tickets, read back from the PDFs: QR decoded by zbar, text by pdftotext."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from conference.attendee import mail as seat_mail
from conference.attendee import manage
from conference.badges import printing, services
from conference.core import mail
from conference.core.errors import DomainError
from conference.core.models import AuditLog
from conference.registration.models import BadgeRole, Registration, Status
from conference.workshops.models import WorkshopSeat
from tests import factories

A6_POINTS = "297.638 x 419.528"
A4_POINTS = "595.276 x 841.89"
NAMES = [
    ("Jürgen", "Groß"),
    ("Şebnem", "Yılmaz"),
    ("Małgorzata", "Wiśniewska"),
    ("Nguyễn", "Thị Lan"),
    ("محمد", "العلي"),
]
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


# --- reading PDFs back ---------------------------------------------------------------------------


def _write(tmp_path: Path, data: bytes, name: str = "out.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def pdf_text(tmp_path: Path, data: bytes) -> str:
    path = _write(tmp_path, data, "text.pdf")
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(tmp_path: Path, data: bytes) -> dict[str, str]:
    path = _write(tmp_path, data, "info.pdf")
    output = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, value in (line.split(":", 1) for line in output.splitlines() if ":" in line)
    }


def page_size(info: dict[str, str]) -> str:
    return re.match(r"[\d.]+ x [\d.]+", info["Page size"]).group(0)


def qr_codes_per_page(tmp_path: Path, data: bytes) -> list[list[str]]:
    """Render each page at 150 dpi (pdftoppm) and decode it with zbar, independently."""
    path = _write(tmp_path, data, "qr.pdf")
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(prefix)], check=True)
    pages = []
    for image in sorted(tmp_path.glob("page-*.png")):
        result = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
            capture_output=True,
            text=True,
        )
        pages.append(sorted(line for line in result.stdout.splitlines() if line))
        image.unlink()
    return pages


# --- arrange helpers -----------------------------------------------------------------------------


def people(congress, carrier=None, names=NAMES, **fields) -> list[Registration]:
    return [
        factories.registration(
            congress,
            first_name=first,
            last_name=last,
            carrier_id=carrier.id if carrier else None,
            **fields,
        )
        for first, last in names
    ]


# --- the badge PDF -------------------------------------------------------------------------------


def test_a6_badges_carry_each_token_as_qr_and_names_with_their_diacritics(app, db, tmp_path):
    congress = factories.congress()
    carrier = factories.carrier("Caritas Bundesverband", local_structures=1)
    people(congress, carrier, local_structure_id=carrier.local_structures[0].id)
    db.session.commit()
    registrations = services.select_for_print(congress)

    data = services.render_badges(registrations, "a6")

    info = pdf_info(tmp_path, data)
    text = pdf_text(tmp_path, data)
    assert page_size(info) == A6_POINTS
    assert info["Pages"] == "5"
    assert qr_codes_per_page(tmp_path, data) == [[r.badge_token] for r in registrations]
    for word in ["Jürgen", "Groß", "Şebnem", "Yılmaz", "Małgorzata", "Nguyễn", "Wiśniewska"]:
        assert word in text
    assert "محمد" in text or "دمحم" in text  # pdftotext may give right-to-left runs reversed
    assert "Caritas Bundesverband" in text
    assert carrier.local_structures[0].name in text
    assert "TEILNEHMENDE" in text  # the role band, in German (upper case by CSS)


def test_badges_are_sorted_by_last_name_with_umlauts_among_their_letters(app, db):
    congress = factories.congress()
    for last in ["Zander", "Özdemir", "ahrens", "Ahmadi", "Müller"]:
        factories.registration(congress, last_name=last)
    db.session.commit()

    registrations = services.select_for_print(congress)

    assert [r.last_name for r in registrations] == [
        "Ahmadi",
        "ahrens",
        "Müller",
        "Özdemir",
        "Zander",
    ]


def test_a4_sheets_hold_four_badges_each_and_every_code_scans(app, db, tmp_path):
    congress = factories.congress()
    people(congress)
    db.session.commit()
    registrations = services.select_for_print(congress)

    data = services.render_badges(registrations, "a4")

    info = pdf_info(tmp_path, data)
    assert page_size(info) == A4_POINTS
    assert info["Pages"] == "2"
    codes = qr_codes_per_page(tmp_path, data)
    assert [len(page) for page in codes] == [4, 1]
    assert sorted(codes[0] + codes[1]) == sorted(r.badge_token for r in registrations)


def test_a_large_run_is_laid_out_on_every_core_and_joined_in_order(app, db, tmp_path, monkeypatch):
    congress = factories.congress()
    people(congress)
    people(
        congress,
        names=[("Zofia", "Zielińska"), ("Ömer", "Özdemir"), ("Ann", "Ahrens"), ("Bo", "Berg")],
    )
    db.session.commit()
    registrations = services.select_for_print(congress)
    monkeypatch.setattr(printing, "PARALLEL_FROM", 2)
    monkeypatch.setattr(printing.os, "cpu_count", lambda: 2)
    stages = []

    data = services.render_badges(
        registrations, "a4", progress=lambda stage, n: stages.append((stage, n))
    )

    info = pdf_info(tmp_path, data)
    codes = qr_codes_per_page(tmp_path, data)
    assert len(services._parts(registrations, "a4")) == 2
    assert info["Pages"] == "3"
    assert [len(page) for page in codes] == [4, 4, 1]
    tokens = [r.badge_token for r in registrations]
    assert [sorted(page) for page in codes] == [sorted(tokens[i : i + 4]) for i in (0, 4, 8)]
    assert sum(n for stage, n in stages if stage == "layout") == 3


def test_a_two_hundred_character_name_wraps_on_one_badge_and_still_scans(app, db, tmp_path):
    congress = factories.congress()
    first = ("Anna-Maria Josefine " * 11)[:191] + " Erstende"
    last = ("von Hohenzollern-Sigmaringen " * 7)[:190] + " Letztende"
    person = factories.registration(congress, first_name=first, last_name=last)
    db.session.commit()

    data = services.render_badges([person], "a6")

    text = pdf_text(tmp_path, data)
    assert (len(first), len(last)) == (200, 200)
    assert pdf_info(tmp_path, data)["Pages"] == "1"
    assert "Erstende" in text and "Letztende" in text
    assert qr_codes_per_page(tmp_path, data) == [[person.badge_token]]


def test_long_names_get_smaller_type_than_short_ones():
    assert services.name_size("Ali") == 30
    assert services.name_size("Mariana-Kristina") < services.name_size("Ali")
    assert services.name_size("x" * 200) == 9


def test_back_side_lists_the_attendees_workshops(app, db, tmp_path):
    congress = factories.congress()
    phase = factories.phase(congress)
    workshop = factories.workshop(
        congress, phase, title="Tandems stärken", room_=factories.room(congress, name="Saal Spree")
    )
    person = factories.registration(congress, first_name="Jürgen", last_name="Groß")
    db.session.add(
        WorkshopSeat(registration_id=person.id, phase_id=phase.id, session_id=workshop.id)
    )
    db.session.commit()

    data = services.render_badges([person], "a6", back_side=True)

    text = pdf_text(tmp_path, data)
    assert pdf_info(tmp_path, data)["Pages"] == "2"
    assert "Tandems stärken" in text
    assert "Saal Spree" in text


@pytest.mark.parametrize("size", [1, 3])
def test_a_print_run_needs_the_same_queries_for_one_and_three_badges(app, db, count_queries, size):
    congress = factories.congress()
    phase = factories.phase(congress)
    workshop = factories.workshop(congress, phase, room_=factories.room(congress))
    carrier = factories.carrier(local_structures=1)
    for index in range(size):
        person = factories.registration(
            congress,
            carrier_id=carrier.id,
            local_structure_id=carrier.local_structures[0].id,
            badge_role=BadgeRole.SPEAKER if index else BadgeRole.ATTENDEE,
        )
        db.session.add(
            WorkshopSeat(registration_id=person.id, phase_id=phase.id, session_id=workshop.id)
        )
    db.session.commit()
    congress_id = congress.id
    db.session.expire_all()

    with count_queries() as queries:
        congress = db.session.get(type(congress), congress_id)
        chosen = services.select_for_print(congress)
        services.render_badges(chosen, "a6", back_side=True, congress=congress)

    assert len(chosen) == size
    # congress; registrations with carrier and local structure; their days; their seats; the
    # organising body (its logo and name on the badge)
    assert len(queries) == 5


# --- selection and refusals ----------------------------------------------------------------------


def test_filters_pick_organisation_role_day_and_not_yet_printed(app, db):
    congress = factories.congress(days=2)
    first_day, second_day = [d.day for d in congress.days]
    caritas, diakonie = factories.carrier("Caritas"), factories.carrier("Diakonie")
    a = factories.registration(congress, last_name="A", carrier_id=caritas.id, days=[first_day])
    b = factories.registration(
        congress, last_name="B", carrier_id=diakonie.id, badge_role=BadgeRole.PRESS
    )
    c = factories.registration(
        congress, last_name="C", carrier_id=caritas.id, days=[second_day], badge_printed_at=NOW
    )
    factories.registration(congress, last_name="D", carrier_id=caritas.id, status=Status.CANCELLED)
    db.session.commit()

    def names(**filters):
        return [r.last_name for r in services.select_for_print(congress, **filters)]

    assert names() == ["A", "B", "C"]
    assert names(organisation_id=caritas.id) == ["A", "C"]
    assert names(role=BadgeRole.PRESS) == ["B"]
    assert names(day=second_day) == ["B", "C"]
    assert names(not_printed=True) == ["A", "B"]
    assert services.count_for_print(congress, organisation_id=caritas.id) == 2
    assert {a.id, b.id, c.id} == {r.id for r in services.select_for_print(congress)}


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Status.CANCELLED, "storniert"),
        (Status.PENDING, "noch nicht bestätigt"),
        (Status.WAITLISTED, "Warteliste"),
    ],
)
def test_a_badge_for_a_registration_without_a_seat_is_refused_with_the_reason(
    app, db, staff_client, status, reason
):
    congress = factories.congress()
    person = factories.registration(congress, status=status, first_name="Jürgen", last_name="Groß")
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(f"/admin/badges/{person.id}.pdf")

    assert response.status_code == 409
    assert response.mimetype == "text/html"
    assert reason in response.get_data(as_text=True)
    assert "Jürgen Groß" in response.get_data(as_text=True)
    assert db.session.get(Registration, person.id).badge_printed_at is None


def test_an_empty_selection_says_so_instead_of_an_empty_pdf(app, db, staff_client):
    congress = factories.congress()
    factories.registration(congress, badge_role=BadgeRole.ATTENDEE)
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        "/admin/badges", data={"role": "press", "layout": "a6", "action": "download"}
    )

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Keine bestätigte Anmeldung passt zu dieser Auswahl" in response.get_data(as_text=True)


def test_the_print_form_rejects_garbage_filters_with_400(app, db, staff_client):
    factories.congress()
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        "/admin/badges", data={"organisation": "abc", "day": "1999-99-99", "layout": "a5"}
    )

    assert response.status_code == 400
    assert "form-errors" in response.get_data(as_text=True)


def test_a_non_confirmed_status_on_the_command_line_is_refused(app, db, tmp_path):
    congress = factories.congress()
    factories.registration(congress, status=Status.WAITLISTED)
    db.session.commit()
    output = tmp_path / "badges.pdf"

    result = app.test_cli_runner().invoke(args=["badges", str(output), "--status", "waitlisted"])

    assert result.exit_code == 1
    assert "nur für bestätigte Anmeldungen" in result.output
    assert not output.exists()


# --- organisers, desk, coordinators ------------------------------------------------------------


def test_organiser_downloads_a4_badges_and_they_are_recorded_as_printed(
    app, db, staff_client, tmp_path
):
    congress = factories.congress()
    carrier = factories.carrier("Caritas")
    people(congress, carrier, names=NAMES[:2])
    factories.registration(congress, last_name="Andere")  # no carrier: not selected
    db.session.commit()
    client = staff_client("organiser")

    response = client.post(
        "/admin/badges",
        data={
            "organisation": str(carrier.id),
            "layout": "a4",
            "mark_printed": "y",
            "action": "download",
        },
    )

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert page_size(pdf_info(tmp_path, response.data)) == A4_POINTS
    printed = db.session.execute(
        select(Registration.last_name).where(Registration.badge_printed_at.is_not(None))
    ).scalars()
    assert sorted(printed) == ["Groß", "Yılmaz"]
    assert services.count_for_print(congress, not_printed=True) == 1


def test_the_print_page_previews_the_count(app, db, staff_client):
    congress = factories.congress()
    people(congress, names=NAMES[:3])
    db.session.commit()
    client = staff_client("organiser")

    page = client.get("/admin/badges")
    preview = client.post("/admin/badges", data={"role": "press", "action": "preview"})

    assert page.status_code == 200
    assert "3 Namensschilder passen zu dieser Auswahl" in page.get_data(as_text=True)
    assert "0 Namensschilder passen" in preview.get_data(as_text=True)


@pytest.mark.parametrize("size", [1, 3])
def test_desk_search_lists_people_with_a_fixed_number_of_queries(
    app, db, staff_client, count_queries, size
):
    congress = factories.congress()
    carrier = factories.carrier()
    for index in range(size):
        factories.registration(congress, last_name=f"Yılmaz{index}", carrier_id=carrier.id)
    db.session.commit()
    client = staff_client("checkin")
    client.get("/admin/badges/desk?q=warmup")

    with count_queries() as queries:
        response = client.get("/admin/badges/desk?q=yılmaz")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("Namensschild drucken") == size
    # the user, the current congress, people with their carrier, the organising body (header)
    assert len(queries) == 4


def test_desk_prints_one_badge_for_a_walk_in_and_records_it(app, db, staff_client, tmp_path):
    congress = factories.congress()
    person = factories.registration(
        congress, first_name="Şebnem", last_name="Yılmaz", source="walk_in"
    )
    db.session.commit()
    client = staff_client("checkin")

    response = client.post(f"/admin/badges/{person.id}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert page_size(pdf_info(tmp_path, response.data)) == A6_POINTS
    assert qr_codes_per_page(tmp_path, response.data) == [[person.badge_token]]
    assert db.session.get(Registration, person.id).badge_printed_at is not None


def test_reissue_makes_a_new_code_and_the_old_badge_is_gone(app, db, staff_client, tmp_path):
    congress = factories.congress()
    person = factories.registration(congress, badge_printed_at=NOW)
    db.session.commit()
    old_token = person.badge_token
    client = staff_client("organiser")

    response = client.post(f"/admin/badges/{person.id}/reissue")

    db.session.expire_all()
    person = db.session.get(Registration, person.id)
    entry = db.session.execute(
        select(AuditLog).where(AuditLog.action == "badge.reissued")
    ).scalar_one()
    assert response.status_code == 302
    assert person.badge_token != old_token and len(person.badge_token) == 43
    assert (
        db.session.execute(
            select(Registration).where(Registration.badge_token == old_token)
        ).first()
        is None
    )
    assert person.badge_printed_at is None
    assert (entry.object_id, entry.actor_user_id) == (person.id, client.user.id)
    assert old_token not in str(entry.details) and person.badge_token not in str(entry.details)
    badge = client.get(f"/admin/badges/{person.id}.pdf")
    assert qr_codes_per_page(tmp_path, badge.data) == [[person.badge_token]]


def test_reissue_is_refused_for_a_cancelled_registration(app, db):
    congress = factories.congress()
    person = factories.registration(congress, status=Status.CANCELLED)
    token = person.badge_token

    with pytest.raises(DomainError) as refusal:
        services.reissue(person, now=NOW)

    assert refusal.value.status == 409
    assert person.badge_token == token


def test_coordinator_downloads_only_their_own_organisations_badges(app, db, staff_client, tmp_path):
    congress = factories.congress()
    own, other = factories.carrier("Eigene"), factories.carrier("Fremde")
    mine = people(congress, own, names=NAMES[:2])
    people(congress, other, names=NAMES[2:])
    db.session.commit()
    client = staff_client("coordinator", organisation_id=own.id)

    response = client.get("/organisation/badges.pdf?layout=a6")

    codes = qr_codes_per_page(tmp_path, response.data)
    assert response.status_code == 200
    assert sorted(c for page in codes for c in page) == sorted(r.badge_token for r in mine)
    with pytest.raises(DomainError) as refusal:
        services.select_for_print(congress, organisation_id=other.id, actor=client.user)
    assert refusal.value.status == 403


@pytest.mark.parametrize(
    ("role", "path", "method"),
    [
        ("coordinator", "/admin/badges", "get"),
        ("checkin", "/admin/badges", "get"),
        ("coordinator", "/admin/badges/1.pdf", "post"),
        ("coordinator", "/admin/badges/desk", "get"),
        ("organiser", "/organisation/badges.pdf", "get"),
    ],
)
def test_each_badge_page_is_closed_to_the_other_roles(app, db, staff_client, role, path, method):
    # One client per test: the app context of a test caches the first logged-in user.
    factories.congress()
    db.session.commit()
    client = staff_client(role)

    response = getattr(client, method)(path)

    assert response.status_code == 403


# --- command line --------------------------------------------------------------------------------


def test_badges_command_writes_an_a4_pdf_of_one_organisation(app, db, tmp_path):
    congress = factories.congress()
    carrier = factories.carrier()
    mine = people(congress, carrier, names=NAMES[:3])
    people(congress, factories.carrier(), names=NAMES[3:])
    db.session.commit()
    output = tmp_path / "out" / "badges.pdf"
    output.parent.mkdir()

    result = app.test_cli_runner().invoke(
        args=["badges", str(output), "--organisation", str(carrier.id), "--layout", "a4"]
    )

    data = output.read_bytes()
    assert result.exit_code == 0, result.output
    assert "3 badges (A4)" in result.output
    assert page_size(pdf_info(tmp_path, data)) == A4_POINTS
    assert sorted(qr_codes_per_page(tmp_path, data)[0]) == sorted(r.badge_token for r in mine)


def test_badges_command_with_nothing_to_print_says_so(app, db, tmp_path):
    factories.congress()
    db.session.commit()
    output = tmp_path / "badges.pdf"

    result = app.test_cli_runner().invoke(args=["badges", str(output)])

    assert result.exit_code == 1
    assert "nichts zu drucken" in result.output
    assert not output.exists()


def test_badges_command_shows_progress_bars_on_a_terminal(app, db, tmp_path, monkeypatch):
    from conference.badges import cli

    congress = factories.congress()
    people(congress)
    db.session.commit()
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)

    result = app.test_cli_runner().invoke(args=["badges", str(tmp_path / "b.pdf")])

    assert result.exit_code == 0, result.output
    assert "Preparing badges" in result.output
    assert "Laying out pages" in result.output


def test_unknown_registrations_are_404(app, db, staff_client):
    factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    assert organiser.get("/admin/badges/999999.pdf").status_code == 404
    assert organiser.post("/admin/badges/999999/reissue").status_code == 404


def test_an_unknown_layout_is_a_clear_400(app, db, staff_client):
    factories.congress()
    db.session.commit()
    coordinator = staff_client("coordinator")

    response = coordinator.get("/organisation/badges.pdf?layout=a3")

    assert response.status_code == 400
    assert "bitte A6 oder A4" in response.get_data(as_text=True)


def test_progress_reports_every_badge_and_every_page(app, db):
    congress = factories.congress()
    registrations = people(congress)
    steps = {"prepare": 0, "layout": 0}

    def progress(stage, step):
        steps[stage] += step

    services.render_badges(registrations, "a4", progress=progress)

    assert steps == {"prepare": 5, "layout": 2}


# --- ticket --------------------------------------------------------------------------------------


def test_ticket_is_one_a4_page_with_the_code_name_days_venue_and_agenda(app, db, client, tmp_path):
    congress = factories.congress(
        venue_name="Tagungszentrum Spree", venue_address="Uferstraße 12, 10557 Berlin"
    )
    factories.session(congress, title="Eröffnungsplenum", kind="plenary")
    factories.session(congress, title="Nicht auf dem Ticket", kind="forum")
    person = factories.registration(congress, first_name="Małgorzata", last_name="Wiśniewska")
    db.session.commit()

    response = client.get(f"/r/{person.manage_token}/ticket.pdf")

    text = pdf_text(tmp_path, response.data)
    info = pdf_info(tmp_path, response.data)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert (page_size(info), info["Pages"]) == (A4_POINTS, "1")
    assert qr_codes_per_page(tmp_path, response.data) == [[person.badge_token]]
    assert "Małgorzata Wiśniewska" in text
    assert "Uferstraße 12, 10557 Berlin" in text
    assert "Eröffnungsplenum" in text
    assert "Nicht auf dem Ticket" not in text


def test_ticket_link_is_404_for_unknown_tokens_and_409_before_confirmation(app, db, client):
    congress = factories.congress()
    pending = factories.registration(congress, status=Status.PENDING)
    db.session.commit()

    assert client.get("/r/" + "x" * 43 + "/ticket.pdf").status_code == 404
    assert client.get("/r/short/ticket.pdf").status_code == 404
    assert client.get(f"/r/{pending.manage_token}/ticket.pdf").status_code == 409


def test_confirmation_mail_carries_the_ticket(app, db, smtp, tmp_path):
    congress = factories.congress()
    person = factories.registration(congress, first_name="Jürgen", last_name="Groß")
    db.session.commit()

    attachments = seat_mail.attachments(person, "registration.confirmed")
    mail.queue(
        person.email, "Bestätigt", "Hallo", kind="registration.confirmed", attachments=attachments
    )
    db.session.commit()
    mail.deliver_pending()

    received = smtp.wait(1)[0]
    parts = list(received.iter_attachments())
    assert [(p.get_filename(), p.get_content_type()) for p in parts] == [
        ("ticket.pdf", "application/pdf")
    ]
    ticket = parts[0].get_content()
    assert qr_codes_per_page(tmp_path, ticket) == [[person.badge_token]]
    assert "Jürgen Groß" in pdf_text(tmp_path, ticket)


def test_other_mails_and_unconfirmed_people_get_no_ticket(app, db):
    congress = factories.congress()
    confirmed = factories.registration(congress)
    waiting = factories.registration(congress, status=Status.WAITLISTED)

    assert seat_mail.attachments(confirmed, "registration.cancelled") == []
    assert seat_mail.attachments(waiting, "registration.confirmed") == []


def test_manage_page_offers_the_ticket_once_confirmed(app, db):
    congress = factories.congress()
    confirmed = factories.registration(congress)
    pending = factories.registration(congress, status=Status.PENDING)

    with app.test_request_context():
        sections = manage.sections(confirmed)
        none = manage.sections(pending)

    tickets = [s for s in sections if "manage-ticket" in s]
    assert len(tickets) == 1
    assert f"/r/{confirmed.manage_token}/ticket.pdf" in tickets[0]
    assert "Ticket herunterladen" in tickets[0]
    assert none == []
