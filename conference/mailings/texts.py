"""What a mailing's text may say: the mail texts' placeholders (``conference/mailtexts``) and
their sandboxed renderer, never a second one, and the texts of the two default rules.

A mailing is a ``MailKind`` of its own ("mailings.mailing") that is not in the registry's list
of the app's mails: organisers write its text each time, so it has no edition text to edit.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from conference.mailtexts import registry
from conference.mailtexts.registry import MailKind, Placeholder

CERTIFICATE_LINK = Placeholder(
    "certificate_link",
    _l("The person's certificate of attendance (PDF, after the congress)"),
    _l("https://kongress.example.org/r/…/certificate.pdf"),
)
SURVEY_LINK = Placeholder(
    "survey_link",
    _l("The person's link to the evaluation survey"),
    _l("https://kongress.example.org/r/…/survey"),
)

MAILING = MailKind(
    "mailings.mailing",
    _l("Mailing"),
    _l("When the organisers send a mailing, or a scheduled rule is due."),
    (*registry.PERSON, registry.MANAGE_LINK, CERTIFICATE_LINK, SURVEY_LINK),
    _l("Information about the congress"),
    _l("Hello {first_name} {last_name},\n\n…\n\n{congress}"),
)

#: The two rules an edition is offered with one click each (issue 18, point 5).
PRESETS = {
    "practical": {
        "anchor": "before_start",
        "days": 7,
        "send_time": "09:00",
        "attach_ticket": True,
        "attach_calendar": True,
        "name": _l("Practical information a week before, with the ticket"),
        "subject": _l("In one week: {congress}"),
        "body": _l(
            "Hello {first_name} {last_name},\n\n"
            "in one week we will meet at {congress} ({dates}, {venue}). We look forward to "
            "seeing you!\n\n"
            "Your ticket is attached: please bring it printed or on your phone; it gets you "
            "your badge at the entrance. Your personal programme is attached as a calendar "
            "file.\n\n"
            "You can see or change your registration here:\n"
            "{manage_link}\n\n"
            "{congress}"
        ),
    },
    "thanks": {
        "anchor": "after_end",
        "days": 1,
        "send_time": "10:00",
        "attach_ticket": False,
        "attach_calendar": False,
        "name": _l("Thanks the day after, with the certificate and the survey"),
        "subject": _l("Thank you for coming to {congress}"),
        "body": _l(
            "Hello {first_name} {last_name},\n\n"
            "thank you for taking part in {congress}!\n\n"
            "Your certificate of attendance:\n"
            "{certificate_link}\n\n"
            "Please tell us how you liked the congress. The survey takes a few minutes and "
            "helps us and the programme:\n"
            "{survey_link}\n\n"
            "{congress}"
        ),
    },
}


def preset_texts(key: str) -> dict[str, str]:
    """A default rule's subject and body in German and English."""
    preset = PRESETS[key]
    texts = {}
    for language in ("de", "en"):
        with force_locale(language):
            texts[f"subject_{language}"] = str(preset["subject"])
            texts[f"body_{language}"] = str(preset["body"])
    return texts
