"""The funder report's facts, the key figures and the needs list."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.checkin.models import CheckIn, Checkpoint
from conference.core.i18n import day_list
from conference.core.models import Congress
from conference.extensions import db
from conference.registration.models import Diet, Registration
from conference.reports.counts import registration_counts
from conference.reports.dashboard import Figure, _confirmed, diet_labels


@dataclass
class ReportFacts:
    """The key figures of the funder report's narrative page."""

    registered: int  # everybody who registered and did not cancel
    confirmed: int
    attended: int
    carriers: int
    states: int
    workshops: int
    workshop_seats: int
    workshop_taken: int

    @property
    def attendance_share(self) -> float | None:
        return self.attended / self.confirmed if self.confirmed else None

    @property
    def workshop_share(self) -> float | None:
        return self.workshop_taken / self.workshop_seats if self.workshop_seats else None


def report_facts(congress: Congress, key: dict, figures: list[Figure]) -> ReportFacts:
    """From figures already counted: no further query."""
    by_key = {f.key: f for f in figures}
    states = [r for r in by_key["states"].rows if r[0] != _("Federal state not known")]
    workshops = by_key["workshops"].rows
    return ReportFacts(
        registered=key["pending"] + key["confirmed"] + key["waitlisted"],
        confirmed=key["confirmed"],
        attended=key["attended"],
        carriers=key["carriers"],
        states=len(states),
        workshops=len(workshops),
        workshop_seats=sum(r[1] or 0 for r in workshops),
        workshop_taken=sum(r[2] or 0 for r in workshops),
    )


def key_figures(congress: Congress) -> dict[str, int]:
    counts = registration_counts(congress)
    attended = db.session.execute(
        select(func.count(func.distinct(CheckIn.registration_id)))
        .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
        .where(Checkpoint.congress_id == congress.id)
    ).scalar_one()
    carriers = db.session.execute(
        select(func.count(func.distinct(Registration.carrier_id))).where(*_confirmed(congress))
    ).scalar_one()
    return {**counts, "attended": attended, "carriers": carriers}


def needs_list(congress: Congress) -> tuple[list[str], list[list]]:
    """Confirmed people with a diet or accessibility need, for the caterer and the venue."""
    registrations = (
        db.session.execute(
            select(Registration)
            .where(
                *_confirmed(congress),
                or_(
                    Registration.diet != Diet.NONE,
                    Registration.diet_notes != "",
                    Registration.needs_step_free,
                    Registration.needs_sign_language,
                    Registration.needs_induction_loop,
                    Registration.accessibility_notes != "",
                ),
            )
            .options(
                selectinload(Registration.days),
                joinedload(Registration.carrier),
                joinedload(Registration.local_structure),
            )
            .order_by(Registration.name_key, Registration.id)
        )
        .unique()
        .scalars()
    )
    labels = diet_labels()
    header = [
        _("Last name"),
        _("First name"),
        _("Organisation"),
        _("Days"),
        _("Diet"),
        _("Diet notes"),
        _("Step-free access"),
        _("Sign language interpretation"),
        _("Induction loop"),
        _("Accessibility notes"),
    ]
    rows = [
        [
            r.last_name,
            r.first_name,
            r.organisation_label,
            day_list(d.day for d in r.days),
            labels.get(r.diet, r.diet),
            r.diet_notes,
            r.needs_step_free,
            r.needs_sign_language,
            r.needs_induction_loop,
            r.accessibility_notes,
        ]
        for r in registrations
    ]
    return header, rows
