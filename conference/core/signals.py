"""Extension points between areas (blinker signals, as Flask itself uses).

Only where a lower area must not know who listens. Everything an attendee's confirmation or
cancellation sets off is plain calls in ``conference/attendee/``. A receiver is connected in
its area's ``init_app`` (called by ``create_app``), never as a side effect of an import, and
runs inside the sender's transaction: it flushes, never commits.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: an AgendaSession changed after publication; kwargs: now, actor, fields (set of names).
#: Receiver: ``checkin.services.follow_session_change`` (the workshop's checkpoint).
session_changed = _signals.signal("session-changed")
