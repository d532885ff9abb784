"""Every mail the app sends: its kind, the placeholders it offers and its default text.

The defaults are msgids (English) with German translations in the one catalogue, so an
edition without texts of its own sends exactly these, in the recipient's language. A kind's
placeholders are the only names its texts may use; the sending area fills every one of them
with a plain string (``conference.mailtexts.services.queue_mail``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: object  # lazy translated
    example: object  # lazy translated: what a preview shows where no real value exists
    #: A text without it leaves the person stuck (no link to confirm): the page warns.
    essential: bool = False


@dataclass(frozen=True)
class MailKind:
    key: str  # stable, stored with the organisers' texts ("registration.confirm")
    name: object  # lazy translated
    description: object  # lazy translated: when the mail goes out
    placeholders: tuple[Placeholder, ...]
    subject: object  # lazy translated default
    body: object  # lazy translated default

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.placeholders)

    def placeholder(self, name: str) -> Placeholder | None:
        return next((p for p in self.placeholders if p.name == name), None)


def _p(name, description, example, essential=False) -> Placeholder:
    return Placeholder(name, description, example, essential)


FIRST_NAME = _p("first_name", _l("First name of the person"), _l("Anna"))
LAST_NAME = _p("last_name", _l("Last name of the person"), _l("Muster"))
CONGRESS = _p("congress", _l("Title of the congress"), _l("Fachkongress"))
DATES = _p("dates", _l("Dates of the congress"), _l("18–19 November 2027"))
VENUE = _p("venue", _l("Venue and city"), _l("Conference centre, Berlin"))
PERSON = (FIRST_NAME, LAST_NAME, CONGRESS, DATES, VENUE)

MANAGE_LINK = _p(
    "manage_link",
    _l("The person's personal link: see, change or cancel the registration"),
    _l("https://kongress.example.org/r/…"),
)
MANAGE_LINK_ESSENTIAL = _p(
    "manage_link",
    MANAGE_LINK.description,
    MANAGE_LINK.example,
    essential=True,
)
CONFIRM_LINK = _p(
    "confirm_link",
    _l("The link that confirms the registration (valid for 48 hours)"),
    _l("https://kongress.example.org/register/confirm/…"),
    essential=True,
)
POSITION = _p("position", _l("Position on the waiting list"), "3")
WORKSHOP = _p("workshop", _l("Title of the workshop"), _l("Finding good matches"))
WORKSHOP_TIME = _p(
    "workshop_time", _l("Day, time and room of the workshop"), _l("18/11/2027, 13:00, Room 2")
)
PHASE = _p("phase", _l("Name of the workshop phase"), _l("Workshops in the afternoon"))
WORKSHOPS = _p(
    "workshops",
    _l("The person's workshops, one per line"),
    _l("- 18/11/2027, 13:00: Finding good matches (Room 2)"),
)
SENDER = _p("sender", _l("Name of the person who writes"), _l("Jonas Keller"))
SENDER_ORGANISATION = _p(
    "sender_organisation", _l("Organisation of the person who writes"), _l("Freiwilligenagentur")
)
MESSAGE = _p(
    "message", _l("The message"), _l("Shall we talk about language mentoring?"), essential=True
)
DIRECTORY_LINK = _p(
    "directory_link",
    _l("The recipient's link to the attendee directory"),
    _l("https://kongress.example.org/r/…/directory"),
    essential=True,
)
SENDER_EMAIL = _p(
    "sender_email",
    _l("E-mail address of the person who writes"),
    "jonas@example.org",
    essential=True,
)

TITLE = _p("title", _l("Title of the contribution"), _l("Ending mentorships well"))
CFP_CONFIRM_LINK = _p(
    "confirm_link",
    _l("The link that confirms the contribution"),
    _l("https://kongress.example.org/cfp/confirm/…"),
    essential=True,
)
CFP_MANAGE_LINK = _p(
    "manage_link",
    _l("The submitter's personal link: see, change or withdraw the contribution"),
    _l("https://kongress.example.org/cfp/s/…"),
)
CFP_PERSON = (FIRST_NAME, LAST_NAME, CONGRESS, TITLE, CFP_MANAGE_LINK)
SPEAKER_NAME = _p("name", _l("Name of the speaker"), _l("Miriam Okonkwo"))
SPEAKER_LINK = _p(
    "speaker_link",
    _l("The speaker's personal link: confirm, details, sessions, material, badge"),
    _l("https://kongress.example.org/speaker/…"),
    essential=True,
)

KINDS: tuple[MailKind, ...] = (
    MailKind(
        "registration.confirm",
        _l("Confirm the registration"),
        _l("Right after signing up (double opt-in), and when a new link is asked for."),
        (*PERSON, CONFIRM_LINK),
        _l("Please confirm your registration"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "thank you for registering for {congress}. Please confirm your registration by "
            "following this link within 48 hours:\n\n"
            "{confirm_link}\n\n"
            "If you did not register, simply ignore this e-mail: without confirmation you will "
            "not be registered.\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "registration.confirmed",
        _l("Registration confirmed"),
        _l("When the person has a seat. The ticket (PDF) and the calendar entry are attached."),
        (*PERSON, MANAGE_LINK),
        _l("Your registration is confirmed"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "your registration for {congress} is confirmed. Your seat is reserved.\n\n"
            "Your personal link (keep it; it lets you see, change or cancel your "
            "registration):\n"
            "{manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "registration.waitlisted",
        _l("On the waiting list"),
        _l("When the person confirmed but all seats were taken."),
        (*PERSON, POSITION, MANAGE_LINK),
        _l("You are on the waiting list"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "thank you for confirming. All seats for {congress} are taken at the moment, so you "
            "are on the waiting list at position {position}. When a seat becomes free, you move "
            "up automatically and we will e-mail you.\n\n"
            "Your personal link (keep it; it lets you see, change or cancel your "
            "registration):\n"
            "{manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "registration.promoted",
        _l("Moved up from the waiting list"),
        _l(
            "When a seat became free for a person on the waiting list. Ticket and calendar entry "
            "are attached."
        ),
        (*PERSON, MANAGE_LINK),
        _l("A seat is free for you: your registration is confirmed"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "good news: a seat for {congress} has become free and is now yours. Your "
            "registration is confirmed.\n\n"
            "Your personal link (keep it; it lets you see, change or cancel your "
            "registration):\n"
            "{manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "registration.cancelled",
        _l("Registration cancelled"),
        _l("When the person or an organiser cancelled the registration."),
        (*PERSON, MANAGE_LINK),
        _l("Your registration has been cancelled"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "your registration for {congress} has been cancelled. If this was a mistake, please "
            "register again or contact us.\n\n"
            "Your personal link (keep it; it lets you see, change or cancel your "
            "registration):\n"
            "{manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "registration.link",
        _l("Lost link"),
        _l("When someone asks for their personal link again."),
        (*PERSON, MANAGE_LINK_ESSENTIAL),
        _l("Your personal registration link"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "you asked for your personal link for {congress}. Here it is.\n\n"
            "Your personal link (keep it; it lets you see, change or cancel your "
            "registration):\n"
            "{manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "registration.link_again",
        _l("Registered once more"),
        _l(
            "When the registration form is sent again with an address that is registered "
            "already: nothing changes, the person gets their link."
        ),
        (*PERSON, MANAGE_LINK_ESSENTIAL),
        _l("Your personal registration link"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "this e-mail address has just been used to register for {congress} once more. You "
            "are registered already, so nothing has changed; your personal link is below. If "
            "that was not you, you can ignore this e-mail.\n\n"
            "Your personal link (keep it; it lets you see, change or cancel your "
            "registration):\n"
            "{manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "workshops.promoted",
        _l("Workshop seat"),
        _l("When a seat in a full workshop became free for the next person on its waiting list."),
        (*PERSON, WORKSHOP, WORKSHOP_TIME, MANAGE_LINK),
        _l("A seat in your workshop is free for you"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "A seat has become free in the workshop “{workshop}”, and it is now yours.\n"
            "{workshop_time}\n\n"
            "If you cannot come, please give the seat back so that the next person can take "
            "it:\n"
            "{manage_link}"
        ),
    ),
    MailKind(
        "workshops.allocated",
        _l("Allocation result"),
        _l(
            "When the organisers saved the allocation of a ranked workshop phase: to everybody "
            "who got a workshop."
        ),
        (*PERSON, PHASE, WORKSHOPS, MANAGE_LINK),
        _l("Your workshops at the congress"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "These are your workshops at the congress:\n"
            "{workshops}\n\n"
            "You can see your workshops at any time here:\n"
            "{manage_link}"
        ),
    ),
    MailKind(
        "workshops.unplaced",
        _l("Allocation result: no workshop"),
        _l(
            "When the organisers saved the allocation of a ranked workshop phase: to everybody "
            "who got no workshop in it."
        ),
        (*PERSON, PHASE, WORKSHOPS, MANAGE_LINK),
        _l("Your workshops at the congress"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "Unfortunately we could not give you a workshop in “{phase}”. The organisers will "
            "contact you.\n\n"
            "Your workshops so far:\n"
            "{workshops}\n\n"
            "You can see your workshops at any time here:\n"
            "{manage_link}"
        ),
    ),
    MailKind(
        "reports.contact",
        _l("Contact request from the directory"),
        _l(
            "When an attendee writes to another through the attendee directory; the address "
            "is not passed on."
        ),
        (*PERSON, SENDER, SENDER_ORGANISATION, MESSAGE, DIRECTORY_LINK),
        _l("A contact request from the congress directory"),
        _l(
            "Hello {first_name},\n\n"
            "{sender} ({sender_organisation}) found you in the attendee directory of {congress} "
            "and writes:\n\n"
            "{message}\n\n"
            "Your e-mail address has not been passed on. To answer, open the directory with "
            "your personal link and send {sender} a contact request:\n"
            "{directory_link}\n\n"
            "Please do not reply to this e-mail: it goes to the organisers, not to {sender}."
        ),
    ),
    MailKind(
        "reports.contact_shared",
        _l("Contact request with the sender's address"),
        _l("When an attendee writes through the directory and shares their own e-mail address."),
        (*PERSON, SENDER, SENDER_ORGANISATION, MESSAGE, SENDER_EMAIL),
        _l("A contact request from the congress directory"),
        _l(
            "Hello {first_name},\n\n"
            "{sender} ({sender_organisation}) found you in the attendee directory of {congress} "
            "and writes:\n\n"
            "{message}\n\n"
            "{sender} shares their e-mail address with you: {sender_email}\n\n"
            "Please do not reply to this e-mail: it goes to the organisers, not to {sender}."
        ),
    ),
    MailKind(
        "cfp.confirm",
        _l("Confirm the contribution"),
        _l("Right after a contribution was sent through the call for contributions."),
        (*CFP_PERSON, CFP_CONFIRM_LINK),
        _l("Please confirm your contribution"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "thank you for proposing “{title}” for {congress}. Please confirm your contribution "
            "by following this link:\n\n"
            "{confirm_link}\n\n"
            "Until the deadline you can change or withdraw it and see its status here:\n"
            "{manage_link}\n\n"
            "If you did not send it, simply ignore this e-mail.\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "cfp.accepted",
        _l("Contribution accepted"),
        _l("When the organisers release the decisions: to every accepted contribution."),
        CFP_PERSON,
        _l("Your contribution has been accepted"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "we are happy to tell you that your contribution “{title}” has been accepted for "
            "{congress}. We will be in touch about the room and time.\n\n"
            "Your contribution: {manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "cfp.rejected",
        _l("Contribution not accepted"),
        _l("When the organisers release the decisions: to every contribution not accepted."),
        CFP_PERSON,
        _l("Your contribution to the congress"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "thank you for proposing “{title}” for {congress}. We received many more proposals "
            "than the programme has room for, and unfortunately we cannot include yours.\n\n"
            "Your contribution: {manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "cfp.waitlisted",
        _l("Contribution on the waiting list"),
        _l("When the organisers release the decisions: to every contribution on the waiting list."),
        CFP_PERSON,
        _l("Your contribution is on the waiting list"),
        _l(
            "Hello {first_name} {last_name},\n\n"
            "thank you for proposing “{title}” for {congress}. It is on our waiting list: if a "
            "place in the programme becomes free, we will contact you.\n\n"
            "Your contribution: {manage_link}\n\n"
            "{congress}"
        ),
    ),
    MailKind(
        "speakers.link",
        _l("The speaker's personal link"),
        _l("When an organiser sends a speaker their link from the list of speakers' links."),
        (SPEAKER_NAME, CONGRESS, DATES, SPEAKER_LINK),
        _l("Your sessions at the congress"),
        _l(
            "Hello {name},\n\n"
            "thank you for contributing to {congress} ({dates}). With your personal link you can "
            "confirm that you take part, edit your details and photo, see your sessions with "
            "rooms and times, upload your material and download your badge:\n\n"
            "{speaker_link}\n\n"
            "{congress}"
        ),
    ),
)

BY_KEY: dict[str, MailKind] = {kind.key: kind for kind in KINDS}


def kind(key: str) -> MailKind:
    """The registered kind; a KeyError for an unknown key (a programming error)."""
    return BY_KEY[key]


# --- previews ------------------------------------------------------------------------------------

#: ``function(congress_id, query) -> sample or None``: finds the registration a preview is
#: filled in for (by name or address; the newest one for an empty query). Set by the
#: registration area, which owns registrations (``conference/registration/mail.py``); this
#: package sits below it and cannot query them itself.
_sample_finder: Callable | None = None


def find_samples_with(function: Callable) -> Callable:
    global _sample_finder
    _sample_finder = function
    return function


def sample_finder() -> Callable | None:
    return _sample_finder
