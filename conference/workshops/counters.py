"""Recounting the workshops' seat counters (``flask recount-seats``).

``agenda_session.seats_taken`` moves by conditional UPDATEs (``services.take_seat``); this
compares it with the ``workshop_seat`` rows it counts, and can set it to the count.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from conference.agenda.models import AgendaSession
from conference.core.models import Congress
from conference.extensions import db
from conference.registration.seats import Drift
from conference.workshops.models import WorkshopSeat


def seat_drift(congress: Congress, *, repair: bool = False) -> list[Drift]:
    """Each workshop of the congress whose ``seats_taken`` differs from its seats."""
    seats = (
        select(func.count())
        .select_from(WorkshopSeat)
        .where(WorkshopSeat.session_id == AgendaSession.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(AgendaSession.id, AgendaSession.seats_taken, seats)
        .where(AgendaSession.congress_id == congress.id, AgendaSession.phase_id.is_not(None))
        .order_by(AgendaSession.id)
    ).all()
    drifts = [
        Drift(f"workshop {session_id}", stored, counted)
        for session_id, stored, counted in rows
        if stored != counted
    ]
    if repair and drifts:
        db.session.execute(
            update(AgendaSession)
            .where(
                AgendaSession.id.in_([int(d.counter.split()[1]) for d in drifts]),
            )
            .values(seats_taken=seats)
            .execution_options(synchronize_session=False)
        )
    return drifts
