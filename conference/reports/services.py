"""Numbers about a congress: for the dashboard, the funder report and ``/api/v1/stats``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Date, case, cast, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.agenda.models import AgendaSession, Room, SessionKind, SessionStatus
from conference.checkin.models import CheckIn, Checkpoint
from conference.core.charts import bar_chart, line_chart
from conference.core.errors import DomainError
from conference.core.i18n import day_list
from conference.core.models import CarrierOrganisation, Congress, LocalStructure
from conference.core.time import at_local
from conference.extensions import db
from conference.questions import registrations as registration_questions
from conference.registration.labels import DIET_LABELS, ROLE_LABELS, SECTOR_LABELS, translated
from conference.registration.models import (
    Diet,
    Registration,
    RegistrationDay,
    Status,
)
from conference.workshops.models import WaitlistEntry


def registration_counts(congress: Congress) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.congress_id == congress.id)
        .group_by(Registration.status)
    ).all()
    counts = {status.value: 0 for status in Status}
    counts.update({status: count for status, count in rows})
    return counts


def checked_in_counts(congress: Congress) -> dict[str, int]:
    rows = db.session.execute(
        select(Checkpoint.code, func.count(CheckIn.id))
        .join(CheckIn, CheckIn.checkpoint_id == Checkpoint.id, isouter=True)
        .where(Checkpoint.congress_id == congress.id)
        .group_by(Checkpoint.code)
        .order_by(Checkpoint.code)
    ).all()
    return {code: count for code, count in rows}


def workshop_fill(congress: Congress) -> list[dict]:
    waiting = (
        select(WaitlistEntry.session_id, func.count().label("waiting"))
        .group_by(WaitlistEntry.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            AgendaSession.id,
            AgendaSession.title,
            func.coalesce(AgendaSession.capacity, Room.capacity),
            AgendaSession.seats_taken,
            func.coalesce(waiting.c.waiting, 0),
        )
        .join(Room, Room.id == AgendaSession.room_id, isouter=True)
        .join(waiting, waiting.c.session_id == AgendaSession.id, isouter=True)
        .where(
            AgendaSession.congress_id == congress.id,
            AgendaSession.status != SessionStatus.DRAFT,
            (AgendaSession.kind == SessionKind.WORKSHOP) | AgendaSession.signup_required,
        )
        .order_by(AgendaSession.starts_at, AgendaSession.title)
    ).all()
    return [
        {"id": id_, "title": title, "capacity": capacity, "taken": taken, "waitlisted": waitlisted}
        for id_, title, capacity, taken, waitlisted in rows
    ]


def congress_stats(congress: Congress) -> dict:
    """The contract of ``GET /api/v1/stats`` (DESIGN.md)."""
    return {
        "congress": {
            "id": congress.id,
            "title": congress.title,
            "start": congress.starts_on.isoformat(),
            "end": congress.ends_on.isoformat(),
        },
        "registrations": registration_counts(congress),
        "checked_in": checked_in_counts(congress),
        "workshops": workshop_fill(congress),
    }


# --- dashboard ---------------------------------------------------------------------------------


# Long lists (carriers, states, workshops) draw their largest rows; the table has them all.
CHART_ROWS = 10


@dataclass
class Figure:
    """One dashboard figure: a chart and the same numbers as a table (and an export).
    ``rows`` keep real values (dates, numbers): the page formats them, exports keep them."""

    key: str
    title: str
    header: list[str]
    rows: list[list]
    chart: Markup
    more: int = 0  # rows the chart leaves out (only in the table)


def _day_label(day: date) -> str:
    """A congress day in the locale, short: "Do., 18. Nov." / "Thu, Nov 18"."""
    from babel.dates import format_skeleton
    from flask_babel import get_locale

    return format_skeleton("MMMEd", day, locale=get_locale())


def _top(rows: list[list], value_index: int = 1) -> tuple[list[tuple[str, float]], int]:
    shown = rows[:CHART_ROWS]
    return [(r[0], r[value_index] or 0) for r in shown], max(0, len(rows) - CHART_ROWS)


def _date_of(column):
    """A timestamp column as a calendar date (UTC), in the dialect's own words."""
    if db.engine.dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def role_labels() -> dict[str, str]:
    return translated(ROLE_LABELS)


def sector_labels() -> dict[str, str]:
    return translated(SECTOR_LABELS)


def diet_labels() -> dict[str, str]:
    return translated(DIET_LABELS)


def _active(congress: Congress):
    return (Registration.congress_id == congress.id, Registration.status != Status.CANCELLED)


def _confirmed(congress: Congress):
    return (Registration.congress_id == congress.id, Registration.status == Status.CONFIRMED)


def _grouped(column, where) -> list[tuple]:
    return db.session.execute(
        select(column, func.count()).where(*where).group_by(column).order_by(func.count().desc(), column)
    ).all()


def dashboard_figures(congress: Congress) -> list[Figure]:
    """Every figure of the dashboard and the funder report: grouped counts, about a dozen
    queries whatever the number of registrations."""
    count_label = _("Registrations")
    figures: list[Figure] = []

    per_day = db.session.execute(
        select(_date_of(Registration.created_at), func.count())
        .where(*_active(congress))
        .group_by(_date_of(Registration.created_at))
        .order_by(_date_of(Registration.created_at))
    ).all()
    total = 0
    over_time = []
    for day, count in per_day:
        total += count
        over_time.append([_as_date(day), count, total])
    figures.append(
        Figure(
            "over_time",
            _("Registrations over time"),
            [_("Date"), _("New registrations"), _("Total")],
            over_time,
            line_chart(
                _("Registrations over time"),
                [(format_date(r[0], "medium"), r[2]) for r in over_time],
            ),
        )
    )

    carrier_name = func.coalesce(CarrierOrganisation.name, "")
    carriers = db.session.execute(
        select(carrier_name, func.count())
        .select_from(Registration)
        .join(CarrierOrganisation, CarrierOrganisation.id == Registration.carrier_id, isouter=True)
        .where(*_active(congress))
        .group_by(carrier_name)
        .order_by(func.count().desc(), case((carrier_name == "", 1), else_=0), carrier_name)
    ).all()
    rows = [[name or _("No carrier organisation"), count] for name, count in carriers]
    drawn, more = _top(rows)
    figures.append(
        Figure(
            "carriers",
            _("Registrations by carrier organisation"),
            [_("Carrier organisation"), count_label],
            rows,
            bar_chart(_("Registrations by carrier organisation"), drawn),
            more,
        )
    )

    # The federal state of the local structure where known, else of the carrier.
    state = func.coalesce(
        func.nullif(LocalStructure.state, ""), func.nullif(CarrierOrganisation.state, ""), ""
    )
    states = db.session.execute(
        select(state, func.count())
        .select_from(Registration)
        .join(CarrierOrganisation, CarrierOrganisation.id == Registration.carrier_id, isouter=True)
        .join(LocalStructure, LocalStructure.id == Registration.local_structure_id, isouter=True)
        .where(*_active(congress))
        .group_by(state)
        .order_by(func.count().desc(), case((state == "", 1), else_=0), state)
    ).all()
    rows = [[name or _("Federal state not known"), count] for name, count in states]
    drawn, more = _top(rows)
    figures.append(
        Figure(
            "states",
            _("Registrations by federal state"),
            [_("Federal state"), count_label],
            rows,
            bar_chart(_("Registrations by federal state"), drawn),
            more,
        )
    )

    for key, title, column, labels in (
        ("roles", _("Registrations by role"), Registration.programme_role, role_labels()),
        ("sectors", _("Registrations by sector"), Registration.sector, sector_labels()),
    ):
        rows = [[labels.get(v, v), c] for v, c in _grouped(column, _active(congress))]
        figures.append(Figure(key, title, [_("Group"), count_label], rows, bar_chart(title, rows)))

    level = case(
        (Registration.local_structure_id.is_not(None), "local"),
        (Registration.carrier_id.is_not(None), "carrier"),
        else_="none",
    )
    level_labels = {
        "local": _("Local structure"),
        "carrier": _("Carrier organisation (head office)"),
        "none": _("No carrier organisation"),
    }
    rows = [[level_labels[v], c] for v, c in _grouped(level, _active(congress))]
    figures.append(
        Figure(
            "levels",
            _("Registrations by level"),
            [_("Level"), count_label],
            rows,
            bar_chart(_("Registrations by level"), rows),
        )
    )

    registered = dict(
        db.session.execute(
            select(RegistrationDay.day, func.count())
            .join(Registration, Registration.id == RegistrationDay.registration_id)
            .where(*_confirmed(congress))
            .group_by(RegistrationDay.day)
        ).all()
    )
    arrived = dict(
        db.session.execute(
            select(Checkpoint.day, func.count(func.distinct(CheckIn.registration_id)))
            .join(CheckIn, CheckIn.checkpoint_id == Checkpoint.id)
            .where(Checkpoint.congress_id == congress.id, Checkpoint.session_id.is_(None))
            .group_by(Checkpoint.day)
        ).all()
    )
    days = sorted({d.day for d in congress.days} | set(registered) | set(arrived))
    rows = [[_day_label(d), registered.get(d, 0), arrived.get(d, 0)] for d in days]
    figures.append(
        Figure(
            "days",
            _("Attendance per day"),
            [_("Day"), _("Registered (confirmed)"), _("Checked in")],
            rows,
            bar_chart(
                _("Attendance per day"),
                [(r[0], r[1]) for r in rows],
                second=[r[2] for r in rows],
                legend=(_("Registered (confirmed)"), _("Checked in")),
            ),
        )
    )

    workshops = workshop_fill(congress)
    rows = [
        [
            w["title"],
            w["capacity"],
            w["taken"],
            w["waitlisted"],
            round(100 * w["taken"] / w["capacity"]) if w["capacity"] else None,
        ]
        for w in workshops
    ]
    drawn, more = _top(sorted(rows, key=lambda r: -(r[4] or 0)), value_index=4)
    figures.append(
        Figure(
            "workshops",
            _("Workshop fill levels"),
            [_("Workshop"), _("Capacity"), _("Taken"), _("Waiting list"), _("Filled (%)")],
            rows,
            bar_chart(_("Workshop fill levels (%)"), drawn),
            more,
        )
    )

    confirmed_total = db.session.execute(
        select(func.count()).select_from(Registration).where(*_confirmed(congress))
    ).scalar_one()
    checkpoint_rows = db.session.execute(
        select(Checkpoint.name, Checkpoint.code, func.count(CheckIn.id))
        .join(CheckIn, CheckIn.checkpoint_id == Checkpoint.id, isouter=True)
        .where(Checkpoint.congress_id == congress.id)
        .group_by(Checkpoint.id, Checkpoint.name, Checkpoint.code, Checkpoint.day)
        .order_by(Checkpoint.day, Checkpoint.code)
    ).all()
    rows = [
        [name, count, round(100 * count / confirmed_total) if confirmed_total else 0]
        for name, _code, count in checkpoint_rows
    ]
    drawn, more = _top(rows)
    figures.append(
        Figure(
            "checkin",
            _("Check-in progress"),
            [_("Checkpoint"), _("Checked in"), _("Of confirmed (%)")],
            rows,
            bar_chart(_("Check-in progress"), drawn),
            more,
        )
    )

    needs = db.session.execute(
        select(
            func.count().filter(Registration.needs_step_free),
            func.count().filter(Registration.needs_sign_language),
            func.count().filter(Registration.needs_induction_loop),
            func.count().filter(Registration.accessibility_notes != ""),
        ).where(*_confirmed(congress))
    ).one()
    diets = _grouped(Registration.diet, (*_confirmed(congress), Registration.diet != Diet.NONE))
    labels = diet_labels()
    rows = [
        [_("Step-free access"), needs[0]],
        [_("Sign language interpretation"), needs[1]],
        [_("Induction loop"), needs[2]],
        [_("Other accessibility notes"), needs[3]],
    ] + [[labels.get(v, v), c] for v, c in diets]
    figures.append(
        Figure(
            "needs",
            _("Needs for caterer and venue"),
            [_("Need"), _("People (confirmed)")],
            rows,
            bar_chart(_("Needs for caterer and venue"), rows),
        )
    )
    figures.extend(question_figures(congress))
    return figures


def question_figures(congress: Congress) -> list[Figure]:
    """A figure per choice question of the edition: how many chose each answer, among the
    registrations that are not cancelled. One query for all of them."""
    active = select(Registration.id).where(*_active(congress))
    figures = []
    for question, counts in registration_questions.choice_results(congress.id, active):
        title = question.text(str(get_locale() or "de"))
        rows = [[answer, count] for answer, count in counts]
        figures.append(
            Figure(
                f"question-{question.id}",
                title,
                [_("Answer"), _("Registrations")],
                rows,
                bar_chart(title, rows),
            )
        )
    return figures


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


# --- certificates of attendance ----------------------------------------------------------------


class CertificateNotAvailable(DomainError):
    status, code = 409, "certificate_not_available"


@dataclass
class Attendance:
    registration: Registration
    days: list[date]
    workshops: list[str]


def congress_over(congress: Congress, now: datetime) -> bool:
    """True once the congress's last day has ended in its own time zone."""
    return now >= at_local(congress.ends_on + timedelta(days=1), time(0), congress.timezone)


def attendances(registrations: list[Registration]) -> list[Attendance]:
    """What each person attended, from their check-ins: one query for all of them.

    An entrance checkpoint (no session) proves the day; a workshop checkpoint the workshop.
    """
    ids = [r.id for r in registrations]
    days: dict[int, set[date]] = {}
    workshops: dict[int, list[str]] = {}
    if ids:
        rows = db.session.execute(
            select(CheckIn.registration_id, Checkpoint.day, AgendaSession.title)
            .join(Checkpoint, Checkpoint.id == CheckIn.checkpoint_id)
            .join(AgendaSession, AgendaSession.id == Checkpoint.session_id, isouter=True)
            .where(CheckIn.registration_id.in_(ids))
            .order_by(CheckIn.registration_id, Checkpoint.day, AgendaSession.starts_at)
        ).all()
        for registration_id, day, title in rows:
            days.setdefault(registration_id, set()).add(day)
            if title is not None and title not in workshops.get(registration_id, []):
                workshops.setdefault(registration_id, []).append(title)
    return [
        Attendance(r, sorted(days[r.id]), workshops.get(r.id, []))
        for r in registrations
        if r.id in days
    ]


def certificate_for(registration: Registration, now: datetime) -> Attendance:
    """The attendee's certificate data. Raises CertificateNotAvailable before the congress is
    over or when the person never checked in."""
    if not congress_over(registration.congress, now):
        raise CertificateNotAvailable(
            _("The certificate of attendance is available after the congress.")
        )
    found = attendances([registration])
    if not found:
        raise CertificateNotAvailable(
            _("We have no check-in for you, so we cannot certify your attendance.")
        )
    return found[0]


def organisation_attendances(congress: Congress, carrier_id: int) -> list[Attendance]:
    registrations = list(
        db.session.execute(
            select(Registration)
            .where(Registration.congress_id == congress.id, Registration.carrier_id == carrier_id)
            .options(joinedload(Registration.carrier), joinedload(Registration.local_structure))
            .order_by(Registration.name_key, Registration.id)
        )
        .unique()
        .scalars()
    )
    return attendances(registrations)
