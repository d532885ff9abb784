"""A realistic demo congress, modelled on the real Fachkongress, for trying every flow.

Dates are computed from today: the congress lies in the coming November (far enough ahead that
registration is open), last year's edition is loaded as history. All organisations are marked
as demo data; all people are invented. The data (carriers, names, speakers, rooms, tracks,
workshop titles) is ``data.toml`` beside this file, read by ``data.py``.
"""

from conference.demo.agenda import _agenda  # noqa: E402, F401
from conference.demo.data import (  # noqa: E402, F401
    ARABIC_NAMES,
    CARRIERS,
    FIRST_NAMES,
    LAST_NAMES,
    LOCAL_CITIES,
    ROOMS,
    SPEAKERS,
    TRACKS,
    TZ,
    WORKSHOPS_PHASE_1,
    WORKSHOPS_PHASE_2,
)
from conference.demo.loading import load, recount  # noqa: E402, F401
from conference.demo.people import _ascii, _history_checkins, _people, _preferences, _workshop_seats  # noqa: E402, F401
from conference.demo.setup import (  # noqa: E402, F401
    Summary,
    _carriers,
    _congress,
    _shift_year,
    _write_logins,
    congress_dates,
)
