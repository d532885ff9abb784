"""The attendee's manage page: the sections the areas add below the registration's own."""

from __future__ import annotations

from markupsafe import Markup

from conference.badges import views as badges
from conference.feeds import views as feeds
from conference.registration.models import Registration
from conference.reports import views as reports
from conference.surveys import views as surveys
from conference.workshops import views as workshops


def sections(person: Registration, *, workshop_draft: dict | None = None) -> list[Markup]:
    """The areas' sections in page order; an area with nothing to show gives None.
    ``workshop_draft``: a refused ranking, shown again with its error."""
    found = [
        badges.ticket_section(person),  # the ticket, once confirmed
        workshops.manage_section(person, workshop_draft=workshop_draft),
        feeds.manage_section(person),  # personal calendar links
        reports.certificate_section(person),  # after the congress, for those who came
        surveys.survey_section(person),  # the evaluation, while it is open
        reports.directory_section(person),
    ]
    return [section for section in found if section]
