"""The dashboard's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import Date, case, cast, func, select

from conference.checkin.models import CheckIn, Checkpoint
from conference.core.charts import Chart
from conference.core.models import CarrierOrganisation, Congress, LocalStructure
from conference.extensions import db
from conference.questions import registrations as registration_questions
from conference.registration.labels import DIET_LABELS, ROLE_LABELS, SECTOR_LABELS, translated
from conference.registration.models import Diet, Registration, RegistrationDay, Status
from conference.reports.counts import workshop_fill

# --- dashboard ---------------------------------------------------------------------------------


# Long lists (carriers, states, workshops) draw their largest rows; the table has them all.
CHART_ROWS = 10


@dataclass
class Figure:
    """One dashboard figure: a chart and the same numbers as a table (and an export).
    ``rows`` keep real values (dates, numbers): the page formats them, exports keep them.
    ``chart`` says what the chart shows; the templates draw it (``core/charts.py``)."""

    key: str
    title: str
    header: list[str]
    rows: list[list]
    chart: Chart
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
        select(column, func.count())
        .where(*where)
        .group_by(column)
        .order_by(func.count().desc(), column)
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
            Chart(
                "line",
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
            Chart("bar", _("Registrations by carrier organisation"), drawn),
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
            Chart("bar", _("Registrations by federal state"), drawn),
            more,
        )
    )

    for key, title, column, labels in (
        ("roles", _("Registrations by role"), Registration.programme_role, role_labels()),
        ("sectors", _("Registrations by sector"), Registration.sector, sector_labels()),
    ):
        rows = [[labels.get(v, v), c] for v, c in _grouped(column, _active(congress))]
        figures.append(
            Figure(key, title, [_("Group"), count_label], rows, Chart("bar", title, rows))
        )

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
            Chart("bar", _("Registrations by level"), rows),
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
            Chart(
                "bar",
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
            Chart("bar", _("Workshop fill levels (%)"), drawn),
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
            Chart("bar", _("Check-in progress"), drawn),
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
            Chart("bar", _("Needs for caterer and venue"), rows),
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
                Chart("bar", title, rows),
            )
        )
    return figures
