"""How the question types read on the organisers' pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from conference.questions.models import QuestionKind

KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionKind.YES_NO: _l("Yes or no"),
    QuestionKind.NUMBER: lazy_pgettext("question type", "Number"),
    QuestionKind.DATE: _l("Date"),
}

KIND_HINTS = {
    QuestionKind.SHORT_TEXT: _l("One line, up to 200 characters."),
    QuestionKind.LONG_TEXT: _l("Several lines, up to 2,000 characters."),
    QuestionKind.SINGLE_CHOICE: _l("One answer from a list (a select list from seven answers on)."),
    QuestionKind.MULTIPLE_CHOICE: _l("Any number of answers from a list."),
    QuestionKind.YES_NO: _l("Yes or no."),
    QuestionKind.NUMBER: _l("A whole number, optionally between a smallest and a largest."),
    QuestionKind.DATE: _l("A date."),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
