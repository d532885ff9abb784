"""Workshops, for the views and for the areas above.

Split by topic: ``lookups`` (refusals, phases, workshops, seats), ``seats`` (first come, first
served, waiting lists), ``preferences`` (rankings), ``runs`` (allocation runs; the algorithm is
``allocation``), ``staff`` (the organisers' lists and moves), ``release`` (what a cancellation or
a change of days frees). Services flush, never commit.
"""

from conference.workshops.lookups import (  # noqa: E402, F401
    BadChoice,
    NotAllowed,
    SeatChanged,
    WorkshopFull,
    WorkshopInfo,
    _seat_changed,
    attends,
    capacity_expression,
    free_seats,
    moderators,
    phase_or_404,
    phases,
    registration_by_token,
    waiting_counts,
    workshop_or_404,
    workshops_of,
)
from conference.workshops.preferences import (  # noqa: E402, F401
    before_deadline,
    preferences_of,
    preferences_open,
    set_preferences,
)
from conference.workshops.release import _free_seats_where, release_days, release_registration  # noqa: E402, F401
from conference.workshops.runs import (  # noqa: E402, F401
    Preview,
    _mail_allocation,
    commit_allocation,
    new_seed,
    place_remaining,
    preview_allocation,
)
from conference.workshops.seats import (  # noqa: E402, F401
    _TOKEN_SLOT,
    _check_attendee,
    _check_workshop,
    _claim,
    _free_seat,
    _mail_promoted,
    _manage_link,
    _manage_link_pattern,
    _place,
    _promote,
    _release,
    _seat_time,
    _when,
    join_waitlist,
    leave_seat,
    leave_waitlist,
    seat_in_phase,
    take_seat,
)
from conference.workshops.staff import (  # noqa: E402, F401
    AttendeeView,
    attendee_view,
    create_phase,
    move_seat,
    participants,
    participants_of,
    phase_summaries,
    registration_by_email,
    seats_by_registration,
    update_phase,
    waiting_list,
)
