"""Organisers' mail texts (issue 17, points 5-7): every mail listed per edition and language,
edited with placeholders, refused when a placeholder is unknown or reaches for more, rendered in
a sandbox, previewed for a real registration, tested to oneself, reset to the default, and used
by the next mail of its kind in the registrant's language."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from conference.core.models import OutboxMail
from conference.mailtexts import registry, render, services
from conference.mailtexts.models import MailText
from conference.registration.models import Registration
from tests import factories
from tests.test_registration import form_data


def _edit_url(congress, kind="registration.confirm", language="de") -> str:
    return f"/admin/congresses/{congress.id}/mail-texts/{kind}/{language}"


def _save(client, congress, subject, body, kind="registration.confirm", language="de", **extra):
    return client.post(
        _edit_url(congress, kind, language),
        data={"subject": subject, "body": body, "action": "save", **extra},
    )


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def _stored(db) -> int:
    return db.session.execute(select(func.count()).select_from(MailText)).scalar_one()


# --- the "Done when" points -------------------------------------------------------------------


def test_a_confirm_mail_edited_to_hallo_first_name_arrives_with_the_name_filled_in(
    client, db, smtp, staff_client
):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    saved = _save(
        organiser,
        congress,
        "Bitte bestätigen: {congress}",
        "Hallo {first_name}, bitte bestätigen\n\n{confirm_link}",
    )
    client.post("/register", data=form_data(congress, first_name="Amira"))

    message = smtp.wait(1)[0]
    token = db.session.execute(select(Registration.confirm_token)).scalar_one()
    assert saved.status_code == 303
    assert message["Subject"] == f"Bitte bestätigen: {congress.title}"
    assert _plain(message).startswith("Hallo Amira, bitte bestätigen")
    assert f"/register/confirm/{token}" in _plain(message)
    assert "<p>Hallo Amira, bitte bestätigen</p>" in _html(message)
    assert f'<a href="http://kongress.test/register/confirm/{token}">' in _html(message)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hallo {password}", "Unbekannter Platzhalter {password}"),
        ("Hallo {{ config }}", "Doppelte geschweifte Klammern"),
        ("{% for x in config %}{% endfor %}", "Vorlagenbefehle"),
        ("Hallo {first_name.__class__}", "„{first_name.__class__}“ ist nicht möglich"),
        ("Hallo {first_name[0]}", "„{first_name[0]}“ ist nicht möglich"),
        ("Hallo {first_name!r}", "„{first_name!r}“ ist nicht möglich"),
        ("Hallo {first_name:>99}", "„{first_name:>99}“ ist nicht möglich"),
        ("Hallo {frist_name}", "Meinten Sie {first_name}?"),
        ("Hallo {0}", "Unbekannter Platzhalter {0}"),
        ("Hallo {}", "Leere Klammern {} sind kein Platzhalter"),
        ("Hallo {first_name", "nicht geschlossen"),
    ],
)
def test_a_text_that_reaches_beyond_its_placeholders_is_refused_beside_the_field(
    db, staff_client, body, expected
):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    response = _save(organiser, congress, "Betreff", body)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="body-error">(.*?)</p>', page, re.S)
    assert error is not None and expected in html.unescape(error.group(1))
    assert 'aria-describedby="body-hint body-error"' in page
    assert _stored(db) == 0


def test_a_subject_with_an_unknown_placeholder_is_refused_and_nothing_changes(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    _save(organiser, congress, "Hallo {first_name}", "Hallo {first_name}\n{confirm_link}")

    response = _save(organiser, congress, "Ihr {passwort}", "Neu {first_name}")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Unbekannter Platzhalter {passwort}" in page
    assert db.session.execute(select(MailText.subject, MailText.body)).one() == (
        "Hallo {first_name}",
        "Hallo {first_name}\n{confirm_link}",
    )


def test_the_sandbox_never_formats_anything_but_plain_strings():
    allowed = registry.kind("registration.confirm").names

    assert render.problems("Hallo {first_name}, {confirm_link}", allowed) == []
    assert render.problems("{first_name.__init__.__globals__}", allowed)
    assert render.problems("{confirm_link.__class__.__mro__[1]}", allowed)
    assert render.problems("{{ config.SECRET_KEY }}", allowed)
    assert render.problems("{position}", allowed)  # not a placeholder of this mail
    assert render.render("Hallo {first_name}", {"first_name": "{last_name}"}) == "Hallo {last_name}"


@pytest.mark.parametrize("kind", [kind.key for kind in registry.KINDS])
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_default_text_passes_its_own_check(app, kind, language):
    mail_kind = registry.kind(kind)
    text = services.default_text(mail_kind, language)

    assert services.check(mail_kind, text.subject, text.body) == {}
    assert services.warnings(mail_kind, text.body) == []
    assert render.used(text.body) <= set(mail_kind.names)


# --- languages, the next mail, attachments -----------------------------------------------------


def test_the_next_mail_uses_the_new_text_in_the_registrants_language(
    client, db, smtp, staff_client
):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    _save(
        organiser,
        congress,
        "Please confirm, {first_name}",
        "Dear {first_name} {last_name},\n\nplease confirm: {confirm_link}",
        language="en",
    )

    client.post("/register", data=form_data(congress, email="en@example.org", language="en"))
    client.post("/register", data=form_data(congress, email="de@example.org", language="de"))

    mails = {m["To"]: m for m in smtp.wait(2)}
    assert mails["en@example.org"]["Subject"] == "Please confirm, Anna"
    assert _plain(mails["en@example.org"]).startswith("Dear Anna Schmidt,")
    assert mails["de@example.org"]["Subject"] == "Bitte bestätigen Sie Ihre Anmeldung"
    assert _plain(mails["de@example.org"]).startswith("Guten Tag Anna Schmidt,")


def test_an_edited_confirmation_keeps_the_ticket_and_the_calendar_attached(
    app, db, smtp, staff_client
):
    from conference.core.mail import deliver_pending
    from conference.registration import services as registration_services

    congress = factories.congress()
    factories.session(congress, title="Eröffnung", kind="plenary")
    person = factories.registration(congress, status="pending", first_name="Jonas")
    db.session.commit()
    organiser = staff_client("organiser")
    _save(
        organiser,
        congress,
        "Sie sind dabei",
        "Hallo {first_name}, Sie sind dabei.\n{manage_link}",
        kind="registration.confirmed",
    )

    registration_services.confirm(person.confirm_token, now=person.created_at)
    db.session.commit()
    deliver_pending()

    message = smtp.wait(1)[0]
    attachments = {
        part.get_filename(): part.get_content_type() for part in message.iter_attachments()
    }
    assert message["Subject"] == "Sie sind dabei"
    assert _plain(message).startswith("Hallo Jonas, Sie sind dabei.")
    assert "application/pdf" in attachments.values()
    assert "text/calendar" in attachments.values()


def test_values_with_markup_are_escaped_in_the_html_part_and_a_subject_stays_one_line(app, db):
    congress = factories.congress(title="Kongress\nBcc: evil@example.org")
    person = factories.registration(congress, first_name='<b onclick="x">Eve</b>')
    db.session.commit()

    with app.test_request_context():
        mail = services.queue_mail(
            "registration.cancelled",
            congress=congress,
            recipient=person.email,
            language="de",
            values={
                **services.person_values(person),
                "manage_link": "https://x.example/r/a?b=1&c=2",
            },
        )

    assert "\n" not in mail.subject
    assert '<b onclick="x">' not in mail.body_html
    assert "&lt;b onclick=&#34;x&#34;&gt;Eve&lt;/b&gt;" in mail.body_html
    assert '<a href="https://x.example/r/a?b=1&amp;c=2">' in mail.body_html
    assert mail.body_html.startswith("<!doctype html>")


# --- the organisers' pages ---------------------------------------------------------------------


def test_every_mail_is_listed_per_language_with_its_state(db, staff_client):
    congress = factories.congress(title="Fachkongress 2027")
    db.session.commit()
    organiser = staff_client("organiser")
    _save(organiser, congress, "Warteliste", "Platz {position}", kind="registration.waitlisted")

    page = organiser.get("/admin/mail-texts").get_data(as_text=True)

    for kind in registry.KINDS:
        assert _edit_url(congress, kind.key, "de") in page
        assert _edit_url(congress, kind.key, "en") in page
    for name in (
        "Anmeldung bestätigen",
        "Auf der Warteliste",
        "Von der Warteliste nachgerückt",
        "Anmeldung storniert",
        "Link vergessen",
        "Workshop-Platz",
        "Ergebnis der Workshop-Zuteilung",
        "Kontaktanfrage aus dem Verzeichnis",
    ):
        assert name in page
    assert page.count("eigener Text, geändert am") == 1
    assert "Fachkongress 2027" in page


def test_the_edit_page_lists_the_placeholders_the_mail_offers(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    page = organiser.get(_edit_url(congress, "registration.waitlisted")).get_data(as_text=True)

    for name in (
        "first_name",
        "last_name",
        "congress",
        "dates",
        "venue",
        "manage_link",
        "position",
    ):
        assert f"<code>{{{name}}}</code>" in page
    assert "<code>{confirm_link}</code>" not in page
    assert "Platz auf der Warteliste" in page


def test_preview_shows_a_real_registration_without_its_keys(db, staff_client):
    congress = factories.congress(title="Fachkongress 2027")
    factories.registration(congress, first_name="Erste", last_name="Person")
    person = factories.registration(
        congress, first_name="Amira", last_name="Haddad", email="amira@example.org"
    )
    db.session.commit()
    organiser = staff_client("organiser")

    response = organiser.post(
        _edit_url(congress, "registration.confirmed"),
        data={
            "subject": "Bestätigt, {first_name}",
            "body": "Hallo {first_name} {last_name}!\n{manage_link}\n{dates}",
            "action": "preview",
            "sample": "haddad",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ausgefüllt für Amira Haddad (amira@example.org)." in page
    assert "Bestätigt, Amira" in page
    assert "Hallo Amira Haddad!" in page
    assert person.manage_token not in page
    assert "https://kongress.example.org/r/…" in page
    assert _stored(db) == 0  # a preview saves nothing


def test_preview_for_an_unknown_person_says_so_beside_the_field(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    response = organiser.post(
        _edit_url(congress),
        data={"subject": "S", "body": "{first_name}", "action": "preview", "sample": "niemand"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="sample-error">Keine Anmeldung dieses Kongresses passt zu „niemand“.' in page


def test_send_a_test_to_me_mails_the_preview_to_the_organisers_own_address(
    app, db, smtp, staff_client
):
    congress = factories.congress()
    factories.registration(congress, first_name="Amira", last_name="Haddad")
    db.session.commit()
    organiser = staff_client("organiser", email="orga@example.org")

    response = organiser.post(
        _edit_url(congress),
        data={"subject": "Bitte bestätigen", "body": "Hallo {first_name}", "action": "test"},
    )

    message = smtp.wait(1)[0]
    assert response.status_code == 200
    assert "Die Testmail ist unterwegs an orga@example.org." in response.get_data(as_text=True)
    assert message["To"] == "orga@example.org"
    assert message["Subject"] == "[Test] Bitte bestätigen"
    assert _plain(message).strip() == "Hallo Amira"
    assert _stored(db) == 0  # testing does not save


def test_reset_restores_the_default_which_is_todays_text(client, db, smtp, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    _save(organiser, congress, "Eigener Betreff", "Eigener Text {confirm_link}")

    reset = organiser.post(_edit_url(congress) + "/reset")
    page = organiser.get(_edit_url(congress)).get_data(as_text=True)
    client.post("/register", data=form_data(congress))

    message = smtp.wait(1)[0]
    assert reset.status_code == 303
    assert _stored(db) == 0
    assert "Das ist der Standardtext." in page
    assert message["Subject"] == "Bitte bestätigen Sie Ihre Anmeldung"
    assert "vielen Dank für Ihre Anmeldung zum" in _plain(message)


def test_saving_the_default_unchanged_keeps_the_default(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    default = services.default_text(registry.kind("registration.confirm"), "de")

    response = _save(organiser, congress, default.subject, default.body.replace("\n", "\r\n"))

    assert response.status_code == 303
    assert _stored(db) == 0


def test_a_confirm_text_without_its_link_is_saved_with_a_warning(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    response = _save(
        organiser, congress, "Bitte bestätigen", "Hallo {first_name}, bitte bestätigen"
    )
    page = organiser.get(response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 303
    assert _stored(db) == 1
    assert "Der Text enthält {confirm_link} nicht" in page


def test_unknown_mails_and_languages_answer_404(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")

    assert organiser.get(_edit_url(congress, "registration.nope")).status_code == 404
    assert organiser.get(_edit_url(congress, "registration.confirm", "fr")).status_code == 404
    assert organiser.get(f"/admin/congresses/{congress.id + 1}/mail-texts").status_code == 404


def test_coordinators_and_door_staff_may_not_edit_mail_texts(db, staff_client):
    congress = factories.congress()
    db.session.commit()

    for role in ("coordinator", "checkin"):
        client = staff_client(role)
        assert client.get("/admin/mail-texts").status_code == 403
        assert _save(client, congress, "S", "{first_name}").status_code == 403
    assert _stored(db) == 0


def test_editing_is_in_the_audit_log(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser", email="orga@example.org")
    _save(organiser, congress, "S", "{first_name} {confirm_link}")
    organiser.post(_edit_url(congress) + "/reset")

    page = organiser.get("/admin/audit").get_data(as_text=True)

    assert "hat den Mailtext „Anmeldung bestätigen (Deutsch)“ geändert." in page
    assert (
        "hat den Mailtext „Anmeldung bestätigen (Deutsch)“ auf den Standardtext zurückgesetzt."
        in page
    )


# --- the other senders -------------------------------------------------------------------------


def test_workshop_and_directory_mails_use_the_organisers_texts(app, db, smtp, staff_client):
    from conference.reports import directory

    congress = factories.congress()
    sender = factories.registration(congress, first_name="Jonas", last_name="Keller")
    recipient = factories.registration(congress, first_name="Amira", language="en")
    directory.opt_in(sender, "Köln", "Mentoring", now=sender.created_at)
    profile = directory.opt_in(recipient, "Berlin", "Tandems", now=sender.created_at)
    db.session.commit()
    organiser = staff_client("organiser")
    _save(
        organiser,
        congress,
        "Post from {sender}",
        "Hi {first_name}: {message}\n{directory_link}",
        kind="reports.contact",
        language="en",
    )

    with app.test_request_context():
        directory.send_contact_request(
            sender, profile.id, "Let us talk", share_email=False, now=sender.created_at
        )
    db.session.commit()
    mail = db.session.execute(select(OutboxMail)).scalar_one()

    assert mail.subject == "Post from Jonas Keller"
    assert mail.body_text.startswith("Hi Amira: Let us talk\n")
    assert f"/r/{recipient.manage_token}/directory" in mail.body_text
    assert mail.kind == "reports.contact"


def test_copying_an_edition_copies_its_mail_texts(db, staff_client):
    source = factories.congress()
    target = factories.congress(current=False)
    db.session.commit()
    organiser = staff_client("organiser")
    _save(organiser, source, "Eigener Betreff", "Eigener Text {confirm_link}")

    copied = services.copy_mail_texts(source, target)
    again = services.copy_mail_texts(source, target)
    db.session.commit()

    assert (copied, again) == (1, 0)
    assert (
        services.current_text(target.id, "registration.confirm", "de").subject == "Eigener Betreff"
    )
    assert services.current_text(target.id, "registration.confirm", "en").custom is False
