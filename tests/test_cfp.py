"""The call for contributions over HTTP: the organisers' call, the public form with double
opt-in and the personal link, reviews, decisions and their release (issue 19)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference.cfp import services
from conference.cfp.models import Call, Review, Submission, SubmissionStatus
from conference.core.models import OutboxMail
from conference.core.time import utcnow
from conference.questions.models import Question
from conference.questions.services import QuestionData
from tests import factories

# --- helpers ------------------------------------------------------------------------------------


class _Fields(HTMLParser):
    """Label text -> the name (and for radios/options, the value) of the field it labels."""

    def __init__(self):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.labels: list[tuple[str, str]] = []
        self._label_for = None
        self._text = ""
        self._select = None
        self._option = None
        self.options: dict[str, dict[str, str]] = {}
        self.defaults: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea", "select") and "id" in attrs:
            self.by_id[attrs["id"]] = attrs
        if tag == "input" and attrs.get("type") in ("radio", "checkbox") and "checked" in attrs:
            self.defaults[attrs["name"]] = attrs.get("value", "y")  # what the page preselects
        if tag == "select":
            self._select = attrs.get("name")
            self.options[self._select] = {}
        if tag == "option" and self._select:
            self._option = attrs.get("value", "")
            self._text = ""
        if tag == "label" and "for" in attrs:
            self._label_for = attrs["for"]
            self._text = ""

    def handle_data(self, data):
        if self._label_for or self._option is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "label" and self._label_for:
            self.labels.append((" ".join(self._text.split()), self._label_for))
            self._label_for = None
        if tag == "option" and self._option is not None:
            self.options[self._select][" ".join(self._text.split())] = self._option
            self._option = None
        if tag == "select":
            self._select = None


def fill_by_labels(html: str, values: dict[str, str], *, choose: dict[str, str] = ()) -> dict:
    """Form data as a person fills it in: ``values`` by the field's label, ``choose`` a select
    by its label and the option's text. Every label must exist on the page."""
    parser = _Fields()
    parser.feed(html)
    data = dict(parser.defaults)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if token:
        data["csrf_token"] = token.group(1)
    for label, value in values.items():
        matches = [i for text, i in parser.labels if text == label]
        assert matches, f"no field labelled {label!r}"
        attrs = parser.by_id[matches[0]]
        data[attrs["name"]] = attrs.get("value", value) if attrs.get("type") == "radio" else value
    for label, option in dict(choose).items():
        matches = [i for text, i in parser.labels if text == label]
        assert matches, f"no field labelled {label!r}"
        name = parser.by_id[matches[0]]["name"]
        data[name] = parser.options[name][option]
    return data


def open_call(congress, *, criteria=(("Relevanz", 2), ("Praxisbezug", 1)), **fields):
    call = services.save_call(
        congress,
        deadline=fields.pop("deadline", utcnow() + timedelta(days=14)),
        intro_de=fields.pop("intro_de", "Wir suchen **Workshops** aus der Praxis."),
        intro_en="We are looking for **workshops** from practice.",
        abstract_limit=fields.pop("abstract_limit", 1500),
        anonymous_review=fields.pop("anonymous_review", False),
        actor="test",
        now=utcnow(),
    )
    services.add_format(
        call, name_de="Workshop", name_en="Workshop", duration=90, kind="workshop", actor="test"
    )
    services.add_format(
        call, name_de="Weltcafé", name_en="World café", duration=60, kind="forum", actor="test"
    )
    for name, weight in criteria:
        services.add_criterion(call, name_de=name, name_en="", weight=weight, actor="test")
    return call


def a_submission(
    congress,
    call,
    *,
    title="Patenschaften gut beenden",
    status=SubmissionStatus.SUBMITTED,
    **fields,
):
    data = services.SubmissionData(
        title=title,
        abstract=fields.pop("abstract", "Wie ein Tandem gut auseinandergeht."),
        format_id=call.formats[0].id,
        track_id=fields.pop("track_id", None),
        language="de",
        target_group="Koordinator:innen",
        max_participants=25,
        accessibility="",
        carrier_id=None,
        organisation_other=fields.pop("organisation_other", "Freiwilligenagentur Kassel"),
        first_name=fields.pop("first_name", "Miriam"),
        last_name=fields.pop("last_name", "Okonkwo"),
        email=fields.pop("email", "miriam@example.org"),
        mail_language=fields.pop("mail_language", "de"),
        presenters=[services.PresenterData("Jonas Brandt", "jonas@example.org", "Netzwerk Nord")],
    )
    submission = services.submit(congress, call, data, answers=None, now=utcnow())
    if status == SubmissionStatus.SUBMITTED:
        services.confirm(submission.confirm_token, now=utcnow())
    return submission


def mails(db, kind_prefix="cfp."):
    return (
        db.session.execute(
            select(OutboxMail)
            .where(OutboxMail.kind.like(f"{kind_prefix}%"))
            .order_by(OutboxMail.id)
        )
        .scalars()
        .all()
    )


SUBMISSION_LABELS = {
    "Titel des Beitrags": "Patenschaften gut beenden",
    "Beschreibung": "Ein Weltcafé darüber, wie Tandems gut auseinandergehen.",
    "Zielgruppe": "Koordinator:innen",
    "Höchstzahl der Teilnehmenden": "30",
    "Vorname": "Miriam",
    "Nachname": "Okonkwo",
    "E-Mail": "miriam@example.org",
    "Andere Organisation": "Freiwilligenagentur Kassel",
}
CHOICES = {"Format": "Weltcafé", "Programmträger": "Andere Organisation (bitte angeben)"}


# --- the call -----------------------------------------------------------------------------------


def test_organisers_set_up_the_call_with_formats_criteria_tracks_and_a_question(db, staff_client):
    congress = factories.congress()
    db.session.commit()
    organiser = staff_client("organiser")
    base = f"/admin/congresses/{congress.id}/cfp"
    page = organiser.get(base).get_data(as_text=True)

    saved = organiser.post(
        base,
        data={
            **fill_by_labels(
                page,
                {
                    "Einreichungsfrist": "2030-03-01T23:59",
                    "Einleitung (Deutsch, Markdown)": "Wir suchen **Workshops**.",
                    "Längste Beschreibung (Zeichen)": "800",
                    "Anonyme Begutachtung (Gutachter:innen sehen keine Namen)": "y",
                },
            )
        },
    )
    fmt = organiser.post(
        f"{base}/formats",
        data={"format-name_de": "Weltcafé", "format-name_en": "World café",
              "format-duration": "60", "format-kind": "forum"},
    )  # fmt: skip
    criterion = organiser.post(
        f"{base}/criteria",
        data={"criterion-name_de": "Relevanz", "criterion-weight": "3"},
    )
    track = organiser.post(f"{base}/tracks", data={"track-name": "Engagement fördern"})
    question = organiser.post(
        f"{base}/questions",
        data={"question-text_de": "Brauchen Sie Moderationsmaterial?", "question-kind": "yes_no",
              "question-required": "y"},
    )  # fmt: skip
    bad_weight = organiser.post(
        f"{base}/criteria", data={"criterion-name_de": "Stil", "criterion-weight": "11"}
    )
    shown = organiser.get(base).get_data(as_text=True)

    call = db.session.execute(select(Call)).scalar_one()
    assert [saved.status_code, fmt.status_code, criterion.status_code, track.status_code,
            question.status_code] == [303] * 5  # fmt: skip
    assert bad_weight.status_code == 400
    assert call.abstract_limit == 800 and call.anonymous_review is True
    assert call.deadline.isoformat() == "2030-03-01T22:59:00+00:00"  # 23:59 in Berlin
    assert [(f.name_de, f.duration_minutes, f.session_kind) for f in call.formats] == [
        ("Weltcafé", 60, "forum")
    ]
    assert [(c.name_de, c.weight) for c in call.criteria] == [("Relevanz", 3)]
    assert db.session.execute(select(Question.scope, Question.text_de)).one() == (
        "cfp",
        "Brauchen Sie Moderationsmaterial?",
    )
    assert "Engagement fördern" in shown and "Weltcafé" in shown
    assert "· forum" not in shown and "· yes_no" not in shown  # labels, not keys


def test_a_contribution_sent_by_its_labels_and_confirmed_by_mail_shows_up_in_the_list(
    client, db, staff_client, smtp
):
    congress = factories.congress()
    call = open_call(congress)
    db.session.commit()
    page = client.get("/cfp")
    html = page.get_data(as_text=True)

    sent = client.post(
        "/cfp",
        data=fill_by_labels(
            html,
            SUBMISSION_LABELS,
            choose=CHOICES,
        ),
    )
    before = staff_client("organiser").get(f"/admin/congresses/{congress.id}/cfp/submissions")
    message = smtp.wait(1)[0]
    body = message.get_body(("plain",)).get_content()
    token = re.search(r"/cfp/confirm/([A-Za-z0-9_-]{43})", body).group(1)
    scanned = client.get(f"/cfp/confirm/{token}")
    pending_after_scan = db.session.execute(select(Submission.status)).scalar_one()
    confirmed = client.post(f"/cfp/confirm/{token}", data={})
    listing = staff_client("organiser").get(f"/admin/congresses/{congress.id}/cfp/submissions")

    submission = db.session.execute(select(Submission)).scalar_one()
    assert page.status_code == 200
    assert "<strong>Workshops</strong>" in html  # the introduction, rendered
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/cfp/submitted")
    assert message["To"] == "miriam@example.org"
    assert message["Subject"] == "Bitte bestätigen Sie Ihren Beitrag"
    assert "Patenschaften gut beenden" not in before.get_data(as_text=True)  # not confirmed
    assert scanned.status_code == 200 and pending_after_scan == SubmissionStatus.PENDING
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"].endswith(f"/cfp/s/{submission.manage_token}")
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.format_id == call.formats[1].id
    assert submission.organisation_other == "Freiwilligenagentur Kassel"
    assert submission.max_participants == 30
    assert "Patenschaften gut beenden" in listing.get_data(as_text=True)
    assert "Miriam Okonkwo" in listing.get_data(as_text=True)


def test_a_contribution_with_a_co_presenter_and_an_extra_answer_keeps_both(client, db):
    congress = factories.congress()
    open_call(congress)
    question = services.add_question(
        congress,
        QuestionData(kind="short_text", text_de="Welches Material brauchen Sie?", required=True),
        actor="test",
        now=utcnow(),
    )
    db.session.commit()
    html = client.get("/cfp").get_data(as_text=True)
    data = fill_by_labels(html, SUBMISSION_LABELS, choose={**CHOICES, "Format": "Workshop"})

    missing = client.post("/cfp", data=data)
    data.update({"presenters-0-name": "Jonas Brandt", "presenters-0-email": "jonas@example.org",
                 f"question-{question.id}": "Flipchart"})  # fmt: skip
    sent = client.post("/cfp", data=data)

    submission = db.session.execute(select(Submission)).scalar_one()
    assert missing.status_code == 400
    assert sent.status_code == 302
    assert [(p.name, p.email) for p in submission.presenters] == [
        ("Jonas Brandt", "jonas@example.org")
    ]
    assert services.answers_of(submission, "de") == [
        ("Welches Material brauchen Sie?", "Flipchart")
    ]


def test_bad_input_is_refused_beside_the_field_and_stores_nothing(client, db):
    congress = factories.congress()
    open_call(congress, abstract_limit=200)
    db.session.commit()
    html = client.get("/cfp").get_data(as_text=True)
    data = fill_by_labels(html, {**SUBMISSION_LABELS, "Beschreibung": "x" * 201,
                                 "Höchstzahl der Teilnehmenden": "viele"},
                          choose={**CHOICES, "Format": "Workshop"})  # fmt: skip

    response = client.post("/cfp", data=data)
    bad_format = client.post(
        "/cfp", data={**data, "abstract": "kurz", "max_participants": "", "format": "999999"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 400 and bad_format.status_code == 400
    assert "Die Beschreibung hat 201 Zeichen; höchstens 200 sind möglich." in page
    assert 'aria-invalid="true"' in page
    assert db.session.execute(select(func.count(Submission.id))).scalar_one() == 0


def test_after_the_deadline_the_form_says_so(client, db):
    congress = factories.congress()
    open_call(congress, deadline=utcnow() - timedelta(minutes=1))
    db.session.commit()

    page = client.get("/cfp")
    late = client.post("/cfp", data={"title": "Zu spät"})

    assert page.status_code == 200
    assert "Beiträge können nicht mehr eingereicht werden" in page.get_data(as_text=True)
    assert late.status_code == 409
    assert db.session.execute(select(func.count(Submission.id))).scalar_one() == 0


def test_the_personal_link_edits_until_the_deadline_withdraws_and_shows_the_status(client, db):
    congress = factories.congress()
    call = open_call(congress)
    submission = a_submission(congress, call)
    db.session.commit()
    link = f"/cfp/s/{submission.manage_token}"
    html = client.get(link).get_data(as_text=True)

    changed = client.post(
        link,
        data=fill_by_labels(
            html,
            {**SUBMISSION_LABELS, "Titel des Beitrags": "Abschiede in Patenschaften"},
            choose={**CHOICES, "Format": "Workshop"},
        ),
    )
    call.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late_page = client.get(link).get_data(as_text=True)
    late = client.post(link, data={"title": "Noch später"})
    withdrawn = client.post(f"{link}/withdraw", data={})
    after = client.get(link).get_data(as_text=True)

    db.session.refresh(submission)
    assert "Eingereicht" in html and "Noch nicht bekannt gegeben" in html
    assert changed.status_code == 303
    assert "Die Frist ist abgelaufen" in late_page
    assert late.status_code == 409
    assert submission.title == "Abschiede in Patenschaften"
    assert withdrawn.status_code == 303
    assert submission.status == SubmissionStatus.WITHDRAWN
    assert "Zurückgezogen" in after and "Beitrag zurückziehen" not in after


def test_an_unknown_link_is_a_404_page(client, db):
    factories.congress()
    db.session.commit()

    assert client.get("/cfp/s/" + "A" * 43).status_code == 404
    assert client.get("/cfp/s/kurz").status_code == 404
    assert client.post("/cfp/confirm/" + "B" * 43, data={}).status_code == 404


# --- review -------------------------------------------------------------------------------------


def _score(client, submission, call, values, comment="Gut"):
    data = {f"score-{c.id}": str(v) for c, v in zip(call.criteria, values, strict=True)}
    return client.post(f"/review/{submission.id}", data={**data, "comment": comment})


def test_a_reviewer_scores_a_contribution_and_the_weighted_average_appears(db, staff_client):
    congress = factories.congress()
    call = open_call(congress)  # Relevanz weight 2, Praxisbezug weight 1
    submission = a_submission(congress, call)
    db.session.commit()
    first, second = staff_client("reviewer"), staff_client("reviewer")

    listed = first.get("/review").get_data(as_text=True)
    scored = _score(first, submission, call, [5, 2])  # (10 + 2) / 3 = 4
    again = _score(first, submission, call, [4, 1])  # changed: (8 + 1) / 3 = 3
    _score(second, submission, call, [5, 5])  # 5
    listing = staff_client("organiser").get(f"/admin/congresses/{congress.id}/cfp/submissions")

    page = listing.get_data(as_text=True)
    assert "Patenschaften gut beenden" in listed
    assert scored.status_code == 303 and again.status_code == 303
    assert db.session.execute(select(func.count(Review.id))).scalar_one() == 2
    row = page.split("Patenschaften gut beenden")[1].split("</tr>")[0]
    assert '<td class="number">4</td>' in row  # (3 + 5) / 2
    assert '<td class="number">2</td>' in row  # two reviews, spread 5 - 3 = 2
    assert services.ranking(congress, call)[0].average == 4.0


def test_a_score_out_of_range_or_missing_is_refused_and_nothing_stored(db, staff_client):
    congress = factories.congress()
    call = open_call(congress)
    submission = a_submission(congress, call)
    db.session.commit()
    reviewer = staff_client("reviewer")

    high = _score(reviewer, submission, call, [6, 3])
    missing = reviewer.post(f"/review/{submission.id}", data={f"score-{call.criteria[0].id}": "3"})

    assert high.status_code == 400 and missing.status_code == 400
    assert "Bitte bewerten Sie jedes Kriterium von 1 bis 5." in high.get_data(as_text=True)
    assert db.session.execute(select(func.count(Review.id))).scalar_one() == 0


def test_one_review_per_reviewer_and_submission_is_a_database_constraint(db, staff_client):
    congress = factories.congress()
    call = open_call(congress)
    submission = a_submission(congress, call)
    reviewer = factories.user(role="reviewer")
    db.session.add(Review(submission_id=submission.id, reviewer_id=reviewer.id))
    db.session.flush()

    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(Review(submission_id=submission.id, reviewer_id=reviewer.id))
            db.session.flush()


def test_with_anonymous_review_the_reviewers_page_holds_no_submitter_name(db, staff_client):
    congress = factories.congress()
    call = open_call(congress, anonymous_review=True)
    submission = a_submission(congress, call)
    db.session.commit()
    reviewer = staff_client("reviewer")

    page = reviewer.get(f"/review/{submission.id}").get_data(as_text=True)
    listed = reviewer.get("/review").get_data(as_text=True)

    assert "Patenschaften gut beenden" in page
    for secret in ("Miriam", "Okonkwo", "miriam@example.org", "Freiwilligenagentur Kassel",
                   "Jonas Brandt", "Netzwerk Nord"):  # fmt: skip
        assert secret not in page
        assert secret not in listed


def test_without_anonymous_review_the_reviewer_sees_the_names(db, staff_client):
    congress = factories.congress()
    call = open_call(congress)
    submission = a_submission(congress, call)
    db.session.commit()

    page = staff_client("reviewer").get(f"/review/{submission.id}").get_data(as_text=True)

    assert "Miriam Okonkwo" in page and "Jonas Brandt" in page


def test_a_reviewer_with_tracks_sees_only_those_tracks(db, staff_client):
    congress = factories.congress()
    call = open_call(congress)
    mine = factories.track(congress, name="Engagement")
    other = factories.track(congress, name="Wirkung")
    seen = a_submission(congress, call, title="Im eigenen Track", track_id=mine.id)
    hidden = a_submission(
        congress, call, title="Im anderen Track", track_id=other.id, email="b@example.org"
    )
    db.session.commit()
    reviewer = staff_client("reviewer")
    organiser = staff_client("organiser")

    assigned = organiser.post(
        f"/admin/congresses/{congress.id}/cfp/reviewers",
        data={"user": str(reviewer.user.id), "tracks": [str(mine.id)]},
    )
    listed = reviewer.get("/review").get_data(as_text=True)

    assert assigned.status_code == 303
    assert "Im eigenen Track" in listed and "Im anderen Track" not in listed
    assert reviewer.get(f"/review/{hidden.id}").status_code == 404
    assert reviewer.get(f"/review/{seen.id}").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/admin/registrations", "/admin/registrations/export.csv", "/admin/agenda", "/staff",
     "/admin/congresses/{id}/cfp", "/admin/congresses/{id}/cfp/submissions", "/checkin"],
)  # fmt: skip
def test_a_reviewer_cannot_reach_the_registrations_or_anything_else(db, staff_client, path):
    congress = factories.congress()
    db.session.commit()

    response = staff_client("reviewer").get(path.format(id=congress.id))

    assert response.status_code == 403


def test_a_reviewer_lands_on_the_review_list_after_login(client, db):
    factories.congress()
    factories.user(role="reviewer", email="rev@example.org")
    db.session.commit()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)

    response = client.post(
        "/login",
        data={
            "csrf_token": token.group(1) if token else "",
            "email": "rev@example.org",
            "password": factories.PASSWORD,
        },
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("/review")


def test_create_user_makes_a_reviewer(app, db):
    runner = app.test_cli_runner()

    result = runner.invoke(
        args=[
            "create-user",
            "rev@example.org",
            "--role",
            "reviewer",
            "--password",
            "lang-genug-123!",
        ]
    )

    assert result.exit_code == 0, result.output
    from conference.accounts.models import User

    assert db.session.execute(select(User.role)).scalar_one() == "reviewer"


def test_admin_users_page_offers_the_reviewer_role(db, staff_client):
    page = staff_client("admin").get("/admin/users").get_data(as_text=True)

    assert '<option value="reviewer">Gutachter:in (Call for Contributions)</option>' in page


# --- decisions ----------------------------------------------------------------------------------


def test_nothing_is_mailed_before_release_and_each_submitter_gets_one_mail_after(
    db, staff_client, smtp
):
    congress = factories.congress()
    call = open_call(congress)
    accepted = a_submission(congress, call, title="Angenommen", email="a@example.org")
    rejected = a_submission(
        congress, call, title="Abgelehnt", email="r@example.org", mail_language="en"
    )
    waiting = a_submission(congress, call, title="Warteliste", email="w@example.org")
    db.session.commit()
    confirm_mails = len(mails(db))
    organiser = staff_client("organiser")
    base = f"/admin/congresses/{congress.id}/cfp"

    for submission, decision in (
        (accepted, "accepted"),
        (rejected, "rejected"),
        (waiting, "waitlisted"),
    ):
        assert (
            organiser.post(
                f"{base}/submissions/{submission.id}", data={"decision": decision}
            ).status_code
            == 303
        )
    before = len(mails(db))
    released = organiser.post(f"{base}/release", data={})
    again = organiser.post(f"{base}/release", data={})

    decision_mails = mails(db)[confirm_mails:]
    assert before == confirm_mails == 3
    assert released.status_code == 303 and again.status_code == 303
    assert sorted((m.recipient, m.kind) for m in decision_mails) == [
        ("a@example.org", "cfp.accepted"),
        ("r@example.org", "cfp.rejected"),
        ("w@example.org", "cfp.waitlisted"),
    ]
    by_kind = {m.kind: m for m in decision_mails}
    assert by_kind["cfp.accepted"].subject == "Ihr Beitrag wurde angenommen"
    assert by_kind["cfp.rejected"].subject == "Your contribution to the congress"  # her language
    delivered = smtp.wait(6)
    assert sorted(m["To"] for m in delivered[3:]) == [
        "a@example.org",
        "r@example.org",
        "w@example.org",
    ]


def test_after_release_reviews_and_sent_decisions_are_locked(db, staff_client):
    congress = factories.congress()
    call = open_call(congress)
    submission = a_submission(congress, call)
    services.decide(submission, call, "accepted", actor="test")
    services.release_decisions(congress, call, actor="test", now=utcnow())
    db.session.commit()
    reviewer = staff_client("reviewer")

    review = _score(reviewer, submission, call, [3, 3])
    change = staff_client("organiser").post(
        f"/admin/congresses/{congress.id}/cfp/submissions/{submission.id}",
        data={"decision": "rejected"},
    )
    status = reviewer.get(f"/cfp/s/{submission.manage_token}")

    assert review.status_code == 409
    assert change.status_code == 409
    assert db.session.get(Submission, submission.id).decision == "accepted"
    assert "Angenommen" in status.get_data(as_text=True)


def test_the_submitter_sees_no_decision_before_the_release(client, db):
    congress = factories.congress()
    call = open_call(congress)
    submission = a_submission(congress, call)
    services.decide(submission, call, "rejected", actor="test")
    db.session.commit()

    page = client.get(f"/cfp/s/{submission.manage_token}").get_data(as_text=True)

    assert "Nicht angenommen" not in page and "Noch nicht bekannt gegeben" in page


# --- the organisers' list -----------------------------------------------------------------------


def test_the_list_filters_by_track_and_format_sorts_and_exports(db, staff_client):
    congress = factories.congress()
    call = open_call(congress)
    track = factories.track(congress, name="Engagement")
    first = a_submission(congress, call, title="Alpha", track_id=track.id, email="a@example.org")
    second = a_submission(congress, call, title="Beta", email="b@example.org")
    reviewer = factories.user(role="reviewer")
    services.save_review(first, call, reviewer, {c.id: 2 for c in call.criteria}, "", now=utcnow())
    services.save_review(second, call, reviewer, {c.id: 5 for c in call.criteria}, "", now=utcnow())
    db.session.commit()
    organiser = staff_client("organiser")
    base = f"/admin/congresses/{congress.id}/cfp/submissions"

    by_average = organiser.get(base).get_data(as_text=True)
    by_title = organiser.get(f"{base}?sort=title").get_data(as_text=True)
    in_track = organiser.get(f"{base}?track={track.id}").get_data(as_text=True)
    other_format = organiser.get(f"{base}?format={call.formats[1].id}").get_data(as_text=True)
    exported = organiser.get(f"{base}/export.csv?sort=title").data.decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(organiser.get(f"{base}/export.xlsx").data))

    assert by_average.index("Beta") < by_average.index("Alpha")
    assert by_title.index("Alpha") < by_title.index("Beta")
    assert "Alpha" in in_track and "Beta" not in in_track
    assert "Alpha" not in other_format and "Keine Beiträge" in other_format
    header, *rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    assert header[:2] == ["ID", "Titel"] and "Gewichteter Durchschnitt" in header
    assert [r[1] for r in rows] == ["Alpha", "Beta"]
    assert rows[0][header.index("Gewichteter Durchschnitt")] in ("2", "2.0", "2,0")
    sheet = workbook.active
    assert [c.value for c in sheet[1]][:2] == ["ID", "Titel"]
    assert sheet.max_row == 3


def test_the_list_costs_the_same_queries_for_one_and_three_submissions(
    db, staff_client, count_queries
):
    congress = factories.congress()
    call = open_call(congress)
    a_submission(congress, call, title="Eins")
    db.session.commit()
    organiser = staff_client("organiser")
    url = f"/admin/congresses/{congress.id}/cfp/submissions"
    organiser.get(url)

    with count_queries() as one:
        organiser.get(url)
    for n in range(2):
        a_submission(congress, call, title=f"Mehr {n}", email=f"m{n}@example.org")
    db.session.commit()
    with count_queries() as three:
        organiser.get(url)

    assert len(one) == len(three)


# --- accepted contributions become draft sessions ----------------------------------------------


def test_accepting_creates_a_draft_session_with_its_speakers_matched_by_e_mail(db, staff_client):
    from conference.agenda.models import AgendaSession, SessionStatus, Speaker

    congress = factories.congress()
    call = open_call(congress)
    track = factories.track(congress, name="Engagement")
    known = factories.speaker(congress, name="Jonas B.", email="Jonas@Example.org", bio="Bekannt")
    submission = a_submission(congress, call, track_id=track.id)
    services.decide(submission, call, "accepted", actor="test")
    rejected = a_submission(congress, call, title="Abgelehnt", email="r@example.org")
    services.decide(rejected, call, "rejected", actor="test")
    db.session.commit()
    organiser = staff_client("organiser")

    released = organiser.post(f"/admin/congresses/{congress.id}/cfp/release", data={})
    builder = organiser.get(f"/admin/agenda?day={congress.starts_on.isoformat()}")

    session = db.session.execute(select(AgendaSession)).scalar_one()
    db.session.refresh(submission)
    speakers = [link.speaker for link in session.speaker_links]
    assert released.status_code == 303
    assert submission.session_id == session.id
    assert (session.title, session.status, session.kind, session.track_id, session.language,
            session.capacity) == ("Patenschaften gut beenden", SessionStatus.DRAFT, "workshop",
                                  track.id, "de", 25)  # fmt: skip
    assert session.abstract == "Wie ein Tandem gut auseinandergeht."
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert [s.name for s in speakers] == ["Miriam Okonkwo", "Jonas B."]
    assert speakers[1].id == known.id  # matched by e-mail, not duplicated
    assert db.session.execute(select(func.count(Speaker.id))).scalar_one() == 2
    assert "aus dem Call" in builder.get_data(as_text=True)


def test_two_accepted_contributions_of_one_speaker_do_not_overlap(db):
    from conference.agenda.models import AgendaSession

    congress = factories.congress()
    call = open_call(congress)
    first = a_submission(congress, call, title="Eins")
    second = a_submission(congress, call, title="Zwei")  # the same submitter
    for submission in (first, second):
        services.decide(submission, call, "accepted", actor="test")

    services.release_decisions(congress, call, actor="test", now=utcnow())

    one, two = db.session.execute(select(AgendaSession).order_by(AgendaSession.id)).scalars()
    assert one.ends_at <= two.starts_at
    assert one.speaker_links[0].speaker_id == two.speaker_links[0].speaker_id
