"""GDPR: what we hold about a person (export), erasure on request, and anonymising whole
congresses after the retention period while keeping their statistics."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from conference.accounts.models import User
from conference.agenda.models import AgendaSession, Speaker
from conference.cfp import services as cfp
from conference.cfp.models import Submission
from conference.checkin.models import CheckIn, Checkpoint, ScanRecord
from conference.core import audit
from conference.core.models import AuditLog, Congress, OutboxMail
from conference.core.time import at_local
from conference.core.tokens import new_token
from conference.extensions import db
from conference.questions import registrations as registration_questions
from conference.registration.models import Registration
from conference.reports.models import ContactRequest, DirectoryProfile
from conference.reports.privacy_parts import (
    forget_speaker_links,
    neutralise_submissions,
    submissions_of,
    survey_answers,
)
from conference.surveys.models import (
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
)
from conference.workshops.models import WaitlistEntry, WorkshopPreference, WorkshopSeat

PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "language",
    "organisation_other",
    "programme_role",
    "sector",
    "badge_role",
    "needs_step_free",
    "needs_sign_language",
    "needs_induction_loop",
    "accessibility_notes",
    "diet",
    "diet_notes",
    "consent_at",
    "consent_version",
    "photo_consent_at",
    "photo_consent_version",
    "status",
    "source",
    "created_at",
    "updated_at",
    "placed_at",
    "waitlisted_at",
    "cancelled_at",
    "badge_printed_at",
)


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _accepted_notice(registration: Registration) -> dict | None:
    """The version of the privacy notice the person accepted, with its date and text."""
    from conference.editions.services import consent_versions

    label = registration.consent_version
    notice = consent_versions(registration.congress_id, {label}).get(label) if label else None
    if notice is None:
        return {"version": label, "dated": None, "text": None} if label else None
    english = registration.language == "en" and notice.body_en.strip()
    return {
        "version": notice.label,
        "dated": _iso(notice.created_at),
        "text": notice.body_en if english else notice.body_de,
    }


def export_registration(registration: Registration) -> dict:
    """Everything stored about one person, as JSON-ready data (GDPR art. 15/20).

    The tokens are left out: they are keys, not data about the person.
    """
    rid = registration.id
    seats = db.session.execute(
        select(AgendaSession.title, WorkshopSeat.source, WorkshopSeat.created_at)
        .join(AgendaSession, AgendaSession.id == WorkshopSeat.session_id)
        .where(WorkshopSeat.registration_id == rid)
    ).all()
    preferences = db.session.execute(
        select(AgendaSession.title, WorkshopPreference.rank)
        .join(AgendaSession, AgendaSession.id == WorkshopPreference.session_id)
        .where(WorkshopPreference.registration_id == rid)
        .order_by(WorkshopPreference.phase_id, WorkshopPreference.rank)
    ).all()
    waiting = db.session.execute(
        select(AgendaSession.title, WaitlistEntry.created_at)
        .join(AgendaSession, AgendaSession.id == WaitlistEntry.session_id)
        .where(WaitlistEntry.registration_id == rid)
    ).all()
    checkins = db.session.execute(
        select(Checkpoint.name, CheckIn.checked_in_at)
        .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
        .where(CheckIn.registration_id == rid)
        .order_by(CheckIn.checked_in_at)
    ).all()
    profile = db.session.execute(
        select(DirectoryProfile).where(DirectoryProfile.registration_id == rid)
    ).scalar_one_or_none()
    sent = db.session.execute(
        select(ContactRequest.created_at, ContactRequest.message).where(
            ContactRequest.sender_id == rid
        )
    ).all()
    received = db.session.execute(
        select(ContactRequest.created_at).where(ContactRequest.recipient_id == rid)
    ).all()
    mails = db.session.execute(
        select(OutboxMail.created_at, OutboxMail.subject, OutboxMail.status).where(
            OutboxMail.registration_id == rid
        )
    ).all()
    history = db.session.execute(
        select(AuditLog.at, AuditLog.action, AuditLog.actor)
        .where(AuditLog.object_type == "Registration", AuditLog.object_id == rid)
        .order_by(AuditLog.at)
    ).all()
    language = registration.language or "de"
    return {
        "privacy_notice_accepted": _accepted_notice(registration),
        "registration": {
            "id": rid,
            "congress": registration.congress.title,
            **{name: _iso(getattr(registration, name)) for name in PERSONAL_FIELDS},
            "carrier_organisation": registration.carrier.name if registration.carrier else None,
            "local_structure": (
                registration.local_structure.name if registration.local_structure else None
            ),
            "days": [d.day.isoformat() for d in registration.days],
        },
        "answers": registration_questions.privacy_export(
            rid, registration.congress_id, registration.language or "de"
        ),
        "workshop_seats": [{"workshop": t, "source": s, "at": _iso(at)} for t, s, at in seats],
        "workshop_preferences": [{"workshop": t, "rank": rank} for t, rank in preferences],
        "workshop_waiting_lists": [{"workshop": t, "since": _iso(at)} for t, at in waiting],
        "check_ins": [{"checkpoint": n, "at": _iso(at)} for n, at in checkins],
        "directory_profile": (
            {
                "opted_in_at": _iso(profile.opted_in_at),
                "region": profile.region,
                "topics": profile.topics,
            }
            if profile
            else None
        ),
        "contact_requests_sent": [{"at": _iso(at), "message": m} for at, m in sent],
        "contact_requests_received": [{"at": _iso(at)} for (at,) in received],
        "mails": [{"at": _iso(at), "subject": s, "status": st} for at, s, st in mails],
        "history": [{"at": _iso(at), "action": a, "by": who} for at, a, who in history],
        "survey_answers": survey_answers(rid, language),
        "contributions": [
            {
                "title": submission.title,
                "abstract": submission.abstract,
                "status": submission.status,
                "decision": submission.decision or None,
                "submitted_at": _iso(submission.created_at),
                "accessibility": submission.accessibility,
                "organisation_other": submission.organisation_other,
                "co_presenters": [
                    {"name": c.name, "email": c.email, "organisation": c.organisation}
                    for c in submission.presenters
                ],
                "answers": [
                    {"question": q, "answer": a} for q, a in cfp.answers_of(submission, language)
                ],
            }
            for submission in submissions_of(registration)
        ],
    }


def _erase_rows(registration_ids: list[int]) -> None:
    # Answers to the edition's questions may say anything about the person.
    registration_questions.erase(registration_ids)
    db.session.execute(
        delete(DirectoryProfile).where(DirectoryProfile.registration_id.in_(registration_ids))
    )
    # Contact mails they sent name them (and carry their address if they shared it).
    db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.id.in_(
                select(ContactRequest.mail_id).where(
                    ContactRequest.sender_id.in_(registration_ids),
                    ContactRequest.mail_id.is_not(None),
                )
            )
        )
    )
    db.session.execute(
        delete(ContactRequest).where(
            or_(
                ContactRequest.sender_id.in_(registration_ids),
                ContactRequest.recipient_id.in_(registration_ids),
            )
        )
    )
    # Mails hold names and addresses in their bodies; the statistics do not need them.
    db.session.execute(delete(OutboxMail).where(OutboxMail.registration_id.in_(registration_ids)))
    # Audit details may quote changed fields (names, notes); who acted and when stays.
    db.session.execute(
        update(AuditLog)
        .where(AuditLog.object_type == "Registration", AuditLog.object_id.in_(registration_ids))
        .values(details={})
    )
    # Remembered scan answers hold no personal data (checkin/models.py ScanRecord): a resent
    # nonce reads the person again, who is anonymised now, so they stay.


def _neutralise(registration: Registration, now: datetime) -> None:
    registration.first_name = "–"
    registration.last_name = f"#{registration.id}"
    registration.email = f"erased-{registration.id}@invalid"
    registration.accessibility_notes = ""
    registration.diet_notes = ""
    registration.organisation_other = ""
    registration.photo_consent_at = None
    registration.photo_consent_version = ""
    # New random keys: every old link, feed and badge stops working.
    registration.manage_token = new_token()
    registration.calendar_token = new_token()
    registration.badge_token = new_token()
    registration.confirm_token = None
    registration.confirm_expires_at = None
    registration.anonymised_at = now


def erase_registration(registration: Registration, *, actor, now: datetime) -> None:
    """Erase a person's personal data on request (GDPR art. 17).

    Status, days, carrier, role, sector, diet and check-ins stay, unnamed, so the congress's
    statistics do not change. Idempotent.
    """
    if registration.anonymised_at is None:
        neutralise_submissions(submissions_of(registration))  # before the address goes
        _erase_rows([registration.id])
        # Their survey answers (a survey that is not anonymous links them) and the fact that
        # they answered: free text may name them.
        responses = select(SurveyResponse.id).where(
            SurveyResponse.registration_id == registration.id
        )
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(responses)))
        db.session.execute(
            delete(SurveyResponse).where(SurveyResponse.registration_id == registration.id)
        )
        db.session.execute(
            delete(SurveyParticipation).where(
                SurveyParticipation.registration_id == registration.id
            )
        )
        _neutralise(registration, now)
        db.session.execute(
            update(Speaker)
            .where(Speaker.registration_id == registration.id)
            .values(registration_id=None)
        )
    audit.record("registration.erased", registration, actor=actor)
    db.session.flush()


def set_retention(congress: Congress, months: int, *, actor) -> None:
    """How many months after the congress its personal data are anonymised; audited."""
    old = congress.retention_months
    congress.retention_months = months
    audit.record("congress.retention_changed", congress, actor=actor, old=old, new=months)
    db.session.flush()


def purge_scan_answers(now: datetime, *, kept: timedelta, dry_run: bool = False) -> int:
    """Delete the remembered scan answers older than ``kept``; returns how many.

    They only serve a scanner that resends a scan (a retry, an offline queue syncing) and quote
    the person's name, so they go soon after the congress day, whoever is anonymised when.
    """
    old = ScanRecord.at < now - kept
    if dry_run:
        return db.session.execute(
            select(func.count()).select_from(ScanRecord).where(old)
        ).scalar_one()
    return db.session.execute(delete(ScanRecord).where(old)).rowcount


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def congresses_due(months: int | None, today: date) -> list[tuple[Congress, int]]:
    """Congresses whose last day lies more than their retention period (or ``months``) back and
    whose people are not anonymised yet, with how many registrations each would change."""
    due = []
    for congress in db.session.execute(select(Congress).order_by(Congress.starts_on)).scalars():
        period = congress.retention_months if months is None else months
        if congress.ends_on >= months_before(today, period):
            continue
        count = len(
            db.session.execute(
                select(Registration.id).where(
                    Registration.congress_id == congress.id, Registration.anonymised_at.is_(None)
                )
            ).all()
        )
        if count or congress.anonymised_at is None:
            due.append((congress, count))
    return due


def anonymise_congress(congress: Congress, *, now: datetime, actor="system") -> int:
    """Anonymise every person of a congress; the numbers (status, days, carriers, check-ins)
        stay. Speakers lose their e-mail address, photo and personal link; contributions to the call
    their senders; survey answers their link to the person. Returns how many were anonymised."""
    registrations = list(
        db.session.execute(
            select(Registration).where(
                Registration.congress_id == congress.id, Registration.anonymised_at.is_(None)
            )
        ).scalars()
    )
    ids = [r.id for r in registrations]
    if ids:
        _erase_rows(ids)
        for registration in registrations:
            _neutralise(registration, now)
    forget_speaker_links(congress.id)  # while their addresses are still known
    db.session.execute(
        update(Speaker)
        .where(Speaker.congress_id == congress.id)
        .values(email="", photo=None, photo_mimetype="", registration_id=None)
    )
    neutralise_submissions(
        list(
            db.session.execute(
                select(Submission).where(Submission.congress_id == congress.id)
            ).scalars()
        )
    )
    # Survey answer sets stay for the results, without the link to the person.
    db.session.execute(
        update(SurveyResponse)
        .where(
            SurveyResponse.registration_id.in_(
                select(Registration.id).where(Registration.congress_id == congress.id)
            )
        )
        .values(registration_id=None, updated_at=None)
    )
    # Remembered scan answers quote the attendee's name; they only matter on the day itself.
    db.session.execute(
        delete(ScanRecord).where(
            ScanRecord.at
            < at_local(congress.ends_on + timedelta(days=1), time(0), congress.timezone)
        )
    )
    congress.anonymised_at = now
    audit.record(
        "congress.anonymised", congress, actor=actor, congress_id=congress.id, people=len(ids)
    )
    db.session.flush()
    return len(ids)


# The audit filter's areas: people choose words, the query matches the actions' prefixes.
AUDIT_AREAS = {
    "registration": (_l("Registrations"), ("registration.",)),
    "organisation": (
        _l("Organisations and quotas"),
        ("organisation.", "local_structure.", "quota."),
    ),
    "agenda": (_l("Agenda"), ("agenda.",)),
    "workshops": (_l("Workshops"), ("workshops.",)),
    "badges": (_l("Badges"), ("badges.", "badge.")),
    "checkin": (_l("Check-in"), ("checkin.", "registration.walk_in")),
    "accounts": (_l("Accounts and API tokens"), ("user.", "api_token.")),
    "editions": (_l("Editions, their texts and the organising body"), ("edition.",)),
    "privacy": (
        _l("Privacy and directory"),
        ("registration.erased", "registration.exported", "congress.", "directory."),
    ),
}


def audit_page(
    *,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditLog], int]:
    """A page of the audit log, newest first, and the number of matching entries."""
    from datetime import UTC

    from sqlalchemy import func

    conditions = []
    if action:
        prefixes = AUDIT_AREAS[action][1] if action in AUDIT_AREAS else (action,)
        conditions.append(or_(*(AuditLog.action.startswith(p, autoescape=True) for p in prefixes)))
    if object_type:
        conditions.append(AuditLog.object_type == object_type)
    if actor:
        # The log shows staff by name; the stored actor is their address (or a device's name).
        named = select(User.id).where(
            func.lower(User.name).contains(actor.lower(), autoescape=True)
        )
        conditions.append(
            or_(
                func.lower(AuditLog.actor).contains(actor.lower(), autoescape=True),
                AuditLog.actor_user_id.in_(named),
            )
        )
    if since:
        conditions.append(AuditLog.at >= datetime.combine(since, time(0), tzinfo=UTC))
    if until:
        conditions.append(
            AuditLog.at < datetime.combine(until + timedelta(days=1), time(0), tzinfo=UTC)
        )
    total = db.session.execute(
        select(func.count()).select_from(AuditLog).where(*conditions)
    ).scalar_one()
    entries = list(
        db.session.execute(
            select(AuditLog)
            .where(*conditions)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        ).scalars()
    )
    return entries, total
