"""What happens to one attendee across the areas, composed in plain calls above them.

The areas each own their part (registration: the seats and the status; workshops: workshop
seats, rankings and waiting places; badges: the ticket; feeds: the personal calendar; reports:
the certificate and the directory entry). This package is the one place that says what a
cancellation or a change of days sets off, what the manage page shows and what the
confirmation mail carries, calling each area explicitly, top to bottom:

- ``lifecycle``: ``cancel`` and ``change_days``;
- ``manage``: the sections of the attendee's manage page;
- ``mail``: the attachments of the mail that confirms a seat;
- ``views``: the attendee's manage pages and the organisers' cancel/move-up actions.

``init_app`` hands the mail attachments and the manage page to the app (``create_app`` calls
it); nothing here is wired up by importing a module.
"""

from __future__ import annotations


def init_app(app) -> None:
    from conference.attendee import mail, views

    mail.init_app(app)
    views.init_app(app)
