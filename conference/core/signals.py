"""Extension points between areas (blinker signals, as Flask itself uses).

Areas are layered: core < accounts < organisations < registration < agenda < workshops < badges
< checkin < editions < feeds < reports < surveys < mailings. An area imports only from areas
below it. Where a lower area must let a higher one act (a cancellation frees workshop seats; the
manage page shows the ticket), it sends a signal here and the higher area connects a receiver at
import time.
Receivers run inside the sender's transaction: they flush, never commit.

Receivers are module-level functions (blinker holds weak references; a module keeps them alive).
"""

from __future__ import annotations

from blinker import Namespace
from markupsafe import Markup

_signals = Namespace()

#: sender: the Registration that now holds a seat; kwargs: now, actor.
registration_confirmed = _signals.signal("registration-confirmed")
#: sender: the Registration just cancelled (its seat already freed); kwargs: now, actor.
registration_cancelled = _signals.signal("registration-cancelled")
#: sender: the Registration whose attended days changed; kwargs: now, actor, added, removed (sets of dates).
registration_days_changed = _signals.signal("registration-days-changed")
#: sender: the Registration whose badge token was reissued; kwargs: now, actor.
badge_reissued = _signals.signal("badge-reissued")
#: sender: an AgendaSession changed after publication; kwargs: now, actor, fields (set of names).
session_changed = _signals.signal("session-changed")

#: sender: a Registration; receivers return ``(order, Markup)`` for the attendee's manage page;
#: kwargs: what the page passes on (e.g. ``workshop_draft``), receivers ignore the others.
manage_sections = _signals.signal("manage-sections")
#: sender: a Registration; kwarg kind (e.g. "registration.confirmed"); receivers return a list of
#: ``(filename, mimetype, bytes)`` to attach to that mail.
mail_attachments = _signals.signal("mail-attachments")
#: sender: a Congress; receivers return ``(order, Markup)``: a chapter of the funder report PDF
#: (e.g. the survey's results), placed before its appendix.
funder_report_sections = _signals.signal("funder-report-sections")


def collect_manage_sections(registration, **context) -> list[Markup]:
    """The areas' sections of the manage page. ``context`` reaches every receiver, e.g. an
    area's form to show again with the choices made and the error beside it."""
    results = [
        result for _receiver, result in manage_sections.send(registration, **context) if result
    ]
    return [html for _order, html in sorted(results, key=lambda item: item[0])]


def collect_funder_sections(congress) -> list[Markup]:
    results = [result for _receiver, result in funder_report_sections.send(congress) if result]
    return [html for _order, html in sorted(results, key=lambda item: item[0])]


def collect_attachments(registration, kind: str) -> list[tuple[str, str, bytes]]:
    attachments: list[tuple[str, str, bytes]] = []
    for _receiver, result in mail_attachments.send(registration, kind=kind):
        attachments.extend(result or [])
    return attachments
